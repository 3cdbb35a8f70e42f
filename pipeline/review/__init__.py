"""The review round trip: reviewers' corrections from PO and TMX files into the memory.

A run writes `<doc>.po` (msgctxt = segment id, msgid = French, msgstr = English) and
`<doc>.tmx` (`<tu tuid="id">`, French and English `<tuv>`). A reviewer edits them; an
entry is a review when it is not fuzzy and its English differs from the machine's (or
from an earlier review). Entries are matched to the current segments (the `.jsonl` of
the last run) by segment id and French text. Every review is stored by its French text,
even one that no longer matches the corpus, and such an entry is reported.
"""

from __future__ import annotations

import json
import re
import xml.sax
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import fileio
from pipeline.errors import PipelineError
from pipeline.memory import Review, TranslationMemory, normalise


@dataclass
class ReviewEntry:
    """One French/English pair read from a reviewed file."""

    fr: str
    en: str
    segment_id: str
    line: int
    fuzzy: bool = False


# --- reading PO -------------------------------------------------------------------

_PO_STRING = r'"(?:[^"\\]|\\.)*"'
_PO_LINE = re.compile(
    rf"\s*(?:$|#.*|(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+{_PO_STRING}\s*$"
    rf"|{_PO_STRING}\s*$)"
)
_POLIB_LINE = re.compile(r"\(line (\d+)\)")


def po_lines(text: str) -> list[str]:
    """The lines as polib reads them: only \n, \r\n and \r end a line (a reviewer's
    U+2028 inside a msgstr does not)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def check_po_syntax(text: str, path: Path) -> None:
    """Refuse a line that is not PO; polib lets some through (an unterminated string)."""
    for number, line in enumerate(po_lines(text), start=1):
        if not _PO_LINE.fullmatch(line):
            shown = line.strip()
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            raise PipelineError(f"{path}:{number}: not a PO line: {shown}")


def _language_line(text: str) -> int:
    for number, line in enumerate(po_lines(text), start=1):
        if line.startswith('"Language:'):
            return number
    return 1


def read_po(path: Path) -> list[ReviewEntry]:
    import polib

    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise PipelineError(f"{path}: cannot read: {err.strerror}") from err
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    check_po_syntax(text, path)
    try:
        po = polib.pofile(str(path), wrapwidth=0)
    except (OSError, ValueError, UnicodeDecodeError) as err:
        match = _POLIB_LINE.search(str(err))
        where = f"{path}:{match.group(1)}" if match else str(path)
        raise PipelineError(f"{where}: not a valid PO file: {err}") from err
    language = (po.metadata.get("Language") or "").strip()
    if language and _primary(language) != "en":
        raise PipelineError(
            f"{path}:{_language_line(text)}: the translations are in {language!r}, "
            "expected English (Language: en)"
        )
    entries = []
    for entry in po:
        if entry.obsolete or not entry.msgid or entry.msgid_plural:
            continue
        entries.append(
            ReviewEntry(
                fr=entry.msgid,
                en=entry.msgstr,
                segment_id=entry.msgctxt or "",
                line=entry.linenum,
                fuzzy="fuzzy" in entry.flags,
            )
        )
    return entries


# --- reading TMX ------------------------------------------------------------------

# Inline elements whose content is native markup, not text (TMX 1.4, section 3.7).
_TMX_CODE = frozenset({"bpt", "ept", "it", "ph", "ut"})


def _primary(language: str) -> str:
    """The primary subtag of a language code: fr-FR → fr, EN_us → en."""
    return re.split(r"[-_]", language.strip())[0].casefold()


class _TmxHandler(xml.sax.handler.ContentHandler):
    def __init__(self, path: Path):
        super().__init__()
        self.path = path
        self.locator: xml.sax.xmlreader.Locator | None = None
        self.entries: list[ReviewEntry] = []
        self.depth = 0
        self.tu: tuple[str, int] | None = None  # (tuid, line)
        self.variants: dict[str, str] = {}
        self.language = ""
        self.seg: list[str] | None = None
        self.code_depth = 0

    def setDocumentLocator(self, locator):  # noqa: N802 (SAX's name)
        self.locator = locator

    def line(self) -> int:
        return self.locator.getLineNumber() if self.locator else 0

    def startElement(self, name, attrs):  # noqa: N802
        self.depth += 1
        if self.depth == 1 and name != "tmx":
            raise PipelineError(f"{self.path}:{self.line()}: not a TMX file (root <{name}>)")
        if name == "tu":
            self.tu = (attrs.get("tuid", ""), self.line())
            self.variants = {}
        elif name == "tuv" and self.tu is not None:
            language = attrs.get("xml:lang") or attrs.get("lang") or ""
            if _primary(language) not in ("fr", "en"):
                raise PipelineError(
                    f"{self.path}:{self.line()}: language {language!r} in a French→English "
                    "TMX; expected fr and en"
                )
            self.language = _primary(language)
        elif name == "seg" and self.tu is not None:
            self.seg = []
        elif name in _TMX_CODE and self.seg is not None:
            self.code_depth += 1

    def characters(self, content):
        if self.seg is not None and self.code_depth == 0:
            self.seg.append(content)

    def endElement(self, name):  # noqa: N802
        self.depth -= 1
        if name in _TMX_CODE and self.seg is not None:
            self.code_depth -= 1
        elif name == "seg" and self.seg is not None:
            self.variants[self.language] = "".join(self.seg)
            self.seg = None
        elif name == "tu" and self.tu is not None:
            tuid, line = self.tu
            if "fr" in self.variants and "en" in self.variants:
                self.entries.append(
                    ReviewEntry(self.variants["fr"], self.variants["en"], tuid, line)
                )
            self.tu = None


def read_tmx(path: Path) -> list[ReviewEntry]:
    path = Path(path)
    handler = _TmxHandler(path)
    parser = xml.sax.make_parser()
    parser.setFeature(xml.sax.handler.feature_external_ges, False)
    parser.setContentHandler(handler)
    try:
        parser.parse(str(path))
    except xml.sax.SAXParseException as err:
        raise PipelineError(
            f"{path}:{err.getLineNumber()}: not well-formed XML: {err.getMessage()}"
        ) from err
    except OSError as err:
        raise PipelineError(f"{path}: cannot read: {err.strerror}") from err
    return handler.entries


def read_review_file(path: Path) -> list[ReviewEntry]:
    path = Path(path)
    if not path.is_file():
        raise PipelineError(f"{path}: no such file")
    if path.suffix.lower() == ".po":
        return read_po(path)
    if path.suffix.lower() == ".tmx":
        return read_tmx(path)
    raise PipelineError(f"{path}: a review file is .po or .tmx")


# --- the current segments ---------------------------------------------------------


def current_segments(out_dir: Path) -> list[dict]:
    """The segment records of the last run: every `<out_dir>/*.jsonl`, in order."""
    records = []
    from pipeline.report import current_jsonl  # outputs of removed articles are not current

    for path in current_jsonl(Path(out_dir)):
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
            records.append(record)
    return records


# --- import -----------------------------------------------------------------------


@dataclass
class ImportResult:
    """What one reviewed file brought: how many entries were reviews, and notices."""

    path: Path
    entries: int = 0
    stored: int = 0  # new reviews added to the memory
    already: int = 0  # reviews the memory already held
    same_as_machine: int = 0  # the machine's text, untouched: not a review
    fuzzy: int = 0  # edited but still fuzzy: skipped
    unmatched: int = 0  # entries whose id and French do not match a current segment
    english_lines: int = 0  # lines in English in the article, passed through untranslated
    notices: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [
            f"{self.stored} new reviews stored",
            f"{self.already} already in the memory",
            f"{self.same_as_machine} same as the machine",
        ]
        if self.fuzzy:
            parts.append(f"{self.fuzzy} edited but fuzzy, skipped (clear the fuzzy flag)")
        if self.english_lines:
            parts.append(f"{self.english_lines} English lines (not translated) ignored")
        if self.unmatched:
            parts.append(f"{self.unmatched} not matching the current corpus")
        return f"{self.path}: {self.entries} entries: " + ", ".join(parts)


def import_reviews(paths: list[Path], out_dir: Path, memory_path: Path) -> list[ImportResult]:
    """Read every file (refusing all if one is broken), then store their reviews."""
    files = [(Path(p), read_review_file(Path(p))) for p in paths]
    records = current_segments(out_dir)
    segments = [r for r in records if r.get("lang", "fr") == "fr"]
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
        for path, entries in files:
            result = ImportResult(path=path, entries=len(entries))
            if not segments:
                result.notices.append(
                    f"{path}: no outputs in {out_dir} to match against (run 'pipeline run' "
                    "first); reviews are kept by their French text only"
                )
            reviews = []
            for entry in entries:
                if entry.segment_id in passed_through:
                    result.english_lines += 1  # an English line: never translated
                    continue
                review = _classify(entry, path, by_id, by_fr, memory, result, bool(segments))
                if review is not None:
                    reviews.append(review)
            result.stored = memory.add_reviews(reviews)
            result.already = len(reviews) - result.stored
            if len(result.notices) > MAX_NOTICES:
                more = len(result.notices) - MAX_NOTICES
                result.notices[MAX_NOTICES:] = [f"{path}: and {more} more entries like these"]
            results.append(result)
    return results


# Notices shown per file; a file with many stale entries is summed up after these.
MAX_NOTICES = 20


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
    have_segments: bool,
) -> Review | None:
    """The review an entry makes, or None (fuzzy, empty, or the machine's own text)."""
    fr, en = normalise(entry.fr), entry.en.strip()
    where = f"{path}:{entry.line}"
    segment = by_id.get(entry.segment_id)
    matched = segment is not None and normalise(segment["fr"]) == fr
    if not matched and not entry.segment_id and fr in by_fr:
        matched, segment = True, by_fr[fr][0]  # a TMX unit without tuid: French alone
    machine = memory.machine_translations(fr)
    if matched and segment.get("origin") in ("engine", "memory"):
        machine.add(segment.get("en", "").strip())
    if not en:
        return None
    # The machine's own text is never a review, even where a review exists: a file
    # written before the review (an older .tmx) must not undo it.
    if en in machine:
        result.same_as_machine += 1
        if not matched:
            result.unmatched += 1
        return None
    if entry.fuzzy:
        result.fuzzy += 1
        return None
    if not matched:
        result.unmatched += 1
        label = entry.segment_id or "(no id)"
        if not have_segments:
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
    return Review(fr=fr, en=en, segment_id=entry.segment_id, source=str(path))


# --- status -----------------------------------------------------------------------


@dataclass
class DocumentStatus:
    doc: str
    segments: int = 0
    machine: int = 0  # from the engine (this run or the memory)
    reviewed: int = 0  # a reviewer's text is in the outputs
    waiting: int = 0  # a review is in the memory, not yet in the outputs (run again)
    flagged: int = 0  # segments with a finding from the checks


@dataclass
class ReviewStatus:
    out_dir: Path
    memory_path: Path
    documents: list[DocumentStatus]
    memory_counts: dict[str, int]
    unmatched_reviews: int  # reviewed French texts that no current segment carries

    def table(self) -> str:
        header = ("document", "segments", "engine", "reviewed", "waiting", "flagged")
        rows = [
            (d.doc, d.segments, d.machine, d.reviewed, d.waiting, d.flagged) for d in self.documents
        ]
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


def review_status(out_dir: Path, memory_path: Path) -> ReviewStatus:
    out_dir = Path(out_dir)
    records = current_segments(out_dir)
    if not records:
        raise PipelineError(f"no outputs in {out_dir}: run 'pipeline run' first")
    memory = TranslationMemory(memory_path) if Path(memory_path).exists() else None
    try:
        documents: dict[str, DocumentStatus] = {}
        for r in records:
            doc = r.get("doc") or r["id"].split(":")[0]
            status = documents.setdefault(doc, DocumentStatus(doc))
            status.segments += 1
            origin = r.get("origin", "")
            status.machine += origin in ("engine", "memory")
            status.reviewed += origin == "review"
            status.flagged += bool(r.get("findings"))
            if origin in ("engine", "memory", "review") and memory is not None:
                review = memory.lookup_review(r["fr"], r["id"])
                status.waiting += review is not None and review.en != r.get("en")
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
