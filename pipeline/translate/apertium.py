"""Apertium back end: French → Spanish → English, or French → Catalan → English.

The whole batch goes through one pipeline of two `apertium` processes. We write
Apertium's own stream format ourselves (`-f none`) instead of using its text
deformatter, because the deformatter neither protects every special character
(`#`, `*` leak into the output) nor keeps segment boundaries. Each segment is
escaped, and a superblank `[][<sN>]` follows it: Apertium copies superblanks
through untouched and in order, so the output splits back exactly.

Apertium marks words it could not handle with `#` (generation failed, parts
joined by `+`), `*` (unknown) or `@` (not in the bilingual dictionary), and its
generator consumes `~`. So the text's own `# * ~ +` travel inside superblanks,
like the deformatter does for `~`, and any of these characters that appears in
the output as text is one of Apertium's marks: removed, not shown to a reader.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.errors import PipelineError
from pipeline.translate.engine import Progress

# pivot → (French→pivot mode, pivot→English mode)
PIVOT_MODES = {"es": ("fr-es", "spa-eng"), "ca": ("fra-cat", "cat-eng")}
MODE_PACKAGES = {
    "fr-es": "apertium-fr-es",
    "spa-eng": "apertium-eng-spa",
    "fra-cat": "apertium-fra-cat",
    "cat-eng": "apertium-eng-cat",
}
INSTALL_HINT = {
    pivot: "apt-get install apertium " + " ".join(MODE_PACKAGES[m] for m in modes)
    for pivot, modes in PIVOT_MODES.items()
}

# Characters that mean something in Apertium's stream format: escaped with a backslash.
_SPECIAL = frozenset("\\[]^$/<>@{}")
# Characters that Apertium's marks or generator use (see above), and white space that is
# layout rather than a word boundary: they travel in a superblank, copied verbatim.
_AS_BLANK = frozenset("#*~+\n\t\r")
# In the output text (outside superblanks): Apertium's marks, and its multiword joiner.
_MARKS = frozenset("#*@~")
# An escaped ^ with no word after it makes Apertium drop the rest of the segment and
# its separator, so ^ travels as a private-use character that Apertium copies as is.
_CARET_STAND_IN = "\uf8ff"
_SEPARATOR = re.compile(r"<s(\d+)>")
_SEPARATOR_BYTES = b"[][<s"


def escape_segment(text: str) -> str:
    """Turn one segment into Apertium stream text: specials escaped or kept as blanks."""
    out = []
    for ch in text.replace("\0", ""):
        if ch in _AS_BLANK:
            out.append(f"[{ch}]")  # a superblank: kept as formatting, not translated
        elif ch == "^":
            out.append(_CARET_STAND_IN)
        elif ch in _SPECIAL:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def build_stream(batch: Sequence[str]) -> str:
    # A NUL after each segment, with `apertium -z`, makes every stage finish the segment
    # before reading on: otherwise the transfer reorders words across the separator
    # ("le chat" + "noir et blanc." → "the black" + "cat and white.") and state leaks.
    return "".join(f"{escape_segment(text)}[][<s{i}>]\0" for i, text in enumerate(batch))


def split_stream(stream: str, keep_marks: bool = False) -> list[tuple[int, str]]:
    """Parse Apertium output back into (separator index, text) pairs, unescaped.

    Apertium's marks are dropped unless keep_marks (the text's own `#*~+` travel in
    superblanks, so what is left outside them are marks); the `+` that joins the
    parts of a multiword it failed to generate becomes a space.
    """
    parts: list[tuple[int, str]] = []
    current: list[str] = []
    i, n = 0, len(stream)
    while i < n:
        ch = stream[i]
        if ch == "\\" and i + 1 < n:
            current.append(stream[i + 1])
            i += 2
        elif ch == "[":
            j = i + 1
            blank: list[str] = []
            while j < n and stream[j] != "]":
                if stream[j] == "\\" and j + 1 < n:
                    j += 1
                blank.append(stream[j])
                j += 1
            content = "".join(blank)
            match = _SEPARATOR.fullmatch(content)
            if match:
                parts.append((int(match.group(1)), "".join(current)))
                current = []
            else:
                current.append(content)
            i = j + 1
        elif ch == "\0":  # the flush marks of `apertium -z`
            i += 1
        elif ch == _CARET_STAND_IN:
            current.append("^")
            i += 1
        elif ch in _MARKS and not keep_marks:
            i += 1
        elif ch == "+":
            current.append(" ")
            i += 1
        else:
            current.append(ch)
            i += 1
    return parts


def tidy(text: str) -> str:
    """Undo spacing that the transfer leaves behind (doubled spaces, blanks at the ends)."""
    text = re.sub(r"[ \t]{2,}", " ", text)
    return text.strip(" \t")


@functools.cache
def installed_modes() -> frozenset[str]:
    if shutil.which("apertium") is None:
        return frozenset()
    result = subprocess.run(["apertium", "-l"], capture_output=True, text=True, check=False)
    return frozenset(line.strip() for line in result.stdout.splitlines() if line.strip())


def missing_modes(pivot: str) -> list[str]:
    if pivot not in PIVOT_MODES:
        raise PipelineError(f"unknown pivot {pivot!r}: choose es or ca")
    if shutil.which("apertium") is None:
        return ["the apertium program"]
    have = installed_modes()
    return [f"mode {m} ({MODE_PACKAGES[m]})" for m in PIVOT_MODES[pivot] if m not in have]


class ApertiumEngine:
    name = "apertium"

    def __init__(self, pivot: str = "es", keep_marks: bool = False):
        missing = missing_modes(pivot)
        if missing:
            raise PipelineError(
                f"engine apertium: missing {', '.join(missing)}; install: '{INSTALL_HINT[pivot]}'"
            )
        self.pivot = pivot
        self.modes = PIVOT_MODES[pivot]
        # With marks, Apertium prefixes an unknown word with `*` (`**` when the French was
        # unknown at the first step), a bilingual-dictionary miss with `@` and a
        # generation error with `#`; a caller that repairs those asks for them.
        self.keep_marks = keep_marks

    @functools.cached_property
    def version(self) -> str:
        packages = ["apertium"] + [MODE_PACKAGES[m] for m in self.modes]
        query = (
            subprocess.run(
                ["dpkg-query", "-W", "-f=${Package}=${Version} ", *packages],
                capture_output=True,
                text=True,
                check=False,
            )
            if shutil.which("dpkg-query")
            else None
        )
        described = query.stdout.strip() if query and query.returncode == 0 else ""
        return f"apertium pivot={self.pivot} {described}".strip()

    def translate(
        self, batch: Sequence[str], n_best: int = 1, progress: Progress | None = None
    ) -> list[list[str]]:
        """One hypothesis per segment (a rule-based engine has no n-best list)."""
        if not batch:
            return []
        texts = self._translate_aligned(list(batch), progress, done_before=0, total=len(batch))
        return [[tidy(t)] for t in texts]

    def _translate_aligned(
        self, batch: list[str], progress: Progress | None, done_before: int, total: int
    ) -> list[str]:
        parts = self._run_pipeline(build_stream(batch), progress, done_before, total)
        if [index for index, _ in parts] == list(range(len(batch))):
            return [text for _, text in parts]
        # A transfer rule moved a separator (never seen on real text, but possible):
        # halve the batch until each half comes back aligned, still a few processes.
        if len(batch) == 1:
            raise PipelineError(f"apertium lost the boundary of segment {batch[0][:60]!r}")
        middle = len(batch) // 2
        first = self._translate_aligned(batch[:middle], None, done_before, total)
        second = self._translate_aligned(batch[middle:], None, done_before + middle, total)
        return first + second

    def start(self) -> None:
        """Start the kept tools now, before the first batch: their dictionaries load on
        the other core while the run loads its own models (pipeline/parallel.py)."""
        kept = kept_pipeline(self.modes, "-g" if self.keep_marks else "-n")
        if kept is not None:
            kept.start()

    def release(self) -> None:
        """No more batches for now: the kept tools end on their own (release_kept_pipelines)."""
        release_kept_pipelines()

    @property
    def _mark_flags(self) -> list[str]:
        return [] if self.keep_marks else ["-u"]

    def _run_pipeline(
        self, stream: str, progress: Progress | None, done_before: int, total: int
    ) -> list[tuple[int, str]]:
        kept = kept_pipeline(self.modes, "-g" if self.keep_marks else "-n")
        if kept is not None:
            count = stream.count("\0")  # one NUL ends each segment (build_stream)
            output = kept.translate(stream.encode("utf-8"), count, progress, done_before, total)
        else:
            output = self._run_processes(stream, progress, done_before, total)
        return split_stream(output.decode("utf-8", "replace"), self.keep_marks)

    def _run_processes(
        self, stream: str, progress: Progress | None, done_before: int, total: int
    ) -> bytes:
        """The batch through `apertium` itself, two processes started for this batch."""
        to_pivot, to_english = self.modes
        # stderr goes to files so a chatty process can never block on a full pipe
        first_err, second_err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
        with batch_scheduling():
            first = subprocess.Popen(
                ["apertium", "-z", "-f", "none", *self._mark_flags, to_pivot],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=first_err,
            )
            second = subprocess.Popen(
                ["apertium", "-z", "-f", "none", *self._mark_flags, to_english],
                stdin=first.stdout,
                stdout=subprocess.PIPE,
                stderr=second_err,
            )
        assert first.stdout is not None and first.stdin is not None and second.stdout is not None
        first.stdout.close()  # the second process owns it now

        def feed() -> None:
            # A process that dies at start-up breaks the pipe on the write or, for a
            # small batch still in the buffer, on the close: its exit status says why.
            try:
                first.stdin.write(stream.encode("utf-8"))
                first.stdin.flush()
            except (BrokenPipeError, ValueError):
                pass
            finally:
                try:
                    first.stdin.close()
                except BrokenPipeError:
                    pass

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        chunks: list[bytes] = []
        seen = 0
        tail = b""  # a separator can straddle two reads
        try:
            while chunk := second.stdout.read1(65536):
                chunks.append(chunk)
                if progress is not None:
                    window = tail + chunk
                    seen += window.count(_SEPARATOR_BYTES)
                    tail = window[-(len(_SEPARATOR_BYTES) - 1) :]  # too short to hold one
                    progress(min(done_before + seen, total), total)
            writer.join()
            second.wait()
            first.wait()
        except BaseException:
            # Ctrl-C or an error here: leave no apertium process running behind us.
            for proc in (first, second):
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
            raise
        finally:
            second.stdout.close()
        failures = []
        for proc, mode, err_file in (
            (first, to_pivot, first_err),
            (second, to_english, second_err),
        ):
            err_file.seek(0)
            err = err_file.read().decode("utf-8", "replace").strip().splitlines()
            err_file.close()
            if proc.returncode != 0:
                failures.append((proc.returncode, mode, err))
        if failures:
            # When one process dies, its neighbour often fails only because the pipe broke;
            # report the one that failed first.
            failures.sort(key=lambda f: broken_pipe(f[0], f[2]))
            returncode, mode, err = failures[0]
            raise PipelineError(
                f"apertium {mode} failed in a batch of {total} segments: "
                f"{exit_reason(returncode, err)}"
            )
        return b"".join(chunks)


def broken_pipe(returncode: int, stderr_lines: list[str]) -> bool:
    """Did the process fail only because the next one in the pipeline went away?"""
    return returncode in (-signal.SIGPIPE, 128 + signal.SIGPIPE) or any(
        "Broken pipe" in line for line in stderr_lines
    )


def exit_reason(returncode: int, stderr_lines: list[str]) -> str:
    """Why a process failed: killed by a signal, or its last line on stderr."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        reason = f"crashed ({name})"
        return f"{reason}: {stderr_lines[-1]}" if stderr_lines else reason
    return stderr_lines[-1] if stderr_lines else f"exit status {returncode}"


# --- Apertium's processes kept running between batches ------------------------------------
#
# Each batch through `apertium` starts a dozen processes that load their dictionaries and
# rules: 0.3 CPU s for French → Spanish → English, 0.6 for French → Catalan → English,
# paid again by every chunk of a run that stores chunk by chunk and by every word lookup
# of --pivot both. The `apertium` program cannot be kept open (a gawk stage in it waits
# for input beyond each NUL), so where it is Apertium's own script, the chain of tools of
# each mode, as it runs them (`apertium-wblank-mode -z`), is started once per process and
# kept: with `-z` every tool finishes and flushes a segment at its NUL, so a batch is
# complete when as many NULs as it sent have come back, and the next batch finds the
# tools ready. Anything else named `apertium` is run per batch, as before.
#
# One tool remembers earlier segments past a NUL: apertium-tagger. Given a word whose
# set of tags its model never saw, the HMM tagger looks for the smallest known set that
# holds it, in a function (tagger_utils::find_similar_ambiguity_class) that holds the
# tagger's open class, the tags an unknown word may take, by reference and assigns to
# it: each such word narrows the open class for the rest of the process. cat-eng meets
# such words 3,544 times in the 3,997 sentences of the tuning sets (fra-cat 751, spa-eng
# 19, fr-es never); kept, its tagger tags 22 of the first 100 FLORES dev sentences
# otherwise after 300 others ("el" a pronoun, not an article). Every other tool of the
# four chains writes the same bytes for a batch alone and after another (each tool run
# alone; cg-proc frees its windows and variables at a NUL, apertium-anaphora its
# antecedents: their sources say so too). So the taggers start for each batch (5 ms of
# CPU each) between the kept parts of their chain, the bytes relayed by threads: a
# batch's English depends only on the batch, the same bytes as when the whole chain
# starts for it, so --jobs 1 and N and --cluster write the same English.
#
# A tagger that met no such word is as it started, though: the open class is the only
# state it keeps past a NUL (at a NUL its morpho stream ends the segment with an
# unambiguous end-of-file word, which flushes the pending words, and the tagger resets
# its Viterbi start), and find_similar_ambiguity_class, the one function that rewrites
# it, is reached only after `require_similar_ambiguity_class` has printed "A new
# ambiguity class was found" to stderr when the tagger runs with -d (apertium 3.8,
# hmm.cc and tagger_utils.cc; -d adds messages to stderr only). So each tagger runs
# with -d, its stderr into a file, and is kept for the next batch while that file is
# empty; after a batch that wrote anything there (most batches of the Catalan chains,
# few of the Spanish ones) a new tagger starts for the next. A batch still meets a
# tagger as fresh as a started one: the same bytes (tested, and
# `benchmarks/apertium_state.py --parts same-bytes`), 5-10 ms of CPU saved a start.

APERTIUM_SCRIPT_MARK = b"run_mode_wblank"  # a function of Apertium's `apertium` script

# Tools that carry state from one segment to the next past a NUL (above): started for
# each batch.
PER_BATCH_TOOLS = frozenset({"apertium-tagger"})
# Per-batch tools that tell on stderr, given this option, whenever their state changes:
# kept for the next batch while they have written nothing there (above).
WATCHED_TOOLS = {"apertium-tagger": "-d"}


@functools.cache
def _script_datadir() -> str | None:
    """Apertium's data folder when `apertium` is its own script, else None."""
    import os
    from pathlib import Path

    program = shutil.which("apertium")
    if program is None or shutil.which("apertium-wblank-mode") is None:
        return None
    try:
        head = Path(program).read_bytes()[:200_000]
    except OSError:
        return None
    if not head.startswith(b"#!") or APERTIUM_SCRIPT_MARK not in head:
        return None
    return os.environ.get("APERTIUM_DATADIR") or "/usr/share/apertium"


@functools.cache
def _mode_command(mode: str) -> str | None:
    """The shell command of one mode's chain of tools, with null-flush (-z) on each."""
    from pathlib import Path

    datadir = _script_datadir()
    if datadir is None:
        return None
    mode_file = Path(datadir) / "modes" / f"{mode}.mode"
    if not mode_file.is_file():
        return None
    done = subprocess.run(
        ["apertium-wblank-mode", "-z", str(mode_file)], capture_output=True, text=True, check=False
    )
    command = done.stdout.strip()
    return command if done.returncode == 0 and command else None


@functools.cache
def _utf8_environment() -> dict[str, str]:
    """The environment with LC_CTYPE a UTF-8 locale, as the `apertium` script sets it."""
    import os

    env = dict(os.environ)
    listed = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=False)
    utf8 = [line for line in listed.stdout.split() if re.search(r"utf-?8", line, re.I)]
    env["LC_CTYPE"] = utf8[0] if utf8 else "C.UTF-8"
    return env


@contextlib.contextmanager
def batch_scheduling():
    """The calling thread under SCHED_BATCH (sched(7)) while it starts Apertium's tools,
    which inherit the policy from the thread that forks them.

    Every tool flushes at the NUL after each segment, so under the default policy the
    tool it feeds wakes, preempts it and reads one segment at a time: some 74,000
    sleeps and wake-ups for the 2,262 texts of the Catalan chains. Under SCHED_BATCH a
    woken tool does not preempt the one writing, which goes on and leaves it several
    segments a read: the same bytes, 0.7-2 CPU s less there (pivot_both_parts.py
    --parts scheduling). The policy is the
    thread's alone (the rest of the run keeps its own); where it cannot be set (not
    Linux), the tools start as they did.
    """
    try:
        policy, param = os.sched_getscheduler(0), os.sched_getparam(0)
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
    except (AttributeError, OSError):
        yield
        return
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, policy, param)


def mode_tools(command: str) -> list[str]:
    """The tools of a mode's command, in order (its paths are quoted and hold no ` | `)."""
    return [tool.strip() for tool in re.split(r"\s\|\s", command) if tool.strip()]


@dataclass(frozen=True)
class Stage:
    """A run of a mode's tools kept between batches, or one tool started for each batch."""

    mode: str
    command: str  # for bash: tools joined by pipes
    per_batch: bool

    @property
    def watch_option(self) -> str | None:
        """The option that makes this per-batch tool tell on stderr when its state
        changes (WATCHED_TOOLS), None for a tool started for every batch."""
        if not self.per_batch:
            return None
        return WATCHED_TOOLS.get(self.command.removeprefix("exec ").split(maxsplit=1)[0])


def stage_script(stage: Stage) -> str:
    """The bash script of a stage, its shell holding neither end of the stage's pipes.

    A tool that dies mid-batch ends the tools after it (their input ends), but not the
    ones before it: those that had already written their part of the batch, into the
    pipe of the tool as it died, wait for more input. So the stage's output must end
    when its last tool does, for the relay reading it to see the batch fail and close
    the chain's input (KeptPipeline._fail), which ends the tools still waiting. A shell
    running `a | b | c` in the foreground keeps its own copy of the output pipe until
    every tool has exited: the relay then waits for the end of a pipe only the shell
    holds, the shell for a tool that waits for input (the hang this fixes). So the
    tools run as a background job given the shell's input and output as fds 4 and 3,
    which the shell then closes, and it waits for the job (pipefail: the status of the
    last tool that failed). It also lets go of the input, so that a first tool that
    dies breaks the pipe of whoever writes to it instead of filling it.
    """
    if stage.per_batch:
        return stage.command  # `exec tool`: the shell becomes the tool
    tools = mode_tools(stage.command)
    last = len(tools) - 1
    piped = " | ".join(
        tool + (" <&4" if i == 0 else "") + (" >&3" if i == last else "") + " 3>&- 4<&-"
        for i, tool in enumerate(tools)
    )
    return (
        f"set -o pipefail; exec 3>&1 4<&0 >/dev/null </dev/null; {piped} & exec 3>&- 4<&-; wait $!"
    )


def shell_status(stage: Stage, returncode: int, stderr_lines: list[str]):
    """A kept stage's exit status and stderr as a tool's: 128+N (pipefail) from a tool
    that died of signal N becomes -N, and bash's report of the job (one line per tool)
    gives way to the name of the tool that died."""
    if stage.per_batch or returncode <= 128:
        return returncode, stderr_lines
    try:
        number = signal.Signals(returncode - 128)
    except ValueError:
        return returncode, stderr_lines
    described = signal.strsignal(number) or number.name
    for line in stderr_lines:
        head, found, tool = line.partition(described)
        if found and re.search(r"\d\s*$", head):  # "PID Segmentation fault | TOOL ..."
            words = tool.strip().removeprefix("(core dumped)").strip(" |").split()
            return -number, words[:1]
    return -number, []


def chain_stages(modes: Sequence[str], commands: Sequence[str]) -> list[Stage]:
    """The chain cut around its per-batch tools: kept runs of tools between them."""
    stages: list[Stage] = []
    for mode, command in zip(modes, commands, strict=True):
        kept: list[str] = []
        for tool in mode_tools(command):
            if tool.split(maxsplit=1)[0] in PER_BATCH_TOOLS:
                if kept:
                    stages.append(Stage(mode, " | ".join(kept), per_batch=False))
                    kept = []
                stages.append(Stage(mode, "exec " + tool, per_batch=True))
            else:
                kept.append(tool)
        if kept:
            stages.append(Stage(mode, " | ".join(kept), per_batch=False))
    return stages


def pass_batch(source, count: int, write, whole: bool) -> bool:
    """Pass a batch's `count` NUL-ended segments from `source` to `write`; False if the
    source ended first. `whole`: a tool started for this batch, read to its end; what it
    writes after the batch's last NUL (a NUL of its own at its input's end) is dropped,
    as the next tool of a kept chain must see the batch alone."""
    ends = 0
    while whole or ends < count:
        chunk = source.read1(65536)
        if not chunk:
            break
        if ends >= count:
            continue  # a per-batch tool's own end: not part of the batch
        nuls = chunk.count(b"\0")
        if whole and ends + nuls >= count:
            cut = -1
            for _ in range(count - ends):
                cut = chunk.index(b"\0", cut + 1)
            chunk, nuls = chunk[: cut + 1], count - ends
        ends += nuls
        write(chunk)
    return ends >= count


class _Sink:
    """Writes to a process's input; once the process is gone, drops what follows, so the
    thread relaying to it keeps draining the tool before it (nothing blocks)."""

    def __init__(self, stream):
        self.stream, self.broken = stream, False

    def write(self, data: bytes) -> None:
        if self.broken:
            return
        try:
            self.stream.write(data)
            self.stream.flush()
        except (BrokenPipeError, ValueError, OSError):
            self.broken = True  # a tool died: its exit status says why

    def close(self) -> None:
        try:
            self.stream.close()
        except (BrokenPipeError, ValueError, OSError):
            pass


class KeptPipeline:
    """The tools of a chain of modes, started at the first batch and kept for the next,
    but for the per-batch tools (PER_BATCH_TOOLS), started for each batch between them."""

    def __init__(self, modes: Sequence[str], commands: Sequence[str], option: str):
        self.modes, self.commands, self.option = tuple(modes), tuple(commands), option
        self.stages = chain_stages(modes, commands)
        self.kept_stages = [stage for stage in self.stages if not stage.per_batch]
        self.lock = threading.Lock()  # one batch at a time through the same tools
        self.processes: list[subprocess.Popen] = []  # the kept stages' shells, in order
        self.errors: list = []
        # stage index → a watched per-batch tool (and its stderr file) that the last
        # batch left as it started: it takes the next batch (WATCHED_TOOLS)
        self.resumed: dict[int, tuple[subprocess.Popen, object]] = {}
        self.tool_starts = 0  # per-batch tools started (benchmarks count them)

    def _spawn(self, stage: Stage, stdin, err) -> subprocess.Popen:
        # $0 names the mode in bash's messages; $1 is -g (marks kept) or -n, as the
        # script passes them; $2 the tagger's option: -d for a watched one
        tagger_option = stage.watch_option or ""
        with batch_scheduling():
            return subprocess.Popen(
                ["bash", "-c", stage_script(stage), stage.mode, self.option, tagger_option],
                stdin=stdin,
                stdout=subprocess.PIPE,
                stderr=err,
                env=_utf8_environment(),
                process_group=0,  # its tools with it, so that a kill ends them all
            )

    def _start(self) -> None:
        previous: Stage | None = None
        for stage in self.stages:
            if not stage.per_batch:
                err = tempfile.TemporaryFile()
                joined = previous is not None and not previous.per_batch
                stdin = self.processes[-1].stdout if joined else subprocess.PIPE
                process = self._spawn(stage, stdin, err)
                if joined:
                    stdin.close()  # the next stage owns it now
                self.processes.append(process)
                self.errors.append(err)
            previous = stage

    def start(self) -> None:
        """The kept tools started, if they are not yet (no thread: a fork may follow)."""
        with self.lock:
            if not self.processes:
                self._start()

    def translate(
        self, data: bytes, count: int, progress: Progress | None, done_before: int, total: int
    ) -> bytes:
        """The output of `count` segments (each ended by a NUL) through the chain."""
        with self.lock:
            if not self.processes:
                self._start()
            batch: list[tuple[Stage, subprocess.Popen, object]] = []
            try:
                return self._translate(data, count, progress, done_before, total, batch)
            except BaseException:
                self.close(kill=True)  # Ctrl-C or an error: no tool left running
                for _, process, err in batch:
                    _kill_group(process)
                    process.wait()
                    err.close()
                raise

    def _translate(self, data, count, progress, done_before, total, batch) -> bytes:
        # each stage's process: the kept ones, and the per-batch ones started now
        kept = iter(self.processes)
        running: list[subprocess.Popen] = []
        watched: dict[int, tuple[subprocess.Popen, object]] = {}
        for index, stage in enumerate(self.stages):
            if stage.per_batch:
                if index in self.resumed:
                    process, err = self.resumed.pop(index)
                else:
                    err = tempfile.TemporaryFile()
                    process = self._spawn(stage, subprocess.PIPE, err)
                    self.tool_starts += 1
                batch.append((stage, process, err))
                running.append(process)
                if stage.watch_option is not None:
                    watched[index] = (process, err)
            else:
                running.append(next(kept))
        # a per-batch tool that is not watched takes this batch alone: its input ends
        # with the batch, and its output is read to its end
        alone = [stage.per_batch and i not in watched for i, stage in enumerate(self.stages)]
        threads = []
        first = _Sink(running[0].stdin)

        def feed() -> None:
            first.write(data)
            if alone[0]:
                first.close()

        threads.append(threading.Thread(target=feed, daemon=True))
        # a thread between each per-batch tool and its neighbours
        for i in range(len(self.stages) - 1):
            before, after = self.stages[i], self.stages[i + 1]
            if before.per_batch or after.per_batch:
                threads.append(
                    threading.Thread(
                        target=_relay,
                        args=(running[i].stdout, _Sink(running[i + 1].stdin), count, alone[i]),
                        kwargs={"close_after": alone[i + 1]},
                        daemon=True,
                    )
                )
        for thread in threads:
            thread.start()
        chunks: list[bytes] = []
        seen = 0
        tail = b""

        def collect(chunk: bytes) -> None:
            nonlocal seen, tail
            chunks.append(chunk)
            if progress is not None:
                window = tail + chunk
                seen += window.count(_SEPARATOR_BYTES)
                tail = window[-(len(_SEPARATOR_BYTES) - 1) :]
                progress(min(done_before + seen, total), total)

        complete = pass_batch(running[-1].stdout, count, collect, alone[-1])
        output = b"".join(chunks)
        # A tool that dies makes the ones after it flush and end, with NULs of their own:
        # the batch came through only if its last separator did.
        if complete and count:
            complete = b"[][<s%d>]" % (count - 1) in output
        if complete:
            for thread in threads:
                thread.join()
            ended = [process for i, process in enumerate(running) if alone[i]]
            for process in ended:
                process.wait()
            complete = all(process.returncode == 0 for process in ended)
            complete = complete and all(p.poll() is None for p, _ in watched.values())
        if not complete:
            self._fail(total, batch)
        # A watched tool that wrote nothing to stderr is as it started: kept for the
        # next batch. One that did ends here (its input closed), a new one takes the next.
        for index, (process, err) in watched.items():
            if os.fstat(err.fileno()).st_size == 0:
                self.resumed[index] = (process, err)
            else:
                _Sink(process.stdin).close()
                process.wait()
        kept_on = {id(process) for process, _ in self.resumed.values()}
        for _, process, err in batch:
            if id(process) not in kept_on:
                process.stdout.close()
                err.close()
        batch.clear()
        return output

    def _fail(self, total: int, batch: list) -> None:
        # the tools before the one that died end at their input's end, the ones after it
        # at theirs
        for process in self.processes:
            if process.stdin is not None:
                _Sink(process.stdin).close()
        for _, process, _ in batch:
            _Sink(process.stdin).close()
        for process in [*self.processes, *(process for _, process, _ in batch)]:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                _kill_group(process)
                process.wait()
        failures = []
        stages_run = [
            *zip(self.processes, self.kept_stages, self.errors, strict=True),
            *((process, stage, err) for stage, process, err in batch),
        ]
        for process, stage, err_file in stages_run:
            err_file.seek(0)
            err = err_file.read().decode("utf-8", "replace").strip().splitlines()
            if process.returncode not in (0, -signal.SIGKILL):
                returncode, err = shell_status(stage, process.returncode, err)
                failures.append((returncode, stage.mode, err))
        returncode, mode, err = min(
            failures or [(1, self.modes[-1], ["ended before the batch did"])],
            key=lambda f: broken_pipe(f[0], f[2]),
        )
        raise PipelineError(
            f"apertium {mode} failed in a batch of {total} segments: {exit_reason(returncode, err)}"
        )

    def every_process(self) -> list[subprocess.Popen]:
        """The kept stages' shells and the watched tools kept for the next batch."""
        return [*self.processes, *(p for p, _ in self.resumed.values())]

    def end_input(self) -> None:
        """Close the kept tools' input: they finish and exit on their own (close waits)."""
        for process in self.every_process():
            if process.stdin is not None:
                _Sink(process.stdin).close()

    def close(self, kill: bool = False) -> None:
        every = self.every_process()
        resumed = list(self.resumed.values())
        self.resumed = {}
        for process in every:
            if process.stdin is not None:
                _Sink(process.stdin).close()
            if kill:
                _kill_group(process)
        for process, err in resumed:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                _kill_group(process)
                process.wait()
            process.stdout.close()
            err.close()
        for process in self.processes:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                _kill_group(process)
                process.wait()
            if process.stdout is not None:
                process.stdout.close()
        for err_file in self.errors:
            err_file.close()
        self.processes, self.errors = [], []


def _relay(source, sink: _Sink, count: int, whole: bool, close_after: bool) -> None:
    """Pass one batch from a stage to the next (`whole`: a tool that takes this batch
    alone, read to its end); such a tool's input ends with the batch, and so does any
    input when the stage before ended early (they end in turn)."""
    try:
        complete = pass_batch(source, count, sink.write, whole)
    except (ValueError, OSError):  # the chain closed under it (an error, Ctrl-C)
        complete = False
    if close_after or not complete:
        sink.close()


def _kill_group(process: subprocess.Popen) -> None:
    """Kill a mode's shell and the tools it started (its process group)."""
    import os

    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


_KEPT: dict[tuple[tuple[str, ...], str], KeptPipeline] = {}
_KEPT_LOCK = threading.Lock()


def kept_pipeline(modes: Sequence[str], option: str) -> KeptPipeline | None:
    """The kept chain for these modes (None where `apertium` is not Apertium's script)."""
    key = (tuple(modes), option)
    with _KEPT_LOCK:
        if key not in _KEPT:
            commands = [_mode_command(mode) for mode in modes]
            if any(command is None for command in commands):
                return None
            if not _KEPT:
                import atexit

                atexit.register(close_kept_pipelines)
            _KEPT[key] = KeptPipeline(modes, commands, option)
        return _KEPT[key]


_RELEASED: list[KeptPipeline] = []  # their input closed, not waited for yet


def release_kept_pipelines() -> None:
    """Let the kept tools go without waiting for them, once the run has no more to
    translate: their input closed, they end on another core (0.5 CPU s for the four
    chains of --pivot both) while the run checks and writes, rather than at its exit. A
    later batch starts new ones; close_kept_pipelines waits for these."""
    with _KEPT_LOCK:
        pipelines = list(_KEPT.values())
        _KEPT.clear()
        _RELEASED.extend(pipelines)
    for pipeline in pipelines:
        held = pipeline.lock.acquire(timeout=1)  # a batch under way: cut short at exit
        try:
            if held:
                pipeline.end_input()
        finally:
            if held:
                pipeline.lock.release()


def drop_inherited_pipelines() -> None:
    """In a process forked from the one that started the kept tools: close its copies of
    their pipes (the tools see the end of their input when their owner closes it, not
    when every fork has ended too) and forget them; the owner ends them."""
    with _KEPT_LOCK:
        pipelines = list(_KEPT.values()) + _RELEASED
        _KEPT.clear()
        _RELEASED.clear()
    for pipeline in pipelines:
        for process in pipeline.every_process():
            for pipe in (process.stdin, process.stdout):
                if pipe is not None:
                    with contextlib.suppress(OSError):
                        pipe.close()
            process.returncode = 0  # not this process's child: never waited for here
        pipeline.processes, pipeline.errors, pipeline.resumed = [], [], {}


def close_kept_pipelines() -> None:
    """End the kept tools (their input closed, they finish and exit)."""
    with _KEPT_LOCK:
        pipelines = list(_KEPT.values()) + _RELEASED
        _KEPT.clear()
        _RELEASED.clear()
    for pipeline in pipelines:
        # a batch still under way in another thread (at exit, after an error) is cut short
        held = pipeline.lock.acquire(timeout=1)
        try:
            pipeline.close(kill=not held)
        finally:
            if held:
                pipeline.lock.release()
