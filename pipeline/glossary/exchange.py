"""`pipeline glossary export/import`: the glossary in the formats other tools exchange
(CSV and TSV as DeepL and Google take them, TBX-Basic as terminology tools do).

Import reads the whole file and checks it as the YAML loader checks the glossary
(every entry, every problem with its line); then it compares each term with the
glossary: a new source is added, the same term is left alone, and a term whose source
is already there with something else (another target, other variants...) is a conflict.
Conflicts are reported term by term and nothing is changed, unless `--replace` (the
file wins) or `--merge` (the glossary wins; the file's variants and forbidden renderings
are added, empty fields filled) says what wins. A field the file leaves empty (or a
column it does not have, as in DeepL's two-column form) says nothing: it is neither a
conflict nor replaced. The YAML is then edited in place
(pipeline/glossary/edit.py: comments and layout kept) and replaced atomically, only if
the result reads back without a problem.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import fileio
from pipeline.errors import PipelineError
from pipeline.glossary import KINDS, GlossaryProblem, Term, cross_check, read_glossary_text

FORMATS = ("csv", "tsv", "tbx")
_SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".txt": "tsv", ".tbx": "tbx"}
COMPARED = ("target", "variants", "forbidden", "kind", "case_sensitive", "note")


def format_of(path: Path | None, given: str | None) -> str:
    if given:
        return given
    if path is not None and Path(path).suffix.lower() in _SUFFIXES:
        return _SUFFIXES[Path(path).suffix.lower()]
    where = f"{path}: " if path is not None else ""
    raise PipelineError(
        f"{where}cannot tell the format from the file name; give --format ({', '.join(FORMATS)})"
    )


def export_terms(
    terms: list[Term], fmt: str, pair: bool = False, title: str = "glossary"
) -> tuple[bytes, list[str]]:
    """The file's bytes, and what the format cannot hold (named in the export's output)."""
    if fmt == "tbx":
        from pipeline.glossary.tbx import write_tbx

        if pair:
            raise PipelineError("--pair is for CSV and TSV only")
        return write_tbx(terms, title)
    from pipeline.glossary.tabular import write_table

    text, losses = write_table(terms, fmt, pair)
    return text.encode("utf-8"), losses


def read_terms(
    path: Path, fmt: str, notices: list[str] | None = None
) -> tuple[list[Term], list[GlossaryProblem]]:
    """The terms of an exchange file and every problem, checked as the YAML loader does;
    entries that are not French→English terms (a TBX concept without French) go to
    `notices`."""
    path = Path(path)
    if not path.is_file():
        raise PipelineError(f"{path}: no such file")
    if fmt == "tbx":
        from pipeline.glossary.tbx import read_tbx

        try:
            data = path.read_bytes()
        except OSError as err:
            raise PipelineError(fileio.describe_os_error(err, path)) from err
        terms, problems = read_tbx(data, str(path), notices)
    else:
        from pipeline.glossary.tabular import read_table

        terms, problems = read_table(fileio.read_utf8(path), str(path), fmt)
    for term in terms:
        problems += term_problems(term, str(path))
    problems += cross_check(terms, str(path))
    problems.sort(key=lambda p: p.line)
    return terms, problems


def term_problems(term: Term, path: str) -> list[GlossaryProblem]:
    """The problems of one term the YAML loader would find in its fields."""
    found = []

    def problem(message: str) -> None:
        found.append(GlossaryProblem(path, term.line, term.source or "?", message))

    if not term.source.strip():
        problem("source is empty")
    if not term.target.strip():
        problem("target is empty")
    if term.kind and term.kind not in KINDS:
        problem(f"unknown kind {term.kind!r} (one of {', '.join(KINDS)})")
    for name in ("variants", "forbidden"):
        if any(not item.strip() for item in getattr(term, name)):
            problem(f"{name} holds an empty text")
    return found


@dataclass
class ImportPlan:
    """What an import does to the glossary, term by term."""

    added: list[Term] = field(default_factory=list)
    changed: list[tuple[Term, Term]] = field(default_factory=list)  # (before, after)
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)  # one line per conflicting term
    kept: list[str] = field(default_factory=list)  # with --merge: what of the file lost
    skipped: list[str] = field(default_factory=list)  # entries not French→English terms


def given(term: Term) -> list[str]:
    """The fields an imported term says something about: an empty cell, a column the
    file does not have (DeepL's two columns) or a TBX without notes says nothing."""
    return [name for name in COMPARED if getattr(term, name)]


def differences(ours: Term, theirs: Term) -> list[str]:
    out = []
    for name in given(theirs):
        a, b = getattr(ours, name), getattr(theirs, name)
        if a != b:
            out.append(f"{name} {a!r} here, {b!r} in the file")
    return out


def plan_import(
    existing: list[Term], imported: list[Term], mode: str | None, path: str, glossary: str
) -> ImportPlan:
    """Compare each imported term with the glossary; `mode` is None, 'replace' or 'merge'."""
    plan = ImportPlan()
    by_source = {t.source: t for t in existing}
    by_folded = {t.source.casefold(): t for t in existing}
    for term in imported:
        ours = by_source.get(term.source) or by_folded.get(term.source.casefold())
        if ours is None:
            plan.added.append(term)
            continue
        diffs = differences(ours, term)
        if not diffs:
            plan.unchanged += 1
            continue
        where = f"{path}:{term.line}: term '{term.source}' ({glossary}:{ours.line})"
        if mode is None:
            plan.conflicts.append(f"{where}: " + "; ".join(diffs))
        elif mode == "replace":
            new = copy.deepcopy(ours)
            for name in given(term):
                setattr(new, name, copy.deepcopy(getattr(term, name)))
            plan.changed.append((ours, new))
        else:
            merged = copy.deepcopy(ours)
            for name in ("variants", "forbidden"):
                items = getattr(merged, name)
                items += [i for i in getattr(term, name) if i not in items]
            for name in ("kind", "note"):
                if not getattr(merged, name):
                    setattr(merged, name, getattr(term, name))
            lost = [
                d for d in differences(merged, term) if not d.startswith(("variants", "forbidden"))
            ]
            if lost:
                plan.kept.append(f"{where}: kept the glossary's " + "; ".join(lost))
            if merged != ours:
                plan.changed.append((ours, merged))
            else:
                plan.unchanged += 1
    return plan


def import_file(glossary_path: Path, path: Path, fmt: str, mode: str | None = None) -> ImportPlan:
    """Import an exchange file into the glossary YAML (see the module's docstring).

    Raises PipelineError, changing nothing, when an entry is invalid, a term conflicts
    (without a mode), or the result would not be a sound glossary."""
    from pipeline.glossary.edit import _read, edit_terms_text

    glossary_path, path = Path(glossary_path), Path(path)
    skipped: list[str] = []
    imported, problems = read_terms(path, fmt, skipped)
    if problems:
        raise ImportProblems(problems, f"{path}: {len(problems)} problem(s); nothing imported")
    text = _read(glossary_path)
    existing, own = read_glossary_text(text, str(glossary_path))
    if own:
        raise PipelineError(f"{own[0]} (fix the glossary before importing into it)")
    plan = plan_import(existing, imported, mode, str(path), str(glossary_path))
    plan.skipped = skipped
    if plan.conflicts:
        raise ImportProblems(
            plan.conflicts,
            f"{len(plan.conflicts)} term(s) of {path} conflict with {glossary_path}; nothing "
            "imported (--replace: the file wins; --merge: the glossary wins, the file's "
            "variants and forbidden renderings are added)",
        )
    if not plan.added and not plan.changed:
        return plan
    changes = {before.source: after for before, after in plan.changed}
    result = edit_terms_text(text, str(glossary_path), changes=changes, additions=plan.added)
    fileio.atomic_write_text(glossary_path, result)
    return plan


class ImportProblems(PipelineError):
    """An import refused: the lines to show (one per problem), then the summary."""

    def __init__(self, lines, summary: str):
        super().__init__(summary)
        self.lines = [str(line) for line in lines]
