"""What a person sees while a command works: one line per long stage, and how much to say.

A command runs in stages (preparing, translating, checking, writing). On a terminal, the
stage under way is one line redrawn in place: a bar with its count and the time left,
or, for a stage with no count, its name and the time so far; when it ends the line stays,
with the time it took. A stage started inside another (a sub-step such as "enforcing the
glossary") is shown at the end of that line, so there is still one bar per stage, and a
quiet moment always says what is going on. Nothing of this reaches a redirected stderr
(a log), except with --verbose, which writes one plain line per stage and its time.

The level is set once by the command line (`configure`); a library caller that sets
nothing sees nothing. The stages' code only calls `stage(...)`, which is cheap and
thread-safe (engines report progress from worker threads).
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

QUIET, NORMAL, VERBOSE = 0, 1, 2

# The live line appears only once a stage has lasted this long (a quick command shows no
# bar at all) and is redrawn this often.
DELAY = 0.5
INTERVAL = 0.2
# The time left is shown once the count has moved and the stage has lasted this long.
ETA_AFTER = 1.0


def format_duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_count(n: int, unit: str) -> str:
    if unit == "bytes":
        return f"{n / 1e6:.1f} MB"
    return str(n)


class Stage:
    """One stage: a label, an optional total, a count; a Progress (`stage(done, total)`)."""

    def __init__(self, display: Display, label: str, total: int | None, unit: str):
        self.display = display
        self.label = label
        self.total = total
        self.unit = unit
        self.done = 0
        self.started = time.monotonic()
        self.ended: float | None = None
        self.shown = False  # drawn at least once on the live line

    def __call__(self, done: int, total: int | None = None) -> None:
        """Report `done` of `total` in the reporter's own units (an engine may count the
        segments twice, once per pivot): the count shown stays in this stage's units."""
        if total and self.total is not None and total != self.total:
            done = done * self.total // total
        elif total and self.total is None:
            self.total = total
        self.done = max(0, min(done, self.total)) if self.total is not None else done

    def advance(self, n: int = 1) -> None:
        self(self.done + n)

    def set_total(self, total: int) -> None:
        self.total = total
        self.done = min(self.done, total)

    @property
    def elapsed(self) -> float:
        return (self.ended or time.monotonic()) - self.started

    def counted(self) -> str:
        if self.total is None:
            return ""
        unit = "" if self.unit == "bytes" else f" {self.unit}"
        if self.unit == "bytes":
            return f"{format_count(self.done, 'bytes')} of {format_count(self.total, 'bytes')}"
        return f"{self.done}/{self.total}{unit}".rstrip()

    def time_left(self) -> str:
        """`0:12 left` once the rate is known, else the time so far."""
        elapsed = self.elapsed
        if self.total and 0 < self.done < self.total and elapsed >= ETA_AFTER:
            left = elapsed * (self.total - self.done) / self.done
            return f"{format_duration(left)} left"
        return f"{format_duration(elapsed)} so far"

    def __enter__(self) -> Stage:
        self.display._begin(self)
        return self

    def __exit__(self, exc_type, *rest) -> None:
        self.ended = time.monotonic()
        self.display._end(self, failed=exc_type is not None)


class Display:
    """Where stages are shown, and how much is said (QUIET, NORMAL, VERBOSE)."""

    def __init__(
        self,
        stream: TextIO | None = None,
        level: int = NORMAL,
        live: bool | None = None,
        delay: float = DELAY,
        interval: float = INTERVAL,
    ):
        self.stream = stream if stream is not None else sys.stderr
        self.level = level
        if live is None:
            isatty = getattr(self.stream, "isatty", None)
            live = bool(isatty and isatty())
        self.live = live and level >= NORMAL
        self.delay = delay
        self.interval = interval
        self._stack: list[Stage] = []
        self._lock = threading.RLock()
        self._drawn = False  # a live line is on the screen, without its newline
        self._ticker: threading.Thread | None = None

    # --- what the stages call -----------------------------------------------------------

    def stage(self, label: str, total: int | None = None, unit: str = "") -> Stage:
        return Stage(self, label, total, unit)

    def say(self, message: str, err: bool = True) -> None:
        """A message for the person (not data): not shown with --quiet."""
        if self.level < NORMAL:
            return
        if err:
            self.print_line(message)
        else:
            sys.stdout.write(message + "\n")
            sys.stdout.flush()

    def print_line(self, text: str) -> None:
        """A line on the stream, above the live line (which is redrawn below it)."""
        with self._lock:
            self._clear()
            self.stream.write(text + "\n")
            self.stream.flush()
            self._draw()

    # --- the live line ----------------------------------------------------------------

    def _begin(self, stage: Stage) -> None:
        with self._lock:
            self._stack.append(stage)
            if self.live and (self._ticker is None or not self._ticker.is_alive()):
                self._ticker = threading.Thread(target=self._tick, daemon=True)
                self._ticker.start()

    def _end(self, stage: Stage, failed: bool) -> None:
        with self._lock:
            if stage in self._stack:
                self._stack.remove(stage)
            nested = bool(self._stack)
            if self.live and not nested:
                self._clear()
                if stage.shown or self.level >= VERBOSE:
                    self.stream.write(self._render(stage, final=True, failed=failed) + "\n")
                    self.stream.flush()
            elif self.level >= VERBOSE:
                counted = f" {stage.counted()}" if stage.total is not None else ""
                how = "stopped after" if failed else "in"
                indent = "  " if nested else ""
                text = f"{indent}{stage.label}:{counted} {how} {stage.elapsed:.1f} s"
                self.print_line(text)

    def _tick(self) -> None:
        while True:
            time.sleep(self.interval)
            with self._lock:
                if not self._stack:
                    self._ticker = None
                    return
                self._draw()

    def _clear(self) -> None:
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self._drawn = False

    def _draw(self) -> None:
        if not self.live or not self._stack:
            return
        top = self._stack[0]
        if top.elapsed < self.delay and not top.shown:
            return
        top.shown = True
        self.stream.write("\r" + self._render(top) + "\x1b[K")
        self.stream.flush()
        self._drawn = True

    def _columns(self) -> int:
        """The width of the terminal the line is drawn on (stderr's, not stdout's)."""
        try:
            return os.get_terminal_size(self.stream.fileno()).columns or 80
        except (AttributeError, OSError, ValueError):
            return shutil.get_terminal_size((80, 24)).columns

    def _render(self, stage: Stage, final: bool = False, failed: bool = False) -> str:
        """`label [####----] 12/218 texts  0:12 left`; a sub-step under way replaces the
        time with its own (`— enforcing the glossary 40/120 texts  0:03 left`). The bar
        narrows first when the terminal is narrow."""
        width = max(40, self._columns() - 1)
        inner = self._stack[-1] if len(self._stack) > 1 and not final else None
        if final:
            tail = ("stopped after " if failed else "in ") + f"{stage.elapsed:.1f} s"
        elif inner is not None:
            detail = inner.label + (f" {inner.counted()}" if inner.total is not None else "")
            tail = f"— {detail}  {inner.time_left()}"
        else:
            tail = stage.time_left()
        head = f"{stage.label:<11}"
        if stage.total is None:
            line = f"{head} {tail}"
        else:
            counted = stage.counted()
            cells = max(0, min(24, width - len(head) - len(counted) - len(tail) - 6))
            fraction = stage.done / stage.total if stage.total else 1.0
            filled = int(cells * fraction)
            bar = f"[{'#' * filled}{'-' * (cells - filled)}] " if cells >= 5 else ""
            line = f"{head} {bar}{counted}  {tail}"
        return line if len(line) <= width else line[: width - 1] + "…"


class LineHandler(logging.Handler):
    """Log records (the stages' warnings) as lines above the live line, never inside it."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            _current.print_line(self.format(record))
        except Exception:  # noqa: BLE001 - logging must never fail the work
            self.handleError(record)


# The display of this process: silent until the command line configures one.
_current = Display(stream=sys.stderr, level=QUIET, live=False)


def configure(level: int = NORMAL, stream: TextIO | None = None) -> Display:
    global _current
    _current = Display(stream=stream, level=level)
    return _current


def current() -> Display:
    return _current


def stage(label: str, total: int | None = None, unit: str = "") -> Stage:
    """A stage of the current display (see Stage); use it as a context manager."""
    return _current.stage(label, total, unit)


def say(message: str, err: bool = True) -> None:
    _current.say(message, err)


def level() -> int:
    return _current.level


@contextmanager
def step(label: str) -> Iterator[Stage]:
    """A sub-step with no count, shown on the line of the stage under way."""
    with stage(label) as s:
        yield s
