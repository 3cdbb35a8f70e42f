"""The findings report of a run: `<out>/report.md` for people, `<out>/report.json` for tools.

Both hold the run counts (segments, where their English came from, cleaning fixes by
rule) and every finding of the checks; the Markdown puts a summary table first, then
each check's findings, worst first, each with its segment id.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipeline.checks import CHECKS, SEVERITIES, SEVERITY_RANK
from pipeline.fileio import atomic_write_text
from pipeline.inputs import display_path
from pipeline.records import Document, Finding, Fix, Segment


@dataclass
class RunCounts:
    segments: int = 0
    from_engine: int = 0
    from_memory: int = 0
    reviewed: int = 0
    english_lines: int = 0  # English in the source, passed through untranslated
    fixes_by_rule: dict[str, int] = field(default_factory=dict)


def run_counts(segments: Sequence[Segment], fixes: Sequence[Fix]) -> RunCounts:
    origins = Counter(s.origin for s in segments)
    return RunCounts(
        segments=len(segments),
        from_engine=origins["engine"],
        from_memory=origins["memory"],
        reviewed=origins["review"] + origins["approved"],
        english_lines=sum(1 for s in segments if s.lang != "fr"),
        fixes_by_rule=dict(sorted(Counter(f.rule for f in fixes).items())),
    )


def ordered(findings: Sequence[Finding], segments: Sequence[Segment]) -> list[Finding]:
    """Worst first, then in the order of the segments (corpus-wide findings first)."""
    position = {s.id: i for i, s in enumerate(segments)}
    return sorted(findings, key=lambda f: (SEVERITY_RANK[f.severity], position.get(f.segment, -1)))


def summary(findings: Sequence[Finding]) -> dict[str, dict[str, int]]:
    """Per check (every registered check, and any other found), the count per severity."""
    table = {name: dict.fromkeys(SEVERITIES, 0) for name in CHECKS}
    for f in findings:
        table.setdefault(f.check, dict.fromkeys(SEVERITIES, 0))[f.severity] += 1
    return table


def report_json(
    findings: Sequence[Finding],
    segments: Sequence[Segment],
    counts: RunCounts,
    fixes: Sequence[Fix] = (),
) -> str:
    findings = ordered(findings, segments)
    data = {
        "counts": asdict(counts),
        "findings_by_severity": {
            sev: sum(f.severity == sev for f in findings) for sev in SEVERITIES
        },
        "findings_by_check": summary(findings),
        "findings": [asdict(f) for f in findings],
        "fixes": [asdict(f) for f in fixes],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def md(text: str) -> str:
    """Text shown as is in Markdown: special characters escaped, on one line."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def md_code(text: str) -> str:
    """A code span that survives backticks inside the text."""
    text = " ".join(text.split())
    fence = "``" if "`" in text else "`"
    return f"{fence} {text} {fence}"


def report_markdown(
    findings: Sequence[Finding],
    segments: Sequence[Segment],
    counts: RunCounts,
    fixes: Sequence[Fix] = (),
) -> str:
    findings = ordered(findings, segments)
    severities = Counter(f.severity for f in findings)
    lines = [
        "# Findings report",
        "",
        f"{len(findings)} findings: "
        + ", ".join(f"{severities[s]} {s}" for s in SEVERITIES)
        + f", over {counts.segments} segments.",
        "",
        "## Run",
        "",
        "| segments | from engine | from memory | reviewed | English lines kept |",
        "|---:|---:|---:|---:|---:|",
        f"| {counts.segments} | {counts.from_engine} | {counts.from_memory} | "
        f"{counts.reviewed} | {counts.english_lines} |",
        "",
        "Cleaning fixes by rule: "
        + (
            ", ".join(f"{md(rule)} {n}" for rule, n in counts.fixes_by_rule.items())
            if counts.fixes_by_rule
            else "none"
        )
        + ".",
        "",
        "## Summary",
        "",
        "| check | error | warning | info | what it looks for |",
        "|---|---:|---:|---:|---|",
    ]
    table = summary(findings)
    for name, row in table.items():
        lines.append(
            f"| {name} | {row['error']} | {row['warning']} | {row['info']} | "
            f"{md(_description(name))} |"
        )
    # Sections: the checks with the worst findings first, then the most findings.
    present = [name for name, row in table.items() if sum(row.values())]
    present.sort(key=lambda n: tuple(-table[n][s] for s in SEVERITIES))
    for name in present:
        mine = [f for f in findings if f.check == name]
        lines += ["", f"## {name} ({len(mine)})", ""]
        for f in mine:
            where = f"`{f.segment}`" if f.segment else "corpus"
            line = f"- **{f.severity}** {where}: {md(f.message)}"
            if f.evidence:
                line += f"  \n  {md_code(f.evidence)}"
            lines.append(line)
    lines += fixes_section(fixes)
    return "\n".join(lines) + "\n"


# Fixes that only change white space between paragraphs: counted, not listed one by one.
LAYOUT_RULES = frozenset({"paragraph_breaks"})


def fixes_section(fixes: Sequence[Fix]) -> list[str]:
    """Every cleaning fix: document, rule, span of the raw text, before → after."""
    if not fixes:
        return []
    listed = sorted(
        (f for f in fixes if f.rule not in LAYOUT_RULES), key=lambda f: (f.doc, f.start)
    )
    lines = ["", f"## Cleaning fixes ({len(fixes)})", ""]
    for f in listed:
        lines.append(
            f"- `{f.doc}` {md(f.rule)} {f.start}–{f.end}: "
            f"{md_code(f.before) if f.before.strip() else '(space)'} → "
            f"{md_code(f.after) if f.after.strip() else '(removed)'}"
            + (f" ({md(f.note)})" if f.note else "")
        )
    layout = len(fixes) - len(listed)
    if layout:
        lines.append(
            f"- and {layout} changes of white space between paragraphs (each in report.json)"
        )
    return lines


def _description(name: str) -> str:
    check = CHECKS.get(name)
    doc = (check.__doc__ or "") if check else ""
    return " ".join(doc.strip().split("\n\n")[0].split())


def reading_summary(doc: Document) -> str:
    """What the reader of a document took out or changed, in one line."""
    notes = [f.note for f in doc.fixes if f.rule == "web_page_extraction" and f.note]
    counts = Counter(f.rule for f in doc.fixes if f.rule != "web_page_extraction")
    notes += [f"{rule} {n}" for rule, n in sorted(counts.items())]
    return "; ".join(notes) or "nothing"


def documents_section(documents: Sequence[Document]) -> list[str]:
    """One row per document: its format, the metadata its file gave, what reading it took
    out (a web page's furniture, a PDF's running heads)."""
    if not documents:
        return []
    lines = [
        "",
        "## Documents",
        "",
        "| document | format | title | author | date | reading |",
        "|---|---|---|---|---|---|",
    ]
    for doc in documents:
        cells = (doc.name, doc.source_format, doc.title, doc.author, doc.date)
        lines.append(
            "| " + " | ".join(md(c) for c in cells) + f" | {md(reading_summary(doc))} |"
        )
    return lines


def document_record(doc: Document) -> dict:
    return {
        "name": doc.name,
        "source": display_path(doc.path),
        "format": doc.source_format,
        "encoding": doc.encoding,
        "title": doc.title,
        "author": doc.author,
        "date": doc.date,
        "reading": reading_summary(doc),
    }


def write_report(
    out_dir: Path,
    segments: Sequence[Segment],
    findings: Sequence[Finding],
    fixes: Sequence[Fix] = (),
    documents: Sequence[Document] = (),
) -> list[Path]:
    """Write `report.md` and `report.json` atomically; return their paths."""
    counts = run_counts(segments, fixes)
    markdown = report_markdown(findings, segments, counts, fixes)
    data = report_json(findings, segments, counts, fixes)
    if documents:
        head, sep, rest = markdown.partition("\n## Summary\n")
        markdown = head + "\n".join(documents_section(documents)) + "\n" + sep + rest
        loaded = json.loads(data)
        loaded["documents"] = [document_record(doc) for doc in documents]
        data = json.dumps(loaded, ensure_ascii=False, indent=2) + "\n"
    written = []
    for name, text in (("report.json", data), ("report.md", markdown)):
        path = Path(out_dir) / name
        atomic_write_text(path, text)
        written.append(path)
    return written
