"""`pipeline glossary suggest`: candidates ranked by termhood, their kind from the entity
labels, and accepted into the glossary with --add N or --interactive. Real spaCy model,
real apertium, real glossary files."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.glossary import Term, load_glossary
from pipeline.glossary.suggest import load_spacy, suggest_terms
from pipeline.translate.apertium import missing_modes

ARTICLE = (
    "Le dirigeant nord-coréen Kim Jong Un a reçu Sergueï Lavrov à Pyongyang.\n\n"
    "Selon Kim Jong-un, la RPDC et la Russie renforcent leur partenariat stratégique.\n\n"
    "L'État russe et Dieu n'ont rien à voir avec Internet, a dit Sergueï Lavrov.\n\n"
    "Le partenariat stratégique inquiète Séoul ; l'OTAN observe le partenariat stratégique.\n\n"
    "Sergueï Lavrov est reparti de Pyongyang. L'État a répondu. La RPDC a salué Lavrov."
)


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def texts() -> list[str]:
    return ARTICLE.split("\n\n")


def test_names_and_acronyms_rank_above_everyday_words_with_their_kind():
    found = suggest_terms(texts(), [Term("Russie", "Russia")], load_spacy(), limit=40)
    rank = {s.text: i for i, s in enumerate(found)}
    kinds = {s.text: s.kind for s in found}
    assert kinds["Sergueï Lavrov"] == "person" and kinds["Pyongyang"] == "place"
    assert kinds["RPDC"] == "acronym"
    # names and acronyms before the capitalised everyday words (État, Dieu, Internet)
    for word in ("État", "Dieu", "Internet"):
        if word in rank:
            assert rank[word] > rank["Sergueï Lavrov"] and rank[word] > rank["RPDC"]
    assert "Russie" not in rank  # in the glossary already


def test_spellings_of_one_name_are_one_suggestion_with_variants():
    found = suggest_terms(texts(), [], load_spacy(), limit=40)
    kim = [s for s in found if s.text.replace("-", " ").casefold() == "kim jong un"]
    assert len(kim) == 1 and kim[0].count == 2
    assert kim[0].variants  # Kim Jong-un beside Kim Jong Un


def test_a_name_inside_a_longer_one_counts_for_the_longer_one():
    found = {s.text: s for s in suggest_terms(texts(), [], load_spacy(), limit=40)}
    # `Lavrov` alone once; the three others are inside `Sergueï Lavrov`
    assert found["Sergueï Lavrov"].count == 3
    assert "Lavrov" not in found or found["Lavrov"].count == 1


def test_two_names_joined_by_a_hyphen_are_not_one_more_term():
    article = [
        "Le sommet Corée du Nord-Russie a eu lieu.",
        "La Corée du Nord et la Russie ont signé.",
        "La Corée du Nord remercie la Russie. Asie du Nord-Est : la Russie avance.",
    ]
    found = {s.text for s in suggest_terms(article, [], load_spacy(), limit=40)}
    assert "Corée du Nord" in found and "Russie" in found
    assert "Corée du Nord-Russie" not in found


def test_a_recurring_noun_phrase_is_suggested():
    found = {s.text: s for s in suggest_terms(texts(), [], load_spacy(), limit=40)}
    assert found["partenariat stratégique"].count == 3
    assert found["partenariat stratégique"].kind == "phrase"


@pytest.mark.skipif(bool(missing_modes("es")), reason="apertium fr-es/spa-eng not installed")
def test_add_n_accepts_a_suggestion_into_the_glossary(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(ARTICLE + "\n", encoding="utf-8")
    glossary = tmp_path / "glossary.yaml"
    glossary.write_text("# hand-written\nterms:\n  - source: Russie\n    target: Russia\n")
    listed = run("glossary", "suggest", "--corpus", str(corpus), "--glossary", str(glossary),
                 "--engine", "apertium", "--pivot", "es")  # fmt: skip
    assert listed.exit_code == 0, listed.output
    numbers = {
        line.split(None, 2)[2].split("  ")[0].strip(): int(line.split(".")[0])
        for line in listed.output.splitlines()
        if "→" in line
    }
    n = numbers["Sergueï Lavrov"]
    added = run("glossary", "suggest", "--corpus", str(corpus), "--glossary", str(glossary),
                "--engine", "apertium", "--add", str(n), "--target", "Sergey Lavrov")  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "added Sergueï Lavrov → Sergey Lavrov" in added.output
    text = glossary.read_text(encoding="utf-8")
    assert text.startswith("# hand-written\nterms:\n  - source: Russie\n")  # kept as written
    term = load_glossary(glossary)[-1]
    assert (term.source, term.target, term.kind) == ("Sergueï Lavrov", "Sergey Lavrov", "person")
    # accepted terms are no longer suggested; a number past the list is refused, nothing written
    again = run("glossary", "suggest", "--corpus", str(corpus), "--glossary", str(glossary),
                "--engine", "apertium")  # fmt: skip
    assert "Sergueï Lavrov" not in again.output
    before = glossary.read_text(encoding="utf-8")
    refused = CliRunner().invoke(
        main,
        [
            "glossary",
            "suggest",
            "--corpus",
            str(corpus),
            "--glossary",
            str(glossary),
            "--engine",
            "apertium",
            "--add",
            "999",
        ],  # fmt: skip
    )
    assert refused.exit_code == 1 and "--add 999" in refused.output
    assert glossary.read_text(encoding="utf-8") == before


@pytest.mark.skipif(bool(missing_modes("es")), reason="apertium fr-es/spa-eng not installed")
def test_interactive_accepts_edits_and_skips(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(ARTICLE + "\n", encoding="utf-8")
    glossary = tmp_path / "glossary.yaml"
    glossary.write_text("terms:\n  - source: Russie\n    target: Russia\n", encoding="utf-8")
    # first: Enter (the engine's English); second: typed; third: skipped; then quit
    result = run("glossary", "suggest", "--corpus", str(corpus), "--glossary", str(glossary),
                 "--engine", "apertium", "--limit", "5", "-i",
                 input="\nMy Target\ns\nq\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    terms = load_glossary(glossary)
    assert len(terms) == 3
    assert terms[2].target == "My Target"
    assert terms[1].target  # the engine's rendering
