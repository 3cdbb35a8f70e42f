"""Reading the corpus folder: which files are articles, and how they are decoded."""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.records import Document

ARTICLE_SUFFIXES = (".txt", ".md")


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """Return (text, encoding): UTF-8 (with or without BOM), else Windows-1252."""
    if b"\0" in data[:8192]:
        raise PipelineError(f"{path}: binary file, not a text article")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def read_document(path: Path) -> Document:
    try:
        data = path.read_bytes()
    except OSError as err:
        raise PipelineError(f"{path}: cannot read: {err.strerror}") from err
    text, encoding = decode(data, path)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Document(name=path.stem, path=path, raw=text, encoding=encoding)


def read_corpus(folder: Path) -> list[Document]:
    folder = Path(folder)
    if not folder.is_dir():
        raise PipelineError(f"corpus folder {folder} does not exist")
    paths = sorted(p for p in folder.iterdir() if p.suffix in ARTICLE_SUFFIXES and p.is_file())
    if not paths:
        raise PipelineError(f"corpus folder {folder} holds no .txt or .md article")
    return [read_document(p) for p in paths]
