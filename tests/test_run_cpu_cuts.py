"""Issue 19's cuts of a run's own CPU work beyond the engine: each keeps what a user gets."""

from __future__ import annotations

import gc
import weakref

import pytest

from pipeline import clean, runner
from pipeline.lexicon import load_lexicon


def test_the_released_lexicon_is_freed_without_a_collection():
    """release_lexicon no longer runs gc.collect (0.1 s with spaCy loaded): the lexicon
    holds no cycle, so its memory goes as soon as the cache lets it go."""
    lexicon = weakref.ref(load_lexicon())
    cleaned = clean.clean_text("TASSl'agence a dit. dans la maison de M. Poutine, pris. dans")
    assert cleaned.fixes  # the cleaner used the lexicon
    gc.disable()
    try:
        runner.release_lexicon()
        assert lexicon() is None
    finally:
        gc.enable()


def test_a_run_collects_cycles_less_often_and_restores_the_collector_after():
    """Inside a run the cycle collector waits for 10,000 new objects (0.16 CPU s of a
    first run); the process's own setting comes back after, even when the run fails."""
    before = gc.get_threshold()
    seen = []

    @runner.with_fewer_collections
    def failing_run():
        seen.append(gc.get_threshold())
        raise RuntimeError("disk full")

    try:
        failing_run()
    except RuntimeError:
        pass
    assert seen == [runner.RUN_COLLECTION_THRESHOLD]
    assert gc.get_threshold() == before


ADDRESS_PIECES = [
    "www.", "WWW.", "http://", "HTTPS://", "mailto:", "@", ".com", ".ORG", ".fr", ".cat",
    ".ch", ".kp", "kcna", "-", ".", " ", "é", "a", "Z", "9", "_", "+", "/", ")", ",",
]  # fmt: skip


def _address_spans(text: str, scan) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in scan(text)]


def test_the_quick_look_for_addresses_finds_what_the_full_scan_finds():
    """The checks skip WEB_ADDRESS's scan on a text without "://", "www.", "mailto:", "@"
    or ".<domain>": the same addresses are found, the same text blanked, on texts made of
    the pieces addresses are made of."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from pipeline.checks import base

    @settings(max_examples=1500, deadline=None)
    @given(st.lists(st.sampled_from(ADDRESS_PIECES), max_size=12).map("".join))
    def same(text: str) -> None:
        expected = _address_spans(text, base.WEB_ADDRESS.finditer)
        assert _address_spans(text, base.web_addresses) == expected
        blanked = base.WEB_ADDRESS.sub(lambda m: "x" * len(m.group()), text)
        assert base.blank_web_addresses(text, "x") == blanked

    same()
    texts = [
        "Voir www.kcna.kp ou écrire à info@kcna.kp.",
        "Le site https://example.org/page) et Bankovnípoplatky.com.",
        "Rien ici: le 3.5 % de la RPDC, 12.10.2020, M. Kim.",
    ]
    for text in texts:
        assert _address_spans(text, base.web_addresses) == _address_spans(
            text, base.WEB_ADDRESS.finditer
        )
    assert [m.group() for m in base.web_addresses(texts[0])] == ["www.kcna.kp", "info@kcna.kp"]


def test_french_without_a_digit_gives_the_quantities_of_the_full_scan(monkeypatch):
    """The numbers check reads only months in French without a digit (codes, dates, times
    and numbers all need one): the same quantities as every scan, on FLORES dev, the
    corpus and texts made for it."""
    import re
    from pathlib import Path

    from pipeline.checks import numbers

    repo = Path(__file__).resolve().parent.parent
    texts = (repo.parent / "shared" / "eval" / "flores101-dev.fr").read_text("utf-8").splitlines()
    for path in sorted((repo / "corpus").glob("*.md")):
        texts += path.read_text("utf-8").splitlines()
    texts += [
        "Le 1er mai et en juin, puis mars, Mars et JUIN.",
        "Quatre-vingts personnes, vingt-deux heures, mille fois.",
        "La version ABC.DEF.FED et l'ISO sans numéro.",
        "Le ٣ (trois arabe) et le ² en exposant, en août 2020.",
    ]
    fast = [numbers.quantities(t, "fr") for t in texts]
    monkeypatch.setattr(numbers, "_A_DIGIT", re.compile(""))  # every text takes the full scan
    assert fast == [numbers.quantities(t, "fr") for t in texts]
    assert sum(1 for t in texts if not re.search(r"\d", t)) > len(texts) / 2


def test_entry_points_selected_once_per_group_are_those_of_every_selection():
    """spaCy's registry (catalogue) asks for a group's entry points at each look-up; the
    answer kept per group is the one a fresh selection gives."""
    import importlib.metadata

    from pipeline.spacy_import import EntryPointsByGroup

    installed = importlib.metadata.entry_points()
    kept = EntryPointsByGroup(installed)
    groups = sorted(installed.groups) + ["no such group"]
    for group in groups:
        assert list(kept.select(group=group)) == list(installed.select(group=group))
        assert kept.select(group=group) is kept.select(group=group)
    assert kept.groups == installed.groups  # anything else is the real object's
    assert any(kept.select(group="console_scripts"))


class CountingEntityStore:
    """prepared_cache.EntityCache's interface in memory, counting reads and writes."""

    def __init__(self) -> None:
        self.found: dict = {}
        self.gets = self.puts = 0

    def get(self, texts):
        self.gets += 1
        return {t: self.found[t] for t in texts if t in self.found}

    def put(self, found) -> None:
        self.puts += 1
        self.found.update(found)


def test_entities_found_beside_the_engine_are_stored_whole_with_few_writes(monkeypatch):
    """--jobs 1's entity pass reads the cache once and writes it at most once a second: every
    text's entities are stored, the same as spaCy's; stopped early (Ctrl-C), what was found
    is stored; a second pass over the same texts asks spaCy nothing."""
    import threading
    import time

    from pipeline import checks

    texts = [f"Marie Curie est née à Varsovie en {1800 + i}, dit l'ONU." for i in range(150)]
    store = CountingEntityStore()
    began = time.monotonic()
    runner.find_entities(threading.Event(), texts, store)
    elapsed = time.monotonic() - began
    assert store.gets == 1 and 1 <= store.puts <= 1 + elapsed
    expected = checks.french_entities(texts)
    assert [[tuple(e) for e in ents] for ents in expected] == [store.found[t] for t in texts]
    assert any(e.text == "Varsovie" for e in expected[0])

    stop, asked = threading.Event(), []
    real = checks.french_entities

    def first_chunk_then_stop(chunk, cache):
        asked.append(len(chunk))
        stop.set()  # as Ctrl-C would, while this chunk is worked on
        return real(chunk, cache)

    monkeypatch.setattr(checks, "french_entities", first_chunk_then_stop)
    stopped = CountingEntityStore()
    runner.find_entities(stop, texts, stopped)
    assert asked == [runner.ENTITY_CHUNK] and len(stopped.found) == runner.ENTITY_CHUNK

    monkeypatch.setattr(checks, "french_entities", real)
    monkeypatch.setattr(checks.consistency, "french_ner", lambda: pytest.fail("spaCy asked"))
    runner.find_entities(threading.Event(), texts, store)
