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
