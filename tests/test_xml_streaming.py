"""The XLIFF and TMX writers stream (no tree of the document is built, so a 5 MB article's
outputs cost little memory) and give the very bytes the ElementTree writers gave
(tests/xml_tree_reference.py, the writers as they were): a reviewer's tool sees no change.
"""

from __future__ import annotations

import xml_tree_reference as tree
from sample_article import make_sample

from pipeline import export
from pipeline.formats import document_properties, source_date, source_location, tmx, xliff
from pipeline.formats.tmx import MemoryUnit
from pipeline.records import Finding, Segment

# Everything XML escapes, in text and in attributes, and characters XML 1.0 forbids even
# escaped (written as U+FFFD), a lone surrogate (a character reference), a tab, CR, LF.
AWKWARD = 'a & b < c > d "e" \'f\' \t g \r\n h \x01 i \x0b j \ufffe k \ud800 l '


def awkward_document(tmp_path, awkward=AWKWARD):
    doc, segments = make_sample(tmp_path)
    by_id = {s.id: s for s in segments}
    reviewed = by_id["sample:4:1"]
    reviewed.reviewer, reviewed.reviewed_at = f"anne {awkward}", "2026-11-30T10:00:00+00:00"
    reviewed.version = 3
    approved = by_id["sample:3:1"]
    approved.origin, approved.reviewer = "approved", "bob"
    approved.reviewed_at = "2026-12-01T08:00:00+00:00"
    by_id["sample:2:1"].suggestion = {
        "fr": f"La Corée du Nord signe {awkward}",
        "en": f"North Korea signs {awkward}",
        "score": 87.4,
        "origin": "review",
    }
    by_id["sample:3:2"].en = awkward
    by_id["sample:3:2"].engine = f"apertium {awkward}"
    by_id["sample:3:2"].findings.append(Finding("odd", "info", "sample:3:2", awkward, awkward))
    # a segment with no English yet (an empty <target />), and one of only spaces
    segments.append(Segment("sample", 9, 1, "Sans traduction.", (0, 1)))
    segments.append(Segment("sample", 9, 2, "   ", (0, 1), en="  ", origin="engine"))
    doc.source_format, doc.title, doc.author = "html", f"Titre {awkward}", "Jean & Marie"
    doc.date = "2026-11-30"
    return doc, segments


def xliff_notes(segment):
    return [xliff.term_note(t) for t in segment.terms] + [
        xliff.finding_note(f) for f in segment.findings
    ]


def test_the_streamed_xliff_is_the_tree_built_one(tmp_path):
    doc, segments = awkward_document(tmp_path)
    metadata = document_properties(doc)
    assert ("title", "Titre " + " ".join(AWKWARD.split())) in metadata
    for found in (segments, segments[:1], []):
        args = (
            found,
            f"corpus/{AWKWARD}.txt",
            xliff_notes,
            lambda s: source_location(s, doc),
            source_date(doc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        for meta in ((), metadata):
            expected = tree.xliff_bytes(*args, metadata=meta)
            assert xliff.xliff_bytes(*args, metadata=meta) == expected
            assert b"".join(xliff.xliff_chunks(*args, metadata=meta)) == expected
    assert b"&#55296;" in expected and b"\xef\xbf\xbd" in expected  # surrogate; U+FFFD


def test_the_streamed_tmx_is_the_tree_built_one(tmp_path):
    doc, segments = awkward_document(tmp_path)
    metadata = document_properties(doc)
    for found in (segments, segments[:1], []):
        expected = tree.tmx_bytes(found, doc, metadata)
        assert tmx.tmx_bytes(found, doc) == expected
    units = [
        MemoryUnit(s.fr, s.en or AWKWARD, s.id, "review", f"anne {AWKWARD}", "20261130T100000Z",
                   f"doc {AWKWARD}")
        for s in segments
    ]  # fmt: skip
    units.append(MemoryUnit("Bonjour.", "", "x:1:1", "approved"))
    for found in (units, []):
        for stamp in ("20261130T100000Z", ""):
            assert tmx.memory_tmx_bytes(found, stamp) == tree.memory_tmx_bytes(found, stamp)


def test_a_run_writes_the_streamed_bytes(tmp_path):
    """write_document streams each output into its temporary file: the files on disk are
    the whole documents, and the digests the review store keeps are theirs."""
    import hashlib

    # (no lone surrogate: the JSONL and PO are written in strict UTF-8)
    doc, segments = awkward_document(tmp_path, AWKWARD.replace("\ud800", ""))
    out = tmp_path / "translations"
    out.mkdir()
    digests = {}
    export.write_document(out, doc, segments, digests)
    for suffix, data in export.render_document(doc, segments).items():
        path = out / f"sample{suffix}"
        assert path.read_bytes() == data
        assert digests[path] == hashlib.sha256(data).hexdigest()
    assert (out / "sample.xlf").read_bytes() == xliff.xliff_document(segments, doc)


# --- the document's metadata in the XLIFF and TMX headers ------------------------------


def web_page_outputs(tmp_path):
    """A web page's outputs as a run writes them (its reader's metadata and extraction fix)."""
    from pipeline.records import Fix

    doc, segments = make_sample(tmp_path)
    doc.source_format, doc.title = "html", "La Corée du Nord & la Russie"
    doc.author, doc.date = "Jean Dupont", "2026-11-30"
    note = "page furniture removed by trafilatura: 900 of 4,000 kept (22%)"
    doc.fixes = [Fix("web_page_extraction", 0, 0, "web page", "article", note=note)]
    out = tmp_path / "translations"
    out.mkdir()
    export.write_document(out, doc, segments)
    return out, doc, segments


EXPECTED_PROPERTIES = {
    "format": "html",
    "title": "La Corée du Nord & la Russie",
    "author": "Jean Dupont",
    "date": "2026-11-30",
    "source-file": "corpus/sample.txt",
    "extractor": "trafilatura",
    "reading": "page furniture removed by trafilatura: 900 of 4,000 kept (22%)",
}


def test_the_xliff_and_tmx_headers_carry_the_document_metadata(tmp_path):
    from lxml import etree
    from validate_schemas import xml_schema

    out, _doc, _ = web_page_outputs(tmp_path)
    assert xliff.read_properties(out / "sample.xlf") == EXPECTED_PROPERTIES
    assert tmx.read_properties(out / "sample.tmx") == EXPECTED_PROPERTIES
    # still valid XLIFF 1.2 (header notes come after the tool, as the schema orders them)
    schema = xml_schema("xliff-core-1.2-transitional.xsd")
    assert schema.validate(etree.parse(out / "sample.xlf")), schema.error_log
    # a plain text article: its format and file, no extractor, nothing taken out
    (tmp_path / "plain").mkdir()
    doc, segments = make_sample(tmp_path / "plain")
    plain = tmp_path / "plain-out"
    plain.mkdir()
    export.write_document(plain, doc, segments)
    assert tmx.read_properties(plain / "sample.tmx") == {
        "format": "txt",
        "source-file": "corpus/sample.txt",
    }


def test_translate_toolkit_keeps_the_metadata_and_the_edits_come_back(tmp_path):
    """A CAT tool's round trip (translate-toolkit reads and saves the files): the header's
    metadata is still there, and the corrections are imported as reviews."""
    from translate.storage import tmx as ttk_tmx
    from translate.storage import xliff as ttk_xliff

    from pipeline.memory import TranslationMemory
    from pipeline.review import import_reviews

    out, _, _ = web_page_outputs(tmp_path)
    store = ttk_xliff.xlifffile.parsefile(str(out / "sample.xlf"))
    header = store.getheadernode(next(store.document.getroot().iterchildren()))
    notes = [n.text for n in header if n.tag.endswith("note")]
    assert "title: La Corée du Nord & la Russie" in notes and "extractor: trafilatura" in notes
    units = {u.getid().split("\x04")[-1]: u for u in store.units}
    units["sample:3:1"].target = "Mr Putin landed in Pyongyang."
    units["sample:3:1"].markfuzzy(False)
    (tmp_path / "reviewed.xlf").write_bytes(bytes(store))
    assert xliff.read_properties(tmp_path / "reviewed.xlf") == EXPECTED_PROPERTIES

    memory = ttk_tmx.tmxfile.parsefile(str(out / "sample.tmx"))
    props = {p.get("type"): p.text for p in memory.document.getroot().find("header")}
    assert props["x-author"] == "Jean Dupont" and props["x-format"] == "html"
    tmx_units = {u.getid(): u for u in memory.units}
    tmx_units["sample:3:2"].target = "The DPRK welcomes the agreement."
    (tmp_path / "reviewed.tmx").write_bytes(bytes(memory))
    assert tmx.read_properties(tmp_path / "reviewed.tmx") == EXPECTED_PROPERTIES

    memory_path = out / "memory.sqlite"
    results = import_reviews([tmp_path / "reviewed.xlf", tmp_path / "reviewed.tmx"], out,
                             memory_path)  # fmt: skip
    assert sum(r.stored for r in results) >= 2, [r.summary() for r in results]
    with TranslationMemory(memory_path) as stored:
        xlf_review = stored.lookup_review("M. Poutine est arrivé à Pyongyang.", "sample:3:1")
        tmx_review = stored.lookup_review(units["sample:3:2"].source, "sample:3:2")
    assert xlf_review.en == "Mr Putin landed in Pyongyang."
    assert tmx_review.en == "The DPRK welcomes the agreement."
