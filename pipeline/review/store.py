"""The review store's one path: every review (an import, an output edited in place, a
lost memory recovered from the outputs, a save in the browser) goes through here and
`pipeline.review.import_reviews`, with one set of rules.

- `save_review`: one segment's review from the browser (or any program), with a version
  check so two reviewers never overwrite each other unknowingly.
- `import_edited_outputs`: before a run or a check rewrites the outputs, the ones a
  person changed since the pipeline wrote them (known by a hash per output kept in the
  memory, a stat first so an unchanged folder costs no read) are imported; with a new,
  empty or lost memory, the outputs' reviews are recovered from them.
- `record_outputs`: what the pipeline just wrote, for the next detection.
- `offer_fuzzy_matches`: a close reviewed French's English offered, never applied.
- `document_segments`, `document_counts`, `segment_history`: what a reviewer reads.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pipeline import export, fileio
from pipeline.errors import PipelineError
from pipeline.formats import jsonl
from pipeline.memory import (  # noqa: F401 (words, fuzzy_score: this module's names before)
    REVIEW_KINDS,
    Review,
    TranslationMemory,
    apply_review,
    fuzzy_score,
    normalise,
    words,
)
from pipeline.records import Finding, Fix, Segment

# The outputs a person may edit and the pipeline imports, in the order they are read
# (the JSONL first: it carries every review's kind, author and time).
EDITABLE_SUFFIXES = (".jsonl", ".po", ".xlf", ".tmx")
# Where an edited output that cannot be imported is kept, inside the output folder.
UNIMPORTED_FOLDER = "unimported-edits"
# Fuzzy matches: the lowest word-level similarity offered (percent), as CAT tools do.
FUZZY_THRESHOLD = 75.0


# --- what the pipeline wrote -------------------------------------------------------


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def output_key(memory_path: Path, path: Path) -> str:
    """How the memory names an output: its path from the memory's folder (`x.po` for the
    default memory beside the outputs), so a project moved whole keeps its records."""
    return os.path.relpath(Path(path).resolve(), Path(memory_path).resolve().parent)


def record_outputs(memory_path: Path, digests: dict[Path, str]) -> None:
    """Remember the hash, size and mtime of each output just written (by its path)."""
    rows = []
    for path, sha in digests.items():
        try:
            stat = os.stat(path)
        except OSError:
            continue
        rows.append((output_key(memory_path, path), sha, stat.st_size, stat.st_mtime_ns))
    if rows:
        with TranslationMemory(memory_path) as memory:
            memory.record_outputs(rows)


def editable_outputs(out_dir: Path, docs: Sequence[str] | None = None) -> list[Path]:
    """The outputs a person may have edited: each document's .jsonl, .po, .xlf and .tmx."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        return []
    names = (
        docs if docs is not None else [p.name[: -len(".jsonl")] for p in out_dir.glob("*.jsonl")]
    )
    found = []
    for suffix in EDITABLE_SUFFIXES:
        for name in sorted(names):
            path = out_dir / f"{name}{suffix}"
            if path.is_file():
                found.append(path)
    return found


def changed_outputs(
    out_dir: Path, memory: TranslationMemory, docs: Sequence[str] | None = None
) -> tuple[list[Path], list[Path]]:
    """(edited, unknown): outputs whose bytes differ from what the pipeline last wrote, and
    outputs the memory has no record of (a new, emptied or mistyped memory). A file whose
    size and mtime are the ones recorded is not read at all; one read and found unchanged
    (copied, touched) gets its new size and mtime recorded."""
    known = memory.output_records()
    edited, unknown, same = [], [], []
    for path in editable_outputs(out_dir, docs):
        key = output_key(memory.path, path)
        record = known.get(key)
        if record is None:
            unknown.append(path)
            continue
        sha, size, mtime_ns = record
        stat = path.stat()
        if (stat.st_size, stat.st_mtime_ns) == (size, mtime_ns):
            continue
        if digest(path.read_bytes()) != sha:
            edited.append(path)
        else:
            same.append((key, sha, stat.st_size, stat.st_mtime_ns))
    if same and not memory.readonly:
        memory.record_outputs(same)
    return edited, unknown


def keep_unimportable(path: Path, out_dir: Path) -> Path:
    """A copy of an edited output that cannot be imported, beside the outputs, named so it
    says what it is: `<out>/unimported-edits/<time>-<file>`."""
    folder = Path(out_dir) / UNIMPORTED_FOLDER
    folder.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    copy = folder / f"{stamp}-{path.name}"
    shutil.copy2(path, copy)
    return copy


def import_edited_outputs(
    out_dir: Path,
    memory_path: Path,
    reviewer: str | None = None,
    docs: Sequence[str] | None = None,
    broken: str = "keep",
) -> list[str]:
    """Import what a person changed in the outputs since the pipeline wrote them, and
    recover the reviews of outputs the memory does not know; return one line per file.

    `broken="keep"` (a run, which rewrites every output): a file that cannot be imported
    is copied into `<out>/unimported-edits/`, and a broken .jsonl moved there, so the run
    can go on and nothing typed is lost. `broken="raise"`: refuse with its file and line.
    """
    from pipeline.review import import_reviews

    out_dir = Path(out_dir)
    with TranslationMemory(memory_path) as memory:
        edited, unknown = changed_outputs(out_dir, memory, docs)
    lines = []
    taken: dict[Path, str] = {}  # files taken in: recorded, so they are not taken twice
    for path in sorted(edited + unknown, key=_import_order):
        taken[path] = digest(path.read_bytes())
        try:
            (result,) = import_reviews([path], out_dir, memory_path, reviewer)
        except PipelineError as err:
            if broken == "raise" or path not in edited:
                if path in edited:
                    raise PipelineError(f"{err} (edited since the pipeline wrote it)") from err
                raise
            copy = keep_unimportable(path, out_dir)
            if path.suffix == ".jsonl":
                path.unlink()  # the other imports read the JSONL; the run writes it again
            lines.append(
                f"warning: {path}: edited, but cannot be imported: {err}; the edited file "
                f"is kept as {copy}, and the run writes {path.name} again"
            )
            continue
        if path in edited:
            lines.append(f"edited since the last run: {result.summary()}")
        elif result.stored:
            lines.append(
                f"recovered from the outputs (the memory {memory_path} did not know them): "
                + result.summary()
            )
        lines += [f"warning: {notice}" for notice in result.notices if path in edited]
    record_outputs(memory_path, {p: sha for p, sha in taken.items() if p.exists()})
    return lines


def remember_imported(out_dir: Path, memory_path: Path, paths: Sequence[Path]) -> None:
    """After `review import` of outputs edited in place: record them as taken in, so the
    next run does not import them again (and say so)."""
    outputs = {p.resolve() for p in editable_outputs(out_dir)}
    taken = {Path(p): digest(Path(p).read_bytes()) for p in paths if Path(p).resolve() in outputs}
    if taken and Path(memory_path).is_file():
        record_outputs(memory_path, taken)


def _import_order(path: Path) -> tuple[int, str]:
    return EDITABLE_SUFFIXES.index(path.suffix), path.name


def apply_current_reviews(segments: Sequence[Segment], memory: TranslationMemory) -> int:
    """Each French segment with a review in the memory shows it (the newest); return how
    many changed. `pipeline check` takes the English of the .jsonl, but a review imported
    since (or edited in place in the .po) must not be written over."""
    changed = 0
    for s in segments:
        if s.lang != "fr" or not s.fr.strip():
            continue
        review = memory.lookup_review(s.fr, s.id)
        if review is not None and (s.en, s.origin, s.version) != (
            review.en,
            review.origin,
            review.id,
        ):
            apply_review(s, review)
            changed += 1
    return changed


# --- fuzzy matches -----------------------------------------------------------------


def offer_fuzzy_matches(
    segments: Sequence[Segment], memory: TranslationMemory, threshold: float = FUZZY_THRESHOLD
) -> int:
    """Set `suggestion` on every unreviewed French segment whose French is close (score
    at least `threshold`) to a French the memory holds a review for; return how many.
    The suggestion is offered, never applied: `en` stays the engine's."""
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    candidates = memory.latest_reviews()
    texts = [words(r.fr) for r in candidates]
    offered = 0
    for s in segments:
        s.suggestion = None
        if s.lang != "fr" or s.reviewed or not s.fr.strip() or not candidates:
            continue
        mine = words(s.fr)
        if not mine:
            continue
        best = process.extractOne(
            mine,
            texts,
            scorer=Levenshtein.normalized_similarity,
            score_cutoff=threshold / 100.0,
        )
        if best is None:
            continue
        _, score, index = best
        review = candidates[index]
        if normalise(review.fr) == normalise(s.fr) or score >= 1.0:
            continue  # the same French: the review itself answers it
        s.suggestion = {
            "en": review.en,
            "fr": review.fr,
            "score": round(100.0 * score, 1),
            "origin": review.origin,
            "version": review.id,
            "reviewer": review.reviewer,
        }
        offered += 1
    return offered


# --- reading a document's segments --------------------------------------------------


def jsonl_path(out_dir: Path, doc: str) -> Path:
    path = Path(out_dir) / f"{doc}.jsonl"
    if not path.is_file():
        raise PipelineError(f"no document {doc!r} in {out_dir}/ (no {path.name})")
    return path


def document_segments(out_dir: Path, doc: str) -> list[dict]:
    """The segment records of one document as the outputs hold them (see export.segment_
    record: id, fr, en, origin, version, reviewer, reviewed_at, suggestion, findings...)."""
    from pipeline.review import segments_by_file

    path = jsonl_path(out_dir, doc)
    return segments_by_file(Path(out_dir)).get(path, [])


def document_counts(out_dir: Path, memory_path: Path | None = None) -> list:
    """Per document: segments, reviewed, approved, remaining, waiting, flagged and
    findings by severity (pipeline.review.DocumentStatus), as `review status` counts."""
    from pipeline.review import current_segments
    from pipeline.review import documents_status as counts

    records = current_segments(Path(out_dir))
    memory = None
    if memory_path is not None and Path(memory_path).is_file():
        memory = TranslationMemory(memory_path, readonly=True)
    try:
        return list(counts(records, memory).values())
    finally:
        if memory is not None:
            memory.close()


def segment_history(out_dir: Path, memory_path: Path, segment_id: str) -> list[Review]:
    """Every review of the segment's French, oldest first (the last one stands)."""
    doc = segment_id.rsplit(":", 2)[0]
    record = next((r for r in document_segments(out_dir, doc) if r["id"] == segment_id), None)
    if record is None:
        raise PipelineError(f"no segment {segment_id} in {out_dir}/{doc}.jsonl")
    if not Path(memory_path).is_file():
        return []
    with TranslationMemory(memory_path, readonly=True) as memory:
        return memory.history(record["fr"])


# --- one review saved --------------------------------------------------------------


@dataclass
class Conflict:
    """Another review was saved since the reviewer loaded the segment: nothing stored."""

    current_en: str
    current_version: int
    current_reviewer: str
    current_at: str
    current_kind: str
    refused_en: str


@dataclass
class SaveOutcome:
    saved: bool  # a new review is stored (False: unchanged, or a conflict)
    segment: dict  # the segment's record as the outputs now hold it
    version: int  # the segment's current version
    conflict: Conflict | None = None
    written: list[Path] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # in-place edits imported first

    def as_dict(self) -> dict:
        data = asdict(self)
        data["written"] = [str(p) for p in self.written]
        return data



def refused_as_stale(record: dict, current, refused_en: str, notices: list[str]) -> SaveOutcome:
    """A save over a newer version: nothing stored; the outcome shows both texts."""
    return SaveOutcome(
        saved=False,
        segment=record,
        version=current.id if current else 0,
        conflict=Conflict(
            current_en=current.en if current else record.get("en", ""),
            current_version=current.id if current else 0,
            current_reviewer=current.reviewer if current else "",
            current_at=current.created if current else "",
            current_kind=current.kind if current else "",
            refused_en=refused_en,
        ),
        notices=notices,
    )

def save_review(
    out_dir: Path,
    memory_path: Path,
    segment_id: str,
    en: str | None,
    *,
    kind: str = "edit",
    reviewer: str | None = None,
    base_version: int,
    glossary_path: Path | None = Path("glossary/glossary.yaml"),
    corpus_dir: Path | None = Path("corpus"),
    source: str = "browser",
) -> SaveOutcome:
    """Store one segment's review and rewrite that document's outputs.

    `kind` "edit" stores `en`; "approved" approves the English the segment shows (`en`
    None, or that same text). `base_version` is the version the reviewer started from
    (the record's `version`, 0 for machine text): if another review was saved since, by
    anyone or any import, nothing is stored and the outcome carries the conflict. Edits
    made in place to this document's outputs are imported first. Then the segment's checks
    (and the document's) run again, and the document's .jsonl, .po, .tmx, .html, .en.md
    and the report are written again, together, atomically.
    """
    out_dir = Path(out_dir)
    if kind not in REVIEW_KINDS:
        raise PipelineError(f"unknown review kind {kind!r} (one of {', '.join(REVIEW_KINDS)})")
    doc = segment_id.rsplit(":", 2)[0]
    path = jsonl_path(out_dir, doc)
    notices = import_edited_outputs(out_dir, memory_path, reviewer, docs=[doc], broken="raise")
    segments = jsonl.read_jsonl(path)
    segment = next((s for s in segments if s.id == segment_id), None)
    if segment is None:
        raise PipelineError(f"no segment {segment_id} in {path}")
    if segment.lang != "fr":
        raise PipelineError(f"{segment_id} is an English line of the article: nothing to review")
    review = new_review(segment, en, kind, reviewer, source)
    with TranslationMemory(memory_path) as memory:
        state, current = memory.add_review_if_current(review, int(base_version))
        if state == "conflict":
            record = _record_of(out_dir, doc, segment_id)
            return refused_as_stale(record, current, review.en, notices)
        apply_current_reviews(segments, memory)
        offer_fuzzy_matches(segments, memory)
    written = rewrite_document(out_dir, memory_path, path, segments, glossary_path, corpus_dir)
    record = _record_of(out_dir, doc, segment_id)
    return SaveOutcome(
        saved=state == "stored",
        segment=record,
        version=int(record.get("version") or 0),
        written=written,
        notices=notices,
    )


def _record_of(out_dir: Path, doc: str, segment_id: str) -> dict:
    return next(r for r in document_segments(out_dir, doc) if r["id"] == segment_id)


def new_review(segment: Segment, en: str | None, kind: str, reviewer: str | None, source: str):
    """The review a save makes of a segment, by the rules of every save: an approval
    accepts the English shown, an edit needs an English (one line)."""
    from pipeline.review import login_name

    segment_id = segment.id
    if segment.lang != "fr":
        raise PipelineError(f"{segment_id} is an English line of the article: nothing to review")
    text = segment.en if (kind == "approved" and en is None) else (en or "")
    text = " ".join(text.split("\n")).strip() if "\n" in text else text.strip()
    if not text:
        raise PipelineError(f"{segment_id}: an empty English is not a review")
    if kind == "approved" and text != segment.en.strip():
        raise PipelineError(
            f"{segment_id}: an approval accepts the English shown; save an edit to change it"
        )
    return Review(
        fr=normalise(segment.fr),
        en=text,
        segment_id=segment_id,
        source=source,
        kind=kind,
        reviewer=reviewer or login_name(),
    )


def read_segment_record(path: Path, segment_id: str) -> dict | None:
    """One segment's record from a `.jsonl`, parsing only its line when the pipeline wrote
    it (a record starts with its id), else every line (a file edited by hand)."""
    import json

    from pipeline.export import jsonl_line

    prefix = jsonl_line({"id": segment_id})[:-2] + ","  # '{"id": "<id>",'
    lines = fileio.read_utf8(path).split("\n")
    for line in lines:
        if line.startswith(prefix):
            return json.loads(line)
    for line in lines:
        if line.strip():
            record = json.loads(line)
            if isinstance(record, dict) and record.get("id") == segment_id:
                return record
    return None


def save_review_now(
    out_dir: Path,
    memory_path: Path,
    segment_id: str,
    en: str | None,
    *,
    kind: str = "edit",
    reviewer: str | None = None,
    base_version: int,
    terms: Sequence = (),
    source: str = "browser",
    import_edits: bool = True,
    record: dict | None = None,
) -> SaveOutcome:
    """`save_review` without the document's rewrite, for a caller that rewrites it later
    with `rewrite_current` (the web review does, a moment after the last save).

    The same rules and the same transaction store the review (or refuse it as a
    conflict), after the document's in-place edits are imported; the segment's own checks
    run again on it. The outcome's `segment` is its record with the review applied. Until
    the rewrite, nothing is lost: the memory holds the review, and every run, check and
    rewrite applies it; the outputs show the earlier English meanwhile.
    """
    from pipeline import checks, glossary, runner
    from pipeline.memory import apply_review

    out_dir = Path(out_dir)
    if kind not in REVIEW_KINDS:
        raise PipelineError(f"unknown review kind {kind!r} (one of {', '.join(REVIEW_KINDS)})")
    doc = segment_id.rsplit(":", 2)[0]
    path = jsonl_path(out_dir, doc)
    # import_edits=False: the caller is rewriting these outputs right now (their bytes are
    # its own, half recorded), and imported they would bring back older reviews
    notices = []
    if import_edits:  # recorded once taken in: never imported twice (over a later save)
        notices = import_edited_outputs(out_dir, memory_path, reviewer, docs=[doc], broken="raise")
    # `record`: the segment's record as the caller read it from the file as it stands
    record = record if record is not None else read_segment_record(path, segment_id)
    if record is None:
        raise PipelineError(f"no segment {segment_id} in {path}")
    segment = export.segment_from_record(record)
    with TranslationMemory(memory_path) as memory:
        current = memory.lookup_review(segment.fr, segment_id)
        if current is not None:
            apply_review(segment, current)  # the English shown is the current review's
        review = new_review(segment, en, kind, reviewer, source)
        state, current = memory.add_review_if_current(review, int(base_version))
    if state == "conflict":
        return refused_as_stale(record, current, review.en, notices)
    apply_review(segment, review if state == "stored" else current)
    segment.terms = glossary.find_terms(segment.fr, terms)
    runner.mark_terms([segment])
    checks.run_checks([segment], terms, only=list(checks.SEGMENT_CHECKS))
    record = dict(
        record,
        en=segment.en,
        engine=segment.engine,
        origin=segment.origin,
        version=segment.version,
        reviewer=segment.reviewer,
        reviewed_at=segment.reviewed_at,
        suggestion=None,
        terms=[
            {"source": t.source, "target": t.target, "ok": t.ok, "start": t.start, "end": t.end}
            for t in segment.terms
        ],
        findings=[asdict(f) for f in segment.findings],
    )
    return SaveOutcome(
        saved=state == "stored", segment=record, version=segment.version, notices=notices
    )


def rewrite_current(
    out_dir: Path,
    memory_path: Path,
    doc: str,
    glossary_path: Path | None,
    corpus_dir: Path | None,
    reviewer: str | None = None,
) -> list[Path]:
    """The document's outputs written again with the memory's current reviews (what
    `save_review` does after storing): in-place edits imported first, every review
    applied, fuzzy matches offered again, the checks run, the outputs and report
    rewritten together."""
    out_dir = Path(out_dir)
    path = jsonl_path(out_dir, doc)
    import_edited_outputs(out_dir, memory_path, reviewer, docs=[doc], broken="raise")
    segments = export.read_jsonl(path)
    with TranslationMemory(memory_path) as memory:
        apply_current_reviews(segments, memory)
        offer_fuzzy_matches(segments, memory)
    return rewrite_document(out_dir, memory_path, path, segments, glossary_path, corpus_dir)


_glossary_memo: dict[str, tuple[tuple, list]] = {}


def glossary_terms(glossary_path: Path | None) -> list:
    """The glossary's terms, read again only when the file changed (a server saving one
    review after another does not parse the YAML each time)."""
    from pipeline import glossary

    if not glossary_path:
        return []
    path = Path(glossary_path)
    try:
        stat = path.stat()
        key = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
    except OSError:
        key = None
    cached = _glossary_memo.get(str(path.resolve()))
    if key is not None and cached is not None and cached[0] == key:
        return cached[1]
    terms = glossary.load_glossary(path)
    if key is not None:
        _glossary_memo[str(path.resolve())] = (key, terms)
    return terms


def rewrite_document(
    out_dir: Path,
    memory_path: Path,
    path: Path,
    segments: list[Segment],
    glossary_path: Path | None,
    corpus_dir: Path | None,
) -> list[Path]:
    """Check one document's segments again and write its outputs and the report."""
    from pipeline import checks, glossary, prepared_cache, runner

    terms = glossary_terms(glossary_path)
    for s in segments:
        s.terms = glossary.find_terms(s.fr, terms)
    runner.mark_terms(segments)
    entities = prepared_cache.EntityCache(memory_path, checks.ner_model())
    document_findings = checks.run_checks(segments, terms, entity_cache=entities)
    doc = jsonl.jsonl_document(path, corpus_dir)
    digests: dict[Path, str] = {}
    with fileio.writes_together():
        written = export.write_document(out_dir, doc, segments, digests)
        written += rewrite_report(out_dir, doc.name, segments, document_findings)
    record_outputs(memory_path, digests)
    return written


def rewrite_report(
    out_dir: Path, doc: str, segments: list[Segment], document_findings: list[Finding]
) -> list[Path]:
    """The report with one document's segments and findings replaced: the others', the
    corpus-wide findings and the cleaning fixes are taken from the report as it stands."""
    import json

    from pipeline import report
    from pipeline.review import current_segments

    others = [
        jsonl.segment_from_record(r)
        for r in current_segments(Path(out_dir))
        if (r.get("doc") or r["id"].rsplit(":", 2)[0]) != doc
    ]
    everything = [s for s in others if s.doc < doc] + segments + [s for s in others if s.doc > doc]
    fixes: list[Fix] = []
    # the corpus-wide findings are the last run's (one document's checks are not the
    # corpus's): taken from the report as it stands
    corpus_wide: list[Finding] = []
    try:
        data = json.loads(fileio.read_utf8(Path(out_dir) / "report.json"))
        fixes = [Fix(**f) for f in data.get("fixes", [])]
        ids = {s.id for s in everything}
        corpus_wide += [
            Finding(**f) for f in data.get("findings", []) if f.get("segment") not in ids
        ]
    except (PipelineError, ValueError, TypeError, KeyError):
        pass  # no report yet, or not ours: the segments' findings still make one
    findings = corpus_wide + [f for s in everything for f in s.findings]
    return report.write_report(out_dir, everything, findings, fixes)
