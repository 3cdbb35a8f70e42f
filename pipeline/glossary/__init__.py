"""The domain glossary: loading and checking `glossary/glossary.yaml`, finding its terms
in French, and telling whether an English translation honours a term.

Reading. The YAML is composed into nodes (PyYAML's safe loader, nothing constructed
from a tag), then walked by hand so every problem names its line and term. Loading
stops on the first problem; `validate_glossary` collects them all.

Matching. French is tokenised into words and single punctuation marks; a hyphen that
joins two words counts as a space (`Kim Jong-un` = `Kim Jong Un`), curly and straight
apostrophes are one, and a term is found from its first word on, so an elided article
(`l'ONU`, `d'OTAN`, `qu'`) is left outside the hit. All forms of all terms go into one
trie keyed by a coarse key (case-folded, accents stripped, plural/feminine ending
stripped), so a segment costs one walk per word whatever the glossary's size; each
candidate is then checked precisely (case rules, inflection, accents). The longest hit
wins an overlap. Hits are spans of the text given.
"""

from __future__ import annotations

import difflib
import gc
import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from pipeline import fileio
from pipeline.errors import PipelineError
from pipeline.records import TermHit

KINDS = ("acronym", "person", "place", "organization", "phrase", "keep")
# key → (python type, what the type is called in a message)
FIELDS: dict[str, tuple[type, str]] = {
    "source": (str, "text"),
    "target": (str, "text"),
    "variants": (list, "a list of texts"),
    "forbidden": (list, "a list of texts"),
    "kind": (str, "text"),
    "case_sensitive": (bool, "true or false"),
    "note": (str, "text"),
}
# Tags that plain YAML data may carry; any other tag (!!python/object, !custom) is refused.
SAFE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)


@dataclass
class Term:
    source: str
    target: str
    variants: list[str] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)
    kind: str = ""
    case_sensitive: bool = False
    note: str = ""
    line: int = 0  # line of the term in its glossary file; 0 when it comes from elsewhere
    # line of each field in the file, so a problem found later points at the right line
    field_lines: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    @property
    def forms(self) -> list[str]:
        """The French forms that are this term: its source, then its variants."""
        return [self.source, *self.variants]


@dataclass
class GlossaryProblem:
    path: str
    line: int
    term: str  # the term's source, or '#N' when it has none
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}"
        return (
            f"{where}: term '{self.term}': {self.message}"
            if self.term
            else (f"{where}: {self.message}")
        )


# ---------------------------------------------------------------------------------------
# Reading and checking the file


def _yaml():
    import yaml

    return yaml


def _compose(yaml, text: str):
    """The YAML node tree, by libyaml when PyYAML has it (100,000 terms: seconds, not
    minutes); a file it refuses is parsed again in Python, whose messages say more."""
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is not None:
        try:
            return yaml.compose(text, Loader=loader)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def read_glossary_text(
    text: str, path: str = "<glossary>"
) -> tuple[list[Term], list[GlossaryProblem]]:
    """Parse glossary YAML; return the terms that are whole and every problem found."""
    yaml = _yaml()
    problems: list[GlossaryProblem] = []
    try:
        root = _compose(yaml, text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        reason = getattr(err, "problem", None) or str(err).splitlines()[0]
        # Where the broken construct began (an unclosed quote) says more than where the
        # parser gave up (the end of the file).
        context, context_mark = getattr(err, "context", None), getattr(err, "context_mark", None)
        if context and context_mark is not None and context_mark.line + 1 != line:
            reason += f" ({context} from line {context_mark.line + 1})"
        return [], [GlossaryProblem(path, line, "", f"invalid YAML: {reason}")]
    if root is None:
        return [], []
    for node in _walk(root):
        if node.tag not in SAFE_TAGS:
            problems.append(
                GlossaryProblem(
                    path,
                    node.start_mark.line + 1,
                    "",
                    f"YAML tag {node.tag!r} is not allowed (only plain data is loaded)",
                )
            )
    if problems:
        return [], problems
    if not isinstance(root, yaml.MappingNode):
        return [], [
            GlossaryProblem(path, _line(root), "", "expected a mapping with a 'terms:' list")
        ]
    terms_node = None
    for key, value in root.value:
        name = key.value if isinstance(key, yaml.ScalarNode) else None
        if name == "terms":
            terms_node = value
        else:
            problems.append(
                GlossaryProblem(
                    path, _line(key), "", f"unknown top-level key {name!r} (expected 'terms')"
                )
            )
    if terms_node is None:
        problems.append(GlossaryProblem(path, _line(root), "", "no 'terms:' list"))
        return [], problems
    if isinstance(terms_node, yaml.ScalarNode) and _construct(terms_node) is None:
        return [], problems  # `terms:` with nothing under it
    if not isinstance(terms_node, yaml.SequenceNode):
        problems.append(GlossaryProblem(path, _line(terms_node), "", "'terms' must be a list"))
        return [], problems
    terms = []
    for number, item in enumerate(terms_node.value, start=1):
        term = _read_term(item, number, path, problems)
        if term is not None:
            terms.append(term)
    problems += cross_check(terms, path)
    problems.sort(key=lambda p: p.line)
    return terms, problems


def _walk(node):
    yaml = _yaml()
    stack, seen = [node], set()
    while stack:
        current = stack.pop()
        if id(current) in seen:  # an alias points at a node already walked
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                stack.extend((key, value))


def _line(node) -> int:
    return node.start_mark.line + 1


def _construct(node):
    constructor = _constructor()
    try:
        return constructor.construct_object(node, deep=True)
    finally:
        constructor.constructed_objects.clear()  # nodes of one call; kept, they would pile up


@lru_cache(maxsize=1)
def _constructor():
    """One SafeConstructor for every value (a SafeLoader made per value cost 100,000
    terms seconds of set-up)."""
    return _yaml().constructor.SafeConstructor()


def _type_name(value) -> str:
    if value is None:
        return "nothing"
    return {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a mapping",
    }.get(type(value), type(value).__name__)


def _read_term(item, number: int, path: str, problems: list[GlossaryProblem]) -> Term | None:
    yaml = _yaml()
    if not isinstance(item, yaml.MappingNode):
        problems.append(
            GlossaryProblem(
                path, _line(item), f"#{number}", "a term must be a mapping with source and target"
            )
        )
        return None
    values: dict[str, object] = {}
    lines: dict[str, int] = {}
    # Problems are labelled with the term's source, so find it first.
    sources = [
        v.value
        for k, v in item.value
        if isinstance(k, yaml.ScalarNode) and k.value == "source" and isinstance(v, yaml.ScalarNode)
    ]
    label = sources[0].strip() if sources and sources[0].strip() else f"#{number}"
    ok = True

    def problem(line: int, message: str) -> None:
        nonlocal ok
        ok = False
        problems.append(GlossaryProblem(path, line, str(label), message))

    for key, value in item.value:
        name = key.value if isinstance(key, yaml.ScalarNode) else None
        if name not in FIELDS:
            close = difflib.get_close_matches(str(name), FIELDS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problem(_line(key), f"unknown key {name!r}{hint}")
            continue
        if name in values:
            problem(_line(key), f"key {name!r} given twice")
            continue
        data = _construct(value)
        wanted, called = FIELDS[name]
        if wanted is list:
            if not isinstance(data, list) or not all(isinstance(v, str) for v in data):
                got = (
                    _type_name(data)
                    if not isinstance(data, list)
                    else "a list with a non-text item"
                )
                problem(_line(value), f"{name} must be {called}, not {got}")
                continue
            cleaned = [v.strip() for v in data]
            if any(not v for v in cleaned):
                problem(_line(value), f"{name} holds an empty text")
                continue
            data = cleaned
        elif not isinstance(data, wanted) or (wanted is str and isinstance(data, bool)):
            hint = " (quote it)" if wanted is str and data is not None else ""
            problem(_line(value), f"{name} must be {called}, not {_type_name(data)}{hint}")
            continue
        elif wanted is str:
            data = data.strip()
            if not data and name in ("source", "target"):
                problem(_line(value), f"{name} is empty")
                continue
        values[name] = data
        lines[name] = _line(value)
    kind = values.get("kind", "")
    if kind and kind not in KINDS:
        problem(lines["kind"], f"unknown kind {kind!r} (one of {', '.join(KINDS)})")
    if "source" not in values and ok:
        problem(_line(item), "missing source")
    if "target" not in values and ok:
        if kind == "keep" and "source" in values:
            values["target"] = values["source"]  # a kept term is rendered as it is written
        else:
            problem(_line(item), "missing target")
    if not ok:
        return None
    return Term(**values, line=_line(item), field_lines=lines)  # type: ignore[arg-type]


def cross_check(terms: Sequence[Term], path: str = "<glossary>") -> list[GlossaryProblem]:
    """Problems between terms: a source or variant claimed twice, a forbidden rendering
    that is the term's own target (or part of it), or another term's target."""
    problems: list[GlossaryProblem] = []
    owner: dict[tuple, tuple[Term, str]] = {}
    for term in terms:
        for form in dict.fromkeys(term.forms):
            key = _form_key(form)
            if key in owner and owner[key][0] is not term:
                other, other_form = owner[key]
                field_name = "source" if form == term.source else "variants"
                if field_name == "source" and other_form == other.source:
                    message = (
                        f"duplicate source: already the source of the term on line {other.line}"
                    )
                else:
                    what = "the source" if other_form == other.source else "a variant"
                    message = (
                        f"{'source' if field_name == 'source' else 'variant'} {form!r} is claimed "
                        f"by two terms: it is also {what} of '{other.source}' (line {other.line})"
                    )
                line = term.field_lines.get(field_name, term.line)
                problems.append(GlossaryProblem(path, line, term.source, message))
            else:
                owner.setdefault(key, (term, form))
    targets: dict[str, Term] = {}
    for term in terms:
        targets.setdefault(term.target.casefold(), term)
    for term in terms:
        for rendering in term.forbidden:
            if rendering.casefold() == term.target.casefold():
                message = f"forbidden rendering {rendering!r} is the target"
            elif target_present(term.target, rendering):
                message = f"forbidden rendering {rendering!r} is part of the target {term.target!r}"
            elif rendering.casefold() in targets:
                other = targets[rendering.casefold()]
                message = (
                    f"forbidden rendering {rendering!r} is the target of '{other.source}' "
                    f"(line {other.line}); a segment holding both could never pass"
                )
            else:
                continue
            line = term.field_lines.get("forbidden", term.line)
            problems.append(GlossaryProblem(path, line, term.source, message))
    return problems


def _form_key(form: str) -> tuple:
    """Two forms with the same key would match the same French."""
    return tuple(_coarse(t.text) for t in _tokens(_normalise(form)) if not t.joiner)


class Terms(list):
    """The terms of a glossary file, with `digest`: the cache key of the file's text
    (glossary/cache.py), under which its compiled matcher is kept; None when not cached."""

    digest: str | None = None
    text_sha256: str | None = None  # of the file's text: what the terms were read from


def read_glossary(path: Path) -> tuple[list[Term], list[GlossaryProblem]]:
    """The terms and problems of a glossary file; a big file is parsed once, then taken
    from the cache while its text (and this code) are unchanged."""
    from pipeline.glossary import cache

    path = Path(path)
    if not path.exists() and not path.is_symlink():
        raise PipelineError(f"{path}: no such glossary file")
    text = fileio.read_utf8(path)
    key = cache.text_digest(text, str(path))
    if key is None:
        parsed, problems = read_glossary_text(text, str(path))
        return Terms(parsed), problems
    with long_lived_objects():
        stored = cache.load_parsed(key)
        if stored is not None:
            try:
                terms = Terms(Term(*values) for values in stored[0])
                problems = [GlossaryProblem(*values) for values in stored[1]]
            except TypeError:
                stored = None
        if stored is None:
            parsed, problems = read_glossary_text(text, str(path))
            terms = Terms(parsed)
            cache.store_parsed(key, [_values(t) for t in terms], [_values(p) for p in problems])
    terms.digest = key
    terms.text_sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return terms, problems


def _values(record) -> tuple:
    """A dataclass's field values in field order (`asdict` would copy them deeply)."""
    return tuple(getattr(record, f.name) for f in fields(record))


@contextmanager
def long_lived_objects():
    """Make a big glossary's objects (100,000 terms, then their trie: hundreds of
    thousands of lists, dicts and dataclasses) with Python's cycle collector paused, then
    move everything made so far out of its sight (gc.freeze). Otherwise every full
    collection of the run walks them again, for nothing: they hold no cycles (reference
    counting frees them) and live as long as the run. 100,000 terms from the cache: about
    1 s of collections while they are made, and 0.3 s at each later full collection.
    Only cycles already unreachable when it freezes would be kept; there are few in a run."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def validate_glossary(path: Path) -> tuple[list[Term], list[GlossaryProblem]]:
    """Every problem of the file (an empty list when it is sound), and its whole terms."""
    return read_glossary(path)


def load_glossary(path: Path) -> list[Term]:
    """The terms of a glossary file; a missing file is an empty glossary.

    Raises PipelineError on the first problem (`file:line: term 'X': problem`).
    """
    path = Path(path)
    if not path.exists():
        return []
    terms, problems = read_glossary(path)
    if not terms and not problems:
        logging.getLogger("pipeline").warning("%s: the glossary holds no term", path)
    if problems:
        more = (
            f" (and {len(problems) - 1} more; run 'pipeline glossary validate')"
            if len(problems) > 1
            else ""
        )
        raise PipelineError(f"{problems[0]}{more}")
    return terms


# ---------------------------------------------------------------------------------------
# Finding terms in French

# One character for one, so spans in the normalised text are spans of the original.
_NORMALISE = str.maketrans(
    {
        "’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "′": "'",
        "‐": "-", "‑": "-", "‒": "-", "−": "-",
        "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ",
    }
)  # fmt: skip
_TOKEN = re.compile(r"\w+|[^\w\s]")
_STOP = frozenset(
    "le la les un une des de du d l au aux et ou en à a pour par sur dans avec sans que qu "
    "qui ne se sa son ses leur leurs ce cette ces".split()
)


def _normalise(text: str) -> str:
    return text.translate(_NORMALISE)


class _Token(NamedTuple):  # a tuple: made for every word of every term and segment
    text: str
    start: int
    end: int
    joiner: bool = False  # a hyphen between two words: matched like a space


def _tokens(text: str) -> list[_Token]:
    raw = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    out = []
    for i, (tok, start, end) in enumerate(raw):
        joiner = (
            tok == "-"
            and 0 < i < len(raw) - 1
            and raw[i - 1][2] == start
            and raw[i + 1][1] == end
            and raw[i - 1][0][-1].isalnum()
            and raw[i + 1][0][0].isalnum()
        )
        out.append(_Token(tok, start, end, joiner))
    return out


@lru_cache(maxsize=65536)
def _strip_accents(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=65536)
def _coarse(word: str) -> str:
    """Case, accents and French plural/feminine endings folded away: a trie key.

    Applied alike to the glossary's words and the text's, so an inflected form lands on
    the same key as its base form; the exact rules are checked after (`_same_word`).
    """
    w = _strip_accents(word.casefold())
    if len(w) <= 3 or not w.isalpha():
        return w
    if w.endswith("eaux"):
        w = w[:-1]
    elif w.endswith("aux"):
        w = w[:-3] + "al"
    elif w[-1] in "sx":
        w = w[:-1]
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    for double in ("nn", "ll", "tt"):
        if w.endswith(double):
            w = w[:-1]
    if w.endswith("iv"):
        w = w[:-1] + "f"
    elif w.endswith("eus"):
        w = w[:-1]
    return w


@lru_cache(maxsize=16384)
def inflections(word: str) -> frozenset[str]:
    """French plural and feminine forms of a lower-case word (`coréen` → `coréenne`...)."""
    w = word.casefold()
    forms = {w}
    if len(w) < 4 or not w.isalpha():
        return frozenset(forms)
    endings = [("", ("s", "e", "es"))]
    for tail, extra in (
        ("en", ("ne", "nes")),
        ("on", ("ne", "nes")),
        ("el", ("le", "les")),
        ("et", ("te", "tes")),
        ("eau", ("x",)),
    ):
        if w.endswith(tail):
            endings.append(("", extra))
    for old, new in (
        ("al", ("aux",)),
        ("if", ("ive", "ives")),
        ("eux", ("euse", "euses")),
        ("er", ("ère", "ères")),
    ):
        if w.endswith(old):
            endings.append((old, new))
    for old, news in endings:
        base = w[: len(w) - len(old)] if old else w
        for new in news:
            forms.add(base + new)
    if w.endswith("e"):
        forms.add(w + "s")
        forms.discard(w + "e")
        forms.discard(w + "es")
    base_key = _coarse(w)
    return frozenset(f for f in forms if _coarse(f) == base_key)


def _same_word(text_word: str, term_word: str, case_sensitive: bool) -> bool:
    """Does a word of the text spell a word of a term, under the term's case rules?

    A lower-case word of a term is a common word and may be inflected (`nord-coréen`
    matches `nord-coréennes`); a capitalised word is a name and may not.
    """
    if text_word == term_word:
        return True
    inflectable = term_word.islower() and term_word.isalpha() and len(term_word) >= 4
    if case_sensitive:
        return inflectable and text_word in inflections(term_word)
    accepted = inflections(term_word) if inflectable else frozenset([term_word.casefold()])
    if text_word.casefold() in accepted:
        return True
    # French often drops the accent on a capital (`Etats-Unis`, `PEKIN`): an unaccented
    # capital in the text may stand for an accented letter of the term.
    return any(c.isupper() for c in text_word) and any(
        _capitals_match(text_word, form) for form in accepted
    )


def _capitals_match(text_word: str, form: str) -> bool:
    if len(text_word) != len(form):
        return False
    return all(
        a.casefold() == b or (a.isupper() and _strip_accents(b) == a.casefold())
        for a, b in zip(text_word, form, strict=True)
    )


class TermMatcher:
    """All forms of all terms compiled into one trie; reuse it across segments.

    The trie is plain data (dicts keyed by coarse word; under the key None, the forms
    ending there as (index of the term, the form's words)), so glossary/cache.py keeps it
    as it is and a run loads it without compiling."""

    def __init__(self, terms: Sequence[Term], trie: dict | None = None):
        self.terms = list(terms)
        self.root: dict = trie if trie is not None else {}
        if trie is None:
            for index, term in enumerate(self.terms):
                for form in dict.fromkeys(term.forms):
                    words = tuple(t.text for t in _tokens(_normalise(form)) if not t.joiner)
                    if not words:
                        continue
                    node = self.root
                    for word in words:
                        node = node.setdefault(_coarse(word), {})
                    node.setdefault(None, []).append((index, words))
        # text -> its hits as (start, end, term): a run asks about each segment several
        # times (preparing, enforcing, checking); TermHits are made fresh each time, since
        # their `ok` is set per translation.
        self._found: dict[str, list[tuple[int, int, Term]]] = {}

    def find(self, text: str) -> list[TermHit]:
        if not self.root:
            return []  # no term: nothing to tokenise for
        taken = self._found.get(text)
        if taken is None:
            taken = self._found[text] = self._spans(text)
        return [
            TermHit(term.source, term.target, start, end, forbidden=list(term.forbidden))
            for start, end, term in taken
        ]

    def _spans(self, text: str) -> list[tuple[int, int, Term]]:
        tokens = [t for t in _tokens(_normalise(text)) if not t.joiner]
        candidates: list[tuple[int, int, Term]] = []
        keys = [_coarse(t.text) for t in tokens]
        for i in range(len(tokens)):
            node = self.root
            j = i
            while j < len(tokens):
                node = node.get(keys[j])
                if node is None:
                    break
                j += 1
                for index, words in node.get(None, ()):
                    term = self.terms[index]
                    if all(
                        _same_word(tokens[i + k].text, word, term.case_sensitive)
                        for k, word in enumerate(words)
                    ):
                        candidates.append((tokens[i].start, tokens[j - 1].end, term))
                        break
        # The longest hit wins an overlap; between equals, the earlier one.
        candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
        taken: list[tuple[int, int, Term]] = []
        for start, end, term in candidates:
            if all(end <= s or start >= e for s, e, _ in taken):
                taken.append((start, end, term))
        taken.sort(key=lambda c: c[0])
        return taken


_compiled: list = [None, None, None]  # the terms list, its fingerprint, its matcher


def compile_terms(terms: Sequence[Term] | TermMatcher) -> TermMatcher:
    """The matcher for a list of terms, compiled once and kept for the same list."""
    if isinstance(terms, TermMatcher):
        return terms
    fingerprint = (len(terms), id(terms[0]) if terms else 0, id(terms[-1]) if terms else 0)
    if _compiled[0] is terms and _compiled[1] == fingerprint:
        return _compiled[2]
    matcher = _cached_matcher(terms)
    _compiled[:] = [terms, fingerprint, matcher]
    return matcher


def _cached_matcher(terms: Sequence[Term]) -> TermMatcher:
    """The matcher of a cached glossary file from the cache, else compiled (and kept)."""
    from pipeline.glossary import cache

    key = getattr(terms, "digest", None)
    if key is None:
        return TermMatcher(terms)
    with long_lived_objects():
        trie = cache.load_trie(key)
        if isinstance(trie, dict):
            return TermMatcher(terms, trie)
        matcher = TermMatcher(terms)
    cache.store_trie(key, matcher.root)
    return matcher


def find_terms(text: str, terms: Sequence[Term] | TermMatcher) -> list[TermHit]:
    """Every term (source or variant, in any accepted form) in the text, as spans.

    An elided article stays outside the span (`l'ONU` → `ONU`); the longest term wins
    an overlap. The compiled matcher is cached for the list passed, so calling this per
    segment with the same list costs one compile.
    """
    return compile_terms(terms).find(text)


# ---------------------------------------------------------------------------------------
# Is a term honoured by a translation?

_ENGLISH_TOKEN = re.compile(r"\w+|[^\w\s]")
_APOSTROPHES = "'’ʼ‘"


@lru_cache(maxsize=16384)
def rendering_pattern(phrase: str, endings: bool = True) -> re.Pattern[str]:
    """A regex for an English rendering in the forms a reader accepts as the same.

    Case does not matter except in an acronym (`UN` is not `un`; `U.N.` is `UN`); words
    may be joined by spaces or hyphens (`2+2 dialogue`, `Kim Jong-un`); straight and curly
    apostrophes are one; the last word may take a plural or possessive ending (`Koreans`, `NATO's`,
    `allies`). Whole words only. `endings=False` matches the phrase without the plural or
    possessive ending (to replace it and leave the ending in place).
    """
    parts: list[str] = []
    tokens = _ENGLISH_TOKEN.findall(_normalise(phrase))
    for index, token in enumerate(tokens):
        last = index == len(tokens) - 1
        if token == "'":
            piece = f"[{_APOSTROPHES}]"
        elif token[0].isalnum() or token[0] == "_":
            if sum(c.isupper() for c in token) >= 2 and token == token.upper():
                # an acronym, also with periods (`UN`, `U.N.`, `U.N`)
                dotted = r"\.".join(re.escape(c) for c in token) + r"\.?"
                piece = f"(?-i:{re.escape(token)}|{dotted})"
            elif endings and last and len(token) > 2 and token.lower().endswith("y"):
                piece = re.escape(token[:-1]) + "(?:y|ies)"
            else:
                piece = re.escape(token)
            if endings and last:
                piece += f"(?:e?s|[{_APOSTROPHES}]s?)?"
        else:
            piece = re.escape(token)
        if parts:
            prev_word = tokens[index - 1][0].isalnum()
            parts.append(r"[\s\-‐‑]+" if prev_word and token[0].isalnum() else r"\s*")
        parts.append(piece)
    return re.compile(r"(?<!\w)" + "".join(parts) + r"(?!\w)", re.IGNORECASE)


def target_present(english: str, target: str) -> bool:
    return bool(target.strip()) and rendering_pattern(target).search(english) is not None


_CAPITALISED_RUN = re.compile(r"[A-Z][\w'’-]*(?:\s+(?:(?:of|and|for|the|on)\s+)*[A-Z][\w'’-]*)*")


def expansion_present(english: str, acronym: str) -> bool:
    """An acronym target written out: "United Nations" for UN, "Democratic People's
    Republic of Korea" for DPRK (capitalised words whose initials spell it, small words
    such as "of" between them not counted)."""
    return bool(expansion_spans(english, acronym))


def expansion_spans(english: str, acronym: str) -> list[tuple[int, int]]:
    """Where the English writes the acronym out (see expansion_present), as spans."""
    if len(acronym) < 2 or not acronym.isalpha() or not acronym.isupper():
        return []
    spans = []
    for m in _CAPITALISED_RUN.finditer(english):
        words = [w for w in re.finditer(r"\S+", m.group()) if w.group()[0].isupper()]
        start = 0
        while start <= len(words) - len(acronym):
            run = words[start : start + len(acronym)]
            if "".join(w.group()[0] for w in run) == acronym:
                spans.append((m.start() + run[0].start(), m.start() + run[-1].end()))
                start += len(acronym)
            else:
                start += 1
    return spans


# Words an adjective does not stand before: "Chinese mainland" is China's adjective, "the
# United States and Chinese at the end" is China mistranslated as its people.
_NOT_A_NOUN = frozenset(
    "a after also an and are as at be because been before but by can could did do does "
    "during for from had has have he her his if in into is it its may might not of on or "
    "our she should since so than that the their them then there these they this those to "
    "until was we were what when where which while who whom whose will with would".split()
)


def derived_forms(word: str) -> list[str]:
    """The adjective (demonym) of a place name, or the place of a demonym, as English
    forms it: Europe → European, China → Chinese, Korea → Korean, Ukraine → Ukrainian;
    Korean → Korea. A guess by regular endings: it only has to recognise, not produce."""
    if len(word) < 4 or not word[:1].isupper() or word.isupper():
        return []
    forms = [word + "n", word + "an", word + "ian", word + "ese", word + "i"]
    if word[-1] in "aeo":
        stem = word[:-1]
        forms += [stem + "an", stem + "ian", stem + "ese", stem + "n"]
    if word.endswith("an"):
        forms.append(word[:-1])  # Korean → Korea
    return forms


# Adjectives that no regular ending makes from the place's name.
IRREGULAR_ADJECTIVES = {
    "United States": ("American",), "United Kingdom": ("British",), "Britain": ("British",),
    "France": ("French",), "Netherlands": ("Dutch",), "Switzerland": ("Swiss",),
    "Germany": ("German",), "Spain": ("Spanish",), "Poland": ("Polish",),
    "Denmark": ("Danish",), "Sweden": ("Swedish",), "Finland": ("Finnish",),
    "Turkey": ("Turkish",), "Greece": ("Greek",), "Ireland": ("Irish",), "Wales": ("Welsh",),
    "Thailand": ("Thai",), "Philippines": ("Philippine", "Filipino"),
}  # fmt: skip


def derived_target_present(english: str, target: str) -> bool:
    """The target with its last word in a derived form a reader accepts as the same term:
    a place's adjective before a noun ("European history" for Europe, "the Chinese
    mainland" for China, "an American card" for the United States), or a demonym's country
    in the possessive ("South Korea's Park" for South Korean)."""
    return bool(derived_target_spans(english, target))


def derived_target_spans(english: str, target: str) -> list[tuple[int, int]]:
    """Where the English has the target in a derived form (see derived_target_present)."""
    words = target.split()
    if not words:
        return []
    spans = []
    phrases = [" ".join([*words[:-1], form]) for form in derived_forms(words[-1])]
    for phrase in [*IRREGULAR_ADJECTIVES.get(target, ()), *phrases]:
        form = phrase.split()[-1]
        for m in rendering_pattern(phrase, endings=False).finditer(english):
            rest = english[m.end() :]
            if form == words[-1][:-1] and re.match(r"[’']s\b", rest):
                spans.append((m.start(), m.end() + 2))  # Korea's for Korean
                continue
            after = re.match(r"\s+([A-Za-z][\w-]*)", rest)
            if form != words[-1][:-1] and after and after.group(1).lower() not in _NOT_A_NOUN:
                spans.append(m.span())
    return spans


def forbidden_found(english: str, forbidden: Iterable[str]) -> list[str]:
    """The forbidden renderings that the English contains."""
    return [f for f in forbidden if f.strip() and rendering_pattern(f).search(english)]


def term_honoured(english: str, target: str, forbidden: Iterable[str] = ()) -> bool:
    """The target is there (in a form a reader accepts) and no forbidden rendering is."""
    return target_present(english, target) and not forbidden_found(english, forbidden)


def hit_honoured(english: str, hit: TermHit) -> bool:
    return term_honoured(english, hit.target, getattr(hit, "forbidden", ()))


def as_sentence(fragment: str) -> str:
    """A fragment (a term alone, a piece between terms) closed by a period.

    Apertium moves words across the boundary between two segments of a batch when the
    first does not end a sentence (`Dieu` + `Global Player` → `Global` + `god Player`);
    a period keeps each fragment's words its own. `from_sentence` takes it off again.
    """
    return fragment.rstrip() + "."


def from_sentence(english: str) -> str:
    english = english.rstrip()
    return english[:-1].rstrip() if english.endswith(".") else english
