"""Atomic file writes: a temporary file in the same folder, fsync, then rename.

A run killed part-way leaves each output either as it was or complete, never half written.
`writes_together()` goes further for a group of files (every output of a run): inside it,
each atomic write goes to a temporary file, and only when the block ends are they all
renamed into place, with Ctrl-C held back during the renames. A run that fails (disk full,
engine crash, Ctrl-C) before that point changes no output at all.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import os
import signal
import tempfile
import threading
from pathlib import Path

from pipeline.errors import PipelineError

# Signals that would stop a run in the middle of the renames of StagedWrites.commit.
_DEFERRED = (signal.SIGINT, signal.SIGTERM)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def describe_os_error(err: OSError, path: Path | str | None = None) -> str:
    """`<file>: <reason>` for an OSError, with a hint for the reasons a user can act on."""
    where = path if path is not None else (err.filename or "")
    reason = err.strerror or str(err)
    hint = {
        errno.ENOSPC: " (the disk is full)",
        errno.EDQUOT: " (disk quota exceeded)",
        errno.EFBIG: " (the file size limit was reached)",
        errno.EROFS: "",
        errno.EACCES: " (no permission)",
    }.get(err.errno or 0, "")
    return f"{where}: {reason}{hint}" if where else f"{reason}{hint}"


def write_temporary(path: Path, data: bytes, sync: bool = True) -> Path:
    """Write `data` to a new temporary file beside `path`; return its path.

    With `sync`, the data is on disk when this returns (StagedWrites syncs them all at once).
    """
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as err:
        raise PipelineError(f"cannot write in {describe_os_error(err, path.parent)}") from err
    try:
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            if sync:
                os.fsync(f.fileno())
    except BaseException as err:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(err, OSError):
            raise PipelineError(f"cannot write {describe_os_error(err, path)}") from err
        raise
    return Path(tmp)


@contextlib.contextmanager
def signals_deferred():
    """Hold back Ctrl-C and SIGTERM for the block; they act (and stop the run) after it.

    Python's handlers are swapped for ones that only note the signal (a signal mask would
    not do: the threads of numerical libraries would still take the signal). Only the main
    thread may set handlers; elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {sig: signal.signal(sig, lambda n, _f: received.append(n)) for sig in _DEFERRED}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
        for sig in dict.fromkeys(received):
            handler = previous[sig]
            if callable(handler):
                handler(sig, None)  # Python's own for SIGINT: raises KeyboardInterrupt
            elif handler in (signal.SIG_DFL, None):
                os.kill(os.getpid(), sig)  # the default action, now that the files are in place


class StagedWrites:
    """Files written to temporary names now and renamed into place together by commit().

    As a context manager: committed when the block ends normally, discarded (temporary
    files removed, nothing replaced) when it raises.
    """

    def __init__(self) -> None:
        self.pending: list[tuple[Path, Path]] = []  # (temporary file, final path)

    def write_bytes(self, path: Path, data: bytes) -> Path:
        path = Path(path)
        self.pending.append((write_temporary(path, data, sync=False), path))
        return path

    def write_text(self, path: Path, text: str) -> Path:
        return self.write_bytes(path, text.encode("utf-8"))

    def commit(self) -> list[Path]:
        """Rename every staged file into place; Ctrl-C waits until the last one is done."""
        for _, path in self.pending:
            if path.is_dir():
                self.discard()
                raise PipelineError(f"{path} is a folder; cannot write an output file there")
        _sync_files([tmp for tmp, _ in self.pending])
        done = []
        with signals_deferred():
            try:
                for tmp, path in self.pending:
                    os.replace(tmp, path)
                    done.append(path)
            except BaseException as err:
                self.pending = self.pending[len(done) :]
                self.discard()
                if isinstance(err, OSError):
                    raise PipelineError(f"cannot write {describe_os_error(err, path)}") from err
                raise
            for folder in {path.parent for path in done}:
                _fsync_folder(folder)
        self.pending = []
        return done

    def discard(self) -> None:
        for tmp, _ in self.pending:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        self.pending = []

    def __enter__(self) -> StagedWrites:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()


# From this many files on, one syncfs() of their file system is far cheaper than an
# fsync() each (a run of 10,000 articles writes 50,000 files).
SYNCFS_FROM = 16


def _sync_files(paths: list[Path]) -> None:
    """Put the data of these (closed) files on disk before they are renamed into place, so
    a crash of the machine cannot leave an output renamed but empty."""
    if len(paths) >= SYNCFS_FROM:
        folders = {p.parent for p in paths}
        if all(_syncfs(folder) for folder in folders):
            return
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError as err:
            raise PipelineError(f"cannot write {describe_os_error(err, path)}") from err
        try:
            os.fsync(fd)
        except OSError as err:
            raise PipelineError(f"cannot write {describe_os_error(err, path)}") from err
        finally:
            os.close(fd)


def _syncfs(folder: Path) -> bool:
    """syncfs(2) on the file system of `folder` (Linux); False when it is not available."""
    import ctypes

    try:
        syncfs = ctypes.CDLL(None, use_errno=True).syncfs
    except (AttributeError, OSError):
        return False
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        return syncfs(fd) == 0
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    """Make the renames in a folder durable (best effort: not every system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def check_writable(folder: Path) -> None:
    """Fail now, before any work, when files cannot be created in `folder`."""
    folder = Path(folder)
    try:
        fd, tmp = tempfile.mkstemp(prefix=".pipeline-check.", suffix=".tmp", dir=folder)
    except OSError as err:
        raise PipelineError(f"cannot write in {describe_os_error(err, folder)}") from err
    os.close(fd)
    os.unlink(tmp)


_GROUP: contextvars.ContextVar[StagedWrites | None] = contextvars.ContextVar(
    "pipeline_write_group", default=None
)


@contextlib.contextmanager
def writes_together():
    """Every atomic write inside the block is staged, and all are renamed at its end.

    If the block raises (disk full, Ctrl-C, a failing stage), no file is replaced and the
    temporary files are removed. Nested blocks join the outermost one.
    """
    outer = _GROUP.get()
    if outer is not None:
        yield outer
        return
    staged = StagedWrites()
    token = _GROUP.set(staged)
    try:
        yield staged
    except BaseException:
        staged.discard()
        raise
    finally:
        _GROUP.reset(token)
    staged.commit()


def read_utf8(path: Path) -> str:
    """A file's text, or a PipelineError naming the file and what went wrong."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise PipelineError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from err
    except OSError as err:
        raise PipelineError(f"{path}: cannot read: {err.strerror}") from err


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace `path` with `data` whole (inside writes_together: at the end of its block)."""
    group = _GROUP.get()
    if group is not None:
        group.write_bytes(path, data)
        return
    with StagedWrites() as staged:
        staged.write_bytes(path, data)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))
