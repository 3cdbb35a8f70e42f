"""The command line as a user runs it: engine choice, errors, help, progress bar."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from argos_fixture import REPO, isolated_env, run_cli

from pipeline.cli import DelayedProgressBar


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


def test_progress_bar_shows_counts_on_a_terminal_after_the_delay():
    master, slave = os.openpty()
    with open(slave, "w", encoding="utf-8", closefd=True) as terminal:
        bar = DelayedProgressBar("translating", delay=0.0, stream=terminal)
        for done in (10, 50, 100):
            bar(done, 200)
        bar(200, 200)
        bar.close()
        terminal.flush()
        shown = read_terminal(master)
    os.close(master)
    assert "translating" in shown
    assert "100/200" in shown and "200/200" in shown


def test_progress_bar_stays_silent_off_a_terminal_or_for_quick_work(tmp_path):
    log = tmp_path / "stderr.log"
    with open(log, "w", encoding="utf-8") as not_a_terminal:
        bar = DelayedProgressBar("translating", delay=0.0, stream=not_a_terminal)
        for done in (10, 100, 200):
            bar(done, 200)
        bar.close()
    assert log.read_text() == ""

    master, slave = os.openpty()
    with open(slave, "w", encoding="utf-8", closefd=True) as terminal:
        quick = DelayedProgressBar("translating", delay=60.0, stream=terminal)
        for done in (10, 100, 200):
            quick(done, 200)
        quick.close()
        terminal.flush()
        shown = read_terminal(master)
    os.close(master)
    assert shown == ""


def test_run_without_corpus_is_one_line(env, tmp_path):
    result = run_cli(["run", "--engine", "apertium", "--corpus", str(tmp_path / "nothing")], env)
    assert_one_line_error(result, "nothing")
