"""A digest of clean_text's whole result over corpus/, the two 40-article FLORES corpora
(first_run_parts' devtest split and speed.py --scaling's) and both tuning sets, to show a
speed-up of the cleaner changes nothing: the same digest before and after.

    python benchmarks/clean_identical.py                   # this checkout's cleaner
    python benchmarks/clean_identical.py --code CHECKOUT   # another one's (a git archive)

Digested: the clean text, every fix (rule, raw span, before, after, note), the English
spans, the findings and their raw spans, and the raw span of every clean character.
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import sys
import tempfile
import time
from pathlib import Path

from _common import EVAL, GLOSSARY, REPO, flores_corpus
from scaling import flores_articles

TUNING_SETS = ("flores101-dev", "newstest2013")
LINES_A_TEXT = 50  # a tuning set cut into texts of 50 lines, a line a paragraph


def texts() -> dict[str, str]:
    from pipeline import corpus

    found = {f"corpus/{d.name}": d.raw for d in corpus.read_corpus(REPO / "corpus")}
    with tempfile.TemporaryDirectory() as tmp:
        for name, folder in (
            ("flores40", flores_corpus(Path(tmp) / "f", 40)),
            ("scaling40", flores_articles(Path(tmp) / "s", 40)),
        ):
            found.update({f"{name}/{d.name}": d.raw for d in corpus.read_corpus(folder)})
    for name in TUNING_SETS:
        lines = (EVAL / f"{name}.fr").read_text("utf-8").splitlines()
        for i in range(0, len(lines), LINES_A_TEXT):
            found[f"{name}/{i}"] = "\n\n".join(lines[i : i + LINES_A_TEXT]) + "\n"
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--code", type=Path, help="the checkout whose pipeline cleans")
    args = parser.parse_args()
    if args.code:
        sys.path.insert(0, str(args.code.resolve()))
    from pipeline import clean, glossary, runner

    names = runner.known_person_names(glossary.load_glossary(GLOSSARY))
    digest = hashlib.sha256()
    cpu = time.process_time()
    every = texts()
    for key, raw in every.items():
        c = clean.clean_text(raw, names)
        result = (
            key,
            c.text,
            [(f.rule, f.start, f.end, f.before, f.after, f.note) for f in c.fixes],
            c.english_spans,
            [(f.check, f.severity, f.message, f.evidence) for f in c.findings],
            c.finding_spans,
            list(c._starts),
            list(c._ends),
        )
        digest.update(pickle.dumps(result))
    print(f"code: {Path(clean.__file__).parent.parent}")
    print(f"{len(every)} texts, cleaned in {time.process_time() - cpu:.2f} CPU s")
    print(f"digest of clean_text's results: {digest.hexdigest()}")


if __name__ == "__main__":
    sys.exit(main())
