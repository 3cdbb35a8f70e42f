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
from pipeline.records import REVIEWED_ORIGINS


@dataclass
class ReviewEntry:
    """One French/English pair read from a reviewed file.

    `approvable`: the file follows the convention that unreviewed text is marked (a PO
    the pipeline wrote: machine text fuzzy), so an unmarked machine text is an approval.
    `reviewer` and `created`: the file's own attribution (PO Last-Translator, TMX
    changeid/changedate, JSONL reviewer/reviewed_at), "" when it has none.
    """

    fr: str
    en: str
    segment_id: str
    line: int
    fuzzy: bool = False
    approvable: bool = False
    reviewer: str = ""
    created: str = ""
    claimed: str = ""  # a JSONL record's own origin when review or approved (its claim)


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


# The escapes gettext knows in a PO string (PO files, "Escape sequences").
_PO_ESCAPE = re.compile(r"\\(?:[abfnrtv\\\"]|[0-7]{1,3}|x[0-9A-Fa-f]+)")
_ANY_ESCAPE = re.compile(r"\\.?")
_CHARSET = re.compile(r'^"Content-Type:[^"]*charset=([^\s"\\;]+)', re.IGNORECASE | re.MULTILINE)


def check_po_escapes(text: str, path: Path) -> None:
    """Refuse an escape gettext does not know (`\\q`): polib would keep or drop it, and
    the stored review would not be what the reviewer's tool showed."""
    for number, line in enumerate(po_lines(text), start=1):
        if line.lstrip().startswith("#") or "\\" not in line:
            continue
        for match in _ANY_ESCAPE.finditer(line):
            if not _PO_ESCAPE.match(line, match.start()):
                raise PipelineError(
                    f"{path}:{number}: invalid escape {match.group()!r} in a PO string "
                    '(gettext knows \\n \\t \\" \\\\ and octal/hex codes)'
                )


def decode_po(data: bytes, path: Path) -> tuple[str, str]:
    """The PO text in the charset its header declares, refused (with the line) when the
    bytes are not in that charset, or when it declares another charset than UTF-8 for
    text that is UTF-8 (a false header: decoding it would store garbled French)."""
    head = data.decode("ascii", errors="replace")
    match = _CHARSET.search(head)
    charset = match.group(1) if match else "utf-8"
    line = head.count("\n", 0, match.start()) + 1 if match else 1
    import codecs

    try:
        name = codecs.lookup(charset).name
    except LookupError:
        raise PipelineError(f"{path}:{line}: unknown charset {charset!r} in the header") from None
    try:
        text = data.decode(name)
    except UnicodeDecodeError as err:
        bad = data.count(b"\n", 0, err.start) + 1
        raise PipelineError(
            f"{path}:{bad}: not {charset} as its header says (line {line}): "
            f"byte {data[err.start]:#04x}"
        ) from None
    if name != "utf-8" and any(b > 0x7F for b in data):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            raise PipelineError(
                f"{path}:{line}: the header says charset {charset} but the file is UTF-8 "
                "(a false header: its French would be garbled); fix the Content-Type line"
            )
    return text.removeprefix("\ufeff"), name


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
    text, charset = decode_po(data, path)
    check_po_syntax(text, path)
    check_po_escapes(text, path)
    try:
        # from the file, not the text: polib splits a text at U+2028 (str.splitlines),
        # a file only at line ends, as gettext does
        po = polib.pofile(str(path), wrapwidth=0, encoding=charset)
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
    from pipeline.export import MACHINE_TRANSLATOR, PO_REVIEW_HEADER

    approvable = PO_REVIEW_HEADER in po.metadata
    translator = (po.metadata.get("Last-Translator") or "").strip()
    if translator == MACHINE_TRANSLATOR:
        translator = ""
    revised = _po_revision_date(po.metadata.get("PO-Revision-Date") or "")
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
                approvable=approvable,
                reviewer=translator,
                created=revised,
            )
        )
    return entries


def _po_revision_date(value: str) -> str:
    """PO-Revision-Date (2026-12-02 01:30+0000) as ISO 8601, "" when it is not a date."""
    from datetime import datetime

    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d %H:%M%z").isoformat()
    except ValueError:
        return ""


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
            self.attribution = (attrs.get("changeid", ""), _tmx_time(attrs.get("changedate", "")))
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

    def skippedEntity(self, name):  # noqa: N802
        """An entity the parser did not expand (declared in a DTD it does not read, such
        as HTML's &eacute; or &nbsp;): its character when HTML names it, else the
        reference as written, never nothing."""
        import html.entities

        code = html.entities.name2codepoint.get(name)
        self.characters(chr(code) if code is not None else f"&{name};")

    def endElement(self, name):  # noqa: N802
        self.depth -= 1
        if name in _TMX_CODE and self.seg is not None:
            self.code_depth -= 1
        elif name == "seg" and self.seg is not None:
            self.variants[self.language] = "".join(self.seg)
            self.seg = None
        elif name == "tu" and self.tu is not None:
            tuid, line = self.tu
            reviewer, created = self.attribution
            if "fr" in self.variants and "en" in self.variants:
                self.entries.append(
                    ReviewEntry(
                        self.variants["fr"],
                        self.variants["en"],
                        tuid,
                        line,
                        reviewer=reviewer,
                        created=created,
                    )
                )
            self.tu = None


def _tmx_time(value: str) -> str:
    """A TMX date (YYYYMMDDThhmmssZ) as ISO 8601, "" when it is not one."""
    from datetime import UTC, datetime

    try:
        return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).isoformat()
    except ValueError:
        return ""


def read_tmx(path: Path) -> list[ReviewEntry]:
    path = Path(path)
    handler = _TmxHandler(path)
    parser = xml.sax.make_parser()
    parser.setFeature(xml.sax.handler.feature_external_ges, False)
    parser.setFeature(xml.sax.handler.feature_external_pes, False)
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


def read_jsonl_entries(path: Path) -> list[ReviewEntry]:
    """The entries of a `<doc>.jsonl` a person edited: `en` as it stands; `"origin":
    "approved"` written over a machine origin approves the machine's text."""
    from pipeline.export import read_jsonl

    path = Path(path)
    lines = fileio.read_utf8(path).split("\n")
    numbers = [n for n, line in enumerate(lines, start=1) if line.strip()]
    entries = []
    for number, segment in zip(numbers, read_jsonl(path), strict=True):
        if segment.lang != "fr":
            continue
        entries.append(
            ReviewEntry(
                fr=segment.fr,
                en=segment.en,
                segment_id=segment.id,
                line=number,
                approvable=segment.origin == "approved",
                reviewer=segment.reviewer,
                created=segment.reviewed_at,
                claimed=segment.origin if segment.reviewed else "",
            )
        )
    return entries


REVIEW_SUFFIXES = (".po", ".tmx", ".jsonl")


def read_review_file(path: Path) -> list[ReviewEntry]:
    path = Path(path)
    if not path.is_file():
        raise PipelineError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".po":
        return read_po(path)
    if suffix == ".tmx":
        return read_tmx(path)
    if suffix == ".jsonl":
        return read_jsonl_entries(path)
    raise PipelineError(f"{path}: a review file is .po, .tmx or .jsonl")


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
    if matched and segment.get("origin") in ("engine", "memory") and segment["id"] not in own:
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


def document_counts(
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
        if memory is not None and origin in ("engine", "memory", *REVIEWED_ORIGINS):
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
        documents = document_counts(records, memory)
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
