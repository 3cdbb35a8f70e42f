"""The XLIFF and TMX writers as they were before they streamed (main at dcf1dcb: an
ElementTree of the whole document, indented, then `tostring`), kept for the tests only:
the streamed writers must give these bytes. The header's metadata (XLIFF notes, TMX props)
is added here the tree way, so the comparison covers it too."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from pipeline import __version__
from pipeline.formats import (
    finding_note,
    source_date,
    suggestion_note,
    term_note,
    xml_safe,
)
from pipeline.formats.tmx import MemoryUnit, tmx_date
from pipeline.formats.xliff import NS_12, STATES, TOOL_ID, _attribution, _phases
from pipeline.records import Document, Segment

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


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
    metadata=(),
) -> bytes:
    """XLIFF 1.2 for one document.

    `segments`: pipeline.records.Segment; `original`: the article's file name;
    `notes_of(segment)`: the notes (glossary terms, findings) of a segment;
    `location_of(segment)`: (file, line) in the article, or None; `date`: ISO 8601."""
    ET.register_namespace("", NS_12)
    root = ET.Element(_q("xliff"), version="1.2")
    attributes = {
        "original": original,
        "source-language": "fr",
        "target-language": "en",
        "datatype": "plaintext",
        "tool-id": TOOL_ID,
    }
    if date:
        attributes["date"] = date
    file = ET.SubElement(root, _q("file"), attributes)
    header = ET.SubElement(file, _q("header"))
    phases = _phases(segments)
    if phases:
        group = ET.SubElement(header, _q("phase-group"))
        for (reviewer, when), name in phases.items():
            phase = {"phase-name": name, "process-name": "review", "tool-id": TOOL_ID}
            if reviewer:
                phase["contact-name"] = _safe(reviewer)
            if when:
                phase["date"] = when
            ET.SubElement(group, _q("phase"), phase)
    ET.SubElement(
        header, _q("tool"), {"tool-id": TOOL_ID, "tool-name": "pipeline",
                             "tool-version": __version__}
    )  # fmt: skip
    for key, value in metadata:
        ET.SubElement(header, _q("note"), {"from": TOOL_ID}).text = _safe(f"{key}: {value}")
    body = ET.SubElement(file, _q("body"))
    for segment in segments:
        origin = segment.origin or ("source" if segment.lang != "fr" else "")
        unit_attributes = {"id": segment.id, "resname": segment.id, _XML_SPACE: "preserve"}
        if segment.lang != "fr":
            unit_attributes["translate"] = "no"
            origin = "source"
        state, qualifier, approved = STATES.get(origin, ("needs-translation", "", False))
        if not segment.en and origin != "source":
            state, qualifier = "needs-translation", ""
        if approved:
            unit_attributes["approved"] = "yes"
        unit = ET.SubElement(body, _q("trans-unit"), unit_attributes)
        ET.SubElement(unit, _q("source"), {_XML_LANG: segment.lang}).text = _safe(segment.fr)
        target = {_XML_LANG: "en", "state": state}
        if qualifier:
            target["state-qualifier"] = qualifier
        phase = phases.get(_attribution(segment))
        if phase and origin in ("review", "approved"):
            target["phase-name"] = phase
        english = segment.en if origin != "source" else (segment.en or segment.fr)
        ET.SubElement(unit, _q("target"), target).text = _safe(english)
        suggestion = getattr(segment, "suggestion", None)
        if suggestion and origin not in ("review", "approved"):
            alt = ET.SubElement(
                unit,
                _q("alt-trans"),
                {
                    "match-quality": f"{float(suggestion['score']):.0f}",
                    "origin": str(suggestion.get("origin") or "memory"),
                },
            )
            ET.SubElement(alt, _q("source"), {_XML_LANG: "fr"}).text = _safe(suggestion["fr"])
            ET.SubElement(alt, _q("target"), {_XML_LANG: "en"}).text = _safe(suggestion["en"])
        engine = f" ({segment.engine})" if segment.engine else ""
        ET.SubElement(unit, _q("note"), {"from": TOOL_ID}).text = _safe(
            f"origin: {origin or 'none'}{engine}"
        )
        for note in notes_of(segment):
            ET.SubElement(unit, _q("note"), {"from": TOOL_ID}).text = _safe(note)
        location = location_of(segment) if location_of else None
        if location:
            group = ET.SubElement(unit, _q("context-group"), purpose="location")
            ET.SubElement(group, _q("context"), {"context-type": "sourcefile"}).text = _safe(
                location[0]
            )
            ET.SubElement(group, _q("context"), {"context-type": "linenumber"}).text = str(
                location[1]
            )
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"



def tmx_bytes(segments: list[Segment], doc: Document, metadata=()) -> bytes:
    """TMX 1.4: one <tu tuid="<id>"> per segment, French and English variants."""
    root = ET.Element("tmx", version="1.4")
    header = ET.SubElement(
        root,
        "header",
        {
            "creationtool": "pipeline",
            "creationtoolversion": __version__,
            "creationdate": source_date(doc).strftime("%Y%m%dT%H%M%SZ"),
            "segtype": "sentence",
            "o-tmf": "pipeline-jsonl",
            "adminlang": "en",
            "srclang": "fr",
            "datatype": "plaintext",
        },
    )
    for key, value in metadata:
        ET.SubElement(header, "prop", type=f"x-{key}").text = xml_safe(value)
    body = ET.SubElement(root, "body")
    for segment in segments:
        attributes = {"tuid": segment.id}
        if segment.reviewed:  # TMX's own attribution: who changed the unit, and when
            attributes["changeid"] = xml_safe(segment.reviewer or "unknown reviewer")
            if tmx_date(segment.reviewed_at):
                attributes["changedate"] = tmx_date(segment.reviewed_at)
        unit = ET.SubElement(body, "tu", attributes)
        # TMX 1.4 order inside <tu>: notes and props, then the variants.
        for hit in segment.terms:
            ET.SubElement(unit, "note").text = xml_safe(term_note(hit))
        for finding in segment.findings:
            ET.SubElement(unit, "note").text = xml_safe(finding_note(finding))
        suggestion = segment.suggestion if not segment.reviewed else None
        if suggestion:
            ET.SubElement(unit, "note").text = xml_safe(
                suggestion_note(suggestion) + f"; its English: {suggestion['en']}"
            )
        ET.SubElement(unit, "prop", type="x-origin").text = segment.origin or "none"
        if segment.engine:
            ET.SubElement(unit, "prop", type="x-engine").text = xml_safe(segment.engine)
        if segment.reviewed:
            ET.SubElement(unit, "prop", type="x-version").text = str(segment.version)
        if suggestion:
            for name in ("score", "fr", "en"):
                value = suggestion[name]
                prop = ET.SubElement(unit, "prop", type=f"x-suggestion-{name}")
                prop.text = xml_safe(f"{value:.0f}" if name == "score" else str(value))
        if segment.lang != "fr":
            # An English line of the article (a title above the French one): written as
            # English only, never as a French source a CAT tool would pair with itself.
            ET.SubElement(unit, "prop", type="x-source-lang").text = segment.lang
            variant = ET.SubElement(unit, "tuv", {_XML_LANG: "en"})
            ET.SubElement(variant, "seg").text = xml_safe(segment.en or segment.fr)
            continue
        for lang, text in (("fr", segment.fr), ("en", segment.en)):
            variant = ET.SubElement(unit, "tuv", {_XML_LANG: lang})
            ET.SubElement(variant, "seg").text = xml_safe(text)
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"



def memory_tmx_bytes(units: list[MemoryUnit], creation_date: str) -> bytes:
    """TMX 1.4 of the reviewed and approved units of a run: what OmegaT, memoQ or
    Trados import as a translation memory."""
    root = ET.Element("tmx", version="1.4")
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
    ET.SubElement(root, "header", header)
    body = ET.SubElement(root, "body")
    for unit in units:
        attributes = {"tuid": unit.tuid}
        if unit.changeid:
            attributes["changeid"] = _safe(unit.changeid)
        if unit.changedate:
            attributes["changedate"] = unit.changedate
        tu = ET.SubElement(body, "tu", attributes)
        ET.SubElement(tu, "prop", type="x-origin").text = unit.origin
        if unit.document:
            ET.SubElement(tu, "prop", type="x-document").text = _safe(unit.document)
        for language, text in (("fr", unit.fr), ("en", unit.en)):
            tuv = ET.SubElement(tu, "tuv", {_XML_LANG: language})
            ET.SubElement(tuv, "seg").text = _safe(text)
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"
