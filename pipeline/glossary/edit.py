"""`pipeline glossary add/remove`: edit the glossary file in place, keeping what a
terminologist wrote by hand.

The file is not re-serialised. We compose it with PyYAML's safe loader only to learn
on which lines each term sits, then edit those lines as text: `add` inserts the new
term's lines after the last term, `remove` deletes the lines from the term's `- ` to
its last value. Every other line (comments, blank lines, order, quoting, indentation)
stays byte for byte. The result is parsed and checked before it replaces the file,
atomically, so a failed edit leaves the file as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.fileio import atomic_write_text
from pipeline.glossary import KINDS, Term, read_glossary_text

HEADER = "# Domain glossary: French source → English target (see DESIGN.md).\nterms:\n"


@dataclass
class _Layout:
    """Where the `terms:` list and its items sit in the file's lines (0-based)."""

    terms_line: int | None  # the `terms:` key, None when absent
    items: list[tuple[str, int, int]]  # (source, first line, last line) of each item
    dash_indent: str  # what precedes `- ` on an item line
    key_indent: str  # what precedes a key under an item
    flow: bool  # the list is written `[...]` on the key's line


def _layout(text: str, path: str) -> _Layout:
    import yaml

    root = yaml.compose(text, Loader=yaml.SafeLoader)
    lines = text.splitlines()
    if root is None:
        return _Layout(None, [], "  ", "    ", False)
    terms_key = terms_node = None
    for key, value in root.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "terms":
            terms_key, terms_node = key, value
    if terms_key is None:
        return _Layout(None, [], "  ", "    ", False)
    if isinstance(terms_node, yaml.SequenceNode) and terms_node.flow_style:
        if terms_node.value:
            raise PipelineError(
                f"{path}:{terms_key.start_mark.line + 1}: the terms list is written in flow "
                "style ([...]); edit it by hand or write it as a block list"
            )
        return _Layout(terms_key.start_mark.line, [], "  ", "    ", True)
    items = []
    dash_indent, key_indent = "  ", "    "
    for number, item in enumerate(getattr(terms_node, "value", None) or []):
        first = _dash_line(lines, item.start_mark.line, item.start_mark.column)
        last = _last_line(item, lines)
        source = ""
        if isinstance(item, yaml.MappingNode):
            for key, value in item.value:
                if key.value == "source" and isinstance(value, yaml.ScalarNode):
                    source = value.value
            if number == 0 and item.value:
                key_indent = " " * item.value[0][0].start_mark.column
        if number == 0:
            dash_indent = lines[first][: len(lines[first]) - len(lines[first].lstrip())]
        items.append((source, first, last))
    return _Layout(terms_key.start_mark.line, items, dash_indent, key_indent, False)


def _dash_line(lines: list[str], line: int, column: int) -> int:
    """The line of the `-` that opens an item starting at (line, column)."""
    if lines[line][:column].rstrip().endswith("-"):
        return line
    for up in range(line - 1, -1, -1):
        if lines[up].strip().startswith("-"):
            return up
    return line


def _last_line(node, lines: list[str]) -> int:
    """The last line holding part of a node. Its end mark may sit on the next line, and a
    block scalar's (`note: >-`) takes in the blank lines after it: those stay."""
    import yaml

    if isinstance(node, yaml.MappingNode):
        children = [n for pair in node.value for n in pair]
    elif isinstance(node, yaml.SequenceNode) and not node.flow_style:
        children = list(node.value)
    else:
        start, end = node.start_mark, node.end_mark
        last = end.line - 1 if end.column == 0 and end.line > start.line else end.line
        while last > start.line and last < len(lines) and not lines[last].strip():
            last -= 1
        return last
    return max([node.start_mark.line, *(_last_line(c, lines) for c in children)])


def _scalar(value: str) -> str:
    import yaml

    dumped = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10**6)
    return dumped.removesuffix("\n").removesuffix("\n...").strip()


def term_lines(term: Term, dash_indent: str = "  ", key_indent: str = "    ") -> list[str]:
    """The YAML lines of one term, in the order of DESIGN.md, optional fields when set."""
    values: list[tuple[str, str]] = [
        ("source", _scalar(term.source)),
        ("target", _scalar(term.target)),
    ]
    for name in ("variants", "forbidden"):
        items = getattr(term, name)
        if items:
            values.append((name, "[" + ", ".join(_scalar(v) for v in items) + "]"))
    if term.kind:
        values.append(("kind", _scalar(term.kind)))
    if term.case_sensitive:
        values.append(("case_sensitive", "true"))
    if term.note:
        values.append(("note", _scalar(term.note)))
    first, *rest = values
    return [f"{dash_indent}- {first[0]}: {first[1]}"] + [
        f"{key_indent}{key}: {value}" for key, value in rest
    ]


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def add_term_text(text: str, term: Term, path: str = "<glossary>") -> str:
    """The glossary text with the term appended to the terms list."""
    if term.kind and term.kind not in KINDS:
        raise PipelineError(f"unknown kind {term.kind!r} (one of {', '.join(KINDS)})")
    terms, problems = read_glossary_text(text, path)
    if problems:
        raise PipelineError(f"{problems[0]} (fix the file before adding to it)")
    for existing in terms:
        if existing.source == term.source:
            raise PipelineError(
                f"{path}:{existing.line}: term '{term.source}' is already in the glossary; "
                "remove it first or edit the file"
            )
    nl = _newline(text)
    lines = text.splitlines()
    layout = _layout(text, path)
    new = term_lines(term, layout.dash_indent, layout.key_indent)
    if layout.terms_line is None:
        body = text if not text or text.endswith(("\n", "\r")) else text + nl
        result = (body or HEADER.replace("\n", nl)) + ("terms:" + nl if body else "")
        result += nl.join(new) + nl
    else:
        if layout.items:
            at = layout.items[-1][2] + 1
        else:
            at = layout.terms_line + 1
            key_line = lines[layout.terms_line]
            # `terms:`, `terms: []` or `terms: ~`: the key alone on its line, then the items
            lines[layout.terms_line] = key_line[: key_line.index("terms") + len("terms")] + ":"
        lines[at:at] = new
        result = nl.join(lines) + (nl if text.endswith(("\n", "\r")) or not text else "")
    _check_edit(result, path, [t.source for t in terms] + [term.source])
    return result


def remove_term_text(text: str, source: str, path: str = "<glossary>") -> tuple[str, Term]:
    """The glossary text without the term whose source is `source` (exact, else the one
    term equal to it ignoring case), and the term removed."""
    terms, problems = read_glossary_text(text, path)
    broken = [p for p in problems if p.term and p.term.casefold() == source.casefold()]
    if problems and not broken:
        raise PipelineError(f"{problems[0]} (fix the file before removing from it)")
    layout = _layout(text, path)
    matches = [item for item in layout.items if item[0] == source]
    if not matches:
        matches = [item for item in layout.items if item[0].casefold() == source.casefold()]
    if not matches:
        raise PipelineError(f"{path}: no term with source {source!r}")
    if len(matches) > 1:
        where = ", ".join(str(first + 1) for _, first, _ in matches)
        raise PipelineError(f"{path}: several terms have source {source!r} (lines {where})")
    found, first, last = matches[0]
    lines = text.splitlines()
    del lines[first : last + 1]
    nl = _newline(text)
    result = nl.join(lines) + (nl if text.endswith(("\n", "\r")) else "")
    removed = next((t for t in terms if t.source == found), Term(found, ""))
    _check_edit(result, path, [t.source for t in terms if t.source != found])
    return result, removed


def _check_edit(result: str, path: str, expected_sources: list[str]) -> None:
    """Refuse to write an edit whose result does not read back as intended."""
    terms, problems = read_glossary_text(result, path)
    if problems:
        raise PipelineError(f"{problems[0]}; the file was not changed")
    if [t.source for t in terms] != expected_sources:
        raise PipelineError(f"{path}: the edit would not read back as intended; not changed")


def _read(path: Path) -> str:
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return f.read()
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as err:
        raise PipelineError(f"{path}: cannot read: {err}") from err


def add_term(path: Path, term: Term) -> None:
    add_terms(path, [term])


def add_terms(path: Path, terms: list[Term]) -> None:
    """Append the terms, each checked as `add` checks one, in one atomic write: all of them
    or, when one is refused, none."""
    path = Path(path)
    text = _read(path)
    for term in terms:
        text = add_term_text(text, term, str(path))
    atomic_write_text(path, text)


def remove_term(path: Path, source: str) -> Term:
    path = Path(path)
    if not path.exists():
        raise PipelineError(f"{path}: no such glossary file")
    text, removed = remove_term_text(_read(path), source, str(path))
    atomic_write_text(path, text)
    return removed
