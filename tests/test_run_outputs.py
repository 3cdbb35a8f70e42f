"""`pipeline run` writes the outputs of every article (real spaCy, real apertium)."""

from __future__ import annotations

import json

import polib
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.export import OUTPUT_SUFFIXES

ARTICLES = {
    "un": "Poutine en Corée du Nord\n\nM. Poutine est arrivé à Pyongyang. Il a signé un traité.\n",
    "deux": "La Russie et la RPDC\n\nLe commerce a été multiplié par 9. Pékin observe.\n",
}


def test_run_writes_every_kind_for_every_article(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in ARTICLES.items():
        (corpus / f"{name}.txt").write_text(text, encoding="utf-8")
    glossary = tmp_path / "glossary.yaml"
    glossary.write_text("terms:\n  - source: Poutine\n    target: Putin\n", encoding="utf-8")
    out = tmp_path / "translations"
    result = CliRunner().invoke(
        main,
        [
            "run",
            "--corpus",
            str(corpus),
            "--glossary",
            str(glossary),
            "--out",
            str(out),
            "--engine",
            "apertium",
        ],
    )
    assert result.exit_code == 0, result.output
    expected = {f"{name}{suffix}" for name in ARTICLES for suffix in OUTPUT_SUFFIXES}
    expected.add("memory.sqlite")  # the translation memory, beside the outputs by default
    expected |= {"report.md", "report.json"}  # the findings report of the run
    expected.add("index.html")  # the documents and the report, linked, for a reader
    expected.add("corpus.reviewed.tmx")  # the reviewed units of the whole run
    assert {p.name for p in out.iterdir()} == expected
    records = [json.loads(line) for line in (out / "un.jsonl").read_text().splitlines()]
    assert [r["id"] for r in records] == ["un:1:1", "un:2:1", "un:2:2"]
    assert all(r["en"] and r["origin"] == "engine" for r in records)
    assert [e.msgctxt for e in polib.pofile(str(out / "un.po"))] == [r["id"] for r in records]
    article = (out / "un.en.md").read_text(encoding="utf-8")
    assert article.startswith("# ") and "Putin" in article
