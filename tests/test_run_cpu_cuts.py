"""Issue 19's cuts of a run's own CPU work beyond the engine: each keeps what a user gets."""

from __future__ import annotations

import gc
import weakref

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
