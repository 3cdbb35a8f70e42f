"""`pipeline glossary ...`: add/remove keep a hand-edited file; validate, list, suggest."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.errors import PipelineError
from pipeline.glossary import Term, load_glossary
from pipeline.glossary.edit import add_term, add_term_text, remove_term, remove_term_text
from pipeline.translate.apertium import missing_modes

REPO = Path(__file__).resolve().parent.parent

HAND_EDITED = """\
# Our glossary — kept by hand.
terms:
  # --- Korea ---
  - source: RPDC      # the acronym
    target: DPRK
    case_sensitive: true

  # Beijing, never Peking
  - source: 'Pékin'
    target: "Beijing"
    forbidden: [Peking]
  - source: Séoul
    target: Seoul
    note: >-
      a folded note
      on two lines

  # --- Russia ---
  - source: Poutine
    target: Putin
# end of the list
"""


def test_add_appends_after_the_last_term_and_keeps_everything_else():
    result = add_term_text(
        HAND_EDITED,
        Term("Kim Jong Un", "Kim Jong Un", variants=["Kim Jong-un"], kind="person", note="a: b"),
    )
    lines = HAND_EDITED.splitlines()
    at = lines.index("    target: Putin") + 1
    assert result.splitlines() == lines[:at] + [
        "  - source: Kim Jong Un",
        "    target: Kim Jong Un",
        "    variants: [Kim Jong-un]",
        "    kind: person",
        "    note: 'a: b'",
    ] + lines[at:]  # fmt: skip
    assert [t.source for t in load_text(result)][-1] == "Kim Jong Un"


def test_remove_deletes_only_the_terms_own_lines():
    result, removed = remove_term_text(HAND_EDITED, "Séoul")
    assert removed.target == "Seoul"
    lines = HAND_EDITED.splitlines()
    start = lines.index("  - source: Séoul")
    assert result.splitlines() == lines[:start] + lines[start + 5 :]
    assert "# Beijing, never Peking" in result and "# --- Russia ---" in result


def test_remove_finds_a_source_whatever_its_case_and_quoting():
    result, removed = remove_term_text(HAND_EDITED, "pékin")
    assert removed.source == "Pékin"
    assert "Peking]" not in result and "# Beijing, never Peking" in result


def test_add_then_remove_gives_back_the_file_byte_for_byte():
    added = add_term_text(HAND_EDITED, Term("Moscou", "Moscow", kind="place"))
    assert remove_term_text(added, "Moscou")[0] == HAND_EDITED


def test_crlf_line_endings_are_kept():
    text = HAND_EDITED.replace("\n", "\r\n")
    added = add_term_text(text, Term("Moscou", "Moscow"))
    assert "\n" not in added.replace("\r\n", "")
    assert remove_term_text(added, "Moscou")[0] == text


@pytest.mark.parametrize("text", ["", "terms:\n", "terms: []\n", "# only a comment\n"])
def test_add_to_an_empty_glossary(text):
    result = add_term_text(text, Term("ONU", "UN", case_sensitive=True))
    assert [(t.source, t.target, t.case_sensitive) for t in load_text(result)] == [
        ("ONU", "UN", True)
    ]
    if text.startswith("#"):
        assert result.startswith(text)


def test_an_edit_that_would_break_the_file_is_refused_and_the_file_is_untouched(tmp_path):
    path = tmp_path / "glossary.yaml"
    path.write_text(HAND_EDITED, encoding="utf-8")
    with pytest.raises(PipelineError, match="already in the glossary"):
        add_term(path, Term("RPDC", "North Korea"))
    with pytest.raises(PipelineError, match="variant 'Poutine' is claimed by two terms"):
        add_term(path, Term("Vladimir Poutine", "Vladimir Putin", variants=["Poutine"]))
    with pytest.raises(PipelineError, match="no term with source 'Tokyo'"):
        remove_term(path, "Tokyo")
    assert path.read_text(encoding="utf-8") == HAND_EDITED
    assert sorted(p.name for p in tmp_path.iterdir()) == ["glossary.yaml"]  # no temp file left


def load_text(text: str) -> list[Term]:
    from pipeline.glossary import read_glossary_text

    terms, problems = read_glossary_text(text)
    assert problems == []
    return terms


# --- the CLI ----------------------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_cli_add_remove_and_validate_a_copy_of_the_glossary(tmp_path):
    path = tmp_path / "glossary.yaml"
    shutil.copy(REPO / "glossary" / "glossary.yaml", path)
    before = path.read_text(encoding="utf-8")
    result = run("glossary", "add", "Zelensky", "Zelenskyy", "--variant", "Zelenski",
                 "--forbid", "Zelensky", "--kind", "person", "--glossary", str(path))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "added Zelensky → Zelenskyy" in result.output
    term = load_glossary(path)[-1]
    assert (term.source, term.variants, term.forbidden) == ("Zelensky", ["Zelenski"], ["Zelensky"])
    assert path.read_text(encoding="utf-8").startswith(before.rstrip("\n"))
    assert run("glossary", "validate", "--glossary", str(path)).exit_code == 0
    result = run("glossary", "remove", "Zelensky", "--glossary", str(path))
    assert result.exit_code == 0 and "removed Zelensky → Zelenskyy" in result.output
    assert path.read_text(encoding="utf-8") == before


def test_cli_validate_lists_each_problem_and_fails(tmp_path):
    path = tmp_path / "glossary.yaml"
    path.write_text(
        "terms:\n  - source: ONU\n    target: UN\n  - source: ONU\n    target: U.N.\n"
        "  - source: OTAN\n    colour: blue\n    target: NATO\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["glossary", "validate", "--glossary", str(path)])
    assert result.exit_code == 1
    assert f"{path}:4: term 'ONU': duplicate source" in result.output
    assert f"{path}:7: term 'OTAN': unknown key 'colour'" in result.output
    assert "2 problem(s)" in result.output


def test_cli_list_used_counts_terms_in_the_corpus():
    result = run("glossary", "list", "--used", "--corpus", str(REPO / "corpus"),
                 "--glossary", str(REPO / "glossary" / "glossary.yaml"))  # fmt: skip
    assert result.exit_code == 0
    rows = [re.match(r"\s*(\d+)  (.+?) → ", line) for line in result.output.splitlines()]
    counts = {row[2]: int(row[1]) for row in rows if row}
    assert counts["RPDC"] == 15 and counts["dialogue 2+2"] == 5
    assert counts["Kim Jong Un"] >= 15  # Kim Jong Un, Kim Jong-un, Kim Jong-Un
    assert counts["TASS"] >= 1  # found once the cleaner splits the glued TASSl'agence
    assert "terms used in" in result.output


@pytest.mark.skipif(bool(missing_modes("es")), reason="apertium fr-es/spa-eng not installed")
def test_cli_suggest_names_recurring_names_missing_from_the_glossary(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "Volodymyr Zelensky a rencontré Poutine à Kiev.\n\n"
        "Selon Volodymyr Zelensky, la Russie doit partir.\n\n"
        "Le Kremlin a répondu à Volodymyr Zelensky.\n",
        encoding="utf-8",
    )
    glossary = tmp_path / "glossary.yaml"
    glossary.write_text("terms:\n  - source: Poutine\n    target: Putin\n", encoding="utf-8")
    result = run("glossary", "suggest", "--corpus", str(corpus), "--glossary", str(glossary),
                 "--engine", "apertium")  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if "→" in line]
    assert rows[0].split()[:4] == ["1.", "3", "Volodymyr", "Zelensky"]  # numbered, first
    assert rows[0].rstrip().endswith("→ Volodymyr Zelensky")  # the engine's rendering
    assert not any(" Poutine " in row for row in rows)  # already in the glossary
