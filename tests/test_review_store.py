"""The review store end to end: "What breaks today" of issue 14, each on real files.

One real apertium run (`--pivot es`) over a copy of the project's corpus is made once per
module; each test copies its outputs and memory (a real SQLite file) into its own folder
and goes on from there with the real CLI (click's runner, in process), polib for what
Poedit does, xml.etree for what a CAT tool does, and translate-toolkit's pocount.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import polib
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.memory import TranslationMemory
from pipeline.review import store
from pipeline.translate.apertium import missing_modes

REPO = Path(__file__).resolve().parent.parent
DOC = "000_e2dc28380de3b692"
OUT = Path("translations")

pytestmark = pytest.mark.skipif(
    bool(missing_modes("es")), reason="apertium fr-es/spa-eng is not installed"
)


def cli(*args: str, ok: bool = True):
    result = CliRunner().invoke(main, list(args))
    if ok:
        assert result.exit_code == 0, result.output
    return result


def pipeline_run(*extra: str, ok: bool = True):
    return cli("run", "--engine", "apertium", "--pivot", "es", *extra, ok=ok)


@pytest.fixture(scope="module")
def first_run(tmp_path_factory) -> Path:
    """A project folder after one fresh run: corpus/, glossary/, translations/."""
    folder = tmp_path_factory.mktemp("first-run")
    shutil.copytree(REPO / "corpus", folder / "corpus")
    (folder / "glossary").mkdir()
    shutil.copy(REPO / "glossary" / "glossary.yaml", folder / "glossary" / "glossary.yaml")
    here = os.getcwd()
    os.chdir(folder)
    try:
        pipeline_run()
    finally:
        os.chdir(here)
    return folder


@pytest.fixture
def project(first_run, tmp_path, monkeypatch) -> Path:
    """This test's own copy of the first run (outputs and memory), as the working folder."""
    folder = tmp_path / "project"
    shutil.copytree(first_run, folder, copy_function=shutil.copy)
    monkeypatch.chdir(folder)
    return folder


def records(doc: str = DOC) -> list[dict]:
    return [json.loads(line) for line in (OUT / f"{doc}.jsonl").read_text("utf-8").splitlines()]


def record(segment_id: str) -> dict:
    return next(r for r in records(segment_id.rsplit(":", 2)[0]) if r["id"] == segment_id)


def french(doc: str = DOC) -> list[dict]:
    return [r for r in records(doc) if r["lang"] == "fr"]


def po_file(doc: str = DOC) -> polib.POFile:
    return polib.pofile(str(OUT / f"{doc}.po"), wrapwidth=0)


def po_entry(segment_id: str) -> polib.POEntry:
    return next(e for e in po_file(segment_id.rsplit(":", 2)[0]) if e.msgctxt == segment_id)


def tmx_unit(segment_id: str) -> ET.Element:
    root = ET.parse(OUT / f"{segment_id.rsplit(':', 2)[0]}.tmx").getroot()
    return next(tu for tu in root.iter("tu") if tu.get("tuid") == segment_id)


def poedit(edits: dict[str, str], approvals: list[str] = (), translator: str = "") -> None:
    """What Poedit does: edit entries in place and validate them (fuzzy cleared); an
    approval is an entry validated without an edit. Saved over the run's own file."""
    po = po_file()
    for entry in po:
        if entry.msgctxt in edits:
            entry.msgstr = edits[entry.msgctxt]
        if entry.msgctxt in edits or entry.msgctxt in approvals:
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    if translator:
        po.metadata["Last-Translator"] = translator
    po.save(str(OUT / f"{DOC}.po"))


def pocount(path: Path) -> dict:
    from translate.tools.pocount import calcstats

    stats = calcstats(str(path))
    return {k: stats[k] for k in ("translated", "fuzzy", "untranslated", "total")}


def status_row(doc: str = DOC) -> dict:
    table = cli("review", "status").stdout.splitlines()
    line = next(line for line in table if line.startswith(doc))
    return dict(zip(table[0].split(), line.split(), strict=True))


# --- 1. in-place edits --------------------------------------------------------------


def test_a_po_edited_in_place_is_imported_before_the_run_rewrites_it(project):
    a, b = french()[2:4]
    poedit({a["id"]: "The reviewer's own sentence."}, translator="Alice <alice@example.org>")
    result = pipeline_run()
    lines = [line for line in result.stderr.splitlines() if line.startswith("edited since")]
    assert len(lines) == 1 and f"{DOC}.po" in lines[0] and "1 new reviews stored" in lines[0]
    assert (record(a["id"])["en"], record(a["id"])["origin"]) == (
        "The reviewer's own sentence.",
        "review",
    )
    assert record(a["id"])["reviewer"] == "Alice <alice@example.org>"
    assert po_file().metadata["Last-Translator"] == "Alice <alice@example.org>"  # kept
    assert "reviewed by Alice <alice@example.org> on " in po_entry(a["id"]).tcomment
    assert po_entry(a["id"]).msgstr == "The reviewer's own sentence."
    assert "fuzzy" not in po_entry(a["id"]).flags
    assert record(b["id"])["origin"] == "memory"
    again = pipeline_run()  # nothing edited since: nothing said, nothing imported
    assert "edited since" not in again.stderr
    assert record(a["id"])["en"] == "The reviewer's own sentence."


def test_a_jsonl_edited_by_hand_is_imported_by_check_and_a_broken_one_named(project):
    a, b = french()[4:6]
    path = OUT / f"{DOC}.jsonl"
    lines = path.read_text("utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if json.loads(line)["id"] == a["id"])
    edited = json.loads(lines[index])
    edited["en"] = "Edited in the JSONL."
    lines[index] = json.dumps(edited, ensure_ascii=False)
    approved = json.loads(lines[index + 1])
    assert approved["id"] == b["id"]
    approved["origin"] = "approved"  # the README's way to approve in the JSONL
    lines[index + 1] = json.dumps(approved, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", "utf-8")
    checked = cli("check", "--reviewer", "dora")
    assert f"edited since the last run: {path}" in checked.stderr
    assert "2 new reviews stored (1 approvals)" in checked.stderr
    assert (record(a["id"])["origin"], record(a["id"])["reviewer"]) == ("review", "dora")
    assert po_entry(a["id"]).msgstr == "Edited in the JSONL."
    assert (record(b["id"])["origin"], record(b["id"])["en"]) == ("approved", b["en"])
    assert "fuzzy" not in po_entry(b["id"]).flags

    # a hand edit that breaks a field: a clear message with the file and line, no rewrite
    broken = json.loads(lines[index])
    broken["terms"] = "RPDC"
    lines[index] = json.dumps(broken, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", "utf-8")
    before = path.read_bytes()
    failed = cli("check", ok=False)
    assert failed.exit_code == 1 and "internal error" not in failed.stderr
    assert f"{path}:{index + 1}:" in failed.stderr
    assert path.read_bytes() == before


def test_an_edited_output_that_cannot_be_imported_is_kept_beside_the_outputs(project):
    typed = (OUT / f"{DOC}.po").read_text("utf-8") + '\nmsgid "Une ligne"\nmsgstr "cassée\n'
    (OUT / f"{DOC}.po").write_text(typed, "utf-8")
    result = pipeline_run()
    warning = next(line for line in result.stderr.splitlines() if "cannot be imported" in line)
    kept = list((OUT / store.UNIMPORTED_FOLDER).glob(f"*-{DOC}.po"))
    assert len(kept) == 1 and str(kept[0]) in warning
    assert kept[0].read_text("utf-8") == typed  # nothing the person typed is lost
    assert "cassée" not in (OUT / f"{DOC}.po").read_text("utf-8")  # the run wrote it again


class EditingEngine:
    """The real apertium engine; while it translates, the reviewer saves a PO edit in
    Poedit and another review in the browser (the run started before both)."""

    def __init__(self, edit):
        from pipeline.translate.apertium import ApertiumEngine

        self.engine = ApertiumEngine("es")
        self.name, self.version = self.engine.name, self.engine.version
        self.edit = edit

    def translate(self, batch, n_best=1, progress=None):
        self.edit()
        return self.engine.translate(batch, n_best=n_best, progress=progress)


def test_reviews_made_while_a_run_works_are_not_written_over(project):
    from pipeline import runner

    a, b = french()[7:9]
    article = project / "corpus" / f"{DOC}.txt"
    article.write_text(article.read_text("utf-8") + "\nUne phrase toute nouvelle.\n", "utf-8")

    def edit():
        store.save_review(
            OUT,
            OUT / "memory.sqlite",
            b["id"],
            "Saved in the browser during the run.",
            reviewer="bob",
            base_version=0,
        )
        poedit({a["id"]: "Saved in Poedit during the run."})  # over what the save wrote

    result = runner.run(Path("corpus"), Path("glossary/glossary.yaml"), OUT, EditingEngine(edit))
    assert result.engine_segments >= 1
    assert any(f"{DOC}.po" in line and "1 new reviews" in line for line in result.review_lines)
    assert record(a["id"])["en"] == "Saved in Poedit during the run."
    assert record(b["id"])["en"] == "Saved in the browser during the run."
    assert po_entry(b["id"]).msgstr == "Saved in the browser during the run."


# --- 2. a lost memory ---------------------------------------------------------------


@pytest.mark.parametrize("loss", ["deleted", "emptied", "mistyped"])
def test_reviews_survive_the_loss_of_the_memory(project, loss):
    a, b = french()[1:3]
    poedit({a["id"]: "Kept whatever happens."}, approvals=[b["id"]], translator="Alice")
    pipeline_run()
    memory = OUT / "memory.sqlite"
    extra = []
    if loss == "deleted":
        for path in OUT.glob("memory.sqlite*"):
            path.unlink()
    elif loss == "emptied":
        for path in OUT.glob("memory.sqlite-*"):
            path.unlink()
        memory.write_bytes(b"")  # a failed copy
    else:
        extra = ["--memory", str(project / "memroy.sqlite")]
    result = pipeline_run(*extra)
    assert "recovered from the outputs" in result.stderr
    assert (record(a["id"])["en"], record(a["id"])["origin"]) == (
        "Kept whatever happens.",
        "review",
    )
    assert record(a["id"])["reviewer"] == "Alice"
    assert record(b["id"])["origin"] == "approved"
    assert po_entry(a["id"]).msgstr == "Kept whatever happens."
    # and only those: the machine's text in the outputs is not taken for reviews
    assert (status_row()["reviewed"], status_row()["approved"]) == ("2", "1")
    assert "2 reviewed texts (2 reviews)" in cli("review", "status", *extra).stdout


def test_a_memory_of_another_application_is_refused_untouched(project):
    foreign = project / "app.sqlite"
    db = sqlite3.connect(foreign)
    db.execute("CREATE TABLE users (name TEXT)")
    db.execute("INSERT INTO users VALUES ('x')")
    db.commit()
    db.close()
    before = foreign.read_bytes()
    outputs = (OUT / f"{DOC}.jsonl").read_bytes()
    result = pipeline_run("--memory", str(foreign), ok=False)
    assert result.exit_code == 1 and "another application" in result.stderr
    assert foreign.read_bytes() == before
    assert (OUT / f"{DOC}.jsonl").read_bytes() == outputs


# --- 3. import into the wrong folder ------------------------------------------------


def test_an_import_with_nothing_to_compare_against_is_refused(project, tmp_path):
    a = french()[3]
    poedit({a["id"]: "One human edit."})
    shutil.copy(OUT / f"{DOC}.po", project / "review.po")
    empty = tmp_path / "empty"
    empty.mkdir()
    refused = cli("review", "import", "review.po", "--out", str(empty), ok=False)
    assert refused.exit_code == 1 and "nothing to compare against" in refused.stderr
    assert list(empty.iterdir()) == []  # no memory made there
    # the right memory is enough to tell the one edit from the machine's text
    imported = cli(
        "review", "import", "review.po", "--out", str(empty), "--memory", str(OUT / "memory.sqlite")
    )
    assert "1 new reviews stored" in imported.stdout
    with TranslationMemory(OUT / "memory.sqlite") as memory:
        assert [r.en for r in memory.reviews()] == ["One human edit."]


# --- 4. TMX without tuid; entities --------------------------------------------------


def test_a_newer_tmx_review_without_tuid_wins_and_entities_are_kept(project):
    a = french()[2]
    poedit({a["id"]: "The first review."})
    pipeline_run()
    tmx = project / "cat.tmx"
    tmx.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n'
        '<tmx version="1.4"><header srclang="fr-FR" datatype="plaintext" segtype="sentence"'
        ' creationtool="x" creationtoolversion="1" adminlang="en" o-tmf="x"/>\n<body>\n'
        '<tu changeid="carol" changedate="20261201T101500Z">\n'
        f'<tuv xml:lang="fr-FR"><seg>{a["fr"].replace("&", "&amp;").replace("<", "&lt;")}'
        "</seg></tuv>\n"
        '<tuv xml:lang="en-GB"><seg>A CAT tool&apos;s review: caf&eacute; &amp; co.</seg></tuv>\n'
        "</tu>\n</body></tmx>\n",
        "utf-8",
    )
    imported = cli("review", "import", str(tmx))
    assert "1 new reviews stored" in imported.stdout
    pipeline_run()
    english = "A CAT tool's review: café & co."
    assert (record(a["id"])["en"], record(a["id"])["reviewer"]) == (english, "carol")
    assert po_entry(a["id"]).msgstr == english
    unit = tmx_unit(a["id"])
    assert unit.get("changeid") == "carol" and unit.get("changedate")
    history = cli("review", "history", a["id"]).stdout.splitlines()
    assert len(history) == 2 and "superseded" in history[0] and "The first review." in history[0]
    assert "current" in history[1] and "carol" in history[1]


def test_an_english_title_line_is_english_in_the_tmx(project):
    english_lines = [r for r in records("002_5e88a67e5ef2d8be") if r["lang"] != "fr"]
    assert english_lines
    unit = tmx_unit(english_lines[0]["id"])
    assert [tuv.get("{http://www.w3.org/XML/1998/namespace}lang") for tuv in unit.iter("tuv")] == [
        "en"
    ]


# --- 5. approvals -------------------------------------------------------------------


def test_approvals_count_in_review_status_and_pocount(project):
    assert pocount(OUT / f"{DOC}.po")["translated"] == 0  # a fresh run: nothing is done
    ids = [r["id"] for r in french()[:5]]
    edits = {i: f"Edit number {n}." for n, i in enumerate(ids[:3])}
    poedit(edits, approvals=ids[3:], translator="Alice")
    pipeline_run()
    row = status_row()
    assert (row["reviewed"], row["approved"]) == ("5", "2")
    assert pocount(OUT / f"{DOC}.po")["translated"] == 5
    assert [record(i)["origin"] for i in ids] == ["review"] * 3 + ["approved"] * 2
    assert "approved by Alice" in po_entry(ids[3]).tcomment


# --- 6. fuzzy matches ---------------------------------------------------------------


def test_a_one_word_change_offers_the_earlier_review_as_a_fuzzy_match(project):
    a = max(french(), key=lambda r: len(r["fr"].split()))  # a long sentence
    poedit({a["id"]: "The reviewer's careful translation."})
    pipeline_run()
    article = project / "corpus" / f"{DOC}.txt"
    text = article.read_text("utf-8")
    start, end = a["fr_raw_span"]
    word = next(w for w in a["fr"].split() if w.isalpha() and len(w) > 3 and w in a["fr_raw"])

    def with_word(new: str) -> str:  # the article with one word of the sentence changed
        return text[:start] + a["fr_raw"].replace(word, new, 1) + text[end:]

    article.write_text(with_word("Zanzibar"), "utf-8")
    result = pipeline_run()
    assert "fuzzy matches offered" in result.stderr
    now = record(a["id"])
    assert "Zanzibar" in now["fr"] and now["origin"] == "engine"
    assert now["en"] != "The reviewer's careful translation."  # offered, never applied
    assert now["suggestion"]["en"] == "The reviewer's careful translation."
    assert now["suggestion"]["fr"] == a["fr"] and 75 <= now["suggestion"]["score"] < 100
    entry = po_entry(now["id"])
    assert "fuzzy" in entry.flags and entry.previous_msgid == a["fr"]
    assert entry.msgstr == "The reviewer's careful translation."
    page = (OUT / f"{DOC}.html").read_text("utf-8")
    assert 'class="suggestion"' in page and "The reviewer&#x27;s careful translation." in page
    assert "careful translation" not in (OUT / f"{DOC}.en.md").read_text("utf-8")
    # the reviewer accepts it in Poedit (clears the flag): now it is a review
    poedit({}, approvals=[now["id"]])
    pipeline_run()
    assert (record(now["id"])["origin"], record(now["id"])["en"]) == (
        "review",
        "The reviewer's careful translation.",
    )
    # a higher threshold offers nothing
    article.write_text(with_word("Tombouctou"), "utf-8")
    assert "fuzzy matches offered" not in pipeline_run("--fuzzy-threshold", "99").stderr


# --- the browser's path: save_review ------------------------------------------------


def test_save_review_stores_rewrites_and_refuses_a_stale_version(project):
    a, b = french()[5:7]
    memory = OUT / "memory.sqlite"
    saved = store.save_review(
        OUT, memory, a["id"], "Saved in the browser.", reviewer="bob", base_version=a["version"]
    )
    assert saved.saved and saved.conflict is None and saved.version > 0
    assert (record(a["id"])["en"], record(a["id"])["reviewer"]) == ("Saved in the browser.", "bob")
    assert po_entry(a["id"]).msgstr == "Saved in the browser."
    assert "fuzzy" not in po_entry(a["id"]).flags
    assert tmx_unit(a["id"]).get("changeid") == "bob"
    stale = store.save_review(
        OUT, memory, a["id"], "A stale edit.", reviewer="eve", base_version=a["version"]
    )
    assert not stale.saved and stale.conflict is not None
    assert (stale.conflict.current_en, stale.conflict.current_reviewer) == (
        "Saved in the browser.",
        "bob",
    )
    assert stale.conflict.refused_en == "A stale edit."
    assert record(a["id"])["en"] == "Saved in the browser."
    approved = store.save_review(
        OUT, memory, b["id"], None, kind="approved", reviewer="bob", base_version=0
    )
    assert approved.saved and record(b["id"])["origin"] == "approved"
    counts = {d.doc: d for d in store.document_counts(OUT, memory)}
    assert (counts[DOC].reviewed, counts[DOC].approved) == (2, 1)
    # the run after it sees no edit (the store recorded what it wrote), keeps both
    result = pipeline_run()
    assert "edited since" not in result.stderr
    assert record(a["id"])["origin"] == "review" and record(b["id"])["origin"] == "approved"


# --- files refused ------------------------------------------------------------------


@pytest.mark.parametrize(
    "header, body, message",
    [
        ("text/plain; charset=ISO-8859-1", 'msgstr "Caf\u00e9"', "the header says charset"),
        ("text/plain; charset=UTF-8", 'msgstr "Hello \\q"', "invalid escape"),
    ],
)
def test_a_po_with_a_false_charset_or_a_bad_escape_is_refused(project, header, body, message):
    a = french()[0]
    text = (
        f'msgid ""\nmsgstr ""\n"Content-Type: {header}\\n"\n"Language: en\\n"\n\n'
        f'msgctxt "{a["id"]}"\nmsgid "{a["fr"]}"\n{body}\n'
    )
    Path("bad.po").write_bytes(text.encode("utf-8"))
    result = cli("review", "import", "bad.po", ok=False)
    assert result.exit_code == 1 and message in result.stderr
    assert "bad.po:" in result.stderr
    with TranslationMemory(OUT / "memory.sqlite") as memory:
        assert memory.reviews() == []


def read_only_mount_works() -> bool:
    import subprocess

    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount --bind -o ro / /mnt"], capture_output=True
    )
    return probe.returncode == 0


def test_review_status_works_with_the_memory_on_a_read_only_disk(project):
    """The output folder bind-mounted read-only (a real EROFS, even for root) in a mount
    namespace of its own (`unshare -m`); the memory's WAL files removed, as on a copy."""
    import subprocess
    import sys

    if not read_only_mount_works():
        pytest.skip("cannot make a read-only bind mount here (unshare -m)")
    for path in OUT.glob("memory.sqlite-*"):
        path.unlink()
    before = (OUT / "memory.sqlite").read_bytes()
    folder = str(project / OUT)
    script = (
        f"mount --bind -o ro {folder} {folder} && touch {folder}/probe 2>/dev/null; "
        f"test ! -e {folder}/probe && {sys.executable} -m pipeline review status"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        ["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    assert f"{DOC}" in result.stdout and "memory translations/memory.sqlite" in result.stdout
    assert (OUT / "memory.sqlite").read_bytes() == before
