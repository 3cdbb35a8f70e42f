"""Benchmark of `pipeline review serve` on a 2,000-segment document, in a real browser.

    python benchmarks/review_serve.py [--segments 2000] [--saves 40] [--keep DIR]

Writes one article of FLORES sentences (flores200-devtest, then flores101-dev, a line a
paragraph) of at least `--segments` segments, translates it with `pipeline run`
(apertium, --pivot es), starts `pipeline review serve` as a user does (a fresh process)
and drives Debian's chromium with Playwright. Prints:

- time to first render of the document view: from navigation start to the last row
  built by the page's script (`window.reviewRenderedAt`), and to the load event; as a
  baseline, the run's static `<doc>.html` page opened from disk in the same browser;
- save round trip p50/p95: `fetch` of POST /api/save from the page until its answer
  (the review stored, the segment's checks run again, the document's outputs rewritten)
  over `--saves` segments; as a baseline, a GET of the page's script from the same
  server (the HTTP round trip alone).

The machine is shared: figures are noisy; the ratios are measured in the same run.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import EVAL, GLOSSARY, flores_lines, machine, pipeline_env  # noqa: E402
from review_server import launch_browser, start_server, stop_server  # noqa: E402

DOC = "bench"


def make_project(root: Path, segments: int) -> int:
    """The corpus and glossary of the benchmark, translated; returns the segment count."""
    lines = flores_lines(EVAL / "flores200-devtest.fr") + flores_lines(EVAL / "flores101-dev.fr")
    (root / "corpus").mkdir(parents=True, exist_ok=True)
    (root / "glossary").mkdir(exist_ok=True)
    shutil.copy(GLOSSARY, root / "glossary" / "glossary.yaml")
    # about 1.1 segments a line: enough lines for the count, checked after the run
    take = min(len(lines), int(segments / 1.05))
    while True:
        (root / "corpus" / f"{DOC}.txt").write_text("\n\n".join(lines[:take]) + "\n", "utf-8")
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "pipeline", "run", "--engine", "apertium", "--pivot", "es"],
            cwd=root,
            env=pipeline_env(),
            check=True,
            capture_output=True,
        )
        jsonl = root / "translations" / f"{DOC}.jsonl"
        count = sum(1 for line in jsonl.read_text("utf-8").splitlines() if line.strip())
        print(f"pipeline run: {count} segments in {time.perf_counter() - start:.1f} s")
        if count >= segments or take >= len(lines):
            return count
        take = min(len(lines), take + (segments - count) + 20)


FIRST_RENDER = """() => ({first: window.reviewFirstPaintAt, all: window.reviewRenderedAt,
  response: performance.getEntriesByType('navigation')[0].responseEnd})"""
STATIC_RENDER = "() => ({load: performance.getEntriesByType('navigation')[0].loadEventEnd})"

SAVES = """async ([count, stride]) => {
  const data = JSON.parse(document.getElementById('document-data').textContent);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const french = data.segments.filter(s => s.lang === 'fr' && s.origin !== 'review');
  const times = [];
  for (let i = 0; i < count; i++) {
    const s = french[(i * stride) % french.length];
    const body = JSON.stringify({doc: data.name, id: s.id, en: s.en + ' (checked)',
                                 kind: 'edit', base_version: s.version});
    const start = performance.now();
    const response = await fetch('/api/save', {method: 'POST', body,
      headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf}});
    await response.json();
    times.push(performance.now() - start);
    if (response.status !== 200) throw new Error('save refused: ' + response.status);
  }
  return times;
}"""

GETS = """async (count) => {
  const times = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const response = await fetch('/static/review.js', {cache: 'no-store'});
    await response.text();
    times.push(performance.now() - start);
  }
  return times;
}"""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--segments", type=int, default=2000)
    parser.add_argument("--saves", type=int, default=40)
    parser.add_argument("--renders", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="build the project here and keep it")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"machine: {machine()}")
    root = args.keep or Path(tempfile.mkdtemp(prefix="review-serve-bench-"))
    try:
        count = make_project(root, args.segments)
        process, url = start_server("--reviewer", "bench", cwd=root)
        try:
            with sync_playwright() as playwright:
                browser = launch_browser(playwright)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                firsts, renders, responses, static = [], [], [], []
                for _ in range(args.renders):
                    page.goto(f"{url.rstrip('/')}/doc/{DOC}")
                    page.wait_for_selector("body[data-ready=true]", timeout=60_000)
                    timing = page.evaluate(FIRST_RENDER)
                    firsts.append(timing["first"])
                    renders.append(timing["all"])
                    responses.append(timing["response"])
                    page.goto((root / "translations" / f"{DOC}.html").as_uri())
                    static.append(page.evaluate(STATIC_RENDER)["load"])
                page.goto(f"{url.rstrip('/')}/doc/{DOC}")
                page.wait_for_selector("body[data-ready=true]", timeout=60_000)
                rows = page.locator("tr.segment").count()
                gets = page.evaluate(GETS, args.saves)
                saves = page.evaluate(SAVES, [args.saves, 47])
                browser.close()
        finally:
            status, _ = stop_server(process)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    first, every = statistics.median(firsts), statistics.median(renders)
    response, base = statistics.median(responses), statistics.median(static)
    print(f"document: {count} segments, {rows} rows in the page")
    print(
        f"time to first render (median of {args.renders}, from navigation start): "
        f"{first:.0f} ms to the first screen of rows painted (target < 1000 ms), "
        f"{every:.0f} ms to every row built; the server's answer complete at "
        f"{response:.0f} ms; baseline: the static {DOC}.html from disk, {base:.0f} ms to "
        f"its load event (first render / static {first / base:.2f})"
    )
    p50, p95 = percentile(saves, 50), percentile(saves, 95)
    g50 = percentile(gets, 50)
    print(
        f"save round trip over {len(saves)} saves: p50 {p50:.0f} ms, p95 {p95:.0f} ms, "
        f"max {max(saves):.0f} ms (target < 100 ms); HTTP round trip alone (GET of the "
        f"script): p50 {g50:.1f} ms (save/GET {p50 / g50:.0f}x)"
    )
    print(f"server stopped with Ctrl-C: exit status {status}")


if __name__ == "__main__":
    main()
