"""Apertium back end: French → Spanish → English, or French → Catalan → English.

The whole batch goes through one pipeline of two `apertium` processes. We write
Apertium's own stream format ourselves (`-f none`) instead of using its text
deformatter, because the deformatter neither escapes every special character
(`#`, `*` leak into the output) nor keeps segment boundaries. Each segment is
escaped, and a superblank `[][<sN>]` follows it: Apertium copies superblanks
through untouched and in order, so the output splits back exactly.
"""

from __future__ import annotations

import functools
import re
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Sequence

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

# Characters that mean something in Apertium's stream format.
_SPECIAL = frozenset("\\[]^$/<>@{}*#")
_SEPARATOR = re.compile(r"<s(\d+)>")


def escape_segment(text: str) -> str:
    """Turn one segment into Apertium stream text: specials escaped, newlines as blanks."""
    out = []
    for ch in text.replace("\0", ""):
        if ch == "\n":
            out.append("[\n]")  # a superblank: kept as formatting, not translated
        elif ch in _SPECIAL:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def build_stream(batch: Sequence[str]) -> str:
    return "".join(f"{escape_segment(text)}[][<s{i}>]" for i, text in enumerate(batch))


def split_stream(stream: str) -> list[tuple[int, str]]:
    """Parse Apertium output back into (separator index, text) pairs, unescaped."""
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
        else:
            current.append(ch)
            i += 1
    return parts


def tidy(text: str) -> str:
    """Undo spacing that the transfer leaves behind (doubled spaces, space before a period)."""
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

    def __init__(self, pivot: str = "es"):
        missing = missing_modes(pivot)
        if missing:
            raise PipelineError(
                f"engine apertium: missing {', '.join(missing)}; install: {INSTALL_HINT[pivot]}"
            )
        self.pivot = pivot
        self.modes = PIVOT_MODES[pivot]

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

    def _run_pipeline(
        self, stream: str, progress: Progress | None, done_before: int, total: int
    ) -> list[tuple[int, str]]:
        to_pivot, to_english = self.modes
        # stderr goes to files so a chatty process can never block on a full pipe
        first_err, second_err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
        first = subprocess.Popen(
            ["apertium", "-f", "none", "-u", to_pivot],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=first_err,
        )
        second = subprocess.Popen(
            ["apertium", "-f", "none", "-u", to_english],
            stdin=first.stdout,
            stdout=subprocess.PIPE,
            stderr=second_err,
        )
        assert first.stdout is not None and first.stdin is not None and second.stdout is not None
        first.stdout.close()  # the second process owns it now

        def feed() -> None:
            try:
                first.stdin.write(stream.encode("utf-8"))
            except BrokenPipeError:
                pass  # the process died; its exit status says why
            finally:
                first.stdin.close()

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        chunks: list[bytes] = []
        seen = 0
        try:
            while chunk := second.stdout.read1(65536):
                chunks.append(chunk)
                if progress is not None:
                    seen += chunk.count(b"[][<s")
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
            failures.sort(key=lambda f: f[0] in (-signal.SIGPIPE, 128 + signal.SIGPIPE))
            returncode, mode, err = failures[0]
            raise PipelineError(
                f"apertium {mode} failed in a batch of {total} segments: "
                f"{exit_reason(returncode, err)}"
            )
        return split_stream(b"".join(chunks).decode("utf-8", "replace"))


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
