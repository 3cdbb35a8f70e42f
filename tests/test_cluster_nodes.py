"""`pipeline run --cluster ADDRESS` on a Ray cluster of two nodes: a head and a worker,
each its own raylet with one CPU (ray.cluster_utils.Cluster, the way Ray tests its
clusters), joined by address as a second machine would be.

What it shows: the engine actors are placed on both nodes; the workers run the driver's
`pipeline` code, shipped by Ray (runtime_env py_modules), not the copy on this disk;
the outputs are the bytes of a run in one process, with --pivot es and --pivot both; a
worker node killed mid-run (its raylet and the engine actor with a chunk, SIGKILL) loses
nothing: Ray restarts the actor on the other node, sends the chunk again, and the driver's
memory stores it once.

What one machine cannot show, and a real second machine needs: the nodes here share the
filesystem, the installed Python packages and Apertium, and talk over loopback. A task
that opened a file of the driver's would still work here, so the code sends the documents
and the glossary by value and reads every file on the driver; what each node must install
is in README's cluster section (Apertium and its pairs, the Python dependencies, spaCy's
model), and the driver refuses a node whose engine or libraries differ from its own
(cluster.check_nodes).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from faults_support import REPO
from faults_support import output_bytes as outputs  # the report's run date aside

from pipeline import cluster, runner
from pipeline.errors import PipelineError
from pipeline.translate.apertium import ApertiumEngine
from pipeline.translate.apertium_plus import BothPivotsEngine

ray = pytest.importorskip("ray", reason="the cluster extra: pip install -e '.[cluster]'")

GLOSSARY = REPO / "glossary" / "glossary.yaml"
CORPUS = REPO / "corpus"  # 5 articles, 220 texts: 2 chunks, one for each engine actor
SHORT = ["003_08530567ec71b96b.txt", "004_697ffb342edea42a.txt"]  # for --pivot both
# a dead node is noticed in about a second (Ray's default: 15 to 30 s)
FAST_HEALTH_CHECKS = {
    "health_check_initial_delay_ms": 0,
    "health_check_period_ms": 300,
    "health_check_timeout_ms": 1000,
    "health_check_failure_threshold": 3,
}


@pytest.fixture(scope="module")
def two_nodes():
    from ray.cluster_utils import Cluster

    # Ray writes a started cluster's address where a bare ray.init() on this machine looks
    # for one; a private folder keeps other Ray users of the machine out of this cluster.
    saved = {name: os.environ.get(name) for name in ("RAY_TMPDIR", "PIPELINE_TEST_KILL_NODE")}
    temp = tempfile.mkdtemp(prefix="ray-nodes-", dir="/tmp")  # short: Ray's socket paths
    marker = Path(temp) / "kill-this-node"
    os.environ["RAY_TMPDIR"] = temp
    os.environ["PIPELINE_TEST_KILL_NODE"] = str(marker)  # the raylets' workers inherit it
    nodes = Cluster(
        initialize_head=True,
        head_node_args={
            "num_cpus": 1,
            "include_dashboard": False,
            "_system_config": FAST_HEALTH_CHECKS,
        },
    )
    worker = nodes.add_node(num_cpus=1)
    nodes.wait_for_nodes()
    yield nodes, worker, marker, Path(temp)
    nodes.shutdown()
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="module")
def short_corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("short")
    for name in SHORT:
        shutil.copy(CORPUS / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def in_process(tmp_path_factory, short_corpus):
    def run(corpus, engine) -> Path:
        out = tmp_path_factory.mktemp("local") / "out"
        runner.run(corpus, GLOSSARY, out, engine, jobs=1)
        return out

    return {"es": run(CORPUS, ApertiumEngine("es")), "both": run(short_corpus, BothPivotsEngine())}


@pytest.fixture
def elsewhere(tmp_path, monkeypatch):
    # Ray puts the driver's working folder on the workers' path; out of this checkout,
    # so the workers can only import pipeline from what Ray shipped
    monkeypatch.chdir(tmp_path)


def test_a_run_on_two_nodes_places_engines_on_both_and_writes_the_same_bytes(
    two_nodes, in_process, elsewhere, tmp_path, monkeypatch
):
    nodes, worker, _, ray_temp = two_nodes
    monkeypatch.setattr(cluster, "CPUS_PER_TASK", 2)  # more than a node has: 1 a task here
    out = tmp_path / "out"
    result = runner.run(CORPUS, GLOSSARY, out, ApertiumEngine("es"), cluster=nodes.address)
    assert outputs(out) == outputs(in_process["es"])
    assert result.engine_segments > 0
    head = nodes.head_node.node_id
    assert sorted(r["node"] for r in cluster.placement) == sorted([head, worker.node_id])
    assert cluster.timings["task cpus"] == 1  # at most a node's CPUs (a task asking 2
    # there would never be scheduled)
    for report in cluster.placement:  # the driver's code, unpacked by Ray on each node
        assert Path(report["code"]).is_relative_to(ray_temp), report["code"]
        assert Path(report["code"]) != REPO / "pipeline"


def test_pivot_both_on_two_nodes_writes_the_same_bytes(
    two_nodes, in_process, short_corpus, elsewhere, tmp_path
):
    nodes, *_ = two_nodes
    out = tmp_path / "out"
    runner.run(short_corpus, GLOSSARY, out, BothPivotsEngine(), cluster=nodes.address)
    assert outputs(out) == outputs(in_process["both"])
    assert {r["engine"] for r in cluster.placement} == {BothPivotsEngine().version}


def test_a_node_whose_libraries_differ_from_the_drivers_stops_the_run_in_one_line(
    two_nodes, elsewhere, tmp_path, monkeypatch
):
    # Both nodes here have this machine's packages, so the driver is the one made to
    # differ: it claims another spaCy; every node's real report then disagrees with it.
    nodes, *_ = two_nodes
    real = cluster.library_versions()
    monkeypatch.setattr(cluster, "library_versions", lambda: {**real, "spacy": "0.0-driver"})
    with pytest.raises(PipelineError) as raised:
        runner.run(CORPUS, GLOSSARY, tmp_path / "out", ApertiumEngine("es"), cluster=nodes.address)
    message = str(raised.value)
    assert f"has spacy {real['spacy']}, the driver 0.0-driver" in message
    assert "install the same versions on every node" in message
    assert not (tmp_path / "out" / "report.md").exists()


def test_a_worker_node_killed_mid_run_loses_nothing_and_stores_nothing_twice(
    two_nodes, in_process, elsewhere, tmp_path
):
    # last in the module: the cluster is left with its head alone
    nodes, worker, marker, _ = two_nodes
    marker.write_text(worker.node_id, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.run(CORPUS, GLOSSARY, out, ApertiumEngine("es"), cluster=nodes.address)
    assert not marker.exists()  # the worker node's engine actor took a chunk and killed it
    (new,) = [r for r in cluster.placement if "replaces" in r]  # its chunk went to a new one
    assert new["node"] == nodes.head_node.node_id
    assert outputs(out) == outputs(in_process["es"])
    with sqlite3.connect(out / "memory.sqlite") as db:
        (rows,) = db.execute("SELECT count(*) FROM translations").fetchone()
    assert rows == result.engine_segments
    alive = [n["NodeID"] for n in ray_nodes(nodes) if n["Alive"]]
    assert alive == [nodes.head_node.node_id]  # the worker node did die


def ray_nodes(nodes) -> list[dict]:
    ray.init(address=nodes.address, include_dashboard=False, logging_level="ERROR")
    try:
        return ray.nodes()
    finally:
        ray.shutdown()
