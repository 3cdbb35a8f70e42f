"""Glossary enforcement around an engine: every term's target in the English, no
forbidden rendering.

The segments first go to the engine exactly as without enforcement, alone in their
call, so a segment without a term cannot come out differently. For a segment with
terms the candidates are tried in this order, and the first that honours every term
is kept:

1. plain: the engine's best translation, untouched;
2. repair: that translation with the engine's own rendering of the term (the term
   translated alone), then each forbidden rendering, replaced by the target;
3. nbest: the engine's other hypotheses, as they are and repaired (argos only: a
   rule-based engine has one);
4. protect: the segment translated with each term the engine missed (then, failing
   that, every term) replaced by a placeholder the engine passes through (`Zqxa`),
   then the placeholder replaced by the target;
5. split: the French between the terms translated piece by piece and joined with the
   targets. It honours the glossary whatever the engine does, at some cost in fluency,
   so it comes last.

The engine is called at most three times, each over the whole batch: the segments; then,
for the segments that fail, their terms alone, n-best lists and protected versions in
one call; then the pieces for split.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from pipeline.errors import PipelineError
from pipeline.glossary import (
    Term,
    as_sentence,
    compile_terms,
    find_terms,
    forbidden_found,
    from_sentence,
    hit_honoured,
    rendering_pattern,
    target_present,
)
from pipeline.progress import stage as progress_stage
from pipeline.records import TermHit
from pipeline.translate.engine import Engine, Progress

METHODS = ("repair", "nbest", "protect", "split")
# Hypotheses asked of an engine that has an n-best list.
N_BEST = {"argos": 4}
PLACEHOLDER_STEMS = ("Zqx", "Zqy", "Xqz", "Qzx")
# No space before these when pieces are joined, none after the opening ones.
_CLOSING = tuple(",.;:!?)]}…%»”")
_OPENING = tuple("([{«“")


@dataclass
class EnforcementReport:
    """Which step gave each segment that holds a term (for the benchmarks)."""

    chosen: Counter = field(default_factory=Counter)
    segments_with_terms: int = 0


def translate_with_glossary(
    texts: Sequence[str],
    engine: Engine,
    terms: Sequence[Term],
    progress: Progress | None = None,
    methods: Sequence[str] = METHODS,
    report: EnforcementReport | None = None,
) -> list[str]:
    """The English of each French text, honouring the glossary where the methods can."""
    unknown = set(methods) - set(METHODS)
    if unknown:
        raise PipelineError(f"unknown enforcement method(s): {', '.join(sorted(unknown))}")
    texts = list(texts)
    matcher = compile_terms(list(terms)) if terms else None
    hits = [find_terms(t, matcher) if matcher else [] for t in texts]
    # The segments go to the engine exactly as without enforcement, alone in their call:
    # what a segment without a term gets cannot differ.
    with progress_stage("first pass", len(texts), "texts") as step:
        first = _translate(engine, texts, 1, _both(step, progress))
    best = [hyps[0] if hyps else "" for hyps in first]
    report = report if report is not None else EnforcementReport()
    out = list(best)
    failing: list[int] = []
    for i, segment_hits in enumerate(hits):
        if segment_hits:
            report.segments_with_terms += 1
            if _honours(best[i], segment_hits):
                report.chosen["plain"] += 1
            else:
                failing.append(i)
    if not failing:
        return out

    # Protecting or splitting only the terms the engine missed disturbs its sentence
    # least; all the terms of the segment is the fallback.
    subsets = {i: _subsets(best[i], hits[i]) for i in failing}

    # One call for the failing segments: their terms alone (for repair), their n-best
    # lists, their protected versions. Terms alone go first, and an open text is closed
    # like a fragment, so no word moves between neighbours (see as_sentence).
    surfaces = (
        sorted({texts[i][h.start : h.end] for i in failing for h in hits[i]})
        if "repair" in methods
        else []
    )
    n_best = N_BEST.get(engine.name, 1)
    use_nbest = "nbest" in methods and n_best > 1
    protected = (
        [(i, protect(texts[i], subset)) for i in failing for subset in subsets[i]]
        if "protect" in methods
        else []
    )
    second_batch = (
        [as_sentence(x) for x in surfaces]
        + ([texts[i] for i in failing] if use_nbest else [])
        + [p.text if _ends_sentence(p.text) else as_sentence(p.text) for _, p in protected]
    )
    second = []
    if second_batch:
        with progress_stage("enforcing the glossary", len(second_batch), "texts") as step:
            second = _translate(engine, second_batch, n_best, step)
    isolated = {
        x: from_sentence(hyps[0])
        for x, hyps in zip(surfaces, second[: len(surfaces)], strict=True)
        if hyps
    }
    rest = second[len(surfaces) :]
    alternatives = dict(zip(failing, rest, strict=False)) if use_nbest else {}
    protected_hyps: dict[int, list[tuple[Protected, list[str]]]] = {}
    for (i, version), hyps in zip(protected, rest[len(rest) - len(protected) :], strict=True):
        protected_hyps.setdefault(i, []).append((version, hyps))
    still: list[int] = []
    for i in failing:
        chosen = None
        if "repair" in methods:
            repaired = repair(best[i], texts[i], hits[i], isolated)
            if _honours(repaired, hits[i]):
                chosen = ("repair", repaired)
        for hyp in alternatives.get(i, [])[1:] if chosen is None else []:
            for candidate in (hyp, repair(hyp, texts[i], hits[i], isolated)):
                if _honours(candidate, hits[i]):
                    chosen = ("nbest", candidate)
                    break
            if chosen:
                break
        for version, hyps in protected_hyps.get(i, []) if chosen is None else []:
            for hyp in hyps:
                if not _ends_sentence(version.text):
                    hyp = from_sentence(hyp)
                restored = version.restore(hyp)
                if restored is not None:
                    restored = _repair_forbidden(restored, hits[i])
                    if _honours(restored, hits[i]):
                        chosen = ("protect", restored)
                        break
            if chosen:
                break
        if chosen:
            report.chosen[chosen[0]] += 1
            out[i] = chosen[1]
        else:
            still.append(i)

    if still and "split" in methods:
        pieces = {
            (i, n): split_pieces(texts[i], subset)
            for i in still
            for n, subset in enumerate(subsets[i])
        }
        to_translate = sorted({p for ps in pieces.values() for p in ps if _needs_engine(p)})
        third = []
        if to_translate:
            with progress_stage("translating around the terms", len(to_translate), "texts") as step:
                third = _translate(engine, [as_sentence(p) for p in to_translate], 1, step)
        english = {
            p: (from_sentence(h[0]) if h else "") for p, h in zip(to_translate, third, strict=True)
        }
        remaining = []
        for i in still:
            for n, subset in enumerate(subsets[i]):
                composed = compose(pieces[(i, n)], subset, english)
                composed = _repair_forbidden(composed, hits[i])
                if _honours(composed, hits[i]):
                    report.chosen["split"] += 1
                    out[i] = composed
                    break
            else:
                remaining.append(i)
        still = remaining
    report.chosen["failed"] += len(still)
    return out


def _both(first: Progress, second: Progress | None) -> Progress:
    """One progress report told to two listeners (the display and the caller's)."""
    if second is None:
        return first

    def report(done: int, total: int) -> None:
        first(done, total)
        second(done, total)

    return report


def _ends_sentence(text: str) -> bool:
    return text.rstrip().endswith((".", "!", "?", "…"))


def _subsets(english: str, hits: list[TermHit]) -> list[list[TermHit]]:
    """The hits to protect or split around, narrowest first: those the engine missed,
    then all of them."""
    missed = [h for h in hits if not hit_honoured(english, h)]
    return [missed, hits] if missed and len(missed) < len(hits) else [hits]


def _translate(engine: Engine, batch: list[str], n_best: int, progress) -> list[list[str]]:
    hypotheses = engine.translate(batch, n_best=n_best, progress=progress)
    if len(hypotheses) != len(batch):
        raise PipelineError(
            f"engine {engine.name} returned {len(hypotheses)} translations for {len(batch)} "
            "segments"
        )
    return hypotheses


def _honours(english: str, hits: Sequence[TermHit]) -> bool:
    return all(hit_honoured(english, h) for h in hits)


# ---------------------------------------------------------------------------------------
# repair


def _at_sentence_start(before: str) -> bool:
    return not before.strip() or before.rstrip()[-1] in '.!?:«"“'


def _replace(english: str, start: int, end: int, target: str) -> str:
    """Put the target in place of english[start:end], capitalised at a sentence start."""
    before = english[:start]
    if _at_sentence_start(before) and english[start:end][:1].isupper() and target[:1].islower():
        target = target[0].upper() + target[1:]
    return before + target + english[end:]


_NEXT_WORD = re.compile(r"(\s+)([A-Z][a-z]+)\b")


def _lower_next_word(english: str, position: int) -> str:
    """Apertium capitalises the word after an unknown word that opens a sentence
    (`Zqxa Has ordered`); put it back in lower case when the French had it so."""
    m = _NEXT_WORD.match(english, position)
    if m is None:
        return english
    word = m.group(2)
    return english[: m.start(2)] + word[0].lower() + word[1:] + english[m.end(2) :]


def _repair_forbidden(english: str, hits: Sequence[TermHit]) -> str:
    for hit in hits:
        for rendering in forbidden_found(english, hit.forbidden):
            pattern = rendering_pattern(rendering, endings=False)
            while (m := pattern.search(english)) is not None:
                english = _replace(english, m.start(), m.end(), hit.target)
    return english


def repair(english: str, french: str, hits: Sequence[TermHit], isolated: dict[str, str]) -> str:
    """Replace forbidden renderings, then the engine's own rendering of each missing term,
    with the target. The own rendering is replaced only where it occurs exactly once."""
    for hit in hits:
        if target_present(english, hit.target):
            continue
        rendering = isolated.get(french[hit.start : hit.end], "").strip(" .,;:")
        if not rendering or len(rendering) >= len(english.strip()):
            continue
        matches = list(rendering_pattern(rendering, endings=False).finditer(english))
        if len(matches) == 1:
            start = matches[0].start()
            english = _replace(english, start, matches[0].end(), hit.target)
            if _at_sentence_start(english[:start]) and french[hit.end :].lstrip()[:1].islower():
                english = _lower_next_word(english, start + len(hit.target))
    # Forbidden renderings last: one may be only part of the engine's rendering.
    return _repair_forbidden(english, hits)


# ---------------------------------------------------------------------------------------
# protect


@dataclass
class Protected:
    text: str  # the French with each term replaced by a placeholder
    # (placeholder, target, whether the French word after the term is lower-case)
    placeholders: list[tuple[str, str, bool]]

    def restore(self, english: str) -> str | None:
        """The English with each placeholder replaced by its target, or None when the
        engine lost or repeated a placeholder."""
        for placeholder, target, lower_after in self.placeholders:
            matches = list(re.finditer(rf"(?<!\w){placeholder}(?!\w)", english, re.IGNORECASE))
            if len(matches) != 1:
                return None
            start, end = matches[0].span()
            english = _replace(english, start, end, target)
            end = start + len(target)
            if lower_after and _at_sentence_start(english[:start]):
                english = _lower_next_word(english, end)
        return english


def _letters(n: int) -> str:
    out = ""
    while True:
        out = "abcdefghijklmnopqrstuvwxyz"[n % 26] + out
        n //= 26
        if n == 0:
            return out


def protect(french: str, hits: Sequence[TermHit]) -> Protected:
    """Replace each term by a made-up capitalised word that no dictionary knows, so the
    engine passes it through like a name and keeps its place in the sentence."""
    folded = french.casefold()
    stem = next((s for s in PLACEHOLDER_STEMS if s.casefold() not in folded), "Zqx")
    parts, placeholders, last = [], [], 0
    for n, hit in enumerate(hits):
        placeholder = stem + _letters(n)
        parts += [french[last : hit.start], placeholder]
        after = french[hit.end :].lstrip()
        placeholders.append((placeholder, hit.target, after[:1].islower()))
        last = hit.end
    parts.append(french[last:])
    return Protected("".join(parts), placeholders)


# ---------------------------------------------------------------------------------------
# split


def split_pieces(french: str, hits: Sequence[TermHit]) -> list[str]:
    """The French around the terms: len(hits) + 1 pieces."""
    pieces, last = [], 0
    for hit in hits:
        pieces.append(french[last : hit.start])
        last = hit.end
    pieces.append(french[last:])
    return pieces


def _needs_engine(piece: str) -> bool:
    return any(ch.isalpha() for ch in piece)


def compose(pieces: Sequence[str], hits: Sequence[TermHit], english: dict[str, str]) -> str:
    """Join translated pieces and targets; punctuation-only pieces are kept as they are."""
    parts: list[str] = []
    for n, piece in enumerate(pieces):
        parts.append(english.get(piece, "") if _needs_engine(piece) else piece.strip())
        if n < len(hits):
            parts.append(hits[n].target)
    out = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if out and not part.startswith(_CLOSING) and not out.endswith(_OPENING):
            out += " "
        out += part
    return out[:1].upper() + out[1:] if pieces and pieces[0][:1].isupper() else out
