"""``fairuse triage``: the command line for corpus triage. It parses and prints;
the work is in :mod:`fairuse.triage.run`."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import FairuseError


def triage_command(
    inputs: Annotated[list[Path], typer.Argument(help="Manifests (Parquet, CSV, JSONL) or WARC files.", show_default=False)],
    answers: Annotated[Optional[Path], typer.Option("--answers", "-a", help="Answers file for the facts the whole corpus shares (purpose, user, jurisdictions...).")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Per-row verdicts: .parquet, .csv or .jsonl.")] = None,
    report: Annotated[Optional[Path], typer.Option("--report", help="HTML summary: what was not checked, the facts that would settle uncertain rows, charts, the evidence log.")] = None,
    robots: Annotated[Optional[list[Path]], typer.Option("--robots", help="Directory of robots files named HOST.txt (and HOST.tdmrep.json), or a WARC of robots.txt captures (Common Crawl's robotstxt WARCs too).")] = None,
    errors: Annotated[Optional[Path], typer.Option("--errors", help="Where rows that cannot be read go (default: beside --out, .errors.jsonl).")] = None,
    url_column: Annotated[Optional[str], typer.Option("--url-column", help="The URL's column when it is not 'url'; a nested key as metadata.url (found by itself when it is the only one).")] = None,
    exclusions: Annotated[Optional[Path], typer.Option("--exclusions", help="Folder for the exclusion lists, one per jurisdiction (exclusions-eu.csv...): domains or URLs to drop, with reasons.")] = None,
    optout_log: Annotated[Optional[Path], typer.Option("--optout-log", help="The opt-out compliance log (CSV): each reservation found, where and when it was read, whether it was honoured.")] = None,
    ai_act_summary: Annotated[Optional[Path], typer.Option("--ai-act-summary", help="A draft of the EU AI Act public summary of training content (Markdown), with what you must complete marked.")] = None,
    interview: Annotated[bool, typer.Option("--interview", help="On a terminal: ask the corpus questions that would settle uncertain rows, save them (--save-answers, or --answers with --force), then triage.")] = False,
    save_answers: Annotated[Optional[Path], typer.Option("--save-answers", help="With --interview: where to save the corpus answers.")] = None,
    dask: Annotated[Optional[str], typer.Option("--dask", help="Run partitions on the Dask scheduler at this address (tcp://host:8786).")] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Processes deriving batches (1: this process only; more cost CPU, save wall time).")] = 1,
    rules: Annotated[Optional[Path], typer.Option("--rules", envvar="FAIRUSE_RULES", help="Ruleset directory to use instead of the bundled one.")] = None,
    signals: Annotated[Optional[Path], typer.Option("--signals", help="Signals file instead of the ruleset's signals.yaml.")] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Apply the law in force on this date (YYYY-MM-DD).")] = None,
    batch_rows: Annotated[int, typer.Option("--batch-rows", min=1000, help="Rows per batch (memory use grows with it).")] = 100_000,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the output files (--out, --errors, --report, --optout-log, --ai-act-summary, --save-answers, the exclusion lists) if they exist.")] = False,
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
    if answers is None and not interview:
        raise FairuseError("give --answers FILE with the facts the whole corpus shares (purpose, user, stage, "
                           "jurisdictions), or --interview to be asked them")
    outputs = [p for p in (out, report, optout_log, ai_act_summary) if p is not None]
    if not outputs and exclusions is None and not interview:
        raise FairuseError("nothing to write: give --out FILE for the per-row verdicts (.parquet, .csv or .jsonl), "
                           "and --report, --exclusions, --optout-log or --ai-act-summary for the rest")
    if exclusions is not None and exclusions.exists() and not exclusions.is_dir():
        raise FairuseError(f"--exclusions {exclusions}: not a folder")
    from ..atomic import check_distinct, check_target
    from .run import default_errors_path, input_files

    if errors is None and out is not None:
        errors = default_errors_path(out)
    read = input_files(inputs, answers, signals, robots)
    named = {"--out": out, "--errors": errors, "--report": report, "--optout-log": optout_log,
             "--ai-act-summary": ai_act_summary, "--save-answers": save_answers}
    check_distinct(named)
    for p in named.values():  # now, not after the run; each write checks again
        if p is not None:
            check_target(p, force=force, inputs=read)
    on = None
    if as_of:
        try:
            on = dt.date.fromisoformat(as_of)
        except ValueError:
            raise FairuseError(f"--as-of: expected a date YYYY-MM-DD, got {as_of!r}") from None
    target = None
    if interview:
        target = save_answers or answers
        if target is None:
            raise FairuseError("--interview: give --save-answers FILE for the corpus answers")
        if os.path.lexists(target) and not force:
            raise FairuseError(f"{target}: exists; the interview would replace it: give --save-answers NEW.yaml, "
                               "or --force")
        if target is not save_answers:
            check_target(target, force=force)
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise FairuseError("--interview needs a terminal, and standard input or output is not one; "
                               "give an answers file with --answers")
    elif save_answers is not None:
        raise FairuseError("--save-answers goes with --interview")
    from .run import triage_files

    common = dict(robots=list(robots or []), rules=rules, signals=signals, as_of=on, batch_rows=batch_rows,
                  url_column=url_column)
    if interview:
        answers = _interview(inputs, answers, target, force, common)
        if not outputs and exclusions is None:
            return
    collectors = []
    if exclusions is not None:
        from .outputs import Exclusions

        collectors.append(Exclusions(exclusions))
    bar = _progress(inputs)
    try:
        result = triage_files(list(inputs), answers_path=answers, out=out, errors_path=errors, dask_address=dask,
                              workers=workers, progress=bar.advance if bar else None, collectors=collectors, force=force,
                              **common)
    except BaseException:
        for c in collectors:
            c.abort()
        raise
    finally:
        if bar:
            bar.stop()
    if exclusions is not None:
        collectors[0].finish(result, force)
    _write_outputs(result, report, optout_log, ai_act_summary, force, read)
    for source, message in result.problems[:SHOWN]:
        typer.echo(f"fairuse: warning: {source}: {message}", err=True)
    if len(result.problems) > SHOWN:
        typer.echo(f"fairuse: warning: {len(result.problems) - SHOWN:,} more problems"
                   + (f" (all in {report})" if report else " (--report lists them)"), err=True)
    if not result.decider.answers.get("jurisdictions"):
        typer.echo("fairuse: warning: the answers name no jurisdictions, so only the US is assessed; "
                   "add e.g. jurisdictions: [us, eu] to the answers file", err=True)
    for line in summary_lines(result, interview_hint=not interview):
        typer.echo(line)


def _write_outputs(result, report, optout_log, ai_act_summary, force, read=()) -> None:
    from ..atomic import write_atomic

    if report is not None:
        from .report import write_report

        write_report(result, report, force=force, inputs=read)
    if optout_log is not None:
        from .outputs import optout_log as log

        write_atomic(optout_log, log(result), force=force, inputs=read)
    if ai_act_summary is not None:
        from .outputs import ai_act_summary as draft

        write_atomic(ai_act_summary, draft(result), force=force, inputs=read)


def _interview(inputs, answers, target, force, common):
    """Triage once to learn the corpus's combinations of signals, ask, save; returns the answers file."""
    from ..questionnaire import Sessions
    from ..questionnaire.start import interrupted_message
    from .interview import corpus_interview, save_corpus_answers
    from .run import triage_files

    typer.echo("Reading the corpus to find what to ask…", err=True)
    first = triage_files(list(inputs), answers_path=answers, out=None, **common)
    session = Sessions().new({"save_answers": str(Path(target).absolute())})
    try:
        facts = corpus_interview(first, session=session, echo=typer.echo)
    except KeyboardInterrupt:
        typer.echo("\n" + interrupted_message(session, {"save_answers": str(target)}, session.answers), err=True)
        raise typer.Exit(130)
    save_corpus_answers(Path(target), facts, force)
    session.finish()
    typer.echo(f"Corpus answers saved to {target}.")
    return Path(target)


SHOWN = 10  # problems printed on stderr; the report lists them all


def summary_line(result) -> str:
    s = result.summary
    parts = [f"{result.rows_in:,} rows in = {result.rows_out:,} out + {result.errors:,} in errors"
             + ("" if result.balanced else " (MISMATCH)")]
    for j in s.jurisdictions:
        counts = {v: n for (jj, v), n in s.verdict_rows.items() if jj == j}
        parts.append(f"{j.upper()}: " + (", ".join(f"{v.replace('_', ' ')} {n:,}" for v, n in
                                                    sorted(counts.items(), key=lambda kv: -kv[1])) or "no rows"))
    rate = result.rows_in / result.seconds if result.seconds else 0
    parts.append(f"{result.decider.runs} engine runs, {result.seconds:.1f} s, {rate:,.0f} rows/s")
    if result.out:
        parts.append(f"verdicts in {result.out}")
    if result.errors_path:
        parts.append(f"errors in {result.errors_path}")
    return "; ".join(parts) + ". Not legal advice."


def _n(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def summary_lines(result, interview_hint: bool = True) -> list[str]:
    """The summary line, then what was not checked, then the facts that would settle uncertain rows."""
    from .guidance import not_checked, settle

    lines = [summary_line(result)]
    for nc in not_checked(result):
        if not nc["required"]:
            continue
        made = ", ".join(f"{j.upper()} {n:,}" for j, n in result.summary.unchecked_rows.items() if n)
        lines.append(f"Not checked: {nc['label']} for {_n(nc['rows'], 'row')} ({_n(nc['sites'], 'site')})"
                     + (f"; their answers resting on no reservation are uncertain ({made})" if made else "")
                     + "; give their captures with --robots.")
    facts = settle(result)
    if facts:
        shown = "; ".join(f"{f['question']} ({_n(f['rows'], 'row')}, {', '.join(f['jurisdictions'])})" for f in facts[:5])
        more = f"; and {len(facts) - 5} more (the report lists them)" if len(facts) > 5 else ""
        lines.append(f"Answers that would settle uncertain rows: {shown}{more}."
                     + (" --interview asks them." if interview_hint else ""))
    return lines


class _Bar:
    def __init__(self, total):
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                   TimeRemainingColumn)

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
