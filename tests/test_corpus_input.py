"""Corpus folders as careless users make them: odd encodings, odd files, odd names."""

from __future__ import annotations

import logging
import os

import pytest

from pipeline import corpus
from pipeline.errors import PipelineError

FRENCH = "La Corée du Nord a signé un traité avec la Russie à Pyongyang.\n"


def read(folder, caplog):
    with caplog.at_level(logging.WARNING, logger="pipeline"):
        return corpus.read_corpus(folder)


def test_windows_1252_and_latin_1_are_detected_decoded_and_reported(tmp_path, caplog):
    (tmp_path / "a.txt").write_bytes("L’été à Séoul – «\u00a0oui\u00a0»\n".encode("cp1252"))
    (tmp_path / "b.txt").write_bytes("Le président a été reçu à Pékin.\n".encode("latin-1"))
    docs = read(tmp_path, caplog)
    assert [d.raw for d in docs] == [
        "L’été à Séoul – «\u00a0oui\u00a0»\n",
        "Le président a été reçu à Pékin.\n",
    ]
    assert [d.encoding for d in docs] == ["windows-1252", "latin-1"]
    assert "a.txt: not UTF-8; decoded as windows-1252" in caplog.text
    assert "b.txt: not UTF-8; decoded as latin-1" in caplog.text


def test_bom_and_crlf_are_removed(tmp_path, caplog):
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf" + "Titre\r\n\r\nTexte é.\r\n".encode())
    [doc] = read(tmp_path, caplog)
    assert doc.raw == "Titre\n\nTexte é.\n"
    assert caplog.text == ""


def test_unusable_files_are_skipped_by_name_and_the_rest_is_read(tmp_path, caplog):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text(" \n\t\n")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0IHDR")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "sub").mkdir()
    (tmp_path / "good.txt").write_text(FRENCH)
    docs = read(tmp_path, caplog)
    assert [d.name for d in docs] == ["good"]
    assert "empty.txt: skipped: empty" in caplog.text
    assert "blank.txt: skipped: only white space" in caplog.text
    assert "binary.txt: skipped: binary file" in caplog.text
    assert "notes.pdf: skipped: not a readable PDF" in caplog.text
    assert "ignored 1 file(s) that are not .txt .md .html .htm .docx .pdf: photo.jpg" in (
        caplog.text
    )


def test_names_with_spaces_and_accents_are_kept(tmp_path, caplog):
    (tmp_path / "Corée du Nord – été.txt").write_text(FRENCH)
    [doc] = read(tmp_path, caplog)
    assert doc.name == "Corée du Nord – été"


def test_symlink_loop_is_skipped_not_fatal(tmp_path, caplog):
    os.symlink(tmp_path / "loop.txt", tmp_path / "loop.txt")
    (tmp_path / "good.txt").write_text(FRENCH)
    docs = read(tmp_path, caplog)
    assert [d.name for d in docs] == ["good"]
    assert "loop.txt: skipped" in caplog.text


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing", "does not exist"),
        (lambda p: p, r"holds no readable article \(\.txt \.md \.html"),
    ],
)
def test_a_folder_with_no_article_is_an_error(tmp_path, make, message):
    with pytest.raises(PipelineError, match=message):
        corpus.read_corpus(make(tmp_path))


def test_two_files_that_would_write_the_same_outputs_are_refused(tmp_path):
    (tmp_path / "a.txt").write_text(FRENCH)
    (tmp_path / "a.md").write_text(FRENCH)
    with pytest.raises(PipelineError, match="would write the same outputs"):
        corpus.read_corpus(tmp_path)
