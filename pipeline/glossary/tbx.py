"""The glossary as TBX-Basic (ISO 30042:2019, the TBX-Basic dialect, DCA style).

One `conceptEntry` per term. Mapping (what a terminology tool shows):

- source → the French `termSec` with administrativeStatus `preferredTerm-admn-sts`;
  each variant → a French `termSec`, `admittedTerm-admn-sts`;
- target → the English `termSec`, `preferredTerm-admn-sts`; each forbidden rendering →
  an English `termSec`, `deprecatedTerm-admn-sts`;
- kind acronym / phrase → termNote `termType` `acronym` / `phrase` on the French and
  English preferred terms; person, place, organization, keep have no TBX-Basic data
  category: they are written as a concept `<note>kind: person</note>`;
- case_sensitive → a concept `<note>case_sensitive: true</note>` (no data category);
- note → a concept `<note>`.

The two `kind:` / `case_sensitive:` notes are read back by this module, so a round trip
YAML → TBX → YAML is whole; another tool shows them as notes. The reader also takes
TBX 2008 (`martif`, `termEntry`/`langSet`/`tig`), as MultiTerm and older tools export.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from pipeline.glossary import KINDS, GlossaryProblem, Term

NAMESPACE = "urn:iso:std:iso:30042:ed-2"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
PREFERRED = "preferredTerm-admn-sts"
ADMITTED = "admittedTerm-admn-sts"
DEPRECATED = "deprecatedTerm-admn-sts"
SUPERSEDED = "supersededTerm-admn-sts"
TERM_TYPES = {"acronym": "acronym", "phrase": "phrase"}  # kind → termType
_NOTE_FIELD = re.compile(r"(kind|case_sensitive):\s*(\S+)\s*")
SCHEMA_PI = (
    '<?xml-model href="https://raw.githubusercontent.com/LTAC-Global/TBX-Basic_dialect/master/'
    'DCA/TBXcoreStructV03_TBX-Basic_integrated.rng" type="application/xml" '
    'schematypens="http://relaxng.org/ns/structure/1.0"?>\n'
    '<?xml-model href="https://raw.githubusercontent.com/LTAC-Global/TBX-Basic_dialect/master/'
    'DCA/TBX-Basic_DCA.sch" type="application/xml" '
    'schematypens="http://purl.oclc.org/dsdl/schematron"?>\n'
)


def write_tbx(terms: list[Term], title: str = "glossary") -> tuple[bytes, list[str]]:
    """The glossary as TBX-Basic, and what TBX-Basic cannot hold as a data category."""
    ET.register_namespace("", NAMESPACE)
    q = _qualify
    root = ET.Element(q("tbx"), {"type": "TBX-Basic", "style": "dca", _XML_LANG: "en"})
    header = ET.SubElement(ET.SubElement(root, q("tbxHeader")), q("fileDesc"))
    ET.SubElement(
        ET.SubElement(header, q("sourceDesc")), q("p")
    ).text = f"French→English domain glossary ({title}), exported by pipeline"
    body = ET.SubElement(ET.SubElement(root, q("text")), q("body"))
    in_notes = {"kind": 0, "case_sensitive": 0}
    for number, term in enumerate(terms, start=1):
        entry = ET.SubElement(body, q("conceptEntry"), id=f"c{number}")
        if term.note:
            ET.SubElement(entry, q("note")).text = term.note
        if term.kind and term.kind not in TERM_TYPES:
            ET.SubElement(entry, q("note")).text = f"kind: {term.kind}"
            in_notes["kind"] += 1
        if term.case_sensitive:
            ET.SubElement(entry, q("note")).text = "case_sensitive: true"
            in_notes["case_sensitive"] += 1
        term_type = TERM_TYPES.get(term.kind)
        french = ET.SubElement(entry, q("langSec"), {_XML_LANG: "fr"})
        _term_sec(french, term.source, PREFERRED, term_type)
        for variant in term.variants:
            _term_sec(french, variant, ADMITTED)
        english = ET.SubElement(entry, q("langSec"), {_XML_LANG: "en"})
        _term_sec(english, term.target, PREFERRED, term_type)
        for rendering in term.forbidden:
            _term_sec(english, rendering, DEPRECATED)
    ET.indent(root, space="  ")
    data = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        + SCHEMA_PI.encode()
        + ET.tostring(root, encoding="unicode").encode("utf-8")
        + b"\n"
    )
    losses = ["comments and sections of the YAML file"]
    if in_notes["kind"]:
        losses.append(
            f"kinds person/place/organization/keep of {in_notes['kind']} terms (no TBX-Basic "
            "data category: kept as a concept note 'kind: …', which this pipeline reads back)"
        )
    if in_notes["case_sensitive"]:
        losses.append(
            f"case-sensitive flags of {in_notes['case_sensitive']} terms (no TBX-Basic data "
            "category: kept as a concept note 'case_sensitive: true')"
        )
    return data, losses


def _qualify(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _term_sec(lang_sec, text: str, status: str, term_type: str | None = None) -> None:
    sec = ET.SubElement(lang_sec, _qualify("termSec"))
    ET.SubElement(sec, _qualify("term")).text = text
    if term_type:
        ET.SubElement(sec, _qualify("termNote"), type="termType").text = term_type
    ET.SubElement(sec, _qualify("termNote"), type="administrativeStatus").text = status


# --- reading ---------------------------------------------------------------------------

# TBX 2008 (martif) names of the same levels.
_CONCEPT = {"conceptEntry", "termEntry"}
_LANG = {"langSec", "langSet"}
_TERM_SEC = {"termSec", "tig", "ntig"}
_STATUS_2008 = {  # TBX 2008 wrote the status without the suffix
    "preferredTerm": PREFERRED, "admittedTerm": ADMITTED,
    "deprecatedTerm": DEPRECATED, "supersededTerm": SUPERSEDED,
}  # fmt: skip


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def read_tbx(
    data: bytes, path: str, notices: list[str] | None = None
) -> tuple[list[Term], list[GlossaryProblem]]:
    """The terms of a TBX file (TBX-Basic 2019, or TBX 2008) and every problem found.

    A concept with no French or no English term at all (a multilingual termbase holds
    many) is not a French→English term: it is skipped and said in `notices`."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        line = err.lineno or 1
        return [], [GlossaryProblem(path, line, "", f"not well-formed XML: {err.msg}")]
    if _local(root.tag) not in ("tbx", "martif"):
        return [], [GlossaryProblem(path, root.sourceline or 1, "", "not a TBX file "
                                    f"(root <{_local(root.tag)}>, expected <tbx>)")]  # fmt: skip
    problems: list[GlossaryProblem] = []
    terms = []
    for entry in root.iter():
        if _local(entry.tag) in _CONCEPT:
            term = _concept_term(entry, path, problems, notices)
            if term is not None:
                terms.append(term)
    return terms, problems


def _concept_term(
    entry, path: str, problems: list[GlossaryProblem], notices: list[str] | None = None
) -> Term | None:
    line = entry.sourceline or 0
    notes, kind, case_sensitive = [], "", False
    sections: dict[str, list[tuple[str, str, str, int]]] = {"fr": [], "en": []}
    for child in entry:
        name = _local(child.tag)
        if name == "note":
            text = "".join(child.itertext()).strip()
            found = _NOTE_FIELD.fullmatch(text)
            if found and found.group(1) == "kind" and found.group(2) in KINDS:
                kind = found.group(2)
            elif found and found.group(1) == "case_sensitive":
                case_sensitive = found.group(2).casefold() == "true"
            elif text:
                notes.append(text)
        elif name in _LANG:
            language = child.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
            primary = re.split(r"[-_]", language.strip())[0].casefold()
            if primary not in sections:
                continue  # a third language: not part of a French→English glossary
            for sec in child:
                if _local(sec.tag) in _TERM_SEC:
                    sections[primary].append(_term_of(sec))
    label = next((t for t, *_ in sections["fr"] if t), f"concept on line {line}")

    def problem(message: str, at: int = line) -> None:
        problems.append(GlossaryProblem(path, at, label, message))

    if not sections["fr"] or (not sections["en"] and kind != "keep"):
        if notices is not None:
            missing = "French" if not sections["fr"] else "English"
            notices.append(
                f"{path}:{line}: concept {entry.get('id', '')!r} skipped: no {missing} term"
            )
        return None
    french = [s for s in sections["fr"] if s[1] not in (DEPRECATED, SUPERSEDED)]
    if not french or not french[0][0]:
        problem("no French term that is not deprecated")
        return None
    french.sort(key=lambda s: s[1] != PREFERRED)  # the preferred term is the source
    source = french[0][0]
    english = sections["en"]
    preferred = [s for s in english if s[1] not in (DEPRECATED, SUPERSEDED, ADMITTED)]
    admitted = [s for s in english if s[1] == ADMITTED]
    targets = preferred or admitted
    for _term, _status, term_type, _line in french + english:
        if not kind and term_type in TERM_TYPES.values():
            kind = term_type
    if not targets:
        if kind == "keep":
            target = source
        else:
            problem("no English term that is not deprecated")
            return None
    else:
        target = targets[0][0]
        if len(targets) > 1:
            others = ", ".join(repr(t[0]) for t in targets[1:])
            problem(
                f"more than one English term for the concept ({target!r}, {others}): a glossary "
                "term has one target; mark the others admitted or deprecated",
                targets[1][3],
            )
            return None
    for text, _status, _type, at in french + english:
        if not text:
            problem("an empty <term>", at)
            return None
    return Term(
        source,
        target,
        variants=[s[0] for s in french[1:]],
        forbidden=[s[0] for s in english if s[1] in (DEPRECATED, SUPERSEDED)],
        kind=kind,
        case_sensitive=case_sensitive,
        note="\n".join(notes),
        line=line,
    )


def _term_of(sec) -> tuple[str, str, str, int]:
    """(term, administrative status, term type, line) of a termSec / tig / ntig."""
    text, status, term_type = "", "", ""
    for element in sec.iter():
        name = _local(element.tag)
        if name == "term" and not text:
            text = _text(element)
        elif name == "termNote":
            kind = element.get("type", "")
            value = _text(element)
            if kind == "administrativeStatus":
                status = _STATUS_2008.get(value, value)
            elif kind == "termType":
                term_type = value
    return text, status, term_type, sec.sourceline or 0
