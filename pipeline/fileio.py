"""Atomic file writes: a temporary file in the same folder, fsync, then rename.

A run killed part-way leaves each output either as it was or complete, never half written.
`writes_together()` goes further for a group of files (every output of a run): inside it,
each atomic write goes to a temporary file, and only when the block ends are they all
renamed into place, with Ctrl-C held back during the renames. A run that fails (disk full,
engine crash, Ctrl-C) before that point changes no output at all.

A kill -9 (or a power cut) cannot be held back. So before the renames of a group begin, a
journal (`.pipeline-commit.json`, in each folder concerned) lists them; it is removed when
the last is done. `recover(folder)`, which every command that reads or writes an output
folder calls first, finishes the renames of a journal left behind (their files were whole
and on disk before the journal was written) and removes the temporary files of runs that
died before their journal: a folder always ends up holding one run's outputs whole.

A write to a symbolic link writes the file it points to (the link stays), and a file that
is replaced keeps its permissions and, where the user may set them, its owner and group.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import json
import os
import signal
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

from pipeline.errors import PipelineError

# What a write takes: the bytes, or the file's bytes a piece at a time (a writer that
# streams, so a 5 MB article's 40 MB XLIFF is never held whole).
Data = bytes | Iterable[bytes]

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


JOURNAL = ".pipeline-commit.json"


def final_target(path: Path) -> Path:
    """The file a write to `path` replaces: the target of a symbolic link (followed to the
    end), so the link itself stays and whoever shares the target sees the change."""
    path = Path(path)
    if path.is_symlink():
        return Path(os.path.realpath(path))
    return path


def write_temporary(path: Path, data: Data, sync: bool = True) -> Path:
    """Write `data` (bytes, or an iterable of bytes written as they come) to a new
    temporary file beside `path`; return its path.

    The file gets the permissions (and, where allowed, owner and group) of the file it
    will replace, or those a plain open() would give a new one. Its name holds this
    process's id, so a later run knows it for a dead run's leftover (remove_stale).
    With `sync`, the data is on disk when this returns (StagedWrites syncs them all at once).
    """
    path = Path(path)
    try:
        existing = os.stat(path)
    except OSError:
        existing = None
    try:
        fd, tmp = tempfile.mkstemp(
            prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent
        )
    except OSError as err:
        raise PipelineError(f"cannot write in {describe_os_error(err, path.parent)}") from err
    try:
        if existing is not None:
            _copy_owner(fd, existing)
            os.fchmod(fd, existing.st_mode & 0o7777)
        else:
            # mkstemp makes the file private (0600); give it the mode a plain open() would.
            os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as f:
            if isinstance(data, bytes | bytearray | memoryview):
                f.write(data)
            else:
                for piece in data:
                    f.write(piece)
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


def _copy_owner(fd: int, existing: os.stat_result) -> None:
    """The owner and group of the replaced file, where this user may give them (root may;
    another user may keep their own uid and a group they belong to)."""
    if (existing.st_uid, existing.st_gid) == (os.geteuid(), os.getegid()):
        return
    with contextlib.suppress(PermissionError):
        os.fchown(fd, existing.st_uid, existing.st_gid)
        return
    with contextlib.suppress(PermissionError):
        os.fchown(fd, -1, existing.st_gid)


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

    def write_bytes(self, path: Path, data: Data) -> Path:
        target = final_target(path)
        self.pending.append((write_temporary(target, data, sync=False), target))
        return Path(path)

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
                journals = _write_journals(self.pending) if len(self.pending) > 1 else []
            except BaseException:
                self.discard()
                raise
            try:
                for tmp, path in self.pending:
                    os.replace(tmp, path)
                    done.append(path)
            except BaseException as err:
                self.pending = self.pending[len(done) :]
                self.discard()
                _remove_journals(journals)
                if isinstance(err, OSError):
                    raise PipelineError(f"cannot write {describe_os_error(err, path)}") from err
                raise
            for folder in {path.parent for path in done}:
                _fsync_folder(folder)
            _remove_journals(journals)
        self.pending = []
        for folder in {path.parent for path in done}:
            remove_stale(folder)  # what runs killed before their renames left behind
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


def _write_journals(pending: list[tuple[Path, Path]]) -> list[Path]:
    """The renames to come, on disk in each folder they touch, before the first is made."""
    record = {
        "pid": os.getpid(),
        "renames": [
            [str(Path(tmp).absolute()), str(Path(path).absolute())] for tmp, path in pending
        ],
    }
    data = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    journals = []
    for folder in dict.fromkeys(Path(path).parent for _, path in pending):
        journal = folder / JOURNAL
        tmp = write_temporary(journal, data, sync=True)
        try:
            os.replace(tmp, journal)
        except OSError as err:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            _remove_journals(journals)
            raise PipelineError(f"cannot write {describe_os_error(err, journal)}") from err
        journals.append(journal)
        _fsync_folder(folder)
    return journals


def _remove_journals(journals: list[Path]) -> None:
    for journal in journals:
        with contextlib.suppress(OSError):
            os.unlink(journal)
        _fsync_folder(journal.parent)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover(folder: Path) -> list[Path]:
    """Finish the group of renames a killed run left in `folder` (its journal), then
    remove the temporary files of runs that are gone. Returns the files it put in place.

    Every command that reads or writes an output folder calls this first, so what it
    reads is one run's outputs whole. A journal of a process still alive (a run
    committing right now) is left to that process."""
    folder = Path(folder)
    journal = folder / JOURNAL
    finished: list[Path] = []
    try:
        record = json.loads(journal.read_text(encoding="utf-8"))
    except FileNotFoundError:
        record = None
    except (OSError, ValueError) as err:
        raise PipelineError(f"{journal}: unreadable journal of an interrupted run: {err}") from err
    if record is not None and not _alive(int(record.get("pid", 0))):
        touched = set()
        try:
            for tmp, path in record["renames"]:
                if os.path.exists(tmp):
                    os.replace(tmp, path)
                    finished.append(Path(path))
                touched.add(Path(path).parent)
        except OSError as err:
            raise PipelineError(
                f"cannot finish the interrupted run's outputs in {describe_os_error(err, folder)}"
            ) from err
        for parent in touched:
            _fsync_folder(parent)
        _remove_journals([parent / JOURNAL for parent in touched | {folder}])
    remove_stale(folder)
    return finished


def remove_stale(folder: Path) -> list[Path]:
    """Remove the temporary files (`.<name>.<pid>.<random>.tmp`) of processes that are
    gone: a run killed before its renames leaves them behind."""
    removed = []
    try:
        names = [n for n in os.listdir(folder) if n.startswith(".") and n.endswith(".tmp")]
    except OSError:
        return removed
    for name in names:
        parts = name[: -len(".tmp")].rsplit(".", 2)
        if len(parts) != 3 or not parts[1].isdigit() or _alive(int(parts[1])):
            continue
        with contextlib.suppress(OSError):
            os.unlink(Path(folder) / name)
            removed.append(Path(folder) / name)
    return removed


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


def atomic_write_bytes(path: Path, data: Data) -> None:
    """Replace `path` with `data` whole (inside writes_together: at the end of its block);
    `data` may be an iterable of bytes, written to the temporary file as it comes."""
    group = _GROUP.get()
    if group is not None:
        group.write_bytes(path, data)
        return
    with StagedWrites() as staged:
        staged.write_bytes(path, data)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))
