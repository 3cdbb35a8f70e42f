"""Glossary checks: a term's target missing from the English, a forbidden rendering used."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline import glossary
from pipeline.checks.base import (
    NAME_TOKEN,
    CheckContext,
    checked,
    excerpt,
    finding,
    similarity,
)
from pipeline.glossary import Term
from pipeline.records import Finding, Segment

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
    words = list(NAME_TOKEN.finditer(text))
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
