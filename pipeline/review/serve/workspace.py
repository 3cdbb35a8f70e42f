"""The review store as the web app sees it: the one module of `review/serve` that reads
the run's outputs and the memory, and saves a reviewer's work.

Everything the server shows or saves goes through `Workspace`, which asks the review
store (`pipeline.review.store`), the one path every review takes: a save is
`store.save_review_now` (in-place edits imported, the version checked and the review
stored in one transaction, attributed, history kept, the segment's checks run again),
and a moment after a document's last save `store.rewrite_current` writes its outputs and
the report again, atomically, in a background thread (debounced: a 2,000-segment
document takes seconds to check and write, a save must not). A save is never lost in
between: it is in the memory, which every run, check and rewrite applies, and the server
writes what is pending when it stops, and at start for reviews the outputs lack.
"""

from __future__ import annotations

import re
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import PipelineError

# A document name as `pipeline run` writes it: a file stem, no folder, no dot-dot.
DOC_NAME = re.compile(r"\w[\w.\- ]{0,200}")
KINDS = ("edit", "approved")
OUTPUT_SUFFIXES = (".jsonl", ".po", ".tmx", ".xlf", ".html", ".en.md", ".en.docx")
REPORTS = ("report.md", "report.json", "index.html")


@dataclass
class SaveResult:
    """What a save did: the segment as it now stands, or the conflict that refused it."""

    saved: bool
    segment: dict
    conflict: dict | None = None
    notices: list[str] = field(default_factory=list)


class Workspace:
    """The outputs folder of a run, its memory, glossary and corpus, and the reviewer."""

    def __init__(
        self,
        out_dir: Path,
        memory_path: Path,
        glossary_path: Path,
        reviewer: str = "",
        corpus_dir: Path | None = None,
    ) -> None:
        self.out_dir = Path(out_dir).resolve()
        self.memory_path = Path(memory_path)
        self.glossary_path = Path(glossary_path)
        self.corpus_dir = Path(corpus_dir) if corpus_dir is not None else None
        self.reviewer = reviewer
        # One save at a time from this server (the store's transaction guards the rest:
        # another server, an import, a run).
        self.lock = threading.Lock()
        self.rewriter = Rewriter(self)
        self._terms: tuple[float, list] | None = None
        self._normalised: dict[str, str] = {}  # French → the memory's form of it
        self._records: dict[str, tuple[tuple, list[dict]]] = {}  # by document, per file state

    # --- names and files: nothing from a request reaches outside the output folder ---

    def names(self) -> list[str]:
        if not self.out_dir.is_dir():
            return []
        return sorted(p.name[: -len(".jsonl")] for p in self.out_dir.glob("*.jsonl"))

    def check_name(self, name: str) -> str:
        if not DOC_NAME.fullmatch(name) or name not in self.names():
            raise KeyError(name)
        return name

    def output_file(self, filename: str) -> Path:
        """A file the run wrote (`<doc>.html`, `.po`, ..., `report.md`), or KeyError."""
        allowed = set(REPORTS)
        for name in self.names():
            allowed.update(f"{name}{suffix}" for suffix in OUTPUT_SUFFIXES)
        if filename not in allowed:
            raise KeyError(filename)
        path = (self.out_dir / filename).resolve()
        if path.parent != self.out_dir or not path.is_file():
            raise KeyError(filename)
        return path

    # --- reading -------------------------------------------------------------------

    def records(self, name: str) -> list[dict]:
        """The document's segment records, as its `.jsonl` holds them."""
        import json

        from pipeline import fileio
        from pipeline.review import store

        path = store.jsonl_path(self.out_dir, self.check_name(name))
        stat = path.stat()
        key = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        cached = self._records.get(name)
        if cached is not None and cached[0] == key:
            return [dict(r) for r in cached[1]]  # the file is replaced whole: a new inode
        records = []
        for number, line in enumerate(fileio.read_utf8(path).split("\n"), start=1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as err:
                    raise PipelineError(f"{path}:{number}: not JSON: {err.msg}") from err
        self._records[name] = (key, records)
        return [dict(r) for r in records]

    def _cached_record(self, name: str, segment_id: str) -> dict | None:
        """The segment's record from the parsed file, if the file has not changed since."""
        from pipeline.review import store

        cached = self._records.get(name)
        if cached is None:
            return None
        stat = store.jsonl_path(self.out_dir, name).stat()
        if cached[0] != (stat.st_mtime_ns, stat.st_size, stat.st_ino):
            return None
        return next((dict(r) for r in cached[1] if r["id"] == segment_id), None)

    def document(self, name: str) -> dict:
        """The document for the page: its segments as the reviewer sees them."""
        records = self.records(name)
        glossary = self.glossary_entries()
        current = self._current_reviews(records)
        segments = [self.view(r, current.get(r["id"])) for r in records]
        if any(s["waiting"] for s in segments) and name not in self.rewriter.pending():
            # a save the outputs lack (a run wrote them over it): write them again
            self.rewriter.schedule(name)
        used = {t["source"] for s in segments for t in s["terms"]}
        entries = {source: glossary[source] for source in sorted(used) if source in glossary}
        return {"name": name, "segments": segments, "glossary": entries, "counts": counts(segments)}

    def view(self, record: dict, review=None) -> dict:
        """One segment as the page shows it (plain JSON; the page escapes every text).

        A review the memory holds but the outputs do not show yet (saved while a run was
        writing them) is shown, with its version: the page never edits an older one."""
        en, origin = record.get("en", ""), record.get("origin") or ""
        version = record.get("version") or 0
        reviewer = record.get("reviewer") or ""
        reviewed_at = record.get("reviewed_at") or ""
        suggestion = record.get("suggestion")
        waiting = False
        if review is not None and review.id != version:
            en, origin, version = review.en, review.origin, review.id
            reviewer, reviewed_at, suggestion, waiting = review.reviewer, review.created, None, True
        return {
            "id": record["id"],
            "fr": record.get("fr", ""),
            "en": en,
            "lang": record.get("lang", "fr"),
            "origin": origin,
            "engine": record.get("engine", ""),
            "reviewer": reviewer,
            "reviewed_at": reviewed_at,
            "version": version,
            "waiting": waiting,
            "terms": record.get("terms") or [],
            "findings": record.get("findings") or [],
            "suggestion": suggestion,
        }

    def summaries(self) -> list[dict]:
        """Per document: segments, reviewed, approved, remaining, findings by severity."""
        from pipeline.review import store

        memory = self.memory_path if self.memory_path.is_file() else None
        out = []
        for status in store.document_counts(self.out_dir, memory):
            out.append(
                {
                    "name": status.doc,
                    "segments": status.segments,
                    "french": status.reviewed + status.remaining,
                    "reviewed": status.reviewed - status.approved,  # edits
                    "approved": status.approved,
                    "remaining": status.remaining,
                    "waiting": status.waiting,
                    "flagged": status.flagged,
                    "findings": status.findings,
                }
            )
        return out

    def history(self, segment_id: str) -> list[dict]:
        from pipeline.review import store

        self.check_name(segment_id.rsplit(":", 2)[0])
        if not self.memory_path.is_file():
            return []
        return [
            {
                "version": r.id,
                "en": r.en,
                "kind": r.kind,
                "reviewer": r.reviewer,
                "at": r.created,
                "source": r.source,
            }
            for r in store.segment_history(self.out_dir, self.memory_path, segment_id)
        ]

    def glossary_entries(self) -> dict[str, dict]:
        """The glossary's entries by source, for the terms' hover notes."""
        try:
            terms = self.terms()
        except PipelineError:
            return {}  # a glossary being fixed: the terms show without their entries
        return {
            t.source: {
                "source": t.source,
                "target": t.target,
                "kind": t.kind,
                "variants": t.variants,
                "forbidden": t.forbidden,
                "note": t.note,
            }
            for t in terms
        }

    # --- saving: the review store's one path ------------------------------------------

    def save(self, name: str, segment_id: str, en: str, kind: str, base_version) -> SaveResult:
        """Store the reviewer's English (or approval) of one segment, if `base_version`
        is still the segment's version; otherwise refuse it with both texts."""
        from pipeline.review import store

        if kind not in KINDS:
            raise ValueError(f"kind is one of {', '.join(KINDS)}")
        if segment_id.rsplit(":", 2)[0] != self.check_name(name):
            raise KeyError(segment_id)
        try:
            base = int(base_version)
        except (TypeError, ValueError):
            raise ValueError("base_version: the version the page showed (a number)") from None
        with self.lock:
            # while the rewriter writes this document's outputs they are its own, not a
            # person's edits: importing them then could bring back an older review
            import_edits = self.rewriter.writing != name
            record = self._cached_record(name, segment_id)
            outcome = store.save_review_now(
                self.out_dir,
                self.memory_path,
                segment_id,
                None if kind == "approved" else en,
                kind=kind,
                reviewer=self.reviewer or None,
                base_version=base,
                terms=self.terms(),
                source="browser",
                import_edits=import_edits,
                record=record,
            )
        if outcome.saved:
            self.rewriter.schedule(name)
        record = outcome.segment  # with the review applied, unless refused
        current = self._current_reviews([record]) if outcome.conflict else {}
        segment = self.view(record, current.get(segment_id))
        conflict = None
        if outcome.conflict is not None:
            c = outcome.conflict
            conflict = {
                "yours": en if kind == "edit" else c.refused_en,
                "theirs": c.current_en,
                "theirs_by": c.current_reviewer,
                "theirs_at": c.current_at,
                "theirs_kind": c.current_kind,
            }
        return SaveResult(
            saved=conflict is None, segment=segment, conflict=conflict, notices=outcome.notices
        )

    def rewrite(self, name: str) -> list[Path]:
        """The document's outputs and the report, written again with every review."""
        from pipeline.review import store

        glossary_path = self.glossary_path if self.glossary_path.is_file() else None
        return store.rewrite_current(
            self.out_dir,
            self.memory_path,
            self.check_name(name),
            glossary_path,
            self.corpus_dir,
            self.reviewer or None,
        )

    def rewrite_waiting(self) -> list[str]:
        """Schedule a rewrite of each document whose outputs lack a review of the memory
        (a server killed before it wrote them); return their names."""
        waiting = [d["name"] for d in self.summaries() if d["waiting"]]
        for name in waiting:
            self.rewriter.schedule(name, delay=0)
        return waiting

    def terms(self) -> list:
        """The glossary's terms, read again when the file changes."""
        from pipeline import glossary

        if not self.glossary_path.is_file():
            return []
        mtime = self.glossary_path.stat().st_mtime_ns
        if self._terms is None or self._terms[0] != mtime:
            self._terms = (mtime, glossary.load_glossary(self.glossary_path))
        return self._terms[1]

    # --- the glossary ---------------------------------------------------------------

    def add_term(self, fields: dict) -> dict:
        """Add a term through `pipeline glossary add`'s validation; return it and the
        segments of the run whose French holds it (they change at the next run)."""
        from pipeline import glossary
        from pipeline.glossary.edit import KINDS as TERM_KINDS
        from pipeline.glossary.edit import add_term

        def texts(key: str) -> list[str]:
            value = fields.get(key) or []
            if isinstance(value, str):
                value = value.split(";")
            return [str(v).strip() for v in value if str(v).strip()]

        term = glossary.Term(
            str(fields.get("source") or "").strip(),
            str(fields.get("target") or "").strip(),
            variants=texts("variants"),
            forbidden=texts("forbidden"),
            kind=str(fields.get("kind") or "").strip(),
            case_sensitive=bool(fields.get("case_sensitive")),
            note=str(fields.get("note") or "").strip(),
        )
        if not term.source or not term.target:
            raise PipelineError("a term needs its French (source) and its English (target)")
        if term.kind and term.kind not in TERM_KINDS:
            raise PipelineError(f"unknown kind {term.kind!r} (one of {', '.join(TERM_KINDS)})")
        with self.lock:
            add_term(self.glossary_path, term)
        affected = []
        for name in self.names():
            for record in self.records(name):
                if record.get("lang", "fr") == "fr" and glossary.find_terms(record["fr"], [term]):
                    affected.append(record["id"])
        return {"term": term.source, "target": term.target, "affected": affected}

    # --- the memory -------------------------------------------------------------------

    def _current_reviews(self, records: list[dict]) -> dict:
        """The memory's current review of each French segment that has one, by id."""
        from pipeline.memory import TranslationMemory, normalise

        if not self.memory_path.is_file():
            return {}
        found = {}
        with TranslationMemory(self.memory_path, readonly=True) as memory:
            with memory.transaction(immediate=False):
                reviewed = {fr for (fr,) in memory.db.execute("SELECT DISTINCT fr FROM reviews")}
                for r in records:
                    if r.get("lang", "fr") != "fr":
                        continue
                    fr = self._normalised.get(r["fr"])
                    if fr is None:
                        fr = self._normalised[r["fr"]] = normalise(r["fr"])
                    if fr in reviewed:
                        review = memory.lookup_review(fr, r["id"])
                        if review is not None:
                            found[r["id"]] = review
        return found


def counts(segments: list[dict]) -> dict:
    """reviewed / approved / remaining of the French segments, and findings by severity."""
    french = [s for s in segments if s.get("lang", "fr") == "fr"]
    reviewed = sum(s["origin"] == "review" for s in french)
    approved = sum(s["origin"] == "approved" for s in french)
    findings = {"error": 0, "warning": 0, "info": 0}
    for s in segments:
        for f in s.get("findings") or []:
            severity = f.get("severity", "info")
            findings[severity] = findings.get(severity, 0) + 1
    return {
        "segments": len(segments),
        "french": len(french),
        "reviewed": reviewed,
        "approved": approved,
        "remaining": len(french) - reviewed - approved,
        "findings": findings,
    }


class Rewriter:
    """Writes a document's outputs again `delay` seconds after its last save, one document
    at a time, in a background thread; `flush()` writes whatever is pending (at stop)."""

    def __init__(self, workspace: Workspace, delay: float = 1.0) -> None:
        self.workspace = workspace
        self.delay = delay
        self.due: dict[str, float] = {}
        self.condition = threading.Condition()
        self.thread: threading.Thread | None = None
        self.busy = False
        self.writing: str | None = None  # the document whose outputs are being written
        self.errors: list[str] = []

    def schedule(self, name: str, delay: float | None = None) -> None:
        with self.condition:
            self.due[name] = time.monotonic() + (self.delay if delay is None else delay)
            if self.thread is None:
                self.thread = threading.Thread(target=self._loop, name="rewriter", daemon=True)
                self.thread.start()
            self.condition.notify()

    def pending(self) -> list[str]:
        with self.condition:
            return sorted(self.due)

    def _next(self) -> str:
        with self.condition:
            while True:
                if self.due:
                    name, when = min(self.due.items(), key=lambda item: item[1])
                    wait = when - time.monotonic()
                    if wait <= 0:
                        del self.due[name]
                        self.busy = True
                        return name
                    self.condition.wait(wait)
                else:
                    self.condition.wait()

    def _loop(self) -> None:
        while True:
            name = self._next()
            self._write(name)

    def _write(self, name: str) -> None:
        with self.workspace.lock:  # a save under way finishes first (see Workspace.save)
            self.writing = name
        try:
            self.workspace.rewrite(name)
        except Exception as err:  # noqa: BLE001 (the thread must live on; said, not lost)
            # kept in the memory; the next save, run or check writes it
            message = f"warning: could not rewrite the outputs of {name}: {err}"
            self.errors.append(message)
            print(message, file=sys.stderr)
        finally:
            self.writing = None
            with self.condition:
                self.busy = False
                self.condition.notify_all()

    def wait_idle(self, timeout: float = 60) -> bool:
        """Wait until nothing is due or being written (for tests and benchmarks)."""
        end = time.monotonic() + timeout
        with self.condition:
            while self.due or self.busy:
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self.condition.wait(min(left, 0.1))
        return True

    def flush(self) -> list[str]:
        """Write every pending document now (the server is stopping); return their names."""
        with self.condition:
            while self.busy:
                self.condition.wait(0.1)
            names, self.due = sorted(self.due), {}
        for name in names:
            self._write(name)
        return names
