"""`pipeline run --jobs 2`: the same bytes as `--jobs 1`, and a killed worker loses nothing
(real CLI in a subprocess, real worker processes, real spaCy and apertium)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from faults_support import REPO, child_env, run_cli
from faults_support import output_bytes as outputs  # the report's run date aside

from pipeline.parallel import MemoryFeeder


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The project's articles, one of them twice under another name (texts shared across
    documents: translated once, the copy answered in the same run)."""
    folder = tmp_path_factory.mktemp("corpus")
    articles = sorted((REPO / "corpus").glob("*.txt"))[:3]
    for path in articles:
        shutil.copy(path, folder / path.name)
    shutil.copy(articles[0], folder / "zz_copy.txt")
    return folder


def run(corpus: Path, out: Path, *extra: str, env=None):
    result = run_cli(
        "run",
        "--corpus",
        corpus,
        "--glossary",
        REPO / "glossary" / "glossary.yaml",
        "--out",
        out,
        "--engine",
        "apertium",
        "--pivot",
        "es",
        *extra,
        cwd=out.parent,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def one_job(corpus, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("jobs1") / "out"
    run(corpus, out, "--jobs", "1")
    return out


def test_two_jobs_write_the_same_bytes_as_one(corpus, one_job, tmp_path):
    out = tmp_path / "out"
    first = run(corpus, out, "--jobs", "2")
    assert outputs(out) == outputs(one_job)
    assert "memory 0" in first.stderr  # the copy's texts were answered in the run: engine
    again = run(corpus, out, "--jobs", "2")  # an unchanged corpus: the memory answers
    assert "; 0 texts sent to the engine" in again.stderr


def test_a_worker_killed_mid_run_is_replaced_and_nothing_is_lost(corpus, one_job, tmp_path):
    marker = tmp_path / "kill-one-worker"
    marker.touch()
    out = tmp_path / "out"
    result = run(corpus, out, "--jobs", "2", env=child_env(PIPELINE_TEST_KILL_WORKER=str(marker)))
    assert not marker.exists()  # a worker did kill itself (SIGKILL)
    assert "a worker process died" in result.stderr
    assert outputs(out) == outputs(one_job)
    with sqlite3.connect(out / "memory.sqlite") as db:
        rows = db.execute(
            "SELECT count(*), count(DISTINCT fr || engine || glossary) FROM translations"
        )
        total, distinct = rows.fetchone()
    sent = int(result.stderr.split(" texts sent to the engine")[0].rsplit(" ", 1)[1])
    assert total == distinct == sent


def test_the_feeder_sends_each_text_once_and_stores_every_chunk(tmp_path):
    """Documents arrive one at a time; a text seen again later is not sent again and its
    copy is 'engine' too, as when the whole corpus is looked up at once."""
    from pipeline.memory import TranslationMemory
    from pipeline.records import Segment

    sent: list[list[str]] = []

    def submit(texts):
        sent.append(texts)
        return len(sent)

    def collect(handles, block):
        return [(h, [t.upper() for t in sent[h - 1]]) for h in handles]

    docs = [
        [Segment("a", 1, i, f"phrase {i % 7}", (0, 1)) for i in range(60)],
        [Segment("b", 1, i, f"phrase {i % 9}", (0, 1)) for i in range(40)],
    ]
    with TranslationMemory(tmp_path / "m.sqlite") as memory:
        feeder = MemoryFeeder("e1", [], memory, submit, collect, in_flight=2, chunk=3)
        for doc in docs:
            feeder.add(doc)
            feeder.pump()
        assert feeder.finish() == 9
        assert sorted(t for chunk in sent for t in chunk) == [f"phrase {i}" for i in range(9)]
        assert all(s.en == s.fr.upper() and s.origin == "engine" for d in docs for s in d)
        assert memory.counts()["translations"] == 9


def test_the_engine_gets_the_same_chunks_however_the_documents_arrive(tmp_path):
    """A run's engine gets chunks of a fixed count in corpus order, whether each document
    is pumped as it arrives (a worker was quick) or all at the end (the engine was
    busy): an engine whose English depends on the batch (Apertium's Catalan modes) then
    writes the same bytes for any --jobs and any timing."""
    from pipeline.memory import TranslationMemory
    from pipeline.parallel import engine_feeder
    from pipeline.records import Segment
    from pipeline.runner import MEMORY_CHUNK
    from pipeline.translate.apertium import ApertiumEngine

    flores = REPO.parent / "shared" / "eval" / "flores200-devtest.fr"
    sources = [flores] if flores.exists() else sorted((REPO / "corpus").glob("*.txt"))
    lines = [line for path in sources for line in path.read_text("utf-8").splitlines()]
    lines = [line for line in lines if line.strip()][:480]
    docs = [lines[i : i + 60] for i in range(0, len(lines), 60)]

    class RecordingEngine(ApertiumEngine):
        def __init__(self):
            super().__init__("es")
            self.batches: list[int] = []

        def translate(self, batch, n_best=1, progress=None):
            self.batches.append(len(batch))
            return super().translate(batch, n_best, progress)

    chunks, english = [], []
    for n, pump_each in enumerate((True, False)):
        engine = RecordingEngine()
        segments = [
            [Segment(f"d{d}", 1, i, t, (0, 1)) for i, t in enumerate(doc)]
            for d, doc in enumerate(docs)
        ]
        with TranslationMemory(tmp_path / f"m{n}.sqlite") as memory:
            feeder = engine_feeder(engine, [], memory)
            for doc in segments:
                feeder.add(doc)
                if pump_each:
                    feeder.pump()
            feeder.finish()
        chunks.append(engine.batches)
        english.append([s.en for doc in segments for s in doc])
    assert chunks[0] == chunks[1]
    assert all(size == MEMORY_CHUNK for size in chunks[0][:-1]), chunks[0]
    assert english[0] == english[1]


def test_help_does_not_start_workers_or_import_ray():
    import subprocess
    import sys

    code = (
        "import sys; from click.testing import CliRunner; from pipeline.cli import main; "
        "CliRunner().invoke(main, ['run', '--help']); "
        "print(sorted(m for m in ('ray', 'spacy', 'multiprocessing.pool') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=child_env(), capture_output=True, text=True
    )
    assert done.stdout.strip() == "[]", done.stderr


def test_a_forked_worker_asks_the_analysers_started_before_the_fork():
    """The analysers a worker asks (the cleaner's, the untranslated checks') are started
    by the main process before the fork, one set a worker: each forked worker asks its
    own set (no lt-proc of its own), and the analysers end once the workers have, so the
    main process reaps them at once (real lt-proc processes). Stopped early, the starter
    leaves the rest to the workers (a worker starts what it lacks on first use)."""
    import multiprocessing
    import time

    from pipeline import french_names, parallel

    analysers = parallel.worker_analysers()
    if not analysers:
        pytest.skip("no Apertium analyser installed")
    parallel.prestart_analysers(2).join()  # every set started (a run stops it at the fork)
    started = [{a: s.pid for a, s in servers.items()} for servers in parallel._prestarted]
    assert len(started) == 2 and set(started[0]) == set(analysers)

    def ask(results):
        parallel.take_analysers()
        answer = french_names._ask_server(analysers[0], ["maison"])
        results.put((french_names._servers[analysers[0]][1].pid, answer))

    context = multiprocessing.get_context("fork")
    results = context.Queue()
    workers = [context.Process(target=ask, args=(results,)) for _ in range(2)]
    for worker in workers:
        worker.start()
    answers = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    parallel.drop_analysers()
    assert sorted(pid for pid, _ in answers) == sorted(s[analysers[0]] for s in started)
    assert all(answer and "maison" in answer[0] for _, answer in answers), answers
    begun = time.monotonic()
    parallel.reap_analysers()  # every copy of their input closed: they have ended
    assert time.monotonic() - begun < 4
    assert parallel._prestarted == []

    starter = parallel.prestart_analysers(2)
    starter.stop()  # at once: few or none started, and the thread has ended
    assert not starter.is_alive()
    assert sum(len(servers) for servers in parallel._prestarted) < 2 * len(analysers)
    parallel.drop_analysers()
    parallel.reap_analysers()
