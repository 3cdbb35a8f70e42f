"""The review page in a real browser: headless Chromium loads it from disk."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sample_article import make_sample

from pipeline import export

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (Debian package chromium; CI installs it)"
)


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """Run headless Chromium once, with a fresh profile and nothing that reaches out."""
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",  # we run as root in CI
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


class PageReader(HTMLParser):
    """Counts the segment rows and collects the marked terms of the DOM Chromium built."""

    def __init__(self):
        super().__init__()
        self.rows = 0
        self.cell = ""
        self.in_mark = False
        self.marked: list[tuple[str, str]] = []  # (column, text)
        self.bold = 0

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "tr" and "segment" in classes:
            self.rows += 1
        elif tag == "td":
            self.cell = classes[0] if classes else ""
        elif tag == "mark" and "term" in classes:
            self.in_mark = True
            self.marked.append((self.cell, ""))
        elif tag == "b":
            self.bold += 1

    def handle_endtag(self, tag):
        if tag == "mark":
            self.in_mark = False

    def handle_data(self, data):
        if self.in_mark:
            column, text = self.marked[-1]
            self.marked[-1] = (column, text + data)


def test_review_page_loads_in_chromium(tmp_path):
    doc, segments = make_sample(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    export.write_document(out, doc, segments)
    page = (out / "sample.html").resolve()

    dom = chromium(tmp_path, "--dump-dom", page.as_uri()).stdout
    reader = PageReader()
    reader.feed(dom)
    assert reader.rows == len(segments)
    assert ("fr", "Poutine") in reader.marked  # the glossary term, French column
    assert ("en", "Putin") in reader.marked  # and its target, English column
    assert reader.bold == 0  # "<b>" in the text stayed text
    assert "&lt;b&gt;salue&lt;/b&gt;" in dom

    screenshot = tmp_path / "review-page.png"
    chromium(tmp_path, "--window-size=1280,900", f"--screenshot={screenshot}", page.as_uri())
    assert screenshot.stat().st_size > 10_000
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
