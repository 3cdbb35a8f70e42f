"""HTML: `<doc>.html`, a self-contained review page (French | English, glossary terms
marked in both columns, findings, fuzzy matches), readable from disk with no other file.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from pipeline import glossary
from pipeline.formats import document_metadata, review_note, term_note
from pipeline.records import Document, Segment

SUFFIXES = (".html",)


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
tr.segment { scroll-margin-top: 7em; }
.suggestion-key { border-left: 3px solid #6a3fb5; background: #f3edff; padding: 0 .3em; }
.suggestion { margin-top: .3em; padding: .3em .4em; background: #f3edff; font-size: 13px;
  border-left: 3px solid #6a3fb5; }
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


def suggestion_html(suggestion: dict) -> str:
    """A fuzzy match, shown to the reviewer beside the engine's English (never applied)."""
    return (
        f'<div class="suggestion" data-score="{suggestion["score"]:.0f}">'
        f"<b>Fuzzy match {suggestion['score']:.0f}%</b> "
        f"({html.escape(suggestion.get('origin', 'review'))} of a close French): "
        f'<q lang="en" class="suggestion-en">{html.escape(suggestion["en"])}</q>'
        f'<br><small>earlier French: <q lang="fr" class="suggestion-fr">'
        f"{html.escape(suggestion['fr'])}</q></small></div>"
    )


def html_text(segments: list[Segment], doc: Document) -> str:
    """A self-contained review page: one row per segment, French | English."""
    return html_bytes(segments, doc).decode("utf-8")


def html_bytes(segments: list[Segment], doc: Document) -> bytes:
    """html_text in UTF-8 (html_chunks joined)."""
    return b"".join(html_chunks(segments, doc))


def html_chunks(segments: list[Segment], doc: Document) -> Iterator[bytes]:
    """html_text in UTF-8 a piece at a time, each row encoded as it is made, for a
    streamed write (a 5 MB article's page is 28 MB)."""
    counts = {"error": 0, "warning": 0, "info": 0}
    for segment in segments:
        for f in segment.findings:
            counts[f.severity] = counts.get(f.severity, 0) + 1
    reviewed = sum(s.reviewed for s in segments)
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
        '<span class="origin reviewed">reviewed</span> a reviewer\'s translation '
        '<span class="origin reviewed">approved</span> the machine\'s, approved '
        '<span class="suggestion-key">fuzzy match</span> a close review, offered</p>'
        "</header>\n"
        '<table class="segments">\n<colgroup><col class="id"><col class="fr"><col class="en">'
        '<col class="notes"></colgroup>\n'
        '<thead><tr><th>Segment</th><th lang="fr">Français</th><th>English</th>'
        "<th>Findings</th></tr></thead>\n<tbody>\n"
    )
    yield head.encode("utf-8")
    rows: list[str] = []
    size = 0
    previous_paragraph = None
    for number, segment in enumerate(segments):
        row = _row(segment, new_paragraph=segment.paragraph != previous_paragraph)
        rows.append("\n" + row if number else row)
        previous_paragraph = segment.paragraph
        size += len(rows[-1])
        if size >= CHUNK_CHARS:
            yield "".join(rows).encode("utf-8")
            rows, size = [], 0
    yield ("".join(rows) + "\n</tbody>\n</table>\n</body>\n</html>\n").encode("utf-8")


CHUNK_CHARS = 1 << 16  # rows gathered up to this many characters, then encoded


def _row(segment: Segment, new_paragraph: bool) -> str:
    """One `<tr>` of the review page."""
    classes = ["segment"]
    if new_paragraph:
        classes.append("new-paragraph")
    if segment.reviewed:
        classes.append("reviewed")
    if segment.lang != "fr":
        classes.append("passthrough")
    severities = {f.severity for f in segment.findings}
    for severity in ("error", "warning"):
        if severity in severities:
            classes.append(f"has-{severity}")
            break
    anchor = "seg-" + re.sub(r"[^\w-]", "-", segment.id)
    origin = segment.origin or "none"
    origin_title = review_note(segment) if segment.reviewed else (segment.engine or origin)
    badge = {"review": "reviewed", "approved": "approved"}.get(origin, origin)
    findings = "".join(
        f'<li class="finding {html.escape(f.severity)}">'
        f'<span class="check">{html.escape(f.check)}</span>: {html.escape(f.message)}'
        + (f" <q>{html.escape(f.evidence)}</q>" if f.evidence else "")
        + "</li>"
        for f in segment.findings
    )
    notes = f"<ul class=findings>{findings}</ul>" if findings else ""
    english = english_cell(segment)
    if segment.suggestion and not segment.reviewed:  # offered under the engine's English
        english += suggestion_html(segment.suggestion)
    return (
        f'<tr class="{" ".join(classes)}" id="{anchor}" data-id="{html.escape(segment.id)}" '
        f'data-origin="{html.escape(origin)}" data-version="{segment.version}">'
        f'<td class="id"><a href="#{anchor}">{html.escape(segment.id)}</a><br>'
        f'<span class="origin{" reviewed" * segment.reviewed}" '
        f'title="{html.escape(origin_title)}">'
        f"{html.escape(badge)}</span></td>"
        f'<td class="fr" lang="{html.escape(segment.lang)}">{french_cell(segment)}</td>'
        f'<td class="en" lang="en">{english}</td>'
        f'<td class="notes">{notes}</td>'
        "</tr>"
    )
