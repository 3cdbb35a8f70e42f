"""Apertium's tools run under SCHED_BATCH; the run's own threads keep their policy."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from pipeline.translate import apertium
from pipeline.translate.apertium import ApertiumEngine

pytestmark = pytest.mark.skipif(
    not hasattr(os, "SCHED_BATCH") or not Path("/proc/self/task").exists(),
    reason="scheduling policies are Linux's",
)


def tool_policies() -> dict[int, int]:
    """The scheduling policy of every Apertium tool below this process (ps's CLS)."""
    listed = subprocess.run(
        ["ps", "-eo", "pid=,ppid=,comm="], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    parents = {}
    names = {}
    for line in listed:
        fields = line.split(None, 2)
        if len(fields) == 3:
            pid, ppid = int(fields[0]), int(fields[1])
            parents[pid], names[pid] = ppid, fields[2]

    def below_us(pid: int) -> bool:
        while pid in parents and pid > 1:
            pid = parents[pid]
            if pid == os.getpid():
                return True
        return False

    tools = [
        pid
        for pid, name in names.items()
        if below_us(pid) and name.startswith(("lt-proc", "cg-proc", "apertium-"))
    ]
    out = {}
    for pid in tools:
        try:
            out[pid] = os.sched_getscheduler(pid)
        except OSError:  # ended meanwhile
            pass
    return out


def test_the_kept_tools_run_under_sched_batch_and_the_run_keeps_its_policy():
    apertium.close_kept_pipelines()
    before = os.sched_getscheduler(0)
    engine = ApertiumEngine("ca")
    try:
        english = engine.translate(["Le chat noir dort."])
        assert english == [["The black cat sleeps."]]  # the same English as ever
        policies = tool_policies()
        assert policies, "no Apertium tool kept below this process"
        assert set(policies.values()) == {os.SCHED_BATCH}
        assert os.sched_getscheduler(0) == before  # this thread, and so the run, unchanged
    finally:
        apertium.close_kept_pipelines()
