"""The glossary: loading with line-numbered problems, matching French, the honoured test."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.errors import PipelineError
from pipeline.glossary import (
    Term,
    find_terms,
    load_glossary,
    read_glossary_text,
    term_honoured,
    validate_glossary,
)

REPO = Path(__file__).resolve().parent.parent

TERMS = [
    Term("ONU", "UN", kind="acronym", case_sensitive=True),
    Term("OTAN", "NATO", kind="acronym", case_sensitive=True),
    Term("RPDC", "DPRK", kind="acronym", case_sensitive=True),
    Term("nord-coréen", "North Korean", kind="phrase"),
    Term("Kim Jong Un", "Kim Jong Un", variants=["Kim Jong-un"], kind="person"),
    Term("dialogue 2+2", "2+2 dialogue", kind="phrase"),
    Term("Agence centrale nouvelle de Corée", "Korean Central News Agency"),
    Term("Agence centrale nouvelle de Corée (KCNA)", "Korean Central News Agency (KCNA)"),
    Term("KCNA", "Korean Central News Agency", case_sensitive=True),
    Term("Corée du Nord", "North Korea"),
    Term("Corée", "Korea"),
    Term("Pékin", "Beijing", forbidden=["Peking"]),
    Term("États-Unis", "United States"),
    Term("Poutine", "Putin"),
    Term("ministère de l'Unification", "Unification Ministry"),
    Term("Le Diplomate", "The Diplomat", case_sensitive=True),
]


def spans(text: str, terms=TERMS) -> list[tuple[str, str]]:
    return [(text[h.start : h.end], h.target) for h in find_terms(text, terms)]


# --- matching -------------------------------------------------------------------------


def test_elision_leaves_the_article_outside_the_hit():
    text = "les sanctions de l'ONU, l’avis d’OTAN, ce qu'ONU voulait, l'avis d’RPDC"
    assert spans(text) == [("ONU", "UN"), ("OTAN", "NATO"), ("ONU", "UN"), ("RPDC", "DPRK")]
    assert text[find_terms(text, TERMS)[0].start - 2 :].startswith("l'ONU")


def test_an_elided_article_inside_a_term_matches_either_apostrophe():
    assert spans("le ministère de l’Unification de Séoul") == [
        ("ministère de l’Unification", "Unification Ministry")
    ]


def test_case_sensitive_terms_need_their_case_and_others_do_not():
    assert spans("la RPDC et la rpdc") == [("RPDC", "DPRK")]
    assert spans("PÉKIN, pékin et Pékin") == [("PÉKIN", "Beijing"), ("pékin", "Beijing"),
                                             ("Pékin", "Beijing")]  # fmt: skip
    # "le diplomate" is a common noun; only the magazine's capitals are the term
    assert spans("un article pour Le Diplomate, dit le diplomate") == [
        ("Le Diplomate", "The Diplomat")
    ]


def test_an_unaccented_capital_stands_for_an_accented_letter():
    assert spans("les Etats-Unis et PEKIN") == [
        ("Etats-Unis", "United States"),
        ("PEKIN", "Beijing"),
    ]
    assert spans("pekin") == []  # a lower-case letter keeps its accent


def test_hyphen_and_space_variants_are_one_term():
    for written in ("Kim Jong Un", "Kim Jong-un", "Kim Jong-Un", "Kim-Jong-Un", "KIM JONG UN"):
        assert spans(f"le dirigeant {written} a dit") == [(written, "Kim Jong Un")], written
    assert spans("la Corée du Nord-Russie") == [("Corée du Nord", "North Korea")]


def test_plural_and_feminine_forms_of_a_word_are_the_term():
    text = (
        "les armes nord-coréennes, les médias nord-coréens, la presse nord-coréenne, "
        "les Nord-Coréens"
    )
    assert [t for t, _ in spans(text)] == [
        "nord-coréennes",
        "nord-coréens",
        "nord-coréenne",
        "Nord-Coréens",
    ]
    assert spans("les dialogues 2+2") == [("dialogues 2+2", "2+2 dialogue")]
    # a name is not inflected, and a word is not matched inside a longer word
    assert spans("les Poutines et nord-coréanité") == []


def test_the_longest_term_wins_an_overlap():
    text = (
        "L'Agence centrale nouvelle de Corée (KCNA) a cité KCNA et la Corée du Nord, pas la Corée"
    )
    assert spans(text) == [
        ("Agence centrale nouvelle de Corée (KCNA)", "Korean Central News Agency (KCNA)"),
        ("KCNA", "Korean Central News Agency"),
        ("Corée du Nord", "North Korea"),
        ("Corée", "Korea"),
    ]


def test_the_longest_wins_even_when_a_shorter_term_starts_first():
    terms = [Term("alpha bêta", "AB"), Term("bêta gamma delta", "BGD"), Term("alpha", "A")]
    assert spans("alpha bêta gamma delta", terms) == [("alpha", "A"), ("bêta gamma delta", "BGD")]


def test_characters_that_mean_something_in_a_regex_are_plain_text():
    assert spans("le dialogue 2+2 avec Séoul") == [("dialogue 2+2", "2+2 dialogue")]
    assert spans("le dialogue 22, le dialogue 2-2 et le dialogue 12+2") == []
    terms = [Term("(KCNA)", "(KCNA)"), Term("C++", "C++"), Term("a.b", "a.b")]
    assert spans("selon (KCNA) en C++ et axb", terms) == [("(KCNA)", "(KCNA)"), ("C++", "C++")]


def test_spans_are_exact_for_non_breaking_spaces_and_curly_quotes():
    text = "« la Corée\u00a0du Nord » et l’ONU"
    assert spans(text) == [("Corée\u00a0du Nord", "North Korea"), ("ONU", "UN")]


WORDS = st.sampled_from(["la", "visite", "de", "Russie", "et", "le", "sommet", "à", "Moscou", ","])


@settings(max_examples=60, deadline=None)
@given(
    before=st.lists(WORDS, max_size=6),
    after=st.lists(WORDS, max_size=6),
    term=st.sampled_from(TERMS),
)
def test_a_term_inserted_anywhere_is_found_at_its_exact_span(before, after, term):
    left = " ".join(before) + (" " if before else "")
    text = left + term.source + (" " if after else "") + " ".join(after)
    hits = find_terms(text, TERMS)
    assert any(
        h.start == len(left) and h.end == len(left) + len(term.source) and h.source == term.source
        for h in hits
    ), (text, hits)
    assert all(a.end <= b.start for a, b in zip(hits, hits[1:], strict=False))


def test_one_compiled_matcher_serves_ten_thousand_terms():
    terms = [Term(f"terme{n} spécial", f"term{n}") for n in range(10_000)] + TERMS
    text = "le terme9999 spécial et le terme17 spéciaux à Pékin"
    assert spans(text, terms) == [
        ("terme9999 spécial", "term9999"),
        ("terme17 spéciaux", "term17"),
        ("Pékin", "Beijing"),
    ]


# --- the honoured test -----------------------------------------------------------------


@pytest.mark.parametrize(
    "english, target, ok",
    [
        ("the UN said", "UN", True),
        ("the un said", "UN", False),  # an acronym keeps its capitals
        ("The U.N. also hopes", "UN", True),  # written with periods
        ("the U.N's plan", "UN", True),
        ("a TUNE", "UN", False),
        ("NATO's personnel", "NATO", True),
        ("the Nato personnel", "NATO", False),
        ("north korean weapons", "North Korean", True),
        ("North Koreans are", "North Korean", True),
        ("North-Korean media", "North Korean", True),
        ("the Workers’ Party of Korea", "Workers' Party of Korea", True),
        ("the first 2+2 dialogues", "2+2 dialogue", True),
        ("the first 2 + 2 dialogue", "2+2 dialogue", True),
        ("the dialogue 2+2", "2+2 dialogue", False),
        ("Kim Jong-un", "Kim Jong Un", True),
        ("Kim Jong One", "Kim Jong Un", False),
        ("the Korean Central News Agency (KCNA) said", "Korean Central News Agency (KCNA)", True),
        ("Unification Ministryx", "Unification Ministry", False),
        ("its allies", "ally", True),
    ],
)
def test_target_present_in_the_forms_a_reader_accepts(english, target, ok):
    assert term_honoured(english, target) is ok


def test_a_forbidden_rendering_fails_the_term_even_with_the_target():
    assert term_honoured("Beijing, not Peking", "Beijing", ["Peking"]) is False
    assert term_honoured("Beijing said", "Beijing", ["Peking"]) is True


# --- loading and validation ------------------------------------------------------------

BROKEN = """\
# a hand-kept glossary with one problem of each kind
terms:
  - source: RPDC
    target: DPRK
  - source: Corée du Nord
  - source: RPDC
    target: North Korea
  - source: Kim Jong Un
    target: Kim Jong Un
    variants: [Kim Jong-un]
  - source: Kim Jong-il
    target: Kim Jong Il
    variants: [Kim Jong-un]
  - source: Pékin
    target: Beijing
    forbidden: [Peking, beijing]
  - source: Séoul
    target: Seoul
    knid: place
  - source: OTAN
    target: NATO
    case_sensitive: "yes"
  - source: Moscou
    target: Moscow
    variants: Moskva
  - source: 1961
    target: 1961
  - source: Kiev
    target: Kyiv
    kind: town
"""


def test_validation_reports_every_problem_with_its_line_and_term(tmp_path):
    path = tmp_path / "glossary.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    _, problems = validate_glossary(path)
    got = [str(p).replace(str(path), "G") for p in problems]
    assert got == [
        "G:5: term 'Corée du Nord': missing target",
        "G:6: term 'RPDC': duplicate source: already the source of the term on line 3",
        "G:13: term 'Kim Jong-il': variant 'Kim Jong-un' is claimed by two terms: it is also "
        "the source of 'Kim Jong Un' (line 8)",
        "G:16: term 'Pékin': forbidden rendering 'beijing' is the target",
        "G:19: term 'Séoul': unknown key 'knid' (did you mean 'kind'?)",
        "G:22: term 'OTAN': case_sensitive must be true or false, not text",
        "G:25: term 'Moscou': variants must be a list of texts, not text",
        "G:26: term '1961': source must be text, not a number (quote it)",
        "G:27: term '1961': target must be text, not a number (quote it)",
        "G:30: term 'Kiev': unknown kind 'town' (one of acronym, person, place, organization, "
        "phrase, keep)",
    ]


def test_loading_stops_on_the_first_problem_and_says_how_many_more(tmp_path):
    path = tmp_path / "glossary.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(PipelineError, match=r"glossary.yaml:5: term 'Corée du Nord': missing "
                       r"target \(and 9 more; run 'pipeline glossary validate'\)"):  # fmt: skip
        load_glossary(path)


def test_a_yaml_tag_that_would_build_an_object_is_refused(tmp_path):
    marker = tmp_path / "created-by-yaml"
    tag = f'!!python/object/apply:builtins.open ["{marker}", "w"]'
    text = f"terms:\n  - source: x\n    target: {tag}\n"
    terms, problems = read_glossary_text(text, "g.yaml")
    assert terms == []
    assert "g.yaml:3:" in str(problems[0]) and "not allowed" in str(problems[0])
    assert not marker.exists()


def test_invalid_yaml_names_its_line():
    _, problems = read_glossary_text("terms:\n  - source: a\n    target: [b\n", "g.yaml")
    assert str(problems[0]).startswith("g.yaml:4: invalid YAML")


def test_a_kept_term_may_leave_out_its_target():
    terms, problems = read_glossary_text("terms:\n  - source: Pyongyang\n    kind: keep\n")
    assert problems == [] and terms[0].target == "Pyongyang" and terms[0].line == 2


def test_the_project_glossary_is_valid_and_holds_the_issue_terms():
    terms, problems = validate_glossary(REPO / "glossary" / "glossary.yaml")
    assert problems == []
    by_source = {t.source: t for t in terms}
    for source, target in [
        ("RPDC", "DPRK"),
        ("KCNA", "Korean Central News Agency"),
        ("Agence centrale nouvelle de Corée", "Korean Central News Agency"),
        ("dialogue 2+2", "2+2 dialogue"),
        ("ONU", "UN"),
        ("OTAN", "NATO"),
        ("Conseil de sécurité", "Security Council"),
        ("Poutine", "Putin"),
        ("Pékin", "Beijing"),
        ("Séoul", "Seoul"),
        ("Kim Jong Un", "Kim Jong Un"),
        ("Iouri Ouchakov", "Yuri Ushakov"),
        ("Maison Blanche", "White House"),
        ("Parti des travailleurs de Corée", "Workers' Party of Korea"),
        ("ministère de l'Unification", "Unification Ministry"),
        ("Le Diplomate", "The Diplomat"),
        ("Forum économique oriental (FEE)", "Eastern Economic Forum (EEF)"),
    ]:
        assert by_source[source].target == target
    assert "Kim Jong-un" in by_source["Kim Jong Un"].variants
    assert "Yury Ushakov" in by_source["Iouri Ouchakov"].variants


def test_a_big_glossary_is_parsed_once_then_taken_from_the_cache(tmp_path, monkeypatch):
    """Terms, problems and the compiled matcher of a big file come back the same from the
    cache; a changed file is parsed again."""
    from pipeline import glossary
    from pipeline.glossary import cache

    monkeypatch.setenv("PIPELINE_CACHE_DIR", str(tmp_path / "cache"))
    lines = ["terms:", "  - source: RPDC", "    target: DPRK", "    case_sensitive: true"]
    for n in range(6000):
        lines += [f"  - source: terme{n} inventé", f"    target: made-up term {n}"]
    lines += ["  - source: RPDC", "    target: North Korea"]  # a duplicate source: a problem
    path = tmp_path / "big.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert len(path.read_text(encoding="utf-8")) >= cache.MIN_CHARS
    first_terms, first_problems = glossary.validate_glossary(path)
    assert len(list((tmp_path / "cache" / "glossary").glob("*.terms"))) == 1
    text = "La RPDC et le terme5999 inventé, puis le terme12 inventé."
    first_hits = glossary.find_terms(text, first_terms)
    assert len(list((tmp_path / "cache" / "glossary").glob("*.trie"))) == 1
    again_terms, again_problems = glossary.validate_glossary(path)
    assert again_terms == first_terms and again_terms is not first_terms
    assert [t.field_lines for t in again_terms] == [t.field_lines for t in first_terms]
    assert again_problems == first_problems and "duplicate source" in str(again_problems[0])
    assert glossary.find_terms(text, again_terms) == first_hits
    assert [h.source for h in first_hits] == ["RPDC", "terme5999 inventé", "terme12 inventé"]
    path.write_text("\n".join(lines[:-2]) + "\n", encoding="utf-8")
    assert glossary.validate_glossary(path)[1] == []  # the edit is seen, not the cache


def test_what_a_check_works_out_from_a_big_glossary_is_kept_beside_its_parse(
    tmp_path, monkeypatch
):
    """The untranslated checks' kept words of a cached file are worked out once, then read
    back (equal) by the next process; terms not from a cached file are worked out each time."""
    from pipeline import glossary
    from pipeline.checks import untranslated
    from pipeline.glossary import cache

    monkeypatch.setenv("PIPELINE_CACHE_DIR", str(tmp_path / "cache"))
    lines = ["terms:", "  - source: Séoul", "    target: Seoul", "    kind: place"]
    for n in range(6000):
        lines += [f"  - source: terme{n} inventé", f"    target: Made-up term {n}"]
    path = tmp_path / "big.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    terms = glossary.load_glossary(path)
    calls = []

    def words():
        calls.append(1)
        return frozenset({"made", "up", "term"})

    expected = {"made", "up", "term"}
    assert cache.derived(terms, "test-words", words) == expected
    assert cache.derived(glossary.load_glossary(path), "test-words", words) == expected
    assert len(calls) == 1
    assert cache.derived(list(terms), "test-words", words) and len(calls) == 2
    kept = untranslated._kept_words(terms)
    assert {"made", "up", "term", "seoul", "séoul"} <= kept
    untranslated._kept_memo[:] = [None, None, frozenset()]  # as a fresh process
    assert untranslated._kept_words(glossary.load_glossary(path)) == kept
    assert untranslated._kept_words(list(terms)) == kept
