"""The one interface every translation back end implements, and how one is chosen."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from pipeline.errors import PipelineError

# Reports progress as (segments done, segments in all).
Progress = Callable[[int, int], None]


class Engine(Protocol):
    """A French→English translator over a whole batch of segments."""

    name: str  # "apertium" or "argos"

    @property
    def version(self) -> str:
        """Identifies the engine and its model/data, so a memory can tell outputs apart."""
        ...

    def translate(
        self, batch: Sequence[str], n_best: int = 1, progress: Progress | None = None
    ) -> list[list[str]]:
        """Translate every segment; return up to n_best hypotheses per segment, best first.

        The result has exactly one list per input segment, in the same order.
        """
        ...


ENGINE_NAMES = ("auto", "argos", "apertium")
PIVOTS = ("es", "ca", "both")  # "both": the two pivots combined (apertium_plus)


def usable_argos() -> Engine | None:
    """For --engine auto: the argos engine when its fr→en package is installed and loads.

    A package that is there but broken (a junk model.bin, a damaged metadata.json) must
    not stop the run that apertium can do: a warning names it, and auto goes on to
    apertium. (--engine argos still fails on it, in one line.)"""
    import logging

    from pipeline.translate import argos

    try:
        package = argos.find_installed_package()
        if package is None:
            return None
        engine = argos.ArgosEngine(package)
        _ = engine.translator  # loads the model now: a junk one is found before the run
    except PipelineError as err:
        logging.getLogger("pipeline").warning("%s; --engine auto uses apertium instead", err)
        return None
    return engine


def open_engine(name: str = "auto", pivot: str = "both") -> Engine:
    """Return a ready engine; for "auto", argos when its fr→en package is installed."""
    from pipeline.translate import apertium, argos

    if name not in ENGINE_NAMES:
        raise PipelineError(f"unknown engine {name!r}: choose one of {', '.join(ENGINE_NAMES)}")
    if name == "argos":
        package = argos.find_installed_package()
        if package is not None:
            return argos.ArgosEngine(package)
    if name == "auto":
        chosen = usable_argos()
        if chosen is not None:
            return chosen
    if name == "argos":
        raise PipelineError(
            "engine argos: no Argos fr→en package is installed; "
            "run 'pipeline models install' (online) or "
            "'pipeline models install PATH.argosmodel'"
        )
    if pivot == "both":
        from pipeline.translate import apertium_plus

        complete = [p for p in apertium_plus.PIVOTS if not apertium.missing_modes(p)]
        if len(complete) == len(apertium_plus.PIVOTS):
            return apertium_plus.BothPivotsEngine()
        pivot = complete[0] if complete else "es"  # one pivot still translates
    missing = apertium.missing_modes(pivot)
    if missing:
        hint = apertium.INSTALL_HINT[pivot]
        if name == "auto":
            raise PipelineError(
                "no translation engine is available: no Argos fr→en package is installed "
                f"and apertium is missing {', '.join(missing)}; install one: '{hint}', "
                "or 'pipeline models install PATH.argosmodel'"
            )
        raise PipelineError(f"engine apertium: missing {', '.join(missing)}; install: '{hint}'")
    return apertium.ApertiumEngine(pivot=pivot)
