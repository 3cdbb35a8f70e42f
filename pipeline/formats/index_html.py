"""`translations/index.html`: the run's documents, for a reader without the review server.

One self-contained page (no script, its style inline): each document with its segment
count, reviewed and remaining, findings by severity and links to its static review page
and other outputs, then the run's report.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from pipeline.fileio import atomic_write_text
from pipeline.records import Segment

STYLE = (
    "body{font:15px/1.45 system-ui,sans-serif;margin:1.5rem;color:#1f2328}"
    "table{border-collapse:collapse}th,td{border-bottom:1px solid #d8dce3;padding:.3rem .6rem;"
    "text-align:left}td.n{text-align:right}.error{color:#b42318}.warning{color:#7a5700}"
)
LINKED = (
    (".html", "review page"),
    (".po", "PO"),
    (".tmx", "TMX"),
    (".xlf", "XLIFF"),
    (".en.md", "English"),
)


def document_row(name: str, segments: Sequence[Segment]) -> str:
    french = [s for s in segments if s.lang == "fr"]
    reviewed = sum(s.origin in ("review", "approved") for s in french)
    severities = {"error": 0, "warning": 0, "info": 0}
    for s in segments:
        for f in s.findings:
            severities[f.severity] = severities.get(f.severity, 0) + 1
    links = " · ".join(
        f'<a href="{html.escape(quote(name + suffix))}">{label}</a>' for suffix, label in LINKED
    )
    findings = ", ".join(
        f'<span class="{kind}">{count} {kind}</span>' for kind, count in severities.items()
    )
    return (
        f"<tr><td>{html.escape(name)}</td><td class=n>{len(segments)}</td>"
        f"<td class=n>{reviewed}</td><td class=n>{len(french) - reviewed}</td>"
        f"<td>{findings}</td><td>{links}</td></tr>"
    )


def index_text(documents: Sequence[tuple[str, Sequence[Segment]]]) -> str:
    rows = "\n".join(document_row(name, segments) for name, segments in documents)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>Translations</title>\n"
        f"<style>{STYLE}</style>\n</head>\n<body>\n<h1>Translations</h1>\n"
        "<table>\n<thead><tr><th>Document</th><th>Segments</th><th>Reviewed</th>"
        "<th>Remaining</th><th>Findings</th><th>Files</th></tr></thead>\n<tbody>\n"
        f"{rows}\n</tbody>\n</table>\n"
        '<p>The run\'s report: <a href="report.md">report.md</a> · '
        '<a href="report.json">report.json</a>. To correct and approve in the browser: '
        "<code>pipeline review serve</code>.</p>\n</body>\n</html>\n"
    )


def write_index(out_dir: Path, documents: Sequence[tuple[str, Sequence[Segment]]]) -> list[Path]:
    """Write `<out_dir>/index.html` atomically (with the run's other outputs)."""
    path = Path(out_dir) / "index.html"
    atomic_write_text(path, index_text(documents))
    return [path]
