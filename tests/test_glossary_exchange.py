"""`pipeline glossary export/import` (CSV, TSV, TBX-Basic) and `update`, `add --section`:
round trips lose nothing a format holds, imports check every entry, edits keep the file."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_glossary_cli import HAND_EDITED
from validate_schemas import tbx_permitted_values

from pipeline.cli import main
from pipeline.errors import PipelineError
from pipeline.glossary import Term, load_glossary, read_glossary_text
from pipeline.glossary.edit import update_term_text
from pipeline.glossary.exchange import export_terms, read_terms

REPO = Path(__file__).resolve().parent.parent
SCHEMAS = Path(__file__).resolve().parent / "schemas"
GLOSSARY = REPO / "glossary" / "glossary.yaml"
# A term with every field set, and texts a CSV or XML writer must quote or escape.
AWKWARD = Term(
    'l\'« Union » européenne, "UE"',
    'the "EU" & <co>',
    variants=["Union européenne", "UE;27"],
    forbidden=["European union", "E.U."],
    kind="organization",
    case_sensitive=True,
    note="line one\nline two, with a comma",
)


def fields(terms):
    return [
        (t.source, t.target, t.variants, t.forbidden, t.kind, t.case_sensitive, t.note)
        for t in terms
    ]


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def real_terms() -> list[Term]:
    return load_glossary(GLOSSARY) + [AWKWARD, Term("Tokyo", "Tokyo", kind="keep")]


@pytest.mark.parametrize("fmt", ["csv", "tsv", "tbx"])
def test_round_trip_through_each_format_keeps_every_field(fmt, tmp_path):
    terms = real_terms()
    data, _ = export_terms(terms, fmt)
    path = tmp_path / f"glossary.{fmt}"
    path.write_bytes(data)
    back, problems = read_terms(path, fmt)
    assert problems == []
    assert fields(back) == fields(terms)


@pytest.mark.parametrize("fmt", ["csv", "tbx"])
def test_yaml_to_format_to_yaml_by_the_cli_gives_the_same_glossary(fmt, tmp_path):
    source = tmp_path / "glossary.yaml"
    shutil.copy(GLOSSARY, source)
    exported = tmp_path / f"out.{fmt}"
    result = run("glossary", "export", str(exported), "--glossary", str(source))
    assert result.exit_code == 0, result.output
    assert f"exported 118 terms of {source} to {exported} ({fmt})" in result.output
    rebuilt = tmp_path / "rebuilt.yaml"
    result = run("glossary", "import", str(exported), "--glossary", str(rebuilt))
    assert result.exit_code == 0, result.output
    assert "118 added, 0 changed" in result.output
    assert fields(load_glossary(rebuilt)) == fields(load_glossary(source))
    # importing the same file again changes nothing
    before = rebuilt.read_bytes()
    result = run("glossary", "import", str(exported), "--glossary", str(rebuilt))
    assert result.exit_code == 0 and "0 added, 0 changed, 118 already" in result.output
    assert rebuilt.read_bytes() == before


def test_export_names_what_the_format_cannot_hold(tmp_path):
    result = run("glossary", "export", "--pair", "--format", "tsv", "--glossary", str(GLOSSARY))
    assert result.exit_code == 0
    rows = [line for line in result.stdout.splitlines() if line]
    assert rows[0] == "RPDC\tDPRK" and len(rows) == 118  # no header: DeepL's upload form
    assert "not held by TSV --pair: forbidden renderings of 11 terms" in result.stderr
    assert "not held by TSV --pair: case-sensitive flags of 11 terms" in result.stderr
    result = run("glossary", "export", str(tmp_path / "g.tbx"), "--glossary", str(GLOSSARY))
    assert "not held by TBX: comments and sections of the YAML file" in result.stderr
    kinds = r"not held by TBX: kinds person/place/organization/keep of \d+ terms \(no TBX-Basic"
    assert re.search(kinds + r" data category: kept as a concept note", result.stderr)


def test_tbx_export_is_valid_tbx_basic(tmp_path):
    from lxml import etree

    data, _ = export_terms(real_terms(), "tbx")
    document = etree.fromstring(data)
    schema = etree.RelaxNG(etree.parse(str(SCHEMAS / "TBXcoreStructV03_TBX-Basic_integrated.rng")))
    assert schema.validate(document), schema.error_log
    # The values the TBX-Basic Schematron permits (its XSLT 2 rules lxml cannot run).
    allowed = tbx_permitted_values()
    assert "deprecatedTerm-admn-sts" in allowed["administrativeStatus"]
    ns = {"t": "urn:iso:std:iso:30042:ed-2"}
    notes = document.findall(".//t:termNote", ns)
    assert notes and all(n.text in allowed[n.get("type")] for n in notes)
    assert document.get("type") == "TBX-Basic" and document.get("style") == "dca"
    # one concept per term; the target preferred, forbidden renderings deprecated
    first = document.find(".//t:conceptEntry", ns)
    english = first.find("t:langSec[@{http://www.w3.org/XML/1998/namespace}lang='en']", ns)
    statuses = [(s.findtext("t:term", namespaces=ns),
                 s.findtext("t:termNote[@type='administrativeStatus']", namespaces=ns))
                for s in english.findall("t:termSec", ns)]  # fmt: skip
    assert statuses == [("DPRK", "preferredTerm-admn-sts"), ("RPDC", "deprecatedTerm-admn-sts")]


def test_the_tbx_basic_sample_is_valid_and_its_concepts_without_french_are_skipped(tmp_path):
    from validate_schemas import problems

    sample = SCHEMAS / "Example_Astronomy_DCA_VALID.tbx"
    assert problems(sample) == []  # the validator accepts the dialect's own sample
    glossary = tmp_path / "glossary.yaml"
    result = run("glossary", "import", str(sample), "--glossary", str(glossary))
    assert result.exit_code == 0, result.output
    assert f"note: {sample}:19: concept 'c1' skipped: no French term" in result.stderr
    assert "0 added, 0 changed" in result.stderr and not glossary.exists()
    # the same concepts with Spanish relabelled French: several English preferred terms
    relabelled = tmp_path / "fr.tbx"
    relabelled.write_bytes(sample.read_bytes().replace(b'xml:lang="es"', b'xml:lang="fr"'))
    result = run("glossary", "import", str(relabelled), "--glossary", str(glossary))
    assert result.exit_code == 1
    assert "more than one English term for the concept ('gamma-ray burst', 'GRB')" in (
        result.stderr
    )


TBX_2008 = """<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX" xml:lang="en"><martifHeader><fileDesc><sourceDesc><p>MultiTerm</p>
</sourceDesc></fileDesc></martifHeader><text><body>
<termEntry id="e1"><descrip type="subjectField">politics</descrip>
 <langSet xml:lang="fr-FR"><tig><term>Organisation des Nations unies</term>
   <termNote type="administrativeStatus">preferredTerm</termNote></tig>
  <tig><term>Nations unies</term></tig></langSet>
 <langSet xml:lang="en-GB"><tig><term>United Nations</term></tig>
  <tig><term>UNO</term>
   <termNote type="administrativeStatus">deprecatedTerm</termNote></tig></langSet>
 <langSet xml:lang="de"><tig><term>Vereinte Nationen</term></tig></langSet>
</termEntry></body></text></martif>
"""


def test_reads_a_tbx_2008_export_of_another_tool(tmp_path):
    path = tmp_path / "multiterm.tbx"
    path.write_text(TBX_2008, encoding="utf-8")
    terms, problems = read_terms(path, "tbx")
    assert problems == []
    assert fields(terms) == [
        ("Organisation des Nations unies", "United Nations", ["Nations unies"],
         ["UNO"], "", False, "")
    ]  # fmt: skip


def test_a_two_column_file_conflicts_only_on_the_target(tmp_path):
    glossary = tmp_path / "glossary.yaml"
    shutil.copy(GLOSSARY, glossary)
    pairs = tmp_path / "deepl.csv"
    pairs.write_text("Poutine,Vladimir Putin\nKremlin,Kremlin\nRPDC,DPRK\n", encoding="utf-8")
    result = run("glossary", "import", str(pairs), "--glossary", str(glossary))
    assert result.exit_code == 1
    assert "term 'Poutine'" in result.stderr and "target 'Putin' here, 'Vladimir Putin'" in (
        result.stderr
    )
    assert "1 term(s)" in result.stderr  # not Kremlin, whose kind the file does not give


@pytest.mark.parametrize(
    "text,expected",
    [
        ("RPDC,DPRK\nPoutine,Putin\n", [("RPDC", "DPRK"), ("Poutine", "Putin")]),
        ("RPDC,DPRK,FR,EN\n", [("RPDC", "DPRK")]),  # DeepL's four columns
        ("fr,en\nPékin,Beijing\n", [("Pékin", "Beijing")]),  # Google's header
        ("source_term,target_term\nSéoul,Seoul\n", [("Séoul", "Seoul")]),
    ],
)
def test_reads_the_forms_deepl_and_google_take(text, expected, tmp_path):
    path = tmp_path / "g.csv"
    path.write_text(text, encoding="utf-8")
    terms, problems = read_terms(path, "csv")
    assert problems == [] and [(t.source, t.target) for t in terms] == expected


def test_an_invalid_entry_changes_nothing_and_every_problem_has_its_line(tmp_path):
    glossary = tmp_path / "glossary.yaml"
    glossary.write_text(HAND_EDITED, encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "source,target,kind,colour\nMoscou,Moscow,place,\nKiev,,,\nOTAN,NATO,acronim,\n"
        "Moscou,Moskva,,\n",
        encoding="utf-8",
    )
    result = run("glossary", "import", str(bad), "--glossary", str(glossary))
    assert result.exit_code == 1
    assert f"{bad}:1: unknown column 'colour'" in result.stderr
    assert f"{bad}:3: term 'Kiev': target is empty" in result.stderr
    assert f"{bad}:4: term 'OTAN': unknown kind 'acronim'" in result.stderr
    assert f"{bad}:5: term 'Moscou': duplicate source" in result.stderr
    assert "nothing imported" in result.stderr
    assert glossary.read_text(encoding="utf-8") == HAND_EDITED


def test_conflicts_are_reported_term_by_term_then_replace_or_merge_says_who_wins(tmp_path):
    glossary = tmp_path / "glossary.yaml"
    glossary.write_text(HAND_EDITED, encoding="utf-8")
    theirs = tmp_path / "theirs.csv"
    theirs.write_text(
        "source,target,forbidden,note\nPékin,Peking,Beiping,\nSéoul,Seoul City,,\n"
        "Moscou,Moscow,,new\n",
        encoding="utf-8",
    )
    result = run("glossary", "import", str(theirs), "--glossary", str(glossary))
    assert result.exit_code == 1
    assert f"{theirs}:2: term 'Pékin' ({glossary}:9): target 'Beijing' here, 'Peking'" in (
        result.stderr
    )
    assert f"{theirs}:3: term 'Séoul'" in result.stderr and "2 term(s)" in result.stderr
    assert glossary.read_text(encoding="utf-8") == HAND_EDITED  # not even Moscou added

    result = run("glossary", "import", str(theirs), "--replace", "--glossary", str(glossary))
    assert result.exit_code == 0, result.output  # the file wins where it says something
    terms = {t.source: t for t in load_glossary(glossary)}
    assert (terms["Pékin"].target, terms["Pékin"].forbidden) == ("Peking", ["Beiping"])
    assert terms["Séoul"].target == "Seoul City" and terms["Moscou"].target == "Moscow"
    assert terms["Séoul"].note == "a folded note on two lines"  # its empty cell says nothing
    merged = tmp_path / "merged.yaml"
    merged.write_text(HAND_EDITED, encoding="utf-8")
    theirs.write_text(
        "source,target,forbidden,note\nPékin,Pei-ching,Beiping,\nMoscou,Moscow,,new\n",
        encoding="utf-8",
    )
    result = run("glossary", "import", str(theirs), "--merge", "--glossary", str(merged))
    assert result.exit_code == 0, result.output
    terms = {t.source: t for t in load_glossary(merged)}
    assert terms["Pékin"].target == "Beijing"  # the glossary wins
    assert terms["Pékin"].forbidden == ["Peking", "Beiping"]  # the file's rendering added
    assert "kept the glossary's target 'Beijing' here, 'Pei-ching' in the file" in result.stderr
    assert terms["Moscou"].note == "new"
    text = merged.read_text(encoding="utf-8")
    assert "# Beijing, never Peking" in text and "  - source: RPDC      # the acronym" in text

    result = run("glossary", "import", str(theirs), "--replace", "--glossary", str(merged))
    assert result.exit_code == 0, result.output
    terms = {t.source: t for t in load_glossary(merged)}
    assert (terms["Pékin"].target, terms["Pékin"].forbidden) == ("Pei-ching", ["Beiping"])


# --- update, add --section, keep, remove by a variant ------------------------------------


def test_update_rewrites_only_the_lines_that_change():
    text, before, after = update_term_text(
        HAND_EDITED, "RPDC", target="D.P.R.K.", add_variants=["R.P.D.C."], note="acronym"
    )
    assert (after.target, after.variants, after.note) == ("D.P.R.K.", ["R.P.D.C."], "acronym")
    old, new = HAND_EDITED.splitlines(), text.splitlines()
    assert new[:4] == old[:4] and new[4] == "    target: D.P.R.K."
    assert new[5:8] == ["    case_sensitive: true", "    variants: [R.P.D.C.]", "    note: acronym"]
    assert new[8:] == old[6:]
    text, _, _ = update_term_text(HAND_EDITED, "Séoul", note="")  # a folded note dropped
    assert "a folded note" not in text and "  # --- Russia ---" in text
    text, _, _ = update_term_text(HAND_EDITED, "pékin", remove_forbidden=["Peking"])
    assert '    target: "Beijing"\n  - source: Séoul' in text  # the quoting is kept


def test_update_refuses_what_would_break_the_glossary_and_names_a_variants_term():
    with pytest.raises(PipelineError, match="is the target of 'Pékin'"):
        update_term_text(HAND_EDITED, "Séoul", add_forbidden=["Beijing"])
    text = HAND_EDITED.replace("    target: Putin", "    target: Putin\n    variants: [Poutin]")
    with pytest.raises(PipelineError, match="'Poutin' is a variant of the term 'Poutine'"):
        update_term_text(text, "Poutin", target="Poutine")
    result = CliRunner().invoke(main, ["glossary", "remove", "Kim Jong-un", "--glossary",
                                       str(GLOSSARY)])  # fmt: skip
    assert result.exit_code == 1
    assert "'Kim Jong-un' is a variant of the term 'Kim Jong Un'" in result.stderr


def test_cli_update_add_to_a_section_and_a_kept_term_without_target(tmp_path):
    path = tmp_path / "glossary.yaml"
    path.write_text(HAND_EDITED, encoding="utf-8")
    result = run("glossary", "update", "Poutine", "--add-variant", "Poutin", "--forbid", "Poutine",
                 "--kind", "person", "--glossary", str(path))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (
        "updated Poutine → Putin  [person]  variants: Poutin  forbidden: Poutine" in result.output
    )
    result = run("glossary", "add", "Pyongyang", "Pyongyang", "--section", "korea",
                 "--glossary", str(path))  # fmt: skip
    assert result.exit_code == 0, result.output
    result = run("glossary", "add", "Le Monde", "--kind", "keep", "--section", "Press",
                 "--glossary", str(path))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert run("glossary", "add", "Kiev", "--glossary", str(path)).exit_code == 2
    lines = path.read_text(encoding="utf-8").splitlines()
    at = lines.index("  - source: Pyongyang")  # at the end of the Korea section
    assert lines[at - 1] == "      on two lines" and lines[at + 3] == "  # --- Russia ---"
    assert lines[-4:] == ["# end of the list", "  # --- Press ---", "  - source: Le Monde",
                          "    kind: keep"][1:] or "  # --- Press ---" in lines  # fmt: skip
    terms = {t.source: t for t in read_glossary_text("\n".join(lines))[0]}
    assert terms["Le Monde"].target == "Le Monde" and terms["Poutine"].variants == ["Poutin"]
