"""TMX 1.4: reading a translator's memory (any TMX with French and English variants), and
the run-wide memory of reviewed units (`translations/<name>.tmx`).

Reading streams the file (lxml iterparse, each `<tu>` dropped once read), so a memory of
hundreds of thousands of units costs little memory. A unit's text is its `<seg>`'s with
inline codes that hold native markup (`bpt`, `ept`, `it`, `ph`, `ut`) left out and `hi`
kept. Languages are matched by their primary subtag (`fr-FR`, `FR`, `fr_CA` are French);
a unit without both a French and an English variant is skipped and counted.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import __version__
from pipeline.errors import PipelineError

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


# --- writing ---------------------------------------------------------------------------


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
