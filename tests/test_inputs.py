"""Real input, as a newsroom receives it: saved web pages, Word and PDF files, text in any
encoding and Unicode form, files with any name.

Real parts: the ten real French pages of ../shared/web through trafilatura, Word files
written by python-docx, PDFs with a text layer written by fpdf2 and read by poppler, the
real cleaner (spaCy's lexicon), and `pipeline run` with the real apertium engine.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from input_files import write_docx, write_pdf, write_scanned_pdf, write_two_column_pdf

from pipeline import clean, corpus, inputs
from pipeline.cli import main
from pipeline.errors import PipelineError
from pipeline.translate.apertium import missing_modes

REPO = Path(__file__).resolve().parent.parent
WEB = REPO.parent / "shared" / "web"

needs_apertium = pytest.mark.skipif(
    bool(missing_modes("es")), reason="apertium fr-es/spa-eng is not installed"
)
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="no poppler")


def squashed(text: str) -> str:
    """White space aside: the cleaner splits words a page's markup glued together
    (`surnommait</strong><strong>le` reads `surnommaitle` in the page and in the
    evaluation set's snippet; the clean text has `surnommait le`)."""
    return re.sub(r"\s+", "", text)


def clean_command(*args: str) -> str:
    result = CliRunner().invoke(main, ["clean", *args])
    assert result.exit_code == 0, result.output
    return result.output


# --- web pages ----------------------------------------------------------------------


@pytest.mark.skipif(not WEB.is_dir(), reason="../shared/web is not beside the repository")
def test_the_ten_web_pages_keep_every_article_snippet_and_lose_every_furniture_one():
    expected = json.loads((WEB / "expected.json").read_text(encoding="utf-8"))
    kept, removed, wanted, unwanted, misses = 0, 0, 0, 0, []
    for name, truth in expected.items():
        text = squashed(clean_command(str(WEB / name)))
        for snippet in truth["with"]:
            wanted += 1
            if squashed(snippet) in text:
                kept += 1
            else:
                misses.append(f"{name}: lost {snippet!r}")
        for snippet in truth["without"]:
            unwanted += 1
            if squashed(snippet) not in text:
                removed += 1
            else:
                misses.append(f"{name}: kept {snippet!r}")
    assert (kept, wanted, removed, unwanted) == (29, 29, 30, 30), misses


@pytest.mark.skipif(not WEB.is_dir(), reason="../shared/web is not beside the repository")
def test_a_web_page_gives_its_metadata_and_explain_shows_the_extraction():
    doc = inputs.read_document(WEB / "bondyblog.fr.paris-8.html")
    assert (doc.source_format, doc.author, doc.date) == ("html", "Kab Niang", "2020-02-17")
    assert doc.title == "A Paris-8, un peu de tension, beaucoup d'actions"  # site name cut
    assert doc.raw.startswith(doc.title + "\n\n")  # the title is translated with the text
    lines = clean_command("--explain", str(WEB / "bondyblog.fr.paris-8.html")).splitlines()
    assert lines[0].startswith("document") and "author Kab Niang" in lines[0]
    extraction = next(line for line in lines if line.startswith("web_page_extraction"))
    found = re.search(r"([\d,]+) of ([\d,]+) characters kept", extraction)
    kept, total = (int(n.replace(",", "")) for n in found.groups())
    assert 0 < kept < total
    assert any(line.startswith("picture_credit") for line in lines)  # `Crédit photo : ...`


def test_the_web_rules_leave_ordinary_article_text_alone():
    """The three rules for what extraction leaves, over sentences no rule was written from:
    an article's own `voir aussi`, a list of names inside a sentence, a photo described."""
    text = (
        "À voir également : le musée d'art de Tel-Aviv, ouvert jusqu'à minuit.\n\n"
        "Étaient présents Paris, Berlin, Rome et Madrid.\n\n"
        "La photo du président, prise à Pékin, a fait le tour du monde."
    )
    assert clean.clean_text(text).text == text


def test_related_links_credits_and_closing_lists_are_removed_as_fixes():
    raw = (
        "Le ministre est arrivé à Séoul.\n\nÀ lire aussi : Le sommet de Hanoï\n\n"
        "Il repart demain.\n\nPhoto : AFP / Jung Yeon-je\n\nCNRS, Inserm, Inria."
    )
    result = clean.clean_text(raw)
    assert result.text == "Le ministre est arrivé à Séoul.\n\nIl repart demain."
    assert {f.rule for f in result.fixes} >= {"related_link", "picture_credit", "closing_name_list"}


# --- Word ---------------------------------------------------------------------------


def word_article(path: Path) -> Path:
    return write_docx(
        path,
        "Note diplomatique",
        [
            ("Title", "La visite du ministre à Pyongyang"),
            ("", "Le ministre russe est arrivé mardi à Pyongyang pour une visite."),
            ("Heading 1", "Les sanctions"),
            ("", "Les deux pays ont évoqué la coopération économique."),
        ],
        table=[["Pays", "Capitale"], ["Corée du Nord", "Pyongyang"]],
        author="Agence",
    )


def test_a_word_file_is_read_in_order_with_headings_and_table_cells(tmp_path):
    doc = inputs.read_document(word_article(tmp_path / "note.docx"))
    assert doc.raw.split("\n\n") == [
        "# La visite du ministre à Pyongyang",
        "Le ministre russe est arrivé mardi à Pyongyang pour une visite.",
        "# Les sanctions",
        "Les deux pays ont évoqué la coopération économique.",
        "Pays",
        "Capitale",
        "Corée du Nord",
        "Pyongyang",
    ]
    assert (doc.title, doc.author, doc.source_format) == ("Note diplomatique", "Agence", "docx")
    assert [doc.raw[s:e] for s, e in doc.blocks] == doc.raw.split("\n\n")


def test_a_damaged_word_file_is_skipped_with_its_reason(tmp_path, caplog):
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "good.txt").write_text("La Corée du Nord a tiré un missile.\n")
    docs = corpus.read_corpus(tmp_path)
    assert [d.name for d in docs] == ["good"]
    assert "broken.docx: skipped: not a" in caplog.text


# --- PDF ----------------------------------------------------------------------------

PDF_PAGES = [
    [
        [
            "Le président Vladimir Poutine a reçu mardi le dirigeant nord-",
            "coréen au Kremlin, où les deux hommes ont parlé de coopé-",
            "ration militaire.",
        ],
        ["La rencontre a duré trois heures."],
    ],
    [
        [
            "Les journalistes n'ont pas été autorisés à assister aux entre-",
            "tiens, selon l'agence TASS.",
        ]
    ],
]
PDF_HEADER = "Le Courrier de Moscou — mardi 3 mars 2024"


@needs_poppler
def test_a_pdf_is_read_with_hyphens_joined_and_running_heads_and_folios_removed(tmp_path):
    path = write_pdf(tmp_path / "depeche.pdf", PDF_PAGES, PDF_HEADER, "Dépêche", "Rédaction")
    doc = inputs.read_document(path)
    assert doc.raw.split("\n\n") == [
        "Le président Vladimir Poutine a reçu mardi le dirigeant nord-coréen au Kremlin, "
        "où les deux hommes ont parlé de coopération militaire.",
        "La rencontre a duré trois heures.",
        "Les journalistes n'ont pas été autorisés à assister aux entretiens, selon l'agence TASS.",
    ]
    rules = [(f.rule, f.before) for f in doc.fixes]
    assert rules.count(("pdf_running_header", PDF_HEADER)) == 2
    assert ("pdf_page_number", "1") in rules and ("pdf_page_number", "2") in rules
    assert ("pdf_hyphenation", "coopé-⏎ration") in rules
    for fix in doc.fixes:
        if fix.rule == "pdf_hyphenation":
            assert doc.raw[fix.start : fix.end] == fix.after
    assert (doc.title, doc.author) == ("Dépêche", "Rédaction")


@needs_poppler
def test_a_pdf_in_two_columns_is_read_column_after_column(tmp_path):
    left = [
        "La colonne de gauche commence ici et",
        "continue sur plusieurs lignes pour",
        "former un paragraphe complet.",
        "",
        "Deuxième paragraphe à gauche, qui",
        "se termine ici.",
    ]
    right = ["La colonne de droite vient ensuite,", "après celle de gauche."]
    doc = inputs.read_document(write_two_column_pdf(tmp_path / "colonnes.pdf", left, right))
    assert doc.raw.split("\n\n") == [
        "La colonne de gauche commence ici et continue sur plusieurs lignes pour former "
        "un paragraphe complet.",
        "Deuxième paragraphe à gauche, qui se termine ici.",
        "La colonne de droite vient ensuite, après celle de gauche.",
    ]


@needs_poppler
def test_a_scanned_pdf_gets_one_clear_line(tmp_path):
    path = write_scanned_pdf(tmp_path / "scan.pdf")
    result = CliRunner().invoke(main, ["clean", str(path)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"error: {path}: PDF with no text layer (1 page(s) of images: a scan?); "
        "OCR it first (this pipeline does no OCR)"
    ]


# --- encodings and Unicode ----------------------------------------------------------


def test_utf8_with_one_latin1_line_is_decoded_per_line_and_reported(tmp_path):
    data = "Le président est arrivé.\n".encode() + "La Corée du Nord.\n".encode("latin-1")
    (tmp_path / "mixed.txt").write_bytes(data)
    doc = inputs.read_document(tmp_path / "mixed.txt")
    assert doc.raw == "Le président est arrivé.\nLa Corée du Nord.\n"
    [fix] = doc.fixes
    assert (fix.rule, doc.raw[fix.start : fix.end]) == ("line_encoding", "La Corée du Nord.")
    assert "line 2 is not UTF-8" in fix.note


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_a_bom_are_read(tmp_path, codec):
    text = "La Corée du Nord a tiré un missile.\n"
    bom = {"utf-16-be": b"\xfe\xff"}.get(codec, b"")
    (tmp_path / "a.txt").write_bytes(bom + text.encode(codec))
    assert inputs.read_document(tmp_path / "a.txt").raw == text


def test_nfd_invisible_characters_and_mojibake_are_fixed_with_named_fixes():
    raw = "Il est arrive\u0301 a\u0300 Mos\u200bcou, en Core\u0301e. La CorÃ©e du Nord."
    result = clean.clean_text(raw)
    assert result.text == "Il est arrivé à Moscou, en Corée. La Corée du Nord."
    by_rule = {f.rule: f for f in result.fixes}
    assert by_rule["invisible_characters"].note == "U+200B ZERO WIDTH SPACE"
    assert by_rule["mojibake"].note.startswith("ftfy: ")
    assert "unicode_nfc" in by_rule


# --- names --------------------------------------------------------------------------


def test_names_are_escaped_as_percent_codes():
    assert inputs.escape_name(os.fsdecode(b"Cor\xe9e")) == "Cor%E9e"
    assert inputs.escape_name("deux\nlignes\t") == "deux%0Alignes%09"
    assert inputs.escape_name("Corée du Nord – été") == "Corée du Nord – été"


# --- end to end: `pipeline run` over everything a newsroom receives ------------------


def run_pipeline(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        errors="backslashreplace",
        timeout=600,
    )


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory):
    """A corpus folder with one file of every kind and every encoding and name case, and
    one `pipeline run` over it (apertium)."""
    if missing_modes("es"):
        pytest.skip("apertium fr-es/spa-eng is not installed")
    if shutil.which("pdftotext") is None:
        pytest.skip("no poppler")
    top = tmp_path_factory.mktemp("newsroom")
    folder = top / "corpus"
    folder.mkdir()
    (folder / "depeche.txt").write_text("Pyongyang a annoncé lundi un essai de missile.\n")
    (folder / "billet.md").write_text(
        "---\ntitle: Un billet\nauthor: Jean Dupont\ndate: 2024-03-01\n---\n"
        "# Le billet du jour\n\nLa **Corée du Nord** a tiré un [missile](http://x.fr).\n"
    )
    if WEB.is_dir():
        shutil.copy(WEB / "bondyblog.fr.paris-8.html", folder / "bondy.html")
    word_article(folder / "note.docx")
    write_pdf(folder / "journal.pdf", PDF_PAGES, PDF_HEADER, "Dépêche", "Rédaction")
    write_scanned_pdf(folder / "scan.pdf")
    # encodings and Unicode forms
    (folder / "nfd.txt").write_text("Le ministre est arrive\u0301 a\u0300 Pe\u0301kin.\n")
    (folder / "mixed.txt").write_bytes(
        "Le ministre est arrivé mardi.\n".encode()
        + "La Corée du Nord a protesté.\n".encode("latin-1")
    )
    (folder / "zwsp.txt").write_text("Le président est arrivé à Mos\u200bcou mardi.\n")
    (folder / "utf16.txt").write_bytes("La Corée du Nord a tiré un missile.\n".encode("utf-16"))
    # names
    (folder / os.fsdecode(b"Cor\xe9e.txt")).write_text("Le Japon a protesté mardi.\n")
    (folder / "deux\nlignes.txt").write_text("La Chine a protesté mercredi.\n")
    glossary = str(REPO / "glossary" / "glossary.yaml")
    done = run_pipeline(
        "run",
        "--corpus",
        "corpus",
        "--out",
        "out",
        "--engine",
        "apertium",
        "--glossary",
        glossary,
        cwd=top,
    )
    assert done.returncode == 0, done.stderr
    return top, done


def records(out: Path, name: str) -> list[dict]:
    return [json.loads(line) for line in (out / f"{name}.jsonl").read_text().splitlines()]


def test_every_kind_of_file_gets_every_output_and_the_report_shows_the_reading(newsroom):
    top, done = newsroom
    out = top / "out"
    names = ["depeche", "billet", "note", "journal", "nfd", "mixed", "zwsp", "utf16"]
    names += ["Cor%E9e", "deux%0Alignes"] + (["bondy"] if WEB.is_dir() else [])
    for name in names:
        for suffix in (".jsonl", ".po", ".tmx", ".html", ".en.md"):
            assert (out / f"{name}{suffix}").is_file(), f"{name}{suffix}"
    assert (out / "note.en.docx").is_file()
    assert "scan.pdf: skipped: PDF with no text layer" in done.stderr
    report = (out / "report.md").read_text()
    assert "## Documents" in report
    journal = next(line for line in report.splitlines() if line.startswith("| journal |"))
    assert "pdf\\_running\\_header 2" in journal and "pdf\\_page\\_number 2" in journal
    data = json.loads((out / "report.json").read_text())
    docs = {d["name"]: d for d in data["documents"]}
    assert docs["billet"]["author"] == "Jean Dupont"
    if WEB.is_dir():
        assert "characters kept" in docs["bondy"]["reading"]
        assert docs["bondy"]["author"] == "Kab Niang"
        assert "Kab Niang" in (out / "bondy.html").read_text()
        assert "*Kab Niang · 2020-02-17" in (out / "bondy.en.md").read_text()
        assert "X-Source-Author: Kab Niang" in (out / "bondy.po").read_text()
    assert {f["rule"] for f in data["fixes"]} >= {"pdf_hyphenation", "front_matter"}


def test_the_english_word_file_has_the_same_paragraphs_and_styles(newsroom):
    import docx

    top, _ = newsroom
    french = docx.Document(str(top / "corpus" / "note.docx"))
    english = docx.Document(str(top / "out" / "note.en.docx"))
    pairs = list(zip(french.paragraphs, english.paragraphs, strict=True))
    assert [f.style.name for f, _ in pairs] == [e.style.name for _, e in pairs]
    assert english.paragraphs[0].text.startswith("The ")
    assert (
        "Pyongyang" in english.paragraphs[1].text and "ministre" not in english.paragraphs[1].text
    )
    assert english.paragraphs[1].runs[0].bold  # the first run's formatting is kept
    cells = [c.text for row in english.tables[0].rows for c in row.cells]
    assert cells[2] == "North Korea"


def test_a_reviewers_edit_reaches_the_english_word_file_through_pipeline_check(newsroom, tmp_path):
    import docx

    top, _ = newsroom
    out = tmp_path / "out"
    shutil.copytree(top / "out", out)
    rows = records(out, "note")
    english = "The Russian minister arrived in Pyongyang on Tuesday for a visit."
    rows[1]["en"] = english
    (out / "note.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    done = run_pipeline("check", "--out", str(out), "--corpus", str(top / "corpus"), cwd=top)
    assert done.returncode == 0, done.stderr
    assert docx.Document(str(out / "note.en.docx")).paragraphs[1].text == english
    assert "## Documents" in (out / "report.md").read_text()


def test_a_decomposed_file_is_translated_and_finds_its_glossary_term(newsroom):
    top, _ = newsroom
    [record] = records(top / "out", "nfd")
    assert record["fr"] == "Le ministre est arrivé à Pékin."
    assert "Beijing" in record["en"] and "\u0300" not in record["en"]
    assert [t["source"] for t in record["terms"]] == ["Pékin"]


def test_a_file_mixing_encodings_is_decoded_line_by_line(newsroom):
    top, _ = newsroom
    frs = [r["fr"] for r in records(top / "out", "mixed")]
    assert frs == ["Le ministre est arrivé mardi.", "La Corée du Nord a protesté."]
    assert any(r["terms"] for r in records(top / "out", "mixed"))  # Corée du Nord found
    assert "not UTF-8: decoded as latin-1" in (top / "out" / "report.md").read_text()


def test_a_zero_width_space_no_longer_breaks_a_word(newsroom):
    top, _ = newsroom
    [record] = records(top / "out", "zwsp")
    assert record["fr"] == "Le président est arrivé à Moscou mardi."
    assert "Moscow" in record["en"]
    assert "U+200B ZERO WIDTH SPACE" in (top / "out" / "report.md").read_text()


def test_a_utf16_file_is_translated(newsroom):
    top, _ = newsroom
    [record] = records(top / "out", "utf16")
    assert "North Korea" in record["en"]


def test_odd_names_are_escaped_and_their_po_files_pass_msgfmt(newsroom):
    top, _ = newsroom
    out = top / "out"
    for name in ("Cor%E9e", "deux%0Alignes"):
        [record] = records(out, name)
        assert record["id"] == f"{name}:1:1"
        if shutil.which("msgfmt"):
            check = subprocess.run(
                ["msgfmt", "-c", "-o", os.devnull, str(out / f"{name}.po")],
                capture_output=True,
                text=True,
            )
            assert check.returncode == 0, check.stderr
        assert f"#: corpus/{name}.txt:1" in (out / f"{name}.po").read_text()


@needs_apertium
def test_an_output_folder_in_the_corpus_is_refused_and_nothing_is_written(tmp_path):
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text("Le Japon a protesté.\n")
    for out in ("corpus", "corpus/out"):
        done = run_pipeline(
            "run", "--corpus", "corpus", "--out", out, "--engine", "apertium", cwd=tmp_path
        )
        assert done.returncode == 1
        assert "the next run would read the outputs as articles" in done.stderr
    assert sorted(p.name for p in (tmp_path / "corpus").iterdir()) == ["a.txt"]


@needs_apertium
def test_one_file_as_the_corpus(tmp_path):
    (tmp_path / "seul.txt").write_text("La Corée du Nord a tiré un missile.\n")
    done = run_pipeline(
        "run", "--corpus", "seul.txt", "--out", "out", "--engine", "apertium", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    [record] = records(tmp_path / "out", "seul")
    assert "North Korea" in record["en"]


def test_a_corpus_file_of_an_unknown_kind_is_refused(tmp_path):
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(PipelineError, match="neither a folder nor a file of a kind"):
        corpus.read_corpus(tmp_path / "photo.jpg")


@pytest.mark.skipif(not WEB.is_dir(), reason="../shared/web is not beside the repository")
def test_a_cached_web_page_keeps_its_reader_fixes_and_a_new_extraction_is_prepared_again(
    tmp_path, monkeypatch
):
    """The prepared-document cache stores the reader's fixes with the cleaner's, and its
    key holds what the reader gave: a page read differently is prepared again."""
    from pipeline import prepared_cache, runner

    doc = inputs.read_document(WEB / "gala.fr.surnom.html")
    cache = prepared_cache.PreparedCache(tmp_path / "memory.sqlite")
    [first] = runner.prepare_documents([doc], [], cache)
    prepared = []
    real = runner.prepare_document
    monkeypatch.setattr(
        runner, "prepare_document", lambda d, t: prepared.append(d.name) or real(d, t)
    )
    [again] = runner.prepare_documents(
        [inputs.read_document(WEB / "gala.fr.surnom.html")], [], cache
    )
    assert prepared == [] and again.fixes == first.fixes
    assert again.fixes[0].rule == "web_page_extraction" and again.fixes[0].note
    doc.fixes[0].note = "another extraction"
    runner.prepare_documents([doc], [], cache)
    assert prepared == [doc.name]
