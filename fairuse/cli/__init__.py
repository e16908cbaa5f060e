"""The ``fairuse`` command line. It parses and prints; the work is in the modules.

Every user error is one line on stderr and exit status 2 (see
:class:`fairuse.errors.FairuseError`).

One module per command group: :mod:`.common` (the app, shared options and
helpers), :mod:`.assess` (examples, assess, memo), :mod:`.casebook`,
:mod:`.rules`, :mod:`.schema`, :mod:`.triage` (whose command lives in
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
from .common import app

__all__ = ["app", "main"]


def main() -> None:
    """Entry point: run the app, turning user errors into one line and exit 2."""
    from ..pdfworker import prepare, release, wanted
    from ..safetext import one_line

    if wanted(sys.argv[1:]):
        prepare()  # WeasyPrint loads in a child while the command line is parsed and the memo written
    try:
        try:
            app()
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
