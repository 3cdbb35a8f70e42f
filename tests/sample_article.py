"""A small article after every stage, shared by the export and browser tests."""

from __future__ import annotations

from pipeline.glossary import Term, find_terms
from pipeline.records import Document, Finding
from pipeline.segment import segment_document

RAW = (
    "North Korea Signs Treaty With Russia\n"
    "\n"
    "La Corée du Nord signe un traité avec la Russie\n"
    "\n"
    "M. Poutine est arrivé à Pyongyang. La RPDC <b>salue</b> l'accord & le « 100 % » promis.\n"
    "\n"
    "« Le traité est historique. Il garantit la paix », a déclaré M. Kim.\n"
)
ENGLISH = {
    "sample:2:1": "North Korea signs a treaty with Russia",
    "sample:3:1": "Mr Putin arrived in Pyongyang.",
    "sample:3:2": "North Korea <b>welcomes</b> the agreement & the promised « 100% ».",
    "sample:4:1": "“The treaty is historic. It guarantees peace,” Mr Kim said.",
}
TERMS = [Term("Poutine", "Putin"), Term("RPDC", "DPRK", case_sensitive=True)]


def make_sample(tmp_path):
    """A small article after every stage: real segmentation, glossary hits, findings.

    The English is written here, not by an engine: these tests are about the outputs."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    path = corpus / "sample.txt"
    path.write_text(RAW, encoding="utf-8")
    doc = Document(name="sample", path=path, raw=RAW)
    segments = segment_document("sample", RAW, english_spans=[(0, RAW.index("\n"))])
    for s in segments:
        s.terms = find_terms(s.fr, TERMS)
        if s.lang == "en":
            s.en, s.origin = s.fr, "source"
        else:
            s.en, s.engine, s.origin = ENGLISH[s.id], "apertium test", "engine"
        for hit in s.terms:
            hit.ok = hit.target.casefold() in s.en.casefold()
    by_id = {s.id: s for s in segments}
    by_id["sample:3:2"].findings.append(
        Finding("glossary-target-missing", "warning", "sample:3:2", "DPRK missing", "RPDC")
    )
    # A reviewer's own translation: the same kind of finding does not make it fuzzy.
    by_id["sample:4:1"].origin = "review"
    by_id["sample:4:1"].findings.append(
        Finding("quotes-unbalanced", "error", "sample:4:1", "quote marks differ", "« »")
    )
    by_id["sample:3:1"].findings.append(Finding("repetition", "info", "sample:3:1", "just a note"))
    return doc, segments
