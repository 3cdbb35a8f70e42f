"""The command line: parses arguments and calls the stages. Nothing heavy is imported here."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import click

from pipeline import __version__, progress
from pipeline.errors import PipelineError

ENGINE_CHOICE = click.Choice(["auto", "argos", "apertium"])
PIVOT_CHOICE = click.Choice(["both", "es", "ca"])


def input_path(**kwargs) -> click.Path:
    """A path argument or option. click checks nothing about the file: a missing or
    unreadable one is bad input, told by the command in one line with status 1; click's
    usage error (status 2) is kept for the command line itself (see PipelineGroup)."""
    return click.Path(path_type=Path, readable=False, **kwargs)


def path_option(flag: str, dest: str, default: str, help: str):
    return click.option(
        flag, dest, default=default, show_default=True, type=input_path(), help=help
    )


def corpus_option(
    help: str = "Folder of French articles (.txt .md .html .docx .pdf), or one such file.",
):
    return path_option("--corpus", "corpus_dir", "corpus", help)


DEFAULT_GLOSSARY = Path("glossary/glossary.yaml")


def glossary_option(help: str = "The glossary YAML file."):
    return path_option("--glossary", "glossary_path", str(DEFAULT_GLOSSARY), help)


def out_option(help: str = "Output folder."):
    return path_option("--out", "out_dir", "translations", help)


MEMORY_OPTION = click.option(
    "--memory",
    "memory_path",
    default=None,
    type=input_path(),
    help="Translation memory (SQLite file).  [default: OUT/memory.sqlite]",
)
REVIEWER_OPTION = click.option(
    "--reviewer",
    default=None,
    help="Who made the reviews imported (when the file names no one).  [default: login name]",
)
FUZZY_OPTION = click.option(
    "--fuzzy-threshold",
    default=75.0,
    show_default=True,
    type=click.FloatRange(0, 100),
    help="Lowest word-level similarity (percent) of a reviewed French offered as a match.",
)
STRICT_OPTION = click.option(
    "--strict", is_flag=True, help="Exit with status 1 when a check finds an error."
)


def set_verbosity(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """--quiet / --verbose, given before or after the command's name: the last one given
    counts; the display (pipeline/progress.py) and the warnings follow it."""
    if not value or ctx.resilient_parsing:
        return
    level = progress.QUIET if param.name == "quiet" else progress.VERBOSE
    progress.configure(level)
    logging.getLogger("pipeline").setLevel(
        logging.ERROR if level == progress.QUIET else logging.WARNING
    )


def verbosity_options() -> list[click.Option]:
    return [
        click.Option(
            ["-q", "--quiet"],
            is_flag=True,
            expose_value=False,
            callback=set_verbosity,
            help="Print errors only (no progress, notes or warnings).",
        ),
        click.Option(
            ["-v", "--verbose"],
            is_flag=True,
            expose_value=False,
            callback=set_verbosity,
            help="Print each stage and the time it took.",
        ),
    ]


class PipelineCommand(click.Command):
    """A command with --quiet and --verbose (every command of the CLI is one)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.params += verbosity_options()


class PipelineGroup(click.Group):
    """The exit-status rule of every command (README, "When something goes wrong"):

    0 done; 1 bad input or a failure, in one `error:` line on stderr (a traceback with
    --debug): a PipelineError says what went wrong and where, an OSError names its file,
    anything else is a bug, reported as an internal error; 2 a usage error (an unknown
    option or command, a bad choice), click's usage message; 130 Ctrl-C.
    Its commands and sub-groups have --quiet and --verbose (PipelineCommand).
    """

    command_class = PipelineCommand

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.params += verbosity_options()

    def main(self, *args, **kwargs):
        """The program's entry: messages and warnings on, until --quiet or --verbose."""
        progress.configure(progress.NORMAL)
        show_warnings()
        return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context):
        started = time.monotonic()
        try:
            result = super().invoke(ctx)
            if ctx.parent is None and progress.level() >= progress.VERBOSE:
                progress.current().print_line(f"done in {time.monotonic() - started:.1f} s")
            return result
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


PipelineGroup.group_class = PipelineGroup


def say(message: str, err: bool = True) -> None:
    """A message for the person (not the command's data): not shown with --quiet."""
    progress.say(message, err)


def argos_missing_or_broken() -> str:
    from pipeline.translate import argos

    try:
        installed = argos.find_installed_package() is not None
    except PipelineError:
        installed = True
    return (
        "the argos fr→en package does not load"
        if installed
        else ("no argos fr→en package installed")
    )


def open_engine_verbose(engine: str, pivot: str):
    from pipeline.translate.engine import open_engine

    chosen = open_engine(engine, pivot)
    why = ""
    if engine == "auto":
        why = (
            " (auto: argos fr→en package installed)"
            if chosen.name == "argos"
            else f" (auto: {argos_missing_or_broken()})"
        )
    say(f"engine: {chosen.version}{why}")
    return chosen


@click.group(cls=PipelineGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pipeline")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Offline French→English translation of news articles, with a domain glossary."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def entry() -> None:
    """The program (`pipeline`, `python -m pipeline`): main(), then the process ends
    without the interpreter freeing every object one by one (spaCy's model, a run's
    segments: 0.2-0.5 s after the last output was written, mypy ends the same way).
    What must happen still does: the atexit handlers (Apertium's kept tools ended, the
    log flushed), stdout and stderr flushed. A thread of ours still at work (not a
    daemon) gets the ordinary exit, which waits for it."""
    import atexit
    import os
    import threading

    try:
        main()
        code: object = 0
    except SystemExit as done:
        code = done.code
    others = [t for t in threading.enumerate() if t is not threading.main_thread()]
    if any(t.is_alive() and not t.daemon for t in others):
        sys.exit(code)
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)  # as sys.exit prints a message
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can reach it
            pass
    os._exit(code)


def show_warnings() -> None:
    """Warnings of the stages (skipped files, guessed encodings) go to stderr, one a line."""
    logger = logging.getLogger("pipeline")
    if not logger.handlers:
        handler = progress.LineHandler()
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
@REVIEWER_OPTION
@FUZZY_OPTION
@STRICT_OPTION
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes preparing and checking documents.  "
    "[default: the machine's cores, for a corpus of over 60,000 characters]",
)
@click.option(
    "--cluster",
    metavar="ADDRESS",
    default=None,
    help="Run on a Ray cluster (its head's HEAD:6379, ray://HEAD:10001 with ray[client], or "
    "'local' for a Ray instance started here); needs pip install 'pipeline[cluster]'.",
)
def run(
    corpus_dir: Path,
    glossary_path: Path,
    out_dir: Path,
    engine: str,
    pivot: str,
    memory_path: Path | None,
    reviewer: str | None,
    fuzzy_threshold: float,
    strict: bool,
    jobs: int | None,
    cluster: str | None,
) -> None:
    """Translate every article of the corpus and write the aligned outputs."""
    from collections import Counter

    from pipeline import runner

    if cluster is not None:
        from pipeline.cluster import require_ray

        require_ray()  # before the engine starts: a missing extra is a one-line error
    chosen = open_engine_verbose(engine, pivot)
    result = runner.run(
        corpus_dir,
        glossary_path,
        out_dir,
        chosen,
        memory=memory_path,
        reviewer=reviewer,
        fuzzy_threshold=fuzzy_threshold,
        jobs=jobs,
        cluster=cluster,
    )
    echo_review_lines(result)
    origins = Counter(s.origin for s in result.segments)
    say(
        f"translated {len(result.segments)} segments of {len(result.documents)} articles "
        f"into {out_dir}/ (engine {origins['engine']}, memory {origins['memory']}, "
        f"review {origins['review']}; {result.engine_segments} texts sent to the engine)"
        + (f"; approved {origins['approved']}" if origins["approved"] else "")
        + (f"; {result.suggestions} fuzzy matches offered" if result.suggestions else "")
        + (f", {origins['source']} English lines kept as they were" if origins["source"] else "")
    )
    if origins["tm"] or result.tm_suggestions:
        click.echo(
            f"imported TM: {origins['tm']} exact matches used, {result.tm_suggestions} close "
            "matches offered as suggestions",
            err=True,
        )
    report_findings(result.findings, out_dir, strict)


def echo_review_lines(result) -> None:
    """One line per output a person edited (imported) or whose reviews were recovered."""
    for line in result.review_lines:
        say(line)


def report_findings(findings, out_dir: Path, strict: bool) -> None:
    """One line on the findings; with --strict, exit status 1 when one is an error."""
    errors = sum(f.severity == "error" for f in findings)
    warnings = sum(f.severity == "warning" for f in findings)
    infos = len(findings) - errors - warnings
    say(f"checks: {errors} errors, {warnings} warnings, {infos} info; see {out_dir}/report.md")
    if strict and errors:
        sys.exit(1)


@main.command()
@out_option("Output folder of a run (its .jsonl files are read as they stand).")
@corpus_option("Folder of the French articles (for the outputs' source text and cleaning fixes).")
@glossary_option()
@MEMORY_OPTION
@REVIEWER_OPTION
@FUZZY_OPTION
@STRICT_OPTION
def check(
    out_dir: Path,
    corpus_dir: Path,
    glossary_path: Path,
    memory_path: Path | None,
    reviewer: str | None,
    fuzzy_threshold: float,
    strict: bool,
) -> None:
    """Re-check the outputs as they stand (no translation); rewrite findings, report."""
    from pipeline import runner

    result = runner.check_outputs(
        out_dir, corpus_dir, glossary_path, memory_path, reviewer, fuzzy_threshold
    )
    echo_review_lines(result)
    say(
        f"checked {len(result.segments)} segments of {len(result.documents)} articles in {out_dir}/"
    )
    report_findings(result.findings, out_dir, strict)


@main.command()
@click.argument("source", default="-", type=input_path(allow_dash=True))
@click.option("--engine", default="auto", show_default=True, type=ENGINE_CHOICE)
@click.option("--pivot", default="both", show_default=True, type=PIVOT_CHOICE)
@click.option(
    "--glossary",
    "glossary_path",
    default=None,
    type=input_path(),
    help="The glossary enforced as in `pipeline run`.  [default: glossary/glossary.yaml "
    "when present]",
)
@click.option("--no-glossary", is_flag=True, help="Translate without any glossary.")
def translate(
    source, engine: str, pivot: str, glossary_path: Path | None, no_glossary: bool
) -> None:
    """Translate French text from SOURCE (a file, or - for stdin) to English on stdout,
    honouring the glossary as `pipeline run` does."""
    import unicodedata

    from pipeline import corpus, fileio, glossary, runner, segment

    terms = []
    if not no_glossary:
        if glossary_path is not None:
            terms = load_existing_glossary(glossary_path)
        elif DEFAULT_GLOSSARY.is_file():
            glossary_path = DEFAULT_GLOSSARY
            terms = glossary.load_glossary(DEFAULT_GLOSSARY)

    name = str(source)
    try:
        data = sys.stdin.buffer.read() if name == "-" else source.read_bytes()
    except OSError as err:
        raise PipelineError(f"cannot read {fileio.describe_os_error(err, source)}") from err
    try:
        text, encoding = corpus.decode(data)
    except corpus.NotAnArticle as why:
        raise PipelineError(f"{name}: {why}") from why
    if encoding != "utf-8":
        logging.getLogger("pipeline").warning("%s: not UTF-8; decoded as %s", name, encoding)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    chosen = open_engine_verbose(engine, pivot)
    spans = segment.paragraph_spans(text)
    # The count moves when the English is final; the engine's first pass, and the
    # glossary's enforcement, are the sub-steps (pipeline/translate/enforce.py).
    with progress.stage("translating", len(spans), "paragraphs") as translating:
        english = runner.translate_batch([text[s:e] for s, e in spans], chosen, terms)
        translating(len(spans))
    if terms:
        say(f"glossary: {glossary_path} ({len(terms)} terms)")
    # Keep the French layout: each paragraph replaced by its translation, in place.
    out, last = [], 0
    for (start, end), hyp in zip(spans, english, strict=True):
        out.append(text[last:start])
        out.append(hyp)
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
@click.argument("archive", required=False, type=input_path())
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
        with progress.stage("downloading", unit="bytes") as downloading:
            package = argos_models.install_from_index(index_url, progress=downloading)
    say(
        f"installed {package.type}-{package.from_code}_{package.to_code} "
        f"{package.package_version} in {package.package_path}",
        err=False,
    )


@main.group("memory")
def memory_group() -> None:
    """The translation memory: import a translator's existing TMX."""


@memory_group.command("import")
@click.argument("files", nargs=-1, required=True, type=input_path())
@out_option("Output folder whose memory.sqlite receives the TM.")
@MEMORY_OPTION
def memory_import(files: tuple[Path, ...], out_dir: Path, memory_path: Path | None) -> None:
    """Import TMX FILES (French and English variants) as translation memory: an exact
    French match is used instead of the engine (origin tm), a close one is offered."""
    from pipeline import tm
    from pipeline.memory import TranslationMemory

    path = default_memory(out_dir, memory_path)
    with TranslationMemory(path) as memory:
        for file in files:
            result = tm.import_tmx(memory, file)
            click.echo(f"{result.summary()} ({result.units / max(result.seconds, 1e-9):,.0f} "
                       f"units/s)")  # fmt: skip
        click.echo(f"{path}: {tm.tm_count(memory):,} TM units")


@main.group()
def review() -> None:
    """Reviewers' corrections: import them (PO, XLIFF, TMX, JSONL), see where they stand."""


def default_memory(out_dir: Path, memory_path: Path | None) -> Path:
    return memory_path if memory_path is not None else out_dir / "memory.sqlite"


def recover_outputs(out_dir: Path) -> None:
    """Before reading an output folder: finish the renames of a run killed during them
    (pipeline/fileio.py), so the folder holds one run's outputs; a folder this user may
    not write is read as it stands, with a warning if a run was left unfinished there."""
    from pipeline import fileio

    if not out_dir.is_dir():
        return
    try:
        fileio.recover(out_dir)
    except PipelineError as err:
        logging.getLogger("pipeline").warning("%s", err)


@review.command("import")
@click.argument("files", nargs=-1, required=True, type=input_path())
@out_option("Output folder of the last run (its .jsonl files are the current segments).")
@MEMORY_OPTION
@REVIEWER_OPTION
def review_import(
    files: tuple[Path, ...], out_dir: Path, memory_path: Path | None, reviewer: str | None
) -> None:
    """Import corrections and approvals from .po, .xlf, .tmx or .jsonl FILES as reviews.

    The next `pipeline run` uses them in every output; the engine never replaces them.
    """
    from pipeline import review as reviews
    from pipeline.review import store

    recover_outputs(out_dir)
    memory = default_memory(out_dir, memory_path)
    results = reviews.import_reviews(list(files), out_dir, memory, reviewer)
    store.remember_imported(out_dir, memory, list(files))
    for result in results:
        for notice in result.notices:
            logging.getLogger("pipeline").warning("%s", notice)
        click.echo(result.summary())
    if any(r.stored for r in results):
        say("run 'pipeline run' to use them in the outputs", err=False)


@review.command("status")
@out_option("Output folder of the last run.")
@MEMORY_OPTION
def review_status(out_dir: Path, memory_path: Path | None) -> None:
    """Per document: segments, reviewed (edits and approvals), approved, remaining."""
    from pipeline import review as reviews

    recover_outputs(out_dir)
    status = reviews.review_status(out_dir, default_memory(out_dir, memory_path))
    click.echo(status.table())


@review.command("history")
@click.argument("segment_id")
@out_option("Output folder of the last run.")
@MEMORY_OPTION
def review_history(segment_id: str, out_dir: Path, memory_path: Path | None) -> None:
    """Every review of a segment (by id, e.g. DOC:3:1), oldest first: who, when, what."""
    from pipeline.review import store

    versions = store.segment_history(out_dir, default_memory(out_dir, memory_path), segment_id)
    if not versions:
        click.echo(f"{segment_id}: no review (the English is the machine's)")
        return
    for number, review in enumerate(versions, start=1):
        state = "current" if number == len(versions) else "superseded"
        click.echo(
            f"v{number} (version {review.id}, {state}) {review.kind} by "
            f"{review.reviewer or 'unknown'} at {review.created} from "
            f"{review.source or '?'}: {review.en}"
        )


@review.command("serve")
@out_option("Output folder of the last run.")
@MEMORY_OPTION
@glossary_option()
@corpus_option("Folder of the French articles (the outputs' source text).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, help="Port (0: any free port).")
@click.option("--reviewer", default="", help="Your name, kept with every save.")
@click.option("--token", default=None, help="Access token (off 127.0.0.1: generated if not given).")
def review_serve(out_dir, memory_path, glossary_path, corpus_dir, host, port, reviewer, token):
    """Review in the browser: a local web app over the outputs (Ctrl-C stops it)."""
    from pipeline.review import serve

    memory = default_memory(out_dir, memory_path)
    serve.run(out_dir, memory, glossary_path, host, port, reviewer, token, corpus_dir, click.echo)


def corpus_segments(corpus_dir: Path, terms) -> list:
    """The corpus's French segments, prepared as `pipeline run` prepares them."""
    from pipeline import corpus, runner

    documents = corpus.read_corpus(corpus_dir)
    segments = []
    with progress.stage("preparing", len(documents), "articles") as preparing:
        for doc in documents:
            segments += [
                s
                for s in runner.prepare_document(doc, terms).segments
                if s.lang == "fr" and s.fr.strip()
            ]
            preparing.advance()
    return segments


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
    """The domain glossary: list, add, update, remove, validate, suggest, export, import."""


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
        say(f"{len(terms)} terms in {glossary_path}")
        return
    counts: Counter[str] = Counter()
    for s in corpus_segments(corpus_dir, terms):
        counts.update(hit.source for hit in s.terms)
    in_use = sorted((t for t in terms if counts[t.source]), key=lambda t: -counts[t.source])
    for term in in_use:
        click.echo(f"{counts[term.source]:5d}  {describe_term(term)}")
    unused = [t.source for t in terms if not counts[t.source]]
    say(
        f"{len(in_use)} of {len(terms)} terms used in {corpus_dir}/"
        + (f"; unused: {', '.join(unused)}" if unused else "")
    )


KIND_CHOICE = click.Choice(["acronym", "person", "place", "organization", "phrase", "keep"])


@glossary_group.command("add")
@click.argument("source")
@click.argument("target", required=False)
@click.option("--variant", "variants", multiple=True, help="Another French form (repeatable).")
@click.option("--forbid", "forbidden", multiple=True, help="A rendering that must not appear.")
@click.option("--kind", type=KIND_CHOICE, help="keep: rendered as written (TARGET not needed).")
@click.option("--note", default="", help="A note for translators and reviewers.")
@click.option("--case-sensitive", is_flag=True, help="Match the French only in this case.")
@click.option(
    "--section",
    default=None,
    help="Put the term at the end of this section (a '# --- NAME ---' comment line); "
    "a section not in the file is started at the end.",
)
@glossary_option()
def glossary_add(
    source, target, variants, forbidden, kind, note, case_sensitive, section, glossary_path
):
    """Add a term at the end of the glossary or of a section (comments and order are kept)."""
    from pipeline.glossary import Term
    from pipeline.glossary.edit import add_term, add_term_in_section

    if target is None:
        if kind != "keep":
            raise click.UsageError("TARGET is needed, except for a term of --kind keep")
        target = source
    term = Term(
        source.strip(),
        target.strip(),
        variants=[v.strip() for v in variants],
        forbidden=[f.strip() for f in forbidden],
        kind=kind or "",
        case_sensitive=case_sensitive,
        note=note.strip(),
    )
    if section:
        add_term_in_section(glossary_path, term, section.strip())
        say(f"added {describe_term(term)} to {glossary_path} (section {section})", err=False)
    else:
        add_term(glossary_path, term)
        say(f"added {describe_term(term)} to {glossary_path}", err=False)


@glossary_group.command("update")
@click.argument("source")
@click.option("--target", default=None, help="The new English target.")
@click.option("--add-variant", "add_variants", multiple=True, help="Add a French form.")
@click.option("--remove-variant", "remove_variants", multiple=True, help="Drop a French form.")
@click.option("--forbid", "add_forbidden", multiple=True, help="Add a forbidden rendering.")
@click.option("--allow", "remove_forbidden", multiple=True, help="Drop a forbidden rendering.")
@click.option("--kind", type=KIND_CHOICE, default=None)
@click.option("--note", default=None, help="The new note ('' to drop it).")
@click.option("--case-sensitive/--case-insensitive", "case_sensitive", default=None)
@glossary_option()
def glossary_update(source, glossary_path, **values):
    """Change the term SOURCE in place: only the lines of what changes are rewritten
    (comments, order and quoting of everything else are kept)."""
    from pipeline.glossary.edit import update_term

    if values.get("target") is not None:
        values["target"] = values["target"].strip()
    if values.get("note") is not None:
        values["note"] = values["note"].strip()
    before, after = update_term(glossary_path, source, **values)
    if before == after:
        click.echo(f"{before.source}: nothing to change in {glossary_path}")
        return
    click.echo(f"updated {describe_term(after)} in {glossary_path}")
    click.echo(f"   was {describe_term(before)}")


@glossary_group.command("export")
@click.argument("file", required=False, type=input_path())
@click.option("--format", "fmt", type=click.Choice(["csv", "tsv", "tbx"]), default=None,
              help="Default: from FILE's extension; csv when writing to stdout.")  # fmt: skip
@click.option(
    "--pair",
    is_flag=True,
    help="CSV/TSV: only source and target, no header (the form DeepL and Google upload).",
)
@glossary_option()
def glossary_export(file: Path | None, fmt: str | None, pair: bool, glossary_path: Path) -> None:
    """Write the glossary as CSV, TSV or TBX-Basic to FILE (or stdout), and name what the
    format cannot hold."""
    from pipeline.fileio import atomic_write_bytes
    from pipeline.glossary.exchange import export_terms, format_of

    terms = load_existing_glossary(glossary_path)
    fmt = format_of(file, fmt) if file is not None else (fmt or "csv")
    data, losses = export_terms(terms, fmt, pair, glossary_path.stem)
    if file is None:
        click.echo(data.decode("utf-8"), nl=False)
    else:
        atomic_write_bytes(file, data)
    where = str(file) if file is not None else "stdout"
    click.echo(f"exported {len(terms)} terms of {glossary_path} to {where} ({fmt})", err=True)
    for loss in losses:
        click.echo(f"not held by {fmt.upper()}{' --pair' if pair else ''}: {loss}", err=True)


@glossary_group.command("import")
@click.argument("file", type=input_path())
@click.option("--format", "fmt", type=click.Choice(["csv", "tsv", "tbx"]), default=None,
              help="Default: from FILE's extension.")  # fmt: skip
@click.option("--replace", "mode", flag_value="replace", help="A conflicting term: the file wins.")
@click.option(
    "--merge",
    "mode",
    flag_value="merge",
    help="A conflicting term: the glossary wins; the file's variants and forbidden "
    "renderings are added, its kind and note fill empty fields.",
)
@glossary_option()
def glossary_import(file: Path, fmt: str | None, mode: str | None, glossary_path: Path) -> None:
    """Add the terms of a CSV, TSV or TBX file to the glossary. Every entry is checked
    first; nothing changes unless all are valid and no term conflicts (or --replace /
    --merge says what wins)."""
    from pipeline.glossary.exchange import ImportProblems, format_of, import_file

    try:
        plan = import_file(glossary_path, file, format_of(file, fmt), mode)
    except ImportProblems as refused:
        for line in refused.lines:
            click.echo(line, err=True)
        raise
    for term in plan.added:
        click.echo(f"added    {describe_term(term)}")
    for before, after in plan.changed:
        verb = "replaced" if mode == "replace" else "merged  "
        click.echo(f"{verb} {describe_term(after)}  (was {before.target})")
    for line in plan.kept + plan.skipped:
        click.echo(f"note: {line}", err=True)
    click.echo(
        f"{file}: {len(plan.added)} added, {len(plan.changed)} changed, "
        f"{plan.unchanged} already in {glossary_path}",
        err=True,
    )


@glossary_group.command("remove")
@click.argument("source")
@glossary_option()
def glossary_remove(source: str, glossary_path: Path) -> None:
    """Remove the term whose source is SOURCE (comments and order of the rest are kept)."""
    from pipeline.glossary.edit import remove_term

    removed = remove_term(glossary_path, source)
    say(f"removed {removed.source} → {removed.target} from {glossary_path}", err=False)


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
    say(f"{glossary_path}: {len(terms)} terms, no problems", err=False)


@glossary_group.command("suggest")
@glossary_option()
@corpus_option()
@click.option("--engine", default="auto", show_default=True, type=ENGINE_CHOICE)
@click.option("--pivot", default="es", show_default=True, type=PIVOT_CHOICE)
@click.option("--limit", default=40, show_default=True, type=click.IntRange(min=1))
@click.option("--min-count", default=1, show_default=True, type=click.IntRange(min=1))
@click.option(
    "--add",
    "add_numbers",
    multiple=True,
    type=click.IntRange(min=1),
    help="Accept suggestion N into the glossary (its number in the list; repeatable).",
)
@click.option("--target", default="", help="With one --add: the English to use, not the engine's.")
@click.option(
    "--interactive", "-i", is_flag=True, help="Ask about each suggestion: accept, edit, skip."
)
@click.option("--why", is_flag=True, help="Show what each suggestion's rank rests on.")
def glossary_suggest(
    glossary_path,
    corpus_dir,
    engine,
    pivot,
    limit,
    min_count,
    add_numbers,
    target,
    interactive,
    why,
) -> None:
    """Candidate terms from the corpus not yet in the glossary, likeliest terms first, each
    with its kind and the engine's current rendering; --add N or --interactive accepts them
    (through the same checks and atomic edit as `glossary add`)."""
    from pipeline.glossary import suggest as glossary_suggest
    from pipeline.glossary.edit import add_terms

    if target and len(add_numbers) != 1:
        raise PipelineError("--target goes with exactly one --add N")
    terms = load_existing_glossary(glossary_path)
    segments = corpus_segments(corpus_dir, terms)
    suggestions = glossary_suggest.suggest_terms(
        [s.fr for s in segments],
        terms,
        glossary_suggest.load_spacy(),
        min_count=min_count,
        limit=limit,
        documents=[s.doc for s in segments],
    )
    if not suggestions:
        say("no candidate: every recurring name of the corpus is in the glossary", err=False)
        return
    for number in add_numbers:
        if number > len(suggestions):
            raise PipelineError(f"--add {number}: there are {len(suggestions)} suggestions")
    glossary_suggest.add_renderings(suggestions, open_engine_verbose(engine, pivot))
    width = max(len(s.text) for s in suggestions)
    for number, s in enumerate(suggestions, 1):
        click.echo(f"{number:3d}. {s.count:4d}  {s.text:<{width}}  {s.kind:<12}  → {s.rendering}")
        if why:
            click.echo(f"      score {s.score:.2f}: {', '.join(s.reasons) or 'frequency'}")
    accepted = [glossary_suggest.as_term(suggestions[n - 1], target) for n in add_numbers]
    if interactive:
        accepted += ask_about(suggestions, glossary_suggest, skip={*add_numbers})
    if accepted:
        add_terms(glossary_path, accepted)
        for term in accepted:
            click.echo(f"added {describe_term(term)} to {glossary_path}")


def ask_about(suggestions, glossary_suggest, skip: set[int]) -> list:
    """The terms the terminologist accepts, one question per suggestion."""
    accepted = []
    click.echo("For each: Enter accepts the English shown, or type another; s skips, q stops.")
    for number, s in enumerate(suggestions, 1):
        if number in skip:
            continue
        answer = click.prompt(
            f"{number}. {s.text} ({s.kind})", default=s.rendering, show_default=True
        ).strip()
        if answer == "q":
            break
        if answer == "s" or not answer:
            continue
        accepted.append(glossary_suggest.as_term(s, answer))
    return accepted


@main.command("clean")
@click.argument("file", type=input_path())
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
    type=input_path(),
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
