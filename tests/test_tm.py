"""An existing TMX as translation memory (`pipeline memory import`), and the run-wide TMX
of reviewed units: real TMX files, real SQLite, a real run with apertium."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import polib
import pytest
from click.testing import CliRunner

from pipeline import tm
from pipeline.cli import main
from pipeline.errors import PipelineError
from pipeline.memory import Review, TranslationMemory
from pipeline.translate.apertium import missing_modes

TMX = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header creationtool="OmegaT" creationtoolversion="6" segtype="sentence"
 o-tmf="OmegaT TMX" adminlang="EN-US" srclang="FR-FR" datatype="plaintext"/>
<body>
<tu tuid="7" changeid="marie" changedate="20240105T101500Z">
 <tuv xml:lang="FR-FR"><seg>Il a signé un   traité.</seg></tuv>
 <tuv xml:lang="EN-GB"><seg>He signed a <ph x="1">&lt;b&gt;</ph>treaty.</seg></tuv></tu>
<tu creationid="paul" creationdate="20230301T090000Z">
 <tuv xml:lang="fr"><seg>M. Poutine est arrivé hier à Pyongyang.</seg></tuv>
 <tuv xml:lang="de"><seg>Herr Putin kam gestern in Pjöngjang an.</seg></tuv>
 <tuv xml:lang="en-US"><seg>Mr Putin arrived in Pyongyang yesterday.</seg></tuv></tu>
<tu><tuv xml:lang="fr"><seg>Sans anglais.</seg></tuv>
 <tuv xml:lang="de"><seg>Ohne Englisch.</seg></tuv></tu>
</body></tmx>
"""


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_import_stores_units_with_french_and_english_once(tmp_path):
    path = tmp_path / "translator.tmx"
    path.write_text(TMX, encoding="utf-8")
    memory_path = tmp_path / "memory.sqlite"
    result = run("memory", "import", path, "--memory", memory_path)
    assert result.exit_code == 0, result.output
    assert "3 units: 2 stored as translation memory (2 new), 1 skipped" in result.output
    assert run("memory", "import", path, "--memory", memory_path).output.count("(0 new)") == 1
    with TranslationMemory(memory_path) as memory:
        match = tm.exact(memory, "Il a signé un traité.")  # white space as the memory's
        assert (match.en, match.changeid, match.changedate) == (
            "He signed a treaty.",
            "marie",
            "20240105T101500Z",
        )  # the <ph> native code is not text
        assert tm.tm_count(memory) == 2
        close = tm.TmIndex.load(memory).best("M. Poutine est arrivé à Pyongyang.")
    assert close.en == "Mr Putin arrived in Pyongyang yesterday." and 85 < close.score < 86
    assert tm.TmIndex([("Le chat dort.", "The cat sleeps.", "", "")]).best("Il pleut.") is None


def test_a_broken_or_foreign_tmx_imports_nothing(tmp_path):
    memory_path = tmp_path / "memory.sqlite"
    broken = tmp_path / "broken.tmx"
    broken.write_text(TMX.replace("</tu>\n<tu creationid", "</tu>\n<tu <creationid"), "utf-8")
    with TranslationMemory(memory_path) as memory:
        with pytest.raises(PipelineError, match=r"broken.tmx:8: not well-formed XML"):
            tm.import_tmx(memory, broken)
        foreign = tmp_path / "de.tmx"
        foreign.write_text(TMX.replace('"EN-GB"', '"es"').replace('"en-US"', '"es"'), "utf-8")
        with pytest.raises(PipelineError, match=r"languages found: de, es, fr\); nothing"):
            tm.import_tmx(memory, foreign)
        assert tm.tm_count(memory) == 0


@pytest.mark.skipif(bool(missing_modes("es")), reason="apertium fr-es/spa-eng not installed")
def test_a_run_uses_the_tm_for_exact_matches_and_offers_close_ones(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "un.txt").write_text(
        "M. Poutine est arrivé à Pyongyang. Il a signé un traité. Pékin observe.\n", "utf-8"
    )
    glossary = tmp_path / "glossary.yaml"
    glossary.write_text("terms:\n  - source: Poutine\n    target: Putin\n", encoding="utf-8")
    out = tmp_path / "translations"
    (tmp_path / "translator.tmx").write_text(TMX, encoding="utf-8")
    assert run("memory", "import", tmp_path / "translator.tmx", "--out", out).exit_code == 0
    with TranslationMemory(out / "memory.sqlite") as memory:  # a reviewer's earlier work
        memory.add_reviews([Review(fr="Pékin observe.", en="Beijing is watching.",
                                   segment_id="un:1:3", source="un.po")])  # fmt: skip
    result = run("run", "--corpus", corpus, "--glossary", glossary, "--out", out,
                 "--engine", "apertium", "--pivot", "es")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "imported TM: 1 exact matches used, 1 close matches offered" in result.output
    records = {r["id"]: r for r in map(json.loads, (out / "un.jsonl").read_text().splitlines())}
    assert (records["un:1:2"]["en"], records["un:1:2"]["origin"]) == ("He signed a treaty.", "tm")
    assert records["un:1:1"]["origin"] == "engine" and records["un:1:3"]["origin"] == "review"
    po = {e.msgctxt: e for e in polib.pofile(str(out / "un.po"))}
    assert "origin: tm" in po["un:1:2"].comment
    ns = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
    units = {u.get("id"): u for u in ET.parse(out / "un.xlf").iterfind(".//x:trans-unit", ns)}
    assert units["un:1:2"].find("x:target", ns).get("state-qualifier") == "leveraged-tm"
    alt = units["un:1:1"].find("x:alt-trans", ns)
    assert alt.get("origin") == "tm" and alt.get("match-quality") == "86"
    assert alt.findtext("x:target", namespaces=ns) == "Mr Putin arrived in Pyongyang yesterday."
    # The run's own TMX: the reviewed unit, with who and when; not the TM's, not the engine's
    run_tmx = ET.parse(out / "corpus.reviewed.tmx").getroot()
    [unit] = run_tmx.iter("tu")
    assert unit.get("tuid") == "un:1:3" and unit.get("changeid")
    assert len(unit.get("changedate")) == 16 and unit.get("changedate").endswith("Z")
    assert [s.text for s in unit.iter("seg")] == ["Pékin observe.", "Beijing is watching."]
    # A reviewer edits the .xlf where the run wrote it and confirms the unit: the next
    # check (or run) imports it before rewriting the outputs.
    path = out / "un.xlf"
    tree = ET.parse(path)
    unit = [u for u in tree.iterfind(".//x:trans-unit", ns) if u.get("id") == "un:1:1"][0]
    target = unit.find("x:target", ns)
    target.text, target.attrib["state"] = "Mr Putin has arrived in Pyongyang.", "translated"
    tree.write(path, xml_declaration=True, encoding="UTF-8")
    result = run("check", "--out", out, "--corpus", corpus, "--glossary", glossary)
    assert result.exit_code == 0, result.output
    records = {r["id"]: r for r in map(json.loads, (out / "un.jsonl").read_text().splitlines())}
    assert (records["un:1:1"]["en"], records["un:1:1"]["origin"]) == (
        "Mr Putin has arrived in Pyongyang.",
        "review",
    )
