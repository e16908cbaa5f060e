"""The ``fairuse`` Typer app, the options several commands share, and the helpers every group uses."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .. import __version__

app = typer.Typer(
    help=("Fair-use and text-and-data-mining assessments from rules that cite their law. Not legal advice.\n\n"
          "\b\nStart here:\n"
          "  fairuse assess                           answer a few plain questions about your use\n"
          "  fairuse assess --example google-books    see a finished assessment (fairuse examples lists more)\n"
          "  fairuse memo --answers FILE --out memo.pdf   a reasoned memo from your saved answers\n"
          "  fairuse facts                            what an answers file can state, with each question"),
    no_args_is_help=True,
    context_settings={"max_content_width": 100},
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click help: no "<bool>" after flags that take no value
)

RulesOpt = Annotated[Optional[Path], typer.Option(
    "--rules", envvar="FAIRUSE_RULES", help="Ruleset directory to use instead of the bundled one.")]
CasebookOpt = Annotated[Optional[Path], typer.Option(
    "--casebook", envvar="FAIRUSE_CASEBOOK", help="Casebook directory to use instead of the bundled one.")]
AsOfOpt = Annotated[Optional[str], typer.Option(
    "--as-of", help="Apply the law in force on this date (YYYY-MM-DD); default: the answers' assessment_date, else today.")]


def say(text: str = "", **kwargs) -> None:
    """Print a line of rule or casebook text on the terminal literally: no markup is read in it, and a
    control sequence in it (a title-setting OSC, a colour) is shown escaped, never sent to the terminal."""
    from ..safetext import clean

    typer.echo(clean(str(text)), **kwargs)


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"fairuse: error: {message}", err=True)
    raise typer.Exit(code)


def _source(answers: Optional[Path], example: Optional[str], required: bool = True) -> Optional[Path]:
    """The answers file named by --answers or --example (not both)."""
    if answers and example:
        _fail("give --answers or --example, not both")
    if example:
        from ..examples import path as example_path

        return example_path(example)
    if answers is None and required:
        _fail("give --answers FILE or --example NAME")
    return answers


def _version(value: bool) -> None:
    if value:
        typer.echo(f"fairuse {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Fair-use and text-and-data-mining assessments from rules that cite their law. Not legal advice.

    \b
    Start here:
      fairuse assess                           answer a few plain questions about your use
      fairuse assess --example google-books    see a finished assessment (fairuse examples lists more)
      fairuse memo --answers FILE --out memo.pdf   a reasoned memo from your saved answers
      fairuse facts                            what an answers file can state, with each question
    """


def _check_fmt(fmt: str, allowed=("text", "json", "csv")) -> str:
    if fmt not in allowed:
        _fail(f"--format: expected {', '.join(allowed)}, got '{fmt}'")
    return fmt


def _print_frame(frame, fmt: str = "text") -> None:
    if fmt == "json":
        typer.echo(frame.to_json(orient="records", indent=2, force_ascii=False))
    elif fmt == "csv":
        say(frame.to_csv(index=False), nl=False)
    else:
        cells = frame.astype(str)
        widths = {c: max(len(c), *(len(v) for v in cells[c])) if len(cells) else len(c) for c in cells.columns}
        say("  ".join(c.ljust(widths[c]) for c in cells.columns).rstrip())
        for row in cells.itertuples(index=False):
            say("  ".join(str(v).ljust(widths[c]) for c, v in zip(cells.columns, row)).rstrip())
