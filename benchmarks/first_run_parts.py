"""Where a first `pipeline run` spends its time: each stage timed in one fresh process.

    python benchmarks/first_run_parts.py                       # corpus/, apertium --pivot es
    python benchmarks/first_run_parts.py --corpus flores --pivot both
    python benchmarks/first_run_parts.py --corpus flores40     # speed.py --scaling's 40

The stages are called one after the other, as `runner.run` calls them, but without the
overlap `runner.run` has (named entities found while the engine translates), so each
part is measured alone: wall seconds and this process's CPU seconds (Apertium works in
processes of its own; their CPU is not in the CPU column). A part's first call pays for
what it loads (spaCy's import is paid by the lexicon, the first to need spaCy). The
checks are then timed one by one, each over every segment (indented rows): what each
costs once the word lists and analysers they share are loaded by the whole-stage row.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from _common import GLOSSARY, REPO, flores_corpus, machine


class EntityStore:
    """The entity cache's interface, in memory (the run keeps them in the memory file)."""

    def __init__(self) -> None:
        self.found: dict = {}

    def get(self, texts):
        return {t: self.found[t] for t in texts if t in self.found}

    def put(self, found) -> None:
        self.found.update(found)


class Parts:
    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float]] = []

    def time(self, name: str, function, *args):
        wall, cpu = time.perf_counter(), time.process_time()
        value = function(*args)
        self.rows.append((name, time.perf_counter() - wall, time.process_time() - cpu))
        return value


def engine_chunks(parts: Parts, engine, segments) -> None:
    """Issue 19's cut of Apertium's process starts: the texts in a run's chunks of
    MEMORY_CHUNK, with a process pipeline started per chunk (as before) and through the
    chains kept running (apertium.KeptPipeline); CPU of Apertium's processes."""
    import resource

    from pipeline import runner
    from pipeline.translate import apertium

    texts = list(dict.fromkeys(s.fr for s in segments if s.lang == "fr" and s.fr.strip()))
    size = runner.MEMORY_CHUNK
    chunks = [texts[i : i + size] for i in range(0, len(texts), size)]

    def children() -> float:
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        return used.ru_utime + used.ru_stime

    kept = apertium.kept_pipeline
    for name, keep in (("a process pipeline per chunk (before)", False), ("kept chains", True)):
        apertium.close_kept_pipelines()
        apertium.kept_pipeline = kept if keep else (lambda *_: None)
        before = children()
        parts.time(
            f"  engine over {len(chunks)} chunks, {name}: Apertium CPU in the next row",
            lambda: [runner.translate_batch(chunk, engine, []) for chunk in chunks],
        )
        apertium.close_kept_pipelines()  # reaped: their CPU is counted
        spent = children() - before
        parts.rows.append((f"  … Apertium's processes, CPU s ({name})", 0.0, spent))
    apertium.kept_pipeline = kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--corpus",
        default="corpus",
        help="corpus (corpus/), flores (20 articles of devtest) or flores40 (the 40 articles "
        "of speed.py --scaling)",
    )
    parser.add_argument("--pivot", default="es", help="apertium pivot: es, ca or both")
    args = parser.parse_args()
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    parts = Parts()

    def import_modules():
        from pipeline import checks, corpus, export, glossary, report, runner  # noqa: F401
        from pipeline.translate import engine  # noqa: F401

    parts.time("Python modules of the pipeline", import_modules)
    from pipeline import checks, clean, corpus, export, glossary, report, runner
    from pipeline.lexicon import load_lexicon
    from pipeline.spacy_import import french_pipeline
    from pipeline.translate.engine import open_engine

    with tempfile.TemporaryDirectory(prefix="first-run-parts-") as tmp:
        work = Path(tmp)
        if args.corpus == "corpus":
            corpus_dir = REPO / "corpus"
        elif args.corpus == "flores40":
            from scaling import flores_articles

            corpus_dir = flores_articles(work / "f", 40)
        else:
            corpus_dir = flores_corpus(work / "f")
        documents = parts.time("read corpus and glossary", corpus.read_corpus, corpus_dir)
        terms = glossary.load_glossary(GLOSSARY)
        parts.time("import spaCy + the cleaner's French lexicon", load_lexicon)
        parts.time("spaCy's French model (sentences + entities)", french_pipeline)
        names = runner.known_person_names(terms)
        parts.time("cleaning alone", lambda: [clean.clean_text(d.raw, names) for d in documents])
        prepared = parts.time(
            "cleaning + sentences + terms (prepare_documents)",
            runner.prepare_documents,
            documents,
            terms,
        )
        segments = [s for p in prepared for s in p.segments]
        engine = parts.time("open the engine", open_engine, "apertium", args.pivot)
        parts.time(
            "translation with glossary enforcement (Apertium's processes)",
            runner.translate_segments,
            segments,
            engine,
            terms,
        )
        runner.mark_terms(segments)
        engine_chunks(parts, engine, segments)
        french = [s.fr for s in segments if s.lang == "fr" and s.fr.strip()]
        # Issue 19's cuts: the recognizer alone (nlp.pipe ran the model's tok2vec too, which
        # feeds nothing here), and only texts with a capital letter (the check keeps no
        # other entity).
        nlp = french_pipeline()
        parts.time(
            "  named entities as before: nlp.pipe over every French text",
            lambda: [
                [(e.start_char, e.end_char, e.label_) for e in d.ents] for d in nlp.pipe(french)
            ],
        )
        entities = EntityStore()
        with_capital = runner.entity_texts(segments)
        asked = checks.EntitySelection().add(with_capital)
        print(
            f"({len(set(with_capital))} of {len(set(french))} French texts have a capital, "
            f"{len(asked)} a capitalised word another segment has: their entities are found)"
        )
        parts.time(
            "  named entities as before the selection: every text with a capital",
            checks.french_entities,
            with_capital,
            EntityStore(),
        )
        parts.time("named entities of the French", checks.french_entities, asked, entities)
        parts.time(
            "checks (entities already found)",
            lambda: checks.run_checks(segments, terms, entity_cache=entities),
        )
        context = parts.time(
            "  the checks' context", checks.build_context, segments, terms, entities
        )
        for name in checks.SEGMENT_CHECKS:
            parts.time(
                f"  {name}",
                lambda name=name: checks.per_segment_findings(segments, context, [name]),
            )
        for name, check in checks.CORPUS_CHECKS.items():
            parts.time(f"  {name}", check, segments, context)
        out = work / "out"
        out.mkdir()

        def write_outputs():
            for p in prepared:
                export.write_document(out, p.doc, p.segments)
            report.write_report(out, segments, [], [f for p in prepared for f in p.fixes])

        parts.time("outputs and report", write_outputs)

    print(f"machine: {machine()}")
    print(
        f"command: python benchmarks/first_run_parts.py --corpus {args.corpus} --pivot {args.pivot}"
    )
    print(f"{len(documents)} documents, {len(segments)} segments\n")
    print("| part | wall s | CPU s (this process) |")
    print("| --- | ---: | ---: |")
    for name, wall, cpu in parts.rows:
        print(f"| {name} | {wall:.2f} | {cpu:.2f} |")
    total_wall = time.perf_counter() - start_wall
    total_cpu = time.process_time() - start_cpu
    print(f"| all (after the interpreter started) | {total_wall:.2f} | {total_cpu:.2f} |")


if __name__ == "__main__":
    main()
