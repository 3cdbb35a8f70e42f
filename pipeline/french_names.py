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

import atexit
import functools
import os
import re
import select
import shutil
import subprocess
import threading
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
    """The analyser's output for these lines, one line each, from an lt-proc of their own
    (whole paragraphs: too big for the kept lt-proc's pipes); None when it did not answer."""
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
    phrases = [p for p in dict.fromkeys(phrases) if p and not re.search(r"[\n\0^]", p)]
    if not french_analysers():
        return {p: () for p in phrases}  # nothing known, nothing kept
    unknown = [p for p in phrases if p not in _analyses]
    if len(_analyses) > MAX_KEPT:
        _analyses.clear()
    if unknown:
        found: dict[str, list[str]] = {p: [] for p in unknown}
        answered = False
        for analyser in french_analysers():
            output = _ask_lines(analyser, unknown)
            if output is None:
                continue
            answered = True
            for phrase, line in zip(unknown, output, strict=False):
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
    small), and none writes with a small one (not `La Manche`: `la Manche<np>`)."""
    known = set()
    for phrase, analyses in analyse(phrases).items():
        article = phrase.split(" ", 1)[0]
        readings = [
            r for surface, rs in _units(analyses) if surface.startswith(article + " ") for r in rs
        ]
        if any(r.startswith(article + " ") and "<np>" in r for r in readings) and not (
            lemma_with_small_article(article, readings)
        ):
            known.add(phrase)
    return known


def lemma_with_small_article(article: str, readings: list[str]) -> bool:
    """A dictionary's lemma writes the name's article small (`la Manche<np>`, `la Loire`):
    French writes it so inside a sentence, whatever another dictionary says."""
    return any(r.startswith(article.lower() + " ") for r in readings)


def given_names(words: Iterable[str], only: bool = False, best: bool = False) -> set[str]:
    """Those of `words` an analyser knows as a given name (`John`, `Carolyn`; `<np><ant>`);
    with `only`, those it knows as nothing else (`Larry`, not `Miller`, also a surname);
    with `best`, as the best analyser knows them (fra-cat has `Obama` as a surname only,
    where fr-es also has it as a given name)."""
    found = set()
    for word, analyses in analyse(words).items():
        units = list(_units(analyses[:1] if best else analyses))
        readings = [r for s, rs in units if s == word for r in rs if r[:1] != "*"]
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


STREAM_SPECIALS = str.maketrans({c: " " for c in "\n^$/<>@[]{}\\"})  # Apertium's stream marks


def analyse_paragraphs(paragraphs: list[str]) -> list[list[tuple[str, list[str]]]]:
    """Each paragraph as Apertium's first French analyser reads it: its lexical units, each
    with its readings (`("juge", ["juge<n><m><sg>", "juger<vblex><pri><p3><sg>", ...])`);
    empty lists without Apertium."""
    analysers = french_analysers()
    if not analysers or not paragraphs:
        return [[] for _ in paragraphs]
    # lt-proc rejects the whole batch ("Malformed input stream") for one `/`, `>`, `@`, `]`,
    # `{`, `}` in any paragraph (`/proc/cpuinfo`, a URL): every paragraph then went unread.
    lines = [p.translate(STREAM_SPECIALS) for p in paragraphs]
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
    for start in range(0, len(unknown), MAX_WORDS_A_CALL):  # the lt-proc -z server below
        batch = unknown[start : start + MAX_WORDS_A_CALL]
        lines = _ask_server(analysers[0], batch)
        if lines is None:
            break  # nothing kept
        for word, line in zip(batch, lines, strict=False):
            m = UNIT.match(line)
            readings = m.group(2).split("/") if m and m.group(1) == word else []
            _english[word] = any(r[:1] != "*" and "<np>" not in r for r in readings)
    return {w for w in words if _english.get(w)}


_readings: dict[str, list[str]] = {}  # word -> its readings, by every analyser
_servers: dict[str, tuple[int, subprocess.Popen]] = {}  # analyser -> (pid, lt-proc -z)
MAX_WORDS_A_CALL = 100  # a batch and its answer stay well within a pipe's buffer
_servers_lock = threading.Lock()  # one question at a time on a server's pipes


def word_readings(words: Iterable[str]) -> dict[str, list[str]]:
    """Each word's readings by the analysers that know it (`routes` -> `route<n><f><pl>`,
    `pèserait` -> `peser<vblex><cni><p3><sg>`); an empty list for a word none knows (or
    without Apertium).

    Asked of one `lt-proc -z` per analyser that stays up for the process (the cleaner asks
    about a few words at a time, thousands of times in a batch: a new lt-proc each time
    would cost 0.1 s of CPU); answers kept."""
    words = [w for w in dict.fromkeys(words) if w and not re.search(r"[\s\0^$/<>\[\]\\@*]", w)]
    unknown = [w for w in words if w not in _readings]
    if unknown and french_analysers():
        if len(_readings) > MAX_KEPT:
            _readings.clear()
        for start in range(0, len(unknown), MAX_WORDS_A_CALL):
            batch = unknown[start : start + MAX_WORDS_A_CALL]
            found: dict[str, list[str]] = {w: [] for w in batch}
            for analyser in french_analysers():
                lines = _ask_server(analyser, batch)
                if lines is None:
                    return {w: _readings.get(w, []) for w in words}  # nothing kept
                for word, line in zip(batch, lines, strict=False):
                    m = UNIT.match(line)
                    if m and m.group(1) == word:
                        found[word] += [r for r in m.group(2).split("/") if r[:1] != "*"]
            _readings.update({w: list(dict.fromkeys(rs)) for w, rs in found.items()})
    return {w: _readings.get(w, []) for w in words}


def _ask_lines(analyser: str, lines: list[str]) -> list[str] | None:
    """The analyser's output line for each of `lines` (short phrases), asked of its kept
    lt-proc MAX_WORDS_A_CALL at a time; None when it does not answer."""
    output: list[str] = []
    for start in range(0, len(lines), MAX_WORDS_A_CALL):
        answer = _ask_server(analyser, lines[start : start + MAX_WORDS_A_CALL])
        if answer is None:
            return None
        output += answer
    return output


def _ask_server(analyser: str, words: list[str], timeout: float = 30) -> list[str] | None:
    """The analyser's output lines for these words, from its lt-proc -z (started on first
    use, and again in a forked process); None when it does not answer."""
    with _servers_lock:
        return _ask_server_locked(analyser, words, timeout)


def _ask_server_locked(analyser: str, words: list[str], timeout: float) -> list[str] | None:
    pid, server = _servers.get(analyser, (0, None))
    if server is None or pid != os.getpid() or server.poll() is not None:
        try:
            server = subprocess.Popen(
                ["lt-proc", "-z", "-w", analyser],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            return None
        if not _servers:
            atexit.register(_stop_servers)
        _servers[analyser] = (os.getpid(), server)
    try:
        answer = server_answer(server, ("\n".join(words) + "\n\0").encode(), timeout)
    except (OSError, ValueError):
        server.kill()
        server.wait()
        for pipe in (server.stdin, server.stdout):
            try:
                pipe.close()
            except OSError:
                pass
        _servers.pop(analyser, None)
        return None
    return answer[:-1].decode("utf-8", "replace").split("\n")



def server_answer(server: subprocess.Popen, question: bytes, timeout: float = 30) -> bytes:
    """An lt-proc -z server's answer to a question that ends in a NUL, up to and with its
    own NUL; OSError when it says nothing for `timeout` seconds or its output ends."""
    server.stdin.write(question)
    server.stdin.flush()
    answer = b""
    while not answer.endswith(b"\0"):
        ready, _, _ = select.select([server.stdout], [], [], timeout)
        chunk = os.read(server.stdout.fileno(), 65536) if ready else b""
        if not chunk:
            raise OSError("lt-proc did not answer")
        answer += chunk
    return answer

def _stop_servers() -> None:
    """End this process's lt-proc servers (their input closed, they exit)."""
    for pid, server in _servers.values():
        if pid == os.getpid() and server.poll() is None:
            server.stdin.close()
            try:
                server.wait(timeout=5)
            except subprocess.TimeoutExpired:
                server.kill()
            server.stdout.close()
    _servers.clear()
