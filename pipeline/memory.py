"""The translation memory: one SQLite file of engine translations and reviewers' corrections.

Two tables:
- `translations`: what an engine produced, keyed by (normalised French, engine version,
  glossary signature). A new engine version or a changed glossary term in a segment is a
  different key, so exactly those segments go back to the engine.
- `reviews`: what a reviewer wrote, keyed by the normalised French alone (the segment id
  it came from is kept too). A review beats the engine whatever the engine or glossary;
  the table is append-only, so no correction is ever overwritten: a later review of the
  same French is added and used, the earlier one stays.

The file is in WAL mode with a busy timeout, and every write is one short transaction
(`BEGIN IMMEDIATE`), so a run killed with SIGKILL loses at most the batch it was
translating, and several processes can share one memory.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.errors import PipelineError
from pipeline.records import Segment, TermHit

# 1: translations and reviews; 2: reviews carry a kind (edit, approved) and a reviewer,
# and the `outputs` table records what the pipeline last wrote (see MIGRATIONS).
SCHEMA_VERSION = 2
# PRAGMA application_id of a pipeline memory ("PIPE"): a SQLite file of another
# application is refused before anything in it is changed.
APPLICATION_ID = 0x50495045
# The tables a pipeline memory may hold (its own and those of pipeline.prepared_cache);
# a file with application_id 0 (an older memory) must hold no other table to be taken.
KNOWN_TABLES = frozenset(
    {"translations", "reviews", "outputs", "prepared_documents", "french_entities", "tm"}
)
# Seconds a writer waits for another process's transaction before giving up.
BUSY_TIMEOUT = 60.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    fr TEXT NOT NULL,           -- normalised French
    engine TEXT NOT NULL,       -- engine version string
    glossary TEXT NOT NULL,     -- glossary signature of the terms in the segment
    en TEXT NOT NULL,
    origin TEXT NOT NULL DEFAULT 'engine',
    created TEXT NOT NULL,      -- ISO 8601, UTC
    PRIMARY KEY (fr, engine, glossary)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS reviews (
    id INTEGER PRIMARY KEY,     -- insertion order: the latest review of a French wins
    fr TEXT NOT NULL,           -- normalised French
    en TEXT NOT NULL,
    origin TEXT NOT NULL DEFAULT 'review',
    segment_id TEXT NOT NULL DEFAULT '',  -- the segment the reviewer corrected
    source TEXT NOT NULL DEFAULT '',      -- the file it was imported from
    created TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'edit',    -- edit (a person's English) or approved
    reviewer TEXT NOT NULL DEFAULT ''     -- who made it
);
CREATE INDEX IF NOT EXISTS reviews_by_fr ON reviews (fr, id);
CREATE TABLE IF NOT EXISTS outputs (
    path TEXT NOT NULL PRIMARY KEY,  -- an output the pipeline wrote, from the memory's folder
    sha256 TEXT NOT NULL,            -- of the bytes it wrote
    size INTEGER NOT NULL,           -- and the file's size and mtime just after, so an
    mtime_ns INTEGER NOT NULL,       -- unchanged file is known from a stat alone
    written TEXT NOT NULL
) WITHOUT ROWID;
"""

# Statements that bring a memory of schema N to N + 1 (its data kept).
MIGRATIONS = {
    1: """
ALTER TABLE reviews ADD COLUMN kind TEXT NOT NULL DEFAULT 'edit';
ALTER TABLE reviews ADD COLUMN reviewer TEXT NOT NULL DEFAULT '';
""",
}

REVIEW_KINDS = ("edit", "approved")

# A translator's existing memory, imported from TMX (pipeline/tm.py): its own table, made
# by `pipeline memory import`, answered after the reviews and before the engine.
TM_SCHEMA = """
CREATE TABLE IF NOT EXISTS tm (
    fr TEXT NOT NULL,                     -- normalised French
    en TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',      -- the TMX file it came from
    tuid TEXT NOT NULL DEFAULT '',
    changeid TEXT NOT NULL DEFAULT '',    -- who last changed it (TMX changeid/creationid)
    changedate TEXT NOT NULL DEFAULT '',  -- when, as the TMX writes it
    imported TEXT NOT NULL,               -- ISO 8601, UTC
    PRIMARY KEY (fr, en)
) WITHOUT ROWID;
"""

_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """The memory's form of a French text: NFC, white space collapsed, trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


_WORD = re.compile(r"\w+(?:['’]\w+)*")


def words(text: str) -> list[str]:
    """The words of a text, as a CAT tool's fuzzy match counts them (punctuation aside)."""
    return _WORD.findall(normalise(text))


def word_similarity(a: Sequence[str], b: Sequence[str]) -> float:
    """Word-level similarity in percent of two word lists: 100 × (1 − word edit distance /
    longer length), the score OmegaT and other CAT tools show."""
    from rapidfuzz.distance import Levenshtein

    return 100.0 * Levenshtein.normalized_similarity(list(a), list(b))


def fuzzy_score(a: str, b: str) -> float:
    """The fuzzy match score of two texts (word_similarity of their words): the review
    store's suggestions and the imported TM's close matches are scored alike."""
    return word_similarity(words(a), words(b))


def glossary_signature(hits: Sequence[TermHit], terms: Sequence[Any] = ()) -> str:
    """A stable hash of the glossary terms in play for one segment ("" when there are none).

    Each hit contributes its term's source, target, forbidden renderings and kind (the
    kind can change how the term is enforced); the Term objects come from `terms` by
    source and target. Sorted, so the order of hits or of the glossary does not matter.
    """
    if not hits:
        return ""
    by_key = _terms_by_key(terms)
    entries = set()
    for hit in hits:
        found = by_key.get((hit.source, hit.target)) or [None]
        for term in found:
            forbidden = sorted(getattr(term, "forbidden", None) or [])
            kind = getattr(term, "kind", "") or ""
            entries.add(json.dumps([hit.source, hit.target, forbidden, kind], ensure_ascii=False))
    return hashlib.sha256("\n".join(sorted(entries)).encode("utf-8")).hexdigest()[:16]


_by_key_memo: list = [None, None, None]  # the terms, their fingerprint, their index


def _terms_by_key(terms: Sequence[Any]) -> dict[tuple[str, str], list[Any]]:
    """The terms by (source, target), built once for the same list: every segment asks,
    and rebuilding it each time made a 10,000-term glossary cost seconds per 100 segments."""
    fingerprint = (len(terms), id(terms[0]) if terms else 0, id(terms[-1]) if terms else 0)
    if _by_key_memo[0] is terms and _by_key_memo[1] == fingerprint:
        return _by_key_memo[2]
    by_key: dict[tuple[str, str], list[Any]] = {}
    for term in terms:
        by_key.setdefault((term.source, term.target), []).append(term)
    _by_key_memo[:] = [terms, fingerprint, by_key]
    return by_key


@dataclass
class Review:
    """A reviewer's translation of a French text: an edit (their English) or an approval
    (the machine's English, read and accepted). `id` is its version: the row's number,
    0 before it is stored."""

    fr: str
    en: str
    segment_id: str = ""
    source: str = ""
    created: str = ""
    kind: str = "edit"
    reviewer: str = ""
    id: int = 0

    @property
    def origin(self) -> str:
        """The origin a segment answered by this review gets: review or approved."""
        return "approved" if self.kind == "approved" else "review"


_REVIEW_COLUMNS = "fr, en, segment_id, source, created, kind, reviewer, id"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class TranslationMemory:
    """One SQLite memory file; use it as a context manager so it is closed.

    `readonly=True` opens it for reading only (`review status`, a memory in a read-only
    folder or on a read-only disk): nothing is created or migrated in the file; an older
    schema is migrated in a copy held in RAM.
    """

    def __init__(self, path: Path, timeout: float = BUSY_TIMEOUT, readonly: bool = False):
        self.path = Path(path)
        self.readonly = readonly
        if readonly:
            self.db = _open_readonly(self.path)
        else:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                # isolation_level=None: we open every transaction ourselves (BEGIN
                # IMMEDIATE), so a read-then-write never fails on another process's commit.
                self.db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            except (OSError, sqlite3.Error) as err:
                raise PipelineError(f"cannot open memory {self.path}: {err}") from err
        try:
            self.db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            refuse_foreign_database(self.db, self.path)  # before anything is changed
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise PipelineError(
                    f"memory {self.path} has schema {version}, newer than this pipeline "
                    f"({SCHEMA_VERSION}); upgrade pipeline"
                )
            if readonly and version < SCHEMA_VERSION:
                self.db = _copy_to_ram(self.db)
            if not readonly:
                self.db.execute("PRAGMA journal_mode = WAL")
                # NORMAL is safe in WAL against a killed process; only power loss can
                # cost the last transactions.
                self.db.execute("PRAGMA synchronous = NORMAL")
            if version < SCHEMA_VERSION:
                self._migrate(version)
        except sqlite3.OperationalError as err:  # disk full, read-only, locked too long
            self.db.close()
            raise PipelineError(
                f"cannot use memory {self.path}: {sqlite_reason(err, self.path)}"
            ) from err
        except sqlite3.DatabaseError as err:
            self.db.close()
            raise PipelineError(f"memory {self.path} is not a usable SQLite file: {err}") from err
        except BaseException:
            self.db.close()
            raise

    def _migrate(self, version: int) -> None:
        """Bring the schema to SCHEMA_VERSION in one transaction, keeping every row."""
        with self.transaction():
            if version == 0:
                statements = SCHEMA
            else:
                statements = "".join(MIGRATIONS[v] for v in range(version, SCHEMA_VERSION))
                statements += SCHEMA  # tables new since: CREATE ... IF NOT EXISTS
            for statement in statements.split(";"):
                if statement.strip():
                    self.db.execute(statement)
            self.db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def __enter__(self) -> TranslationMemory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def transaction(self, immediate: bool = True) -> _Transaction:
        """A write transaction (takes the write lock at once), or a read snapshot."""
        return _Transaction(self.db, immediate, self.path)

    # --- engine translations -------------------------------------------------------

    def lookup(self, fr: str, engine: str, signature: str) -> str | None:
        row = self.db.execute(
            "SELECT en FROM translations WHERE fr = ? AND engine = ? AND glossary = ?",
            (normalise(fr), engine, signature),
        ).fetchone()
        return row[0] if row else None

    def store_translations(self, rows: Iterable[tuple[str, str, str, str]]) -> None:
        """Store (French, engine, signature, English) rows in one transaction.

        An existing row for the same key is kept: two processes that translated the
        same text at once do not fight, and the first answer stays stable.
        """
        now = _now()
        with self.transaction():
            self.db.executemany(
                "INSERT OR IGNORE INTO translations (fr, engine, glossary, en, origin, created) "
                "VALUES (?, ?, ?, ?, 'engine', ?)",
                [(normalise(fr), engine, sig, en, now) for fr, engine, sig, en in rows],
            )

    def machine_translations(self, fr: str) -> set[str]:
        """Every engine translation of this French, whatever the engine or glossary."""
        rows = self.db.execute("SELECT en FROM translations WHERE fr = ?", (normalise(fr),))
        return {en for (en,) in rows}

    # --- reviews -------------------------------------------------------------------

    def lookup_review(self, fr: str, segment_id: str = "") -> Review | None:
        """The latest review of this French; one made on the same segment id comes first."""
        row = self.db.execute(
            f"SELECT {_REVIEW_COLUMNS} FROM reviews WHERE fr = ? "
            "ORDER BY segment_id = ? DESC, id DESC LIMIT 1",
            (normalise(fr), segment_id),
        ).fetchone()
        return Review(*row) if row else None

    def _insert_review(self, review: Review, now: str) -> int:
        if review.kind not in REVIEW_KINDS:
            raise ValueError(f"unknown review kind {review.kind!r}")
        cursor = self.db.execute(
            "INSERT INTO reviews (fr, en, origin, segment_id, source, created, kind, reviewer) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                normalise(review.fr),
                review.en,
                review.origin,
                review.segment_id,
                review.source,
                review.created or now,
                review.kind,
                review.reviewer,
            ),
        )
        return cursor.lastrowid

    def add_reviews(self, reviews: Iterable[Review]) -> int:
        """Append reviews in one transaction; return how many were new.

        A review whose English is the one the memory would already answer for that
        French and segment id is not added again (importing a file twice is harmless;
        an approval of a text already reviewed adds nothing).
        """
        added = 0
        now = _now()
        with self.transaction():
            for review in reviews:
                current = self.lookup_review(review.fr, review.segment_id)
                if current is not None and current.en == review.en:
                    continue
                review.id = self._insert_review(review, now)
                added += 1
        return added

    def add_review_if_current(self, review: Review, base_version: int) -> tuple[str, Review | None]:
        """Store `review` if the segment's current review is still version `base_version`
        (0: no review yet), in one transaction. Returns ("stored", review) with review.id
        set; ("unchanged", current) when the current review already says the same; or
        ("conflict", current) when another review came in between: nothing is stored."""
        with self.transaction():
            current = self.lookup_review(review.fr, review.segment_id)
            if (current.id if current else 0) != base_version:
                return "conflict", current
            if current is not None and (current.en, current.kind) == (review.en, review.kind):
                return "unchanged", current
            review.id = self._insert_review(review, _now())
            review.created = (
                review.created
                or self.db.execute(
                    "SELECT created FROM reviews WHERE id = ?", (review.id,)
                ).fetchone()[0]
            )
        return "stored", review

    def reviews(self) -> list[Review]:
        """Every stored review, oldest first (earlier reviews of the same French included)."""
        rows = self.db.execute(f"SELECT {_REVIEW_COLUMNS} FROM reviews ORDER BY id").fetchall()
        return [Review(*row) for row in rows]

    def history(self, fr: str) -> list[Review]:
        """Every review of this French, oldest first: none is ever deleted."""
        rows = self.db.execute(
            f"SELECT {_REVIEW_COLUMNS} FROM reviews WHERE fr = ? ORDER BY id", (normalise(fr),)
        ).fetchall()
        return [Review(*row) for row in rows]

    def latest_reviews(self) -> list[Review]:
        """The latest review of each reviewed French (the candidates of fuzzy matches)."""
        rows = self.db.execute(
            f"SELECT {_REVIEW_COLUMNS} FROM reviews WHERE id IN "
            "(SELECT max(id) FROM reviews GROUP BY fr) ORDER BY id"
        ).fetchall()
        return [Review(*row) for row in rows]

    # --- what the pipeline last wrote ---------------------------------------------

    def output_records(self) -> dict[str, tuple[str, int, int]]:
        """{path: (sha256, size, mtime_ns)} of the outputs the pipeline last wrote; paths
        relative to the memory's folder, so moving the whole project keeps them."""
        rows = self.db.execute("SELECT path, sha256, size, mtime_ns FROM outputs")
        return {path: (sha, size, mtime) for path, sha, size, mtime in rows}

    def record_outputs(self, rows: Iterable[tuple[str, str, int, int]]) -> None:
        """Remember (path, sha256, size, mtime_ns) of files just written (one transaction)."""
        now = _now()
        with self.transaction():
            self.db.executemany(
                "INSERT OR REPLACE INTO outputs (path, sha256, size, mtime_ns, written) "
                "VALUES (?, ?, ?, ?, ?)",
                [(path, sha, size, mtime, now) for path, sha, size, mtime in rows],
            )

    def counts(self) -> dict[str, int]:
        (translations,) = self.db.execute("SELECT count(*) FROM translations").fetchone()
        (reviews,) = self.db.execute("SELECT count(*) FROM reviews").fetchone()
        (reviewed,) = self.db.execute("SELECT count(DISTINCT fr) FROM reviews").fetchone()
        return {"translations": translations, "reviews": reviews, "reviewed_texts": reviewed}

    # --- segments ------------------------------------------------------------------

    def recall(
        self, segments: Sequence[Segment], engine: str, terms: Sequence[Any]
    ) -> list[Segment]:
        """Fill the segments the memory can answer; return the others, in order.

        A review answers first (origin "review"), whatever the engine and glossary;
        then an engine translation of the same French, engine and glossary terms
        (origin "memory").
        """
        misses = []
        with self.transaction(immediate=False):  # one consistent snapshot for the lookups
            for s in segments:
                review = self.lookup_review(s.fr, s.id)
                if review is not None:
                    apply_review(s, review)
                    continue
                english = self.lookup(s.fr, engine, glossary_signature(s.terms, terms))
                if english is not None:
                    s.en, s.engine, s.origin = english, engine, "memory"
                    continue
                misses.append(s)
        return misses

    def remember(self, segments: Sequence[Segment], engine: str, terms: Sequence[Any]) -> None:
        """Store the engine translations of these segments (one transaction)."""
        self.store_translations(
            (s.fr, engine, glossary_signature(s.terms, terms), s.en) for s in segments
        )

    def integrity(self) -> str:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0]


def _open_readonly(path: Path) -> sqlite3.Connection:
    """The file opened read-only; `immutable` when even that needs a write (a WAL file's
    shared memory in a folder we cannot write to)."""
    if not path.is_file():
        raise PipelineError(f"memory {path}: no such file")
    from urllib.parse import quote

    uri = "file:" + quote(str(path.resolve()))
    last: sqlite3.Error | None = None
    for mode in ("mode=ro", "mode=ro&immutable=1"):
        try:
            db = sqlite3.connect(f"{uri}?{mode}", uri=True, isolation_level=None)
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return db
        except sqlite3.Error as err:
            last = err
    raise PipelineError(f"cannot read memory {path}: {sqlite_reason(last, path)}")


def _copy_to_ram(db: sqlite3.Connection) -> sqlite3.Connection:
    """A copy of a read-only database in RAM, which can be migrated without touching it."""
    ram = sqlite3.connect(":memory:", isolation_level=None)
    db.backup(ram)
    db.close()
    return ram


def refuse_foreign_database(db: sqlite3.Connection, path: Path) -> None:
    """Refuse a SQLite file that is not a pipeline memory: one whose application_id is
    another's, or (id 0, an older memory or another program's file) with tables we do not
    know. An empty file or an empty database is a new memory."""
    (application,) = db.execute("PRAGMA application_id").fetchone()
    if application == APPLICATION_ID:
        return
    tables = {
        name
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if not name.startswith("sqlite_")
    }
    if application == 0 and tables <= KNOWN_TABLES:
        return
    found = ", ".join(sorted(tables)[:6]) or "none"
    raise PipelineError(
        f"memory {path} is a SQLite file of another application (application_id "
        f"{application:#x}, tables: {found}): nothing changed in it; give --memory a "
        "pipeline memory file, or a new name"
    )


def sqlite_reason(err: sqlite3.Error, path: Path | None) -> str:
    """SQLite's message, with the cause a user can act on when SQLite does not say it: a
    full disk, or a file size limit (`ulimit -f`), both show as "disk I/O error" at times."""
    reason = str(err)
    if path is None or "full" in reason:
        return reason
    try:
        stats = os.statvfs(Path(path).parent)
    except OSError:
        return reason
    if stats.f_bavail * stats.f_frsize < 1 << 20:
        return reason + " (the disk is full)"
    import resource

    limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    if "I/O error" in reason and limit != resource.RLIM_INFINITY:
        return reason + f" (files are limited to {limit:,} bytes here: ulimit -f)"
    return reason


def apply_review(segment: Segment, review: Review) -> None:
    """The segment answered by a review: its English, origin, version and attribution."""
    segment.en, segment.engine, segment.origin = review.en, "", review.origin
    segment.version, segment.reviewer, segment.reviewed_at = (
        review.id,
        review.reviewer,
        review.created,
    )
    segment.suggestion = None


class _Transaction:
    """`with` block around one transaction: committed on success, rolled back on error.

    An SQLite error (disk full, read-only file) becomes a PipelineError naming the file.
    """

    def __init__(self, db: sqlite3.Connection, immediate: bool = True, path: Path | None = None):
        self.db = db
        self.immediate = immediate
        self.path = path

    def __enter__(self) -> None:
        try:
            self.db.execute("BEGIN IMMEDIATE" if self.immediate else "BEGIN")
        except sqlite3.Error as err:
            raise PipelineError(f"memory {self.path}: {sqlite_reason(err, self.path)}") from err

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            try:
                self.db.execute("COMMIT")
                return
            except sqlite3.Error as err:
                exc = err
        if self.db.in_transaction:
            try:
                self.db.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # SQLite rolls back itself when it cannot go on
        if isinstance(exc, sqlite3.Error):
            verb = "cannot write" if self.immediate else "cannot read"
            reason = sqlite_reason(exc, self.path)
            raise PipelineError(f"memory {self.path}: {verb}: {reason}") from exc
