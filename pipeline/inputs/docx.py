"""Word files (.docx): read by pipeline/formats/docx.py, which writes their English copy too."""

from __future__ import annotations

from pipeline.formats import docx as docx_format
from pipeline.inputs import NotAnArticle, document_name
from pipeline.records import Document


def read_docx_file(path) -> Document:
    try:
        found = docx_format.read_docx(path)
    except ValueError as err:
        raise NotAnArticle(str(err)) from None
    return Document(
        name=document_name(path),
        path=path,
        raw=found["raw"],
        encoding="docx",
        source_format="docx",
        title=found["title"],
        author=found["author"],
        date=found["date"],
        blocks=found["blocks"],
    )
