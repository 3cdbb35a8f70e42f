"""The README's screenshot of the review workspace, from a real run, by the test tooling.

    python benchmarks/review_screenshot.py [--out benchmarks/figures/review-document.png]

Translates one article of corpus/ with `pipeline run` (apertium, --pivot es), starts
`pipeline review serve`, and in Debian's chromium (Playwright) reviews the first
segments from the keyboard as a reviewer would (an edit saved with Ctrl+Enter, an
approval with A), opens the editor on the next one and takes the picture.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import GLOSSARY, REPO, pipeline_env  # noqa: E402
from review_server import launch_browser, start_server, stop_server  # noqa: E402

ARTICLE = "004_697ffb342edea42a"
EDIT = (
    "A historic defence treaty between North Korea and Russia, signed in June by leaders "
    "Kim Jong Un and Vladimir Putin, has officially come into force, marking a major shift "
    "in global alliances as the two nations deepen their military cooperation."
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks/figures/review-document.png")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    root = Path(tempfile.mkdtemp(prefix="review-screenshot-"))
    try:
        (root / "corpus").mkdir()
        shutil.copy(REPO / "corpus" / f"{ARTICLE}.txt", root / "corpus")
        (root / "glossary").mkdir()
        shutil.copy(GLOSSARY, root / "glossary" / "glossary.yaml")
        subprocess.run(
            [sys.executable, "-m", "pipeline", "run", "--engine", "apertium", "--pivot", "es"],
            cwd=root,
            env=pipeline_env(),
            check=True,
            capture_output=True,
        )
        process, url = start_server("--reviewer", "Ann", cwd=root)
        try:
            with sync_playwright() as playwright:
                browser = launch_browser(playwright)
                page = browser.new_page(viewport={"width": 1440, "height": 900})
                page.goto(f"{url.rstrip('/')}/doc/{ARTICLE}")
                page.wait_for_selector("body[data-ready=true]")
                page.keyboard.press("Enter")
                page.locator("textarea.editor").fill(EDIT)
                page.keyboard.press("Control+Enter")
                page.wait_for_selector("#status:text('saved')")
                page.keyboard.press("a")  # the next one approved as it stands
                page.wait_for_selector("#status:text('approved')")
                page.keyboard.press("Enter")  # and the editor open on the one after
                args.out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.out))
                browser.close()
        finally:
            stop_server(process)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
