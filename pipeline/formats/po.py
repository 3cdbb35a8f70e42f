"""PO: `<doc>.po`, a gettext catalogue for Poedit, Weblate and Lokalize (msgctxt = the
segment id, msgid = French, msgstr = English), written by each run and read back as
review entries.

Reading checks what polib lets through (a line that is not PO, a bad escape, a charset
the bytes do not follow) and names the line.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from pipeline import __version__
from pipeline.errors import PipelineError
from pipeline.formats import (
    Entry,
    document_metadata,
    finding_note,
    latest_review,
    primary_language,
    review_note,
    source_date,
    source_location,
    suggestion_note,
    term_note,
)
from pipeline.records import Document, Segment

SUFFIXES = (".po",)


# A PO header field saying that this file follows the review convention below: an
# entry no person has reviewed is fuzzy, so one the reviewer un-fuzzies unchanged is an
# approval (pipeline.review reads approvals only from files that carry it).
PO_REVIEW_HEADER = "X-Pipeline-Review"


PO_REVIEW_CONVENTION = "machine text fuzzy until a reviewer approves it"


MACHINE_TRANSLATOR = "pipeline (machine translation)"


def po_text(segments: list[Segment], doc: Document) -> str:
    """The `<doc>.po` whole (po_pieces joined)."""
    return "".join(po_pieces(segments, doc))


CHUNK_ENTRIES = 256  # entries encoded together, for a streamed write


def po_chunks(segments: list[Segment], doc: Document) -> Iterator[bytes]:
    """The `<doc>.po` in UTF-8 a few entries at a time, for a streamed write."""
    pieces = po_pieces(segments, doc)
    while chunk := "".join(itertools.islice(pieces, CHUNK_ENTRIES)):
        yield chunk.encode("utf-8")


def po_pieces(segments: list[Segment], doc: Document) -> Iterator[str]:
    """A gettext catalogue, an entry at a time: msgctxt = segment id, msgid = French,
    msgstr = English.

    What no person has reviewed is fuzzy (needs work in Poedit, Weblate, Lokalize; not
    counted as translated by pocount); a reviewed or approved entry is not, and its
    translator comment says who and when. A fuzzy match follows msgmerge: the entry is
    fuzzy, `#| msgid` holds the earlier French and msgstr the earlier reviewed English,
    so the reviewer adapts it to the change the tool shows; the engine's English is kept
    in a comment (and in the .jsonl, .tmx and .en.md, where nothing is applied).
    """
    import polib

    latest = latest_review(segments)
    revised = source_date(doc).strftime("%Y-%m-%d %H:%M+0000")
    if latest is not None:
        revised = _po_date(latest.reviewed_at) or revised
    catalogue = polib.POFile(wrapwidth=0)
    catalogue.metadata = {
        "Project-Id-Version": f"{doc.name}",
        "Report-Msgid-Bugs-To": "",
        "POT-Creation-Date": source_date(doc).strftime("%Y-%m-%d %H:%M+0000"),
        "PO-Revision-Date": revised,
        "Last-Translator": latest.reviewer if latest and latest.reviewer else MACHINE_TRANSLATOR,
        "Language-Team": "English",
        "Language": "en",
        "X-Source-Language": "fr",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
        "X-Generator": f"pipeline {__version__}",
        PO_REVIEW_HEADER: PO_REVIEW_CONVENTION,
        **{f"X-Source-{key.title()}": value for key, value in document_metadata(doc)},
    }
    yield catalogue.__unicode__()  # the header comment and the metadata entry: no entries
    for segment in segments:
        origin = segment.origin or "none"
        notes = [f"origin: {origin} ({segment.engine})" if segment.engine else f"origin: {origin}"]
        if segment.lang != "fr":
            notes.append(f"source line in {segment.lang}: passed through, not translated")
        notes += [term_note(t) for t in segment.terms]
        notes += [finding_note(f) for f in segment.findings]
        msgstr, previous = segment.en, None
        if segment.suggestion and not segment.reviewed:
            notes.append(suggestion_note(segment.suggestion))
            notes.append(f"the engine's English: {segment.en}")
            msgstr, previous = segment.suggestion["en"], segment.suggestion["fr"]
        entry = polib.POEntry(
            msgctxt=segment.id,
            msgid=segment.fr,
            msgstr=msgstr,
            occurrences=[source_location(segment, doc)],
            comment="\n".join(notes),
            tcomment=review_note(segment) if segment.reviewed else "",
            flags=[] if segment.reviewed else ["fuzzy"],
        )
        if previous is not None:
            entry.previous_msgctxt = segment.id
            entry.previous_msgid = previous
        # what polib's POFile.__unicode__ joins: the entries, one blank line apart
        yield "\n" + entry.__unicode__(catalogue.wrapwidth)


def _po_date(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y-%m-%d %H:%M+0000")
    except ValueError:
        return ""


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


def read_entries(path: Path) -> list[Entry]:
    """The entries of a PO file (see read_po)."""
    return read_po(path)


def read_po(path: Path) -> list[Entry]:
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
    if language and primary_language(language) != "en":
        raise PipelineError(
            f"{path}:{_language_line(text)}: the translations are in {language!r}, "
            "expected English (Language: en)"
        )

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
            Entry(
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
