"""The five outputs of a document: JSONL (and reading it back), PO, TMX, HTML, English."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import polib
import pytest
from sample_article import make_sample

from pipeline import export
from pipeline.errors import PipelineError
from pipeline.formats import html, jsonl


@pytest.fixture
def sample(tmp_path):
    return make_sample(tmp_path)


def test_segmentation_of_the_sample(sample):
    _, segments = sample
    assert [(s.id, s.lang) for s in segments] == [
        ("sample:1:1", "en"),
        ("sample:2:1", "fr"),
        ("sample:3:1", "fr"),
        ("sample:3:2", "fr"),
        ("sample:4:1", "fr"),
    ]


def test_jsonl_has_the_design_fields_and_reads_back(sample, tmp_path):
    doc, segments = sample
    written = export.write_document(tmp_path, doc, segments)
    assert [p.name for p in written] == [f"sample{s}" for s in export.OUTPUT_SUFFIXES]
    lines = (tmp_path / "sample.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == len(segments)
    design_fields = {"id", "doc", "paragraph", "sentence", "fr_raw", "fr", "en", "engine"}
    design_fields |= {"origin", "terms", "findings", "fr_raw_span", "lang", "hash"}
    assert all(design_fields <= set(r) for r in records)
    third = records[2]
    assert third["id"] == "sample:3:1"
    assert third["fr_raw"] == "M. Poutine est arrivé à Pyongyang."
    assert third["terms"] == [
        {"source": "Poutine", "target": "Putin", "ok": True, "start": 3, "end": 10}
    ]
    assert records[3]["findings"][0]["check"] == "glossary-target-missing"
    assert jsonl.read_jsonl(tmp_path / "sample.jsonl") == segments


def test_read_jsonl_keeps_a_users_edit_and_rejects_a_broken_line(sample, tmp_path):
    doc, segments = sample
    export.write_document(tmp_path, doc, segments)
    path = tmp_path / "sample.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    records[2]["en"] = "Mr Putin landed in Pyongyang."
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert jsonl.read_jsonl(path)[2].en == "Mr Putin landed in Pyongyang."
    path.write_text(path.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8")
    with pytest.raises(PipelineError, match=r"sample\.jsonl:6: not a segment record"):
        jsonl.read_jsonl(path)


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="msgfmt (Debian gettext) missing")
def test_po_passes_msgfmt_check(sample, tmp_path):
    doc, segments = sample
    export.write_document(tmp_path, doc, segments)
    result = subprocess.run(
        ["msgfmt", "-c", "--check-format", "-o", os.devnull, str(tmp_path / "sample.po")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_po_entries_contexts_comments_and_fuzzy(sample, tmp_path):
    doc, segments = sample
    export.write_document(tmp_path, doc, segments)
    catalogue = polib.pofile(str(tmp_path / "sample.po"))
    assert catalogue.metadata["Language"] == "en"
    assert catalogue.metadata["X-Source-Language"] == "fr"
    entries = {e.msgctxt: e for e in catalogue}
    assert list(entries) == [s.id for s in segments]
    for s in segments:
        assert (entries[s.id].msgid, entries[s.id].msgstr) == (s.fr, s.en)
    flagged = entries["sample:3:2"]
    assert flagged.fuzzy  # a warning on an engine translation needs a human
    assert flagged.occurrences == [("corpus/sample.txt", "5")]  # file and line of the raw text
    assert "warning [glossary-target-missing]: DPRK missing (RPDC)" in flagged.comment
    assert "glossary: RPDC → DPRK (MISSING in the English)" in flagged.comment
    assert not entries["sample:4:1"].fuzzy  # reviewed: the reviewer's word stands
    # machine text no one has reviewed needs work, even with an info finding only: a
    # reviewer's tool (and pocount) must not count it as done
    assert entries["sample:3:1"].fuzzy
    assert "passed through" in entries["sample:1:1"].comment


def test_tmx_loads_in_translate_toolkit_with_every_unit(sample, tmp_path):
    tmx = pytest.importorskip("translate.storage.tmx")
    doc, segments = sample
    export.write_document(tmp_path, doc, segments)
    store = tmx.tmxfile.parsefile(str(tmp_path / "sample.tmx"))
    units = [u for u in store.units if not u.isheader()]
    assert len(units) == len(segments)
    for unit, s in zip(units, segments, strict=True):
        assert unit.getid() == s.id
        if s.lang == "fr":
            assert (unit.source, unit.target) == (s.fr, s.en)
        else:  # an English title line: never offered to a CAT tool as a French source
            assert unit.source is None
    assert store.sourcelanguage == "fr"
    text = (tmp_path / "sample.tmx").read_text(encoding="utf-8")
    assert '<tmx version="1.4">' in text and 'srclang="fr"' in text


def test_english_article_has_the_translated_title_and_the_paragraphs(sample, tmp_path):
    doc, segments = sample
    export.write_document(tmp_path, doc, segments)
    article = (tmp_path / "sample.en.md").read_text(encoding="utf-8")
    assert article == (
        "# North Korea signs a treaty with Russia\n\n"
        "Mr Putin arrived in Pyongyang. "
        # The French's HTML shows as text when the Markdown is rendered (issue 20).
        "North Korea &lt;b>welcomes&lt;/b> the agreement & the promised « 100% ».\n\n"
        "“The treaty is historic. It guarantees peace,” Mr Kim said.\n"
    )
    assert "North Korea Signs Treaty With Russia" not in article  # the English line


def test_html_escapes_text_marks_terms_and_needs_nothing_outside(sample, tmp_path):
    doc, segments = sample
    export.write_document(tmp_path, doc, segments)
    page = (tmp_path / "sample.html").read_text(encoding="utf-8")
    assert "<b>salue</b>" not in page and "&lt;b&gt;salue&lt;/b&gt;" in page
    assert page.count('<tr class="segment') == len(segments)
    assert '<mark class="term" title="glossary: Poutine → Putin (ok)">Poutine</mark>' in page
    assert '<mark class="term missing"' in page and "missing glossary term: DPRK" in page
    assert 'class="segment new-paragraph reviewed' in page
    for external in ("http://", "https://", "<link", "<script", "src="):
        assert external not in page


def test_interrupted_write_leaves_every_output_whole(sample, tmp_path, monkeypatch):
    doc, segments = sample
    export.write_document(tmp_path, doc, segments)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    for s in segments:
        s.en = s.en.upper()
    after = export.render_document(doc, segments)
    replaced = []
    real_replace = os.replace

    def replace_then_stop(src, dst):
        if os.path.basename(dst) == ".pipeline-commit.json":  # the journal of the renames
            return real_replace(src, dst)
        if len(replaced) == 2:
            raise KeyboardInterrupt  # as if the user pressed Ctrl-C mid-run
        replaced.append(dst)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_then_stop)
    with pytest.raises(KeyboardInterrupt):
        export.write_document(tmp_path, doc, segments)
    monkeypatch.undo()
    files = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    assert set(files) == set(before)  # no temporary file left behind
    new = {f"sample{suffix}": data for suffix, data in after.items()}
    for name, data in files.items():
        assert data in (before[name], new[name])  # each whole: old or new, never half
    assert sum(files[n] == new[n] for n in files) == 2


def test_html_highlights_a_target_only_as_a_whole_word():
    from pipeline.records import Segment, TermHit

    segment = Segment(
        doc="d",
        paragraph=1,
        sentence=1,
        fr="Le président russe en Russie.",
        fr_raw=(0, 28),
        en="The Russian president in Russia.",
        terms=[TermHit("Russie", "Russia", 21, 27, ok=True)],
    )
    cell = html.english_cell(segment)
    assert cell.count('class="term"') == 1
    assert "Russian" in cell and ">Russia</" in cell.replace("</span>", "</")
