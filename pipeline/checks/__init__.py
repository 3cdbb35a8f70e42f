"""Checks over translated segments: where a reviewer should look first.

Every check is a small named function in the module of its family (glossary, numbers,
form, typography, consistency, untranslated), listed once in CHECKS below; the name it is listed
under (its prefix the family) is the `check` of each Finding it makes.

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

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

from pipeline.checks import consistency, form, glossary, numbers, typography, untranslated
from pipeline.checks.base import SEVERITIES, SEVERITY_RANK, CheckContext
from pipeline.checks.consistency import (
    EntitySelection,
    french_entities,
    french_ner,
    may_hold_entity,
    ner_model,
)
from pipeline.glossary import Term
from pipeline.records import Finding, Segment

# What the runner, the CLI, the report and the benchmarks use.
__all__ = [
    "CHECKS",
    "CORPUS_CHECKS",
    "SEGMENT_CHECKS",
    "SEVERITIES",
    "SEVERITY_RANK",
    "CheckContext",
    "build_context",
    "EntitySelection",
    "french_entities",
    "french_ner",
    "may_hold_entity",
    "ner_model",
    "per_segment_findings",
    "run_checks",
]


def build_context(
    segments: Sequence[Segment], terms: Sequence[Term], entity_cache: Any = None
) -> CheckContext:
    return CheckContext(
        terms=terms if isinstance(terms, list) else list(terms),  # a file's: its cached matcher
        ratios=form.length_ratios(segments),
        terms_by_source={t.source: t for t in terms},
        entity_cache=entity_cache,
        quotes_across=form.quotes_across_segments(segments),
    )


# --- The registry, and running it --------------------------------------------------------

SegmentCheck = Callable[[Segment, CheckContext], list[Finding]]
CorpusCheck = Callable[[Sequence[Segment], CheckContext], list[Finding]]

SEGMENT_CHECKS: dict[str, SegmentCheck] = {
    "glossary.target": glossary.glossary_target,
    "glossary.forbidden": glossary.glossary_forbidden,
    "glossary.acronym": glossary.acronym,
    "numbers": numbers.numbers,
    "form.empty": form.empty,
    "form.unbalanced": form.unbalanced,
    "form.repetition": form.repetition,
    "form.length-ratio": form.length_ratio,
    "form.doubled-word": form.doubled_word,
    "form.addresses": form.changed_addresses,
    "typography.spacing": typography.spacing,
    "typography.french-marks": typography.french_marks,
    "typography.end-punctuation": typography.end_punctuation,
    "typography.white-space": typography.white_space,
    "typography.mojibake": typography.mojibake,
}
CORPUS_CHECKS: dict[str, CorpusCheck] = {
    "consistency.same-source": consistency.same_source,
    "consistency.same-target": consistency.same_target,
    "consistency.entity": consistency.entity_consistency,
    "consistency.variants": consistency.variant_consistency,
    "untranslated": untranslated.untranslated,
    "untranslated.pivot": untranslated.pivot_words,
}
CHECKS: dict[str, SegmentCheck | CorpusCheck] = {**SEGMENT_CHECKS, **CORPUS_CHECKS}


def run_checks(
    segments: Sequence[Segment],
    terms: Sequence[Term],
    only: Iterable[str] | None = None,
    entity_cache: Any = None,
    done: Any = None,
    segment_findings: Callable[[CheckContext, list[str]], Any] | None = None,
    corpus_findings: dict[str, Callable[[], list[Finding] | None]] | None = None,
) -> list[Finding]:
    """Run the checks (all, or those named in `only`) and put their findings on the segments.

    A segment's earlier findings from these checks are replaced; findings of other stages
    (such as the cleaner's "clean.*") stay. Returns the new findings, corpus-wide ones
    included (segment "" when not tied to one), worst first, then in segment order.

    `segment_findings(context, names)`, when given, returns what `per_segment_findings`
    over all the segments would (pipeline/parallel.py runs it a document per worker), or a
    function returning it: then the corpus-wide checks run here while the per-segment
    ones are under way elsewhere (cluster.py's tasks), and the function is called after.

    `corpus_findings[name]()`, when given, returns what the corpus check `name` finds over
    all the segments (run a document at a time elsewhere: pipeline/parallel.py's
    DOCUMENT_CORPUS_CHECKS), or None when it was not: then it runs here. Called after the
    corpus checks that run here.
    """
    names = list(CHECKS) if only is None else list(only)
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        raise ValueError(f"unknown check(s): {', '.join(unknown)}")
    context = build_context(segments, terms, entity_cache)
    per_segment = [n for n in names if n in SEGMENT_CHECKS]
    if segment_findings is None:
        pending: Any = per_segment_findings(segments, context, per_segment)
    else:
        pending = segment_findings(context, per_segment)
    count = len(per_segment)
    if done is not None and not callable(pending):  # a Progress: (checks done, checks in all)
        done(count, len(names))
    corpus_found: list[Finding] = []
    elsewhere = corpus_findings or {}
    for name in names:
        if name in CORPUS_CHECKS and name not in elsewhere:
            corpus_found += [replace(f, check=name) for f in CORPUS_CHECKS[name](segments, context)]
            count += 1
            if done is not None and not callable(pending):
                done(count, len(names))
    for name in names:  # the order of corpus_found is the sort's below, not this one
        if name in CORPUS_CHECKS and name in elsewhere:
            given = elsewhere[name]()
            if given is None:
                given = [replace(f, check=name) for f in CORPUS_CHECKS[name](segments, context)]
            corpus_found += given
            count += 1
            if done is not None and not callable(pending):
                done(count, len(names))
    found = (pending() if callable(pending) else pending) + corpus_found
    if done is not None and callable(pending):
        done(count, len(names))
    order = {s.id: i for i, s in enumerate(segments)}
    rank = {name: i for i, name in enumerate(names)}
    # Stable: findings of one segment and one check keep the order the check gave them.
    found.sort(key=lambda f: (SEVERITY_RANK[f.severity], order.get(f.segment, -1), rank[f.check]))
    by_segment: dict[str, list[Finding]] = defaultdict(list)
    for f in found:
        by_segment[f.segment].append(f)
    for s in segments:
        kept = [f for f in s.findings if not _made_by(f, names, all_checks=only is None)]
        s.findings = kept + by_segment.get(s.id, [])
    return found


def per_segment_findings(
    segments: Sequence[Segment], context: CheckContext, names: Sequence[str]
) -> list[Finding]:
    """The findings of the per-segment checks `names`, a segment at a time, in order."""
    found: list[Finding] = []
    for s in segments:
        for name in names:
            found += [replace(f, check=name) for f in SEGMENT_CHECKS[name](s, context)]
    return found


def _made_by(finding: Finding, names: Sequence[str], all_checks: bool) -> bool:
    """Whether a run of these checks replaces the finding: one of them made it, or, when all
    checks run, a check of the same family that no longer exists ("untranslated.foreign")."""
    if finding.check in names:
        return True
    families = {name.split(".")[0] for name in CHECKS}
    return all_checks and finding.check.split(".")[0] in families
