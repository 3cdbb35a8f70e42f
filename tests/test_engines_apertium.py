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
    mode's tools kept running (`bash -c CHAIN MODE -g ''`, see apertium.KeptPipeline);
    not the tools a kept chain starts for each batch (`bash -c 'exec TOOL' MODE ...`)."""
    return [
        call[3] if call[:2] == ["bash", "-c"] else call[-1]
        for call in popen_calls
        if not per_batch_tool(call)
    ]


def per_batch_tool(call: list[str]) -> str | None:
    """The tool of a kept chain's per-batch start (its first word), else None."""
    if call[:2] == ["bash", "-c"] and call[2].startswith("exec "):
        return call[2].split()[1]
    return None


def test_awkward_segments_come_back_aligned_from_one_pipeline(engine, popen_calls):
    batch = awkward_batch(200)
    apertium.close_kept_pipelines()  # started by an earlier test: start them again

    translations = engine.translate(batch)

    assert len(translations) == len(batch)
    # one pipeline of processes for the whole batch, not one per segment: `apertium` for
    # each mode, or where it is Apertium's own script, a chain of its tools kept for the
    # next batch: each mode's tools before its tagger, and after it
    kept = apertium.kept_pipeline(engine.modes, "-n") is not None
    chains = [mode for mode in engine.modes for _ in range(2 if kept else 1)]
    assert started_modes(popen_calls) == chains
    assert engine.translate(batch[:20]) == translations[:20]
    assert started_modes(popen_calls) == chains * (1 if kept else 2)
    # but for the taggers, started again after a batch that may have changed them (they
    # can remember earlier segments): each mode's once, and again at most once
    tools = [per_batch_tool(call) for call in popen_calls if per_batch_tool(call)]
    if kept:
        assert set(tools) == {"apertium-tagger"}
        assert len(engine.modes) <= len(tools) <= 2 * len(engine.modes)
    else:
        assert tools == []
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
    """A tool of a kept chain (apertium.KeptPipeline) killed between batches, in the
    chain's first part (its bytes relayed to the per-batch tagger) and in its last: the
    next batch fails in one line naming the mode, leaves no tool running, and the batch
    after it starts the chain again."""
    import os
    import signal
    from pathlib import Path

    import pytest as _pytest

    from pipeline.errors import PipelineError

    kept = apertium.kept_pipeline(engine.modes, "-n")
    if kept is None:
        _pytest.skip("no kept chain: `apertium` is not Apertium's script")
    first = engine.translate(["Le chat dort."])
    for shell, mode in ((0, engine.modes[0]), (-1, engine.modes[-1])):
        shell = kept.processes[shell]
        tools = Path(f"/proc/{shell.pid}/task/{shell.pid}/children").read_text().split()
        victim = tools[len(tools) // 2]
        name = Path(f"/proc/{victim}/cmdline").read_bytes().split(b"\0")[0].decode()
        os.kill(int(victim), signal.SIGSEGV)
        # the mode, the signal and the tool, in one line
        failed = rf"^apertium {mode} failed in a batch of 2 segments: crashed \(SIGSEGV\): {name}$"
        with _pytest.raises(PipelineError, match=failed):
            engine.translate(["Le chien dort.", "Il pleut."])
        assert kept.processes == []
        assert not any(
            Path(f"/proc/{pid}").exists()
            and Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
            for pid in tools
        )
        assert engine.translate(["Le chat dort."]) == first


def test_a_tool_that_dies_after_the_tools_before_it_wrote_the_batch_never_hangs(engine):
    """The interleaving that hung CI, forced: a kept tool stopped, the batch written by
    the tools before it into its pipe (read here, as the tool would), then the tool
    killed. The tools before it have nothing left to write, so nothing breaks their
    pipe: the batch must still fail in one line naming the mode, within seconds, and
    the next batch work. Before stage_script, the stage's shell kept its output pipe
    open and the batch waited for ever."""
    import os
    import select
    import signal
    import threading
    from pathlib import Path

    import pytest as _pytest

    from pipeline.errors import PipelineError

    kept = apertium.kept_pipeline(engine.modes, "-n")
    if kept is None:
        _pytest.skip("no kept chain: `apertium` is not Apertium's script")
    first = engine.translate(["Le chat dort."])
    batch = ["Le chien dort.", "Il pleut."]
    for shell, mode in ((0, engine.modes[0]), (-1, engine.modes[-1])):
        shell = kept.processes[shell]
        tools = Path(f"/proc/{shell.pid}/task/{shell.pid}/children").read_text().split()
        victim = int(tools[len(tools) // 2])
        assert len(tools) // 2 >= 1  # a tool before it, in the same stage
        name = Path(f"/proc/{victim}/cmdline").read_bytes().split(b"\0")[0].decode()
        os.kill(victim, signal.SIGSTOP)
        outcome: list[BaseException | list] = []

        def run(outcome=outcome) -> None:
            try:
                outcome.append(engine.translate(batch))
            except BaseException as failure:  # handed to the test's thread
                outcome.append(failure)

        translating = threading.Thread(target=run, daemon=True)
        translating.start()
        # the victim's input, read as it would read it, until the batch's segments (one
        # NUL each) are through: the tool before it is done with the batch
        pipe = os.open(f"/proc/{victim}/fd/0", os.O_RDONLY | os.O_NONBLOCK)
        try:
            nuls = 0
            while nuls < len(batch):
                assert select.select([pipe], [], [], 30)[0], "the batch never reached the tool"
                nuls += os.read(pipe, 65536).count(b"\0")
        finally:
            os.close(pipe)
        os.kill(victim, signal.SIGKILL)
        translating.join(timeout=30)
        if translating.is_alive():  # the hang: end the tools so the thread ends too
            for process in kept.processes:
                apertium._kill_group(process)
            translating.join(timeout=30)
            _pytest.fail(f"the batch hung after a {mode} tool died")
        (error,) = outcome
        assert isinstance(error, PipelineError), error
        assert str(error) == (
            f"apertium {mode} failed in a batch of 2 segments: crashed (SIGKILL): {name}"
        )
        assert kept.processes == []
        assert engine.translate(["Le chat dort."]) == first


def test_a_per_batch_tool_that_dies_mid_batch_fails_it_in_one_line(engine, popen_calls):
    """The tagger a kept chain starts for each batch, killed while the batch is under
    way: the batch fails naming the mode and the crash, no tool is left running, and
    the next batch reads as a fresh one."""
    import os
    import signal
    import time
    from pathlib import Path

    import pytest as _pytest

    from pipeline.errors import PipelineError

    if apertium.kept_pipeline(engine.modes, "-n") is None:
        _pytest.skip("no kept chain: `apertium` is not Apertium's script")
    batch = [f"Le chat noir dort sur le toit de la maison numéro {i}." for i in range(300)]
    fresh = engine.translate(batch[:3])
    popen_calls.clear()
    killed: list[int] = []

    kept = apertium.kept_pipeline(engine.modes, "-n")
    # the taggers the last batch left as they started take this one (apertium.py)
    resumed = [process for process, _ in kept.resumed.values()]

    def kill_the_first_tagger() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not killed:
            if resumed and not kept.resumed:  # taken by the batch: it is under way
                os.kill(resumed[0].pid, signal.SIGSEGV)
                killed.append(resumed[0].pid)
                break
            for call, process in list(zip(popen_calls, started, strict=False)):
                if per_batch_tool(call) == "apertium-tagger":
                    os.kill(process.pid, signal.SIGSEGV)
                    killed.append(process.pid)
                    break
            time.sleep(0.001)

    started: list = []
    real_spawn = apertium.KeptPipeline._spawn

    def spawn(self, stage, stdin, err):
        process = real_spawn(self, stage, stdin, err)
        started.append(process)
        return process

    with _pytest.MonkeyPatch.context() as patch:
        patch.setattr(apertium.KeptPipeline, "_spawn", spawn)
        import threading

        killer = threading.Thread(target=kill_the_first_tagger)
        killer.start()
        with _pytest.raises(
            PipelineError,
            match=rf"apertium {engine.modes[0]} failed in a batch of 300 "
            r"segments: crashed \(SIGSEGV\)",
        ):
            engine.translate(batch)
        killer.join()
    assert killed
    assert all(process.poll() is not None for process in started + resumed)
    assert apertium.kept_pipeline(engine.modes, "-n").processes == []
    assert not Path(f"/proc/{killed[0]}/stat").exists() or (
        Path(f"/proc/{killed[0]}/stat").read_text().split()[2] == "Z"
    )
    assert engine.translate(batch[:3]) == fresh


def test_a_batch_reads_the_same_whatever_the_process_translated_before(engine, monkeypatch):
    """apertium-tagger remembers earlier segments past a NUL (each word with a set of tags
    its model never saw rewrites the tags it gives unknown words): kept between batches,
    16 of the first 100 FLORES dev sentences read otherwise through the Catalan pivot
    after 300 others (`it Ansa` for `the Ansa`). The chains are kept but for their
    taggers, started for each batch, so a segment's English never depends on an earlier
    batch (another run, another cluster actor)."""
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
    if apertium.kept_pipeline(engine.modes, "-n") is None:
        return  # `apertium` is not Apertium's script: a batch starts every tool
    assert all(
        stage.per_batch
        for stage in apertium.kept_pipeline(engine.modes, "-n").stages
        if "apertium-tagger" in stage.command
    )
    if engine.pivot == "ca":
        # the test can fail: with the taggers kept too, the probe reads otherwise
        apertium.close_kept_pipelines()
        monkeypatch.setattr(apertium, "PER_BATCH_TOOLS", frozenset())
        engine.translate(other)
        assert engine.translate(probe) != fresh
        apertium.close_kept_pipelines()


def test_a_tagger_takes_the_next_batch_only_while_it_is_as_it_started(engine):
    """Each tagger of a kept chain runs with -d: a batch that made it print anything
    (before it narrows its open class it prints "A new ambiguity class was found")
    ends it, and a new one takes the next batch; one that printed nothing takes the
    next batch itself. Either way a batch reads as through a tagger started for it."""
    from pathlib import Path

    import pytest as _pytest

    if apertium.kept_pipeline(engine.modes, "-n") is None:
        _pytest.skip("no kept chain: `apertium` is not Apertium's script")
    apertium.close_kept_pipelines()
    plain = ["Le chat dort.", "Il pleut sur la ville."]
    fresh = engine.translate(plain)
    kept = apertium.kept_pipeline(engine.modes, "-n")
    taggers = [i for i, stage in enumerate(kept.stages) if stage.watch_option]
    assert len(taggers) == len(engine.modes) and kept.tool_starts == len(taggers)
    assert sorted(kept.resumed) == taggers  # nothing new met: each tagger kept
    assert engine.translate(plain) == fresh
    assert kept.tool_starts == len(taggers)  # no tagger started for the second batch

    french = (Path(__file__).parents[2] / "shared" / "eval" / "flores101-dev.fr").read_text(
        encoding="utf-8"
    )
    engine.translate(french.splitlines()[100:250])
    told = [i for i in taggers if i not in kept.resumed]
    if engine.pivot == "ca":
        assert told  # cat-eng's tagger meets sets of tags its model never saw
    before = kept.tool_starts
    assert engine.translate(plain) == fresh
    assert kept.tool_starts == before + len(told)
    apertium.close_kept_pipelines()
    assert kept.resumed == {}


def test_a_batch_passes_between_the_kept_parts_without_a_per_batch_tools_own_end():
    """pass_batch, as the relays use it: a per-batch tool's output is read to its end and
    cut after the batch's last NUL (the NUL it adds at its input's end must not reach the
    kept tools after it); a source that ends before the batch does says so."""
    import io

    def passed(data: bytes, count: int, whole: bool, size: int) -> tuple[bool, bytes]:
        out: list[bytes] = []

        class Reads(io.BytesIO):  # `size` bytes a read, as a pipe may give them
            def read1(self, n: int = -1) -> bytes:
                chunk = super().read1(min(n, size))
                # a kept tool's output never ends: a read after the batch would block
                assert chunk or whole, "read past the batch of a kept tool"
                return chunk

        complete = apertium.pass_batch(Reads(data), count, out.append, whole)
        return complete, b"".join(out)

    for size in (1, 2, 65536):
        assert passed(b"a\0b[][<s1>]\0\0", 2, True, size) == (True, b"a\0b[][<s1>]\0")
        assert passed(b"a\0b[][<s1>]\0", 2, False, size) == (True, b"a\0b[][<s1>]\0")
        assert passed(b"a\0", 2, True, size) == (False, b"a\0")
        assert passed(b"\0", 0, True, size) == (True, b"")
