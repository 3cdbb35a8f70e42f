"""The review store as the web app sees it: the one module of `review/serve` that reads
the run's outputs and the memory, and saves a reviewer's work.

Everything the server shows or saves goes through `Workspace`, so the store behind it
(today the outputs' `.jsonl` files and the memory's reviews) is swapped in one place.
A save goes through the review import path (`pipeline.review`), never a path of its own.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import fileio
from pipeline.errors import PipelineError

# A document name as `pipeline run` writes it: a file stem, no folder, no dot-dot.
DOC_NAME = re.compile(r"[\w][\w.\- ]{0,200}")
KINDS = ("edit", "approved")


def version_of(record: dict) -> str:
    """The version a reviewer edits: it changes whenever the segment's English or origin
    does, so a save made over an older one is detected."""
    key = json.dumps([record.get("en", ""), record.get("origin", "")], ensure_ascii=False)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


@dataclass
class SaveResult:
    """What a save did: the segment as it now stands, or the conflict that refused it."""

    saved: bool
    segment: dict
    conflict: dict | None = None
    rewritten: list[str] = field(default_factory=list)


class Workspace:
    """The outputs folder of a run, its memory and glossary, and the reviewer's name."""

    def __init__(
        self, out_dir: Path, memory_path: Path, glossary_path: Path, reviewer: str = ""
    ) -> None:
        self.out_dir = Path(out_dir).resolve()
        self.memory_path = Path(memory_path)
        self.glossary_path = Path(glossary_path)
        self.reviewer = reviewer
        # One save at a time per server: a save reads, checks the version, then writes.
        self.lock = threading.Lock()

    # --- reading -------------------------------------------------------------------

    def names(self) -> list[str]:
        if not self.out_dir.is_dir():
            return []
        return sorted(p.name[: -len(".jsonl")] for p in self.out_dir.glob("*.jsonl"))

    def jsonl_path(self, name: str) -> Path:
        """The document's `.jsonl`, for a name of the run only: a name from a request never
        reaches a path outside the output folder."""
        if not DOC_NAME.fullmatch(name) or name not in self.names():
            raise KeyError(name)
        path = (self.out_dir / f"{name}.jsonl").resolve()
        if path.parent != self.out_dir:
            raise KeyError(name)
        return path

    def output_file(self, filename: str) -> Path:
        """A file the run wrote (`<doc>.html`, `.po`, ..., `report.md`), or KeyError."""
        allowed = {"report.md", "report.json", "index.html"}
        for name in self.names():
            allowed.update(f"{name}{suffix}" for suffix in OUTPUT_SUFFIXES)
        if filename not in allowed:
            raise KeyError(filename)
        path = (self.out_dir / filename).resolve()
        if path.parent != self.out_dir or not path.is_file():
            raise KeyError(filename)
        return path

    def records(self, name: str) -> list[dict]:
        path = self.jsonl_path(name)
        records = []
        for number, line in enumerate(fileio.read_utf8(path).split("\n"), start=1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as err:
                    raise PipelineError(f"{path}:{number}: not JSON: {err.msg}") from err
        return records

    def document(self, name: str) -> dict:
        """The document for the page: its segments as the reviewer sees them."""
        records = self.records(name)
        glossary = self.glossary_entries()
        reviews = self._reviews_for(records)
        segments = [self.view(r, reviews.get(r["id"]), glossary) for r in records]
        self._add_suggestions(segments)
        return {"name": name, "segments": segments, "counts": counts(segments)}

    def view(self, record: dict, review=None, glossary: dict | None = None) -> dict:
        """One segment as the page shows it (plain JSON; the page escapes every text)."""
        origin = record.get("origin") or ""
        reviewer = ""
        en = record.get("en", "")
        if review is not None:
            kind, reviewer = _kind_and_reviewer(review.source)
            if review.en != en:
                # a save the outputs do not show yet (a run was writing them): the memory wins
                en, origin = review.en, "review"
            if origin == "review" and kind == "approved":
                origin = "approved"
        shown = dict(record, en=en, origin=origin)
        glossary = glossary or {}
        return {
            "id": record["id"],
            "fr": record.get("fr", ""),
            "en": en,
            "lang": record.get("lang", "fr"),
            "origin": origin,
            "engine": record.get("engine", ""),
            "reviewer": reviewer,
            "version": version_of(shown),
            "terms": [
                dict(t, entry=glossary.get(t.get("source"), {})) for t in record.get("terms") or []
            ],
            "findings": record.get("findings") or [],
            "suggestion": record.get("suggestion"),
        }

    def summaries(self) -> list[dict]:
        """Per document: segments, reviewed, approved, remaining, findings by severity."""
        out = []
        for name in self.names():
            try:
                records = self.records(name)
            except PipelineError:
                continue
            reviews = self._reviews_for(records)
            segments = [self.view(r, reviews.get(r["id"])) for r in records]
            out.append({"name": name, **counts(segments)})
        return out

    def glossary_entries(self) -> dict[str, dict]:
        """The glossary's entries by source, for the terms' hover notes."""
        from pipeline import glossary

        if not self.glossary_path.is_file():
            return {}
        try:
            terms, _ = glossary.read_glossary(self.glossary_path)
        except PipelineError:
            return {}
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

    # --- saving --------------------------------------------------------------------

    def save(self, name: str, segment_id: str, en: str, kind: str, base_version: str) -> SaveResult:
        """Store the reviewer's English (or approval) of one segment, if `base_version`
        is still the segment's version; otherwise refuse it with both texts."""
        if kind not in KINDS:
            raise ValueError(f"kind is one of {', '.join(KINDS)}")
        with self.lock:
            records = self.records(name)
            reviews = self._reviews_for(records)
            record = next((r for r in records if r["id"] == segment_id), None)
            if record is None:
                raise KeyError(segment_id)
            current = self.view(record, reviews.get(segment_id), self.glossary_entries())
            if current["lang"] != "fr":
                raise ValueError("an English line of the source is not translated")
            if base_version != current["version"]:
                return SaveResult(
                    saved=False,
                    segment=current,
                    conflict={
                        "yours": en,
                        "theirs": current["en"],
                        "theirs_by": current["reviewer"],
                    },
                )
            text = current["en"] if kind == "approved" else en.strip()
            if not text:
                raise ValueError("an empty translation is not a review")
            rewritten = _store_review(self, name, record, text, kind)
            records = self.records(name)
            record = next(r for r in records if r["id"] == segment_id)
            reviews = self._reviews_for([record])
            segment = self.view(record, reviews.get(segment_id), self.glossary_entries())
            return SaveResult(saved=True, segment=segment, rewritten=rewritten)

    # --- the glossary ---------------------------------------------------------------

    def add_term(self, fields: dict) -> dict:
        """Add a term through `pipeline glossary add`'s validation; return it and the
        segments of the run whose French holds it (they change at the next run)."""
        from pipeline import glossary
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
        with self.lock:
            add_term(self.glossary_path, term)
        affected = []
        for name in self.names():
            for record in self.records(name):
                if record.get("lang", "fr") == "fr" and glossary.find_terms(record["fr"], [term]):
                    affected.append(record["id"])
        return {"term": term.source, "target": term.target, "affected": affected}

    # --- the store behind (the one place to switch) ---------------------------------

    def _reviews_for(self, records: list[dict]) -> dict:
        """The memory's current review of each segment, by id."""
        from pipeline.memory import TranslationMemory

        if not self.memory_path.is_file():
            return {}
        found = {}
        with TranslationMemory(self.memory_path) as memory:
            with memory.transaction(immediate=False):
                for r in records:
                    if r.get("lang", "fr") != "fr":
                        continue
                    review = memory.lookup_review(r["fr"], r["id"])
                    if review is not None:
                        found[r["id"]] = review
        return found

    def _add_suggestions(self, segments: list[dict]) -> None:
        """A close match from the memory's reviews for each segment not reviewed yet."""
        from difflib import SequenceMatcher

        from pipeline.memory import TranslationMemory, normalise

        if not self.memory_path.is_file():
            return
        with TranslationMemory(self.memory_path) as memory:
            reviewed = {r.fr: r.en for r in memory.reviews()}
        if not reviewed:
            return
        for s in segments:
            if s.get("suggestion") or s["origin"] in ("review", "approved") or s["lang"] != "fr":
                continue
            fr = normalise(s["fr"])
            best = (0.0, "", "")
            for other, en in reviewed.items():
                if other == fr:
                    continue
                matcher = SequenceMatcher(None, fr, other, autojunk=False)
                if matcher.real_quick_ratio() < 0.7 or matcher.quick_ratio() < 0.7:
                    continue
                score = matcher.ratio()
                if score > best[0]:
                    best = (score, other, en)
            if best[0] >= 0.7:
                s["suggestion"] = {"en": best[2], "fr": best[1], "score": round(best[0] * 100)}


OUTPUT_SUFFIXES = (".jsonl", ".po", ".tmx", ".html", ".en.md", ".xlf", ".en.docx")


def counts(segments: list[dict]) -> dict:
    """reviewed / approved / remaining of the French segments, and findings by severity."""
    french = [s for s in segments if s.get("lang", "fr") == "fr"]
    reviewed = sum(s["origin"] == "review" for s in french)
    approved = sum(s["origin"] == "approved" for s in french)
    findings = {"error": 0, "warning": 0, "info": 0}
    for s in segments:
        for f in s.get("findings") or []:
            findings[f.get("severity", "info")] = findings.get(f.get("severity", "info"), 0) + 1
    return {
        "segments": len(segments),
        "french": len(french),
        "reviewed": reviewed,
        "approved": approved,
        "remaining": len(french) - reviewed - approved,
        "findings": findings,
    }


SOURCE_PREFIX = "browser"


def _kind_and_reviewer(source: str) -> tuple[str, str]:
    """A review's kind and reviewer, from the source the browser saves it with."""
    parts = (source or "").split(" ", 2)
    if len(parts) >= 2 and parts[0] == SOURCE_PREFIX:
        return parts[1], parts[2] if len(parts) > 2 else ""
    return "edit", ""


def _store_review(workspace: Workspace, name: str, record: dict, en: str, kind: str) -> list[str]:
    """Store one review in the memory (the import path's store) and rewrite the
    document's outputs with it, the segment's checks run again."""
    from pipeline import check, export, glossary
    from pipeline.memory import Review, TranslationMemory

    source = f"{SOURCE_PREFIX} {kind} {workspace.reviewer}".rstrip()
    with TranslationMemory(workspace.memory_path) as memory:
        memory.add_reviews([Review(fr=record["fr"], en=en, segment_id=record["id"], source=source)])
    path = workspace.jsonl_path(name)
    segments = export.read_jsonl(path)
    doc = export.jsonl_document(path)
    terms = (
        glossary.load_glossary(workspace.glossary_path) if workspace.glossary_path.is_file() else []
    )
    for s in segments:
        if s.id == record["id"]:
            s.en, s.engine, s.origin = en, "", "review"
            s.terms = glossary.find_terms(s.fr, terms)
            for hit in s.terms:
                hit.ok = glossary.hit_honoured(s.en, hit)
            check.run_checks([s], terms, only=list(check.SEGMENT_CHECKS))
    return [str(p) for p in export.write_document(workspace.out_dir, doc, segments)]
