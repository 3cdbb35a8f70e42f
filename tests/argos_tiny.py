"""Build a tiny but real Argos fr→en package: a SentencePiece model trained on the
corpus, a CTranslate2 Transformer with random weights, metadata.json, zipped into an
.argosmodel and installed into an ARGOS_PACKAGES_DIR of our own.

Its translations are garbage (random weights); what it exercises is the real path:
argostranslate's package and tokenizer, CTranslate2's translate_batch and its n-best.
Used by tests/test_enforce.py and benchmarks/terms.py.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

VOCAB_SIZE = 400
D_MODEL = 32
FFN = 64
EOS_BIAS = 3.0


def train_sentencepiece(texts: list[str], prefix: Path, vocab_size: int = VOCAB_SIZE) -> Path:
    import sentencepiece as spm

    corpus = prefix.with_suffix(".txt")
    corpus.write_text("\n".join(t for t in texts if t.strip()), encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(prefix),
        vocab_size=vocab_size,
        character_coverage=1.0,
        model_type="unigram",
        hard_vocab_limit=False,
        minloglevel=2,
    )
    return prefix.with_suffix(".model")


def build_model(sp_model: Path, out_dir: Path, seed: int = 7) -> Path:
    """A 1+1-layer Transformer with random weights over the SentencePiece vocabulary."""
    import ctranslate2
    import numpy as np
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(sp_model))
    pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    # CTranslate2 wants <unk>, <s>, </s> in the vocabulary; SentencePiece has them.
    vocab = list(dict.fromkeys(["<blank>", *pieces]))
    rng = np.random.default_rng(seed)
    spec = ctranslate2.specs.TransformerSpec.from_config((1, 1), 2)
    shapes = {
        "embeddings_0/weight": (len(vocab), D_MODEL),
        "embeddings/weight": (len(vocab), D_MODEL),
        "projection/weight": (len(vocab), D_MODEL),
        "self_attention/linear_0/weight": (3 * D_MODEL, D_MODEL),
        "self_attention/linear_1/weight": (D_MODEL, D_MODEL),
        "attention/linear_0/weight": (D_MODEL, D_MODEL),
        "attention/linear_1/weight": (2 * D_MODEL, D_MODEL),
        "attention/linear_2/weight": (D_MODEL, D_MODEL),
        "ffn/linear_0/weight": (FFN, D_MODEL),
        "ffn/linear_1/weight": (D_MODEL, FFN),
    }
    for name, value in spec.variables(ordered=True):
        if value is not None:
            continue
        scope = _find_scope(spec, name)
        attr = name.rsplit("/", 1)[1]
        shape = next((s for suffix, s in shapes.items() if name.endswith(suffix)), None)
        if attr == "gamma":
            array = np.ones(D_MODEL, dtype=np.float32)
        elif attr == "beta" or attr == "bias":
            array = np.zeros(shape[0] if shape else D_MODEL, dtype=np.float32)
        elif shape is not None:
            array = rng.normal(0, 0.3, size=shape).astype(np.float32)
        else:
            continue
        setattr(scope, attr, array)
    # A bias towards </s> keeps the random outputs short (a few dozen pieces), so a test
    # or benchmark over hundreds of segments does not decode 256 pieces for each.
    bias = np.zeros(len(vocab), dtype=np.float32)
    bias[vocab.index("</s>")] = EOS_BIAS
    spec.decoder.projection.bias = bias
    spec.register_source_vocabulary(vocab)
    spec.register_target_vocabulary(vocab)
    spec.validate()
    spec.optimize(quantization="float32")
    out_dir.mkdir(parents=True, exist_ok=True)
    spec.save(str(out_dir))
    return out_dir


def _find_scope(spec, name: str):
    scope = spec
    for part in name.split("/")[:-1]:
        base, _, index = part.rpartition("_")
        if index.isdigit() and isinstance(getattr(scope, base, None), list):
            scope = getattr(scope, base)[int(index)]  # layer_0, linear_1, embeddings_0
        else:
            scope = getattr(scope, part)
    return scope


def build_package(texts: list[str], work: Path, version: str = "0.0.1") -> Path:
    """The .argosmodel archive of a tiny fr→en package."""
    work.mkdir(parents=True, exist_ok=True)
    name = "translate-fr_en-tiny"
    root = work / name
    root.mkdir(exist_ok=True)
    sp_model = train_sentencepiece(texts, work / "spm")
    (root / "sentencepiece.model").write_bytes(sp_model.read_bytes())
    build_model(sp_model, root / "model")
    metadata = {
        "package_version": version,
        "argos_version": "1.9.0",
        "from_code": "fr",
        "from_name": "French",
        "to_code": "en",
        "to_name": "English",
        "type": "translate",
        "package_name": "tiny random fr-en (tests)",
    }
    (root / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    archive = work / f"{name}.argosmodel"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(root.rglob("*")):
            z.write(path, path.relative_to(work).as_posix())
    return archive


def install_package(archive: Path, packages_dir: Path):
    """Install the archive into packages_dir (set as ARGOS_PACKAGES_DIR) and return the
    argostranslate Package."""
    os.environ["ARGOS_PACKAGES_DIR"] = str(packages_dir)
    packages_dir.mkdir(parents=True, exist_ok=True)
    from argostranslate import package, settings

    settings.package_data_dir = packages_dir
    settings.package_dirs = [packages_dir]
    package.install_from_path(archive)
    found = [
        p
        for p in package.get_installed_packages()
        if p.from_code == "fr" and p.to_code == "en" and Path(p.package_path).parent == packages_dir
    ]
    if not found:
        raise RuntimeError(f"the tiny package did not install into {packages_dir}")
    return found[0]
