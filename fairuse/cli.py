"""The ``fairuse`` command line. It parses and prints; the work is in the modules.

Every user error is one line on stderr and exit status 2 (see
:class:`fairuse.errors.FairuseError`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import __version__
from .errors import EngineError, FairuseError

app = typer.Typer(
    help="Fair-use and text-and-data-mining assessments from rules that cite their law. Not legal advice.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

RulesOpt = Annotated[Optional[Path], typer.Option(
    "--rules", envvar="FAIRUSE_RULES", help="Ruleset directory to use instead of the bundled one.")]
CasebookOpt = Annotated[Optional[Path], typer.Option(
    "--casebook", envvar="FAIRUSE_CASEBOOK", help="Casebook directory to use instead of the bundled one.")]
AsOfOpt = Annotated[Optional[str], typer.Option(
    "--as-of", help="Apply the law in force on this date (YYYY-MM-DD); default: the answers' assessment_date, else today.")]


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"fairuse: error: {message}", err=True)
    raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"fairuse {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Fair-use and TDM assessments. Example: fairuse assess --example google-books"""


@app.command()
def examples() -> None:
    """List the bundled example scenarios.

    Example: fairuse examples
    """
    from . import examples as ex

    for name, summary in ex.summaries():
        typer.echo(f"{name:28} {summary[:100]}{'…' if len(summary) > 100 else ''}")


@app.command()
def assess(
    answers: Annotated[Optional[Path], typer.Option("--answers", "-a", help="Answers file (YAML or JSON) of fact id -> value.")] = None,
    example: Annotated[Optional[str], typer.Option("--example", "-e", help="Name of a bundled example (see 'fairuse examples').")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", help="text, json or md (default: text).")] = None,
    as_of: AsOfOpt = None,
    rules: RulesOpt = None,
    casebook: CasebookOpt = None,
    trace: Annotated[bool, typer.Option("--trace", help="Also print every rule firing (text and md).")] = False,
) -> None:
    """Assess a use: verdicts, factor leanings, reasons with authorities, missing facts.

    Example: fairuse assess --answers my-use.yaml --format json
    """
    fmt = (fmt or "text").lower()
    if fmt not in ("text", "json", "md"):
        _fail(f"--format: expected text, json or md, got '{fmt}'")
    if answers and example:
        _fail("give --answers or --example, not both")
    from .answers import load_answers
    from .assess import assess as run_assessment
    from .rules import load_rulebase, parse_date

    base = load_rulebase(rules)
    if example:
        from .examples import path as example_path

        answers = example_path(example)
    if answers is None:
        if not sys.stdin.isatty():
            _fail("no --answers or --example given and standard input is not a terminal; "
                  "give an answers file, e.g. fairuse assess --answers my-use.yaml")
        _fail("no --answers or --example given; e.g. fairuse assess --example google-books")
    facts = load_answers(base.vocabulary, answers)
    result = run_assessment(facts, rulebase=base, as_of=parse_date(as_of) if as_of else None)
    _add_precedents(result, casebook)
    _emit(result, fmt, trace)


def _add_precedents(result, casebook_dir) -> None:
    """Attach the closest precedents when a casebook is available."""
    try:
        from . import casebook as cb
    except ImportError:  # pragma: no cover - the casebook module ships with the package
        return
    cb.attach_precedents(result, casebook_dir)


def _emit(result, fmt: str, trace: bool) -> None:
    from . import report

    if fmt == "json":
        typer.echo(report.to_json(result))
        return
    if fmt == "md":
        typer.echo(report.to_markdown(result) + (_trace_text(result) if trace else ""), nl=False)
        return
    if sys.stdout.isatty():
        from rich.console import Console

        report.print_rich(result, Console())
    else:
        typer.echo(report.to_text(result), nl=False)
    if trace:
        typer.echo(_trace_text(result), nl=False)


def _trace_text(result) -> str:
    lines = ["", "Rule trace:"]
    for code, firings in result.trace_dicts().items():
        for f in firings:
            lines.append(f"  {code} #{f['step']} {f['rule']} matched {f['matched']} -> {f['concluded']} "
                         f"[{'; '.join(f['authority'])}]")
    return "\n".join(lines) + "\n"


def main() -> None:
    """Entry point: run the app, turning user errors into one line and exit 2."""
    try:
        app()
    except FairuseError as exc:
        typer.echo(f"fairuse: error: {exc}", err=True)
        sys.exit(2)
    except EngineError as exc:
        typer.echo(f"fairuse: rule error: {exc}", err=True)
        sys.exit(3)
    except KeyboardInterrupt:
        typer.echo("fairuse: interrupted", err=True)
        sys.exit(130)
