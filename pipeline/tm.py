"""A translator's existing translation memory (TMX), imported into the memory file.

`pipeline memory import FILE.tmx` stores every unit with a French and an English variant
in the memory's `tm` table (pipeline.memory.TM_SCHEMA), by its normalised French, with
who changed it and when. In a run, after the reviews: a segment whose French is exactly a
TM unit's takes its English, with origin `tm` (never the engine, never a review of this
project: the outputs show it as `tm`, a CAT tool as a leveraged TM match); a segment
whose French is close to a TM unit's is offered that unit as a fuzzy match (a
suggestion, never applied), scored as CAT tools score it (word-level edit distance).

Close matches are found through an index of the TM's words: only the units sharing
enough of a segment's less common words are scored, so a lookup costs about the same
with 1,000 units or 100,000 (benchmarks/tm.py measures it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.memory import TM_SCHEMA, TranslationMemory, normalise, word_similarity, words

FUZZY_THRESHOLD = 75.0  # percent, as the review store's (OmegaT's, memoQ's) lowest match
CANDIDATES = 30  # units scored per segment, those sharing most of its words


def fuzzy_score(a: Sequence[str], b: Sequence[str]) -> float:
    """The review store's score (pipeline.memory.word_similarity) of two word lists."""
    return word_similarity(a, b)


@dataclass
class TmImport:
    path: Path
    units: int = 0  # <tu> read
    stored: int = 0  # units with fr and en stored (new or updated)
    new: int = 0  # French/English pairs the memory did not hold
    skipped: int = 0  # without both variants
    languages: set[str] = field(default_factory=set)
    seconds: float = 0.0

    def summary(self) -> str:
        text = (
            f"{self.path}: {self.units:,} units: {self.stored:,} stored as translation memory "
            f"({self.new:,} new)"
        )
        if self.skipped:
            text += f", {self.skipped:,} skipped (no French or no English variant)"
        return text


def has_tm(memory: TranslationMemory) -> bool:
    row = memory.db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tm'"
    ).fetchone()
    return row is not None


def tm_count(memory: TranslationMemory) -> int:
    return memory.db.execute("SELECT count(*) FROM tm").fetchone()[0] if has_tm(memory) else 0


def import_tmx(memory: TranslationMemory, path: Path, batch: int = 5000) -> TmImport:
    """Store the units of a TMX file in the memory's TM, in one transaction: a file that
    turns out broken half-way (or holds no French→English unit) stores nothing."""
    import time

    from pipeline.formats.tmx import TmxReadStats, iter_tmx_units

    path = Path(path)
    if not path.is_file():
        raise PipelineError(f"{path}: no such file")
    started = time.perf_counter()
    result = TmImport(path=path)
    stats = TmxReadStats()
    now = datetime.now(UTC).isoformat(timespec="seconds")
    rows: list[tuple] = []
    with memory.transaction():
        for statement in TM_SCHEMA.split(";"):
            if statement.strip():
                memory.db.execute(statement)
        (before,) = memory.db.execute("SELECT count(*) FROM tm").fetchone()
        for unit in iter_tmx_units(path, stats):
            rows.append(
                (normalise(unit.fr), unit.en.strip(), str(path.name), unit.tuid, unit.changeid,
                 unit.changedate, now)
            )  # fmt: skip
            if len(rows) >= batch:
                _store(memory, rows)
                result.stored += len(rows)
                rows = []
        if rows:
            _store(memory, rows)
            result.stored += len(rows)
        result.units, result.skipped, result.languages = stats.units, stats.skipped, stats.languages
        if not result.stored:
            found = ", ".join(sorted(x for x in stats.languages if x)) or "none"
            raise PipelineError(
                f"{path}: no unit with both a French and an English variant (languages "
                f"found: {found}); nothing imported"
            )
        (after,) = memory.db.execute("SELECT count(*) FROM tm").fetchone()
    result.new = after - before
    result.seconds = time.perf_counter() - started
    return result


def _store(memory: TranslationMemory, rows: list[tuple]) -> None:
    memory.db.executemany(
        "INSERT INTO tm (fr, en, source, tuid, changeid, changedate, imported) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (fr, en) DO UPDATE SET source = "
        "excluded.source, tuid = excluded.tuid, changeid = excluded.changeid, "
        "changedate = excluded.changedate, imported = excluded.imported",
        rows,
    )


@dataclass
class TmMatch:
    fr: str
    en: str
    changeid: str = ""
    changedate: str = ""
    score: float = 100.0


def exact(memory: TranslationMemory, fr: str) -> TmMatch | None:
    """The TM's English for exactly this French (the latest changed, when several)."""
    row = memory.db.execute(
        "SELECT fr, en, changeid, changedate FROM tm WHERE fr = ? "
        "ORDER BY changedate DESC, imported DESC LIMIT 1",
        (normalise(fr),),
    ).fetchone()
    return TmMatch(*row) if row else None


def answer_exact(memory: TranslationMemory, todo: Sequence, misses: Sequence) -> list:
    """Give each segment the memory did not answer with a review (a miss, or an earlier
    engine translation) the TM's English for its exact French, origin `tm`; return the
    misses left for the engine."""
    if not has_tm(memory):
        return list(misses)
    missing = {id(s) for s in misses}
    with memory.transaction(immediate=False):
        for s in todo:
            if id(s) not in missing and s.origin != "memory":
                continue  # a review answered it
            match = exact(memory, s.fr)
            if match is not None:
                s.en, s.engine, s.origin = match.en, "", "tm"
    return [s for s in misses if s.origin != "tm"]


class TmIndex:
    """The TM's French by word, for close matches (see the module's docstring)."""

    def __init__(self, units: Sequence[tuple[str, str, str, str]]):
        self.units = list(units)
        self.words = [words(fr) for fr, *_ in self.units]
        self.postings: dict = {}
        if not self.units:
            return  # no TM imported (the usual case): numpy's import costs 0.2 s
        import numpy as np

        lists: dict[str, list[int]] = {}
        for number, unit_words in enumerate(self.words):
            for word in {w.casefold() for w in unit_words}:
                lists.setdefault(word, []).append(number)
        self.postings = {w: np.array(p, dtype=np.int32) for w, p in lists.items()}

    @classmethod
    def load(cls, memory: TranslationMemory) -> TmIndex:
        if not has_tm(memory):
            return cls([])
        rows = memory.db.execute(
            "SELECT fr, en, changeid, changedate FROM tm ORDER BY changedate DESC"
        ).fetchall()
        return cls(rows)

    def __len__(self) -> int:
        return len(self.units)

    def best(self, fr: str, threshold: float = FUZZY_THRESHOLD) -> TmMatch | None:
        """The closest TM unit to this French with a score of at least `threshold` (and
        below 100: the same French is an exact match, not a suggestion)."""
        mine = words(fr)
        if not mine or not self.units:
            return None
        import numpy as np

        keys = [k for k in {w.casefold() for w in mine} if k in self.postings]
        if not keys:
            return None
        # Every unit ranked by the words it shares with the French, each weighted by how
        # rare it is (idf), in one numpy pass; only the best CANDIDATES are scored exactly.
        postings = [self.postings[k] for k in keys]
        weights = [math.log(1 + len(self.units) / len(p)) for p in postings]
        ranks = np.bincount(
            np.concatenate(postings),
            weights=np.repeat(weights, [len(p) for p in postings]),
            minlength=len(self.units),
        )
        top = min(CANDIDATES, int(np.count_nonzero(ranks)))
        ranked = np.argpartition(ranks, -top)[-top:] if top else []
        found: TmMatch | None = None
        for number in map(int, ranked):
            score = fuzzy_score(mine, self.words[number])
            if score >= threshold and score < 100.0 and (found is None or score > found.score):
                unit_fr, en, changeid, changedate = self.units[number]
                found = TmMatch(unit_fr, en, changeid, changedate, round(score, 1))
        return found


def offer_suggestions(
    segments: Sequence, memory: TranslationMemory, threshold: float = FUZZY_THRESHOLD
) -> int:
    """Set a TM fuzzy match as the suggestion of each segment a person has not reviewed
    and the TM did not answer, unless it has a closer suggestion already; return how many."""
    index = TmIndex.load(memory)
    if not len(index):
        return 0
    offered = 0
    for s in segments:
        if s.lang != "fr" or not s.fr.strip() or s.origin in ("review", "approved", "tm"):
            continue
        current = getattr(s, "suggestion", None)
        match = index.best(s.fr, threshold)
        if match is None or (current and float(current.get("score", 0)) >= match.score):
            continue
        s.suggestion = {
            "en": match.en,
            "fr": match.fr,
            "score": match.score,
            "origin": "tm",
            "reviewer": match.changeid,
        }
        offered += 1
    return offered
