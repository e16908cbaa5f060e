"""``fairuse triage``: the command line for corpus triage. It parses and prints;
the work is in :mod:`fairuse.triage.run`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import FairuseError


def triage_command(
    inputs: Annotated[list[Path], typer.Argument(help="Manifests (Parquet, CSV, JSONL) or WARC files.", show_default=False)],
    answers: Annotated[Optional[Path], typer.Option("--answers", "-a", help="Answers file for the facts the whole corpus shares (purpose, user, jurisdictions...).")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Per-row verdicts: .parquet, .csv or .jsonl.")] = None,
    report: Annotated[Optional[Path], typer.Option("--report", help="HTML summary with charts and the evidence log.")] = None,
    robots: Annotated[Optional[list[Path]], typer.Option("--robots", help="Directory of <host>.txt robots files (and <host>.tdmrep.json), or a WARC of robots.txt captures.")] = None,
    errors: Annotated[Optional[Path], typer.Option("--errors", help="Where rows that cannot be read go (default: beside --out, .errors.jsonl).")] = None,
    dask: Annotated[Optional[str], typer.Option("--dask", help="Run partitions on the Dask scheduler at this address (tcp://host:8786).")] = None,
    rules: Annotated[Optional[Path], typer.Option("--rules", envvar="FAIRUSE_RULES", help="Ruleset directory to use instead of the bundled one.")] = None,
    signals: Annotated[Optional[Path], typer.Option("--signals", help="Signals file instead of the ruleset's signals.yaml.")] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Apply the law in force on this date (YYYY-MM-DD).")] = None,
    batch_rows: Annotated[int, typer.Option("--batch-rows", min=1000, help="Rows per batch (memory use grows with it).")] = 100_000,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out, --errors and --report if they exist.")] = False,
) -> None:
    """Triage a training corpus: opt-outs and licences per row, verdicts per jurisdiction.

    Example: fairuse triage sources.parquet --answers corpus.yaml --out verdicts.parquet --report triage.html
    """
    from . import require

    require()
    import datetime as dt

    for p in inputs:
        if not p.exists():
            raise FairuseError(f"{p}: no such file")
    from ..atomic import check_distinct, check_target
    from .run import default_errors_path, input_files

    if errors is None and out is not None:
        errors = default_errors_path(out)
    read = input_files(inputs, answers, signals, robots)
    outputs = {"--out": out, "--errors": errors, "--report": report}
    check_distinct(outputs)
    for p in outputs.values():  # now, not after the run; each write checks again
        if p is not None:
            check_target(p, force=force, inputs=read)
    on = None
    if as_of:
        try:
            on = dt.date.fromisoformat(as_of)
        except ValueError:
            raise FairuseError(f"--as-of: expected a date YYYY-MM-DD, got {as_of!r}") from None
    from .run import triage_files

    bar = _progress(inputs)
    try:
        result = triage_files(list(inputs), answers_path=answers, out=out, robots=list(robots or []), rules=rules,
                              signals=signals, as_of=on, errors_path=errors, dask_address=dask,
                              batch_rows=batch_rows, progress=bar.advance if bar else None, force=force)
    finally:
        if bar:
            bar.stop()
    if report is not None:
        from .report import write_report

        write_report(result, report, force=force, inputs=read)
    for source, message in result.problems[:SHOWN]:
        typer.echo(f"fairuse: warning: {source}: {message}", err=True)
    if len(result.problems) > SHOWN:
        typer.echo(f"fairuse: warning: {len(result.problems) - SHOWN:,} more problems"
                   + (f" (all in {report})" if report else " (--report lists them)"), err=True)
    typer.echo(summary_line(result))


SHOWN = 10  # problems printed on stderr; the report lists them all


def summary_line(result) -> str:
    s = result.summary
    parts = [f"{result.rows_in:,} rows in = {result.rows_out:,} out + {result.errors:,} in errors"
             + ("" if result.balanced else " (MISMATCH)")]
    for j in s.jurisdictions:
        counts = {v: n for (jj, v), n in s.verdict_rows.items() if jj == j}
        parts.append(f"{j.upper()}: " + ", ".join(f"{v.replace('_', ' ')} {n:,}"
                                                  for v, n in sorted(counts.items(), key=lambda kv: -kv[1])))
    rate = result.rows_in / result.seconds if result.seconds else 0
    parts.append(f"{result.decider.runs} engine runs, {result.seconds:.1f} s, {rate:,.0f} rows/s")
    if result.errors_path:
        parts.append(f"errors in {result.errors_path}")
    return "; ".join(parts) + ". Not legal advice."


class _Bar:
    def __init__(self, total):
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                   TimeRemainingColumn)
        from rich.console import Console

        self.p = Progress(TextColumn("triage"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]} rows/s"),
                          TimeElapsedColumn(), TimeRemainingColumn(), console=Console(stderr=True), transient=True)
        self.task = self.p.add_task("rows", total=total, rate="0")
        self.p.start()

    def advance(self, n: int) -> None:
        task = self.p.tasks[0]
        speed = task.speed or 0
        self.p.update(self.task, advance=n, rate=f"{speed:,.0f}")

    def stop(self) -> None:
        self.p.stop()


def _progress(inputs):
    """A rich progress bar on a terminal; nothing when stderr is piped."""
    if not sys.stderr.isatty():
        return None
    from .sources import count_rows

    try:
        totals = [count_rows(p) for p in inputs]
    except Exception:
        totals = [None]
    total = sum(totals) if all(t is not None for t in totals) else None
    return _Bar(total)


def register(app: typer.Typer) -> None:
    app.command("triage")(triage_command)
