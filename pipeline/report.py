"""The findings report of a run: `<out>/report.md` for people, `<out>/report.json` for tools.

Both hold what made the run (engine, glossary and its sha256, date), the run counts
(segments, where their English came from, adding up; cleaning fixes by rule), the outputs
left by articles no longer in the corpus, and every finding of the checks; the Markdown
puts a summary table first, then each check's findings, worst first, each with its
segment id. Everything taken from the articles is escaped, so rendering the Markdown
shows their HTML as text, never runs it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC
from pathlib import Path

from pipeline.checks import CHECKS, SEVERITIES, SEVERITY_RANK
from pipeline.fileio import atomic_write_text
from pipeline.formats import reading_summary
from pipeline.inputs import display_path
from pipeline.records import Document, Finding, Fix, Segment


@dataclass
class RunInfo:
    """What made the outputs: the engine, the glossary (path and sha256 of its bytes),
    when; the articles of the run, and those whose outputs are left from earlier runs."""

    engine: str = ""
    glossary: str = ""
    glossary_sha256: str = ""  # "" when there was no glossary file
    date: str = ""  # ISO 8601, UTC
    documents: list[str] = field(default_factory=list)
    stale_documents: list[str] = field(default_factory=list)


def glossary_sha256(path: Path) -> str:
    import hashlib

    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""


def utc_now() -> str:
    from datetime import datetime

    return datetime.now(UTC).isoformat(timespec="seconds")


OUTPUT_SUFFIXES = (".jsonl", ".po", ".xlf", ".tmx", ".html", ".en.md", ".en.docx")


def stale_documents(out_dir: Path, current: Sequence[str]) -> list[str]:
    """The documents with a `.jsonl` in `out_dir` that are not among `current`: outputs of
    articles removed from (or renamed in) the corpus since the run that wrote them."""
    names = {p.name.removesuffix(".jsonl") for p in Path(out_dir).glob("*.jsonl")}
    return sorted(names - set(current))


def current_jsonl(out_dir: Path) -> list[Path]:
    """The `.jsonl` outputs of the last run's articles, in order: what readers of an output
    folder (review status and import, pipeline check) take as current. Those of articles
    the last run did not have (its report.json lists them) are left out; without a report
    (or an older one), every `.jsonl` counts."""
    out_dir = Path(out_dir)
    paths = sorted(out_dir.glob("*.jsonl"))
    try:
        run = json.loads((out_dir / "report.json").read_text(encoding="utf-8")).get("run", {})
        stale = set(run.get("stale_documents", []))
    except (OSError, ValueError, AttributeError):
        return paths
    return [p for p in paths if p.name.removesuffix(".jsonl") not in stale]


@dataclass
class RunCounts:
    segments: int = 0
    from_engine: int = 0
    from_memory: int = 0
    reviewed: int = 0
    english_lines: int = 0  # English in the source, passed through untranslated
    untranslated: int = 0  # any other (French left without English)
    fixes_by_rule: dict[str, int] = field(default_factory=dict)


def run_counts(segments: Sequence[Segment], fixes: Sequence[Fix]) -> RunCounts:
    origins = Counter("english" if s.lang != "fr" else s.origin for s in segments)
    counts = RunCounts(
        segments=len(segments),
        from_engine=origins["engine"],
        from_memory=origins["memory"],
        reviewed=origins["review"] + origins["approved"],
        english_lines=origins["english"],
        fixes_by_rule=dict(sorted(Counter(f.rule for f in fixes).items())),
    )
    counts.untranslated = counts.segments - (
        counts.from_engine + counts.from_memory + counts.reviewed + counts.english_lines
    )
    return counts


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
    info: RunInfo | None = None,
    documents: Sequence[Document] = (),
) -> str:
    from pipeline.formats.jsonl import finding_record

    findings = ordered(findings, segments)
    data = {
        "run": asdict(info or RunInfo()),
        "counts": asdict(counts),
        "findings_by_severity": {
            sev: sum(f.severity == sev for f in findings) for sev in SEVERITIES
        },
        "findings_by_check": summary(findings),
        "findings": [finding_record(f) for f in findings],
        "fixes": [asdict(f) for f in fixes],
    }
    if documents:
        data["documents"] = [document_record(doc) for doc in documents]
    # indent: json's pure-Python encoder, the report's costliest part: made once
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def md(text: str) -> str:
    """Text shown as is in Markdown: special characters escaped, on one line."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def md_code(text: str, pad: bool = True) -> str:
    """A code span that survives backticks inside the text: its fence is longer than the
    longest run of backticks in it, so nothing inside (HTML included) escapes the span."""
    text = " ".join(str(text).split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    space = " " if pad or longest or not text else ""  # keeps a fence off a backtick inside
    return f"{fence}{space}{text}{space}{fence}"


def report_markdown(
    findings: Sequence[Finding],
    segments: Sequence[Segment],
    counts: RunCounts,
    fixes: Sequence[Fix] = (),
    info: RunInfo | None = None,
) -> str:
    findings = ordered(findings, segments)
    severities = Counter(f.severity for f in findings)
    info = info or RunInfo()
    lines = [
        "# Findings report",
        "",
        f"{len(findings)} findings: "
        + ", ".join(f"{severities[s]} {s}" for s in SEVERITIES)
        + f", over {counts.segments} segments.",
        "",
        "## Run",
        "",
        *run_lines(info),
        "| segments | from engine | from memory | reviewed | English lines kept | untranslated |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {counts.segments} | {counts.from_engine} | {counts.from_memory} | "
        f"{counts.reviewed} | {counts.english_lines} | {counts.untranslated} |",
        "",
        *stale_lines(info),
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
            where = md_code(f.segment, pad=False) if f.segment else "corpus"
            line = f"- **{f.severity}** {where}: {md(f.message)}"
            if f.evidence:
                line += f"  \n  {md_code(f.evidence)}"
            lines.append(line)
    lines += fixes_section(fixes)
    return "\n".join(lines) + "\n"


def run_lines(info: RunInfo) -> list[str]:
    """Engine, glossary and date, as list items."""
    if not (info.engine or info.glossary or info.date):
        return []
    glossary = (
        f"{md_code(info.glossary, pad=False)} (sha256 `{info.glossary_sha256}`)"
        if info.glossary_sha256
        else f"{md_code(info.glossary, pad=False)} (no such file: no terms)"
    )
    return [
        f"- Engine: {md(info.engine) or 'none'}",
        f"- Glossary: {glossary}",
        f"- Date: {info.date}",
        "",
    ]


def stale_lines(info: RunInfo) -> list[str]:
    """The outputs of articles no longer in the corpus: left as they were, not current."""
    if not info.stale_documents:
        return []
    names = ", ".join(md_code(name, pad=False) for name in info.stale_documents)
    return [
        f"Outputs of {len(info.stale_documents)} article(s) no longer in the corpus, left "
        f"as they were and not counted as current (review status, review import and "
        f"pipeline check leave them out): {names}. Delete their files, or put the "
        "article back in the corpus.",
        "",
    ]


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
            f"- {md_code(f.doc, pad=False)} {md(f.rule)} {f.start}–{f.end}: "
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
    if name.startswith("clean."):  # a cleaning rule's finding: the rule's one-line summary
        from pipeline.clean import RULES_BY_NAME

        rule = RULES_BY_NAME.get(name.removeprefix("clean."))
        return rule.summary if rule else ""
    check = CHECKS.get(name)
    doc = (check.__doc__ or "") if check else ""
    return " ".join(doc.strip().split("\n\n")[0].split())


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
    info: RunInfo | None = None,
    documents: Sequence[Document] = (),
) -> list[Path]:
    """Write `report.md` and `report.json` atomically; return their paths."""
    counts = run_counts(segments, fixes)
    markdown = report_markdown(findings, segments, counts, fixes, info)
    data = report_json(findings, segments, counts, fixes, info, documents)
    if documents:
        head, sep, rest = markdown.partition("\n## Summary\n")
        markdown = head + "\n".join(documents_section(documents)) + "\n" + sep + rest
    written = []
    for name, text in (("report.json", data), ("report.md", markdown)):
        path = Path(out_dir) / name
        atomic_write_text(path, text)
        written.append(path)
    return written
