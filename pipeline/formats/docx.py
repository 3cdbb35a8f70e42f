"""Word files (.docx, python-docx): the reader of a French article, and the writer of its
English copy `<doc>.en.docx`.

Reading: the body's paragraphs in order, a table's cells (left to right, top to bottom,
a merged cell once) as paragraphs of their own, a heading (style `Title`, `Heading N`) as
a Markdown heading (`# `, `## `...), which the cleaner reads as structure. Each paragraph
is one block of the text (`Document.blocks`, its span), empty paragraphs left out.

Writing: the French file again, each paragraph's text replaced by the English of the
segments that start in its block, in the paragraph's own style and its first run's
character formatting; a paragraph the cleaner dropped (furniture) is left as it was,
one whose text joined the paragraph before it (a paragraph cut mid-sentence) is emptied.
"""

from __future__ import annotations

import bisect
import io
from collections.abc import Iterator, Sequence
from pathlib import Path

from pipeline.records import Document, Segment


def _paragraphs(container) -> Iterator:
    """The paragraphs of a document body or a table cell, in reading order, tables' cells
    included (a merged cell once)."""
    from docx.table import Table

    for item in container.iter_inner_content():
        if isinstance(item, Table):
            seen = set()
            for row in item.rows:
                for cell in row.cells:
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    yield from _paragraphs(cell)
        else:
            yield item


def heading_level(paragraph) -> int:
    """1 for a title, N for `Heading N`, 0 for any other paragraph."""
    style = paragraph.style
    while style is not None:
        name = (style.name or "").lower()
        if name == "title":
            return 1
        if name.startswith("heading"):
            digits = "".join(ch for ch in name if ch.isdigit())
            return min(int(digits), 6) if digits else 1
        style = style.base_style
    return 0


def _open(path: Path):
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        return docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as err:
        raise ValueError(f"not a Word .docx file ({err})") from err
    except Exception as err:  # a damaged zip or XML: lxml and zipfile raise their own
        raise ValueError(f"not a readable Word .docx file ({type(err).__name__})") from err


def _text_paragraphs(document) -> list[tuple[object, str]]:
    """(paragraph, its text as one line) of every paragraph with text, in order."""
    found = []
    for paragraph in _paragraphs(document):
        text = " ".join(paragraph.text.replace("\t", " ").split("\n"))  # <w:br/> is a space
        if text.strip():
            found.append((paragraph, text))
    return found


def read_docx(path: Path) -> dict:
    """raw text, blocks (spans of raw), title, author, date of a Word file."""
    document = _open(path)
    pieces, blocks, position = [], [], 0
    for paragraph, text in _text_paragraphs(document):
        level = heading_level(paragraph)
        block = ("#" * level + " " + text.strip()) if level else text
        if pieces:
            pieces.append("\n\n")
            position += 2
        pieces.append(block)
        blocks.append((position, position + len(block)))
        position += len(block)
    props = document.core_properties
    date = props.created.date().isoformat() if props.created else ""
    return {
        "raw": "".join(pieces),
        "blocks": blocks,
        "title": (props.title or "").strip(),
        "author": (props.author or "").strip(),
        "date": date,
    }


def english_by_block(blocks: Sequence[tuple[int, int]], segments: Sequence[Segment]):
    """For each block: the English of the segments starting in it; "" when a segment that
    started before covers it; None when no segment touches it (the cleaner dropped it)."""
    starts = [start for start, _ in blocks]
    english: list[list[str]] = [[] for _ in blocks]
    touched = [False] * len(blocks)
    for s in segments:
        start, end = s.fr_raw
        at = bisect.bisect_right(starts, start) - 1
        if at < 0:
            at = 0
        if s.en.strip():
            english[at].append(s.en.strip())
        touched[at] = True
        follow = at + 1
        while follow < len(blocks) and blocks[follow][0] < end:
            touched[follow] = True
            follow += 1
    return [" ".join(parts) if hit else None for parts, hit in zip(english, touched, strict=True)]


def _replace_text(paragraph, text: str) -> None:
    """The paragraph's text replaced, keeping its style and its first run's formatting."""
    from docx.oxml.ns import qn
    from docx.text.run import Run

    p = paragraph._p
    keep = next((r for r in p.iterchildren(qn("w:r")) if r.find(qn("w:t")) is not None), None)
    for child in list(p):
        if child is keep or child.tag == qn("w:pPr"):
            continue
        if child.tag in (
            qn("w:r"),
            qn("w:hyperlink"),
            qn("w:ins"),
            qn("w:smartTag"),
            qn("w:fldSimple"),
            qn("w:sdt"),
        ):
            p.remove(child)
    if keep is None:
        paragraph.add_run(text)
    else:
        Run(keep, paragraph).text = text


def english_docx(doc: Document, segments: Sequence[Segment]) -> bytes:
    """The English copy of a Word article (see the module's docstring)."""
    document = _open(doc.path)
    paragraphs = _text_paragraphs(document)
    if len(paragraphs) != len(doc.blocks):
        raise ValueError(f"{doc.path} changed since it was read")
    for (paragraph, _), english in zip(
        paragraphs, english_by_block(doc.blocks, segments), strict=True
    ):
        if english is not None:
            _replace_text(paragraph, english)
    props = document.core_properties
    props.language = "en"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
