"""XLIFF: each run's `<doc>.xlf` is valid XLIFF 1.2 (the OASIS schema, offline), loads in
translate-toolkit, and comes back through `review import` like PO and TMX."""

from __future__ import annotations

import pytest
from lxml import etree
from sample_article import make_sample
from validate_schemas import xml_schema

from pipeline import export
from pipeline.errors import PipelineError
from pipeline.formats import xliff
from pipeline.formats.xliff import read_xliff
from pipeline.memory import TranslationMemory
from pipeline.review import import_reviews

NS = {"x": "urn:oasis:names:tc:xliff:document:1.2"}


def schema(name: str) -> etree.XMLSchema:
    return xml_schema(name)  # offline: xml.xsd from tests/schemas (tests/validate_schemas.py)


@pytest.fixture
def written(tmp_path):
    doc, segments = make_sample(tmp_path)
    by_id = {s.id: s for s in segments}
    by_id["sample:4:1"].reviewer, by_id["sample:4:1"].reviewed_at = (
        "anne",
        "2026-11-30T10:00:00+00:00",
    )
    by_id["sample:2:1"].suggestion = {
        "fr": "La Corée du Nord signe un accord avec la Russie",
        "en": "North Korea signs an agreement with Russia",
        "score": 87.4,
        "origin": "review",
    }
    out = tmp_path / "translations"
    out.mkdir()
    export.write_document(out, doc, segments)
    return out, segments


def test_the_xliff_of_a_run_is_valid_xliff_1_2(written):
    out, _ = written
    document = etree.parse(str(out / "sample.xlf"))
    xsd = schema("xliff-core-1.2-transitional.xsd")
    assert xsd.validate(document), xsd.error_log
    file = document.find("x:file", NS)
    assert (file.get("source-language"), file.get("target-language")) == ("fr", "en")
    units = {u.get("id"): u for u in document.iterfind(".//x:trans-unit", NS)}
    assert list(units) == ["sample:1:1", "sample:2:1", "sample:3:1", "sample:3:2", "sample:4:1"]
    state = {i: u.find("x:target", NS).get("state") for i, u in units.items()}
    assert state == {
        "sample:1:1": "final",  # the English title, passed through
        "sample:2:1": "needs-review-translation",
        "sample:3:1": "needs-review-translation",
        "sample:3:2": "needs-review-translation",
        "sample:4:1": "translated",  # a reviewer's English
    }
    assert units["sample:1:1"].get("translate") == "no"
    assert units["sample:3:1"].find("x:target", NS).get("state-qualifier") == "mt-suggestion"
    notes = [n.text for n in units["sample:3:2"].iterfind("x:note", NS)]
    assert "glossary: RPDC → DPRK (MISSING in the English)" in notes
    assert "warning [glossary-target-missing]: DPRK missing (RPDC)" in notes
    alt = units["sample:2:1"].find("x:alt-trans", NS)
    assert alt.get("match-quality") == "87" and alt.get("origin") == "review"
    assert alt.findtext("x:target", namespaces=NS) == "North Korea signs an agreement with Russia"
    # who reviewed, and when: a phase of the header, named by the target
    phase = document.find(".//x:phase", NS)
    assert (phase.get("contact-name"), phase.get("date")) == ("anne", "2026-11-30T10:00:00+00:00")
    assert units["sample:4:1"].find("x:target", NS).get("phase-name") == phase.get("phase-name")


def test_an_approved_segment_is_final_and_approved(tmp_path):
    doc, segments = make_sample(tmp_path)
    segments[2].origin = "approved"
    data = xliff.xliff_document(segments, doc)
    unit = etree.fromstring(data).findall(".//x:trans-unit", NS)[2]
    assert unit.get("approved") == "yes" and unit.find("x:target", NS).get("state") == "final"
    assert schema("xliff-core-1.2-transitional.xsd").validate(etree.fromstring(data))


def test_translate_toolkit_reads_it_and_its_edits_come_back_as_reviews(written, tmp_path):
    from translate.storage import xliff

    out, segments = written
    store = xliff.xlifffile.parsefile(str(out / "sample.xlf"))
    units = {u.getid().split("\x04")[-1]: u for u in store.units}  # ttk: file\x04id
    assert units["sample:3:1"].source == "M. Poutine est arrivé à Pyongyang."
    assert units["sample:3:1"].target == "Mr Putin arrived in Pyongyang."
    assert units["sample:3:1"].isfuzzy() and not units["sample:4:1"].isfuzzy()
    # A reviewer corrects one unit in a CAT tool and confirms it; another is edited but
    # left unconfirmed.
    units["sample:3:1"].target = "Mr Putin landed in Pyongyang."
    units["sample:3:1"].markfuzzy(False)
    units["sample:3:2"].target = "The DPRK welcomes the deal."
    units["sample:3:2"].markfuzzy(True)  # translate-toolkit confirms an edit unless told
    (tmp_path / "reviewed.xlf").write_bytes(bytes(store))
    memory_path = out / "memory.sqlite"
    [result] = import_reviews([tmp_path / "reviewed.xlf"], out, memory_path)
    # stored: the correction, and the review the outputs already carried (sample:4:1)
    assert result.stored == 2 and result.fuzzy == 1, result.summary()
    with TranslationMemory(memory_path) as memory:
        review = memory.lookup_review("M. Poutine est arrivé à Pyongyang.", "sample:3:1")
        assert memory.lookup_review(segments[3].fr) is None  # the unconfirmed edit
    assert review is not None and review.en == "Mr Putin landed in Pyongyang."


def test_a_cat_tool_that_dropped_the_ids_is_matched_by_the_french(written, tmp_path):
    out, _ = written
    document = etree.parse(str(out / "sample.xlf"))
    for number, unit in enumerate(document.iterfind(".//x:trans-unit", NS), start=1):
        unit.set("id", str(number))  # renumbered, as some tools do
        del unit.attrib["resname"]
    target = document.findall(".//x:trans-unit", NS)[2].find("x:target", NS)
    target.text, target.attrib["state"] = "Mr Putin reached Pyongyang.", "translated"
    document.write(str(tmp_path / "renumbered.xlf"), xml_declaration=True, encoding="UTF-8")
    assert [u.segment_id for u in read_xliff(tmp_path / "renumbered.xlf")][:2] == ["", ""]
    [result] = import_reviews([tmp_path / "renumbered.xlf"], out, out / "memory.sqlite")
    assert result.stored == 2 and result.unmatched == 0 and result.notices == []  # + 4:1
    with TranslationMemory(out / "memory.sqlite") as memory:
        assert memory.lookup_review("M. Poutine est arrivé à Pyongyang.").en == (
            "Mr Putin reached Pyongyang."
        )


XLIFF_20 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="fr-FR" trgLang="en-GB">
 <file id="f1" original="sample.txt">
  <unit id="sample:3:1">
   <segment state="reviewed"><source>M. Poutine est arrivé </source>
    <target>Mr Putin flew </target></segment>
   <segment state="reviewed"><source>à <pc id="1">Pyongyang</pc>.</source>
    <target>to <pc id="1">Pyongyang</pc>.</target></segment>
  </unit>
  <unit id="sample:3:2">
   <segment state="initial"><source>x</source><target>y</target></segment>
  </unit>
 </file>
</xliff>
"""


def test_xliff_2_units_split_into_segments_are_read_whole(written, tmp_path):
    out, _ = written
    path = tmp_path / "two.xlf"
    path.write_text(XLIFF_20, encoding="utf-8")
    assert schema("xliff-core-2.0.xsd").validate(etree.parse(str(path)))
    units = read_xliff(path)
    assert (units[0].fr, units[0].en) == ("M. Poutine est arrivé à Pyongyang.",
                                          "Mr Putin flew to Pyongyang.")  # fmt: skip
    assert units[1].unconfirmed and not units[0].unconfirmed
    [result] = import_reviews([path], out, out / "memory.sqlite")
    assert result.stored == 1 and result.fuzzy == 1


def test_an_xliff_in_other_languages_is_refused(written, tmp_path):
    out, _ = written
    path = tmp_path / "de.xlf"
    path.write_text(XLIFF_20.replace('trgLang="en-GB"', 'trgLang="de"'), encoding="utf-8")
    with pytest.raises(PipelineError, match=r"de.xlf:2: the translations are in 'de'"):
        import_reviews([path], out, out / "memory.sqlite")
    path.write_text("<xliff version='1.2'><file source-language='fr'", encoding="utf-8")
    with pytest.raises(PipelineError, match="not well-formed XML"):
        import_reviews([path], out, out / "memory.sqlite")
