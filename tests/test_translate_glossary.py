"""`pipeline translate` honours the glossary as `pipeline run` does (real apertium)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.translate.apertium import missing_modes

REPO = Path(__file__).resolve().parent.parent
FRENCH = "Selon Séoul, la RPDC a tiré un missile. Poutine a rencontré Kim Jong-un lundi.\n"

pytestmark = pytest.mark.skipif(
    bool(missing_modes("es")), reason="apertium fr-es/spa-eng not installed"
)


def translate(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "translate", "-", "--engine", "apertium", *args],
        input=FRENCH, capture_output=True, text=True, cwd=cwd, env=env, timeout=300,
    )  # fmt: skip


def test_translate_uses_the_project_glossary_by_default():
    result = translate()
    assert result.returncode == 0, result.stderr
    english = result.stdout
    assert "DPRK" in english and "RPDC" not in english
    assert "Putin" in english and "Kim Jong Un" in english and "Kim Jong-one" not in english
    assert "glossary: glossary/glossary.yaml (118 terms)" in result.stderr


def test_translate_with_another_glossary_or_none(tmp_path):
    glossary = tmp_path / "g.yaml"
    glossary.write_text("terms:\n  - source: RPDC\n    target: North Korea\n", encoding="utf-8")
    result = translate("--glossary", str(glossary))
    assert result.returncode == 0, result.stderr
    assert "North Korea" in result.stdout and "Kim Jong Un" not in result.stdout
    result = translate(cwd=tmp_path)  # no glossary/glossary.yaml here: the engine alone
    assert result.returncode == 0 and "RPDC" in result.stdout and "glossary:" not in result.stderr
    missing = translate("--glossary", str(tmp_path / "none.yaml"))
    assert missing.returncode == 1 and "no such glossary file" in missing.stderr
