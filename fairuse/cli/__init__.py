"""The ``fairuse`` command line. It parses and prints; the work is in the modules.

Every user error is one line on stderr and exit status 2 (see
:class:`fairuse.errors.FairuseError`).

One module per command group: :mod:`.common` (the app, shared options and
helpers), :mod:`.assess` (examples, assess, memo), :mod:`.casebook`,
:mod:`.rules`, :mod:`.schema`, :mod:`.serve`, :mod:`.triage` (whose command lives in
:mod:`fairuse.triage.cli`).
The imports below register the commands in the order ``fairuse --help`` lists them.
"""

from __future__ import annotations

import sys

import typer

from ..errors import EngineError, FairuseError
# each import registers its commands, in the order `fairuse --help` lists them
from . import assess as _assess  # noqa: F401 - examples, assess, memo
from . import triage as _triage  # noqa: F401 - triage
from . import casebook as _casebook  # noqa: F401 - the casebook group
from . import rules as _rules  # noqa: F401 - the rules group
from . import schema as _schema  # noqa: F401 - the schema group
from . import facts as _facts  # noqa: F401 - facts
from . import serve as _serve  # noqa: F401 - serve (the web extra, imported only when it runs)
from .common import app

__all__ = ["app", "command", "main"]

# What each value stands for in the help, as a word a user reads (never a type such as <path> or <str>).
METAVARS = {
    "answers": "FILE", "save_answers": "FILE", "out": "FILE", "report": "FILE", "errors": "FILE",
    "optout_log": "FILE", "ai_act_summary": "FILE", "signals": "FILE", "robots": "DIR_OR_WARC",
    "rules": "DIR", "casebook": "DIR", "template": "DIR", "exclusions": "DIR", "directory": "DIR",
    "example": "NAME", "author": "NAME", "to": "NAME", "fmt": "FORMAT", "as_of": "DATE", "added": "DATE",
    "session_id": "ID", "case_id": "CASE_ID", "rule_id": "RULE_ID", "jurisdiction": "CODE", "kind": "KIND",
    "url_column": "COLUMN", "dask": "ADDRESS", "workers": "N", "batch_rows": "N", "top": "N",
    "minimum": "SHARE", "ridge": "NUMBER", "withhold": "FACTS", "facts": "WHICH", "split": "SPLIT",
    "inputs": "FILE...", "old": "OLD_DIR", "new": "NEW_DIR", "fact_id": "FACT",
    "host": "ADDRESS", "port": "PORT", "token": "TOKEN",
}


def _readable(cmd) -> None:
    """Every option and argument shows a word (FILE, DIR, DATE), and every command its whole first sentence."""
    for sub in getattr(cmd, "commands", {}).values():
        _readable(sub)
    for param in getattr(cmd, "params", []):
        if getattr(param, "is_flag", False) or param.name == "help":
            continue
        if not param.metavar:
            param.metavar = METAVARS.get(param.name, param.name.upper())
        if type(param).__name__.endswith("Argument"):  # no "{FILE}" in the usage, no "<list[Path]>" beside it
            param.display_type_rich = lambda ctx: None
            param._usage_display_name = (lambda p=param: p.metavar if p.required else f"[{p.metavar}]")
    text = (getattr(cmd, "help", None) or "").strip()
    if text and not getattr(cmd, "short_help", None):
        first = text.split("\n\n")[0].replace("\n", " ")
        cmd.short_help = first.split(". ")[0].rstrip(".")


def command():
    """The click command for the app, with readable placeholders (what ``fairuse`` runs)."""
    cmd = typer.main.get_command(app)
    _readable(cmd)
    return cmd


def main() -> None:
    """Entry point: run the app, turning user errors into one line and exit 2."""
    from ..pdfworker import prepare, release, wanted
    from ..safetext import one_line

    if wanted(sys.argv[1:]):
        prepare()  # WeasyPrint loads in a child while the command line is parsed and the memo written
    try:
        try:
            command()(prog_name="fairuse")
        finally:
            release()  # a child the command did not use (an error before the PDF) is stopped now
    except FairuseError as exc:
        typer.echo(f"fairuse: error: {one_line(str(exc))}", err=True)
        sys.exit(2)
    except EngineError as exc:
        typer.echo(f"fairuse: rule error: {one_line(str(exc))}", err=True)
        sys.exit(3)
    except KeyboardInterrupt:
        typer.echo("fairuse: interrupted", err=True)
        sys.exit(130)
    except RecursionError:
        typer.echo("fairuse: error: the input is nested too deeply", err=True)
        sys.exit(2)
    except MemoryError:
        typer.echo("fairuse: error: out of memory: the input is too large", err=True)
        sys.exit(2)
    except OSError as exc:  # a file the user named: unreadable folder, full disk, ...
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        typer.echo(f"fairuse: error: {one_line(where + (exc.strerror or str(exc)))}", err=True)
        sys.exit(2)
