"""Which texts the entity pass needs, and the entity check's findings, under each rule for
sentence-initial stop words (issue 19): the rule the code has, the rule before it and the
narrower rules measured on the way.

    python -m pipeline run --corpus corpus --engine apertium --pivot es --out /tmp/c
    python benchmarks/entity_selection.py /tmp/c [more run folders] [--show]

For each run folder (its .jsonl files: the French and the engine's English), spaCy finds
the entities of every text with a capital once; then, for each rule: the texts the
selection needs, and the findings of consistency.entity with the entities of every text
and with those of the needed texts only (the two must be the same: the selection is
exact). `--show` prints each finding a rule drops or adds against the rule before, with
its French and English (do not use it on a run of a held-out set).
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

from _common import REPO  # noqa: F401  (puts the repository on sys.path)
from first_run_parts import EntityStore  # the entity cache's interface, in memory

from pipeline import checks, glossary
from pipeline.checks import consistency
from pipeline.checks.base import checked
from pipeline.formats import jsonl


def opens_text(text: str, at: int) -> bool:
    """The word is the text's first (only spaces and opening marks before it)."""
    return not text[:at].strip("".join(consistency._OPENING_MARKS))


def rules() -> dict:
    stop = consistency.sentence_stop_words()
    spacy_words = stop - consistency.MORE_STOP_WORDS
    whole = frozenset(  # spaCy's stop words that are whole words ("l'" left out)
        w for w in spacy_words if len(w) > 1 or w in {"a", "à", "y", "o", "ô", "â", "i"}
    )
    return {
        "before (every capitalised word)": lambda text, at, word: False,
        "first word of the text, stop words": lambda text, at, word: (
            word.lower() in whole and opens_text(text, at)
        ),
        "first word, stop words and elisions (L', D', C')": lambda text, at, word: (
            word.lower() in spacy_words and opens_text(text, at)
        ),
        "sentence-initial anywhere in the segment": lambda text, at, word: (
            word.lower() in stop - consistency.MORE_STOP_WORDS
            and consistency.opens_sentence(text, at)
        ),
        "and MORE_STOP_WORDS (the code)": consistency.spared_word,
    }


def findings_of(segments, terms, store, all_texts: bool):
    context = checks.build_context(segments, terms, store)
    original = consistency.needed_entity_texts
    if all_texts:
        consistency.needed_entity_texts = lambda texts: [
            t for t in texts if consistency.may_hold_entity(t)
        ]
    try:
        return consistency.entity_consistency(segments, context)
    finally:
        consistency.needed_entity_texts = original


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path, help="output folders of `pipeline run`")
    parser.add_argument("--glossary", type=Path, default=REPO / "glossary" / "glossary.yaml")
    parser.add_argument("--show", action="store_true", help="print the findings that change")
    args = parser.parse_args()
    terms = glossary.load_glossary(args.glossary)
    spared = consistency.spared_word
    for run in args.runs:
        segments = [s for p in sorted(run.glob("*.jsonl")) for s in jsonl.read_jsonl(p)]
        todo = [s for s in segments if checked(s)]
        store = EntityStore()
        with_capital = list(dict.fromkeys(s.fr for s in todo if consistency.may_hold_entity(s.fr)))
        started = time.process_time()
        consistency.french_entities(with_capital, store)
        pass_cpu = time.process_time() - started
        chars = sum(map(len, with_capital))
        print(f"\n## {run}: {len(todo)} segments, {len(with_capital)} texts with a capital "
              f"({chars:,} characters), entity pass over all {pass_cpu:.2f} CPU s")
        print("| rule | texts needed | characters | findings (all texts) | findings (needed) |"
              " dropped | added |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        ignored = []  # entities with a capitalised key the rule no longer counts
        for s in todo:
            spans = consistency.name_spans(s.fr)
            for ent in store.get([s.fr]).get(s.fr, []):
                at, key = consistency.key_in_entity(ent[2])
                if len(key) >= 2 and any(map(str.isupper, key)):
                    if not consistency.counts_as_name(s.fr, ent[0] + at, key, spans):
                        ignored.append(f"{key} {ent[3]}")
        print(f"entities no longer counted (key, label): {len(ignored)}: "
              + ", ".join(f"{k} ×{n}" if n > 1 else k for k, n in Counter(ignored).most_common()))
        before = None
        for name, rule in rules().items():
            consistency.spared_word = rule
            try:
                needed = consistency.needed_entity_texts(s.fr for s in todo)
                every = findings_of(todo, terms, store, True)
                selected = findings_of(todo, terms, store, False)
            finally:
                consistency.spared_word = spared
            keys = {(f.segment, f.message) for f in every}
            dropped = sorted(before - keys) if before is not None else []
            added = sorted(keys - before) if before is not None else []
            exact = "" if selected == every else " **differs**"
            print(f"| {name} | {len(needed):,} | {sum(map(len, needed)):,} | {len(every)} | "
                  f"{len(selected)}{exact} | {len(dropped)} | {len(added)} |")
            if args.show:
                text = {s.id: s for s in todo}
                for mark, changed in (("-", dropped), ("+", added)):
                    for segment, message in changed:
                        s = text[segment]
                        print(f"    {mark} {segment}: {message}")
                        print(f"      FR: {s.fr}\n      EN: {s.en}")
            if before is None:
                before = keys


if __name__ == "__main__":
    main()
