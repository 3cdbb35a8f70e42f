"""The user's cache folder: what the pipeline derives from files that seldom change (a big
glossary's parse and trie), kept to save seconds on the next run.

$PIPELINE_CACHE_DIR, else $XDG_CACHE_HOME/pipeline, else ~/.cache/pipeline. Everything
here only saves time: a file that cannot be read or written is ignored (and made again).
Kept as JSON or marshal (plain data: never code, unlike pickle).
"""

from __future__ import annotations

import logging
import marshal
import os
import tempfile
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def cache_dir() -> Path:
    explicit = os.environ.get("PIPELINE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "pipeline"


def write(path: Path, data: bytes) -> None:
    """Replace a cache file whole (a reader never sees half of one), or log why not."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as err:
        log.debug("cache file %s not written: %s", path, err)


def load_marshal(path: Path) -> Any:
    try:
        return marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None


def store_marshal(path: Path, value: Any) -> None:
    write(path, marshal.dumps(value))
