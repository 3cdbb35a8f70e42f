"""The review round trip: reviewers' corrections from PO, XLIFF, TMX and JSONL files into
the memory.

A run writes `<doc>.po` (msgctxt = segment id, msgid = French, msgstr = English),
`<doc>.xlf`, `<doc>.tmx` (`<tu tuid="id">`) and `<doc>.jsonl`; each format's module in
pipeline/formats reads its file back as entries, and this module judges them (one set
of rules for every format). A reviewer edits them; an
entry is a review when it is not fuzzy and its English differs from the machine's (or
from an earlier review). Entries are matched to the current segments (the `.jsonl` of
the last run) by segment id and French text. Every review is stored by its French text,
even one that no longer matches the corpus, and such an entry is reported.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import fileio, formats
from pipeline.errors import PipelineError
from pipeline.formats import Entry
from pipeline.memory import Review, TranslationMemory, normalise
from pipeline.records import REVIEWED_ORIGINS

# --- reading a reviewed file: the format's module gives its entries -------------------

# ReviewEntry is the formats' Entry (pipeline/formats/__init__.py).
ReviewEntry = Entry


def read_review_file(path: Path) -> list[ReviewEntry]:
    """The entries of a reviewed file, read by the format its suffix names."""
    path = Path(path)
    if not path.is_file():
        raise PipelineError(f"{path}: no such file")
    read_entries = formats.reader_for(path)
    if read_entries is None:
        *others, last = formats.readable_suffixes()
        raise PipelineError(f"{path}: a review file is {', '.join(others)} or {last}")
    return read_entries(path)


# --- the current segments ---------------------------------------------------------


def current_segments(out_dir: Path) -> list[dict]:
    """The segment records of the last run: every `<out_dir>/*.jsonl`, in order."""
    return [r for records in segments_by_file(out_dir).values() for r in records]


def segments_by_file(out_dir: Path) -> dict[Path, list[dict]]:
    """The segment records of each `<out_dir>/*.jsonl`."""
    found = {}
    from pipeline.report import current_jsonl  # outputs of removed articles are not current

    for path in current_jsonl(Path(out_dir)):
        records = found.setdefault(path, [])
        text = fileio.read_utf8(path)
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                raise PipelineError(f"{path}:{number}: not JSON: {err.msg}") from err
            if not isinstance(record, dict) or "id" not in record or "fr" not in record:
                raise PipelineError(f"{path}:{number}: not a segment record (id, fr)")
            if not isinstance(record["fr"], str) or not isinstance(record["id"], str):
                raise PipelineError(f"{path}:{number}: not a segment record (id, fr: text)")
            records.append(record)
    return found


# --- import -----------------------------------------------------------------------


@dataclass
class ImportResult:
    """What one reviewed file brought: how many entries were reviews, and notices."""

    path: Path
    entries: int = 0
    stored: int = 0  # new reviews (edits and approvals) added to the memory
    approved: int = 0  # of which approvals: the machine's text, accepted unchanged
    already: int = 0  # reviews the memory already held
    same_as_machine: int = 0  # the machine's text, untouched: not a review
    fuzzy: int = 0  # edited but still fuzzy: skipped
    suggested: int = 0  # a fuzzy match the pipeline offered, not accepted yet: skipped
    unmatched: int = 0  # entries whose id and French do not match a current segment
    english_lines: int = 0  # lines in English in the article, passed through untranslated
    notices: list[str] = field(default_factory=list)

    def summary(self) -> str:
        stored = f"{self.stored} new reviews stored"
        if self.approved:
            stored += f" ({self.approved} approvals)"
        parts = [
            stored,
            f"{self.already} already in the memory",
            f"{self.same_as_machine} same as the machine",
        ]
        if self.fuzzy:
            parts.append(f"{self.fuzzy} edited but fuzzy, skipped (clear the fuzzy flag)")
        if self.suggested:
            parts.append(f"{self.suggested} fuzzy matches offered, not accepted yet")
        if self.english_lines:
            parts.append(f"{self.english_lines} English lines (not translated) ignored")
        if self.unmatched:
            parts.append(f"{self.unmatched} not matching the current corpus")
        return f"{self.path}: {self.entries} entries: " + ", ".join(parts)


def login_name() -> str:
    """Who is at the keyboard, when a review names no one (the --reviewer default)."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def import_reviews(
    paths: list[Path], out_dir: Path, memory_path: Path, reviewer: str | None = None
) -> list[ImportResult]:
    """Read every file (refusing all if one is broken), then store their reviews.

    This is the one import path (`review import`, the outputs edited in place, the
    recovery of a lost memory): an entry is a review only when its English differs from
    what the machine produced for that French (in the memory, or in the outputs of the
    last run), or when the file approves the machine's text explicitly. Each review is
    attributed: `reviewer` when given, else the file's own (PO Last-Translator, TMX
    changeid, JSONL reviewer), else the login name.
    """
    files = [(Path(p), read_review_file(Path(p))) for p in paths]
    by_file = segments_by_file(out_dir) if Path(out_dir).is_dir() else {}
    records = [r for rs in by_file.values() for r in rs]
    segments = [r for r in records if r.get("lang", "fr") == "fr"]
    if not segments and not Path(memory_path).is_file():
        raise PipelineError(
            f"nothing to compare against: no outputs in {out_dir}/ and no memory "
            f"{memory_path}, so no entry can be told apart from machine text; nothing "
            "imported (give --out the folder the file was written in, or --memory its memory)"
        )
    passed_through = {r["id"] for r in records if r.get("lang", "fr") != "fr"}
    by_id = {r["id"]: r for r in segments}
    by_fr: dict[str, list[dict]] = {}
    for r in segments:
        by_fr.setdefault(normalise(r["fr"]), []).append(r)
    if segments:
        for path, entries in files:
            refuse_foreign(path, entries, by_id, by_fr, out_dir)
    results = []
    with TranslationMemory(memory_path) as memory:
        if not segments:
            for path, entries in files:
                refuse_unprovable(path, entries, memory, out_dir)
        for path, entries in files:
            result = ImportResult(path=path, entries=len(entries))
            # A JSONL of the outputs is not its own witness of what the machine wrote.
            own = {r["id"] for r in by_file.get(path, [])} if path in by_file else set()
            if not segments:
                result.notices.append(
                    f"{path}: no outputs in {out_dir} to match against (run 'pipeline run' "
                    "first); entries compared with the memory's machine text, kept by "
                    "their French text only"
                )
            reviews = []
            for entry in entries:
                if entry.segment_id in passed_through:
                    result.english_lines += 1  # an English line: never translated
                    continue
                review = _classify(entry, path, by_id, by_fr, memory, result, own)
                if review is not None:
                    review.reviewer = reviewer or entry.reviewer or login_name()
                    reviews.append(review)
            result.stored = memory.add_reviews(reviews)
            result.already = len(reviews) - result.stored
            result.approved = sum(1 for r in reviews if r.kind == "approved" and r.id)
            if len(result.notices) > MAX_NOTICES:
                more = len(result.notices) - MAX_NOTICES
                result.notices[MAX_NOTICES:] = [f"{path}: and {more} more entries like these"]
            results.append(result)
    return results


# Notices shown per file; a file with many stale entries is summed up after these.
MAX_NOTICES = 20


def refuse_unprovable(
    path: Path, entries: list[ReviewEntry], memory: TranslationMemory, out_dir: Path
) -> None:
    """With no outputs to match, the memory must know the machine's English of some of
    the file's French, else no entry can be proved a review: refuse the file."""
    entries = [e for e in entries if e.en.strip()]
    if not entries or any(e.claimed for e in entries):
        return
    if any(memory.machine_translations(e.fr) for e in entries):
        return
    raise PipelineError(
        f"{path}: nothing to compare against: no outputs in {out_dir}/ and the memory "
        f"{memory.path} knows none of its {len(entries)} French texts, so no entry can be "
        "told apart from machine text; nothing imported (give --out the folder it was "
        "written in, or --memory the run's memory)"
    )


def refuse_foreign(
    path: Path,
    entries: list[ReviewEntry],
    by_id: dict[str, dict],
    by_fr: dict[str, list[dict]],
    out_dir: Path,
) -> None:
    """A file none of whose entries is a current segment (by id or by French) comes from
    another corpus, or belongs with other outputs: refuse it rather than fill the memory."""
    entries = [e for e in entries if e.en.strip()]
    if not entries:
        return
    if any(e.segment_id in by_id or normalise(e.fr) in by_fr for e in entries):
        return
    first = entries[0]
    label = first.segment_id or repr(first.fr[:40])
    raise PipelineError(
        f"{path}:{first.line}: none of its {len(entries)} entries (the first: {label}) is a "
        f"segment of the outputs in {out_dir}: a file from another corpus? nothing imported "
        "(give --out the outputs it was written from)"
    )


def _classify(
    entry: ReviewEntry,
    path: Path,
    by_id: dict[str, dict],
    by_fr: dict[str, list[dict]],
    memory: TranslationMemory,
    result: ImportResult,
    own: set[str],
) -> Review | None:
    """The review an entry makes, or None (fuzzy, empty, or the machine's own text)."""
    fr, en = normalise(entry.fr), entry.en.strip()
    where = f"{path}:{entry.line}"
    segment = by_id.get(entry.segment_id)
    matched = segment is not None and normalise(segment["fr"]) == fr
    segment_id = entry.segment_id
    if not matched and not entry.segment_id and fr in by_fr:
        # a TMX unit without tuid (CAT tools drop them): matched by its French alone, and
        # stored for that segment, so it supersedes the segment's earlier review
        matched, segment = True, by_fr[fr][0]
        segment_id = segment["id"]
    machine = memory.machine_translations(fr)
    machine_origins = ("engine", "memory", "tm")  # tm: an imported TMX, not a review
    if matched and segment.get("origin") in machine_origins and segment["id"] not in own:
        machine.add(segment.get("en", "").strip())
    if not en:
        return None
    # The machine's own text is never an edit, even where a review exists: a file
    # written before the review (an older .tmx) must not undo it. It is an approval only
    # when the file says so (a PO un-fuzzied, a JSONL marked approved) and the segment
    # has no review yet.
    if not machine and not entry.claimed and path.suffix.lower() == ".jsonl":
        # a record of the outputs that says it is the machine's (origin engine or memory),
        # and a memory that knows no machine text to tell an edit from: machine text
        machine.add(en)
    if en in machine:
        if entry.approvable and not entry.fuzzy and memory.lookup_review(fr, segment_id) is None:
            return Review(
                fr=fr,
                en=en,
                segment_id=segment_id,
                source=str(path),
                kind="approved",
                created=entry.created if entry.claimed else "",
            )
        result.same_as_machine += 1
        if not matched:
            result.unmatched += 1
        return None
    if entry.fuzzy:
        suggestion = (segment or {}).get("suggestion") if matched else None
        if isinstance(suggestion, dict) and suggestion.get("en", "").strip() == en:
            result.suggested += 1  # the PO's msgstr of a fuzzy match, as the run wrote it
        else:
            result.fuzzy += 1
        return None
    if not matched:
        result.unmatched += 1
        label = entry.segment_id or "(no id)"
        if not by_id:
            pass  # one notice for the whole file says so
        elif fr in by_fr:
            elsewhere = ", ".join(r["id"] for r in by_fr[fr][:3])
            result.notices.append(
                f"{where}: {label}: segment id does not match its French; the French is "
                f"now at {elsewhere}: the review applies there"
            )
        else:
            why = (
                "the segment's French changed since the file was written"
                if entry.segment_id in by_id
                else "no such segment"
            )
            result.notices.append(
                f"{where}: {label}: {why}; the French is no longer in the corpus; review "
                "kept in the memory for its French text"
            )
    kind = "approved" if entry.claimed == "approved" else "edit"
    return Review(
        fr=fr,
        en=en,
        segment_id=segment_id,
        source=str(path),
        kind=kind,
        created=entry.created if entry.claimed or path.suffix.lower() == ".tmx" else "",
    )


# --- status -----------------------------------------------------------------------


@dataclass
class DocumentStatus:
    """Where one document's review stands (`review status`, the web review's index)."""

    doc: str
    segments: int = 0  # every segment, English lines included
    machine: int = 0  # from the engine (this run or the memory), not reviewed
    reviewed: int = 0  # a person's English stands: edits and approvals
    approved: int = 0  # of which approvals (the machine's text, accepted)
    remaining: int = 0  # French segments no person has reviewed yet
    waiting: int = 0  # a review is in the memory, not yet in the outputs (run again)
    flagged: int = 0  # segments with a finding from the checks
    findings: dict[str, int] = field(default_factory=lambda: {"error": 0, "warning": 0, "info": 0})


STATUS_COLUMNS = ("segments", "reviewed", "approved", "remaining", "waiting", "flagged")


@dataclass
class ReviewStatus:
    out_dir: Path
    memory_path: Path
    documents: list[DocumentStatus]
    memory_counts: dict[str, int]
    unmatched_reviews: int  # reviewed French texts that no current segment carries

    def table(self) -> str:
        header = ("document", *STATUS_COLUMNS)
        rows = [(d.doc, *(getattr(d, c) for c in STATUS_COLUMNS)) for d in self.documents]
        totals = ("total", *(sum(r[i] for r in rows) for i in range(1, len(header))))
        width = max(len(str(r[0])) for r in [header, *rows, totals])
        lines = []
        for row in [header, *rows, totals]:
            lines.append(f"{row[0]:<{width}}" + "".join(f"{v:>10}" for v in row[1:]))
        counts = self.memory_counts
        lines.append(
            f"memory {self.memory_path}: {counts['translations']} engine translations, "
            f"{counts['reviewed_texts']} reviewed texts ({counts['reviews']} reviews), "
            f"{self.unmatched_reviews} reviewed texts match no current segment"
        )
        if any(d.waiting for d in self.documents):
            lines.append(
                "waiting: reviews imported after the last run; 'pipeline run' applies them"
            )
        return "\n".join(lines)


def documents_status(
    records: list[dict], memory: TranslationMemory | None = None
) -> dict[str, DocumentStatus]:
    """Per document, from its segment records (and the memory, for the waiting reviews)."""
    documents: dict[str, DocumentStatus] = {}
    for r in records:
        doc = r.get("doc") or r["id"].split(":")[0]
        status = documents.setdefault(doc, DocumentStatus(doc))
        status.segments += 1
        origin = r.get("origin", "")
        status.machine += origin in ("engine", "memory")
        status.reviewed += origin in REVIEWED_ORIGINS
        status.approved += origin == "approved"
        status.remaining += r.get("lang", "fr") == "fr" and origin not in REVIEWED_ORIGINS
        findings = r.get("findings") or []
        status.flagged += bool(findings)
        for f in findings:
            severity = f.get("severity", "info") if isinstance(f, dict) else "info"
            status.findings[severity] = status.findings.get(severity, 0) + 1
        if memory is not None and origin in ("engine", "memory", "tm", *REVIEWED_ORIGINS):
            review = memory.lookup_review(r["fr"], r["id"])
            status.waiting += review is not None and review.en != r.get("en")
    return documents


def review_status(out_dir: Path, memory_path: Path) -> ReviewStatus:
    """Per document counts; the memory is only read (it may be in a read-only folder)."""
    out_dir = Path(out_dir)
    records = current_segments(out_dir) if out_dir.is_dir() else []
    if not records:
        raise PipelineError(f"no outputs in {out_dir}: run 'pipeline run' first")
    memory = TranslationMemory(memory_path, readonly=True) if Path(memory_path).exists() else None
    try:
        documents = documents_status(records, memory)
        if memory is not None:
            counts = memory.counts()
            current = {normalise(r["fr"]) for r in records}
            reviewed = Counter(review.fr for review in memory.reviews())
            unmatched = sum(1 for fr in reviewed if fr not in current)
        else:
            counts = {"translations": 0, "reviews": 0, "reviewed_texts": 0}
            unmatched = 0
    finally:
        if memory is not None:
            memory.close()
    return ReviewStatus(out_dir, Path(memory_path), list(documents.values()), counts, unmatched)


# The review store's entry points (pipeline/review/store.py), for callers of this package
# (the web review): one path for every review.
from pipeline.review.store import (  # noqa: E402
    Conflict,
    SaveOutcome,
    document_counts,
    document_segments,
    save_review,
    segment_history,
)

__all__ = [
    "Conflict",
    "ImportResult",
    "ReviewEntry",
    "SaveOutcome",
    "document_counts",
    "document_segments",
    "import_reviews",
    "review_status",
    "save_review",
    "segment_history",
]
