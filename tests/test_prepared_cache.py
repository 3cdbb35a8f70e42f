"""Prepared documents kept in the memory file: a run over an unchanged corpus does not
clean or segment again, and any change that could alter a document prepares it again.

Real corpus articles, real cleaning and segmentation (spaCy), the real apertium engine,
real SQLite files.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from pipeline import corpus, glossary, prepared_cache, runner
from pipeline.checks import consistency
from pipeline.translate.apertium import ApertiumEngine, missing_modes

REPO = Path(__file__).resolve().parent.parent
ARTICLES = sorted((REPO / "corpus").glob("*.txt"))[:2]

needs_apertium = pytest.mark.skipif(
    bool(missing_modes("es")), reason="apertium fr-es/spa-eng is not installed"
)


@pytest.fixture
def project(tmp_path):
    """Two articles of the project's corpus and its glossary, in a folder a test may edit."""
    (tmp_path / "corpus").mkdir()
    for path in ARTICLES:
        shutil.copy(path, tmp_path / "corpus" / path.name)
    shutil.copy(REPO / "glossary" / "glossary.yaml", tmp_path / "glossary.yaml")
    return tmp_path


@pytest.fixture
def count_preparations(monkeypatch):
    """The names of the documents cleaned and segmented, in order."""
    prepared: list[str] = []
    real = runner.prepare_document

    def counting(doc, terms):
        prepared.append(doc.name)
        return real(doc, terms)

    monkeypatch.setattr(runner, "prepare_document", counting)
    return prepared


def run(project: Path) -> runner.RunResult:
    engine = ApertiumEngine("es")
    return runner.run(project / "corpus", project / "glossary.yaml", project / "out", engine)


def outputs(out: Path) -> dict[str, str]:
    """Every output's text; the report's date of the run (which differs, by design) left out."""
    return {
        p.name: re.sub(
            r'(^- Date: |"date": ")[^\n"]*', r"\1", p.read_text(encoding="utf-8"), flags=re.M
        )
        for p in sorted(out.iterdir())
        if not p.name.startswith("memory.sqlite")
    }


def test_a_prepared_document_comes_back_from_json_equal():
    terms = glossary.load_glossary(REPO / "glossary" / "glossary.yaml")
    for path in ARTICLES:
        document = runner.prepare_document(corpus.read_document(path), terms)
        assert document.segments and any(s.terms for s in document.segments)
        stored = prepared_cache.Prepared(document.segments, document.fixes, document.findings)
        back = prepared_cache.from_json(prepared_cache.to_json(stored))
        assert back == stored


@needs_apertium
def test_an_unchanged_corpus_is_not_prepared_again_and_gives_the_same_outputs(
    project, count_preparations, monkeypatch
):
    run(project)
    assert len(count_preparations) == 2
    count_preparations.clear()

    def no_spacy():
        raise AssertionError("spaCy's named entities were looked for again")

    with monkeypatch.context() as patch:
        patch.setattr(consistency, "french_ner", no_spacy)
        second_run = run(project)
    assert count_preparations == []  # neither cleaned nor segmented: spaCy is not needed
    assert second_run.engine_segments == 0
    with sqlite3.connect(project / "out" / "memory.sqlite") as db:
        stored = [json.loads(data) for (data,) in db.execute("SELECT data FROM french_entities")]
    assert len(stored) > 50 and ["Vladimir Poutine", "PER"] in [e[2:] for s in stored for e in s]
    from_cache = outputs(project / "out")
    # the same run with the cached documents and entities gone: the same outputs, byte for byte
    with sqlite3.connect(project / "out" / "memory.sqlite") as db:
        db.execute("DELETE FROM prepared_documents")
        db.execute("DELETE FROM french_entities")
    run(project)
    assert len(count_preparations) == 2
    assert outputs(project / "out") == from_cache


def test_entities_are_kept_per_text_and_model(tmp_path):
    path = tmp_path / "memory.sqlite"
    cache = prepared_cache.EntityCache(path, "spacy=1 model=a")
    assert cache.get(["Paris est loin."]) == {}  # no file yet
    cache.put({"Paris est loin.": [(0, 5, "Paris", "LOC")], "Rien.": []})
    assert cache.get(["Rien.", "Paris est loin.", "Autre."]) == {
        "Paris est loin.": [(0, 5, "Paris", "LOC")],
        "Rien.": [],
    }
    assert prepared_cache.EntityCache(path, "spacy=2 model=a").get(["Rien."]) == {}
    texts = [f"phrase {i}" for i in range(1200)]  # more than one SELECT's worth
    cache.put({t: [] for t in texts})
    assert len(cache.get(texts)) == 1200


@needs_apertium
def test_an_edited_article_or_glossary_is_prepared_again(project, count_preparations):
    run(project)
    edited = project / "corpus" / ARTICLES[0].name
    edited.write_text(edited.read_text(encoding="utf-8") + "\nUne phrase ajoutée.\n", "utf-8")
    count_preparations.clear()
    result = run(project)
    assert count_preparations == [ARTICLES[0].stem]  # the other article is unchanged
    assert any(s.fr == "Une phrase ajoutée." for s in result.segments)

    # a glossary change can change every document's term hits
    text = (project / "glossary.yaml").read_text(encoding="utf-8")
    (project / "glossary.yaml").write_text(
        text.replace("terms:\n", "terms:\n  - source: phrase ajoutée\n    target: added line\n", 1),
        encoding="utf-8",
    )
    count_preparations.clear()
    result = run(project)
    assert sorted(count_preparations) == sorted(p.stem for p in ARTICLES)
    added = next(s for s in result.segments if s.fr == "Une phrase ajoutée.")
    assert [hit.target for hit in added.terms] == ["added line"]


@needs_apertium
def test_a_damaged_cache_is_ignored_and_replaced(project, count_preparations):
    run(project)
    first = outputs(project / "out")
    with sqlite3.connect(project / "out" / "memory.sqlite") as db:
        db.execute("UPDATE prepared_documents SET data = '{not json'")
    count_preparations.clear()
    run(project)
    assert len(count_preparations) == 2
    assert outputs(project / "out").keys() == first.keys()
    with sqlite3.connect(project / "out" / "memory.sqlite") as db:
        rows = db.execute("SELECT data FROM prepared_documents").fetchall()
    assert len(rows) == 2 and all(json.loads(data)["segments"] for (data,) in rows)


def source_file(module: str) -> Path:
    """A module's file: name.py, or a package's __init__.py."""
    path = REPO / module.replace(".", "/")
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def test_the_fingerprint_covers_every_module_that_prepares_a_document():
    """A change to any pipeline module that cleaning, segmentation or term finding imports
    must invalidate the cache, so each of them is in PREPARING_MODULES."""
    todo = ["pipeline.clean", "pipeline.segment", "pipeline.glossary"]  # runner.prepare_document
    needed: set[str] = set()
    while todo:
        name = todo.pop()
        if name in needed:
            continue
        needed.add(name)
        tree = ast.parse(source_file(name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pipeline"):
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
                todo += [module for module in names if source_file(module).is_file()]
    # pipeline.progress only shows the stages (it cannot change what they prepare)
    unrelated = {"pipeline", "pipeline.errors", "pipeline.progress"}
    missing = needed - unrelated - set(prepared_cache.PREPARING_MODULES)
    assert not missing, f"add to PREPARING_MODULES: {sorted(missing)}"
    assert {"pipeline.clean", "pipeline.lexicon", "pipeline.records"} <= needed
