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
    """Turns a PipelineError into one line on stderr and exit status 1 (traceback with --debug)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PipelineError as err:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"error: {err}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo(
                "interrupted: outputs already written are whole; nothing half-written", err=True
            )
            ctx.exit(130)


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
@click.option("--strict", is_flag=True, help="Exit with status 1 when a check finds an error.")
def run(
    corpus_dir: Path, glossary_path: Path, out_dir: Path, engine: str, pivot: str, strict: bool
) -> None:
    """Translate every article of the corpus and write the aligned outputs."""
    from pipeline import runner

    chosen = open_engine_verbose(engine, pivot)
    bar = DelayedProgressBar("translating")
    try:
        result = runner.run(corpus_dir, glossary_path, out_dir, chosen, progress=bar)
    finally:
        bar.close()
    click.echo(
        f"translated {len(result.segments)} segments of {len(result.documents)} articles "
        f"into {out_dir}/",
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
@click.option(
    "--out",
    "out_dir",
    default="translations",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Output folder of a run (its .jsonl files are read as they stand).",
)
@click.option(
    "--corpus",
    "corpus_dir",
    default="corpus",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Folder of the French articles (for the outputs' source text and cleaning fixes).",
)
@click.option(
    "--glossary",
    "glossary_path",
    default="glossary/glossary.yaml",
    show_default=True,
    type=click.Path(path_type=Path),
    help="The glossary YAML file.",
)
@click.option("--strict", is_flag=True, help="Exit with status 1 when a check finds an error.")
def check(out_dir: Path, corpus_dir: Path, glossary_path: Path, strict: bool) -> None:
    """Re-check the outputs as they stand (no translation); rewrite findings, report."""
    from pipeline import runner

    result = runner.check_outputs(out_dir, corpus_dir, glossary_path)
    click.echo(
        f"checked {len(result.segments)} segments of {len(result.documents)} articles "
        f"in {out_dir}/",
        err=True,
    )
    report_findings(result.findings, out_dir, strict)


@main.command()
@click.argument("source", default="-", type=click.File("r", encoding="utf-8"))
@click.option("--engine", default="auto", show_default=True, type=ENGINE_CHOICE)
@click.option("--pivot", default="es", show_default=True, type=PIVOT_CHOICE)
def translate(source, engine: str, pivot: str) -> None:
    """Translate French text from SOURCE (a file, or - for stdin) to English on stdout."""
    from pipeline import segment

    text = source.read()
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


if __name__ == "__main__":
    main()
