"""The argos engine: a real .argosmodel (tiny random model), real CTranslate2, no network.

The package is built by tests/argos_fixture.py (see there why the weights are random):
these tests check the mechanics a user relies on (n-best lists, one result per segment in
order, no download at run time), not translation quality, which apertium's tests cover.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap

import pytest
from argos_fixture import REPO, corpus_lines, isolated_env, run_cli


class NetworkBlocked(RuntimeError):
    pass


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any connection or name lookup from this process fails loudly."""

    def refuse(*args, **kwargs):
        raise NetworkBlocked(f"network access attempted: {args[1:] or kwargs}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_network_is_really_blocked():
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("127.0.0.1", 9))


def test_n_best_hypotheses_for_every_segment_in_order(argos_engine):
    lines = corpus_lines()
    batch = [lines[i % len(lines)] for i in range(150)]
    blanks = {7, 70, 149}
    for i in blanks:
        batch[i] = "" if i != 70 else "  \n "

    translations = argos_engine.translate(batch, n_best=4)

    assert len(translations) == len(batch)
    for i, hyps in enumerate(translations):
        if i in blanks:
            assert hyps == [""]
            continue
        assert len(hyps) == 4, i
        assert all(h.strip() for h in hyps), i
        assert len(set(hyps)) == 4, (i, hyps)  # distinct hypotheses, best first
    # Same order as the input: each result is what the segment gives when translated
    # alone. (Padding in a batch can flip a near-tie, so allow a few differences;
    # a shifted or shuffled result would match almost none.)
    sample = [i for i in range(0, 150, 9) if i not in blanks]
    alone = {i: argos_engine.translate([batch[i]], n_best=4)[0] for i in sample}
    same = sum(alone[i] == translations[i] for i in sample)
    assert same >= 0.9 * len(sample), f"{same} of {len(sample)} match"


def test_one_best_is_the_first_of_the_n_best(argos_engine):
    lines = corpus_lines()[:20]
    best = argos_engine.translate(lines, n_best=1)
    four = argos_engine.translate(lines, n_best=4)
    assert all(len(h) == 1 for h in best)
    same = sum(b[0] == f[0] for b, f in zip(best, four, strict=True))
    assert same >= 18


def test_progress_counts_every_segment(argos_engine):
    reports: list[tuple[int, int]] = []
    batch = corpus_lines()[:100] + [""] * 5
    argos_engine.translate(batch, progress=lambda done, total: reports.append((done, total)))
    assert reports[-1] == (105, 105)
    assert len(reports) >= 2  # chunks of 64: the bar moves


def test_version_names_the_package(argos_engine):
    assert argos_engine.version == "argos fr-en 1.0"


# A fresh interpreter shows what translating loads: argostranslate's sentence splitting
# (argostranslate.translate → sbd → stanza/minisbd/spaCy) fetches models from the
# network; our engine must not import it at all, and must not try any connection.
PROBE = textwrap.dedent(
    """
    import json, socket, sys

    def refuse(*args, **kwargs):
        raise RuntimeError("network access attempted")

    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.getaddrinfo = refuse

    from pipeline.translate.engine import open_engine

    engine = open_engine("auto")
    out = engine.translate(["La Russie et la Corée du Nord ont signé un traité.", ""], n_best=2)
    heavy = ["argostranslate.translate", "argostranslate.sbd", "stanza", "minisbd", "spacy",
             "torch"]
    print(json.dumps({"engine": engine.name, "out": out,
                      "loaded": [m for m in heavy if m in sys.modules]}))
    """
)


def test_translating_fetches_nothing_and_never_loads_the_sentence_splitter(argosmodel, tmp_path):
    env = isolated_env(tmp_path)
    installed = run_cli(["models", "install", str(argosmodel)], env)
    assert installed.returncode == 0, installed.stderr

    probe = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert probe.returncode == 0, probe.stderr
    result = json.loads(probe.stdout)
    assert result["engine"] == "argos"
    assert len(result["out"][0]) == 2 and result["out"][1] == [""]
    assert result["loaded"] == []
    # nothing downloaded or cached beside the package (argostranslate keeps its sentence
    # splitter models in its data folder, downloads in its cache folder)
    assert list((tmp_path / "data" / "argos-translate").iterdir()) == []
    assert list((tmp_path / "cache" / "argos-translate" / "downloads").iterdir()) == []
