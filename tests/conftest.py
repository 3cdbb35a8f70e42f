"""Fixtures shared by the test files (keep this file small: several helpers add to it)."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from argos_fixture import build_argosmodel


@pytest.fixture(scope="session", autouse=True)
def ctrl_c_as_at_a_terminal():
    """A shell starts a background job (`pytest &`) with Ctrl-C ignored, and its children
    inherit that: the Ctrl-C tests would then see runs that never stop. Python's usual
    handler here gives every test, and every program it starts, Ctrl-C as at a terminal."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session")
def argosmodel(tmp_path_factory) -> Path:
    """A real fr→en `.argosmodel` holding a tiny random model (built once, about a second)."""
    return build_argosmodel(tmp_path_factory.mktemp("argos") / "translate-fr_en-1_0.argosmodel")


@pytest.fixture(scope="session")
def argos_engine(argosmodel, tmp_path_factory):
    """An ArgosEngine over that package, unpacked into its own folder (no global settings)."""
    from argostranslate.package import Package

    from pipeline import models
    from pipeline.translate.argos import ArgosEngine

    top, _ = models.read_archive_metadata(argosmodel)
    folder = models.unpack(argosmodel, top, tmp_path_factory.mktemp("argos-packages"))
    return ArgosEngine(Package(folder))
