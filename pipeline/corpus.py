"""Reading the corpus folder: which files are articles, and how they are decoded.

A file that cannot be an article (binary, empty, unreadable) is skipped with a
warning naming it; the run fails only when no article is left. Warnings go to the
`pipeline` logger, which the CLI prints on stderr.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from pipeline import inputs
from pipeline.errors import PipelineError
from pipeline.inputs import display_path
from pipeline.records import Document

log = logging.getLogger("pipeline")

ARTICLE_SUFFIXES = inputs.SUFFIXES  # .txt .md .html .htm .docx .pdf
NotAnArticle = inputs.NotAnArticle
read_document = inputs.read_document


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding) of a text file's bytes: see pipeline/inputs/text.py."""
    from pipeline.inputs.text import decode as decode_text

    return decode_text(data)


def article_paths(folder: Path) -> list[Path]:
    """The article files of a folder (not its sub-folders), by name; others are reported."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as err:
        raise PipelineError(f"corpus folder {display_path(folder)}: {err.strerror}") from err
    paths, ignored = [], []
    for entry in entries:
        path = Path(entry.path)
        try:
            is_file = entry.is_file()  # follows symlinks; a loop raises ELOOP
        except OSError as err:
            log.warning("%s: skipped: %s", display_path(path), err.strerror)
            continue
        if not is_file:
            if os.path.islink(path) and not path.exists():
                log.warning("%s: skipped: broken or looping symbolic link", display_path(path))
            continue
        if path.suffix.lower() in ARTICLE_SUFFIXES and not entry.name.startswith("."):
            paths.append(path)
        else:
            ignored.append(inputs.escape_name(entry.name))
    if ignored:
        shown = ", ".join(ignored[:5]) + (
            f" and {len(ignored) - 5} more" if len(ignored) > 5 else ""
        )
        log.warning(
            "%s: ignored %d file(s) that are not %s: %s",
            display_path(folder),
            len(ignored),
            " ".join(ARTICLE_SUFFIXES),
            shown,
        )
    return paths


def corpus_paths(corpus: Path) -> list[Path]:
    """The article files of the corpus: a folder's, or the one file given (an editor with
    a single article)."""
    corpus = Path(corpus)
    if not corpus.exists():
        raise PipelineError(f"corpus folder {display_path(corpus)} does not exist")
    if corpus.is_dir():
        return article_paths(corpus)
    if not inputs.is_readable_kind(corpus):
        raise PipelineError(
            f"corpus {display_path(corpus)} is neither a folder nor a file of a kind this "
            f"pipeline reads ({' '.join(ARTICLE_SUFFIXES)})"
        )
    return [corpus]


def read_corpus(folder: Path) -> list[Document]:
    """Every article of the corpus (a folder, or one file), read by the reader of its kind."""
    folder = Path(folder)
    documents: list[Document] = []
    by_name: dict[str, Path] = {}
    for path in corpus_paths(folder):
        try:
            doc = read_document(path)
        except NotAnArticle as why:
            if not folder.is_dir():
                raise PipelineError(f"{display_path(path)}: {why.reason}") from None
            log.warning("%s: skipped: %s", display_path(path), why.reason)
            continue
        if ":" in doc.name:
            # segment ids are <doc>:<paragraph>:<sentence>, so a colon would make them ambiguous
            raise PipelineError(
                f"{display_path(path)}: a ':' in an article's name is not allowed; rename it"
            )
        if doc.name in by_name:
            raise PipelineError(
                f"{display_path(path)} and {display_path(by_name[doc.name])} would write the "
                "same outputs; rename one"
            )
        by_name[doc.name] = path
        documents.append(doc)
    if not documents:
        raise PipelineError(
            f"corpus folder {display_path(folder)} holds no readable article "
            f"({' '.join(ARTICLE_SUFFIXES)})"
        )
    return documents
