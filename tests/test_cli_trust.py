"""The command line a person trusts (issue 20), end to end: `python -m pipeline ...` in a
subprocess, judged by what a person sees: the progress on a terminal, nothing in a log,
-h / --quiet / --verbose on every command, one exit-status rule."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from argos_fixture import isolated_env
from faults_support import REPO, error_line, pipeline_command, run_cli

from pipeline.translate.apertium import missing_modes

needs_apertium = pytest.mark.skipif(
    bool(missing_modes("es")) or bool(missing_modes("ca")),
    reason="apertium with both pivots is not installed",
)
APERTIUM = shutil.which("apertium")


@pytest.fixture
def project(tmp_path) -> Path:
    """Two short articles and the project's glossary; no argos package (auto = apertium)."""
    root = tmp_path / "project"
    (root / "corpus").mkdir(parents=True)
    lines = (REPO / "corpus" / "001_3976362db0d250f5.txt").read_text(encoding="utf-8")
    paragraphs = [p for p in lines.split("\n") if len(p.split()) > 8]
    (root / "corpus" / "un.txt").write_text("\n\n".join(paragraphs[:5]) + "\n", encoding="utf-8")
    (root / "corpus" / "deux.txt").write_text("\n\n".join(paragraphs[5:9]) + "\n", encoding="utf-8")
    (root / "glossary").mkdir()
    shutil.copy(REPO / "glossary" / "glossary.yaml", root / "glossary" / "glossary.yaml")
    return root


def env_for(root: Path, **extra: str) -> dict[str, str]:
    env = isolated_env(root / "argos")
    env.update(extra)
    return env


def run_on_a_terminal(args: list[str], cwd: Path, env: dict[str, str], columns: int = 120):
    """Run the CLI with stderr on a pseudo-terminal of `columns`; return (status, what the
    terminal received, stdout)."""
    import fcntl
    import struct
    import termios

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    received: list[bytes] = []

    def read() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the slave side closed
                return
            if not chunk:
                return
            received.append(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    proc = subprocess.Popen(
        pipeline_command(*args), cwd=cwd, env=env, stderr=slave, stdout=subprocess.PIPE
    )
    os.close(slave)
    stdout, _ = proc.communicate(timeout=300)
    reader.join(timeout=10)
    os.close(master)
    return proc.returncode, b"".join(received).decode("utf-8", "replace"), stdout.decode()


def redraws(terminal: str) -> list[str]:
    """Every state the live line was drawn in, in order (escape sequences removed)."""
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", terminal)
    return [part.strip() for line in plain.split("\n") for part in line.split("\r") if part.strip()]


def final_lines(terminal: str) -> list[str]:
    """What stays on the screen: the last state of each line."""
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", terminal)
    shown = []
    for line in plain.split("\n"):
        parts = [p for p in line.split("\r") if p.strip()]
        if parts:
            shown.append(parts[-1].strip())
    return shown


# --- progress ----------------------------------------------------------------------------


@needs_apertium
def test_a_run_shows_one_honest_bar_per_stage_on_a_terminal_only_and_obeys_verbosity(project):
    # Enough text that the engine's first pass outlasts the display's delay: Apertium's
    # tools start with the run (parallel.start_engine), so the first pass of two short
    # articles no longer pays for their start and may end before it is drawn.
    names = ("002_5e88a67e5ef2d8be.txt", "003_08530567ec71b96b.txt")
    lines = "\n".join((REPO / "corpus" / name).read_text(encoding="utf-8") for name in names)
    paragraphs = [p for p in lines.split("\n") if len(p.split()) > 8]
    (project / "corpus" / "trois.txt").write_text("\n\n".join(paragraphs) + "\n", "utf-8")
    status, terminal, _ = run_on_a_terminal(["run"], project, env_for(project))
    assert status == 0, terminal
    shown = redraws(terminal)
    # Every count stays within its total (--pivot both once showed 388/194).
    for line in shown:
        for done, total in re.findall(r"(\d+)/(\d+) ", line):
            assert int(done) <= int(total), line
    stays = final_lines(terminal)
    # A stage shorter than the display's delay (0.5 s) is never drawn: the checks of this
    # small article may be, on a quiet machine; preparing (spaCy) and translating are not.
    for stage in ("preparing", "translating", "checking"):
        finished = [line for line in stays if line.startswith(stage) and " in " in line]
        assert finished or stage == "checking", (stage, stays)
        for line in finished:
            assert re.search(r"\[#+\] (\d+)/\1 ", line), finished  # complete: n/n
    # The sub-steps that used to be silent are named while they run; the time left shows.
    assert any("— first pass" in line for line in shown), shown
    assert any("— combining the two pivots" in line for line in shown), shown
    # The time left needs a second of a moving count (tests/test_cli.py checks it exactly);
    # on a quiet machine this small article's stages may end sooner: a time shown suffices.
    assert any(re.search(r"\d+:\d\d (left|so far)", line) for line in shown), shown
    assert stays[-1].startswith("checks: ") and stays[-2].startswith("translated ")

    # The same run with stderr in a file (the memory answers now): the notes only, no
    # bar, no carriage return.
    result = run_cli("run", cwd=project, env=env_for(project))
    assert result.returncode == 0
    assert "\r" not in result.stderr and "[#" not in result.stderr
    assert [line.split()[0] for line in result.stderr.splitlines()] == [
        "engine:",
        "translated",
        "checks:",
    ]

    # --verbose names each stage and its time; --quiet says nothing, before or after.
    env = env_for(project)
    verbose = run_cli("run", "--verbose", cwd=project, env=env)
    assert verbose.returncode == 0, verbose.stderr
    stages = [line.split(":")[0] for line in verbose.stderr.splitlines() if " in " in line]
    for stage in ("preparing", "translating", "checking", "writing"):
        assert stage in stages, verbose.stderr
    assert re.search(r"^translating: \d+/\d+ texts in \d+\.\d s$", verbose.stderr, re.M)

    quiet = run_cli("-q", "run", cwd=project, env=env)
    assert (quiet.returncode, quiet.stderr, quiet.stdout) == (0, "", "")
    quiet = run_cli("run", "--quiet", cwd=project, env=env)
    assert (quiet.returncode, quiet.stderr) == (0, "")


def test_quiet_keeps_a_commands_data_and_its_errors(project):
    env = env_for(project)
    listed = run_cli("glossary", "list", "-q", cwd=project, env=env)
    assert listed.returncode == 0 and listed.stderr == "" and "→" in listed.stdout
    added = run_cli("glossary", "add", "Quux", "Quux", "--quiet", cwd=project, env=env)
    assert (added.returncode, added.stdout, added.stderr) == (0, "", "")
    failed = run_cli("-q", "run", "--corpus", "nowhere", cwd=project, env=env)
    assert "nowhere" in error_line(failed)


COMMANDS = [
    ("run",),
    ("check",),
    ("translate",),
    ("clean",),
    ("models",),
    ("models", "list"),
    ("models", "install"),
    ("review",),
    ("review", "import"),
    ("review", "status"),
    ("glossary",),
    ("glossary", "list"),
    ("glossary", "add"),
    ("glossary", "remove"),
    ("glossary", "validate"),
    ("glossary", "suggest"),
]


def test_h_is_help_in_the_real_cli(project):
    short = run_cli("run", "-h", cwd=project, env=env_for(project))
    assert short.returncode == 0 and "Usage:" in short.stdout and "--quiet" in short.stdout


def test_every_command_takes_h_quiet_and_verbose(tmp_path):
    """-h as well as --help, and --quiet / --verbose in each command's help (in-process:
    click's help is the same code path, and 16 subprocesses would cost seconds)."""
    from click.testing import CliRunner

    from pipeline.cli import main

    runner = CliRunner()
    for command in [(), *COMMANDS]:
        short = runner.invoke(main, [*command, "-h"])
        assert short.exit_code == 0, (command, short.output)
        assert short.output == runner.invoke(main, [*command, "--help"]).output
        assert "-q, --quiet" in short.output and "-v, --verbose" in short.output, command


# --- the exit-status rule ----------------------------------------------------------------


def without_root_powers() -> tuple[str, ...]:
    """A prefix that makes file permissions bind: as root, drop the capabilities that
    bypass them (as a plain user, they bind already)."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("root without setpriv: permissions cannot bind")
    return (setpriv, "--bounding-set", "-dac_override,-dac_read_search")


@pytest.mark.parametrize("what", ["corpus", "glossary"])
def test_an_unreadable_corpus_or_glossary_is_one_line_and_status_1(project, what):
    target = project / ("corpus" if what == "corpus" else "glossary/glossary.yaml")
    target.chmod(0)
    try:
        result = run_cli(
            "run", "--engine", "apertium", cwd=project, env=env_for(project),
            prefix=without_root_powers(),
        )  # fmt: skip
    finally:
        target.chmod(0o755 if what == "corpus" else 0o644)
    line = error_line(result, status=1)
    assert str(target.relative_to(project)) in line and "Permission denied" in line
    assert "Usage:" not in result.stderr


@pytest.mark.parametrize(
    ("args", "status"),
    [
        (("run", "--engine", "bogus"), 2),  # usage: a value not among the choices
        (("bogus",), 2),  # usage: no such command
        (("run", "--no-such-option"), 2),
        (("run", "--corpus", "missing-folder"), 1),  # bad input
        (("translate", "missing.txt"), 1),
        (("clean", "corpus"), 1),  # a folder where a file is wanted
        (("glossary", "list", "--glossary", "missing.yaml"), 1),
        (("models", "install", "missing.argosmodel"), 1),
        (("review", "import", "missing.po"), 1),
        (("check", "--out", "missing-folder"), 1),
    ],
)
def test_one_exit_status_rule_across_paths(project, args, status):
    result = run_cli(*args, cwd=project, env=env_for(project))
    if status == 2:
        assert result.returncode == 2, result.stderr
        assert "Usage:" in result.stderr and "Traceback" not in result.stderr
    else:
        error_line(result, status=1)


# --- apertium failing at start-up ---------------------------------------------------------

FAILING_APERTIUM = """#!/bin/sh
if [ "$1" = "-l" ]; then exec {real} -l; fi
echo "Error: could not read the mode files" >&2
exit 1
"""


@pytest.mark.skipif(APERTIUM is None, reason="apertium is not installed")
def test_apertium_failing_at_start_up_is_one_line_without_a_thread_traceback(project, tmp_path):
    """A small batch sits in the pipe's buffer and broke the pipe only on close, in the
    feeding thread: `Exception in thread ... (feed)` came before the error line."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "apertium"
    fake.write_text(FAILING_APERTIUM.format(real=APERTIUM))
    fake.chmod(0o755)
    env = env_for(project, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    (project / "short.txt").write_text("Bonjour le monde.\n", encoding="utf-8")
    for _ in range(3):  # the race needed the process gone before the close: try a few
        result = subprocess.run(
            [*pipeline_command("translate", "--engine", "apertium", "--pivot", "es"), "short.txt"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert "Exception in thread" not in result.stderr
        line = error_line(result)
        assert "could not read the mode files" in line


def test_the_cli_module_is_the_one_under_test():
    assert Path(sys.modules["pipeline"].__file__).resolve().parent.parent == REPO


# --- glossary edits through a link, keeping mode and owner ----------------------------------


def test_glossary_add_and_remove_through_a_link_keep_the_link_mode_and_owner(project):
    """The shared glossary is a link to another folder's file, 0640, owned by another user
    (as root: os.chown; as a plain user the owner is ours, the rest still holds)."""
    shared = project / "shared"
    shared.mkdir()
    target = shared / "glossary.yaml"
    (project / "glossary" / "glossary.yaml").rename(target)
    link = project / "glossary" / "glossary.yaml"
    link.symlink_to(os.path.relpath(target, link.parent))
    target.chmod(0o640)
    owner = (65534, 65534) if os.geteuid() == 0 else (os.geteuid(), os.getegid())
    os.chown(target, *owner)
    env = env_for(project)
    added = run_cli(
        "glossary", "add", "Zorglub", "Zorglub", "--kind", "person", cwd=project, env=env
    )
    assert added.returncode == 0, added.stderr
    removed = run_cli("glossary", "remove", "Poutine", cwd=project, env=env)
    assert removed.returncode == 0, removed.stderr
    assert link.is_symlink() and link.resolve() == target.resolve()
    text = target.read_text(encoding="utf-8")
    assert "Zorglub" in text and "source: Poutine" not in text
    info = target.stat()
    assert oct(info.st_mode & 0o7777) == oct(0o640)
    assert (info.st_uid, info.st_gid) == owner
    assert not [p.name for p in shared.iterdir() if p.name.endswith(".tmp")]


# --- kill -9 during the final renames ---------------------------------------------------------

# Slows down the run's renames so the test can kill it among them: the kill is real, only
# its moment is arranged (a run's renames take microseconds).
PAUSING_SITECUSTOMIZE = """
import os, pathlib, time
_real_replace = os.replace
_flag = pathlib.Path(os.environ["PAUSE_FLAG"])
_when = os.environ["PAUSE_WHEN"]

def replace(src, dst, *args, **kwargs):
    name = os.path.basename(os.fspath(dst))
    if _when == "before-journal" and name == ".pipeline-commit.json":
        _flag.write_text("paused")
        time.sleep(120)
    _real_replace(src, dst, *args, **kwargs)
    if _when == "after-first-output" and name.endswith(".jsonl"):
        _flag.write_text("paused")
        time.sleep(120)

os.replace = replace
"""


def outputs(folder: Path) -> dict[str, bytes]:
    return {
        p.name: p.read_bytes()
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.startswith(("memory.sqlite", "."))
    }


@needs_apertium
@pytest.mark.parametrize("when", ["after-first-output", "before-journal"])
def test_kill_9_during_the_final_renames_leaves_one_runs_outputs_whole(project, tmp_path, when):
    """Killed after the first article's .jsonl is renamed (its .po still the old run's),
    the folder is mixed for a moment; the next command that reads it (`review status`)
    first finishes the renames from the journal. Killed before the journal, the outputs
    are the old run's and the next command removes the dead run's temporary files."""
    env = env_for(project)
    first = run_cli("run", "--engine", "apertium", "--pivot", "es", cwd=project, env=env)
    assert first.returncode == 0, first.stderr
    out = project / "translations"
    old = outputs(out)
    for article in (project / "corpus").glob("*.txt"):
        article.write_text(article.read_text(encoding="utf-8") + "\nUne phrase de plus.\n")

    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(PAUSING_SITECUSTOMIZE)
    flag = tmp_path / "paused"
    paused_env = dict(env, PAUSE_FLAG=str(flag), PAUSE_WHEN=when)
    paused_env["PYTHONPATH"] = f"{hooks}{os.pathsep}{env['PYTHONPATH']}"
    proc = subprocess.Popen(
        pipeline_command("run", "--engine", "apertium", "--pivot", "es"),
        cwd=project,
        env=paused_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(1200):
            if flag.exists() or proc.poll() is not None:
                break
            threading.Event().wait(0.1)
        assert flag.exists(), "the run never reached its renames"
    finally:
        proc.kill()  # SIGKILL: nothing of the run's own cleanup runs
        proc.wait()

    temporaries = [p for p in out.iterdir() if p.name.endswith(".tmp")]
    assert temporaries  # what the issue found: hidden files left behind
    journal = out / ".pipeline-commit.json"
    if when == "after-first-output":
        assert journal.exists()
        renames = json.loads(journal.read_text(encoding="utf-8"))["renames"]
        staged = {Path(final).name: Path(tmp).read_bytes() for tmp, final in renames[1:]}
        mixed = outputs(out)
        jsonl = next(name for name in mixed if name.endswith(".jsonl"))
        assert mixed[jsonl] != old[jsonl]  # the new run's .jsonl beside the old .po
        assert mixed[jsonl.replace(".jsonl", ".po")] == old[jsonl.replace(".jsonl", ".po")]
    else:
        assert not journal.exists()

    status = run_cli("review", "status", cwd=project, env=env)
    assert status.returncode == 0, status.stderr
    after = outputs(out)
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp") or p == journal]
    if when == "after-first-output":
        # Every output is the new run's: the renames were finished from the journal.
        assert set(after) == set(old) == set(staged) | {jsonl}
        assert all(after[name] == data for name, data in staged.items())
    else:
        assert after == old


# --- report.md: what made the run, counts that add up, outputs of removed articles ----------


@pytest.fixture
def report_project(tmp_path) -> Path:
    """An article with an English title line above the French one, one carrying raw HTML,
    and one that will be removed from the corpus."""
    root = tmp_path / "project"
    (root / "corpus").mkdir(parents=True)
    source = (REPO / "corpus" / "002_5e88a67e5ef2d8be.txt").read_text(encoding="utf-8")
    (root / "corpus" / "titre.txt").write_text(
        "\n".join(source.splitlines()[:6]) + "\n", encoding="utf-8"
    )
    (root / "corpus" / "html.txt").write_text(
        "Le titre <script>alert(1)</script> du jour\n\n"
        "Le président a parlé <img src=x onerror=alert(1)> devant la presse à Paris.\n",
        encoding="utf-8",
    )
    (root / "corpus" / "retire.txt").write_text(
        "Un article qui sera retiré.\n\nIl parle de la Corée du Nord.\n", encoding="utf-8"
    )
    (root / "glossary").mkdir()
    shutil.copy(REPO / "glossary" / "glossary.yaml", root / "glossary" / "glossary.yaml")
    return root


def run_table(markdown: str) -> dict[str, int]:
    lines = markdown.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| segments |"))
    names = [c.strip() for c in lines[header].strip("|").split("|")]
    values = [int(c) for c in lines[header + 2].strip("|").split("|")]
    return dict(zip(names, values, strict=True))


@needs_apertium
def test_the_report_says_what_made_the_run_counts_add_up_and_names_removed_articles(
    report_project,
):
    import hashlib

    project = report_project
    env = env_for(project)
    args = ("run", "--engine", "apertium", "--pivot", "es")
    first = run_cli(*args, cwd=project, env=env)
    assert first.returncode == 0, first.stderr
    out = project / "translations"
    markdown = (out / "report.md").read_text(encoding="utf-8")
    digest = hashlib.sha256((project / "glossary" / "glossary.yaml").read_bytes()).hexdigest()
    assert "- Engine: apertium pivot=es" in markdown
    assert f"- Glossary: `glossary/glossary.yaml` (sha256 `{digest}`)" in markdown
    assert re.search(r"^- Date: 20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$", markdown, re.M)
    table = run_table(markdown)
    assert table["English lines kept"] >= 1  # the English title above the French one
    assert table["segments"] == sum(v for k, v in table.items() if k != "segments")
    summary = next(line for line in first.stderr.splitlines() if line.startswith("translated"))
    numbers = dict(re.findall(r"(engine|memory|review) (\d+)", summary))
    numbers["English"] = re.search(r", (\d+) English lines kept as they were", summary).group(1)
    total = int(re.match(r"translated (\d+) segments", summary).group(1))
    assert total == sum(int(n) for n in numbers.values()) == table["segments"]

    gone = {p.name: p.read_bytes() for p in out.iterdir() if p.name.startswith("retire.")}
    assert {name.removeprefix("retire") for name in gone} == {
        ".jsonl", ".po", ".xlf", ".tmx", ".html", ".en.md"
    }
    (project / "corpus" / "retire.txt").unlink()
    second = run_cli(*args, cwd=project, env=env)
    assert second.returncode == 0, second.stderr
    assert "warning: 1 article(s) no longer in the corpus" in second.stderr
    assert "retire" in second.stderr
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "no longer in the corpus" in markdown and "`retire`" in markdown
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["run"]["stale_documents"] == ["retire"]
    assert sorted(data["run"]["documents"]) == ["html", "titre"]

    status = run_cli("review", "status", cwd=project, env=env)
    assert status.returncode == 0, status.stderr
    assert "retire" not in status.stdout and "titre" in status.stdout
    check = run_cli("check", cwd=project, env=env)
    assert check.returncode == 0, check.stderr
    assert "checked" in check.stderr and "of 2 articles" in check.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name.startswith("retire.")} == gone
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["run"]["stale_documents"] == ["retire"]

    # Rendering the Markdown (CommonMark, raw HTML on) shows the French's HTML as text.
    markdown_it = pytest.importorskip("markdown_it")
    renderer = markdown_it.MarkdownIt("commonmark")
    for name in ("html.en.md", "report.md"):
        text = (out / name).read_text(encoding="utf-8")
        rendered = renderer.render(text)
        assert "<script" not in rendered and "<img" not in rendered, (name, rendered)
    english = renderer.render((out / "html.en.md").read_text(encoding="utf-8"))
    assert "&lt;script&gt;" in english and "onerror" in english  # shown, not run
