"""The command line: parses arguments and calls the stages. Nothing heavy is imported here."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import click

from pipeline import __version__
from pipeline.errors import PipelineError

ENGINE_CHOICE = click.Choice(["auto", "argos", "apertium"])
PIVOT_CHOICE = click.Choice(["both", "es", "ca"])


def path_option(flag: str, dest: str, default: str, help: str):
    return click.option(
        flag, dest, default=default, show_default=True, type=click.Path(path_type=Path), help=help
    )


def corpus_option(
    help: str = "Folder of French articles (.txt .md .html .docx .pdf), or one such file.",
):
    return path_option("--corpus", "corpus_dir", "corpus", help)


def glossary_option(help: str = "The glossary YAML file."):
    return path_option("--glossary", "glossary_path", "glossary/glossary.yaml", help)


def out_option(help: str = "Output folder."):
    return path_option("--out", "out_dir", "translations", help)


MEMORY_OPTION = click.option(
    "--memory",
    "memory_path",
    default=None,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Translation memory (SQLite file).  [default: OUT/memory.sqlite]",
)
STRICT_OPTION = click.option(
    "--strict", is_flag=True, help="Exit with status 1 when a check finds an error."
)


class DelayedProgressBar:
    """A progress bar on stderr, for a person watching a terminal.

    It appears only when stderr is a terminal (in a log it would be noise), and only
    once the work has lasted `delay` seconds and is not about to end, so a quick
    command prints no bar at all. `unit` "items" shows "done/total" and an ETA;
    "bytes" shows a percentage.
    """

    def __init__(self, label: str, delay: float = 1.0, unit: str = "items", stream=None):
        self.label = label
        self.delay = delay
        self.unit = unit
        self.stream = stream if stream is not None else sys.stderr
        self.started = time.monotonic()
        self.bar = None
        self.shown = 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if (
                total <= 0
                or done >= total
                or time.monotonic() - self.started < self.delay
                or not self.stream.isatty()
            ):
                return
            self.bar = click.progressbar(
                length=total,
                label=self.label,
                file=self.stream,
                show_pos=self.unit == "items",
                show_percent=True,
                show_eta=True,
            )
            self.bar.__enter__()
            # The work began before the bar appeared; date it back so the ETA is right.
            self.bar.start = time.time() - (time.monotonic() - self.started)
        self.bar.update(done - self.shown)
        self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


class PipelineGroup(click.Group):
    """Any failure becomes one line on stderr and exit status 1 (a traceback with --debug).

    A PipelineError says what went wrong and where; an OSError names its file; anything
    else is a bug, reported as an internal error. Ctrl-C exits with status 130.
    """

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise  # click's own: usage errors, --help, --version
        except KeyboardInterrupt:
            click.echo("interrupted: no file was left half-written", err=True)
            ctx.exit(130)
        except Exception as err:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            if isinstance(err, BrokenPipeError):  # `pipeline ... | head`: the reader left
                _silence_stdout()
                ctx.exit(1)
            click.echo(f"error: {one_line_error(err)}", err=True)
            ctx.exit(1)


def one_line_error(err: Exception) -> str:
    """The message of any exception on one line."""
    from pipeline.fileio import describe_os_error

    if isinstance(err, PipelineError):
        message = str(err)
    elif isinstance(err, OSError):
        message = describe_os_error(err)
    else:
        message = (
            f"internal error: {type(err).__name__}: {err} (run with --debug for the traceback)"
        )
    return " ".join(message.split())


def _silence_stdout() -> None:
    """Point stdout at /dev/null so Python's own flush at exit does not fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def open_engine_verbose(engine: str, pivot: str):
    from pipeline.translate.engine import open_engine

    chosen = open_engine(engine, pivot)
    why = ""
    if engine == "auto":
        why = (
            " (auto: argos fr→en package installed)"
            if chosen.name == "argos"
            else (" (auto: no argos fr→en package installed)")
        )
    click.echo(f"engine: {chosen.version}{why}", err=True)
    return chosen


@click.group(cls=PipelineGroup)
@click.version_option(__version__, prog_name="pipeline")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Offline French→English translation of news articles, with a domain glossary."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    show_warnings()


def show_warnings() -> None:
    """Warnings of the stages (skipped files, guessed encodings) go to stderr, one a line."""
    logger = logging.getLogger("pipeline")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("warning: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.WARNING)


@main.command()
@corpus_option()
@glossary_option()
@out_option()
@click.option("--engine", default="auto", show_default=True, type=ENGINE_CHOICE)
@click.option(
    "--pivot",
    default="both",
    show_default=True,
    type=PIVOT_CHOICE,
    help="Apertium's pivot language: Spanish, Catalan, or both combined (best quality).",
)
@MEMORY_OPTION
@STRICT_OPTION
def run(
    corpus_dir: Path,
    glossary_path: Path,
    out_dir: Path,
    engine: str,
    pivot: str,
    memory_path: Path | None,
    strict: bool,
) -> None:
    """Translate every article of the corpus and write the aligned outputs."""
    from collections import Counter

    from pipeline import runner

    chosen = open_engine_verbose(engine, pivot)
    bar = DelayedProgressBar("translating")
    try:
        result = runner.run(
            corpus_dir, glossary_path, out_dir, chosen, progress=bar, memory=memory_path
        )
    finally:
        bar.close()
    origins = Counter(s.origin for s in result.segments)
    click.echo(
        f"translated {len(result.segments)} segments of {len(result.documents)} articles "
        f"into {out_dir}/ (engine {origins['engine']}, memory {origins['memory']}, "
        f"review {origins['review']}; {result.engine_segments} texts sent to the engine)",
        err=True,
    )
    report_findings(result.findings, out_dir, strict)


def report_findings(findings, out_dir: Path, strict: bool) -> None:
    """One line on the findings; with --strict, exit status 1 when one is an error."""
    errors = sum(f.severity == "error" for f in findings)
    warnings = sum(f.severity == "warning" for f in findings)
    infos = len(findings) - errors - warnings
    click.echo(
        f"checks: {errors} errors, {warnings} warnings, {infos} info; see {out_dir}/report.md",
        err=True,
    )
    if strict and errors:
        sys.exit(1)


@main.command()
@out_option("Output folder of a run (its .jsonl files are read as they stand).")
@corpus_option("Folder of the French articles (for the outputs' source text and cleaning fixes).")
@glossary_option()
@MEMORY_OPTION
@STRICT_OPTION
def check(
    out_dir: Path, corpus_dir: Path, glossary_path: Path, memory_path: Path | None, strict: bool
) -> None:
    """Re-check the outputs as they stand (no translation); rewrite findings, report."""
    from pipeline import runner

    result = runner.check_outputs(out_dir, corpus_dir, glossary_path, memory_path)
    click.echo(
        f"checked {len(result.segments)} segments of {len(result.documents)} articles "
        f"in {out_dir}/",
        err=True,
    )
    report_findings(result.findings, out_dir, strict)


@main.command()
@click.argument("source", default="-", type=click.File("rb"))
@click.option("--engine", default="auto", show_default=True, type=ENGINE_CHOICE)
@click.option("--pivot", default="both", show_default=True, type=PIVOT_CHOICE)
def translate(source, engine: str, pivot: str) -> None:
    """Translate French text from SOURCE (a file, or - for stdin) to English on stdout."""
    import unicodedata

    from pipeline import corpus, segment

    name = getattr(source, "name", "-")
    try:
        text, encoding = corpus.decode(source.read())
    except corpus.NotAnArticle as why:
        raise PipelineError(f"{name}: {why}") from why
    if encoding != "utf-8":
        click.echo(f"warning: {name}: not UTF-8; decoded as {encoding}", err=True)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    chosen = open_engine_verbose(engine, pivot)
    spans = segment.paragraph_spans(text)
    bar = DelayedProgressBar("translating")
    try:
        hyps = chosen.translate([text[s:e] for s, e in spans], n_best=1, progress=bar)
    finally:
        bar.close()
    # Keep the French layout: each paragraph replaced by its translation, in place.
    out, last = [], 0
    for (start, end), hyp in zip(spans, hyps, strict=True):
        out.append(text[last:start])
        out.append(hyp[0] if hyp else "")
        last = end
    out.append(text[last:])
    click.echo("".join(out), nl=False)


@main.group()
def models() -> None:
    """Argos translation models: list, install."""


@models.command("list")
def models_list() -> None:
    """List the installed Argos packages, and where they live."""
    from pipeline import models as argos_models

    click.echo(f"argos packages folder: {argos_models.packages_dir()}")
    packages = argos_models.installed_packages()
    if not packages:
        click.echo("no argos package installed (the engine 'auto' will use apertium)")
    for p in packages:
        click.echo(f"{p.type}-{p.from_code}_{p.to_code} {p.package_version}  {p.package_path}")


@models.command("install")
@click.argument("archive", required=False, type=click.Path(path_type=Path))
@click.option(
    "--index-url",
    default=None,
    help="Argos package index (index.json or its folder; a URL or a local path); "
    "default $ARGOS_PACKAGE_INDEX or the public Argos index.",
)
@click.option(
    "--sha256",
    "expected_sha256",
    default=None,
    help="Expected sha256 of the archive; refuse it if it differs.",
)
def models_install(
    archive: Path | None, index_url: str | None, expected_sha256: str | None
) -> None:
    """Install the fr→en model from ARCHIVE (.argosmodel), or download it from the index."""
    from pipeline import models as argos_models

    if archive is not None:
        package = argos_models.install_file(archive, expected_sha256=expected_sha256)
    else:
        bar = DelayedProgressBar("downloading", unit="bytes")
        try:
            package = argos_models.install_from_index(index_url, progress=bar)
        finally:
            bar.close()
    click.echo(
        f"installed {package.type}-{package.from_code}_{package.to_code} "
        f"{package.package_version} in {package.package_path}"
    )


@main.group()
def review() -> None:
    """Reviewers' corrections: import them from PO or TMX files, see where they stand."""


def default_memory(out_dir: Path, memory_path: Path | None) -> Path:
    return memory_path if memory_path is not None else out_dir / "memory.sqlite"


@review.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@out_option("Output folder of the last run (its .jsonl files are the current segments).")
@MEMORY_OPTION
def review_import(files: tuple[Path, ...], out_dir: Path, memory_path: Path | None) -> None:
    """Import corrections from .po or .tmx FILES as reviews.

    The next `pipeline run` uses them in every output; the engine never replaces them.
    """
    from pipeline import review as reviews

    results = reviews.import_reviews(list(files), out_dir, default_memory(out_dir, memory_path))
    for result in results:
        for notice in result.notices:
            click.echo(f"warning: {notice}", err=True)
        click.echo(result.summary())
    if any(r.stored for r in results):
        click.echo("run 'pipeline run' to use them in the outputs")


@review.command("status")
@out_option("Output folder of the last run.")
@MEMORY_OPTION
def review_status(out_dir: Path, memory_path: Path | None) -> None:
    """Per document: segments from the engine, reviewed, flagged."""
    from pipeline import review as reviews

    status = reviews.review_status(out_dir, default_memory(out_dir, memory_path))
    click.echo(status.table())


def corpus_segments(corpus_dir: Path, terms) -> list:
    """The corpus's French segments, prepared as `pipeline run` prepares them."""
    from pipeline import corpus, runner

    return [
        s
        for doc in corpus.read_corpus(corpus_dir)
        for s in runner.prepare_document(doc, terms).segments
        if s.lang == "fr" and s.fr.strip()
    ]


def load_existing_glossary(path: Path) -> list:
    """The terms of a glossary file that must exist (a run treats a missing one as empty)."""
    from pipeline import glossary

    if not path.exists():
        raise PipelineError(f"{path}: no such glossary file")
    return glossary.load_glossary(path)


def describe_term(term) -> str:
    extras = [term.kind] if term.kind else []
    if term.case_sensitive:
        extras.append("case-sensitive")
    line = f"{term.source} → {term.target}"
    if extras:
        line += f"  [{', '.join(extras)}]"
    if term.variants:
        line += f"  variants: {'; '.join(term.variants)}"
    if term.forbidden:
        line += f"  forbidden: {'; '.join(term.forbidden)}"
    return line


@main.group("glossary")
def glossary_group() -> None:
    """The domain glossary: list, add, remove, validate, suggest."""


@glossary_group.command("list")
@glossary_option()
@corpus_option()
@click.option("--used", is_flag=True, help="Only the terms the corpus uses, with their counts.")
def glossary_list(glossary_path: Path, corpus_dir: Path, used: bool) -> None:
    """List the glossary's terms in file order (with --used: by use in the corpus)."""
    from collections import Counter

    terms = load_existing_glossary(glossary_path)
    if not used:
        for term in terms:
            click.echo(describe_term(term))
        click.echo(f"{len(terms)} terms in {glossary_path}", err=True)
        return
    counts: Counter[str] = Counter()
    for s in corpus_segments(corpus_dir, terms):
        counts.update(hit.source for hit in s.terms)
    in_use = sorted((t for t in terms if counts[t.source]), key=lambda t: -counts[t.source])
    for term in in_use:
        click.echo(f"{counts[term.source]:5d}  {describe_term(term)}")
    unused = [t.source for t in terms if not counts[t.source]]
    click.echo(
        f"{len(in_use)} of {len(terms)} terms used in {corpus_dir}/"
        + (f"; unused: {', '.join(unused)}" if unused else ""),
        err=True,
    )


@glossary_group.command("add")
@click.argument("source")
@click.argument("target")
@click.option("--variant", "variants", multiple=True, help="Another French form (repeatable).")
@click.option("--forbid", "forbidden", multiple=True, help="A rendering that must not appear.")
@click.option(
    "--kind", type=click.Choice(["acronym", "person", "place", "organization", "phrase", "keep"])
)
@click.option("--note", default="", help="A note for translators and reviewers.")
@click.option("--case-sensitive", is_flag=True, help="Match the French only in this case.")
@glossary_option()
def glossary_add(source, target, variants, forbidden, kind, note, case_sensitive, glossary_path):
    """Add a term at the end of the glossary (comments and order are kept)."""
    from pipeline.glossary import Term
    from pipeline.glossary.edit import add_term

    term = Term(
        source.strip(),
        target.strip(),
        variants=[v.strip() for v in variants],
        forbidden=[f.strip() for f in forbidden],
        kind=kind or "",
        case_sensitive=case_sensitive,
        note=note.strip(),
    )
    add_term(glossary_path, term)
    click.echo(f"added {describe_term(term)} to {glossary_path}")


@glossary_group.command("remove")
@click.argument("source")
@glossary_option()
def glossary_remove(source: str, glossary_path: Path) -> None:
    """Remove the term whose source is SOURCE (comments and order of the rest are kept)."""
    from pipeline.glossary.edit import remove_term

    removed = remove_term(glossary_path, source)
    click.echo(f"removed {removed.source} → {removed.target} from {glossary_path}")


@glossary_group.command("validate")
@glossary_option()
def glossary_validate(glossary_path: Path) -> None:
    """Check the glossary: every problem with its line and term; exit 1 if any."""
    from pipeline import glossary

    terms, problems = glossary.validate_glossary(glossary_path)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise PipelineError(f"{glossary_path}: {len(problems)} problem(s)")
    click.echo(f"{glossary_path}: {len(terms)} terms, no problems")


@glossary_group.command("suggest")
@glossary_option()
@corpus_option()
@click.option("--engine", default="auto", show_default=True, type=ENGINE_CHOICE)
@click.option("--pivot", default="es", show_default=True, type=PIVOT_CHOICE)
@click.option("--limit", default=40, show_default=True, type=click.IntRange(min=1))
@click.option("--min-count", default=1, show_default=True, type=click.IntRange(min=1))
def glossary_suggest(glossary_path, corpus_dir, engine, pivot, limit, min_count) -> None:
    """Candidate terms from the corpus not yet in the glossary, most frequent first,
    each with the engine's current rendering."""
    from pipeline.glossary import suggest as glossary_suggest

    terms = load_existing_glossary(glossary_path)
    texts = [s.fr for s in corpus_segments(corpus_dir, terms)]
    suggestions = glossary_suggest.suggest_terms(
        texts, terms, glossary_suggest.load_spacy(), min_count=min_count, limit=limit
    )
    if not suggestions:
        click.echo("no candidate: every recurring name of the corpus is in the glossary")
        return
    glossary_suggest.add_renderings(suggestions, open_engine_verbose(engine, pivot))
    width = max(len(s.text) for s in suggestions)
    for s in suggestions:
        click.echo(f"{s.count:5d}  {s.text:<{width}}  {s.kind:<12}  → {s.rendering}")


@main.command("clean")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--explain", is_flag=True, help="List the fixes, one a line, not the text.")
@click.option(
    "--all",
    "every_layout_fix",
    is_flag=True,
    help="With --explain, list each change of white space between paragraphs too.",
)
@click.option(
    "--glossary",
    "glossary_path",
    default="glossary/glossary.yaml",
    show_default=True,
    type=click.Path(path_type=Path),
    help="The glossary; its person names correct misspelt names.",
)
def clean_command(file: Path, explain: bool, every_layout_fix: bool, glossary_path: Path) -> None:
    """Print the clean text of the article FILE (.txt .md .html .docx .pdf), or (--explain)
    every fix made, the reader's (what a web page's extraction dropped) first."""
    from pipeline import clean, corpus, glossary, runner

    try:
        doc = corpus.read_document(file)
    except corpus.NotAnArticle as why:
        raise PipelineError(str(why)) from None
    names = runner.known_person_names(glossary.load_glossary(glossary_path))
    cleaned = clean.clean_text(doc.raw, names)
    if not explain:
        click.echo(cleaned.text)
        return
    # What the reader took out (a web page's furniture, a PDF's running heads), then the
    # cleaner's fixes.
    for line in clean.reader_lines(doc):
        click.echo(line)
    for line in clean.explain_lines(cleaned, doc.raw, every_layout_fix):
        click.echo(line)


if __name__ == "__main__":
    main()
