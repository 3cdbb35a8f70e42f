"""TMX 1.4: each document's `<doc>.tmx` (one `<tu tuid="<id>">` per segment) and its
reader for the review (French→English only, line numbers), a translator's memory (any
TMX with French and English variants, streamed), and the run-wide memory of reviewed
units (`translations/<corpus>.reviewed.tmx`).

Reading streams the file (lxml iterparse, each `<tu>` dropped once read), so a memory of
hundreds of thousands of units costs little memory. A unit's text is its `<seg>`'s with
inline codes that hold native markup (`bpt`, `ept`, `it`, `ph`, `ut`) left out and `hi`
kept. Languages are matched by their primary subtag (`fr-FR`, `FR`, `fr_CA` are French);
a unit without both a French and an English variant is skipped and counted.
"""

from __future__ import annotations

import re
import xml.sax
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pipeline import __version__
from pipeline.errors import PipelineError
from pipeline.formats import (
    Entry,
    document_properties,
    finding_note,
    primary_language,
    source_date,
    suggestion_note,
    term_note,
    xml_safe,
    xmlstream,
)
from pipeline.records import Document, Segment

SUFFIXES = (".tmx",)

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_CODE = frozenset({"bpt", "ept", "it", "ph", "ut"})
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class TmxUnit:
    fr: str
    en: str
    tuid: str = ""
    changeid: str = ""  # who last changed it (changeid, else creationid)
    changedate: str = ""  # when (changedate, else creationdate), as the file writes it
    line: int = 0


@dataclass
class TmxReadStats:
    units: int = 0  # <tu> elements read
    skipped: int = 0  # without both a French and an English variant
    languages: set[str] = field(default_factory=set)  # every variant language seen


def _primary(language: str) -> str:
    return re.split(r"[-_]", (language or "").strip())[0].casefold()


def _seg_text(seg) -> str:
    parts = [seg.text or ""]
    for child in seg:
        name = child.tag.rsplit("}", 1)[-1] if isinstance(child.tag, str) else ""
        if name not in _CODE:
            parts.append(_seg_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def iter_tmx_units(path: Path, stats: TmxReadStats | None = None) -> Iterator[TmxUnit]:
    """Every unit of a TMX file with a French and an English variant, in file order.

    Raises PipelineError (with the line) on a file that is not well-formed TMX."""
    from lxml import etree

    path = Path(path)
    stats = stats if stats is not None else TmxReadStats()
    try:
        context = etree.iterparse(
            str(path),
            events=("end",),
            tag="tu",
            resolve_entities=False,
            no_network=True,
            huge_tree=True,
            remove_comments=True,
        )
        for _event, element in context:
            if stats.units == 0:
                root = element.getroottree().getroot()
                if root.tag != "tmx":
                    raise PipelineError(f"{path}:{root.sourceline}: not a TMX file (root "
                                        f"<{root.tag}>)")  # fmt: skip
            stats.units += 1
            variants: dict[str, str] = {}
            for tuv in element:
                if tuv.tag != "tuv":
                    continue
                language = _primary(tuv.get(_XML_LANG) or tuv.get("lang") or "")
                stats.languages.add(language)
                seg = tuv.find("seg")
                if seg is not None and language not in variants:
                    variants[language] = _seg_text(seg)
            if variants.get("fr", "").strip() and variants.get("en", "").strip():
                yield TmxUnit(
                    fr=variants["fr"],
                    en=variants["en"],
                    tuid=element.get("tuid", ""),
                    changeid=element.get("changeid") or element.get("creationid") or "",
                    changedate=element.get("changedate") or element.get("creationdate") or "",
                    line=element.sourceline or 0,
                )
            else:
                stats.skipped += 1
            # free what was read: the unit, and the siblings before it
            element.clear()
            parent = element.getparent()
            while parent is not None and element.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as err:
        raise PipelineError(f"{path}:{err.lineno or 0}: not well-formed XML: {err.msg}") from err
    except OSError as err:
        raise PipelineError(f"{path}: cannot read: {err}") from err


# --- a document's TMX, and reading it back ------------------------------------------


def tmx_date(iso: str) -> str:
    """An ISO 8601 time as TMX writes dates (YYYYMMDDThhmmssZ); "" when not a date."""
    try:
        return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    except ValueError:
        return ""


def tmx_bytes(segments: list[Segment], doc: Document) -> bytes:
    """TMX 1.4: one <tu tuid="<id>"> per segment, French and English variants (whole)."""
    return b"".join(tmx_chunks(segments, doc))


def tmx_chunks(segments: list[Segment], doc: Document) -> Iterator[bytes]:
    """tmx_bytes a piece at a time (pipeline/formats/xmlstream.py; no tree is built). The
    header's props carry the document's metadata (x-title, x-author, x-date, x-format,
    x-source-file, x-reading: what the reader took out)."""
    header = {
        "creationtool": "pipeline",
        "creationtoolversion": __version__,
        "creationdate": source_date(doc).strftime("%Y%m%dT%H%M%SZ"),
        "segtype": "sentence",
        "o-tmf": "pipeline-jsonl",
        "adminlang": "en",
        "srclang": "fr",
        "datatype": "plaintext",
    }
    props = [(f"x-{key}", value) for key, value in document_properties(doc)]
    return xmlstream.encoded(_tmx_pieces(header, props, (_tu_pieces(s) for s in segments)))


def _tmx_pieces(header: dict, props, units) -> Iterator[str]:
    """A TMX document: the header (its props, if any), then the units' pieces, each unit
    an iterable of pieces two levels deep (tmx/body)."""
    at = xmlstream.indentation
    yield xmlstream.DECLARATION + '<tmx version="1.4">' + at(1)
    if props:
        yield xmlstream.start("header", header)
        for name, value in props:
            yield at(2) + xmlstream.leaf("prop", {"type": name}, xml_safe(value))
        yield at(1) + "</header>" + at(1)
    else:
        yield xmlstream.leaf("header", header) + at(1)
    opened = False
    for unit in units:
        yield (at(2) if opened else "<body>" + at(2))
        opened = True
        yield from unit
    yield (at(1) + "</body>" if opened else "<body />") + "\n</tmx>\n"


def _tu_pieces(segment: Segment) -> Iterator[str]:
    leaf, at3, at4 = xmlstream.leaf, xmlstream.indentation(3), xmlstream.indentation(4)
    attributes = {"tuid": segment.id}
    if segment.reviewed:  # TMX's own attribution: who changed the unit, and when
        attributes["changeid"] = xml_safe(segment.reviewer or "unknown reviewer")
        if tmx_date(segment.reviewed_at):
            attributes["changedate"] = tmx_date(segment.reviewed_at)
    yield xmlstream.start("tu", attributes)
    # TMX 1.4 order inside <tu>: notes and props, then the variants.
    for hit in segment.terms:
        yield at3 + leaf("note", None, xml_safe(term_note(hit)))
    for finding in segment.findings:
        yield at3 + leaf("note", None, xml_safe(finding_note(finding)))
    suggestion = segment.suggestion if not segment.reviewed else None
    if suggestion:
        note = suggestion_note(suggestion) + f"; its English: {suggestion['en']}"
        yield at3 + leaf("note", None, xml_safe(note))

    def prop(name: str, value: str) -> str:
        return at3 + leaf("prop", {"type": name}, value)

    yield prop("x-origin", segment.origin or "none")
    if segment.engine:
        yield prop("x-engine", xml_safe(segment.engine))
    if segment.reviewed:
        yield prop("x-version", str(segment.version))
    if suggestion:
        for name in ("score", "fr", "en"):
            value = suggestion[name]
            yield prop(f"x-suggestion-{name}", xml_safe(f"{value:.0f}" if name == "score"
                                                        else str(value)))  # fmt: skip
    if segment.lang != "fr":
        # An English line of the article (a title above the French one): written as
        # English only, never as a French source a CAT tool would pair with itself.
        yield prop("x-source-lang", segment.lang)
        variants = (("en", segment.en or segment.fr),)
    else:
        variants = (("fr", segment.fr), ("en", segment.en))
    for lang, text in variants:
        yield at3 + xmlstream.start("tuv", {"xml:lang": lang})
        yield at4 + leaf("seg", None, xml_safe(text)) + at3 + "</tuv>"
    yield xmlstream.indentation(2) + "</tu>"


# Inline elements whose content is native markup, not text (TMX 1.4, section 3.7).
_TMX_CODE = frozenset({"bpt", "ept", "it", "ph", "ut"})


class _TmxHandler(xml.sax.handler.ContentHandler):
    def __init__(self, path: Path):
        super().__init__()
        self.path = path
        self.locator: xml.sax.xmlreader.Locator | None = None
        self.entries: list[Entry] = []
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
            if primary_language(language) not in ("fr", "en"):
                raise PipelineError(
                    f"{self.path}:{self.line()}: language {language!r} in a French→English "
                    "TMX; expected fr and en"
                )
            self.language = primary_language(language)
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
                    Entry(
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


def read_entries(path: Path) -> list[Entry]:
    """The units of a French→English TMX as entries (see read_tmx)."""
    return read_tmx(path)


def read_tmx(path: Path) -> list[Entry]:
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


def read_properties(path: Path) -> dict[str, str]:
    """The document's metadata our TMX's header carries (its `<prop type="x-…">`s, the
    `x-` left out), read without reading the units."""
    from pipeline.formats.xliff import _header_properties

    def prop(element) -> tuple[str, str] | None:
        kind = element.get("type") or ""
        if element.tag != "prop" or not kind.startswith("x-"):
            return None
        return kind[2:], element.text or ""

    return _header_properties(path, "header", prop)


# --- the run-wide memory -------------------------------------------------------------


def _safe(text: str) -> str:
    return _XML_ILLEGAL.sub("\ufffd", text or "")


@dataclass
class MemoryUnit:
    """One unit of a run-wide memory: a person's English for a French text."""

    fr: str
    en: str
    tuid: str  # the segment id
    origin: str  # review or approved
    changeid: str = ""  # the reviewer
    changedate: str = ""  # YYYYMMDDThhmmssZ
    document: str = ""


def memory_tmx_bytes(units: list[MemoryUnit], creation_date: str) -> bytes:
    """TMX 1.4 of the reviewed and approved units of a run: what OmegaT, memoQ or
    Trados import as a translation memory."""
    header = {
        "creationtool": "pipeline",
        "creationtoolversion": __version__,
        "segtype": "sentence",
        "o-tmf": "pipeline-jsonl",
        "adminlang": "en",
        "srclang": "fr",
        "datatype": "plaintext",
    }
    if creation_date:
        header["creationdate"] = creation_date
    pieces = _tmx_pieces(header, [], (_memory_tu_pieces(unit) for unit in units))
    return b"".join(xmlstream.encoded(pieces))


def _memory_tu_pieces(unit: MemoryUnit) -> Iterator[str]:
    leaf, at3, at4 = xmlstream.leaf, xmlstream.indentation(3), xmlstream.indentation(4)
    attributes = {"tuid": unit.tuid}
    if unit.changeid:
        attributes["changeid"] = _safe(unit.changeid)
    if unit.changedate:
        attributes["changedate"] = unit.changedate
    yield xmlstream.start("tu", attributes)
    yield at3 + leaf("prop", {"type": "x-origin"}, unit.origin)
    if unit.document:
        yield at3 + leaf("prop", {"type": "x-document"}, _safe(unit.document))
    for language, text in (("fr", unit.fr), ("en", unit.en)):
        yield at3 + xmlstream.start("tuv", {"xml:lang": language})
        yield at4 + leaf("seg", None, _safe(text)) + at3 + "</tuv>"
    yield xmlstream.indentation(2) + "</tu>"
