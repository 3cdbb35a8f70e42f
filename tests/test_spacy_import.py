"""spaCy is imported without torch (seconds of start-up), and still segments French."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

SCRIPT = """
import sys
from pipeline import segment
print(segment.sentence_spans_in(["Il pleut. M. Dupont est parti."])[0])
print("torch" in sys.modules)
import torch  # still importable by whoever needs it
print(torch.__name__)
"""


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed")
def test_spacy_loads_without_torch_and_torch_stays_importable():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=REPO, capture_output=True, text=True, check=True
    )
    spans, torch_loaded, torch_name = done.stdout.split("\n")[:3]
    assert spans == "[(0, 9), (10, 30)]"
    assert torch_loaded == "False"
    assert torch_name == "torch"
