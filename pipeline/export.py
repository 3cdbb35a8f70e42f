"""Writing the aligned outputs of a document, and reading its JSONL back.

Five files per document in the output folder (DESIGN.md, "Files a user sees"):
`<doc>.jsonl`, `<doc>.po`, `<doc>.tmx`, `<doc>.html` and `<doc>.en.md`, and a Word
article's English copy `<doc>.en.docx`. All of them are
rendered in memory first, then written to temporary files and renamed into place
together (pipeline.fileio.writes_together), so a run stopped part-way leaves the
outputs as they were.
"""

from __future__ import annotations

import html
import json
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from pipeline import __version__, fileio, glossary
from pipeline.corpus import ARTICLE_SUFFIXES, read_document
from pipeline.errors import PipelineError
from pipeline.fileio import atomic_write_bytes, writes_together
from pipeline.inputs import escape_name
from pipeline.records import Document, Finding, Segment, TermHit

OUTPUT_SUFFIXES = (".jsonl", ".po", ".tmx", ".html", ".en.md")
# Severities of findings that need a human: their PO entries are marked fuzzy.
NEEDS_REVIEW = ("error", "warning")
# Characters XML 1.0 forbids; they cannot appear in TMX or HTML, even escaped.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# --- JSONL -------------------------------------------------------------------------


def segment_record(segment: Segment, doc: Document) -> dict:
    start, end = segment.fr_raw
    return {
        "id": segment.id,
        "doc": segment.doc,
        "paragraph": segment.paragraph,
        "sentence": segment.sentence,
        "fr_raw": doc.raw[start:end],
        "fr_raw_span": [start, end],
        "fr": segment.fr,
        "en": segment.en,
        "lang": segment.lang,
        "engine": segment.engine,
        "origin": segment.origin,
        "hash": segment.text_hash,
        "terms": [
            {"source": t.source, "target": t.target, "ok": t.ok, "start": t.start, "end": t.end}
            for t in segment.terms
        ],
        "findings": [asdict(f) for f in segment.findings],
    }


# Line breaks other than \n that json.dumps(ensure_ascii=False) leaves raw in a string; a
# reader splitting lines the Unicode way (str.splitlines) would cut a record at them.
_JSONL_ESCAPES = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def jsonl_line(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False).translate(_JSONL_ESCAPES) + "\n"


def jsonl_text(segments: list[Segment], doc: Document) -> str:
    return "".join(jsonl_line(segment_record(s, doc)) for s in segments)


def jsonl_bytes(segments: list[Segment], doc: Document) -> bytes:
    """jsonl_text in UTF-8, encoded a line at a time (a text of many non-Latin-1
    characters would take two or four bytes a character whole)."""
    return b"".join(jsonl_line(segment_record(s, doc)).encode("utf-8") for s in segments)


def segment_from_record(record: dict) -> Segment:
    """The Segment a JSONL object describes (the inverse of segment_record)."""
    if not isinstance(record, dict):
        raise ValueError("expected a JSON object")
    for name in ("doc", "paragraph", "sentence", "fr"):
        if name not in record:
            raise ValueError(f"missing field {name!r}")
    span = record.get("fr_raw_span") or [0, 0]
    segment = Segment(
        doc=str(record["doc"]),
        paragraph=int(record["paragraph"]),
        sentence=int(record["sentence"]),
        fr=str(record["fr"]),
        fr_raw=(int(span[0]), int(span[1])),
        lang=str(record.get("lang") or "fr"),
        en=str(record.get("en") or ""),
        engine=str(record.get("engine") or ""),
        origin=str(record.get("origin") or ""),
    )
    if "id" in record and record["id"] != segment.id:
        raise ValueError(f"id {record['id']!r} does not match doc, paragraph and sentence")
    for term in record.get("terms") or []:
        start = term.get("start")
        if start is None:  # a hand-written term without a span: find it in the French
            start = max(segment.fr.find(term["source"]), 0)
        end = term.get("end", start + len(term["source"]))
        segment.terms.append(
            TermHit(term["source"], term["target"], int(start), int(end), term.get("ok"))
        )
    for finding in record.get("findings") or []:
        segment.findings.append(Finding(**finding))
    return segment


def read_jsonl(path: Path) -> list[Segment]:
    """The segments of a `<doc>.jsonl` written by write_document (and maybe edited since)."""
    path = Path(path)
    lines = fileio.read_utf8(path).split("\n")  # records hold no raw \n
    segments = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            segments.append(segment_from_record(json.loads(line)))
        except (ValueError, TypeError, KeyError) as err:
            raise PipelineError(f"{path}:{number}: not a segment record: {err}") from err
    return segments


# --- shared helpers ----------------------------------------------------------------


def source_location(segment: Segment, doc: Document) -> tuple[str, int]:
    """(`folder/file`, 1-based line) of the segment in the raw article; the same
    whichever folder the run started from."""
    # Names escaped (pipeline.inputs.escape_name): a PO reference holds no newline.
    file = escape_name(doc.path.name)
    name = f"{escape_name(doc.path.parent.name)}/{file}" if doc.path.parent.name else file
    return name, doc.raw.count("\n", 0, segment.fr_raw[0]) + 1


def needs_review(segment: Segment) -> bool:
    """A finding a human must look at, on a segment no reviewer has fixed yet."""
    if segment.origin == "review":
        return False
    return any(f.severity in NEEDS_REVIEW for f in segment.findings)


def term_note(hit: TermHit) -> str:
    state = {True: "ok", False: "MISSING in the English", None: "not checked"}[hit.ok]
    return f"glossary: {hit.source} → {hit.target} ({state})"


def finding_note(finding: Finding) -> str:
    note = f"{finding.severity} [{finding.check}]: {finding.message}"
    return f"{note} ({finding.evidence})" if finding.evidence else note


def xml_safe(text: str) -> str:
    return _XML_ILLEGAL.sub("\ufffd", text)


def source_date(doc: Document) -> datetime:
    """The article's modification time, so re-running on the same input writes the same
    files; the current time when the article is not on disk."""
    try:
        return datetime.fromtimestamp(doc.path.stat().st_mtime, UTC)
    except OSError:
        return datetime.fromtimestamp(time.time(), UTC)


def document_metadata(doc: Document) -> list[tuple[str, str]]:
    """(field, value) of what the reader found: format, title, author, date (one line each)."""
    fields = [
        ("format", doc.source_format),
        ("title", doc.title),
        ("author", doc.author),
        ("date", doc.date),
    ]
    return [(key, " ".join(str(value).split())) for key, value in fields if value]


# --- PO ----------------------------------------------------------------------------


def po_text(segments: list[Segment], doc: Document) -> str:
    """A gettext catalogue: msgctxt = segment id, msgid = French, msgstr = English."""
    import polib

    catalogue = polib.POFile(wrapwidth=0)
    catalogue.metadata = {
        "Project-Id-Version": f"{doc.name}",
        "Report-Msgid-Bugs-To": "",
        "POT-Creation-Date": source_date(doc).strftime("%Y-%m-%d %H:%M+0000"),
        "PO-Revision-Date": source_date(doc).strftime("%Y-%m-%d %H:%M+0000"),
        "Last-Translator": "pipeline (machine translation)",
        "Language-Team": "English",
        "Language": "en",
        "X-Source-Language": "fr",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
        "X-Generator": f"pipeline {__version__}",
        **{f"X-Source-{key.title()}": value for key, value in document_metadata(doc)},
    }
    for segment in segments:
        origin = segment.origin or "none"
        notes = [f"origin: {origin} ({segment.engine})" if segment.engine else f"origin: {origin}"]
        if segment.lang != "fr":
            notes.append(f"source line in {segment.lang}: passed through, not translated")
        notes += [term_note(t) for t in segment.terms]
        notes += [finding_note(f) for f in segment.findings]
        entry = polib.POEntry(
            msgctxt=segment.id,
            msgid=segment.fr,
            msgstr=segment.en,
            occurrences=[source_location(segment, doc)],
            comment="\n".join(notes),
            flags=["fuzzy"] if needs_review(segment) else [],
        )
        catalogue.append(entry)
    return catalogue.__unicode__()


# --- TMX ---------------------------------------------------------------------------

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def tmx_bytes(segments: list[Segment], doc: Document) -> bytes:
    """TMX 1.4: one <tu tuid="<id>"> per segment, French and English variants."""
    root = ET.Element("tmx", version="1.4")
    ET.SubElement(
        root,
        "header",
        {
            "creationtool": "pipeline",
            "creationtoolversion": __version__,
            "creationdate": source_date(doc).strftime("%Y%m%dT%H%M%SZ"),
            "segtype": "sentence",
            "o-tmf": "pipeline-jsonl",
            "adminlang": "en",
            "srclang": "fr",
            "datatype": "plaintext",
        },
    )
    body = ET.SubElement(root, "body")
    for segment in segments:
        unit = ET.SubElement(body, "tu", tuid=segment.id)
        # TMX 1.4 order inside <tu>: notes and props, then the variants.
        for hit in segment.terms:
            ET.SubElement(unit, "note").text = xml_safe(term_note(hit))
        for finding in segment.findings:
            ET.SubElement(unit, "note").text = xml_safe(finding_note(finding))
        ET.SubElement(unit, "prop", type="x-origin").text = segment.origin or "none"
        if segment.engine:
            ET.SubElement(unit, "prop", type="x-engine").text = xml_safe(segment.engine)
        if segment.lang != "fr":
            ET.SubElement(unit, "prop", type="x-source-lang").text = segment.lang
        for lang, text in (("fr", segment.fr), ("en", segment.en)):
            variant = ET.SubElement(unit, "tuv", {_XML_LANG: lang})
            ET.SubElement(variant, "seg").text = xml_safe(text)
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"


# --- HTML --------------------------------------------------------------------------

HTML_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 1.5em 2em; color: #1d1d1d; }
header { position: sticky; top: 0; background: #fff; padding: .6em 0;
  border-bottom: 1px solid #ccc; }
h1 { font-size: 1.25em; margin: 0 0 .2em; }
.legend span { margin-right: 1em; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th, td { vertical-align: top; padding: .35em .6em; text-align: left; }
th { background: #eee; }
col.id { width: 10em; } col.notes { width: 18%; }
tr.segment td { border-top: 1px solid #eee; }
tr.new-paragraph td { border-top: 2px solid #999; }
td.id { font: 12px/1.3 ui-monospace, monospace; color: #555; overflow-wrap: anywhere; }
td.id a { color: inherit; text-decoration: none; }
.origin { display: inline-block; margin-top: .2em; padding: 0 .35em; border-radius: 3px;
  background: #e6e6e6; font-size: 11px; }
tr.reviewed { background: #eef8ee; }
tr.reviewed td.id { box-shadow: inset 4px 0 #2e7d32; }
.origin.reviewed { background: #2e7d32; color: #fff; font-weight: bold; }
tr.passthrough td.fr, tr.passthrough td.en { color: #666; font-style: italic; }
tr.has-error { background: #fdecea; } tr.has-warning { background: #fff7e0; }
mark.term { background: #d7e9ff; border-bottom: 2px solid #1e64c8; padding: 0 1px; }
mark.term.missing { background: #ffd6d6; border-bottom: 2px dashed #c62828; }
.missing-target { color: #c62828; font-size: 12px; display: block; }
ul.findings { margin: 0; padding-left: 1.1em; font-size: 13px; }
li.finding.error { color: #b71c1c; } li.finding.warning { color: #8a5a00; }
li.finding.info { color: #555; }
.check { font-family: ui-monospace, monospace; }
p.document { margin: 0 0 .2em; color: #444; } p.document .field { color: #777; }
"""


def _marked(text: str, spans: list[tuple[int, int, str, str]]) -> str:
    """`text` escaped, with each (start, end, class, title) span wrapped in a <mark>."""
    out, last = [], 0
    for start, end, css, title in sorted(spans):
        if start < last or end <= start:
            continue  # overlapping: keep the first
        out.append(html.escape(text[last:start]))
        out.append(
            f'<mark class="{css}" title="{html.escape(title)}">'
            f"{html.escape(text[start:end])}</mark>"
        )
        last = end
    out.append(html.escape(text[last:]))
    return "".join(out)


def french_cell(segment: Segment) -> str:
    spans = []
    for hit in segment.terms:
        css = "term missing" if hit.ok is False else "term"
        spans.append((hit.start, hit.end, css, term_note(hit)))
    return _marked(segment.fr, spans)


def english_cell(segment: Segment) -> str:
    spans = []
    for hit in segment.terms:
        if not hit.target:
            continue
        # the same whole-word forms as the honoured test: "Russia" is not in "Russian"
        for match in glossary.rendering_pattern(hit.target).finditer(segment.en):
            spans.append((match.start(), match.end(), "term", term_note(hit)))
    cell = _marked(segment.en, spans)
    for hit in segment.terms:
        if hit.ok is False:
            cell += (
                f'<span class="missing-target">missing glossary term: '
                f"{html.escape(hit.target)}</span>"
            )
    return cell


def html_text(segments: list[Segment], doc: Document) -> str:
    """A self-contained review page: one row per segment, French | English."""
    return html_bytes(segments, doc).decode("utf-8")


def html_bytes(segments: list[Segment], doc: Document) -> bytes:
    """html_text in UTF-8, each row encoded as it is made (a 5 MB article's page is 28 MB;
    a copy as text, as rows and as bytes would be three times that)."""
    rows: list[bytes] = []
    previous_paragraph = None
    counts = {"error": 0, "warning": 0, "info": 0}
    for segment in segments:
        classes = ["segment"]
        if segment.paragraph != previous_paragraph:
            classes.append("new-paragraph")
            previous_paragraph = segment.paragraph
        if segment.origin == "review":
            classes.append("reviewed")
        if segment.lang != "fr":
            classes.append("passthrough")
        severities = {f.severity for f in segment.findings}
        for severity in ("error", "warning"):
            if severity in severities:
                classes.append(f"has-{severity}")
                break
        for f in segment.findings:
            counts[f.severity] = counts.get(f.severity, 0) + 1
        anchor = "seg-" + re.sub(r"[^\w-]", "-", segment.id)
        origin = segment.origin or "none"
        origin_title = segment.engine or origin
        findings = "".join(
            f'<li class="finding {html.escape(f.severity)}">'
            f'<span class="check">{html.escape(f.check)}</span>: {html.escape(f.message)}'
            + (f" <q>{html.escape(f.evidence)}</q>" if f.evidence else "")
            + "</li>"
            for f in segment.findings
        )
        row = (
            f'<tr class="{" ".join(classes)}" id="{anchor}" data-id="{html.escape(segment.id)}" '
            f'data-origin="{html.escape(origin)}">'
            f'<td class="id"><a href="#{anchor}">{html.escape(segment.id)}</a><br>'
            f'<span class="origin{" reviewed" * (origin == "review")}" '
            f'title="{html.escape(origin_title)}">'
            f"{'reviewed' if origin == 'review' else html.escape(origin)}</span></td>"
            f'<td class="fr" lang="{html.escape(segment.lang)}">{french_cell(segment)}</td>'
            f'<td class="en" lang="en">{english_cell(segment)}</td>'
            f'<td class="notes">{f"<ul class=findings>{findings}</ul>" if findings else ""}</td>'
            "</tr>"
        )
        rows.append(row.encode("utf-8"))
    reviewed = sum(s.origin == "review" for s in segments)
    title = html.escape(f"{doc.name}: French | English")
    about = "".join(
        f'<span class="{key}"><span class="field">{key}:</span> {html.escape(value)}</span> '
        for key, value in document_metadata(doc)
    )
    about = f'<p class="document">{about}</p>' if about else ""
    summary = html.escape(
        f"{len(segments)} segments, {reviewed} reviewed; findings: "
        f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} notes"
    )
    head = (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{HTML_STYLE}</style>\n</head>\n<body>\n"
        f'<header><h1>{title}</h1>{about}<p class="summary">{summary}</p>'
        '<p class="legend"><span><mark class="term">term</mark> glossary term</span>'
        '<span><mark class="term missing">term</mark> glossary target missing</span>'
        '<span class="origin reviewed">reviewed</span> a reviewer\'s translation</p></header>\n'
        '<table class="segments">\n<colgroup><col class="id"><col class="fr"><col class="en">'
        '<col class="notes"></colgroup>\n'
        '<thead><tr><th>Segment</th><th lang="fr">Français</th><th>English</th>'
        "<th>Findings</th></tr></thead>\n<tbody>\n"
    )
    tail = "\n</tbody>\n</table>\n</body>\n</html>\n"
    return head.encode("utf-8") + b"\n".join(rows) + tail.encode("utf-8")


# --- English article ---------------------------------------------------------------

HEADING_MAX_CHARS = 150


def looks_like_heading(french: str) -> bool:
    """A short line with no final punctuation: a title or a section heading."""
    text = french.strip()
    return (
        0 < len(text) <= HEADING_MAX_CHARS
        and text[-1] not in ".!?…:;,"
        and (text[0].isupper() or text[0].isdigit() or text[0] == "#")
    )


def english_article(segments: list[Segment], doc: Document | None = None) -> str:
    """The English text, one paragraph per French paragraph, in Markdown.

    Lines that were English in the source (a title above the French one) are left out:
    the article holds the translation of the French title instead. A paragraph that is
    one short sentence without final punctuation is a heading: `# ` for the first one
    (the title), `## ` for the others.
    """
    paragraphs: dict[int, list[Segment]] = {}
    for s in segments:
        if s.lang == "fr":
            paragraphs.setdefault(s.paragraph, []).append(s)
    blocks = []
    has_title = False
    for parts in paragraphs.values():
        text = " ".join(s.en.strip() for s in parts if s.en.strip())
        if not text:
            continue
        if len(parts) == 1 and looks_like_heading(parts[0].fr) and not text.startswith("#"):
            text = ("## " if has_title else "# ") + text
            has_title = True
        blocks.append(text)
    about = article_byline(doc) if doc is not None else ""
    if about:
        blocks.insert(1 if has_title and blocks else 0, about)
    return "\n\n".join(blocks) + "\n"


def article_byline(doc: Document) -> str:
    """The French original's author, date and title, under the English title (Markdown)."""
    parts = [escape_markdown(doc.author)] if doc.author else []
    if doc.date:
        parts.append(escape_markdown(doc.date))
    if doc.title:
        parts.append(f"original title: «{escape_markdown(doc.title)}»")
    return f"*{' · '.join(parts)}*" if parts else ""


def escape_markdown(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", " ".join(text.split()))


# --- writing -----------------------------------------------------------------------


def renderers(doc: Document) -> dict[str, Callable[[Document, list[Segment]], bytes]]:
    """The outputs of a document, by suffix: each a function making its bytes."""
    found = {
        ".jsonl": lambda d, s: jsonl_bytes(s, d),
        ".po": lambda d, s: po_text(s, d).encode("utf-8"),
        ".tmx": lambda d, s: tmx_bytes(s, d),
        ".html": lambda d, s: html_bytes(s, d),
        ".en.md": lambda d, s: english_article(s, d).encode("utf-8"),
    }
    if doc.source_format == "docx" and doc.blocks and doc.path.is_file():
        found[".en.docx"] = lambda d, s: english_copy(d, s)[".en.docx"]
    return found


def render_document(doc: Document, segments: list[Segment]) -> dict[str, bytes]:
    """Every output of the document, by suffix, before anything is written."""
    return {suffix: render(doc, segments) for suffix, render in renderers(doc).items()}


def english_copy(doc: Document, segments: list[Segment]) -> dict[str, bytes]:
    """`.en.docx` for a Word article whose file is still there: the same paragraphs and
    styles, in English (pipeline/formats/docx.py)."""
    if doc.source_format != "docx" or not doc.blocks or not doc.path.is_file():
        return {}
    from pipeline.formats import docx

    try:
        return {".en.docx": docx.english_docx(doc, segments)}
    except ValueError as err:
        raise PipelineError(f"cannot write the English copy of {doc.path}: {err}") from err


def write_document(out_dir: Path, doc: Document, segments: list[Segment]) -> list[Path]:
    """Write the five outputs of a document: all five are replaced together or none is
    (inside the runner's writes_together block, together with every other output)."""
    out_dir = Path(out_dir)
    written = []
    with writes_together():
        # One output at a time, each staged before the next is made: a 5 MB article's
        # outputs are 110 MB, and making them all first would hold them all at once.
        for suffix, render in renderers(doc).items():
            path = out_dir / f"{doc.name}{suffix}"
            atomic_write_bytes(path, render(doc, segments))
            written.append(path)
    return written


# --- The document behind a JSONL (for `pipeline check`) ---------------------------


def jsonl_document(path: Path, corpus_dir: Path | None = None) -> Document:
    """The Document a `<doc>.jsonl` was made from, so its outputs can be written again.

    The corpus file when it is there and still holds every segment's `fr_raw` at its span;
    otherwise the raw text rebuilt from the `fr_raw` pieces, each at its span.
    """
    path = Path(path)
    name = path.name.removesuffix(".jsonl")
    pieces = []
    try:
        for line in path.read_text(encoding="utf-8").split("\n"):
            if line.strip():
                r = json.loads(line)
                start, end = r["fr_raw_span"]
                pieces.append((int(start), int(end), str(r["fr_raw"]), r["paragraph"]))
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as err:
        raise PipelineError(f"{path}: cannot read the segments' source text: {err}") from err
    if corpus_dir is not None:
        for suffix in ARTICLE_SUFFIXES:
            source = Path(corpus_dir) / f"{name}{suffix}"
            if source.is_file():
                doc = read_document(source)
                if all(doc.raw[start:end] == piece for start, end, piece, _ in pieces):
                    return doc
    # Rebuild: each piece at its span; a newline between paragraphs, a space elsewhere.
    raw = [" "] * max((end for _, end, _, _ in pieces), default=0)
    previous = None
    for start, end, piece, paragraph in sorted(pieces):
        if previous is not None and paragraph != previous and start > 0:
            raw[start - 1] = "\n"
        if len(piece) == end - start:
            raw[start:end] = piece
        previous = paragraph
    return Document(name=name, path=path, raw="".join(raw))
