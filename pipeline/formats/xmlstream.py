"""XML written a piece at a time, byte for byte as ElementTree writes it (the XLIFF and TMX
writers): `ET.indent(root, space=" ")` then `ET.tostring(root, encoding="UTF-8",
xml_declaration=True)`. A document's tree is never built, so a 5 MB article's 36,000
units cost the memory of one unit, not of a tree of 400,000 elements.

ElementTree's rules kept here: text escapes `& < >`, attribute values `& < > " \\r \\n \\t`
too; attributes in the order given, a namespace declaration before them; an element
with no text and no children is written `<name />`; characters UTF-8 cannot hold (a lone
surrogate) become character references; `indent` puts each child on its own line, one
space deeper than its parent, and leaves the text of an element without children as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>\n"
# Pieces of text are gathered up to this many characters before they are encoded and
# handed on: big enough to cost little per piece, small enough to cost no memory.
CHUNK_CHARS = 1 << 16


def escape_text(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def escape_attribute(text: str) -> str:
    text = escape_text(text)
    if '"' in text:
        text = text.replace('"', "&quot;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    if "\n" in text:
        text = text.replace("\n", "&#10;")
    if "\t" in text:
        text = text.replace("\t", "&#09;")
    return text


def attributes(items: dict[str, str]) -> str:
    return "".join(f' {name}="{escape_attribute(value)}"' for name, value in items.items())


def start(name: str, items: dict[str, str] | None = None) -> str:
    return f"<{name}{attributes(items) if items else ''}>"


def leaf(name: str, items: dict[str, str] | None = None, text: str = "") -> str:
    """An element without children: `<name a="v">text</name>`, or `<name a="v" />`."""
    opening = f"<{name}{attributes(items) if items else ''}"
    return f"{opening}>{escape_text(text)}</{name}>" if text else f"{opening} />"


def indentation(level: int) -> str:
    """What `ET.indent(space=" ")` puts before an element `level` deep (the root is 0)."""
    return "\n" + " " * level


def encoded(pieces: Iterable[str]) -> Iterator[bytes]:
    """The pieces as UTF-8, a chunk at a time (as ElementTree encodes: a character UTF-8
    cannot hold becomes `&#N;`)."""
    gathered: list[str] = []
    size = 0
    for piece in pieces:
        gathered.append(piece)
        size += len(piece)
        if size >= CHUNK_CHARS:
            yield "".join(gathered).encode("utf-8", "xmlcharrefreplace")
            gathered, size = [], 0
    if gathered:
        yield "".join(gathered).encode("utf-8", "xmlcharrefreplace")
