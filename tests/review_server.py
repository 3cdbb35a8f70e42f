"""Start `pipeline review serve` as a user does (a fresh process), and a browser for it.

Shared by the browser tests and benchmarks/review_serve.py. The browser is Debian's
chromium driven by Playwright with `executable_path`: nothing downloads a browser.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
URL_LINE = re.compile(r"at (http://\S+)")


def start_server(
    *args: str, cwd: Path | None = None, timeout: float = 30
) -> tuple[subprocess.Popen, str]:
    """`pipeline review serve ARGS --port 0` in its own process; (process, URL it printed)."""
    command = [sys.executable, "-m", "pipeline", "review", "serve", "--port", "0", *args]
    process = subprocess.Popen(
        command,
        cwd=cwd,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    deadline = time.monotonic() + timeout
    lines = []
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            if process.poll() is not None:
                break
            continue
        lines.append(line)
        match = URL_LINE.search(line)
        if match:
            return process, match.group(1)
    process.kill()
    raise RuntimeError("review serve did not start:\n" + "".join(lines))


def stop_server(process: subprocess.Popen, timeout: float = 15) -> tuple[int, str]:
    """Ctrl-C, as at a terminal; (exit status, what it printed after the URL)."""
    process.send_signal(signal.SIGINT)
    try:
        _, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
        return -9, err
    return process.returncode, err


def launch_browser(playwright):
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    )
