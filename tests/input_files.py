"""Real Word and PDF files for the input tests, built by the tests themselves: python-docx
writes the .docx, fpdf2 (a test dependency) the .pdf with a real text layer, in the DejaVu
font Debian installs with fontconfig (a core PDF font has no ’ or œ)."""

from __future__ import annotations

from pathlib import Path

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def write_docx(path: Path, title: str, body: list[tuple[str, str]], table=None, author=""):
    """A Word file: (style, text) paragraphs in order, then a table of rows of cells."""
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.author = author
    for style, text in body:
        if style.startswith("Heading"):
            document.add_heading(text, level=int(style.split()[-1]))
        elif style == "Title":
            document.add_heading(text, level=0)
        else:
            paragraph = document.add_paragraph(style=style or None)
            first, _, rest = text.partition(" ")
            paragraph.add_run(first + " ").bold = True  # two runs: formatting kept, text whole
            paragraph.add_run(rest)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                grid.cell(r, c).text = text
    document.save(str(path))
    return path


def write_pdf(
    path: Path, pages: list[list[list[str]]], header: str = "", title: str = "", author=""
):
    """A PDF with a text layer: each page a list of paragraphs, each a list of lines (as
    typeset, hyphens included), a running header on top and the page number at the foot."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.add_font("dejavu", "", str(DEJAVU))
    for number, paragraphs in enumerate(pages, start=1):
        pdf.add_page()
        pdf.set_font("dejavu", size=11)
        if header:
            pdf.text(60, 40, header)
        y = 110.0
        for lines in paragraphs:
            for line in lines:
                pdf.text(60, y, line)
                y += 13.5
            y += 14
        pdf.text(290, 810, str(number))
    pdf.output(str(path))
    return path


def write_scanned_pdf(path: Path) -> Path:
    """A PDF whose page is only a picture: no text layer, as a scanner makes it."""
    from fpdf import FPDF
    from PIL import Image

    image = path.with_suffix(".png")
    Image.new("RGB", (200, 100), "white").save(image)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(str(image), x=10, y=10, w=100)
    pdf.output(str(path))
    image.unlink()
    return path


def write_two_column_pdf(path: Path, left: list[str], right: list[str]) -> Path:
    """One page in two columns, each a list of lines (an empty line: a paragraph break),
    the right column's lines level with the left's, as a newspaper sets them."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("dejavu", "", str(DEJAVU))
    pdf.add_page()
    pdf.set_font("dejavu", size=10)
    for x, lines in ((60, left), (320, right)):
        y = 100.0
        for line in lines:
            if line:
                pdf.text(x, y, line)
            y += 12.5 if line else 6
    pdf.output(str(path))
    return path
