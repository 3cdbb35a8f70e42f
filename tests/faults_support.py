"""Helpers for the fault tests: run the real CLI in a subprocess and judge what a user sees."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Lines a failed run may print besides its one error line.
INFORMATIONAL = ("warning:", "engine:", "translating", "interrupted:")
MEMORY_FILES = ("memory.sqlite", "memory.sqlite-wal", "memory.sqlite-shm")


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a child `python -m pipeline`: this worktree's package first."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    env.update(extra)
    return env


def pipeline_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "pipeline", *map(str, args)]


def run_cli(
    *args: str | Path,
    cwd: Path,
    env: dict[str, str] | None = None,
    prefix: tuple[str, ...] = (),
    timeout: float = 300,
    preexec_fn=None,
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*prefix, *pipeline_command(*map(str, args))],
        cwd=cwd,
        env=env or child_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=preexec_fn,
    )


def error_line(result: subprocess.CompletedProcess, status: int = 1) -> str:
    """The one `error: ...` line of a failed command; fails the test unless the command
    exited with `status`, printed no traceback, and printed nothing else but notes."""
    stderr = result.stderr
    assert result.returncode == status, f"exit {result.returncode}: {stderr}"
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1, stderr
    others = [line for line in lines if not line.startswith(("error: ", *INFORMATIONAL))]
    assert not others, stderr
    return errors[0]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (the memory aside: a failed run may add to it), by path."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in MEMORY_FILES
    }


def leftovers(folder: Path) -> list[str]:
    """Temporary files a run left behind."""
    return [p.name for p in folder.rglob("*.tmp")]


def memory_counts(path: Path) -> tuple[str, int, int]:
    """(integrity check, engine translations, reviews) of a memory file, read separately."""
    db = sqlite3.connect(path, timeout=30)
    try:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
        translations = (
            db.execute("SELECT count(*) FROM translations").fetchone()[0]
            if "translations" in tables
            else 0
        )
        reviews = (
            db.execute("SELECT count(*) FROM reviews").fetchone()[0] if "reviews" in tables else 0
        )
    finally:
        db.close()
    return integrity, translations, reviews


def copy_project(template: Path, target: Path) -> Path:
    shutil.copytree(template, target, symlinks=True)
    return target


def add_sentence(corpus: Path, sentence: str = "Une phrase ajoutée depuis la veille.") -> None:
    """Change every article a little, so a run that completed would write new outputs."""
    for path in sorted(corpus.glob("*.txt")):
        path.write_text(path.read_text(encoding="utf-8") + f"\n{sentence}\n", encoding="utf-8")


_RUN_DATE = re.compile(rb'^- Date: \S+$|"date": "[^"]*"', re.M)


def output_bytes(folder: Path) -> dict[str, bytes]:
    """Every output file of a run folder (the memory aside) as bytes, the report's date of
    the run blanked: two runs of the same corpus may differ in that line alone."""
    return {
        p.name: _RUN_DATE.sub(b"DATE", p.read_bytes())
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.startswith("memory")
    }
