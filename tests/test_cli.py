"""The command line as a user runs it: engine choice, errors, help, progress bar."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

import pytest
from argos_fixture import REPO, isolated_env, run_cli

from pipeline import progress


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    return isolated_env(tmp_path)


@pytest.fixture
def env_without_apertium(tmp_path) -> dict[str, str]:
    """No apertium on PATH (PATH holds only an empty folder) and no argos package."""
    empty = tmp_path / "bin"
    empty.mkdir()
    return isolated_env(tmp_path, path=str(empty))


def assert_one_line_error(result, *phrases: str) -> str:
    """Exit status 1; stderr ends with one `error:` line naming the problem; no traceback.

    (An `engine: ...` line may come first: it says which engine was chosen.)
    """
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr, result.stderr
    assert [line for line in lines if not line.startswith("engine: ")] == lines[-1:], lines
    message = lines[-1]
    assert message.startswith("error: ")
    for phrase in phrases:
        assert phrase in message, message
    return message


@pytest.mark.parametrize(
    "args", [["translate", "-"], ["run", "--engine", "auto"], ["translate", "--engine", "apertium"]]
)
def test_no_engine_available_says_how_to_get_one(env_without_apertium, args, tmp_path):
    if args[0] == "run":
        args = [*args, "--out", str(tmp_path / "out")]
    result = run_cli(args, env_without_apertium, stdin="Bonjour.\n")
    assert_one_line_error(result, "apertium", "apt-get install apertium apertium-fr-es")
    if args[-1] != "apertium":
        assert "pipeline models install" in result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_engine_argos_without_a_package_names_the_fix(env):
    result = run_cli(["translate", "--engine", "argos", "-"], env, stdin="Bonjour.\n")
    assert_one_line_error(result, "no Argos fr→en package", "pipeline models install")


def test_auto_takes_apertium_without_an_argos_package_and_says_so(env):
    result = run_cli(["translate", "-"], env, stdin="La Russie signe un traité.\n")
    assert result.returncode == 0, result.stderr
    assert "engine: apertium" in result.stderr
    assert "auto: no argos fr→en package installed" in result.stderr
    assert "Russia" in result.stdout and "treaty" in result.stdout


def test_run_auto_takes_argos_when_installed_and_says_so(argosmodel, env, tmp_path):
    assert run_cli(["models", "install", str(argosmodel)], env).returncode == 0
    out = tmp_path / "out"

    result = run_cli(["run", "--engine", "auto", "--out", str(out)], env)

    assert result.returncode == 0, result.stderr
    assert "engine: argos fr-en 1.0 (auto: argos fr→en package installed)" in result.stderr
    records = [
        json.loads(line)
        for path in sorted(out.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    translated = [r for r in records if r["origin"] == "engine"]
    assert translated and all(r["engine"] == "argos fr-en 1.0" and r["en"] for r in translated)
    # not a terminal: no progress bar in the log
    assert "translating" not in result.stderr


def test_translate_keeps_the_layout_of_the_text(env):
    french = "La Russie signe un traité.\n\n   La Corée du Nord aussi.\n"
    result = run_cli(["translate", "--engine", "apertium", "-"], env, stdin=french)
    assert result.returncode == 0, result.stderr
    first, blank, second, end = result.stdout.split("\n")
    assert "Russia" in first and blank == "" and second.startswith("   ") and end == ""
    assert "North Korea" in second


HELP_PROBE = textwrap.dedent(
    """
    import sys
    from pipeline import cli

    for args in (["--help"], ["run", "--help"], ["models", "--help"], ["translate", "--help"]):
        try:
            cli.main(args, standalone_mode=True)
        except SystemExit as done:
            assert done.code == 0, args
    heavy = ["spacy", "ctranslate2", "argostranslate", "torch", "polib", "sentencepiece",
             "stanza"]
    print("HEAVY", [m for m in heavy if m in sys.modules])
    """
)


def test_help_imports_no_heavy_library(env):
    result = subprocess.run(
        [sys.executable, "-c", HELP_PROBE],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "HEAVY []"


def test_python_m_pipeline_version(env):
    result = run_cli(["--version"], env)
    assert result.returncode == 0
    from pipeline import __version__

    assert result.stdout.strip() == f"pipeline, version {__version__}"


# The progress bar, on a real terminal (a pseudo-terminal) and on a plain file.


def read_terminal(master: int) -> str:
    chunks = []
    os.set_blocking(master, False)
    while True:
        try:
            chunk = os.read(master, 65536)
        except (BlockingIOError, OSError):
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", "replace")


def test_a_stage_counts_in_its_own_units_and_shows_the_time_left_on_a_terminal(monkeypatch):
    """An engine counting each text once per pivot (388 of 388 for 194 texts) moves the
    bar to 194/194, never past it; the time left shows as soon as the rate is known."""
    monkeypatch.setattr(progress, "ETA_AFTER", 0.0)
    master, slave = os.openpty()
    with open(slave, "w", encoding="utf-8", closefd=True) as terminal:
        display = progress.Display(stream=terminal, delay=0.0, interval=0.01)
        with display.stage("translating", 194, "texts") as translating:
            for done in (100, 200, 388):
                translating(done, 388)
                time.sleep(0.05)
            with display.stage("enforcing the glossary"):
                time.sleep(0.05)
        terminal.flush()
        shown = read_terminal(master)
    os.close(master)
    assert "50/194 texts" in shown and "194/194 texts" in shown
    assert "388" not in shown and "left" in shown
    assert "— enforcing the glossary" in shown
    last = shown.rstrip().splitlines()[-1].split("\r")[-1]
    assert "translating [" in last and "194/194 texts  in " in last  # stays, with its time


def test_progress_stays_off_a_redirected_stderr_unless_verbose(tmp_path):
    log = tmp_path / "stderr.log"
    with open(log, "w", encoding="utf-8") as not_a_terminal:
        display = progress.Display(stream=not_a_terminal, delay=0.0, interval=0.01)
        with display.stage("translating", 200, "texts") as translating:
            translating(200)
            time.sleep(0.05)
    assert log.read_text() == ""
    with open(log, "w", encoding="utf-8") as not_a_terminal:
        display = progress.Display(stream=not_a_terminal, level=progress.VERBOSE)
        with display.stage("translating", 200, "texts") as translating:
            translating(200)
    assert log.read_text().startswith("translating: 200/200 texts in ")
    assert "\r" not in log.read_text()


def test_a_quick_stage_shows_no_bar_on_a_terminal():
    master, slave = os.openpty()
    with open(slave, "w", encoding="utf-8", closefd=True) as terminal:
        display = progress.Display(stream=terminal, delay=60.0, interval=0.01)
        with display.stage("translating", 200, "texts") as translating:
            translating(200)
        terminal.flush()
        shown = read_terminal(master)
    os.close(master)
    assert shown == ""


def test_run_without_corpus_is_one_line(env, tmp_path):
    result = run_cli(["run", "--engine", "apertium", "--corpus", str(tmp_path / "nothing")], env)
    assert_one_line_error(result, "nothing")
