"""The apertium engine on real text, through the real apertium (both pivots)."""

from __future__ import annotations

import subprocess

import pytest
from argos_fixture import CORPUS

from pipeline.translate import apertium
from pipeline.translate.apertium import ApertiumEngine

PIVOTS = ["es", "ca"]


@pytest.fixture(scope="module", params=PIVOTS)
def engine(request) -> ApertiumEngine:
    return ApertiumEngine(pivot=request.param)


def corpus_text(name_start: str) -> str:
    (path,) = CORPUS.glob(f"{name_start}_*.txt")
    return path.read_text(encoding="utf-8")


def test_translates_the_corpus_headline_and_lead(engine):
    text = corpus_text("000")
    headline = "Dans le but de devenir un acteur mondial majeur, la Corée du Nord signe un nouveau traité avec la Russie"  # noqa: E501
    assert headline in text
    lead = next(line for line in text.splitlines() if line.startswith("La Russie et la Corée"))

    (headline_en,), (lead_en,) = engine.translate([headline, lead])

    for words in ("North Korea", "treaty", "Russia"):
        assert words in headline_en
    for words in ("Russia", "North Korea", "treaty", "Putin", "Pyongyang", "2001", "1961"):
        assert words in lead_en
    assert "Corée" not in headline_en + lead_en
    assert "traité" not in headline_en + lead_en


def test_every_corpus_paragraph_comes_back_in_english(engine):
    paragraphs = [line.strip() for line in corpus_text("000").splitlines() if line.strip()]
    translations = engine.translate(paragraphs)
    assert len(translations) == len(paragraphs)
    english = [hyps[0] for hyps in translations]
    assert all(english), "an empty translation for a non-empty paragraph"
    joined = " ".join(english)
    # French function words that any translation removes
    for french in (" le ", " les ", " des ", " avec "):
        assert joined.count(french) < len(paragraphs) / 10, french


# Characters and shapes that break naive use of apertium; each segment gets its index as
# a number (apertium copies numbers through), so a shift of even one segment shows.
AWKWARD = [
    "Le traité\nsigné à Pyongyang",
    "[Mise à jour] la Russie",
    "Note [1] et [2]",
    "*exclusif* la Corée du Nord",
    "#Russie #Corée",
    "contact@exemple.fr écrit",
    "@Poutine a dit",
    '<p class="x">Le <b>traité</b></p>',
    "<br/>avec la Russie",
    "Zbrouglouf et Krapotnik sont arrivés",
    "C:\\dossier\\fichier",
    "a \\ b",
    "^début$ et fin$",
    "prix: 10 $ ou 20$",
    "1/2 et et/ou",
    "{la} {Russie}",
    "{}",
    "chat~noir et ~",
    "C++ et a+b",
    "tab\tulation",
    "[][<s3>] faux séparateur",
    "<s7>",
    "\\[\\]",
    "«  Nous  »",
]
SPECIALS = "[]*#@<>\\^$/{}~+\n"


def awkward_batch(n: int = 200) -> list[str]:
    batch = []
    for i in range(n):
        if i % 10 == 3:
            batch.append("" if i % 20 == 3 else "   ")  # empty and blank segments
        else:
            batch.append(f"{AWKWARD[i % len(AWKWARD)]} {i}")
    return batch


@pytest.fixture
def popen_calls(monkeypatch) -> list[list[str]]:
    """Every subprocess started, observed by wrapping the real subprocess.Popen."""
    calls: list[list[str]] = []
    real_popen = subprocess.Popen

    class CountingPopen(real_popen):
        def __init__(self, args, *rest, **kwargs):
            calls.append(list(args))
            super().__init__(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", CountingPopen)
    return calls


def started_modes(popen_calls: list[list[str]]) -> list[str]:
    """The mode of each Apertium process started: `apertium ... MODE`, or the chain of a
    mode's tools kept running (`bash -c CHAIN MODE -g ''`, see apertium.KeptPipeline)."""
    return [call[3] if call[:2] == ["bash", "-c"] else call[-1] for call in popen_calls]


def test_awkward_segments_come_back_aligned_from_one_pipeline(engine, popen_calls):
    batch = awkward_batch(200)
    apertium.close_kept_pipelines()  # started by an earlier test: start them again

    translations = engine.translate(batch)

    assert len(translations) == len(batch)
    # one pipeline of two processes for the whole batch, not one per segment
    assert started_modes(popen_calls) == list(engine.modes)
    # and Apertium's own script is run as a chain of its tools kept for the next batch
    kept = apertium.kept_pipeline(engine.modes, "-n") is not None
    assert engine.translate(batch[:20]) == translations[:20]
    assert started_modes(popen_calls) == list(engine.modes) * (1 if kept else 2)
    for i, (source, hyps) in enumerate(zip(batch, translations, strict=True)):
        assert len(hyps) == 1
        english = hyps[0]
        if not source.strip():
            assert english == "", (i, english)
            continue
        assert english.split()[-1] == str(i), (i, source, english)
        for ch in SPECIALS:  # the text's own special characters, all kept
            assert english.count(ch) == source.count(ch), (i, ch, source, english)


def test_unknown_words_and_markup_pass_through_unmarked(engine):
    batch = [
        "Zbrouglouf et Krapotnik sont arrivés",
        '<p class="x">Le <b>traité</b> avec la Russie</p>',
        "Le traité\nsigné",
    ]
    unknown, markup, two_lines = (hyps[0] for hyps in engine.translate(batch))
    assert "Zbrouglouf" in unknown and "Krapotnik" in unknown
    assert "*" not in unknown  # apertium's unknown-word mark
    assert markup.startswith('<p class="x">') and markup.endswith("</p>")
    assert markup.count("<b>") == 1 and markup.count("</b>") == 1 and "Russia" in markup
    assert two_lines.count("\n") == 1 and "treaty" in two_lines


@pytest.mark.parametrize(
    ("pivot", "french", "mark_free_words"),
    [
        # FLORES-200 devtest line 560: apertium fr-es leaves "darse# cuenta"
        (
            "es",
            "Cependant, on s'est peu à peu rendu compte que les pistes seraient plus efficaces.",
            "darse cuenta",
        ),
        # line 913: the Catalan pivot fails to generate "#say+at+you"
        (
            "ca",
            "Votre opérateur téléphonique local devrait pouvoir vous en dire plus au sujet de "
            "la connexion à ce service.",
            "say at you",
        ),
    ],
)
def test_apertium_marks_never_reach_the_english(pivot, french, mark_free_words):
    (english,) = ApertiumEngine(pivot).translate([french])[0]
    assert "#" not in english and "+" not in english
    assert mark_free_words in english


def test_empty_batch_starts_no_process(popen_calls):
    assert ApertiumEngine("es").translate([]) == []
    assert popen_calls == []


def test_progress_reaches_the_whole_batch(engine):
    reports: list[tuple[int, int]] = []
    batch = awkward_batch(120)
    engine.translate(batch, progress=lambda done, total: reports.append((done, total)))
    assert reports and reports[-1] == (120, 120)
    assert [done for done, _ in reports] == sorted(done for done, _ in reports)


def test_a_kept_tool_that_dies_fails_the_batch_naming_its_mode_and_starts_again(engine):
    """A tool of a kept chain (apertium.KeptPipeline) killed between batches: the next
    batch fails in one line naming the mode, leaves no tool running, and the batch after
    it starts the chain again."""
    import os
    import signal
    from pathlib import Path

    import pytest as _pytest

    from pipeline.errors import PipelineError

    kept = apertium.kept_pipeline(engine.modes, "-n")
    if kept is None:
        _pytest.skip("no kept chain: not Apertium's script, or a mode that remembers segments")
    first = engine.translate(["Le chat dort."])
    shell = kept.processes[-1]
    tools = Path(f"/proc/{shell.pid}/task/{shell.pid}/children").read_text().split()
    os.kill(int(tools[len(tools) // 2]), signal.SIGSEGV)
    with _pytest.raises(PipelineError, match=rf"apertium {engine.modes[-1]} failed in a batch"):
        engine.translate(["Le chien dort.", "Il pleut."])
    assert kept.processes == []
    assert not any(
        Path(f"/proc/{pid}").exists() and Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
        for pid in tools
    )
    assert engine.translate(["Le chat dort."]) == first


def test_a_batch_reads_the_same_whatever_the_process_translated_before(engine):
    """The Catalan modes' Constraint Grammar and anaphora tools remember earlier segments
    past a NUL: kept between batches, 16 of the first 100 FLORES dev sentences read
    otherwise after 300 others (`it Ansa` for `the Ansa`). A chain with such a tool is
    started for each batch, so a segment's English never depends on an earlier batch
    (another run, another cluster actor)."""
    from pathlib import Path

    french = (Path(__file__).parents[2] / "shared" / "eval" / "flores101-dev.fr").read_text(
        encoding="utf-8"
    )
    lines = french.splitlines()
    probe, other = lines[:40], lines[100:250]
    apertium.close_kept_pipelines()
    fresh = engine.translate(probe)
    engine.translate(other)
    assert engine.translate(probe) == fresh
    chain = [apertium._mode_command(mode) for mode in engine.modes]
    assert (apertium.kept_pipeline(engine.modes, "-n") is None) == any(
        apertium.carries_context(command) for command in chain if command
    )
