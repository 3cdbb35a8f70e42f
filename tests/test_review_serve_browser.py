"""`pipeline review serve` in a real browser: Debian's chromium, driven by Playwright.

One module-wide set-up, as a reviewer has it: a real `pipeline run` (real apertium) over a
small article, three corrections imported from its PO (so the checks find a name rendered
two ways) and a second run; then a real server process on 127.0.0.1 and one browser. The
tests run in file order over that shared state, each on its own segments.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import polib
import pytest
from review_server import CHROMIUM, launch_browser, start_server, stop_server

from pipeline.translate.apertium import missing_modes

playwright_api = pytest.importorskip("playwright.sync_api")

REPO = Path(__file__).resolve().parent.parent
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (Debian package)"),
    pytest.mark.skipif(bool(missing_modes("es")), reason="apertium fr-es/spa-eng is not installed"),
]

XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>']
PARAGRAPHS = [
    "Le traité est entré en vigueur à Kaesong",
    "Guennadi Ziouganov a parlé aux journalistes à Moscou. "
    "Selon Guennadi Ziouganov, le traité est nécessaire.",
    "Le conseiller Guennadi Ziouganov était présent. Guennadi Ziouganov a confirmé la visite.",
    "Le ministre a signé l'accord avec la Russie mercredi soir. "
    "Le ministre a signé l'accord avec la Russie jeudi soir.",
    f"La RPDC {XSS[0]} salue l'accord. Le texte {XSS[1]} reste. Le titre {XSS[2]} est cité.",
    "M. Poutine est arrivé à Pyongyang.",
]
ARTICLE = "\n\n".join(PARAGRAPHS) + "\n"
GLOSSARY_XSS = f"""  - source: Kaesong
    target: Kaesong{XSS[2]}
    kind: place
"""
DOC = "visite"
REVIEWED_BY_PO = ("visite:2:1", "visite:2:2", "visite:3:1")


def pipeline(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result


def run(cwd: Path) -> None:
    pipeline("run", "--engine", "apertium", "--pivot", "es", cwd=cwd)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("review-serve")
    (root / "corpus").mkdir()
    (root / "corpus" / f"{DOC}.txt").write_text(ARTICLE, encoding="utf-8")
    (root / "glossary").mkdir()
    glossary = (REPO / "glossary" / "glossary.yaml").read_text(encoding="utf-8")
    (root / "glossary" / "glossary.yaml").write_text(glossary + GLOSSARY_XSS, encoding="utf-8")
    run(root)
    po_path = root / "translations" / f"{DOC}.po"
    po = polib.pofile(str(po_path))
    for entry in po:
        if entry.msgctxt in REVIEWED_BY_PO:
            entry.msgstr = entry.msgstr.replace("Guennadi Ziouganov", "Gennady Zyuganov")
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    po.save()
    pipeline("review", "import", str(po_path), cwd=root)
    run(root)
    return root


@pytest.fixture(scope="module")
def server(project):
    process, url = start_server("--reviewer", "Ann", cwd=project)
    yield url.rstrip("/")
    status, said = stop_server(process)
    assert status == 0, said  # Ctrl-C stops it cleanly


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as playwright:
        browser = launch_browser(playwright)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.dialogs = []  # any alert() a payload managed to run
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    assert page.errors == []
    context.close()


def open_document(page, server):
    page.goto(f"{server}/doc/{DOC}")
    page.wait_for_selector("body[data-ready=true]")


def row(page, segment_id: str):
    return page.locator(f'tr.segment[data-id="{segment_id}"]')


def records(project: Path) -> dict[str, dict]:
    lines = (project / "translations" / f"{DOC}.jsonl").read_text(encoding="utf-8").splitlines()
    return {r["id"]: r for r in map(json.loads, lines)}


def record_when(project: Path, segment_id: str, timeout: float = 60, **expected) -> dict:
    """The segment's record once the outputs show `expected` (the server writes them a
    moment after the last save)."""
    deadline = time.monotonic() + timeout
    while True:
        record = records(project)[segment_id]
        if all(record.get(key) == value for key, value in expected.items()):
            return record
        if time.monotonic() > deadline:
            raise AssertionError(f"{segment_id} never showed {expected}: {record}")
        time.sleep(0.2)


def po_entry(project: Path, segment_id: str) -> polib.POEntry:
    po = polib.pofile(str(project / "translations" / f"{DOC}.po"))
    return next(e for e in po if e.msgctxt == segment_id)


def current_id(page) -> str:
    return page.locator("tr.segment.current").get_attribute("data-id")


def select(page, segment_id: str) -> None:
    row(page, segment_id).locator("td.id").click()
    assert current_id(page) == segment_id


def test_index_lists_the_document_with_its_counts_and_links(page, server, project):
    page.goto(server + "/")
    document = page.locator('tr.document[data-name="visite"]')
    assert document.locator("td.n").first.inner_text() == "11"
    assert document.locator("td.reviewed").inner_text() == "3"  # the PO corrections
    assert document.locator("td.remaining").inner_text() == "8"
    assert document.locator("progress").get_attribute("value") == "3"
    warnings = sum(
        f["severity"] == "warning" for r in records(project).values() for f in r["findings"]
    )
    assert warnings >= 1  # the name rendered two ways, at least
    assert f"{warnings} warnings" in document.locator("td.findings").inner_text()
    page.click("text=The run's report")
    assert "consistency.entity" in page.locator("pre.report").inner_text()
    page.go_back()
    page.click("a.open")
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator("tr.segment").count() == 11


def test_the_runs_static_index_links_each_page_and_the_report(page, project):
    """translations/index.html, written by `pipeline run`, for a reader without the server."""
    index = project / "translations" / "index.html"
    page.goto(index.as_uri())
    assert page.locator("tbody tr").count() == 1
    assert page.locator("tbody td").first.inner_text() == DOC
    assert page.locator('a[href="report.md"]').count() == 1
    page.click("text=review page")
    assert page.url == (project / "translations" / f"{DOC}.html").as_uri()
    assert page.locator("tr.segment").count() == 11


def test_document_shows_both_columns_origins_terms_and_findings(page, server):
    open_document(page, server)
    putin = row(page, "visite:6:1")
    assert putin.locator("td.fr mark.term").first.inner_text() == "Poutine"
    assert "Poutine → Putin" in putin.locator("td.fr mark.term").first.get_attribute("title")
    assert putin.locator("td.en mark.term").first.inner_text() == "Putin"
    assert putin.locator(".origin").inner_text() == "memory"  # the second run's
    assert row(page, "visite:2:1").locator(".origin").inner_text() == "reviewed"
    finding = row(page, "visite:3:2").locator("li.finding")
    assert "consistency.entity" in finding.inner_text()
    assert "Gennady Zyuganov" in finding.inner_text()
    # the first unreviewed segment is the current one, ready for the keyboard
    assert current_id(page) == "visite:1:1"


def test_the_xss_payloads_stay_text(page, server):
    open_document(page, server)
    for segment_id, payload in zip(("visite:5:1", "visite:5:2", "visite:5:3"), XSS, strict=True):
        assert payload in row(page, segment_id).locator("td.fr").inner_text()
        assert payload in row(page, segment_id).locator("td.en").inner_text()
    kaesong = row(page, "visite:1:1").locator("td.fr mark.term")
    assert XSS[2] in kaesong.get_attribute("title")  # the glossary target, in the hover note
    assert page.locator("script").count() == 2  # the page's data and its own script
    assert page.locator("img, svg, iframe").count() == 0
    assert page.evaluate("document.querySelectorAll('[onerror], [onload]').length") == 0
    page.goto(server + "/report")
    assert page.locator("img, svg").count() == 0
    assert page.dialogs == []


def test_edit_and_save_from_the_keyboard_kept_after_reload_and_in_the_po(page, server, project):
    open_document(page, server)
    assert current_id(page) == "visite:1:1"
    page.keyboard.press("Enter")
    editor = page.locator("textarea.editor")
    editor.fill("The treaty came into force in Kaesong")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector('#status:text("saved visite:1:1")')
    assert current_id(page) == "visite:3:2"  # the next unreviewed segment
    assert row(page, "visite:1:1").locator(".origin").inner_text() == "reviewed"
    # the segment's checks ran again on the new English: the glossary's target is missing
    assert "glossary.target" in row(page, "visite:1:1").locator("li.finding").inner_text()
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    saved = row(page, "visite:1:1")
    assert saved.locator("td.en .text").inner_text() == "The treaty came into force in Kaesong"
    assert saved.locator(".reviewer").inner_text() == "Ann"
    record = record_when(project, "visite:1:1", en="The treaty came into force in Kaesong")
    assert record["origin"] == "review" and record["reviewer"] == "Ann"
    assert po_entry(project, "visite:1:1").msgstr == "The treaty came into force in Kaesong"


def test_up_down_and_approve_with_one_key(page, server, project):
    open_document(page, server)
    select(page, "visite:4:2")
    page.keyboard.press("ArrowDown")
    assert current_id(page) == "visite:5:1"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert current_id(page) == "visite:4:1"
    select(page, "visite:5:1")
    machine = records(project)["visite:5:1"]["en"]
    page.keyboard.press("a")
    page.wait_for_selector('#status:text("approved visite:5:1")')
    assert row(page, "visite:5:1").locator(".origin").inner_text() == "approved"
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert row(page, "visite:5:1").locator(".origin").inner_text() == "approved"
    assert record_when(project, "visite:5:1", origin="approved")["en"] == machine


WEDNESDAY = "The minister signed the agreement with Russia on Wednesday evening."


def test_accept_a_suggestion_with_one_key(page, server, project):
    open_document(page, server)
    select(page, "visite:4:1")
    page.keyboard.press("Enter")
    page.locator("textarea.editor").fill(WEDNESDAY)
    page.keyboard.press("Control+Enter")
    page.wait_for_selector('#status:text("saved visite:4:1")')
    record_when(project, "visite:4:1", en=WEDNESDAY)  # the outputs, with the suggestions
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    suggestion = row(page, "visite:4:2").locator(".suggestion")
    assert "Wednesday evening" in suggestion.locator(".suggested").inner_text()
    assert "mercredi" in suggestion.locator(".earlier-fr").inner_text()  # the earlier French
    assert re.fullmatch(r"\d+% match", suggestion.locator(".score").inner_text())
    select(page, "visite:4:2")
    page.keyboard.press("s")
    page.wait_for_selector('#status:text("saved visite:4:2")')
    assert record_when(project, "visite:4:2", en=WEDNESDAY)["origin"] == "review"


def test_a_save_over_a_newer_version_is_refused_with_both_texts(browser, page, server, project):
    open_document(page, server)  # the first reviewer opens the page...
    other = browser.new_context().new_page()  # ...a second one saves the segment first
    other.goto(f"{server}/doc/{DOC}")
    other.wait_for_selector("body[data-ready=true]")
    other.locator('tr.segment[data-id="visite:6:1"] td.id').click()
    other.keyboard.press("Enter")
    other.locator("textarea.editor").fill("Mr Putin arrived in Pyongyang.")
    other.keyboard.press("Control+Enter")
    other.wait_for_selector('#status:text("saved visite:6:1")')
    other.context.close()

    select(page, "visite:6:1")
    page.keyboard.press("Enter")
    page.locator("textarea.editor").fill("Mr. Putin has arrived in Pyongyang.")
    page.keyboard.press("Control+Enter")
    conflict = row(page, "visite:6:1").locator(".conflict")
    conflict.wait_for()
    assert "Mr Putin arrived in Pyongyang." in conflict.locator(".theirs").inner_text()
    assert "Mr. Putin has arrived in Pyongyang." in conflict.locator(".yours").inner_text()
    record_when(project, "visite:6:1", en="Mr Putin arrived in Pyongyang.")  # theirs, kept
    conflict.locator("button.use-mine").click()  # the reviewer chooses
    page.wait_for_selector('#status:text("saved visite:6:1")')
    record_when(project, "visite:6:1", en="Mr. Putin has arrived in Pyongyang.")


def visible_ids(page) -> list[str]:
    return page.eval_on_selector_all(
        "tr.segment:not([hidden])", "rows => rows.map(r => r.dataset.id)"
    )


def test_filters_and_search(page, server):
    open_document(page, server)
    flagged = page.evaluate(
        "() => JSON.parse(document.getElementById('document-data').textContent)"
        ".segments.filter(s => s.findings.length).map(s => s.id)"
    )
    assert {"visite:1:1", "visite:3:2"} <= set(flagged)  # the edit's glossary finding too
    page.select_option("#filter", "flagged")
    assert visible_ids(page) == flagged
    page.select_option("#filter", "reviewed")
    reviewed = visible_ids(page)
    assert {"visite:1:1", "visite:2:1", "visite:5:1", "visite:4:2"} <= set(reviewed)
    page.select_option("#filter", "unreviewed")
    unreviewed = visible_ids(page)
    assert unreviewed and not set(unreviewed) & set(reviewed)
    assert len(unreviewed) + len(reviewed) == 11
    page.select_option("#filter", "all")
    page.select_option("#check-filter", "consistency.entity")
    assert visible_ids(page) == ["visite:3:2"]
    page.select_option("#check-filter", "")
    page.fill("#search", "russie")  # the French, any case
    assert visible_ids(page) == ["visite:4:1", "visite:4:2"]
    page.fill("#search", "hails")  # the English
    assert visible_ids(page) == ["visite:5:1"]
    assert page.locator("#shown").inner_text() == "1 of 11 shown"


def test_add_a_glossary_term_from_a_french_selection(page, server):
    open_document(page, server)
    select(page, "visite:4:1")
    page.evaluate(
        """() => {
        const cell = document.querySelector('tr[data-id="visite:4:1"] td.fr');
        const text = cell.firstChild;  // "Le ministre a signé l'accord ..."
        const range = document.createRange();
        range.setStart(text, 3);
        range.setEnd(text, 11);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
    }"""
    )
    page.keyboard.press("g")
    dialog = page.locator("#glossary-dialog")
    assert dialog.locator("input[name=source]").input_value() == "ministre"
    assert dialog.locator("input[name=target]").input_value() == ""
    dialog.locator("#glossary-close").click()


def test_add_a_glossary_term_from_a_finding(page, server, project):
    open_document(page, server)
    row(page, "visite:3:2").locator("button.add-term").click()
    dialog = page.locator("#glossary-dialog")
    assert dialog.locator("input[name=source]").input_value() == "Guennadi Ziouganov"
    assert dialog.locator("input[name=target]").input_value() == "Gennady Zyuganov"
    assert dialog.locator("select[name=kind]").input_value() == "person"
    dialog.locator("input[name=forbidden]").fill("Gennady Zyuganov")
    dialog.locator("#glossary-save").click()
    # `pipeline glossary add`'s validation: a forbidden rendering that is the target
    page.wait_for_selector('#glossary-error:text("is the target")')
    assert "Ziouganov" not in (project / "glossary" / "glossary.yaml").read_text("utf-8")
    dialog.locator("input[name=forbidden]").fill("Guenadi Zyuganov")
    dialog.locator("#glossary-save").click()
    page.wait_for_selector('#glossary-result:text("Added Guennadi Ziouganov")')
    assert "4 segment(s) hold it" in dialog.locator("#glossary-result").inner_text()
    text = (project / "glossary" / "glossary.yaml").read_text(encoding="utf-8")
    assert "source: Guennadi Ziouganov" in text and "target: Gennady Zyuganov" in text
    dialog.locator("#glossary-save").click()  # twice: the glossary refuses a duplicate
    page.wait_for_selector('#glossary-error:text("already in the glossary")')


def test_screenshot_of_the_document_view(page, server):
    """The README's picture: the document view of this real run (kept when asked)."""
    open_document(page, server)
    select(page, "visite:3:2")
    page.keyboard.press("Enter")
    shot = page.screenshot(full_page=False)
    assert shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 20_000
    if os.environ.get("REVIEW_SCREENSHOT"):  # benchmarks/figures/review-document.png
        Path(os.environ["REVIEW_SCREENSHOT"]).write_bytes(shot)
    page.keyboard.press("Escape")


def test_review_the_rest_of_the_article_from_the_keyboard_alone(page, server, project):
    open_document(page, server)
    done = {}
    for turn in range(12):
        if page.locator("#summary").inner_text().endswith(" 0 remaining"):
            break
        segment_id = current_id(page)
        if turn % 2:
            page.keyboard.press("a")
            page.wait_for_selector(f'#status:text("approved {segment_id}")')
            done[segment_id] = "approved"
        else:
            page.keyboard.press("Enter")
            page.keyboard.press("End")
            page.keyboard.type(" (checked)")
            page.keyboard.press("Control+Enter")
            page.wait_for_selector(f'#status:text("saved {segment_id}")')
            done[segment_id] = "review"
    assert page.locator("#summary").inner_text().endswith(" 0 remaining")
    assert "no unreviewed segment left" in page.locator("#status").inner_text()
    assert done  # the earlier tests left some
    for segment_id, origin in done.items():
        assert record_when(project, segment_id, origin=origin)["reviewer"] == "Ann"


def test_every_save_is_in_every_output_after_the_next_run(project, server):
    """Done when: stop nothing, run again, and find each correction and approval kept."""
    run(project)
    after = records(project)
    assert after["visite:1:1"]["en"] == "The treaty came into force in Kaesong"
    assert after["visite:6:1"]["en"] == "Mr. Putin has arrived in Pyongyang."
    for segment_id in ("visite:1:1", "visite:4:1", "visite:4:2", "visite:6:1"):
        assert after[segment_id]["origin"] == "review", segment_id
        assert after[segment_id]["reviewer"] == "Ann"  # attributed
    assert after["visite:5:1"]["origin"] == "approved"
    out = project / "translations"
    assert "The treaty came into force in Kaesong" in (out / f"{DOC}.en.md").read_text("utf-8")
    assert "Mr. Putin has arrived in Pyongyang." in (out / f"{DOC}.tmx").read_text("utf-8")
    assert po_entry(project, "visite:4:2").msgstr.endswith("Wednesday evening.")
    status = pipeline("review", "status", cwd=project).stdout
    assert all(r["origin"] in ("review", "approved") for r in after.values())
    # segments, reviewed (approvals included), approved, remaining, waiting (none: the run
    # applied every save)
    assert re.search(r"visite\s+11\s+11\s+\d+\s+0\s+0\s", status), status
