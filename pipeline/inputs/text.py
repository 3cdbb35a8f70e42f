"""Plain text and Markdown files: decoding, and a Markdown file's front matter.

Decoding is per file, with a fallback per line: a file with a byte-order mark is UTF-8,
UTF-16 or UTF-32 as the mark says; otherwise UTF-8 when every line is; a file some lines
of which are UTF-8 and others not (a Latin-1 paragraph pasted into a UTF-8 article) is
decoded line by line, each line that is not UTF-8 as Windows-1252 (or Latin-1), and each
such line is a fix of the audit; a file with no UTF-8 line at all is one 8-bit encoding.
Line ends become \\n. Markdown's marks are left to the cleaner (its markdown rules), which
treats them as structure, not text.
"""

from __future__ import annotations

import codecs
import logging
import re

from pipeline.inputs import NotAnArticle, display_path, document_name, read_bytes
from pipeline.records import Document, Fix

log = logging.getLogger("pipeline")

# Bytes 0x80–0x9F are printable punctuation in Windows-1252 (’ “ ” – …) but
# control characters in Latin-1: their presence tells the two apart.
_CP1252_ONLY = bytes(range(0x80, 0xA0))
# Byte-order marks, longest first (UTF-32 LE's starts with UTF-16 LE's).
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _eight_bit(data: bytes) -> tuple[str, str]:
    """Text in Windows-1252 when it has bytes only that code page prints, else Latin-1."""
    if any(b in _CP1252_ONLY for b in data):
        try:
            return data.decode("cp1252"), "windows-1252"
        except UnicodeDecodeError as err:
            raise NotAnArticle(f"neither UTF-8 nor Windows-1252 text ({err.reason})") from err
    return data.decode("latin-1"), "latin-1"


def decode_lines(data: bytes) -> tuple[str, str, list[tuple[int, str]]]:
    """(text, encoding, [(line number, encoding)] of the lines decoded otherwise than the
    file). Raises NotAnArticle for a binary file."""
    for bom, codec in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec.removesuffix("-sig"), []
            except UnicodeDecodeError as err:
                raise NotAnArticle(f"not {codec} text despite its byte-order mark") from err
    if b"\0" in data[:65536]:
        raise NotAnArticle("binary file (NUL bytes)")
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    decoded: list[str | None] = []
    utf8_non_ascii = 0
    for line in lines:
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            decoded.append(None)
            continue
        decoded.append(text)
        utf8_non_ascii += not line.isascii()
    if not utf8_non_ascii:  # no UTF-8 line to speak of: the whole file is 8-bit
        text, encoding = _eight_bit(data)
        return text, encoding, []
    fallbacks = []
    for number, (line, text) in enumerate(zip(lines, decoded, strict=True), start=1):
        if text is None:
            text, encoding = _eight_bit(line)
            decoded[number - 1] = text
            fallbacks.append((number, encoding))
    return "\n".join(decoded), "utf-8", fallbacks  # type: ignore[arg-type]


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name) of a text file's bytes (see decode_lines)."""
    text, encoding, _ = decode_lines(data)
    return text, encoding


def line_fixes(text: str, data: bytes, fallbacks: list[tuple[int, str]]) -> list[Fix]:
    """One fix per line decoded otherwise than the file: before, the line as UTF-8 read it."""
    if not fallbacks:
        return []
    fixes, starts, position = [], [0], 0
    for line in text.split("\n"):
        position += len(line) + 1
        starts.append(position)
    raw_lines = data.split(b"\n")
    for number, encoding in fallbacks:
        start, end = starts[number - 1], starts[number] - 1
        shown = raw_lines[number - 1].rstrip(b"\r").decode("utf-8", "replace")
        fixes.append(
            Fix(
                "line_encoding",
                start,
                end,
                shown,
                text[start:end],
                note=f"line {number} is not UTF-8: decoded as {encoding}",
            )
        )
    return fixes


def read_text_file(path, source_format: str = "txt") -> Document:
    data = read_bytes(path)
    try:
        text, encoding, fallbacks = decode_lines(data)
    except NotAnArticle as why:
        raise NotAnArticle(why.reason, path) from None
    if fallbacks:
        numbers = ", ".join(str(n) for n, _ in fallbacks[:5])
        more = f" and {len(fallbacks) - 5} more" if len(fallbacks) > 5 else ""
        log.warning(
            "%s: UTF-8 but for %d line(s) (%s%s), decoded as %s",
            display_path(path),
            len(fallbacks),
            numbers,
            more,
            fallbacks[0][1],
        )
    elif encoding != "utf-8":
        log.warning("%s: not UTF-8; decoded as %s", display_path(path), encoding)
    text = text.replace("\r\n", "\n")  # the same lines, so the fixes' line numbers hold
    fixes = line_fixes(text, data, fallbacks)
    text = text.replace("\r", "\n")  # one for one: the fixes' spans stay true
    return Document(
        name=document_name(path),
        path=path,
        raw=text,
        encoding=encoding,
        source_format=source_format,
        fixes=fixes,
    )


FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<body>.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
FRONT_MATTER_FIELDS = {"title": "title", "author": "author", "authors": "author", "date": "date"}


def read_markdown_file(path) -> Document:
    """A Markdown file; a YAML front matter block (`---` ... `---`) gives the title,
    author and date, and is blanked out of the text (a fix says so)."""
    doc = read_text_file(path, "md")
    m = FRONT_MATTER.match(doc.raw)
    if m is None:
        return doc
    import yaml

    try:
        fields = yaml.safe_load(m.group("body"))
    except yaml.YAMLError:
        return doc  # not front matter after all: leave the text as it is
    if not isinstance(fields, dict):
        return doc
    for key, attribute in FRONT_MATTER_FIELDS.items():
        value = fields.get(key)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        if value is not None and not getattr(doc, attribute):
            setattr(doc, attribute, str(value).strip())
    # Blanked, not cut: the spans of the text after it (and of the fixes) stay true.
    block = doc.raw[: m.end()]
    doc.raw = re.sub(r"[^\n]", " ", block) + doc.raw[m.end() :]
    doc.fixes.insert(0, Fix("front_matter", 0, m.end(), block, "", note="metadata block"))
    return doc
