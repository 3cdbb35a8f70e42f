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

import copy
import re
from collections.abc import Sequence
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
    values: list[tuple[str, str]] = [("source", _scalar(term.source))]
    if not (term.kind == "keep" and term.target == term.source):
        values.append(("target", _scalar(term.target)))  # a kept term needs no target
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
        find_term(terms, source, path)  # names the term a variant belongs to
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
    if sorted(t.source for t in terms) != sorted(expected_sources):
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


# ---------------------------------------------------------------------------------------
# Editing terms in place (`glossary update`, an import that replaces or merges terms)

# A comment line that names a section of the terms list: `# --- Korea ---`, `# == Russia`.
_SECTION = re.compile(r"\s*#\s*[-=]{2,}\s*(?P<name>[^-=]+?)\s*[-=]*\s*$")
FIELD_ORDER = ("source", "target", "variants", "forbidden", "kind", "case_sensitive", "note")


def field_text(term: Term, name: str) -> str | None:
    """The YAML value of one field of a term, or None when the field takes its default
    (so it is left out of the file). A kept term's target is left out when it is its source."""
    value = getattr(term, name)
    if name == "target" and term.kind == "keep" and value == term.source:
        return None
    if name in ("variants", "forbidden"):
        return "[" + ", ".join(_scalar(v) for v in value) + "]" if value else None
    if name == "case_sensitive":
        return "true" if value else None
    return _scalar(value) if value else None


def _item_nodes(text: str) -> list:
    """The mapping node of each item of the terms list (None for an item that is not one)."""
    import yaml

    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "terms":
            if isinstance(value, yaml.SequenceNode):
                return [v if isinstance(v, yaml.MappingNode) else None for v in value.value]
    return []


def _trailing_comment(line: str, column: int) -> str:
    """A `# comment` after the value that ends at `column` on this line ("" when none)."""
    rest = line[column:]
    at = rest.find("#")
    return "  " + rest[at:].strip() if at >= 0 and not rest[:at].strip() else ""


def _field_edits(item, lines: list[str], old: Term, new: Term, key_indent: str) -> list:
    """(first, last, new lines) edits turning the item's fields from `old` into `new`:
    a changed field's lines are replaced, a new field is added after the item's last
    line, a field back at its default is deleted; other lines are left as they are."""
    edits = []
    present = {key.value: (key, value) for key, value in item.value}
    last = _last_line(item, lines)
    added = []
    for name in FIELD_ORDER:
        before, after = field_text(old, name), field_text(new, name)
        if name in present:
            key, value = present[name]
            if getattr(old, name) == getattr(new, name) and before is not None:
                continue
            first, end = key.start_mark.line, _last_line(value, lines)
            if after is None:
                if lines[first][: key.start_mark.column].strip().endswith("-"):
                    raise PipelineError(
                        f"line {first + 1}: cannot remove {name!r}, the first key of its term; "
                        "edit the file by hand"
                    )
                edits.append((first, end, []))
                continue
            prefix = lines[first][: key.start_mark.column]
            comment = _trailing_comment(lines[first], value.end_mark.column) if end == first else ""
            edits.append((first, end, [f"{prefix}{name}: {after}{comment}"]))
        elif after is not None:
            added.append(f"{key_indent}{name}: {after}")
    if added:
        edits.append((last + 1, last, added))
    return edits


def edit_terms_text(
    text: str,
    path: str = "<glossary>",
    changes: dict[str, Term] | None = None,
    additions: Sequence[Term] = (),
    section: str | None = None,
) -> str:
    """The glossary text with some terms changed in place (`changes`: old source → the
    term as it should be) and new terms added (at the end of the list, or of `section`).

    Only the lines of the fields that change are rewritten; comments, blank lines,
    quoting and order stay. The result must read back without a problem, else nothing
    is changed (PipelineError)."""
    changes = changes or {}
    terms, problems = read_glossary_text(text, path)
    if problems:
        raise PipelineError(f"{problems[0]} (fix the file before editing it)")
    if not changes and not additions:
        return text
    for term in additions:
        if term.kind and term.kind not in KINDS:
            raise PipelineError(f"unknown kind {term.kind!r} (one of {', '.join(KINDS)})")
    layout = _layout(text, path)
    lines = text.splitlines()
    by_source = {t.source: t for t in terms}
    edits: list[tuple[int, int, list[str]]] = []
    nodes = _item_nodes(text) if changes else []
    for (source, _first, _last), node in zip(layout.items, nodes, strict=False):
        if source in changes and node is not None:
            edits += _field_edits(node, lines, by_source[source], changes[source],
                                  layout.key_indent)  # fmt: skip
    missing = [s for s in changes if s not in by_source]
    if missing:
        raise PipelineError(f"{path}: no term with source {missing[0]!r}")
    expected = [changes[t.source].source if t.source in changes else t.source for t in terms]
    if additions:
        new = [line for t in additions for line in term_lines(t, layout.dash_indent,
                                                              layout.key_indent)]  # fmt: skip
        expected += [t.source for t in additions]
        if layout.terms_line is None or layout.flow:
            if edits:
                raise PipelineError(f"{path}: no terms list to edit")
            body = text if not text or text.endswith(("\n", "\r")) else text + _newline(text)
            head = body if layout.terms_line is None else ""
            if layout.flow:  # `terms: []`: the key alone on its line, then the items
                key_line = lines[layout.terms_line]
                lines[layout.terms_line] = key_line[: key_line.index("terms") + 5] + ":"
                edits.append((layout.terms_line + 1, layout.terms_line, new))
            else:
                nl = _newline(text)
                result = (head or HEADER.replace("\n", nl)) + ("terms:" + nl if head else "")
                result += nl.join(new) + nl
                _check_edit(result, path, expected)
                return result
        else:
            at = _section_end(lines, layout, section, new) if section else None
            if at is None:
                at = layout.items[-1][2] + 1 if layout.items else layout.terms_line + 1
            edits.append((at, at - 1, new))
    for first, last, replacement in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        lines[first : last + 1] = replacement
    nl = _newline(text)
    result = nl.join(lines) + (nl if text.endswith(("\n", "\r")) or not text else "")
    _check_edit(result, path, expected)
    return result


def sections(text: str) -> list[tuple[str, int]]:
    """The named sections of the file (`# --- Korea ---`): (name, 0-based line)."""
    return [
        (m.group("name"), number)
        for number, line in enumerate(text.splitlines())
        if (m := _SECTION.fullmatch(line))
    ]


def _section_end(lines: list[str], layout: _Layout, name: str, new: list[str]) -> int | None:
    """Where a term of section `name` goes: after the last item before the next section.
    A section not in the file is started at the end of the list (its heading is put
    in front of `new`, which is why `new` is passed)."""
    found = sections("\n".join(lines))
    start = next((line for n, line in found if n.casefold() == name.casefold()), None)
    if start is None:
        end = layout.items[-1][2] + 1 if layout.items else layout.terms_line + 1
        new.insert(0, f"{layout.dash_indent}# --- {name} ---")
        return end
    following = [line for _, line in found if line > start]
    stop = following[0] if following else len(lines)
    inside = [last for _, first, last in layout.items if start < first < stop]
    return (inside[-1] if inside else start) + 1


def update_term_text(
    text: str, source: str, path: str = "<glossary>", **values
) -> tuple[str, Term, Term]:
    """The glossary text with the term `source` changed; `values` are the fields to set
    (target, kind, note, case_sensitive) or lists to extend/shrink (add_variants,
    remove_variants, add_forbidden, remove_forbidden). Returns (text, before, after)."""
    terms, problems = read_glossary_text(text, path)
    if problems:
        raise PipelineError(f"{problems[0]} (fix the file before editing it)")
    term = find_term(terms, source, path)
    after = copy.deepcopy(term)
    for name in ("target", "kind", "note", "case_sensitive"):
        if values.get(name) is not None:
            setattr(after, name, values[name])
    if after.kind and after.kind not in KINDS:
        raise PipelineError(f"unknown kind {after.kind!r} (one of {', '.join(KINDS)})")
    for name, what in (("variants", "variant"), ("forbidden", "forbidden rendering")):
        items = getattr(after, name)
        where = f"{path}:{term.line}: '{term.source}'"
        for item in values.get(f"add_{name}") or ():
            if item in items:
                raise PipelineError(f"{where} already has the {what} {item!r}")
            items.append(item)
        for item in values.get(f"remove_{name}") or ():
            if item not in items:
                raise PipelineError(f"{where} has no {what} {item!r}")
            items.remove(item)
    if after.kind == "keep" and values.get("target") is None and term.kind != "keep":
        after.target = after.source  # a term made `keep` is rendered as it is written
    if after == term:
        return text, term, after
    return edit_terms_text(text, path, changes={term.source: after}), term, after


def find_term(terms: Sequence[Term], source: str, path: str = "<glossary>") -> Term:
    """The term whose source is `source` (exact, else the one equal ignoring case). A
    variant given instead is refused with the name of the term it belongs to."""
    found = [t for t in terms if t.source == source] or [
        t for t in terms if t.source.casefold() == source.casefold()
    ]
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        where = ", ".join(str(t.line) for t in found)
        raise PipelineError(f"{path}: several terms have source {source!r} (lines {where})")
    owners = [t for t in terms if any(v.casefold() == source.casefold() for v in t.variants)]
    if owners:
        owner = owners[0]
        raise PipelineError(
            f"{path}:{owner.line}: {source!r} is a variant of the term '{owner.source}', "
            f"not a term of its own (give '{owner.source}', or drop the variant with "
            f"`pipeline glossary update '{owner.source}' --remove-variant '{source}'`)"
        )
    raise PipelineError(f"{path}: no term with source {source!r}")


def update_term(path: Path, source: str, **values) -> tuple[Term, Term]:
    path = Path(path)
    if not path.exists():
        raise PipelineError(f"{path}: no such glossary file")
    original = _read(path)
    text, before, after = update_term_text(original, source, str(path), **values)
    if text != original:
        atomic_write_text(path, text)
    return before, after


def add_term_in_section(path: Path, term: Term, section: str) -> None:
    path = Path(path)
    text = _read(path)
    terms, _ = read_glossary_text(text, str(path))
    for existing in terms:
        if existing.source == term.source:
            raise PipelineError(
                f"{path}:{existing.line}: term '{term.source}' is already in the glossary; "
                "use `pipeline glossary update` to change it"
            )
    atomic_write_text(path, edit_terms_text(text, str(path), additions=[term], section=section))
