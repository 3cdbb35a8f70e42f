"""Argos Translate back end: the installed `translate-fr_en` package, run by CTranslate2.

argostranslate finds the package and gives its tokenizer; we call
`ctranslate2.Translator.translate_batch` over the whole batch ourselves, so
argostranslate never splits sentences (its splitter would download a model)
and never touches its package index at run time.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.errors import PipelineError
from pipeline.translate.engine import Progress

# Segments per batch. The settings below were chosen for 2 cores with
# `python benchmarks/speed.py --argos-grid` (figures in BENCHMARKS.md): int8 needs half
# the CPU time of float32; one batch per core (inter_threads 2, 1 thread each) is about
# 30 % faster than two threads on one batch; batches of 32 and 64 tie, 16 and 128 are
# slower (128 beam hypotheses over a 32k vocabulary spill the caches).
CHUNK_SIZE = 32
COMPUTE_TYPE = "int8"  # a package stored in float is quantised when loaded
BEAM_SIZE = 4
MAX_DECODING_LENGTH = 256
# The rest of the translate_batch options, shared with the benchmarks' raw baseline.
DECODING_OPTIONS = {
    "max_batch_size": CHUNK_SIZE,
    "max_decoding_length": MAX_DECODING_LENGTH,
    "replace_unknowns": True,
    "length_penalty": 0.2,
}


def find_installed_package() -> Any | None:
    """The installed fr→en argostranslate Package, or None."""
    from pipeline import models

    return models.installed_package("fr", "en")


class ArgosEngine:
    name = "argos"

    def __init__(
        self,
        package: Any,
        compute_type: str = COMPUTE_TYPE,
        threads: int | None = None,
        inter_threads: int | None = None,
        device: str = "cpu",
    ):
        self.package = package
        self.compute_type = compute_type
        self.device = device  # "cuda" on a Ray actor given a GPU (pipeline/cluster.py)
        cores = os.cpu_count() or 1
        # batches translated at once (each by its own translator), and threads per batch
        self.inter_threads = inter_threads or min(2, cores)
        self.threads = threads or max(1, cores // self.inter_threads)
        model_dir = Path(package.package_path) / "model"
        if not (model_dir / "model.bin").is_file():
            raise PipelineError(
                f"argos package {package.package_path} has no model/model.bin; "
                "reinstall it with 'pipeline models install'"
            )
        if getattr(package, "tokenizer", None) is None:
            raise PipelineError(
                f"argos package {package.package_path} has no tokenizer "
                "(sentencepiece.model or bpe.model); reinstall it"
            )

    @property
    def version(self) -> str:
        p = self.package
        return f"argos {p.from_code}-{p.to_code} {p.package_version}"

    @functools.cached_property
    def translator(self) -> Any:
        return self.open_translator()

    def open_translator(self) -> Any:
        """A new CTranslate2 translator with this engine's settings (benchmarks open their
        own for the raw baseline)."""
        import ctranslate2

        try:
            return ctranslate2.Translator(
                str(Path(self.package.package_path) / "model"),
                device=self.device,
                compute_type=self.compute_type,
                inter_threads=self.inter_threads,
                intra_threads=self.threads,
            )
        except (RuntimeError, ValueError, OSError) as err:
            raise PipelineError(
                f"argos package {self.package.package_path}: cannot load model/ ({err}); "
                "reinstall it with 'pipeline models install'"
            ) from err

    def translate(
        self, batch: Sequence[str], n_best: int = 1, progress: Progress | None = None
    ) -> list[list[str]]:
        tokenizer = self.package.tokenizer
        prefix = self.package.target_prefix or ""
        results: list[list[str]] = [[""] for _ in batch]  # blank segments stay blank
        todo = [i for i, text in enumerate(batch) if text.strip()]
        try:
            tokens = {i: tokenizer.encode(batch[i]) for i in todo}
        except (RuntimeError, ValueError, OSError) as err:
            # argostranslate loads the tokenizer on first use: a damaged file shows here
            model_file = Path(str(getattr(tokenizer, "model_file", ""))).name
            raise PipelineError(
                f"argos package {self.package.package_path}: cannot load its tokenizer "
                f"{model_file} ({err}); reinstall it with 'pipeline models install'"
            ) from err
        # Segments of like length share a chunk, so little of each chunk is padding.
        todo.sort(key=lambda i: len(tokens[i]))
        done = len(batch) - len(todo)
        # Each call holds one chunk per parallel translator, so all of them have work.
        call_size = CHUNK_SIZE * self.inter_threads
        for start in range(0, len(todo), call_size):
            indices = todo[start : start + call_size]
            chunk = [tokens[i] for i in indices]
            try:
                outputs = self.translator.translate_batch(
                    chunk,
                    target_prefix=[[prefix]] * len(chunk) if prefix else None,
                    beam_size=max(n_best, BEAM_SIZE),
                    num_hypotheses=n_best,
                    **DECODING_OPTIONS,
                )
            except (RuntimeError, ValueError) as err:
                raise PipelineError(f"argos translation failed: {err}") from err
            for i, output in zip(indices, outputs, strict=True):
                hypotheses = []
                for hyp in output.hypotheses:
                    if prefix and hyp[:1] == [prefix]:
                        hyp = hyp[1:]
                    hypotheses.append(tokenizer.decode(hyp).strip())
                results[i] = hypotheses
            done += len(indices)
            if progress is not None:
                progress(done, len(batch))
        return results
