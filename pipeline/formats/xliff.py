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
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from pipeline import __version__
from pipeline.errors import PipelineError
from pipeline.formats import Entry, finding_note, source_date, source_location, term_note
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

    def notes(segment: Segment) -> list[str]:
        found = [term_note(t) for t in segment.terms] + [finding_note(f) for f in segment.findings]
        if segment.lang != "fr":
            found.insert(0, f"source line in {segment.lang}: passed through, not translated")
        return found

    return xliff_bytes(
        segments,
        source_location(segments[0], doc)[0] if segments else doc.path.name,
        notes,
        lambda segment: source_location(segment, doc),
        source_date(doc).strftime("%Y-%m-%dT%H:%M:%SZ"),
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
