"""Names whose capital article is their own (`La Haye`, `Le Caire`, `Le Monde`, `Des Moines`),
as Apertium's French analysers know them: the cleaner asks before it lowers `La` in
`avec La Chine`.

Apertium's French dictionaries (Debian apertium-fr-es, apertium-fra-cat) list such names as one
lexical unit (`^La Haye/La Haye<np><loc>$`), and analyse `La Chine` as an article and a name.
One `lt-proc` call per batch of phrases (about 50 ms); answers are kept for the process.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

# The analysers that know French proper names, best first (fra-cat knows Le Havre, Des Moines).
ANALYSER_PATTERNS = ("fra-*.automorf.bin", "fr-*.automorf.bin")
_known: dict[str, bool] = {}


@functools.cache
def french_analysers() -> tuple[str, ...]:
    """Apertium's French morphological analysers on this machine; empty when none."""
    lt_proc = shutil.which("lt-proc")
    if lt_proc is None:
        return ()
    roots = {Path("/usr/share/apertium"), Path(lt_proc).resolve().parent.parent / "share/apertium"}
    found = [
        str(path)
        for root in sorted(roots)
        for pattern in ANALYSER_PATTERNS
        for path in sorted(root.glob(f"apertium-*/{pattern}"))
    ]
    return tuple(dict.fromkeys(found))


def available() -> bool:
    return bool(french_analysers())


def names_with_article(phrases: Iterable[str]) -> set[str]:
    """Those of `phrases` (`La Haye`, `La Chine`) that an analyser reads as one proper name
    starting with that capital article."""
    phrases = [p for p in dict.fromkeys(phrases) if "\n" not in p]
    unknown = [p for p in phrases if p not in _known]
    if unknown:
        found: set[str] = set()
        for analyser in french_analysers():
            try:
                result = subprocess.run(
                    ["lt-proc", "-w", analyser],
                    input="\n".join(unknown) + "\n",
                    capture_output=True,
                    text=True,
                    check=False,
                    timeout=30,
                )
            except (OSError, subprocess.SubprocessError):
                continue
            if result.returncode != 0:
                continue
            lines = result.stdout.split("\n")
            for phrase, line in zip(unknown, lines, strict=False):
                if _one_name(phrase, line):
                    found.add(phrase)
        for phrase in unknown:
            _known[phrase] = phrase in found
    return {p for p in phrases if _known.get(p)}


def _one_name(phrase: str, analysis: str) -> bool:
    """The analysis's first unit spans the article and the name, a proper name whose
    lemma keeps the capital (`^La Haye/La Haye<np>`, not `^Les États-Unis/les États-Unis`)."""
    article = phrase.split(" ", 1)[0]
    m = re.match(r"\^([^/$]*)/([^$]*)\$", analysis)
    if not m or " " not in m.group(1) or not m.group(1).startswith(article + " "):
        return False
    return any(
        reading.startswith(article + " ") and "<np>" in reading
        for reading in m.group(2).split("/")
    )
