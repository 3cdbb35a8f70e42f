"""Build a real Argos Translate package (`.argosmodel`) with a small random model.

No fr→en Argos package can be had on the machines we build on, so the tests and
benchmarks make their own: a CTranslate2 Transformer with random weights written by
ctranslate2's own converter API, a SentencePiece model trained on real text, and
`metadata.json`, zipped the way Argos packages are. Everything but the weights is
real, so install, tokenisation and `translate_batch` run exactly as with a published
package; the "translations" are gibberish.

The shape is a parameter: the tests use a tiny model (built in about a second);
`benchmarks/engines.py` builds one of a published package's shape
(6 layers, 512 wide, 32k vocabulary).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"

# Never produced by the decoder: padding entries of the vocabulary (see below).
_NEVER = -1e4


def corpus_lines(folder: Path = CORPUS) -> list[str]:
    """The non-blank lines of the articles in a folder (the project's corpus by default)."""
    lines = []
    for path in sorted(folder.glob("*.txt")):
        lines += [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line]


def train_sentencepiece(lines: Iterable[str], vocab_size: int) -> bytes:
    """A SentencePiece unigram model trained on the lines; returns the serialised model.

    `vocab_size` is an upper bound: a small text yields fewer pieces.
    """
    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(list(lines)),
        model_writer=model,
        vocab_size=vocab_size,
        hard_vocab_limit=False,
        model_type="unigram",
        character_coverage=1.0,
        num_threads=1,
        minloglevel=2,  # quiet
    )
    return model.getvalue()


def _random_transformer_spec(
    vocabulary: list[str],
    pieces: int,
    layers: int,
    width: int,
    heads: int,
    ffn_width: int,
    seed: int,
    output_length: int,
):
    """A ctranslate2 TransformerSpec with every weight set from a seeded random generator.

    Random weights alone decode either to the length limit or stop at once. So one
    width dimension (`clock`) of the decoder carries only its position: nothing but the
    position table writes into it, it stays 0 until a few tokens before
    `output_length`, then grows; only the end-of-sentence logit reads it. Hypotheses
    then end around `output_length` tokens, like real ones of that length.
    """
    import numpy as np
    from ctranslate2.specs import TransformerSpec

    rng = np.random.default_rng(seed)
    vocab_size = len(vocabulary)
    clock = width - 1
    eos = vocabulary.index("</s>")

    def matrix(rows: int, cols: int) -> np.ndarray:
        return rng.normal(0.0, cols**-0.5, (rows, cols)).astype(np.float32)

    def linear(spec, rows: int, cols: int) -> None:
        spec.weight = matrix(rows, cols)
        spec.bias = rng.normal(0.0, 0.02, rows).astype(np.float32)

    def layer_norm(spec) -> None:
        spec.gamma = np.ones(width, dtype=np.float32)
        spec.beta = np.zeros(width, dtype=np.float32)

    def feed_forward(spec) -> None:
        layer_norm(spec.layer_norm)
        linear(spec.linear_0, ffn_width, width)
        linear(spec.linear_1, width, ffn_width)

    spec = TransformerSpec.from_config(num_layers=layers, num_heads=heads)
    encoder, decoder = spec.encoder, spec.decoder
    for embeddings in encoder.embeddings:
        embeddings.weight = matrix(vocab_size, width)
    decoder.embeddings.weight = matrix(vocab_size, width)
    layer_norm(encoder.layer_norm)
    layer_norm(decoder.layer_norm)
    for layer in encoder.layer:
        layer_norm(layer.self_attention.layer_norm)
        linear(layer.self_attention.linear[0], 3 * width, width)  # fused query, key, value
        linear(layer.self_attention.linear[1], width, width)
        feed_forward(layer.ffn)
    for layer in decoder.layer:
        layer_norm(layer.self_attention.layer_norm)
        linear(layer.self_attention.linear[0], 3 * width, width)
        linear(layer.self_attention.linear[1], width, width)
        layer_norm(layer.attention.layer_norm)
        linear(layer.attention.linear[0], width, width)  # query
        linear(layer.attention.linear[1], 2 * width, width)  # fused key, value
        linear(layer.attention.linear[2], width, width)
        feed_forward(layer.ffn)
    linear(decoder.projection, vocab_size, width)
    decoder.projection.bias[pieces:] = _NEVER  # padding entries: the tokenizer cannot decode them
    for special in ("<unk>", "<s>"):  # a trained model (almost) never emits these
        decoder.projection.bias[vocabulary.index(special)] = _NEVER

    # The clock (see above): sinusoidal positions elsewhere, a ramp in the clock dimension.
    positions = np.arange(1024, dtype=np.float32)[:, None]
    rates = 10000.0 ** (-np.arange(width // 2, dtype=np.float32) / (width // 2))
    table = np.concatenate([np.sin(positions * rates), np.cos(positions * rates)], axis=1)
    table[:, clock] = np.clip(positions[:, 0] - (output_length - 4), 0, None) * width**0.5
    decoder.position_encodings.encodings = table.astype(np.float32)
    decoder.embeddings.weight[:, clock] = 0
    for layer in decoder.layer:
        for writer in (
            layer.self_attention.linear[1],
            layer.attention.linear[2],
            layer.ffn.linear_1,
        ):
            writer.weight[clock] = 0
            writer.bias[clock] = 0
    decoder.projection.weight[:, clock] = 0
    decoder.projection.weight[eos] = 0
    decoder.projection.weight[eos, clock] = 1.0
    decoder.projection.bias[eos] = -4.0
    for side in (spec.register_source_vocabulary, spec.register_target_vocabulary):
        side(vocabulary)
    return spec


def write_ctranslate2_model(output_dir: Path, spec, quantization: str | None = None) -> Path:
    """Write a spec as a CTranslate2 model folder with ctranslate2's converter machinery."""
    from ctranslate2.converters import Converter

    class SpecConverter(Converter):
        def _load(self):
            return spec

    return Path(SpecConverter().convert(str(output_dir), quantization=quantization))


def build_argosmodel(
    path: Path,
    *,
    layers: int = 2,
    width: int = 64,
    heads: int = 4,
    ffn_width: int | None = None,
    vocab_size: int = 600,
    training_text: Iterable[str] | None = None,
    seed: int = 1,
    output_length: int = 12,
    quantization: str | None = None,
    from_code: str = "fr",
    to_code: str = "en",
    package_version: str = "1.0",
) -> Path:
    """Write a complete `.argosmodel` at `path` and return `path`.

    `vocab_size` is the model's vocabulary size; the SentencePiece model gets as many
    pieces as the training text allows, up to that size, and the rest of the
    vocabulary is padding the decoder never emits (same compute as a full vocabulary).
    `training_text` defaults to the lines of the project's corpus. Hypotheses are about
    `output_length` tokens long, whatever the input.
    """
    import sentencepiece as spm

    path = Path(path)
    lines = list(training_text) if training_text is not None else corpus_lines()
    sp_model = train_sentencepiece(lines, vocab_size)
    processor = spm.SentencePieceProcessor(model_proto=sp_model)
    vocabulary = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    pieces = len(vocabulary)
    vocabulary += [f"<unused{i}>" for i in range(vocab_size - pieces)]
    spec = _random_transformer_spec(
        vocabulary,
        pieces,
        layers=layers,
        width=width,
        heads=heads,
        ffn_width=ffn_width or 4 * width,
        seed=seed,
        output_length=output_length,
    )
    name = f"translate-{from_code}_{to_code}-{package_version.replace('.', '_')}"
    metadata = {
        "package_version": package_version,
        "argos_version": "1.9",
        "from_code": from_code,
        "from_name": "French" if from_code == "fr" else from_code,
        "to_code": to_code,
        "to_name": "English" if to_code == "en" else to_code,
        "type": "translate",
        "code": f"translate-{from_code}_{to_code}",
        "links": [],
    }
    readme = (
        f"# {name} (test model)\n\nRandom weights ({layers} layers, {width} wide, "
        f"vocabulary {vocab_size}); built by tests/argos_fixture.py. Translates nothing.\n"
    )
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="argos-fixture-") as tmp:
        model_dir = write_ctranslate2_model(Path(tmp) / "model", spec, quantization)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(f"{name}/metadata.json", json.dumps(metadata, indent=2))
            archive.writestr(f"{name}/README.md", readme)
            archive.writestr(f"{name}/sentencepiece.model", sp_model)
            for file in sorted(model_dir.iterdir()):
                archive.write(file, f"{name}/model/{file.name}")
    return path


# Running the CLI as a user would, against an argos data folder of its own.


def isolated_env(root: Path, path: str | None = None) -> dict[str, str]:
    """Environment for a `pipeline` subprocess whose argos folders all live under root.

    argostranslate reads its settings (ARGOS_PACKAGES_DIR, the XDG folders) at import
    time, so a test that needs its own package folder runs the CLI in a subprocess.
    `path` replaces PATH (e.g. one without apertium).
    """
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("ARGOS_")}
    env.update(
        ARGOS_PACKAGES_DIR=str(root / "packages"),
        XDG_DATA_HOME=str(root / "data"),
        XDG_CONFIG_HOME=str(root / "config"),
        XDG_CACHE_HOME=str(root / "cache"),
        PYTHONPATH=str(REPO),
    )
    if path is not None:
        env["PATH"] = path
    return env


def run_cli(args: list[str], env: dict[str, str], stdin: str | None = None, timeout: float = 120):
    """`python -m pipeline ARGS` from the repository root; returns the CompletedProcess."""
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=REPO,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
