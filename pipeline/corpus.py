"""Reading the corpus folder: which files are articles, and how they are decoded.

A file that cannot be an article (binary, empty, unreadable) is skipped with a
warning naming it; the run fails only when no article is left. Warnings go to the
`pipeline` logger, which the CLI prints on stderr.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.records import Document

log = logging.getLogger("pipeline")

ARTICLE_SUFFIXES = (".txt", ".md")
# Bytes 0x80–0x9F are printable punctuation in Windows-1252 (’ “ ” – …) but
# control characters in Latin-1: their presence tells the two apart.
_CP1252_ONLY = bytes(range(0x80, 0xA0))


class NotAnArticle(PipelineError):
    """A file in the corpus folder that holds no text to translate."""

    def __init__(self, reason: str, path: Path | None = None):
        super().__init__(f"{path}: {reason}" if path else reason)
        self.reason = reason


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name): UTF-8 with or without BOM, else Windows-1252/Latin-1."""
    if b"\0" in data[:65536]:
        raise NotAnArticle("binary file (NUL bytes)")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    if any(b in _CP1252_ONLY for b in data):
        try:
            return data.decode("cp1252"), "windows-1252"
        except UnicodeDecodeError as err:
            raise NotAnArticle(f"neither UTF-8 nor Windows-1252 text ({err.reason})") from err
    return data.decode("latin-1"), "latin-1"


def read_document(path: Path) -> Document:
    """Read and decode one article; line ends become \\n. Raises NotAnArticle."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise NotAnArticle(f"cannot read: {err.strerror}", path) from err
    try:
        text, encoding = decode(data)
    except NotAnArticle as why:
        raise NotAnArticle(why.reason, path) from None
    if encoding != "utf-8":
        log.warning("%s: not UTF-8; decoded as %s", path, encoding)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise NotAnArticle("empty" if not text else "only white space", path)
    return Document(name=path.stem, path=path, raw=text, encoding=encoding)


def article_paths(folder: Path) -> list[Path]:
    """The article files of a folder (not its sub-folders), by name; others are reported."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as err:
        raise PipelineError(f"corpus folder {folder}: {err.strerror}") from err
    paths, ignored = [], []
    for entry in entries:
        path = Path(entry.path)
        try:
            is_file = entry.is_file()  # follows symlinks; a loop raises ELOOP
        except OSError as err:
            log.warning("%s: skipped: %s", path, err.strerror)
            continue
        if not is_file:
            if os.path.islink(path) and not path.exists():
                log.warning("%s: skipped: broken or looping symbolic link", path)
            continue
        if path.suffix.lower() in ARTICLE_SUFFIXES and not entry.name.startswith("."):
            paths.append(path)
        else:
            ignored.append(entry.name)
    if ignored:
        shown = ", ".join(ignored[:5]) + (
            f" and {len(ignored) - 5} more" if len(ignored) > 5 else ""
        )
        log.warning(
            "%s: ignored %d file(s) that are not .txt or .md: %s", folder, len(ignored), shown
        )
    return paths


def read_corpus(folder: Path) -> list[Document]:
    folder = Path(folder)
    if not folder.exists():
        raise PipelineError(f"corpus folder {folder} does not exist")
    if not folder.is_dir():
        raise PipelineError(f"corpus {folder} is not a folder")
    documents: list[Document] = []
    by_name: dict[str, Path] = {}
    for path in article_paths(folder):
        try:
            doc = read_document(path)
        except NotAnArticle as why:
            log.warning("%s: skipped: %s", path, why.reason)
            continue
        if ":" in doc.name:
            # segment ids are <doc>:<paragraph>:<sentence>, so a colon would make them ambiguous
            raise PipelineError(f"{path}: a ':' in an article's name is not allowed; rename it")
        if doc.name in by_name:
            raise PipelineError(
                f"{path} and {by_name[doc.name]} would write the same outputs; rename one"
            )
        by_name[doc.name] = path
        documents.append(doc)
    if not documents:
        raise PipelineError(f"corpus folder {folder} holds no readable .txt or .md article")
    return documents
