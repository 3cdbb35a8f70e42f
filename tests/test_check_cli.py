"""`pipeline run` ends with the checks; `pipeline check` re-checks outputs a user edited.

Real parts: apertium translates, the spaCy model finds entities, files are real.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main

ARTICLE = (
    "La Russie a signé un traité\n\n"
    "La Russie et la Corée du Nord ont signé un traité le 19 juin 2024.\n\n"
    "Le commerce a augmenté de 54 % en 2023.\n"
)
GLOSSARY = "terms:\n  - source: Russie\n    target: Russia\n    kind: place\n"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("project")
    (root / "corpus").mkdir()
    (root / "corpus" / "art.txt").write_text(ARTICLE, encoding="utf-8")
    (root / "glossary.yaml").write_text(GLOSSARY, encoding="utf-8")
    return root


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def run_pipeline(root: Path, *extra: str):
    return invoke(
        "run",
        "--engine",
        "apertium",
        "--corpus",
        str(root / "corpus"),
        "--glossary",
        str(root / "glossary.yaml"),
        "--out",
        str(root / "out"),
        *extra,
    )


def check(root: Path, *extra: str):
    return invoke(
        "check",
        "--out",
        str(root / "out"),
        "--corpus",
        str(root / "corpus"),
        "--glossary",
        str(root / "glossary.yaml"),
        *extra,
    )


def records(root: Path) -> list[dict]:
    text = (root / "out" / "art.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def edit_english(root: Path, index: int, english: str) -> None:
    recs = records(root)
    recs[index]["en"] = english
    (root / "out" / "art.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8"
    )


def test_run_writes_the_report_with_run_counts(project):
    result = run_pipeline(project, "--strict")
    assert result.exit_code == 0, result.output
    report = json.loads((project / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["counts"]["segments"] == 3
    assert report["counts"]["from_engine"] == 3
    assert report["counts"]["from_memory"] == 0
    assert report["findings_by_severity"]["error"] == 0
    markdown = (project / "out" / "report.md").read_text(encoding="utf-8")
    assert "| check | error | warning | info |" in markdown
    assert "| numbers | 0 | 0 | 0 |" in markdown


def test_check_rewrites_findings_after_an_edit_and_strict_sets_the_exit_status(project):
    assert run_pipeline(project).exit_code == 0
    assert check(project, "--strict").exit_code == 0

    # A reviewer changes the date and drops the glossary's "Russia".
    edit_english(project, 1, "Moscow and North Korea signed a treaty on 19 July 2024.")
    result = check(project, "--strict")
    assert result.exit_code == 1
    assert "2 errors" in result.output
    found = {f["check"] for f in records(project)[1]["findings"]}
    assert found == {"numbers", "glossary.target"}
    assert records(project)[1]["en"].startswith("Moscow")  # the edit is kept
    assert "Moscow" in (project / "out" / "art.en.md").read_text(encoding="utf-8")
    report = json.loads((project / "out" / "report.json").read_text(encoding="utf-8"))
    assert {f["segment"] for f in report["findings"]} == {"art:2:1"}
    markdown = (project / "out" / "report.md").read_text(encoding="utf-8")
    assert "`art:2:1`" in markdown

    # Without --strict the status stays 0; once fixed, the findings are gone.
    assert check(project).exit_code == 0
    edit_english(project, 1, "Russia and North Korea signed a treaty on June 19, 2024.")
    assert check(project, "--strict").exit_code == 0
    assert records(project)[1]["findings"] == []


def test_check_without_the_corpus_rebuilds_the_documents_from_the_jsonl(project):
    assert run_pipeline(project).exit_code == 0
    before = (project / "out" / "art.jsonl").read_text(encoding="utf-8")
    result = invoke(
        "check",
        "--out",
        str(project / "out"),
        "--corpus",
        str(project / "nowhere"),
        "--glossary",
        str(project / "glossary.yaml"),
    )
    assert result.exit_code == 0, result.output
    assert (project / "out" / "art.jsonl").read_text(encoding="utf-8") == before


def test_check_of_an_empty_folder_is_a_one_line_error(tmp_path):
    result = invoke("check", "--out", str(tmp_path))
    assert result.exit_code == 1
    assert "no .jsonl outputs" in result.output


def test_check_of_a_broken_jsonl_names_the_line(tmp_path):
    (tmp_path / "art.jsonl").write_text('{"id": "art:1:1"\n', encoding="utf-8")
    result = invoke("check", "--out", str(tmp_path))
    assert result.exit_code == 1
    assert "art.jsonl:1:" in result.output


def test_the_check_modules_do_not_load_spacy_on_import():
    code = (
        "import sys, pipeline.cli, pipeline.checks, pipeline.report, pipeline.runner; "
        "print('spacy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


CHECK_IN_A_FRESH_PROCESS = """
import sys
from pipeline.cli import main
try:
    main(["check", "--out", sys.argv[1], "--corpus", sys.argv[2], "--glossary", sys.argv[3]])
except SystemExit:
    pass
print("spacy loaded:", "spacy" in sys.modules)
"""


def test_check_after_a_run_takes_fixes_and_entities_from_the_memory_file(project):
    """A reviewer's re-check does not load spaCy for what the run already prepared (the
    memory file holds the cleaning fixes and the named entities), and finds the same."""
    assert run_pipeline(project).exit_code == 0
    report_file = project / "out" / "report.json"
    after_run = json.loads(report_file.read_text(encoding="utf-8"))

    def check_in_a_fresh_process() -> str:
        paths = [str(project / "out"), str(project / "corpus"), str(project / "glossary.yaml")]
        return subprocess.run(
            [sys.executable, "-c", CHECK_IN_A_FRESH_PROCESS, *paths],
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    assert "spacy loaded: False" in check_in_a_fresh_process()
    after_check = json.loads(report_file.read_text(encoding="utf-8"))
    assert after_check["findings"] == after_run["findings"]
    assert after_check["fixes"] == after_run["fixes"]

    # Without the memory file the same is found, with spaCy doing the work again.
    (project / "out" / "memory.sqlite").rename(project / "memory-aside.sqlite")
    try:
        assert "spacy loaded: True" in check_in_a_fresh_process()
        again = json.loads(report_file.read_text(encoding="utf-8"))
        assert again["findings"] == after_run["findings"]
        assert again["fixes"] == after_run["fixes"]
    finally:
        (project / "memory-aside.sqlite").rename(project / "out" / "memory.sqlite")
