"""Apertium through both pivots at once, repaired and combined into one better English.

`--engine apertium --pivot both` runs French → Spanish → English and French →
Catalan → English over the whole batch (one process pipeline per pivot, with
Apertium's unknown-word marks kept), then per segment:

1. unknown words: a French word one pivot does not know is looked up through the
   other pivot (isolated, one batch for the whole corpus), else turned into a
   regular English cognate when the word list knows it; a word the second step
   left in Spanish or Catalan goes back to French and through the other pivot; a
   word that is already English (a name, an English word in the French) stays;
2. repairs: the named rules of `pipeline.translate.repairs` fix systematic errors;
3. choice: per sentence, the pivot's translation an English language model
   (`pipeline.translate.english_lm`) scores higher; the typography rules of
   the repairs (French spacing, doubled words) then post-edit the English chosen.
   `Steps(combine="words")` instead aligns the two word by word and decides each
   difference on its own (exact under a bigram model, as every difference sits
   between shared words):
   more BLEU, less chrF on dev, so it is not the default.

Each step was kept because it raised chrF on flores101-dev; BENCHMARKS.md gives
the figures on flores200-devtest.
"""

from __future__ import annotations

import difflib
import functools
import re
import subprocess
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from pipeline.errors import PipelineError
from pipeline.progress import step
from pipeline.translate import repairs
from pipeline.translate.apertium import (
    MODE_PACKAGES,
    PIVOT_MODES,
    ApertiumEngine,
    build_stream,
    installed_modes,
    kept_pipeline,
    missing_modes,
    release_kept_pipelines,
    split_stream,
)
from pipeline.translate.cognates import english_cognate
from pipeline.translate.engine import Progress
from pipeline.translate.english_lm import EnglishBigramModel, load_model, words

PIVOTS = ("es", "ca")
OTHER = {"es": "ca", "ca": "es"}
# pivot language → French, to send a word the second step did not know back to French
BACK_TO_FRENCH = {"es": "es-fr", "ca": "cat-fra"}

# Literal `*`, `#`, `@` in the French would read as marks in Apertium's output (it
# unescapes them), so they travel as private-use characters and come back after.
_LITERALS = str.maketrans({"*": "\ue000", "#": "\ue001", "@": "\ue002"})
_LITERALS_BACK = str.maketrans({"\ue000": "*", "\ue001": "#", "\ue002": "@"})

# A mark and its word: `**w` French unknown at the first step, `*w` pivot word unknown
# at the second, `@w` bilingual-dictionary miss, `#w` generation error.
MARKED_WORD = re.compile(r"(?<![\w*#@])([*#@]+)(\w+)")
_STRAY_MARK = re.compile(r"(?<![\w*#@])[*#@]+(?!\w)")


def protect_literals(text: str) -> str:
    return text.translate(_LITERALS)


def restore_literals(text: str) -> str:
    return text.translate(_LITERALS_BACK)


def strip_marks(text: str) -> str:
    text = MARKED_WORD.sub(lambda m: m.group(2), text)
    return re.sub(r"[ \t]{2,}", " ", _STRAY_MARK.sub("", text)).strip(" \t")


# How a word Apertium left untranslated may still find an English rendering.
UNKNOWN_WORD_ROUTES = (
    "other_pivot",  # a French word one pivot lacks, looked up through the other pivot
    "cognate",  # a French word with a regular English cognate (tricératops → triceratops)
    "via_french",  # a pivot word the second step lacks: back to French, then the other pivot
)


@dataclass(frozen=True)
class Steps:
    """Which improvements run (the benchmark switches them one by one)."""

    unknown_words: tuple[str, ...] = UNKNOWN_WORD_ROUTES  # () : leave them as Apertium did
    repairs: tuple[str, ...] | None = None  # None: every rule of the registry
    # "sentences": per segment, the pivot's translation the English model prefers;
    # "words": each difference between the two decided on its own; "none": Spanish only.
    combine: str = "sentences"


# (modes, word) → its translation, for this process: a word's lookup never depends on
# the other words of its batch, and the glossary's second engine call asks about mostly
# the same words again; each call that finds them all here starts no Apertium process.
_WORD_LOOKUPS: dict[tuple[tuple[str, ...], str], str] = {}


def _translate_words(words_: Iterable[str], modes: Sequence[str]) -> dict[str, str]:
    """Translate isolated words through a chain of modes, one batch; marks kept.

    Each word travels as a one-word sentence ("word."): without the full stop the
    transfer joins neighbouring words across segment boundaries.
    """
    chain = tuple(modes)
    wanted = set(words_)
    found = {w: _WORD_LOOKUPS[chain, w] for w in wanted if (chain, w) in _WORD_LOOKUPS}
    todo = sorted(wanted - found.keys())
    if not todo:
        return found
    stream = build_stream([f"{w}." for w in todo]).encode("utf-8")
    kept = kept_pipeline(chain, "-g")  # Apertium's tools kept running (apertium.py)
    if kept is not None:
        stream = kept.translate(stream, len(todo), None, 0, len(todo))
    for mode in modes if kept is None else ():
        result = subprocess.run(
            ["apertium", "-z", "-f", "none", mode], input=stream, capture_output=True, check=False
        )
        if result.returncode != 0:
            detail = result.stderr.decode("utf-8", "replace").strip().splitlines()
            raise PipelineError(f"apertium {mode} failed: {detail[-1] if detail else ''}")
        stream = result.stdout
    parts = split_stream(stream.decode("utf-8", "replace"), keep_marks=True)
    if [index for index, _ in parts] != list(range(len(todo))):
        return found  # a lost boundary: better no lookup than a wrong one
    for word, (_, text) in zip(todo, parts, strict=True):
        found[word] = _WORD_LOOKUPS[chain, word] = text.strip().removesuffix(".").strip()
    return found


def _is_clean(text: str) -> bool:
    return bool(text.strip()) and not MARKED_WORD.search(text) and "*" not in text


def _replacements(
    pivot: str,
    french_unknown: set[str],
    pivot_unknown: set[str],
    lm: EnglishBigramModel,
    routes: Sequence[str],
    have: frozenset[str],
    other_lacks: frozenset[str] = frozenset(),
) -> dict[tuple[str, str], str]:
    """(mark, word) → English for the words one pivot left untranslated. `other_lacks`:
    French words the other pivot's own first pass left unknown, not asked of it again."""
    other = OTHER[pivot]
    use_other_pivot = "other_pivot" in routes
    use_cognates = "cognate" in routes
    known: dict[str, str] = {}  # pivot word → its French
    if "via_french" in routes and BACK_TO_FRENCH[pivot] in have:
        french = _translate_words(pivot_unknown, (BACK_TO_FRENCH[pivot],))
        known = {w: f for w, f in french.items() if _is_clean(f)}
    # One lookup through the other pivot for both kinds of French words: each word is a
    # sentence of its own, so batching them together changes no word's translation, and
    # it saves starting Apertium's processes again.
    # A French word the other pivot's own first pass left unknown, standing whole, comes
    # back unknown from it alone too (no clean answer among 1,822 such words of the
    # tuning sets, `benchmarks/pivot_both_parts.py --parts lookups`): not asked again.
    asked = set(known.values()) | (french_unknown if use_other_pivot else set())
    english_of = _translate_words(asked - other_lacks, PIVOT_MODES[other])
    replacements: dict[tuple[str, str], str] = {}
    for word in french_unknown:
        english = english_of.get(word, "") if use_other_pivot else ""
        if _is_clean(english):
            replacements[("**", word)] = english
        elif use_cognates and (cognate := english_cognate(word, lm.is_english_word)):
            replacements[("**", word)] = cognate
    for word, fr in known.items():
        english = english_of.get(fr, "")
        if _is_clean(english):
            replacements[("*", word)] = english
        elif use_cognates and (cognate := english_cognate(fr, lm.is_english_word)):
            replacements[("*", word)] = cognate
    return replacements


# A French word the first step left unknown, `**word`, standing whole: no hyphen or
# apostrophe joins it to a neighbour, so the analyser failed on the word itself.
_WHOLE_UNKNOWN = re.compile(r"(?<![\w*#@'’-])\*\*(\w+)(?![\w'’-])")


def _whole_unknown_words(text: str) -> list[str]:
    return _WHOLE_UNKNOWN.findall(text)


def resolve_unknown_words(
    hypotheses: dict[str, list[str]],
    lm: EnglishBigramModel,
    routes: Sequence[str] = UNKNOWN_WORD_ROUTES,
) -> dict[str, list[str]]:
    """Replace the words each pivot left untranslated, where another route knows them."""
    have = installed_modes()
    french_unknown = {p: set() for p in PIVOTS}
    pivot_unknown = {p: set() for p in PIVOTS}
    lacks = {p: set() for p in PIVOTS}  # French words the pivot's first step did not know
    for pivot, texts in hypotheses.items():
        for text in texts:
            lacks[pivot].update(_whole_unknown_words(text))
            for mark, word in MARKED_WORD.findall(text):
                if lm.is_english_word(word):
                    continue  # an English word or name in the French: keep it as it is
                if mark == "**":
                    french_unknown[pivot].add(word)
                elif mark == "*":
                    pivot_unknown[pivot].add(word)

    # The two pivots' lookups are independent: side by side, as in first_pass.
    with ThreadPoolExecutor(max_workers=len(PIVOTS)) as pool:
        futures = {
            pivot: pool.submit(
                _replacements,
                pivot,
                french_unknown[pivot],
                pivot_unknown[pivot],
                lm,
                routes,
                have,
                frozenset(lacks[OTHER[pivot]]),
            )
            for pivot in PIVOTS
        }
        replacements = {pivot: future.result() for pivot, future in futures.items()}

    def replace(pivot: str, match: re.Match) -> str:
        word = match.group(2)
        english = replacements[pivot].get((match.group(1), word))
        if english is None:
            return match.group(0)
        # a lookup is a one-word sentence, so Apertium may have capitalised it
        return english if word[:1].isupper() else english[:1].lower() + english[1:]

    return {
        pivot: [MARKED_WORD.sub(functools.partial(replace, pivot), t) for t in texts]
        for pivot, texts in hypotheses.items()
    }


# --- combination ---------------------------------------------------------------------

_TOKEN = re.compile(r"\s*(\w+(?:['’-]\w+)*|[^\w\s])")


def tokens(text: str) -> list[str]:
    """Words and punctuation, each with the white space before it."""
    return [m.group(0) for m in _TOKEN.finditer(text)]


def _span_logprob(lm: EnglishBigramModel, previous: str | None, span: list[str]) -> float:
    total = 0.0
    for word in span:
        total += lm.word_logprob(previous, word)
        previous = word
    return total


def combine_pair(first: str, second: str, lm: EnglishBigramModel) -> str:
    """Merge two translations of one sentence: shared words stay; each difference takes
    the reading the language model scores higher in its context (ties keep `first`)."""
    a, b = tokens(first), tokens(second)
    a_keys = [t.strip().lower() for t in a]
    b_keys = [t.strip().lower() for t in b]
    matcher = difflib.SequenceMatcher(None, a_keys, b_keys, autojunk=False)
    out: list[str] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out += a[i1:i2]
            continue
        context = words("".join(out))
        previous = context[-1] if context else None
        following = words("".join(a[i2 : i2 + 1]))
        first_span = words("".join(a[i1:i2])) + following
        second_span = words("".join(b[j1:j2])) + following
        if _span_logprob(lm, previous, second_span) > _span_logprob(lm, previous, first_span):
            chosen = b[j1:j2]
        else:
            chosen = a[i1:i2]
        out += chosen
    return "".join(out).strip()


def choose_sentence(first: str, second: str, lm: EnglishBigramModel) -> str:
    return second if lm.score(second) > lm.score(first) else first


def first_pass(batch: Sequence[str], progress: Progress | None = None) -> dict[str, list[str]]:
    """Each pivot's translation of the batch, marks kept: one process pipeline per pivot,
    the two running side by side (they wait on each other's pipes, not on Python)."""
    protected = [protect_literals(t) for t in batch]
    done = dict.fromkeys(PIVOTS, 0)
    lock = threading.Lock()

    def translate(pivot: str) -> list[str]:
        def report(count: int, _total: int) -> None:
            with lock:
                done[pivot] = count
                if progress is not None:
                    progress(sum(done.values()), len(PIVOTS) * len(batch))

        hyps = ApertiumEngine(pivot, keep_marks=True).translate(protected, progress=report)
        return [h[0] if h else "" for h in hyps]

    with ThreadPoolExecutor(max_workers=len(PIVOTS)) as pool:
        futures = {pivot: pool.submit(translate, pivot) for pivot in PIVOTS}
        return {pivot: future.result() for pivot, future in futures.items()}


@dataclass
class Hypotheses:
    """The translations of one segment: the improved one and each pivot's repaired one."""

    best: str
    es: str
    ca: str

    def n_best(self) -> list[str]:
        return list(dict.fromkeys([self.best, self.es, self.ca]))


def finish(
    batch: Sequence[str],
    hyps: dict[str, list[str]],
    steps: Steps,
    lm: EnglishBigramModel,
    alternatives: bool = True,
) -> list[Hypotheses]:
    """Marks off, repairs, then the two pivots combined into the best translation.

    Without `alternatives` (a caller that takes the best alone) the single pivots' English
    is left without the typography post-edits that only the best needs (`es`, `ca`)."""
    rules = repairs.select(steps.repairs)
    before = [r for r in rules if not r.after_choice]
    after = [r for r in rules if r.after_choice]  # typography: post-edits of the choice
    clean = {
        p: [
            repairs.apply(restore_literals(strip_marks(t)), fr, before)[0]
            for t, fr in zip(texts, batch, strict=True)
        ]
        for p, texts in hyps.items()
    }
    results = []
    for es, ca, fr in zip(clean["es"], clean["ca"], batch, strict=True):
        if steps.combine == "words":
            best = combine_pair(es, ca, lm)
        elif steps.combine == "sentences":
            best = choose_sentence(es, ca, lm)
        else:
            best = es
        if alternatives:
            best, es, ca = (repairs.apply(text, fr, after)[0] for text in (best, es, ca))
        else:
            best = repairs.apply(best, fr, after)[0]
        results.append(Hypotheses(best, es, ca))
    return results


def improve(
    batch: Sequence[str],
    steps: Steps = Steps(),
    progress: Progress | None = None,
    alternatives: bool = True,
) -> list[Hypotheses]:
    """For each segment: the improved translation, and the single pivots' ones."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        # Reading the model's word lists overlaps Apertium's work (its threads wait on pipes).
        model = pool.submit(load_model)
        hyps = first_pass(batch, progress)
        with step("combining the two pivots"):
            lm = model.result()
            if steps.unknown_words:
                hyps = resolve_unknown_words(hyps, lm, steps.unknown_words)
            return finish(batch, hyps, steps, lm, alternatives)


class BothPivotsEngine:
    """Apertium via Spanish and via Catalan, repaired and combined (see the module doc)."""

    name = "apertium"
    pivot = "both"

    def __init__(self, steps: Steps = Steps()):
        missing = [m for p in PIVOTS for m in missing_modes(p)]
        if missing:
            hint = "apt-get install apertium " + " ".join(
                MODE_PACKAGES[m] for p in PIVOTS for m in PIVOT_MODES[p]
            )
            raise PipelineError(
                f"engine apertium --pivot both: missing {', '.join(missing)}; install: {hint}"
            )
        self.steps = steps

    @functools.cached_property
    def version(self) -> str:
        singles = [ApertiumEngine(p).version.removeprefix("apertium ") for p in PIVOTS]
        return (
            "apertium pivot=both (" + "; ".join(singles) + f") combine={self.steps.combine}"
            f" repairs={repairs.fingerprint(self.steps.repairs)}"
        )

    def start(self) -> None:
        """Both pivots' kept tools started before the first batch (ApertiumEngine.start)."""
        for pivot in PIVOTS:
            ApertiumEngine(pivot, keep_marks=True).start()

    def release(self) -> None:
        """No more batches for now: every kept tool ends on its own (word lookups' too)."""
        release_kept_pipelines()

    def translate(
        self, batch: Sequence[str], n_best: int = 1, progress: Progress | None = None
    ) -> list[list[str]]:
        """Best first: the combined English, then the single pivots' ones when they differ."""
        if not batch:
            return []
        results = improve(list(batch), self.steps, progress, alternatives=n_best > 1)
        if n_best <= 1:
            return [[hyps.best] for hyps in results]
        return [hyps.n_best()[:n_best] for hyps in results]
