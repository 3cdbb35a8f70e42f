"""`pipeline run --cluster`: on a real local Ray instance (ray.init(num_cpus=2), one for
the module), the same bytes as a run in one process; an engine worker killed mid-run
(SIGKILL) is restarted, its chunk translated again and stored once."""

from __future__ import annotations

import itertools
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from faults_support import REPO, child_env
from faults_support import output_bytes as outputs  # the report's run date aside

from pipeline import runner
from pipeline.translate.apertium import ApertiumEngine

ray = pytest.importorskip("ray", reason="the cluster extra: pip install -e '.[cluster]'")

GLOSSARY = REPO / "glossary" / "glossary.yaml"


@pytest.fixture(scope="module")
def kill_marker(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("kill") / "kill-one-worker"


@pytest.fixture(scope="module")
def stage_log(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("stages") / "stage-tasks.log"


@pytest.fixture(scope="module")
def local_ray(kill_marker, stage_log):
    # Ray's workers inherit this process's environment as it is when Ray starts.
    os.environ["PIPELINE_TEST_KILL_WORKER"] = str(kill_marker)
    os.environ["PIPELINE_TEST_STAGE_LOG"] = str(stage_log)
    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR")
    yield
    ray.shutdown()
    del os.environ["PIPELINE_TEST_KILL_WORKER"], os.environ["PIPELINE_TEST_STAGE_LOG"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    articles = sorted((REPO / "corpus").glob("*.txt"))[:2]
    for path in articles:
        shutil.copy(path, folder / path.name)
    shutil.copy(articles[1], folder / "zz_copy.txt")  # texts shared across documents
    # two short articles (with cluster.PREPARE_TASK_CHARS above 0, in one Ray task with the next)
    paragraphs = (REPO / "corpus" / "003_08530567ec71b96b.txt").read_text("utf-8").split("\n\n")
    (folder / "short_a.txt").write_text("\n\n".join(paragraphs[:2]) + "\n", "utf-8")
    (folder / "short_b.txt").write_text("\n\n".join(paragraphs[2:4]) + "\n", "utf-8")
    return folder


@pytest.fixture(scope="module")
def in_process(corpus, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("local") / "out"
    runner.run(corpus, GLOSSARY, out, ApertiumEngine("es"), jobs=1)
    return out


def test_a_cluster_run_writes_the_same_bytes_as_one_process(
    local_ray, corpus, in_process, tmp_path
):
    out = tmp_path / "out"
    result = runner.run(corpus, GLOSSARY, out, ApertiumEngine("es"), cluster="local")
    assert outputs(out) == outputs(in_process)
    assert result.engine_segments > 0
    again = runner.run(corpus, GLOSSARY, out, ApertiumEngine("es"), cluster="local")
    assert again.engine_segments == 0  # the driver's memory answered everything


def test_a_killed_engine_worker_is_restarted_and_nothing_is_lost_or_stored_twice(
    local_ray, corpus, in_process, kill_marker, tmp_path
):
    kill_marker.write_text("engine", encoding="utf-8")  # an engine actor's process
    out = tmp_path / "out"
    result = runner.run(corpus, GLOSSARY, out, ApertiumEngine("es"), cluster="local")
    assert not kill_marker.exists()  # an engine actor did kill itself mid-run
    assert outputs(out) == outputs(in_process)
    with sqlite3.connect(out / "memory.sqlite") as db:
        (rows,) = db.execute("SELECT count(*) FROM translations").fetchone()
    assert rows == result.engine_segments


def test_each_documents_checks_run_as_a_task_once_its_english_is_in(
    local_ray, corpus, in_process, tmp_path, monkeypatch
):
    from pipeline import cluster

    # chunks of 20 texts (--pivot es gives the same English whatever the chunks): the
    # first documents are whole while the engine still has the last ones to translate
    monkeypatch.setattr(cluster, "CLUSTER_CHUNK", 20)
    out = tmp_path / "out"
    runner.run(corpus, GLOSSARY, out, ApertiumEngine("es"), cluster="local")
    assert outputs(out) == outputs(in_process)  # the findings in the report, the JSONL
    assert cluster.timings["chunks"] > 3
    assert cluster.timings["check tasks"] > 1
    assert cluster.timings["first check task"] < cluster.timings["last chunk back"]


def test_the_untranslated_words_are_found_by_the_check_tasks_not_the_driver(
    local_ray, corpus, in_process, tmp_path, monkeypatch
):
    from pipeline import checks

    # the driver's own copy of the checks: the tasks run in Ray's worker processes, so a
    # call here is the driver running the check over the corpus after the last chunk
    on_driver: list[int] = []
    for name in ("untranslated", "untranslated.pivot"):
        check = checks.CORPUS_CHECKS[name]

        def counted(segments, context, check=check):
            on_driver.append(len(segments))
            return check(segments, context)

        monkeypatch.setitem(checks.CORPUS_CHECKS, name, counted)
    out = tmp_path / "out"
    runner.run(corpus, GLOSSARY, out, ApertiumEngine("es"), cluster="local")
    assert outputs(out) == outputs(in_process)  # the same findings, in the same order
    assert "untranslated" in (in_process / "report.md").read_text("utf-8")
    assert on_driver == []


def test_the_entity_and_check_tasks_go_between_the_preparations(
    local_ray, corpus, in_process, tmp_path, monkeypatch
):
    from pipeline import cluster

    # one preparing task a CPU ahead of the document the driver waits for: 2 of the 5
    # documents at first, so the others' preparations queue behind entity tasks (in one
    # queue, the order sent), and none waits for every preparation to end
    monkeypatch.setattr(cluster, "PREPARE_AHEAD", 1)
    monkeypatch.setattr(cluster, "ENTITY_TASK_TEXTS", 1)  # an entity task each preparing one
    out = tmp_path / "out"
    runner.run(corpus, GLOSSARY, out, ApertiumEngine("es"), cluster="local")
    assert outputs(out) == outputs(in_process)
    assert cluster.ONE_QUEUE
    assert cluster.timings["preparing after an entity task"] >= 2


def test_the_entities_of_several_documents_go_in_one_task(
    local_ray, corpus, in_process, tmp_path, monkeypatch
):
    from pipeline import cluster

    out = tmp_path / "out"
    monkeypatch.setattr(cluster, "ENTITY_TASK_TEXTS", 1)
    runner.run(corpus, GLOSSARY, out, ApertiumEngine("es"), cluster="local")
    one_each = cluster.timings["entity tasks"]
    # texts of every document wanted before a task goes: one, with the last document
    monkeypatch.setattr(cluster, "ENTITY_TASK_TEXTS", 10**6)
    shutil.rmtree(out)
    runner.run(corpus, GLOSSARY, out, ApertiumEngine("es"), cluster="local")
    assert outputs(out) == outputs(in_process)  # the same entity findings
    assert one_each >= 3 and cluster.timings["entity tasks"] == 1


def test_a_killed_check_worker_is_retried_and_its_findings_kept_once(
    local_ray, corpus, in_process, kill_marker, tmp_path
):
    from pipeline import cluster

    kill_marker.write_text("checks", encoding="utf-8")  # a check task's worker, no other
    out = tmp_path / "out"
    runner.run(corpus, GLOSSARY, out, ApertiumEngine("es"), cluster="local")
    assert not kill_marker.exists()  # a check task's worker did kill itself
    assert "actors replaced" not in cluster.timings
    assert outputs(out) == outputs(in_process)  # no finding lost, none twice


def stage_tasks_run(log: Path) -> list[tuple[int, str, float, float]]:
    """The stage tasks a run's workers logged (PIPELINE_TEST_STAGE_LOG): pid, step, start, end."""
    rows = [line.split() for line in log.read_text("utf-8").splitlines()]
    return sorted((int(pid), step, float(a), float(b)) for pid, step, a, b in rows)


def test_with_2_cpus_a_task_the_stage_tasks_run_one_at_a_time_beside_the_engine(
    local_ray, corpus, in_process, stage_log, tmp_path, monkeypatch
):
    from pipeline import cluster

    # a task worker per 2 CPUs (CPUS_PER_TASK=2, the option): one load of spaCy and the
    # lexicon, not one a CPU; the engine actors (asking for no CPU) still one a CPU
    monkeypatch.setattr(cluster, "CPUS_PER_TASK", 2)
    stage_log.write_text("", "utf-8")
    out = tmp_path / "out"
    runner.run(corpus, GLOSSARY, out, ApertiumEngine("es"), cluster="local")
    assert outputs(out) == outputs(in_process)
    assert cluster.timings["task cpus"] == 2
    assert len(cluster.placement) == 2  # two engine actors
    tasks = sorted(stage_tasks_run(stage_log), key=lambda task: task[2])
    assert {"prepare", "entities", "checks"} <= {step for _, step, _, _ in tasks}
    for before, after in itertools.pairwise(tasks):
        assert after[2] >= before[3], (before, after)  # none began before the last ended
    # a task worker a CPU (the default): two stage tasks do run at once
    monkeypatch.setattr(cluster, "CPUS_PER_TASK", 1)
    stage_log.write_text("", "utf-8")
    shutil.rmtree(out)
    runner.run(corpus, GLOSSARY, out, ApertiumEngine("es"), cluster="local")
    assert outputs(out) == outputs(in_process)
    assert cluster.timings["task cpus"] == 1
    tasks = sorted(stage_tasks_run(stage_log), key=lambda task: task[2])
    assert len({pid for pid, *_ in tasks}) >= 2


def test_without_ray_cluster_is_one_line_naming_the_extra(corpus, tmp_path):
    code = (
        "import sys; sys.modules['ray'] = None; from pipeline.cli import main; "
        f"main(['run', '--corpus', {str(corpus)!r}, '--out', {str(tmp_path / 'o')!r}, "
        "'--engine', 'apertium', '--cluster', 'local'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=child_env(), capture_output=True, text=True
    )
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "error: --cluster needs Ray, an optional extra: pip install 'pipeline[cluster]'"
    )
    assert not (tmp_path / "o").exists()
