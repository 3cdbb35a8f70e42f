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
PIVOT_CHOICE = click.Choice(["es", "ca"])


class DelayedProgressBar:
    """A progress bar on stderr that only appears when the work lasts over a second."""

    def __init__(self, label: str, delay: float = 1.0):
        self.label = label
        self.delay = delay
        self.started = time.monotonic()
        self.bar = None
        self.shown = 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if time.monotonic() - self.started < self.delay or total <= 0:
                return
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
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
@click.option(
    "--corpus",
    "corpus_dir",
    default="corpus",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Folder of French articles (.txt, .md).",
)
@click.option(
    "--glossary",
    "glossary_path",
    default="glossary/glossary.yaml",
    show_default=True,
    type=click.Path(path_type=Path),
    help="The glossary YAML file.",
)
@click.option(
    "--out",
    "out_dir",
    default="translations",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Output folder.",
)
@click.option("--engine", default="auto", show_default=True, type=ENGINE_CHOICE)
@click.option(
    "--pivot",
    default="es",
    show_default=True,
    type=PIVOT_CHOICE,
    help="Apertium's pivot language: Spanish or Catalan.",
)
@click.option(
    "--memory",
    "memory_path",
    default=None,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Translation memory (SQLite file).  [default: OUT/memory.sqlite]",
)
def run(
    corpus_dir: Path,
    glossary_path: Path,
    out_dir: Path,
    engine: str,
    pivot: str,
    memory_path: Path | None,
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


@main.command()
@click.argument("source", default="-", type=click.File("rb"))
@click.option("--engine", default="auto", show_default=True, type=ENGINE_CHOICE)
@click.option("--pivot", default="es", show_default=True, type=PIVOT_CHOICE)
def translate(source, engine: str, pivot: str) -> None:
    """Translate French text from SOURCE (a file, or - for stdin) to English on stdout."""
    from pipeline import corpus, segment

    name = getattr(source, "name", "-")
    try:
        text, encoding = corpus.decode(source.read())
    except corpus.NotAnArticle as why:
        raise PipelineError(f"{name}: {why}") from why
    if encoding != "utf-8":
        click.echo(f"warning: {name}: not UTF-8; decoded as {encoding}", err=True)
    text = text.replace("\r\n", "\n")
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
    help="Argos package index (index.json or its folder); "
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
        bar = DelayedProgressBar("downloading")
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
@click.option(
    "--out",
    "out_dir",
    default="translations",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Output folder of the last run (its .jsonl files are the current segments).",
)
@click.option(
    "--memory",
    "memory_path",
    default=None,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Translation memory (SQLite file).  [default: OUT/memory.sqlite]",
)
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
@click.option(
    "--out",
    "out_dir",
    default="translations",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Output folder of the last run.",
)
@click.option(
    "--memory",
    "memory_path",
    default=None,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Translation memory (SQLite file).  [default: OUT/memory.sqlite]",
)
def review_status(out_dir: Path, memory_path: Path | None) -> None:
    """Per document: segments from the engine, reviewed, flagged."""
    from pipeline import review as reviews

    status = reviews.review_status(out_dir, default_memory(out_dir, memory_path))
    click.echo(status.table())


if __name__ == "__main__":
    main()
