"""PDF files with a text layer, read with poppler's `pdftotext -bbox-layout` (Debian
poppler-utils): words with their positions, in poppler's reading order (columns one after
the other), grouped in blocks and lines.

Each block is a paragraph, its lines joined with spaces. What is not the article's text is
removed, each removal a fix (`Document.fixes`):

- pdf_running_header: a line at the top or bottom of a page that recurs (digits aside) at
  the top or bottom of other pages: a running header or footer;
- pdf_page_number: a line at the top or bottom of a page that is only a page number
  (`3`, `- 3 -`, `Page 3`, `3/12`, `Page 3 sur 12`);
- pdf_hyphenation: a word cut at a line end (`coopé-` / `ration`) is joined; the hyphen is
  kept when both halves are French words and their join is not (`nord-` / `coréen`).

A PDF with no text at all (a scan) is refused with one line: no OCR is promised.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field

from pipeline.inputs import NotAnArticle, document_name
from pipeline.records import Document, Fix

TIMEOUT = 300  # seconds for poppler on one file
MARGIN = 0.12  # the top and bottom share of a page where running heads and folios stand
PAGE_NUMBER = re.compile(
    r"(?:page|p\.)?\s*[-–—]?\s*\d{1,4}\s*[-–—]?\s*(?:(?:/|sur|of|de)\s*\d{1,4})?", re.I
)
HYPHENS = "-\u2010\u00ad"
LOWER_START = re.compile(r"[a-zà-öø-ÿœæ]")


@dataclass
class Line:
    text: str
    top: float
    bottom: float


@dataclass
class Block:
    lines: list[Line] = field(default_factory=list)


@dataclass
class Page:
    height: float
    blocks: list[Block] = field(default_factory=list)


def run_poppler(*args: str) -> bytes:
    if shutil.which(args[0]) is None:
        raise NotAnArticle(f"PDF input needs poppler's {args[0]} (Debian package poppler-utils)")
    try:
        done = subprocess.run(args, capture_output=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired as err:
        raise NotAnArticle(f"{args[0]} took more than {TIMEOUT} s") from err
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise NotAnArticle(f"not a readable PDF ({reason[-1] if reason else 'poppler failed'})")
    return done.stdout


def parse_layout(xhtml: bytes) -> list[Page]:
    """Pages, blocks and lines of `pdftotext -bbox-layout` output."""
    from lxml import etree

    root = etree.fromstring(xhtml, etree.XMLParser(recover=True, huge_tree=True))
    ns = "{http://www.w3.org/1999/xhtml}"
    pages = []
    for page in root.iter(f"{ns}page"):
        current = Page(height=float(page.get("height") or 0))
        for block in page.iter(f"{ns}block"):
            lines = []
            for line in block.iter(f"{ns}line"):
                words = [w.text or "" for w in line.iter(f"{ns}word")]
                text = " ".join(w for w in words if w)
                if text.strip():
                    lines.append(
                        Line(text, float(line.get("yMin") or 0), float(line.get("yMax") or 0))
                    )
            if lines:
                current.blocks.append(Block(lines))
        pages.append(current)
    return pages


def _shape(text: str) -> str:
    """A line with its digits blurred: the same running head on every page."""
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def _in_margin(line: Line, page: Page) -> bool:
    if page.height <= 0:
        return False
    return line.bottom <= page.height * MARGIN or line.top >= page.height * (1 - MARGIN)


def margin_lines(page: Page) -> list[tuple[int, int]]:
    """(block, line) indices of the lines in the top or bottom margin of a page."""
    found = []
    for b, block in enumerate(page.blocks):
        for i, line in enumerate(block.lines):
            if _in_margin(line, page):
                found.append((b, i))
    return found


def furniture(pages: list[Page]) -> dict[tuple[int, int, int], str]:
    """(page, block, line) -> rule, for the running heads, feet and page numbers."""
    shapes: dict[str, set[int]] = {}
    margins = [margin_lines(page) for page in pages]
    for p, (page, found) in enumerate(zip(pages, margins, strict=True)):
        for b, i in found:
            shapes.setdefault(_shape(page.blocks[b].lines[i].text), set()).add(p)
    dropped = {}
    for p, (page, found) in enumerate(zip(pages, margins, strict=True)):
        for b, i in found:
            text = page.blocks[b].lines[i].text.strip()
            if PAGE_NUMBER.fullmatch(text) and re.search(r"\d", text):
                dropped[(p, b, i)] = "pdf_page_number"
            elif len(pages) > 1 and len(shapes[_shape(text)]) >= 2:
                dropped[(p, b, i)] = "pdf_running_header"
    return dropped


def keep_hyphen(left: str, right: str) -> bool:
    """A compound cut at its own hyphen (`nord-` / `coréen`): both halves are words and
    their join is not."""
    from pipeline.lexicon import load_lexicon

    lexicon = load_lexicon()
    lw = re.findall(r"[^\W\d_]+$", left)
    rw = re.match(r"[^\W\d_]+", right)
    if not lw or not rw:
        return True
    a, b = lw[0], rw.group()
    return lexicon.is_word(a) and lexicon.is_word(b) and not lexicon.is_word(a + b)


def assemble(pages: list[Page]) -> tuple[str, list[Fix]]:
    """The text (one paragraph per block) and the fixes of what was dropped or joined."""
    dropped = furniture(pages)
    paragraphs: list[str] = []
    fixes: list[Fix] = []
    position = 0  # length of the text so far, separators included

    def separator() -> int:
        return position + (2 if paragraphs else 0)

    for p, page in enumerate(pages):
        for b, block in enumerate(page.blocks):
            text = ""
            pending: list[Fix] = []
            for i, line in enumerate(block.lines):
                rule = dropped.get((p, b, i))
                if rule is not None:
                    at = separator() + len(text)
                    fixes.append(Fix(rule, at, at, line.text, "", note=f"page {p + 1}"))
                    continue
                piece = line.text.strip()
                if not text:
                    text = piece
                    continue
                if text[-1] in HYPHENS and LOWER_START.match(piece) and text[-2:-1].isalpha():
                    left = text[:-1]
                    word_start = len(re.search(r"[^\W\d_]*$", left).group())
                    right_word = re.match(r"\S*", piece).group()
                    hyphen = text[-1] if keep_hyphen(left, piece) and text[-1] == "-" else ""
                    before = left[len(left) - word_start :] + text[-1] + "⏎" + right_word
                    start = len(left) - word_start
                    text = left + hyphen + piece
                    after = text[start : start + word_start + len(hyphen) + len(right_word)]
                    pending.append(Fix("pdf_hyphenation", start, start + len(after), before, after))
                else:
                    text = text + " " + piece
            if not text:
                continue
            base = separator()
            for fix in pending:
                fix.start += base
                fix.end += base
                fix.note = f"page {p + 1}"
            fixes += pending
            paragraphs.append(text)
            position = base + len(text)
    return "\n\n".join(paragraphs), fixes


def metadata(path) -> dict[str, str]:
    try:
        info = run_poppler("pdfinfo", "-isodates", "-enc", "UTF-8", str(path))
    except NotAnArticle:
        return {}
    fields = {}
    for line in info.decode("utf-8", "replace").splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return {
        "title": fields.get("Title", ""),
        "author": fields.get("Author", ""),
        "date": fields.get("CreationDate", "")[:10],
    }


def read_pdf_file(path) -> Document:
    pages = parse_layout(run_poppler("pdftotext", "-bbox-layout", "-enc", "UTF-8", str(path), "-"))
    if not any(page.blocks for page in pages):
        raise NotAnArticle(
            f"PDF with no text layer ({len(pages)} page(s) of images: a scan?); "
            "OCR it first (this pipeline does no OCR)"
        )
    raw, fixes = assemble(pages)
    info = metadata(path)
    return Document(
        name=document_name(path),
        path=path,
        raw=raw,
        encoding="pdf",
        source_format="pdf",
        title=info.get("title", ""),
        author=info.get("author", ""),
        date=info.get("date", ""),
        fixes=fixes,
    )
