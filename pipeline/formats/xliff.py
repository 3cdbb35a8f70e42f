"""XLIFF: the file CAT tools (Trados, memoQ, Phrase, Crowdin, Okapi, translate-toolkit)
exchange. Writes XLIFF 1.2; reads XLIFF 1.2 and 2.x back.

Writing, `<doc>.xlf`: one `<file source-language="fr" target-language="en">`, one
`<trans-unit>` per segment, `id` and `resname` = the segment id. The target's `state`
tells the reviewer what needs work:

| segment origin             | target state               | state-qualifier | approved |
|----------------------------|----------------------------|-----------------|----------|
| engine, memory (machine)   | needs-review-translation   | mt-suggestion   |          |
| tm (an imported TMX)       | needs-review-translation   | leveraged-tm    |          |
| review (a person's edit)   | translated                 |                 | yes      |
| approved (a person's OK)   | final                      |                 | yes      |
| source (an English line)   | final, translate="no"      |                 |          |

Glossary terms and findings are `<note>`s (`from="pipeline"`); the location in the
article a `<context-group purpose="location">`; a fuzzy match an `<alt-trans>` with
its `match-quality` (0-100) and the close French as its `<source>`; who reviewed and
when a `<phase>` of the header that the target names (`phase-name`), XLIFF 1.2's own
attribution. `approved="yes"` marks a person's English (translate-toolkit and most CAT
tools show the others as fuzzy / unconfirmed); the state tells an edit from an approval.

Reading: every unit as a `XliffUnit` (French, English, id, line, state). Inline
codes whose content is native markup (`ph`, `bpt`, `ept`, `it`, 1.2; `ph`, `sc`, `ec`,
2.x) are left out of the text, `g`/`mrk`/`pc` keep theirs. A unit is *unconfirmed*
when its state says it needs work (1.2 `new`, `needs-*`, a `rejected-*` qualifier; 2.x
`initial`), unless it is `approved="yes"`. An `id` that is not a segment id of ours
(a tool renumbered the units) is given as "", so the French alone finds the segment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline import __version__
from pipeline.errors import PipelineError
from pipeline.formats import (
    Entry,
    document_properties,
    finding_note,
    source_date,
    source_location,
    term_note,
    xmlstream,
)
from pipeline.records import Document, Segment

NS_12 = "urn:oasis:names:tc:xliff:document:1.2"
NS_20 = "urn:oasis:names:tc:xliff:document:2.0"
NS_21 = "urn:oasis:names:tc:xliff:document:2.1"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
SUFFIXES = (".xlf", ".xliff", ".xlif")  # the writer writes .xlf
TOOL_ID = "pipeline"
# Characters XML 1.0 forbids even escaped.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SEGMENT_ID = re.compile(r".+:\d+:\d+")

# origin → (state, state-qualifier, approved); see the module's table
STATES = {
    "engine": ("needs-review-translation", "mt-suggestion", False),
    "memory": ("needs-review-translation", "mt-suggestion", False),
    "tm": ("needs-review-translation", "leveraged-tm", False),
    "review": ("translated", "", True),
    "approved": ("final", "", True),
    "source": ("final", "", False),
}
UNCONFIRMED_12 = frozenset(
    {
        "new",
        "needs-translation",
        "needs-adaptation",
        "needs-l10n",
        "needs-review-adaptation",
        "needs-review-l10n",
        "needs-review-translation",
    }
)


def _safe(text: str) -> str:
    return _XML_ILLEGAL.sub("\ufffd", text or "")


def _q(name: str) -> str:
    return f"{{{NS_12}}}{name}"


def xliff_bytes(
    segments: list,
    original: str,
    notes_of,
    location_of=None,
    date: str = "",
    metadata: list[tuple[str, str]] = (),
) -> bytes:
    """XLIFF 1.2 for one document, whole (xliff_chunks joined)."""
    return b"".join(xliff_chunks(segments, original, notes_of, location_of, date, metadata))


def xliff_chunks(
    segments: list,
    original: str,
    notes_of,
    location_of=None,
    date: str = "",
    metadata: list[tuple[str, str]] = (),
) -> Iterator[bytes]:
    """XLIFF 1.2 for one document, a piece at a time (pipeline/formats/xmlstream.py: the
    bytes ElementTree's indent and tostring would give; no tree is built).

    `segments`: pipeline.records.Segment; `original`: the article's file name;
    `notes_of(segment)`: the notes (glossary terms, findings) of a segment;
    `location_of(segment)`: (file, line) in the article, or None; `date`: ISO 8601;
    `metadata`: (field, value) of the document (title, author, ...), the header's notes."""
    return xmlstream.encoded(
        _xliff_pieces(segments, original, notes_of, location_of, date, metadata)
    )


def _xliff_pieces(segments, original, notes_of, location_of, date, metadata) -> Iterator[str]:
    leaf, start, at = xmlstream.leaf, xmlstream.start, xmlstream.indentation
    yield xmlstream.DECLARATION
    yield f'<xliff xmlns="{NS_12}" version="1.2">' + at(1)
    attributes = {
        "original": original,
        "source-language": "fr",
        "target-language": "en",
        "datatype": "plaintext",
        "tool-id": TOOL_ID,
    }
    if date:
        attributes["date"] = date
    yield start("file", attributes) + at(2) + "<header>" + at(3)
    phases = _phases(segments)
    if phases:
        yield "<phase-group>"
        for (reviewer, when), name in phases.items():
            phase = {"phase-name": name, "process-name": "review", "tool-id": TOOL_ID}
            if reviewer:
                phase["contact-name"] = _safe(reviewer)
            if when:
                phase["date"] = when
            yield at(4) + leaf("phase", phase)
        yield at(3) + "</phase-group>" + at(3)
    yield leaf("tool", {"tool-id": TOOL_ID, "tool-name": "pipeline",
                        "tool-version": __version__})  # fmt: skip
    for key, value in metadata:  # the document's own: title, author, date, source file
        yield at(3) + leaf("note", {"from": TOOL_ID}, _safe(f"{key}: {value}"))
    yield at(2) + "</header>" + at(2)
    if not segments:
        yield "<body />" + at(1) + "</file>\n</xliff>\n"
        return
    yield "<body>"
    for segment in segments:
        yield at(3)
        yield from _unit_pieces(segment, phases, notes_of, location_of)
    yield at(2) + "</body>" + at(1) + "</file>\n</xliff>\n"


def _unit_pieces(segment, phases, notes_of, location_of) -> Iterator[str]:
    """One `<trans-unit>`, three levels deep (xliff/file/body)."""
    leaf, at4, at5 = xmlstream.leaf, xmlstream.indentation(4), xmlstream.indentation(5)
    origin = segment.origin or ("source" if segment.lang != "fr" else "")
    unit_attributes = {"id": segment.id, "resname": segment.id, "xml:space": "preserve"}
    if segment.lang != "fr":
        unit_attributes["translate"] = "no"
        origin = "source"
    state, qualifier, approved = STATES.get(origin, ("needs-translation", "", False))
    if not segment.en and origin != "source":
        state, qualifier = "needs-translation", ""
    if approved:
        unit_attributes["approved"] = "yes"
    yield xmlstream.start("trans-unit", unit_attributes)
    yield at4 + leaf("source", {"xml:lang": segment.lang}, _safe(segment.fr))
    target = {"xml:lang": "en", "state": state}
    if qualifier:
        target["state-qualifier"] = qualifier
    phase = phases.get(_attribution(segment))
    if phase and origin in ("review", "approved"):
        target["phase-name"] = phase
    english = segment.en if origin != "source" else (segment.en or segment.fr)
    yield at4 + leaf("target", target, _safe(english))
    suggestion = getattr(segment, "suggestion", None)
    if suggestion and origin not in ("review", "approved"):
        alt = {
            "match-quality": f"{float(suggestion['score']):.0f}",
            "origin": str(suggestion.get("origin") or "memory"),
        }
        yield at4 + xmlstream.start("alt-trans", alt)
        yield at5 + leaf("source", {"xml:lang": "fr"}, _safe(suggestion["fr"]))
        yield at5 + leaf("target", {"xml:lang": "en"}, _safe(suggestion["en"]))
        yield at4 + "</alt-trans>"
    engine = f" ({segment.engine})" if segment.engine else ""
    yield at4 + leaf("note", {"from": TOOL_ID}, _safe(f"origin: {origin or 'none'}{engine}"))
    for note in notes_of(segment):
        yield at4 + leaf("note", {"from": TOOL_ID}, _safe(note))
    location = location_of(segment) if location_of else None
    if location:
        yield at4 + '<context-group purpose="location">'
        yield at5 + leaf("context", {"context-type": "sourcefile"}, _safe(location[0]))
        yield at5 + leaf("context", {"context-type": "linenumber"}, str(location[1]))
        yield at4 + "</context-group>"
    yield xmlstream.indentation(3) + "</trans-unit>"


def _attribution(segment) -> tuple[str, str]:
    return (getattr(segment, "reviewer", "") or "", getattr(segment, "reviewed_at", "") or "")


def _phases(segments) -> dict[tuple[str, str], str]:
    """One header <phase> per (reviewer, time) of the reviewed segments, named review-N."""
    phases: dict[tuple[str, str], str] = {}
    for segment in segments:
        if segment.origin in ("review", "approved"):
            key = _attribution(segment)
            if any(key) and key not in phases:
                phases[key] = f"review-{len(phases) + 1}"
    return phases


def xliff_document(segments: list[Segment], doc: Document) -> bytes:
    """The `<doc>.xlf` of a document: its notes and locations as the other formats give them."""
    return b"".join(xliff_document_chunks(segments, doc))


def xliff_document_chunks(segments: list[Segment], doc: Document) -> Iterator[bytes]:
    """xliff_document a piece at a time, for a streamed write. The header's notes carry
    the document's metadata (`title: …`, `author: …`, `source-file: …`, `extractor: …`;
    formats.document_properties), where OmegaT and Okapi show a file's notes."""

    def notes(segment: Segment) -> list[str]:
        found = [term_note(t) for t in segment.terms] + [finding_note(f) for f in segment.findings]
        if segment.lang != "fr":
            found.insert(0, f"source line in {segment.lang}: passed through, not translated")
        return found

    return xliff_chunks(
        segments,
        source_location(segments[0], doc)[0] if segments else doc.path.name,
        notes,
        lambda segment: source_location(segment, doc),
        source_date(doc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        document_properties(doc),
    )


def read_entries(path: Path) -> list[Entry]:
    """XLIFF 1.2 or 2.x units as entries: a unit whose state says it still needs
    work (needs-review-translation, new, 2.x initial) is fuzzy, as in a PO; in a file this
    pipeline wrote (machine text marked so), a confirmed machine text is an approval."""
    return [
        Entry(
            u.fr,
            u.en,
            u.segment_id,
            u.line,
            fuzzy=u.unconfirmed,
            approvable=u.ours,
            reviewer=u.reviewer,
            created=u.created,
        )
        for u in read_xliff(path)
        if u.has_target
    ]


def read_properties(path: Path) -> dict[str, str]:
    """The document's metadata our XLIFF's header carries (its `<note from="pipeline">`s
    of the first `<file>`, `key: value`), read without reading the units."""
    return _header_properties(path, "header", _note_property)


def _note_property(element) -> tuple[str, str] | None:
    if _local(element.tag) != "note" or element.get("from") != TOOL_ID:
        return None
    key, _, value = (element.text or "").partition(": ")
    return (key, value) if value else None


def _header_properties(path: Path, header: str, read) -> dict[str, str]:
    """`read(child)` of each child of the first `<header>` element: (key, value) or None.
    The file is read up to the header's end only (a big file's units are never parsed)."""
    from lxml import etree

    found: dict[str, str] = {}
    try:
        for _event, element in etree.iterparse(
            str(path), events=("end",), resolve_entities=False, no_network=True
        ):
            if _local(element.tag) == header:
                for child in element:
                    pair = read(child)
                    if pair is not None:
                        found.setdefault(*pair)
                return found
            if _local(element.tag) in ("trans-unit", "unit", "tu", "body"):
                return found  # no header before the units
    except etree.XMLSyntaxError as err:
        raise PipelineError(f"{path}:{err.lineno or 1}: not well-formed XML: {err.msg}") from err
    except OSError as err:
        raise PipelineError(f"{path}: cannot read: {err}") from err
    return found


# --- reading ---------------------------------------------------------------------------


@dataclass
class XliffUnit:
    """One unit (1.2 trans-unit, 2.x segment) of an XLIFF file."""

    fr: str
    en: str
    segment_id: str  # "" when the unit's id is not a segment id of ours
    line: int
    state: str = ""
    unconfirmed: bool = False  # its state says it still needs work
    approved: bool = False  # approved="yes" (1.2), state final (2.x)
    reviewer: str = ""  # the phase's contact-name (1.2), "" when none
    created: str = ""  # the phase's date, or the file's date
    has_target: bool = True
    ours: bool = False  # written by this pipeline (tool-id), so its states follow the table


# Inline elements whose content is native code, not text.
_CODE_12 = frozenset({"ph", "bpt", "ept", "it", "sub"})
_CODE_20 = frozenset({"ph", "sc", "ec", "originalData"})


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def inline_text(element, code: frozenset[str]) -> str:
    """The text of a source/target, native codes left out (2.x `<cp hex>` as its char)."""
    parts = [element.text or ""]
    for child in element:
        name = _local(child.tag)
        if name == "cp" and child.get("hex"):
            try:
                parts.append(chr(int(child.get("hex"), 16)))
            except ValueError:
                pass
        elif name not in code:
            parts.append(inline_text(child, code))
        parts.append(child.tail or "")
    return "".join(parts)


def _primary(language: str) -> str:
    return re.split(r"[-_]", (language or "").strip())[0].casefold()


def read_xliff(path: Path) -> list[XliffUnit]:
    """The units of an XLIFF 1.2 or 2.x file (fr → en), each with its line."""
    from lxml import etree

    path = Path(path)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    try:
        root = etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as err:
        raise PipelineError(f"{path}:{err.lineno or 1}: not well-formed XML: {err.msg}") from err
    except OSError as err:
        raise PipelineError(f"{path}: cannot read: {err}") from err
    if _local(root.tag) != "xliff":
        raise PipelineError(
            f"{path}:{root.sourceline}: not an XLIFF file (root <{_local(root.tag)}>)"
        )
    version = root.get("version", "")
    namespace = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    if version.startswith("2") or namespace in (NS_20, NS_21):
        return _read_20(root, path)
    return _read_12(root, path)


def _check_languages(path: Path, line: int, source: str, target: str) -> None:
    if source and _primary(source) != "fr":
        raise PipelineError(
            f"{path}:{line}: the source language is {source!r}, expected French (fr)"
        )
    if target and _primary(target) != "en":
        raise PipelineError(
            f"{path}:{line}: the translations are in {target!r}, expected English (en)"
        )


def _our_id(unit_id: str, resname: str = "") -> str:
    for candidate in (unit_id, resname):
        if candidate and _SEGMENT_ID.fullmatch(candidate):
            return candidate
    return ""


def _read_12(root, path: Path) -> list[XliffUnit]:
    units = []
    for file in root.iter(_q("file"), "file"):
        _check_languages(
            path, file.sourceline, file.get("source-language", ""), file.get("target-language", "")
        )
        ours = file.get("tool-id") == TOOL_ID
        phases = {}
        for phase in file.iter(_q("phase"), "phase"):
            phases[phase.get("phase-name")] = (
                phase.get("contact-name", ""),
                phase.get("date", ""),
            )
        for unit in file.iter(_q("trans-unit"), "trans-unit"):
            if unit.get("translate") == "no":
                continue  # an English line passed through, or text not to translate
            source = unit.find(_q("source"))
            if source is None:
                source = unit.find("source")
            target = unit.find(_q("target"))
            if target is None:
                target = unit.find("target")
            if source is None:
                raise PipelineError(f"{path}:{unit.sourceline}: a trans-unit without <source>")
            state = target.get("state", "") if target is not None else ""
            qualifier = target.get("state-qualifier", "") if target is not None else ""
            approved = unit.get("approved") == "yes"
            reviewer, created = phases.get(
                target.get("phase-name") if target is not None else None, ("", "")
            )
            units.append(
                XliffUnit(
                    fr=inline_text(source, _CODE_12),
                    en=inline_text(target, _CODE_12) if target is not None else "",
                    segment_id=_our_id(unit.get("id", ""), unit.get("resname", "")),
                    line=unit.sourceline or 0,
                    state=state,
                    unconfirmed=not approved
                    and (state in UNCONFIRMED_12 or qualifier.startswith("rejected")),
                    approved=approved,
                    reviewer=reviewer,
                    created=created or file.get("date", ""),
                    has_target=target is not None,
                    ours=ours,
                )
            )
    return units


def _read_20(root, path: Path) -> list[XliffUnit]:
    _check_languages(path, root.sourceline, root.get("srcLang", ""), root.get("trgLang", ""))
    units = []
    for unit in root.iter():
        if _local(unit.tag) != "unit":
            continue
        # A tool may split a unit into several segments (and ignorables between them):
        # the unit's text is theirs joined, as the unit was written.
        french, english, states, has_target = [], [], [], True
        for part in unit:
            if _local(part.tag) not in ("segment", "ignorable"):
                continue
            source = next((c for c in part if _local(c.tag) == "source"), None)
            target = next((c for c in part if _local(c.tag) == "target"), None)
            if source is None:
                raise PipelineError(f"{path}:{part.sourceline}: a {_local(part.tag)} without "
                                    "<source>")  # fmt: skip
            french.append(inline_text(source, _CODE_20))
            if target is not None:
                english.append(inline_text(target, _CODE_20))
            elif _local(part.tag) == "ignorable":
                english.append(french[-1])  # white space between segments
            else:
                has_target = False
            if _local(part.tag) == "segment":
                states.append(part.get("state", ""))
        if not french:
            continue
        units.append(
            XliffUnit(
                fr="".join(french),
                en="".join(english),
                segment_id=_our_id(unit.get("id", ""), unit.get("name", "")),
                line=unit.sourceline or 0,
                state=states[0]
                if len(set(states)) == 1
                else "initial"
                if "initial" in states
                else "translated",
                unconfirmed="initial" in states,
                approved=bool(states) and all(state == "final" for state in states),
                has_target=has_target,
            )
        )
    return units
