"""The report lists every cleaning fix of a run, with its document, rule and span."""

from __future__ import annotations

import json

from pipeline import report
from pipeline.records import Fix


def test_report_lists_each_fix_and_counts_layout_ones(tmp_path):
    fixes = [
        Fix("glued_words", 611, 616, "TASSl", "TASS l", doc="000_a"),
        Fix("paragraph_breaks", 20, 21, "\n", "\n\n", doc="004_b"),
        Fix("trailer", 9960, 9978, "\n\nA lire également", "", doc="000_a"),
    ]
    report.write_report(tmp_path, [], [], fixes)
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "## Cleaning fixes (3)" in text
    assert "- `000_a` glued\\_words 611–616: ` TASSl ` → ` TASS l `" in text
    assert "- `000_a` trailer 9960–9978: ` A lire également ` → (removed)" in text
    assert "and 1 changes of white space between paragraphs" in text
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert data["counts"]["fixes_by_rule"] == {
        "glued_words": 1,
        "paragraph_breaks": 1,
        "trailer": 1,
    }
    assert {
        "rule": "glued_words",
        "start": 611,
        "end": 616,
        "before": "TASSl",
        "after": "TASS l",
        "doc": "000_a",
        "note": "",
    } in data["fixes"]
