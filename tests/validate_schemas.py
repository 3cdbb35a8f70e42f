"""Validate files against the schemas kept in tests/schemas, offline.

    python3 tests/validate_schemas.py translations/*.xlf glossary.tbx

`.xlf`/`.xliff`: the OASIS XLIFF 1.2 (transitional) or 2.0 schema, by the file's version;
`.tbx`: the TBX-Basic RELAX NG schema, and the termNote values the TBX-Basic Schematron
permits (its XSLT 2 rules cannot run in lxml; their permitted values are read from it).
The XLIFF schemas import http://www.w3.org/2001/xml.xsd: answered from the local copy,
nothing is downloaded. Prints one line per file; exits 1 if one is invalid.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from lxml import etree

SCHEMAS = Path(__file__).resolve().parent / "schemas"
TBX_NS = "urn:iso:std:iso:30042:ed-2"


class LocalSchemas(etree.Resolver):
    """The XLIFF schemas import http://www.w3.org/2001/xml.xsd: the local copy answers."""

    def resolve(self, url, public_id, context):
        if url.endswith("xml.xsd"):
            return self.resolve_filename(str(SCHEMAS / "xml.xsd"), context)
        if url.startswith(("http:", "https:", "ftp:")):
            raise ValueError(f"the schema asked for {url}: nothing may be downloaded")
        return None  # a local file: lxml reads it


def xml_schema(name: str) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(LocalSchemas())
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name), parser))


def tbx_permitted_values() -> dict[str, set[str]]:
    """termNote type → the values the TBX-Basic Schematron permits."""
    rules = (SCHEMAS / "TBX-Basic_DCA.sch").read_text(encoding="utf-8")
    allowed = {}
    for kind in ("administrativeStatus", "termType", "partOfSpeech"):
        rule = re.search(rf"termNote\[@type='{kind}'\]\">\s*<assert test=\"([^\"]+)\"", rules)
        allowed[kind] = set(re.findall(r"\.='([^']+)'", rule.group(1)))
    return allowed


def problems(path: Path) -> list[str]:
    document = etree.parse(str(path), etree.XMLParser(no_network=True, resolve_entities=False))
    root = document.getroot()
    if path.suffix.lower() == ".tbx":
        rng = etree.RelaxNG(etree.parse(str(SCHEMAS / "TBXcoreStructV03_TBX-Basic_integrated.rng")))
        found = [str(e) for e in rng.error_log] if not rng.validate(document) else []
        allowed = tbx_permitted_values()
        for note in root.iter(f"{{{TBX_NS}}}termNote"):
            kind = note.get("type")
            if kind in allowed and note.text not in allowed[kind]:
                found.append(f"{path}:{note.sourceline}: termNote {kind} {note.text!r} is not "
                             "permitted by TBX-Basic")  # fmt: skip
        return found
    name = (
        "xliff-core-2.0.xsd"
        if root.get("version", "").startswith("2")
        else "xliff-core-1.2-transitional.xsd"
    )
    schema = xml_schema(name)
    return [] if schema.validate(document) else [str(e) for e in schema.error_log]


def main(paths: list[str]) -> int:
    failed = 0
    for name in paths:
        found = problems(Path(name))
        print(f"{name}: {'valid' if not found else 'INVALID'}")
        for line in found:
            print(f"  {line}")
        failed += bool(found)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
