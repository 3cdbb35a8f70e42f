"""The cleaner on the five articles of the corpus against the hand-written gold (tests/gold/clean),
through the command line, and inside `prepare_document` (what `pipeline run` does)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import runner
from pipeline.clean import clean_text
from pipeline.cli import main
from pipeline.corpus import read_document
from pipeline.glossary import Term

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "gold" / "clean"
ARTICLES = sorted((ROOT / "corpus").glob("*.txt"))
ENGLISH_TITLES = {
    "000_e2dc28380de3b692": [
        "In Bid to Be Major Global Player, North Korea Signs New Treaty With Russia"
    ],
    "002_5e88a67e5ef2d8be": ["3 Takeaways From the North Korea-Russia Summit"],
}


def load_gold_benchmark():
    path = ROOT / "benchmarks" / "clean_gold.py"
    spec = importlib.util.spec_from_file_location("clean_gold_benchmark", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


gold_benchmark = load_gold_benchmark()


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.stem)
def test_each_article_cleans_to_its_gold_with_no_miss_and_no_false_fix(path):
    doc = read_document(path)
    cleaned = clean_text(doc.raw, gold_benchmark.known_names(GOLD))
    assert cleaned.text == gold_benchmark.read_gold(GOLD, doc.name)
    score = gold_benchmark.score(doc.raw, cleaned, gold_benchmark.read_gold(GOLD, doc.name))
    assert score.false == [] and score.missed == [] and score.unrecorded == []
    assert score.layout_false == 0
    english = [cleaned.text[s:e] for s, e in cleaned.english_spans]
    assert english == ENGLISH_TITLES.get(doc.name, [])


def test_the_gold_score_counts_a_miss_and_a_false_fix():
    raw = "Le traité pris. dans la nuit , signé."
    cleaned = clean_text(raw)
    assert gold_benchmark.score(raw, cleaned, "Le traité pris dans la nuit, signé.").right
    wrong_gold = "Le traité pris. dans la nuit, signé!"
    score = gold_benchmark.score(raw, cleaned, wrong_gold)
    assert [f.rule for f in score.false] == ["stray_period"]
    assert len(score.missed) == 1


def test_a_misspelt_name_the_glossary_lacks_is_a_finding_and_stays():
    doc = read_document(ROOT / "corpus" / "003_08530567ec71b96b.txt")
    cleaned = clean_text(doc.raw, ["Poutine", "Putin"])  # a glossary that lacks "Vladimir"
    assert "a déclaré Vladirmir Poutine" in cleaned.text
    assert [(f.check, f.evidence) for f in cleaned.findings] == [
        ("clean.misspelt_name", "Vladirmir")
    ]
    start, end = cleaned.finding_spans[0]
    assert doc.raw[start:end] == "Vladirmir"


def test_cli_clean_prints_the_clean_text(tmp_path):
    path = ROOT / "corpus" / "001_3976362db0d250f5.txt"
    result = CliRunner().invoke(main, ["clean", str(path), "--glossary", str(tmp_path / "none")])
    assert result.exit_code == 0, result.output
    assert result.output == gold_benchmark.read_gold(GOLD, path.stem) + "\n"


def test_cli_clean_explain_lists_every_fix_one_a_line(tmp_path):
    path = ROOT / "corpus" / "000_e2dc28380de3b692.txt"
    result = CliRunner().invoke(
        main, ["clean", "--explain", str(path), "--glossary", str(tmp_path / "none")]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == len(clean_text(read_document(path).raw).fixes)
    assert "Selon [TASSl → TASS l]'agence" in result.output
    assert "Selon [Reuterscitant → Reuters citant] le ministère" in result.output
    assert [line.split()[0] for line in lines].count("stray_period") == 3


def test_cli_clean_explain_sums_up_white_space_between_paragraphs(tmp_path):
    path = ROOT / "corpus" / "004_697ffb342edea42a.txt"
    args = ["clean", "--explain", str(path), "--glossary", str(tmp_path / "none")]
    result = CliRunner().invoke(main, args)
    assert result.output.splitlines() == [
        "paragraph_breaks         16 change(s) of white space between paragraphs (--all lists them)"
    ]
    every = CliRunner().invoke(main, [*args, "--all"])
    assert len(every.output.splitlines()) == 16
    assert all("[⏎ → ⏎⏎]" in line for line in every.output.splitlines())


def test_cli_clean_of_a_missing_file_is_one_line_of_error(tmp_path):
    result = CliRunner().invoke(main, ["clean", str(tmp_path / "absent.txt")])
    assert result.exit_code != 0
    assert "absent.txt" in result.output


def test_prepare_document_segments_the_clean_text_and_keeps_the_raw_spans():
    doc = read_document(ROOT / "corpus" / "003_08530567ec71b96b.txt")
    terms = [Term(source="Vladimir Poutine", target="Vladimir Putin", kind="person")]
    prepared = runner.prepare_document(doc, terms)
    assert prepared.fixes and all(0 <= f.start <= f.end <= len(doc.raw) for f in prepared.fixes)
    texts = [s.fr for s in prepared.segments]
    assert "top of page" not in texts and "Commentaires" not in texts
    retard = next(s for s in prepared.segments if "plusieurs heures de retard" in s.fr)
    start, end = retard.fr_raw
    assert "retard ." in doc.raw[start:end]  # the raw text, before its space was removed
    assert "retard." in retard.fr
    corrected = next(s for s in prepared.segments if "Vladimir Poutine, cité" in s.fr)
    assert "Vladirmir" in doc.raw[corrected.fr_raw[0] : corrected.fr_raw[1]]
    assert prepared.findings == []


def test_prepare_document_marks_the_english_title_and_attaches_findings():
    doc = read_document(ROOT / "corpus" / "000_e2dc28380de3b692.txt")
    prepared = runner.prepare_document(doc, [])
    first = prepared.segments[0]
    assert first.lang == "en" and first.fr.startswith("In Bid to Be Major Global Player")
    assert all(s.lang == "fr" for s in prepared.segments[1:])
    doc3 = read_document(ROOT / "corpus" / "003_08530567ec71b96b.txt")
    prepared3 = runner.prepare_document(doc3, [])
    flagged = [s for s in prepared3.segments if s.findings]
    assert len(flagged) == 1 and "Vladirmir" in flagged[0].fr
    assert flagged[0].findings[0].segment == flagged[0].id


def test_known_person_names_come_from_person_terms_only():
    terms = [
        Term(source="Vladimir Poutine", target="Vladimir Putin", kind="person", variants=["V."]),
        Term(source="Pékin", target="Beijing", kind="place"),
    ]
    assert runner.known_person_names(terms) == ["Vladimir Poutine", "Vladimir Putin", "V."]
