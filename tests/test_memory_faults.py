"""Faults with real processes: `kill -9` in the middle of a run, and two runs at once.

The corpus is FLORES (devtest and dev, about 2,000 sentences) cut into 40 articles, so
a run with apertium takes several seconds and stores its memory in several chunks.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pipeline import runner
from pipeline.corpus import read_corpus
from pipeline.memory import normalise
from pipeline.runner import MEMORY_CHUNK
from pipeline.translate.apertium import missing_modes

REPO = Path(__file__).resolve().parent.parent
EVAL = REPO.parent / "shared" / "eval"
FLORES = [EVAL / "flores200-devtest.fr", EVAL / "flores101-dev.fr"]

pytestmark = [
    pytest.mark.skipif(bool(missing_modes("es")), reason="apertium fr-es/spa-eng not installed"),
    pytest.mark.skipif(not all(p.exists() for p in FLORES), reason=f"no FLORES files in {EVAL}"),
]

SUMMARY = re.compile(
    r"\(engine (\d+), memory (\d+), review (\d+); (\d+) texts sent to the engine\)"
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("flores") / "corpus"
    folder.mkdir()
    lines = [line for p in FLORES for line in p.read_text(encoding="utf-8").splitlines()]
    per_article = len(lines) // 40 + 1
    for number in range(40):
        part = lines[number * per_article : (number + 1) * per_article]
        (folder / f"flores_{number:02d}.txt").write_text("\n\n".join(part) + "\n", "utf-8")
    (folder.parent / "glossary.yaml").write_text(
        "terms:\n  - source: Paris\n    target: Paris\n    kind: place\n", encoding="utf-8"
    )
    return folder


def pipeline(*args: str) -> list[str]:
    return [sys.executable, "-m", "pipeline", *args]


def start_run(corpus: Path, out: Path, memory: Path) -> subprocess.Popen:
    command = pipeline(
        "run",
        "--corpus",
        str(corpus),
        "--glossary",
        str(corpus.parent / "glossary.yaml"),
        "--out",
        str(out),
        "--memory",
        str(memory),
        "--engine",
        "apertium",
        "--pivot",
        "es",  # one route: the memory is under test, not the engine; 5x quicker than both
    )
    return subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(process: subprocess.Popen, timeout: float = 300) -> str:
    _, stderr = process.communicate(timeout=timeout)
    assert process.returncode == 0, stderr
    return stderr


def stored_french(memory: Path) -> set[str]:
    """The French texts with an engine translation, read by a separate connection."""
    if not memory.exists():
        return set()
    db = sqlite3.connect(f"file:{memory}?mode=ro", uri=True, timeout=30)
    try:
        return {fr for (fr,) in db.execute("SELECT fr FROM translations")}
    except sqlite3.OperationalError:  # the schema is not there yet
        return set()
    finally:
        db.close()


def integrity(memory: Path) -> str:
    db = sqlite3.connect(memory, timeout=30)
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()


def records(out: Path) -> list[dict]:
    return [
        json.loads(line)
        for path in sorted(out.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]


def write_tmx(path: Path, units: list[tuple[str, str]]) -> Path:
    tmx = ET.Element("tmx", version="1.4")
    ET.SubElement(tmx, "header", srclang="fr", datatype="plaintext", segtype="sentence")
    body = ET.SubElement(tmx, "body")
    for french, english in units:
        tu = ET.SubElement(body, "tu")
        for language, text in (("fr", french), ("en", english)):
            ET.SubElement(ET.SubElement(tu, "tuv", {"xml:lang": language}), "seg").text = text
    ET.ElementTree(tmx).write(path, encoding="utf-8", xml_declaration=True)
    return path


def test_kill_9_mid_run_keeps_the_memory_whole_and_the_next_run_resumes(corpus, tmp_path):
    out, memory = tmp_path / "out", tmp_path / "memory.sqlite"
    process = start_run(corpus, out, memory)
    deadline = time.monotonic() + 240
    while len(stored_french(memory)) < MEMORY_CHUNK:
        assert process.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline, "no chunk was stored in time"
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL

    assert integrity(memory) == "ok"
    before = stored_french(memory)
    assert len(before) >= MEMORY_CHUNK  # at least the first chunk
    assert not list(out.glob("*.jsonl")), "killed before writing outputs"

    summary = SUMMARY.search(finish(start_run(corpus, out, memory)))
    assert summary, "the run prints its origin counts"
    engine, from_memory, _review, sent = map(int, summary.groups())
    after = stored_french(memory)
    assert before < after and integrity(memory) == "ok"
    assert sent == len(after) - len(before) > 0  # only what was not stored
    segments = records(out)
    assert engine + from_memory == len(segments)
    for r in segments:
        assert r["origin"] == ("memory" if normalise(r["fr"]) in before else "engine"), r["id"]


def add_reviews_in_a_process(memory: Path, pairs: list[tuple[str, str]]):
    """Another process adds reviews to the memory (as an import or the web review does)."""
    script = (
        "import json, sys\n"
        "from pipeline.memory import Review, TranslationMemory\n"
        "with TranslationMemory(sys.argv[1]) as m:\n"
        "    n = m.add_reviews([Review(fr, en) for fr, en in json.loads(sys.argv[2])])\n"
        "print(f'{n} new reviews stored')\n"
    )
    return subprocess.run(
        [sys.executable, "-c", script, str(memory), json.dumps(pairs)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )


def test_two_runs_at_once_on_one_memory_lose_nothing(corpus, tmp_path):
    memory = tmp_path / "shared-memory.sqlite"
    half = tmp_path / "corpus"  # 12 articles, about 600 sentences, are enough here
    half.mkdir()
    for article in sorted(corpus.iterdir())[:12]:
        (half / article.name).write_bytes(article.read_bytes())
    (tmp_path / "glossary.yaml").write_bytes((corpus.parent / "glossary.yaml").read_bytes())
    corpus = half
    # reviews of segments as the run will cut them (a FLORES line may hold two sentences)
    segments = [
        s.fr
        for document in read_corpus(corpus)
        for s in runner.prepare_document(document, []).segments
        if s.lang == "fr"
    ]
    early = [(fr, f"Early review {n}.") for n, fr in enumerate(segments[:30])]
    late = [(fr, f"Late review {n}.") for n, fr in enumerate(segments[300:330])]
    # Reviews stored straight into the memory, by another process: `review import` refuses
    # a file it has nothing to compare with (no outputs, an empty memory), see test_review.
    imported = add_reviews_in_a_process(memory, early)
    assert imported.returncode == 0, imported.stderr
    assert "30 new reviews stored" in imported.stdout

    first = start_run(corpus, tmp_path / "a", memory)
    second = start_run(corpus, tmp_path / "b", memory)
    while not stored_french(memory):  # both runs are writing: import more reviews now
        assert first.poll() is None or second.poll() is None, "the runs ended too soon"
        time.sleep(0.02)
    during = add_reviews_in_a_process(memory, late)
    finish(first), finish(second)
    assert during.returncode == 0, during.stderr
    assert "30 new reviews stored" in during.stdout

    assert integrity(memory) == "ok"
    db = sqlite3.connect(memory)
    reviews = dict(db.execute("SELECT fr, en FROM reviews"))
    db.close()
    assert reviews == {normalise(fr): en for fr, en in early + late}
    for out in (tmp_path / "a", tmp_path / "b"):
        by_fr = {normalise(r["fr"]): r for r in records(out)}
        for fr, en in early:
            assert (by_fr[normalise(fr)]["en"], by_fr[normalise(fr)]["origin"]) == (en, "review")
    french = {normalise(r["fr"]) for r in records(tmp_path / "a") if r["lang"] == "fr"}
    assert len(stored_french(memory)) == len(french) - 30  # all but the reviewed ones

    summary = SUMMARY.search(finish(start_run(corpus, tmp_path / "a", memory)))
    assert summary and summary.group(4) == "0" and summary.group(3) == "60"
    by_fr = {normalise(r["fr"]): r for r in records(tmp_path / "a")}
    for fr, en in late:
        assert (by_fr[normalise(fr)]["en"], by_fr[normalise(fr)]["origin"]) == (en, "review")
