"""The translation memory: real SQLite files, the real apertium engine, the real corpus."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from pipeline import glossary, runner
from pipeline.errors import PipelineError
from pipeline.memory import Review, TranslationMemory, glossary_signature, normalise
from pipeline.records import TermHit
from pipeline.translate.apertium import ApertiumEngine, missing_modes

REPO = Path(__file__).resolve().parent.parent

needs_apertium = pytest.mark.skipif(
    bool(missing_modes("es")), reason="apertium fr-es/spa-eng is not installed"
)


class RecordingEngine:
    """The real apertium engine, recording every text it is asked to translate."""

    name = "apertium"

    def __init__(self, engine):
        self.engine = engine
        self.version = engine.version
        self.sent: list[str] = []
        self.batches = 0

    def translate(self, batch, n_best=1, progress=None):
        self.sent += list(batch)
        self.batches += 1
        return self.engine.translate(batch, n_best=n_best, progress=progress)


@pytest.fixture(scope="module")
def apertium():
    return ApertiumEngine("es")


@pytest.fixture
def project(tmp_path):
    """A copy of the project's corpus and glossary that a test may edit."""
    shutil.copytree(REPO / "corpus", tmp_path / "corpus")
    shutil.copy(REPO / "glossary" / "glossary.yaml", tmp_path / "glossary.yaml")
    return tmp_path


def run(project: Path, engine) -> runner.RunResult:
    """A run, recording the French segments sent for translation: what reaches
    `runner.translate_batch`, the seam below the memory. (Glossary enforcement may
    then ask the engine for more, such as a term alone; those are not segments.)"""
    sent: list[str] = []
    translate_batch = runner.translate_batch

    def recording_batch(texts, engine, terms, progress=None):
        sent.extend(texts)
        return translate_batch(texts, engine, terms, progress)

    runner.translate_batch = recording_batch
    try:
        result = runner.run(project / "corpus", project / "glossary.yaml", project / "out", engine)
    finally:
        runner.translate_batch = translate_batch
    result.sent = sent  # type: ignore[attr-defined]
    return result


def origins(result: runner.RunResult) -> dict[str, int]:
    counts: dict[str, int] = {}
    for s in result.segments:
        counts[s.origin] = counts.get(s.origin, 0) + 1
    return counts


# --- the memory file on its own ----------------------------------------------------


def test_normalise_ignores_white_space_and_unicode_composition():
    assert normalise("  L’été\u00a0 à\n Paris ") == normalise("L’e\u0301te\u0301 à Paris")
    assert normalise("à Paris") != normalise("a Paris")


def test_glossary_signature_changes_only_with_the_terms_in_play():
    terms = glossary.load_glossary(REPO / "glossary" / "glossary.yaml")
    hits = [TermHit("Poutine", "Putin", 0, 7), TermHit("Pékin", "Beijing", 10, 15)]
    assert glossary_signature([], terms) == ""
    assert glossary_signature(hits, terms) == glossary_signature(hits[::-1], terms[::-1])
    changed = [t for t in terms]
    changed[[t.source for t in terms].index("Poutine")] = glossary.Term(
        "Poutine", "Putin", forbidden=["Poutine"]
    )
    assert glossary_signature(hits, changed) != glossary_signature(hits, terms)
    # a change to a term the segment does not hold leaves its signature alone
    only_pekin = [hits[1]]
    assert glossary_signature(only_pekin, changed) == glossary_signature(only_pekin, terms)


def test_stored_translations_come_back_by_french_engine_and_glossary(tmp_path):
    with TranslationMemory(tmp_path / "m.sqlite") as memory:
        memory.store_translations([("Le  chat dort.", "eng 1", "", "The cat sleeps.")])
        assert memory.lookup("Le chat dort.", "eng 1", "") == "The cat sleeps."
        assert memory.lookup("Le chat dort.", "eng 2", "") is None
        assert memory.lookup("Le chat dort.", "eng 1", "abc") is None
    # the file outlives the process's connection, and is in WAL mode
    with TranslationMemory(tmp_path / "m.sqlite") as memory:
        assert memory.lookup("Le chat dort.", "eng 1", "") == "The cat sleeps."
        assert memory.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reviews_are_appended_never_overwritten(tmp_path):
    with TranslationMemory(tmp_path / "m.sqlite") as memory:
        assert memory.add_reviews([Review("Le chat dort.", "The cat is asleep.", "a:1:1")]) == 1
        assert memory.add_reviews([Review("Le chat dort.", "The cat is asleep.", "a:1:1")]) == 0
        assert memory.add_reviews([Review("Le chat dort.", "The cat naps.", "a:1:1")]) == 1
        memory.store_translations([("Le chat dort.", "eng", "", "The cat sleeps.")])
        assert memory.lookup_review("Le chat dort.").en == "The cat naps."
        assert [r.en for r in memory.reviews()] == ["The cat is asleep.", "The cat naps."]


def test_a_review_made_on_the_same_segment_id_comes_first(tmp_path):
    with TranslationMemory(tmp_path / "m.sqlite") as memory:
        memory.add_reviews([Review("Oui.", "Yes.", "a:1:1"), Review("Oui.", "Indeed.", "b:2:1")])
        assert memory.lookup_review("Oui.", "a:1:1").en == "Yes."
        assert memory.lookup_review("Oui.", "b:2:1").en == "Indeed."
        assert memory.lookup_review("Oui.", "c:3:1").en == "Indeed."  # the latest


def test_a_file_that_is_not_sqlite_is_refused_in_one_line(tmp_path):
    bad = tmp_path / "memory.sqlite"
    bad.write_text("these are not the droids\n" * 200)
    with pytest.raises(PipelineError, match="not a usable SQLite file"):
        TranslationMemory(bad)
    assert bad.read_text().startswith("these are not")  # left as it was


def test_a_memory_from_a_newer_pipeline_is_refused(tmp_path):
    path = tmp_path / "m.sqlite"
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(PipelineError, match="newer than this pipeline"):
        TranslationMemory(path)


# --- runs over the corpus ---------------------------------------------------------


@needs_apertium
def test_a_second_run_over_an_unchanged_corpus_sends_nothing(project, apertium):
    first = run(project, apertium)
    assert first.engine_segments == len(first.sent) > 100
    assert (project / "out" / "memory.sqlite").exists()
    second = run(project, apertium)
    assert second.sent == [] and second.engine_segments == 0
    english_lines = sum(s.lang == "en" for s in second.segments)  # passed through as is
    assert origins(second) == {
        "memory": len(second.segments) - english_lines,
        "source": english_lines,
    }
    assert [s.en for s in second.segments] == [s.en for s in first.segments]
    jsonl = (project / "out" / f"{first.documents[0].doc.name}.jsonl").read_text()
    assert '"origin": "memory"' in jsonl and '"origin": "engine"' not in jsonl


@needs_apertium
def test_changing_one_sentence_sends_one_segment(project, apertium):
    run(project, apertium)
    article = project / "corpus" / "000_e2dc28380de3b692.txt"
    text = article.read_text(encoding="utf-8")
    assert text.count("Poutine lui-même a salué") == 1
    article.write_text(
        text.replace("Poutine lui-même a salué", "Poutine lui-même a vivement salué"), "utf-8"
    )
    second = run(project, apertium)
    assert len(second.sent) == 1 and "vivement" in second.sent[0]
    assert origins(second)["engine"] == 1
    english_lines = sum(s.lang == "en" for s in second.segments)  # passed through as is
    assert origins(second)["memory"] == len(second.segments) - 1 - english_lines


@needs_apertium
def test_changing_one_glossary_term_resends_only_the_segments_that_hold_it(project, apertium):
    first = run(project, apertium)
    holding = {normalise(s.fr) for s in first.segments if any(h.source == "Pékin" for h in s.terms)}
    assert holding, "the corpus mentions Pékin"
    glossary_file = project / "glossary.yaml"
    text = glossary_file.read_text(encoding="utf-8")
    glossary_file.write_text(
        text.replace("target: Beijing", "target: Beijing City"),
        encoding="utf-8",
    )
    second = run(project, apertium)
    assert {normalise(fr) for fr in second.sent} == holding
    assert len(second.sent) == len(holding)


@needs_apertium
def test_a_review_beats_the_engine_and_survives_a_glossary_edit(project, apertium):
    first = run(project, apertium)
    target = next(s for s in first.segments if any(h.source == "Poutine" for h in s.terms))
    with TranslationMemory(project / "out" / "memory.sqlite") as memory:
        memory.add_reviews([Review(target.fr, "A reviewer's sentence about Putin.", target.id)])
    second = run(project, apertium)
    reviewed = next(s for s in second.segments if s.id == target.id)
    assert (reviewed.en, reviewed.origin) == ("A reviewer's sentence about Putin.", "review")
    assert target.fr not in second.sent
    glossary_file = project / "glossary.yaml"
    text = glossary_file.read_text(encoding="utf-8")
    glossary_file.write_text(text.replace("target: Putin", "target: Vladimir Putin"), "utf-8")
    third = run(project, apertium)
    assert third.sent, "the glossary edit re-sends the other segments with Poutine"
    assert target.fr not in third.sent
    reviewed = next(s for s in third.segments if s.id == target.id)
    assert (reviewed.en, reviewed.origin) == ("A reviewer's sentence about Putin.", "review")


@needs_apertium
def test_an_engine_failure_loses_only_the_chunk_in_flight(project, apertium, monkeypatch):
    """The engine fails on the second chunk (a wrapper raises: a real kill -9 is tested in
    test_memory_faults.py); the first chunk is already in the memory and is not re-sent."""
    monkeypatch.setattr(runner, "MEMORY_CHUNK", 50)
    calls = []

    class FailingSecondBatch(RecordingEngine):
        def translate(self, batch, n_best=1, progress=None):
            calls.append(len(batch))
            if len(calls) == 2:
                raise PipelineError("engine died")
            return super().translate(batch, n_best, progress)

    engine = FailingSecondBatch(apertium)
    # no glossary, so each chunk is exactly one engine call (enforcement adds none)
    (project / "glossary.yaml").write_text("terms: []\n", encoding="utf-8")
    with pytest.raises(PipelineError, match="engine died"):
        runner.run(project / "corpus", project / "glossary.yaml", project / "out", engine)
    with TranslationMemory(project / "out" / "memory.sqlite") as memory:
        assert memory.counts()["translations"] == 50
    resumed = run(project, apertium)
    with TranslationMemory(project / "out" / "memory.sqlite") as memory:
        stored = memory.counts()["translations"]
    assert resumed.engine_segments == len(resumed.sent) == stored - 50
    assert origins(resumed)["memory"] >= 50


# The schema of a memory written before reviews had kinds and authors (schema 1).
SCHEMA_1 = """
CREATE TABLE translations (fr TEXT NOT NULL, engine TEXT NOT NULL, glossary TEXT NOT NULL,
    en TEXT NOT NULL, origin TEXT NOT NULL DEFAULT 'engine', created TEXT NOT NULL,
    PRIMARY KEY (fr, engine, glossary)) WITHOUT ROWID;
CREATE TABLE reviews (id INTEGER PRIMARY KEY, fr TEXT NOT NULL, en TEXT NOT NULL,
    origin TEXT NOT NULL DEFAULT 'review', segment_id TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '', created TEXT NOT NULL);
CREATE INDEX reviews_by_fr ON reviews (fr, id);
CREATE TABLE prepared_documents (doc TEXT NOT NULL PRIMARY KEY, key TEXT NOT NULL,
    data TEXT NOT NULL) WITHOUT ROWID;
INSERT INTO translations VALUES ('Oui.', 'apertium x', '', 'Yes.', 'engine', '2026-01-01');
INSERT INTO reviews (fr, en, segment_id, source, created)
    VALUES ('Oui.', 'Indeed.', 'a:1:1', 'a.po', '2026-01-02T00:00:00+00:00');
PRAGMA user_version = 1;
"""


def test_a_schema_1_memory_is_migrated_keeping_its_reviews(tmp_path):
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.executescript(SCHEMA_1)
    db.close()
    # read-only first (review status): nothing written to the file
    before = path.read_bytes()
    with TranslationMemory(path, readonly=True) as memory:
        assert memory.lookup_review("Oui.").kind == "edit"
    assert path.read_bytes() == before
    with TranslationMemory(path) as memory:
        review = memory.lookup_review("Oui.", "a:1:1")
        assert (review.en, review.kind, review.reviewer, review.id) == ("Indeed.", "edit", "", 1)
        assert memory.lookup("Oui.", "apertium x", "") == "Yes."
        memory.add_reviews([Review("Oui.", "Yes indeed.", "a:1:1", kind="edit", reviewer="ann")])
        assert [r.en for r in memory.history("Oui.")] == ["Indeed.", "Yes indeed."]
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 2
    db.close()


@pytest.mark.parametrize("content", [b"", None], ids=["empty-file", "foreign-database"])
def test_an_empty_file_is_a_new_memory_and_a_foreign_database_is_refused(tmp_path, content):
    path = tmp_path / "memory.sqlite"
    if content is not None:
        path.write_bytes(content)
        with TranslationMemory(path) as memory:
            assert memory.reviews() == []
        return
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE moz_places (url TEXT)")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(PipelineError, match="another application"):
        TranslationMemory(path)
    assert path.read_bytes() == before


def test_fuzzy_scores_count_words_as_a_cat_tool_does(tmp_path):
    from pipeline.records import Segment
    from pipeline.review.store import fuzzy_score, offer_fuzzy_matches

    # one word of three replaced: 1 - 1/3; punctuation and spacing do not count
    assert round(fuzzy_score("Le chat dort.", "Le chien  dort"), 1) == 66.7
    reviewed = "La Russie et la Corée du Nord ont signé un nouveau traité le 19 juin."
    changed = reviewed.replace("signé", "conclu")
    assert round(fuzzy_score(reviewed, changed), 1) == round(100 * (1 - 1 / 15), 1)  # 15 words
    with TranslationMemory(tmp_path / "m.sqlite") as memory:
        memory.add_reviews([Review(reviewed, "Russia and North Korea signed a treaty.")])
        segments = [
            Segment("d", 1, 1, changed, (0, 1), en="engine text", origin="engine"),
            Segment("d", 2, 1, "Tout autre chose ici.", (0, 1), en="other", origin="engine"),
        ]
        assert offer_fuzzy_matches(segments, memory, 75.0) == 1
        assert segments[0].suggestion["en"] == "Russia and North Korea signed a treaty."
        assert segments[0].suggestion["fr"] == reviewed and segments[0].en == "engine text"
        assert segments[1].suggestion is None
        assert offer_fuzzy_matches(segments, memory, 95.0) == 0  # the threshold holds
