"""Readers: one per input kind, each turning a file into a `Document` (DESIGN.md, "read").

A reader gives the text the cleaner starts from (`Document.raw`), the file's metadata
(title, author, date, source format) and, as `Fix` records in `Document.fixes`, what it
dropped or changed on the way (a web page's furniture, a PDF's running headers, a line
that was not UTF-8). A file that holds no text to translate raises NotAnArticle.

The readers are imported only when a file of their kind is read (trafilatura, python-docx
and poppler load lazily).
"""

from __future__ import annotations

import importlib
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.records import Document

# suffix -> (module, function): the reader of each input kind
READERS = {
    ".txt": ("pipeline.inputs.text", "read_text_file"),
    ".md": ("pipeline.inputs.text", "read_markdown_file"),
    ".html": ("pipeline.inputs.html", "read_html_file"),
    ".htm": ("pipeline.inputs.html", "read_html_file"),
    ".docx": ("pipeline.inputs.docx", "read_docx_file"),
    ".pdf": ("pipeline.inputs.pdf", "read_pdf_file"),
}
SUFFIXES = tuple(READERS)
# The reader modules, for the prepared-document cache's fingerprint.
MODULES = tuple(dict.fromkeys(module for module, _ in READERS.values()))


class NotAnArticle(PipelineError):
    """A file in the corpus folder that holds no text to translate."""

    def __init__(self, reason: str, path: Path | None = None):
        super().__init__(f"{display_path(path)}: {reason}" if path else reason)
        self.reason = reason


def escape_name(name: str) -> str:
    """A file name as it appears in ids, output names and messages: always valid UTF-8 text
    on one line. Bytes that are not UTF-8 (which Python keeps as surrogates) and control
    characters (a newline, a tab) become `%XX`, the byte's hex code; nothing else changes."""
    if name.isprintable() and name.isascii():
        return name
    out = []
    for ch in name:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's surrogateescape: one raw byte
            out.append(f"%{code - 0xDC00:02X}")
        elif not ch.isprintable() and ch not in " \u00a0":
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass")))
        else:
            out.append(ch)
    return "".join(out)


def display_path(path: Path | str | None) -> str:
    """A path for a message or an output: its file name escaped as in escape_name."""
    if path is None:
        return ""
    path = Path(path)
    return str(path.parent / escape_name(path.name)) if path.name else escape_name(str(path))


def document_name(path: Path) -> str:
    """The document's name: the file's stem, escaped (escape_name)."""
    return escape_name(Path(path).stem)


def is_readable_kind(path: Path) -> bool:
    return Path(path).suffix.lower() in READERS


def read_bytes(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as err:
        raise NotAnArticle(f"cannot read: {err.strerror}", path) from err


def read_document(path: Path) -> Document:
    """Read one file with the reader of its kind (by suffix). Raises NotAnArticle."""
    path = Path(path)
    kind = READERS.get(path.suffix.lower())
    if kind is None:
        raise NotAnArticle(f"not a kind of file this pipeline reads ({', '.join(SUFFIXES)})", path)
    module, function = kind
    try:
        doc = getattr(importlib.import_module(module), function)(path)
    except NotAnArticle as why:
        if why.args and str(why) == why.reason:  # raised without the path: add it
            raise NotAnArticle(why.reason, path) from None
        raise
    if not doc.raw.strip():
        raise NotAnArticle("empty" if not doc.raw else "only white space", path)
    for fix in doc.fixes:
        fix.doc = doc.name
    return doc
