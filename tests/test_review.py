"""The review round trip: PO and TMX files into the memory, and back into every output.

Runs the real CLI (click's runner, in process) with the real apertium engine over a copy
of the project's corpus. The reviewer edits the .po and .tmx files the run wrote; files
a run did not write (old or foreign ones) are made with polib and xml.etree.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import polib
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.memory import TranslationMemory
from pipeline.translate.apertium import missing_modes

REPO = Path(__file__).resolve().parent.parent
DOC = "000_e2dc28380de3b692"

pytestmark = pytest.mark.skipif(
    bool(missing_modes("es")), reason="apertium fr-es/spa-eng is not installed"
)


@pytest.fixture
def project(tmp_path, monkeypatch):
    shutil.copytree(REPO / "corpus", tmp_path / "corpus")
    (tmp_path / "glossary").mkdir()
    shutil.copy(REPO / "glossary" / "glossary.yaml", tmp_path / "glossary" / "glossary.yaml")
    monkeypatch.chdir(tmp_path)  # the CLI's defaults: corpus/, glossary/, translations/
    return tmp_path


def cli(*args: str, ok: bool = True):
    result = CliRunner().invoke(main, list(args))
    if ok:
        assert result.exit_code == 0, result.output
    return result


def pipeline_run():
    # one route (--pivot es): reviews are under test, not the engine, and it is 5x quicker
    return cli("run", "--engine", "apertium", "--pivot", "es")


def records(doc: str = DOC) -> list[dict]:
    lines = Path("translations", f"{doc}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def record(segment_id: str) -> dict:
    return next(r for r in records(segment_id.split(":")[0]) if r["id"] == segment_id)


def po_of_run(doc: str = DOC) -> tuple[Path, polib.POFile]:
    path = Path("translations", f"{doc}.po")
    return path, polib.pofile(str(path))


def row_of(html_page: str, segment_id: str) -> str:
    """The <tr> of one segment in the review page."""
    start = html_page.index(f'data-id="{segment_id}"')
    return html_page[html_page.rindex("<tr", 0, start) : html_page.index("</tr>", start)]


def write_tmx(path: Path, units: list[tuple[str, str, str]], fr="fr-FR", en="en-GB") -> Path:
    tmx = ET.Element("tmx", version="1.4")
    ET.SubElement(tmx, "header", srclang=fr, datatype="plaintext", segtype="sentence")
    body = ET.SubElement(tmx, "body")
    for tuid, french, english in units:
        tu = ET.SubElement(body, "tu", tuid=tuid)
        for language, text in ((fr, french), (en, english)):
            tuv = ET.SubElement(tu, "tuv", {"xml:lang": language})
            ET.SubElement(tuv, "seg").text = text
    ET.indent(tmx)  # one element a line, as CAT tools write it: error lines mean something
    ET.ElementTree(tmx).write(path, encoding="utf-8", xml_declaration=True)
    return path


def assert_reviewed_everywhere(segment_id: str, english: str) -> None:
    """The review is in the JSONL, PO (not fuzzy), TMX, HTML (marked) and English article."""
    doc = segment_id.split(":")[0]
    assert (record(segment_id)["en"], record(segment_id)["origin"]) == (english, "review")
    entry = next(e for e in polib.pofile(f"translations/{doc}.po") if e.msgctxt == segment_id)
    assert entry.msgstr == english and "fuzzy" not in entry.flags
    tmx = ET.parse(f"translations/{doc}.tmx").getroot()
    unit = next(tu for tu in tmx.iter("tu") if tu.get("tuid") == segment_id)
    assert [tuv.findtext("seg") for tuv in unit.iter("tuv")][1] == english
    row = row_of(Path("translations", f"{doc}.html").read_text(encoding="utf-8"), segment_id)
    assert 'class="origin reviewed"' in row and 'data-origin="review"' in row
    english_cell = row[row.index('<td class="en"') : row.index('<td class="notes"')]
    # the cell may go on with a note (a glossary target the reviewer left out)
    assert html.unescape(re.sub(r"<[^>]+>", "", english_cell)).startswith(english)
    assert english in Path("translations", f"{doc}.en.md").read_text(encoding="utf-8")


def test_a_po_review_survives_a_rerun_and_a_glossary_edit(project):
    pipeline_run()
    path, po = po_of_run()
    entries = [e for e in po if "Poutine" in e.msgid]
    reviewed, still_fuzzy = entries[0], entries[1]
    reviewed.msgstr = "Putin himself hailed it, says the reviewer."
    if "fuzzy" in reviewed.flags:
        reviewed.flags.remove("fuzzy")  # what Poedit does when a reviewer validates
    still_fuzzy.msgstr = "An edit the reviewer has not validated."
    still_fuzzy.flags.append("fuzzy")
    po.save(str(path))

    imported = cli("review", "import", str(path))
    assert "1 new reviews stored" in imported.stdout
    assert "1 edited but fuzzy, skipped" in imported.stdout

    status = cli("review", "status")
    assert f"{DOC}" in status.stdout and "waiting" in status.stdout

    second = pipeline_run()
    assert "review 1;" in second.stderr and "0 texts sent to the engine" in second.stderr
    assert "edited since" not in second.stderr  # imported already: not taken in twice
    assert record(reviewed.msgctxt)["origin"] == "review"
    assert record(reviewed.msgctxt)["en"] == "Putin himself hailed it, says the reviewer."
    assert record(still_fuzzy.msgctxt)["origin"] == "memory"
    assert_reviewed_everywhere(reviewed.msgctxt, "Putin himself hailed it, says the reviewer.")
    html_page = Path("translations", f"{DOC}.html").read_text(encoding="utf-8")
    assert 'data-origin="memory"' in row_of(html_page, still_fuzzy.msgctxt)

    glossary_file = Path("glossary", "glossary.yaml")
    glossary_file.write_text(
        glossary_file.read_text(encoding="utf-8").replace("target: Putin", "target: V. Putin"),
        encoding="utf-8",
    )
    third = pipeline_run()
    assert "0 texts sent" not in third.stderr  # the glossary edit re-sent the Poutine segments
    assert_reviewed_everywhere(reviewed.msgctxt, "Putin himself hailed it, says the reviewer.")

    again = cli("review", "import", str(path))
    assert "0 new reviews stored, 1 already in the memory" in again.stdout


def test_a_tmx_review_is_used_by_the_next_run(project):
    pipeline_run()
    first, second = [r for r in records() if r.get("lang", "fr") == "fr"][2:4]
    # a CAT tool edits the run's own TMX: one unit changed, the others untouched
    tmx_path = Path("translations", f"{DOC}.tmx")
    tmx = ET.parse(tmx_path)
    unit = next(tu for tu in tmx.getroot().iter("tu") if tu.get("tuid") == first["id"])
    list(unit.iter("seg"))[1].text = "A TMX reviewer's sentence."
    tmx.write(project / "review.tmx", encoding="utf-8", xml_declaration=True)
    imported = cli("review", "import", "review.tmx")
    assert "1 new reviews stored" in imported.stdout
    untouched = len([r for r in records() if r.get("lang", "fr") == "fr"]) - 1
    assert f"{untouched} same as the machine" in imported.stdout
    pipeline_run()
    assert_reviewed_everywhere(first["id"], "A TMX reviewer's sentence.")
    assert record(second["id"])["origin"] == "memory"


def test_entries_that_no_longer_match_are_reported_and_kept(project):
    pipeline_run()
    fr_records = [r for r in records() if r.get("lang", "fr") == "fr"]
    a, b = fr_records[3], fr_records[4]
    po = polib.POFile(wrapwidth=0)
    po.metadata = {"Language": "en"}
    po.append(polib.POEntry(msgctxt=a["id"], msgid="Une phrase qui a disparu.", msgstr="Gone."))
    po.append(polib.POEntry(msgctxt="999_nope:1:1", msgid="Une autre disparue.", msgstr="Gone 2."))
    po.append(polib.POEntry(msgctxt="999_nope:2:1", msgid=b["fr"], msgstr="Moved, reviewed."))
    po.save(str(project / "old.po"))

    imported = cli("review", "import", "old.po")
    assert "3 new reviews stored" in imported.stdout
    assert "3 not matching the current corpus" in imported.stdout
    warnings = [line for line in imported.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 3
    assert "old.po:" in warnings[0] and a["id"] in warnings[0] and "French changed" in warnings[0]
    assert "999_nope:1:1" in warnings[1] and "no longer in the corpus" in warnings[1]
    assert "999_nope:2:1" in warnings[2] and b["id"] in warnings[2]

    with TranslationMemory(Path("translations", "memory.sqlite")) as memory:
        assert memory.lookup_review("Une phrase qui a disparu.").en == "Gone."
        assert memory.lookup_review("Une autre disparue.").en == "Gone 2."
    status = cli("review", "status")
    assert "2 reviewed texts match no current segment" in status.stdout
    pipeline_run()  # the moved French is found by its text
    assert record(b["id"])["origin"] == "review"
    assert record(b["id"])["en"] == "Moved, reviewed."
    assert record(a["id"])["origin"] == "memory"


def test_review_status_counts_engine_reviewed_and_flagged(project):
    pipeline_run()
    first, second = [r for r in records() if r.get("lang", "fr") == "fr"][:2]
    write_tmx(project / "r.tmx", [(first["id"], first["fr"], "Reviewed.")])
    cli("review", "import", "r.tmx")
    pipeline_run()
    # the checks stage writes findings into the JSONL; add one the way it does
    path = Path("translations", f"{DOC}.jsonl")
    lines = path.read_text(encoding="utf-8").splitlines()
    flagged = [json.loads(line) for line in lines]
    for r in flagged:
        if r["id"] == second["id"]:
            r["findings"] = [{"check": "numbers", "severity": "warning", "segment": r["id"]}]
    path.write_text("".join(json.dumps(r) + "\n" for r in flagged), encoding="utf-8")

    table = cli("review", "status").stdout.splitlines()
    header = table[0].split()
    row = dict(
        zip(header, next(line for line in table if line.startswith(DOC)).split(), strict=True)
    )
    assert header == [
        "document",
        "segments",
        "reviewed",
        "approved",
        "remaining",
        "waiting",
        "flagged",
    ]
    assert int(row["segments"]) == len(records())
    # flagged: the segments with a finding, the real checks' and the one added above
    assert record(second["id"])["findings"]
    flagged_now = sum(bool(r.get("findings")) for r in records())
    assert int(row["reviewed"]) == 1 and int(row["flagged"]) == flagged_now
    assert int(row["waiting"]) == 0
    assert int(row["approved"]) == 0
    machine = [r for r in records() if r["origin"] in ("engine", "memory") and r["lang"] == "fr"]
    assert int(row["remaining"]) == len(machine)
    assert "1 reviewed texts (1 reviews)" in table[-1]


@pytest.mark.parametrize(
    "content, message",
    [
        (
            'msgid ""\nmsgstr ""\n"Language: en\\n"\n\nmsgctxt "a:1:1"\nmsgid "Bonjour"\n'
            'msgstr "Hello\n',
            'bad.po:7: not a PO line: msgstr "Hello',
        ),
        (
            'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
            '"Language: de\\n"\n\nmsgctxt "a:1:1"\nmsgid "Bonjour"\nmsgstr "Hallo"\n',
            "bad.po:4: the translations are in 'de', expected English",
        ),
    ],
)
def test_a_broken_or_foreign_po_is_refused_with_file_and_line(project, content, message):
    Path("bad.po").write_text(content, encoding="utf-8")
    result = cli("review", "import", "bad.po", ok=False)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_broken_or_foreign_tmx_is_refused_and_nothing_is_stored(project):
    pipeline_run()
    r = [r for r in records() if r.get("lang", "fr") == "fr"][0]
    good = write_tmx(project / "good.tmx", [(r["id"], r["fr"], "Fine.")])
    broken = project / "broken.tmx"
    broken.write_text(good.read_text(encoding="utf-8").replace("</tu>", "", 1), encoding="utf-8")
    result = cli("review", "import", "good.tmx", "broken.tmx", ok=False)
    assert result.exit_code == 1
    closing_body = broken.read_text(encoding="utf-8").splitlines().index("  </body>") + 1
    assert f"broken.tmx:{closing_body}: not well-formed XML" in result.stderr
    german = write_tmx(project / "german.tmx", [(r["id"], r["fr"], "Gut.")], en="de")
    lines = german.read_text(encoding="utf-8").splitlines()
    german_line = next(n for n, line in enumerate(lines, 1) if 'xml:lang="de"' in line)
    result = cli("review", "import", "german.tmx", ok=False)
    assert f"german.tmx:{german_line}: language 'de'" in result.stderr
    with TranslationMemory(Path("translations", "memory.sqlite")) as memory:
        assert memory.reviews() == []  # good.tmx was not half-imported
