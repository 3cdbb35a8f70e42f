"""Writing the aligned outputs of a document (the export stage).

Six files per document in the output folder (DESIGN.md, "Files a user sees"):
`<doc>.jsonl`, `<doc>.po`, `<doc>.xlf`, `<doc>.tmx`, `<doc>.html` and `<doc>.en.md` (and a
Word article's English copy `<doc>.en.docx`), each
rendered by its format's module in pipeline/formats (writer and reader together). Each
is streamed into a temporary file a piece at a time (never held whole), and all are
renamed into place together (pipeline.fileio.writes_together), so a run stopped part-way
leaves the outputs as they were.

The formats' functions are importable from here too (`export.po_text`...), as they
were before they moved, for code that calls them by that name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.fileio import atomic_write_bytes, writes_together
from pipeline.formats import (  # noqa: F401 (the names this module had before the move)
    NEEDS_REVIEW,
    finding_note,
    latest_review,
    needs_review,
    review_note,
    source_date,
    source_location,
    suggestion_note,
    term_note,
    xml_safe,
)
from pipeline.formats.html import (  # noqa: F401
    english_cell,
    french_cell,
    html_bytes,
    html_chunks,
    html_text,
)
from pipeline.formats.jsonl import (  # noqa: F401
    jsonl_bytes,
    jsonl_chunks,
    jsonl_document,
    jsonl_line,
    jsonl_text,
    read_jsonl,
    segment_from_record,
    segment_record,
)
from pipeline.formats.markdown import english_article, looks_like_heading  # noqa: F401
from pipeline.formats.po import (  # noqa: F401
    MACHINE_TRANSLATOR,
    PO_REVIEW_CONVENTION,
    PO_REVIEW_HEADER,
    po_chunks,
    po_text,
)
from pipeline.formats.tmx import tmx_bytes, tmx_chunks, tmx_date  # noqa: F401
from pipeline.formats.xliff import xliff_document, xliff_document_chunks  # noqa: F401
from pipeline.records import Document, Segment

Chunks = Iterable[bytes]  # a file's bytes, a piece at a time

OUTPUT_SUFFIXES = (".jsonl", ".po", ".xlf", ".tmx", ".html", ".en.md")


def renderers(doc: Document) -> dict[str, Callable[[Document, list[Segment]], bytes]]:
    """The outputs of a document, by suffix: each a function making its bytes (and a Word
    article's English copy `<doc>.en.docx`, while its file is there)."""
    import functools

    return {
        suffix: functools.partial(_joined, render)
        for suffix, render in streamed_renderers(doc).items()
    }


def _joined(render, doc: Document, segments: list[Segment]) -> bytes:
    return b"".join(render(doc, segments))


def streamed_renderers(doc: Document) -> dict[str, Callable[[Document, list[Segment]], Chunks]]:
    """renderers, each giving its file's bytes a piece at a time: written to the temporary
    file as they come, so no output of a big article is ever held whole (a 5 MB article's
    outputs are 130 MB; its XLIFF as a tree was some 150 MB more)."""
    found = {
        ".jsonl": lambda d, s: jsonl_chunks(s, d),
        ".po": lambda d, s: po_chunks(s, d),
        ".xlf": lambda d, s: xliff_document_chunks(s, d),
        ".tmx": lambda d, s: tmx_chunks(s, d),
        ".html": lambda d, s: html_chunks(s, d),
        ".en.md": lambda d, s: [english_article(s, d).encode("utf-8")],
    }
    if doc.source_format == "docx" and doc.blocks and doc.path.is_file():
        found[".en.docx"] = lambda d, s: [english_docx(d, s)]
    return found


def english_docx(doc: Document, segments: list[Segment]) -> bytes:
    """The Word article's English copy: the same paragraphs and styles (formats/docx.py)."""
    from pipeline.formats import docx

    try:
        return docx.english_docx(doc, segments)
    except ValueError as err:
        raise PipelineError(f"cannot write the English copy of {doc.path}: {err}") from err


def render_document(doc: Document, segments: list[Segment]) -> dict[str, bytes]:
    """Every output of the document, by suffix, before anything is written."""
    return {suffix: render(doc, segments) for suffix, render in renderers(doc).items()}


def write_document(
    out_dir: Path, doc: Document, segments: list[Segment], digests: dict | None = None
) -> list[Path]:
    """Write the outputs of a document (OUTPUT_SUFFIXES): all are replaced together or none is
    (inside the runner's writes_together block, together with every other output).
    `digests`, when given, receives each path's sha256 (the review store's record of what
    the pipeline wrote, so a person's later edit is told apart)."""
    out_dir = Path(out_dir)
    written = []
    with writes_together():
        # One output at a time, each streamed into its temporary file (the digest made on
        # the way): a 5 MB article's outputs are 130 MB, and none is held whole.
        for suffix, render in streamed_renderers(doc).items():
            path = out_dir / f"{doc.name}{suffix}"
            digest = hashlib.sha256()
            atomic_write_bytes(path, _hashed(render(doc, segments), digest))
            written.append(path)
            if digests is not None:
                digests[path] = digest.hexdigest()
    return written


def _hashed(chunks: Chunks, digest) -> Iterator[bytes]:
    for chunk in chunks:
        digest.update(chunk)
        yield chunk
