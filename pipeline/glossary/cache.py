"""A big glossary parsed once: its terms and problems, and its compiled matcher, kept in
the user's cache folder under the hash of the file's text (and of this package's code).

Reading 100,000 terms of YAML takes seconds even with libyaml (every node is made in
Python), and so does compiling their trie; a run, a `glossary validate` and each worker
process would pay it again for an unchanged file. Kept with marshal (plain lists, tuples,
dicts, texts and numbers, never code), in the user's cache folder
(pipeline/user_cache.py): the terms as one tuple of field values each (marshal reads
100,000 of them in a tenth of the time JSON takes for the same as mappings), the
problems likewise, and the trie as it is. Small glossaries are not cached (parsing them
is quicker than the hash).
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline import user_cache

MIN_CHARS = 200_000  # about 5,000 terms: below, parsing costs less than a second
FORMAT = 2  # 2: terms and problems as marshalled tuples (1: JSON mappings)


def _code_digest() -> bytes:
    import pipeline.glossary as package

    digest = hashlib.sha256(f"format {FORMAT}".encode())
    for name in ("__init__.py", "cache.py"):
        digest.update((Path(package.__file__).parent / name).read_bytes())
    return digest.digest()


def text_digest(text: str, path: str) -> str | None:
    """The cache key of a glossary file's text (None: too small to be worth caching)."""
    if len(text) < MIN_CHARS:
        return None
    digest = hashlib.sha256(_code_digest())
    digest.update(path.encode("utf-8") + b"\0" + text.encode("utf-8"))
    return digest.hexdigest()


def _file(key: str, suffix: str) -> Path:
    return user_cache.cache_dir() / "glossary" / f"{key}{suffix}"


def load_parsed(key: str) -> tuple[list[tuple], list[tuple]] | None:
    """(terms, problems) as stored: each a list of tuples of field values, in field order."""
    data = user_cache.load_marshal(_file(key, ".terms"))
    if not (isinstance(data, tuple) and len(data) == 2):
        return None
    terms, problems = data
    if not (isinstance(terms, list) and isinstance(problems, list)):
        return None
    return terms, problems


def store_parsed(key: str, terms: list[tuple], problems: list[tuple]) -> None:
    user_cache.store_marshal(_file(key, ".terms"), (terms, problems))


def load_trie(key: str) -> Any:
    return user_cache.load_marshal(_file(key, ".trie"))


def store_trie(key: str, trie: Any) -> None:
    user_cache.store_marshal(_file(key, ".trie"), trie)


def derived(terms: Any, name: str, compute: Callable[[], Any]) -> Any:
    """Something a later stage works out from all the terms of a cached glossary file
    (`name`: what it is), kept beside its parse: `compute()` once, then read back while
    the file and the module `compute` comes from are unchanged. For terms not read from a
    cached file, `compute()` every time. The value must be plain data that marshal keeps
    (texts, numbers, lists, sets...)."""
    key = getattr(terms, "digest", None)
    module = sys.modules.get(compute.__module__)
    source = getattr(module, "__file__", None)
    if key is None or source is None:
        return compute()
    try:
        code = hashlib.sha256(Path(source).read_bytes()).hexdigest()[:16]
    except OSError:
        return compute()
    path = _file(key, f".{name}-{code}")
    value = user_cache.load_marshal(path)
    if value is None:
        value = compute()
        user_cache.store_marshal(path, value)
    return value
