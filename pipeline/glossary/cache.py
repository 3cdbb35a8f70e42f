"""A big glossary parsed once: its terms and problems, and its compiled matcher, kept in
the user's cache folder under the hash of the file's text (and of this package's code).

Reading 100,000 terms of YAML takes seconds even with libyaml (every node is made in
Python), and so does compiling their trie; a run, a `glossary validate` and each worker
process would pay it again for an unchanged file. Kept as JSON (terms, problems) and
marshal (the trie: plain dicts, tuples and numbers, never code), in the user's cache
folder (pipeline/user_cache.py). Small glossaries are not cached (parsing them is
quicker than the hash).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pipeline import user_cache

MIN_CHARS = 200_000  # about 5,000 terms: below, parsing costs less than a second
FORMAT = 1


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


def load_parsed(key: str) -> tuple[list[dict], list[dict]] | None:
    try:
        data = json.loads(_file(key, ".json").read_bytes())
        return data["terms"], data["problems"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store_parsed(key: str, terms: list[dict], problems: list[dict]) -> None:
    data = json.dumps({"terms": terms, "problems": problems}, ensure_ascii=False)
    user_cache.write(_file(key, ".json"), data.encode("utf-8"))


def load_trie(key: str) -> Any:
    return user_cache.load_marshal(_file(key, ".trie"))


def store_trie(key: str, trie: Any) -> None:
    user_cache.store_marshal(_file(key, ".trie"), trie)
