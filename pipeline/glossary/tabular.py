"""The glossary as CSV or TSV: the two-column form DeepL, Google and Amazon take, plus
optional columns for what only this pipeline uses.

Written with a header row `source,target,variants,forbidden,kind,case_sensitive,note`
(lists joined with `|`), or with `pair` only the two columns without a header: the file
DeepL's glossary upload and Google's unidirectional glossary accept as they are.

Read: a header row naming the columns (`source`/`target`, DeepL's `source_term`/
`target_term`, or language codes `fr`/`en` as in Google's equivalent-term sets), or no
header: two columns (source, target) or DeepL's four (source, target, fr, en).
"""

from __future__ import annotations

import csv
import difflib
import io

from pipeline.glossary import KINDS, GlossaryProblem, Term

COLUMNS = ("source", "target", "variants", "forbidden", "kind", "case_sensitive", "note")
LIST_SEPARATOR = "|"
# Names other tools give the columns, by the column they are.
ALIASES = {
    "source_term": "source", "term": "source", "french": "source", "fr": "source",
    "target_term": "target", "translation": "target", "english": "target", "en": "target",
    "variant": "variants", "forbid": "forbidden", "case": "case_sensitive",
    "case-sensitive": "case_sensitive", "notes": "note", "comment": "note",
}  # fmt: skip
_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n", ""}
# What the two-column form cannot hold, by field, as the export names it.
PAIR_LOSSES = {
    "variants": "variants (other French forms)",
    "forbidden": "forbidden renderings",
    "kind": "kinds",
    "case_sensitive": "case-sensitive flags",
    "note": "notes",
}


def delimiter_of(fmt: str) -> str:
    return "\t" if fmt == "tsv" else ","


def write_table(terms: list[Term], fmt: str = "csv", pair: bool = False) -> tuple[str, list[str]]:
    """The glossary as CSV/TSV text, and what it could not hold (one line each)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter_of(fmt), lineterminator="\n")
    losses = ["comments and sections of the YAML file"]
    if pair:
        for term in terms:
            writer.writerow([term.source, term.target])
        for name, what in PAIR_LOSSES.items():
            count = sum(bool(getattr(t, name)) for t in terms)
            if count:
                losses.append(f"{what} of {count} terms (use the full form: no --pair)")
        return out.getvalue(), losses
    writer.writerow(COLUMNS)
    for term in terms:
        for item in [*term.variants, *term.forbidden]:
            if LIST_SEPARATOR in item:
                losses.append(f"term '{term.source}': {item!r} holds '|', the list separator")
        writer.writerow(
            [
                term.source,
                term.target,
                LIST_SEPARATOR.join(term.variants),
                LIST_SEPARATOR.join(term.forbidden),
                term.kind,
                "true" if term.case_sensitive else "",
                term.note,
            ]
        )
    return out.getvalue(), losses


def _header(row: list[str]) -> list[str] | None:
    """The columns a header row names, or None when the row is a term."""
    names = []
    for cell in row:
        name = cell.strip().casefold()
        code = name.split("-")[0].split("_")[0]
        names.append(ALIASES.get(name, name if name in COLUMNS else ALIASES.get(code, name)))
    if len(names) >= 2 and names[0] == "source" and names[1] == "target":
        return names
    return None


def read_table(text: str, path: str, fmt: str = "csv") -> tuple[list[Term], list[GlossaryProblem]]:
    """The terms of a CSV/TSV glossary and every problem, with its line."""
    problems: list[GlossaryProblem] = []
    terms: list[Term] = []
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=delimiter_of(fmt))
    columns: list[str] | None = None
    line = 1
    try:
        for number, row in enumerate(reader):
            where, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if number == 0 or columns is None:
                header = _header(row) if number == 0 else None
                if header is not None:
                    unknown = [c for c in header if c not in COLUMNS]
                    for name in unknown:
                        close = difflib.get_close_matches(name, COLUMNS, n=1)
                        hint = f" (did you mean {close[0]!r}?)" if close else ""
                        problems.append(
                            GlossaryProblem(path, where, "", f"unknown column {name!r}{hint}")
                        )
                    columns = header
                    continue
                columns = _headerless(row, path, where, problems)
                if columns is None:
                    return [], problems
            term = _row_term(row, columns, path, where, problems)
            if term is not None:
                terms.append(term)
    except csv.Error as err:
        problems.append(GlossaryProblem(path, line, "", f"not valid {fmt.upper()}: {err}"))
    return terms, problems


def _headerless(row: list[str], path: str, line: int, problems) -> list[str] | None:
    if len(row) == 2:
        return ["source", "target"]
    if len(row) == 4:  # DeepL: source, target, source language, target language
        languages = (row[2].strip().casefold()[:2], row[3].strip().casefold()[:2])
        if languages != ("fr", "en"):
            problems.append(
                GlossaryProblem(
                    path, line, "", f"a {row[2]}→{row[3]} glossary; this one is French→English"
                )
            )
            return None
        return ["source", "target", "source_lang", "target_lang"]
    problems.append(
        GlossaryProblem(
            path,
            line,
            "",
            f"{len(row)} columns and no header row: give source,target (two columns) or a "
            f"header naming the columns ({', '.join(COLUMNS)})",
        )
    )
    return None


def _row_term(row: list[str], columns: list[str], path: str, line: int, problems):
    label = row[0].strip() if row and row[0].strip() else f"line {line}"

    def problem(message: str) -> None:
        problems.append(GlossaryProblem(path, line, label, message))

    if len(row) > len(columns):
        problem(f"{len(row)} cells for {len(columns)} columns")
        return None
    values = dict(zip(columns, (cell.strip() for cell in row), strict=False))
    before = len(problems)
    source, target, kind = (
        values.get("source", ""),
        values.get("target", ""),
        values.get("kind", ""),
    )
    if not source:
        problem("source is empty")
    if kind and kind not in KINDS:
        problem(f"unknown kind {kind!r} (one of {', '.join(KINDS)})")
    if not target:
        if kind == "keep":
            target = source
        else:
            problem("target is empty")
    case = values.get("case_sensitive", "").casefold()
    if case not in _TRUE | _FALSE:
        problem(f"case_sensitive must be true or false, not {values['case_sensitive']!r}")
    lists = {}
    for name in ("variants", "forbidden"):
        cell = values.get(name, "")
        items = [item.strip() for item in cell.split(LIST_SEPARATOR)] if cell else []
        if any(not item for item in items):
            problem(f"{name} holds an empty text (items are separated by '|')")
        lists[name] = items
    if len(problems) > before:
        return None
    return Term(
        source,
        target,
        variants=lists["variants"],
        forbidden=lists["forbidden"],
        kind=kind,
        case_sensitive=case in _TRUE,
        note=values.get("note", ""),
        line=line,
    )
