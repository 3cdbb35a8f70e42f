"""What Apertium's French dictionaries know of names, for the cleaner: names whose capital
article is their own (`La Haye`, `Le Caire`, `Le Monde`, `Des Moines`), given names (`John`,
`Carolyn`) and names of two words (`San Francisco`, `Nations Unies`).

Apertium's French analysers (Debian apertium-fra-cat, apertium-fr-es) list such names as one
lexical unit (`^La Haye/La Haye<np><loc>$`) or tag them (`^John/John<np><ant>...$`), and
analyse `La Chine` as an article and a name. One `lt-proc` call per analyser and batch of
phrases (about 50 ms); answers are kept for the process. Without Apertium nothing is known,
and the rules that ask keep to what the document shows.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path

# The analysers that know French proper names, best first (fra-cat knows Le Havre, Des Moines).
ANALYSER_PATTERNS = ("fra-*.automorf.bin", "fr-*.automorf.bin")
ENGLISH_PATTERNS = ("eng-*.automorf.bin",)  # English (apertium-eng-cat), for English names
UNIT = re.compile(r"\^([^/$]*)/([^$]*)\$")
WORD_ONLY = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_analyses: dict[str, tuple[str, ...]] = {}  # phrase -> its first unit's analysis, by analyser
_paragraphs: dict[str, list[tuple[str, list[str]]]] = {}  # paragraph -> its units (first one)
MAX_KEPT = 20_000  # answers kept for the process (a few hundred bytes each), then forgotten


def french_analysers() -> tuple[str, ...]:
    """Apertium's French morphological analysers on this machine; empty when none."""
    return _analysers(ANALYSER_PATTERNS)


def english_analysers() -> tuple[str, ...]:
    """Apertium's English morphological analysers on this machine; empty when none."""
    return _analysers(ENGLISH_PATTERNS)


@functools.cache
def _analysers(patterns: tuple[str, ...]) -> tuple[str, ...]:
    lt_proc = shutil.which("lt-proc")
    if lt_proc is None:
        return ()
    roots = {Path("/usr/share/apertium"), Path(lt_proc).resolve().parent.parent / "share/apertium"}
    found = [
        str(path)
        for root in sorted(roots)
        for pattern in patterns
        for path in sorted(root.glob(f"apertium-*/{pattern}"))
    ]
    return tuple(dict.fromkeys(found))


def available() -> bool:
    return bool(french_analysers())


def _lt_proc(lines: list[str], analyser: str, timeout: float) -> str | None:
    """The analyser's output for these lines, one line each; None when it did not answer."""
    try:
        result = subprocess.run(
            ["lt-proc", "-w", analyser],
            input="\n".join(lines) + "\n",
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None


def analyse(phrases: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """For each phrase, the first lexical unit of each analyser's reading
    (`La Haye/La Haye<np><loc>`), as `surface/reading/reading...`."""
    phrases = [p for p in dict.fromkeys(phrases) if p and "\n" not in p and "^" not in p]
    if not french_analysers():
        return {p: () for p in phrases}  # nothing known, nothing kept
    unknown = [p for p in phrases if p not in _analyses]
    if len(_analyses) > MAX_KEPT:
        _analyses.clear()
    if unknown:
        found: dict[str, list[str]] = {p: [] for p in unknown}
        answered = False
        for analyser in french_analysers():
            output = _lt_proc(unknown, analyser, timeout=30)
            if output is None:
                continue
            answered = True
            for phrase, line in zip(unknown, output.split("\n"), strict=False):
                m = UNIT.match(line)
                if m:
                    found[phrase].append(f"{m.group(1)}/{m.group(2)}")
        if not answered:
            return {p: _analyses.get(p, tuple(found.get(p, ()))) for p in phrases}
        _analyses.update({p: tuple(a) for p, a in found.items()})
    return {p: _analyses.get(p, ()) for p in phrases}


def _units(analyses: tuple[str, ...]) -> Iterator[tuple[str, list[str]]]:
    for analysis in analyses:
        surface, *readings = analysis.split("/")
        yield surface, readings


def names_with_article(phrases: Iterable[str]) -> set[str]:
    """Those of `phrases` (`La Haye`, `La Chine`) that an analyser reads as one proper name
    starting with that capital article (`La Haye`, not `les États-Unis`, whose article is
    small)."""
    known = set()
    for phrase, analyses in analyse(phrases).items():
        article = phrase.split(" ", 1)[0]
        for surface, readings in _units(analyses):
            if surface.startswith(article + " ") and any(
                r.startswith(article + " ") and "<np>" in r for r in readings
            ):
                known.add(phrase)
    return known


def given_names(words: Iterable[str], only: bool = False) -> set[str]:
    """Those of `words` an analyser knows as a given name (`John`, `Carolyn`; `<np><ant>`);
    with `only`, those it knows as nothing else (`Larry`, not `Miller`, also a surname)."""
    found = set()
    for word, analyses in analyse(words).items():
        readings = [r for s, rs in _units(analyses) if s == word for r in rs if r[:1] != "*"]
        given = [("<np><ant>" in r) for r in readings]
        if readings and (all(given) if only else any(given)):
            found.add(word)
    return found


def two_word_names(phrases: Iterable[str]) -> set[str]:
    """Those of `phrases` (`San Francisco`) an analyser reads as one unit, a name."""
    return {
        phrase
        for phrase, analyses in analyse(phrases).items()
        if any(s == phrase and any("<np>" in r for r in rs) for s, rs in _units(analyses))
    }


def analyse_paragraphs(paragraphs: list[str]) -> list[list[tuple[str, list[str]]]]:
    """Each paragraph as Apertium's first French analyser reads it: its lexical units, each
    with its readings (`("juge", ["juge<n><m><sg>", "juger<vblex><pri><p3><sg>", ...])`);
    empty lists without Apertium."""
    analysers = french_analysers()
    if not analysers or not paragraphs:
        return [[] for _ in paragraphs]
    lines = [p.replace("\n", " ").replace("^", " ").replace("$", " ") for p in paragraphs]
    unknown = list(dict.fromkeys(line for line in lines if line not in _paragraphs))
    if len(_paragraphs) > MAX_KEPT:
        _paragraphs.clear()
    if unknown:
        read = _analyse_lines(unknown, analysers[0])
        if read is None:  # lt-proc failed: nothing known, nothing kept
            return [_paragraphs.get(line, []) for line in lines]
        for line, units in zip(unknown, read, strict=True):
            _paragraphs[line] = units
    return [_paragraphs[line] for line in lines]


def _analyse_lines(lines: list[str], analyser: str) -> list[list[tuple[str, list[str]]]] | None:
    empty: list[list[tuple[str, list[str]]]] = [[] for _ in lines]
    output = _lt_proc(lines, analyser, timeout=60)
    if output is None:
        return None
    out = output.split("\n")
    return [
        [(m.group(1), m.group(2).split("/")) for m in UNIT.finditer(line)]
        for line in out[: len(lines)]
    ] + empty[len(out) :]


def unknown_words(words: Iterable[str]) -> set[str]:
    """Those of `words` no French analyser knows at all (`State`, `Evening`); empty
    without Apertium."""
    return {
        word
        for word, analyses in analyse(words).items()
        if analyses and all(r[:1] == "*" for _, rs in _units(analyses) for r in rs)
    }


def proper_names(words: Iterable[str]) -> set[str]:
    """Those of `words` an analyser knows as a proper name, whatever else (`Twitter`)."""
    return {
        word
        for word, analyses in analyse(words).items()
        if any(s == word and any("<np>" in r for r in rs) for s, rs in _units(analyses))
    }


def place_names(words: Iterable[str]) -> set[str]:
    """Those of `words` an analyser knows as a place (`Sibérie`; `<np><top>`, `<np><loc>`)."""
    return {
        word
        for word, analyses in analyse(words).items()
        if any(
            s == word and any("<np><top>" in r or "<np><loc>" in r for r in rs)
            for s, rs in _units(analyses)
        )
    }


_english: dict[str, bool] = {}  # word -> whether English's dictionary has it as a common word


def english_common_words(words: Iterable[str]) -> set[str]:
    """Those of `words` Apertium's English analyser knows as a common word, not only as a
    name (`State`, `News`, `Tobacco`; not `Hagman`, `Larry`); empty without it."""
    analysers = english_analysers()
    words = [w for w in dict.fromkeys(words) if w and WORD_ONLY.fullmatch(w)]
    if not analysers or not words:
        return set()
    unknown = [w for w in words if w not in _english]
    if len(_english) > MAX_KEPT:
        _english.clear()
    if unknown:
        output = _lt_proc(unknown, analysers[0], timeout=30)
        if output is None:
            return {w for w in words if _english.get(w)}
        for word, line in zip(unknown, output.split("\n"), strict=False):
            m = UNIT.match(line)
            readings = m.group(2).split("/") if m else []
            _english[word] = any(r[:1] != "*" and "<np>" not in r for r in readings)
    return {w for w in words if _english.get(w)}
