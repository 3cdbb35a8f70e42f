"""Limits and the all-or-nothing outputs, in process: a 20 MB article (ending with a
paragraph over spaCy's max_length), 10,000 small files, a file size limit, and a Ctrl-C
during the renames.

Times are measured in benchmarks/limits.py; these tests check that the work completes and
that nothing is lost.
"""

from __future__ import annotations

import os
import re
import resource
import signal
from pathlib import Path

import pytest

from pipeline import corpus, export, fileio, runner, segment
from pipeline.errors import PipelineError
from pipeline.memory import TranslationMemory

REPO = Path(__file__).resolve().parent.parent
FLORES = REPO.parent / "shared" / "eval" / "flores200-devtest.fr"


def french_lines() -> list[str]:
    if FLORES.exists():
        return FLORES.read_text(encoding="utf-8").splitlines()
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted((REPO / "corpus").glob("*")))
    return [line for line in text.splitlines() if len(line) > 40]


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def assert_segments_cover(segments, text: str) -> None:
    """Segments in order, within bounds, ids unique, and every word of the text in one."""
    assert len({s.id for s in segments}) == len(segments)
    last = 0
    for s in segments:
        start, end = s.fr_raw
        assert last <= start < end <= len(text)
        last = end
    assert words(" ".join(text[s.fr_raw[0] : s.fr_raw[1]] for s in segments)) == words(text)


def test_a_paragraph_without_spaces_or_punctuation_is_cut_at_the_limit():
    text = "a" * 25_000
    segments = segment.segment_document("blob", text)
    assert [s.fr_raw for s in segments] == [(0, 10_000), (10_000, 20_000), (20_000, 25_000)]


@pytest.fixture(scope="module")
def article_20mb(tmp_path_factory) -> Path:
    """A 20 MB article: real French paragraphs, then one paragraph of 1.2 MB."""
    lines = french_lines()
    paragraphs = [" ".join(lines[i : i + 5]) for i in range(0, len(lines), 5)]
    block = "\n\n".join(paragraphs) + "\n\n"
    huge = " ".join(lines)
    huge = (huge + " ") * (1_200_000 // len(huge) + 1)
    size = 20 * 1024 * 1024
    body = block * ((size - len(huge.encode())) // len(block.encode()) + 1)
    text = body[: size - len(huge.encode())].rsplit("\n\n", 1)[0] + "\n\n" + huge.strip()
    folder = tmp_path_factory.mktemp("big") / "corpus"
    folder.mkdir()
    path = folder / "grand article.txt"
    path.write_text(text + "\n", encoding="utf-8")
    assert path.stat().st_size >= 19 * 1024 * 1024
    return folder


def test_a_20_mb_article_is_read_cleaned_and_segmented(article_20mb):
    """Through the run's own preparation (cleaning, sentences, terms), not translation:
    apertium would take many minutes over 3 million words."""
    [doc] = corpus.read_corpus(article_20mb)
    prepared = runner.prepare_document(doc, [])
    segments = prepared.segments
    assert len(segments) > 100_000
    assert len({s.id for s in segments}) == len(segments)
    spans = [s.fr_raw for s in segments]
    assert spans == sorted(spans) and all(0 <= a < b <= len(doc.raw) for a, b in spans)
    # the cleaner may drop a repeated word or a stray mark; every word of the clean text
    # is in a segment, and the last paragraph (the huge one) is there to its last word
    assert words(segments[-1].fr)[-1] == words(doc.raw)[-1]
    assert sum(len(s.fr) for s in segments) > 0.95 * len(doc.raw.replace("\n", ""))


def test_ten_thousand_small_files_are_read_and_segmented(tmp_path):
    lines = french_lines()
    folder = tmp_path / "corpus"
    folder.mkdir()
    for number in range(10_000):
        text = f"Dépêche n° {number}\n\n{lines[number % len(lines)]}\n"
        (folder / f"dépêche {number:05d}.txt").write_text(text, encoding="utf-8")
    documents = corpus.read_corpus(folder)
    assert len(documents) == 10_000
    assert documents[0].name == "dépêche 00000" and documents[-1].name == "dépêche 09999"
    ids = set()
    for doc in documents:
        segments = segment.segment_document(doc.name, doc.raw)
        assert segments[0].fr == doc.raw.split("\n")[0]
        assert_segments_cover(segments, doc.raw)
        ids.update(s.id for s in segments)
    assert len(ids) >= 20_000


# --- outputs: all replaced together, or none ---------------------------------------------


@pytest.fixture
def two_runs(tmp_path):
    """Outputs of a first run of two documents, and the rendered outputs of a second."""
    from sample_article import make_sample

    doc, segments = make_sample(tmp_path)
    other = doc.__class__(name="autre", path=doc.path, raw=doc.raw)
    out = tmp_path / "out"
    out.mkdir()
    with fileio.writes_together():
        export.write_document(out, doc, segments)
        export.write_document(out, other, segments)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    for s in segments:
        s.en = s.en.upper()
    return out, [(doc, segments), (other, segments)], before


def test_ctrl_c_during_the_renames_waits_until_every_output_is_replaced(two_runs, monkeypatch):
    """A real SIGINT, sent to this process while the first file is being renamed, is held
    back until the last rename; then it stops the run as usual."""
    out, documents, before = two_runs
    real_replace = os.replace
    renamed = []

    def replace_and_press_ctrl_c(source, target):
        if not renamed:
            os.kill(os.getpid(), signal.SIGINT)
        real_replace(source, target)
        if os.path.basename(target) != fileio.JOURNAL:  # the renames' journal comes first
            renamed.append(target)

    monkeypatch.setattr(os, "replace", replace_and_press_ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        with fileio.writes_together():
            for doc, segments in documents:
                export.write_document(out, doc, segments)
    assert len(renamed) == 12  # six files of each of the two documents
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert set(after) == set(before)  # every file replaced, no temporary file left
    assert all(after[name] != before[name] for name in after)


def test_a_failure_while_writing_replaces_nothing(two_runs):
    """A file size limit (RLIMIT_FSIZE: writes past it fail with EFBIG, as on a full
    disk) hits the third file of the run: no output is replaced, no temporary file stays,
    and the message names the file."""
    out, documents, before = two_runs
    sizes = sorted(len(b) for b in before.values())
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (sizes[len(sizes) // 2], hard))
    try:
        with pytest.raises(PipelineError) as raised:
            with fileio.writes_together():
                for doc, segments in documents:
                    export.write_document(out, doc, segments)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert re.fullmatch(
        rf"cannot write {re.escape(str(out))}/\S+: File too large \(the file size limit was "
        r"reached\)",
        str(raised.value),
    )
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_the_memory_names_a_file_size_limit(tmp_path):
    """SQLite reports EFBIG as a plain "disk I/O error"; the message says why."""
    path = tmp_path / "memory.sqlite"
    with TranslationMemory(path):
        pass
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (65_536, hard))  # above the -shm file
    try:
        with pytest.raises(PipelineError) as raised:
            with TranslationMemory(path) as memory:
                memory.store_translations(
                    (f"Phrase {n} " * 40, "apertium", "", f"Sentence {n}") for n in range(2000)
                )
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert str(raised.value).startswith(f"memory {path}: ")
    assert "ulimit -f" in str(raised.value) or "full" in str(raised.value), raised.value
    with TranslationMemory(path) as memory:
        assert memory.integrity() == "ok" and memory.counts()["translations"] == 0
