"""What a person sees of `pipeline run` on a terminal: the project's corpus translated with a
fresh memory under a pseudo-terminal (120 columns), and figures of the progress line.

    python benchmarks/progress_on_a_terminal.py [REPO]

REPO (default: this repository) is the code to run, e.g. an older checkout
(`git archive COMMIT | tar -x -C /tmp/old`) to compare. Prints the number of states of the
line drawn, how many showed a time left or a sub-step, counts over their total, the longest
time with nothing drawn, and the lines left on the screen. Times are noisy on a shared machine.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path


def main() -> None:
    repo = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent)
    work = Path(tempfile.mkdtemp(prefix="progress-"))
    shutil.copytree(repo / "corpus", work / "corpus")
    shutil.copytree(repo / "glossary", work / "glossary")
    env = dict(os.environ, PYTHONPATH=str(repo))
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
    chunks: list[tuple[float, bytes]] = []

    def read() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            chunks.append((time.monotonic(), chunk))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run"],
        cwd=work,
        env=env,
        stderr=slave,
        stdout=subprocess.DEVNULL,
    )
    os.close(slave)
    proc.wait()
    ended = time.monotonic()
    reader.join(5)
    shutil.rmtree(work, ignore_errors=True)
    text = b"".join(c for _, c in chunks).decode("utf-8", "replace")
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)
    drawn = [p.strip() for line in plain.split("\n") for p in line.split("\r") if p.strip()]
    over = [d for d in drawn for a, b in re.findall(r"(\d+)/(\d+) ", d) if int(a) > int(b)]
    times = [t for t, _ in chunks]
    silence = max(b - a for a, b in zip([started, *times], [*times, ended], strict=True))
    print(
        f"exit {proc.returncode} in {ended - started:.1f} s; {len(drawn)} states drawn; "
        f"with a time left: {sum('left' in d for d in drawn)}; "
        f"with a sub-step: {sum('—' in d for d in drawn)}; "
        f"counts over their total: {len(over)}; longest time with nothing drawn: {silence:.1f} s"
    )
    for line in plain.split("\n"):
        parts = [p for p in line.split("\r") if p.strip()]
        if parts:
            print("  " + parts[-1].strip()[:150])


if __name__ == "__main__":
    main()
