"""``fairuse examples``, ``fairuse assess`` (answers file or questionnaire) and ``fairuse memo``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import AsOfOpt, CasebookOpt, RulesOpt, _fail, _source, app


@app.command()
def examples() -> None:
    """List the bundled example scenarios.

    Example: fairuse examples
    """
    from .. import examples as ex

    for name, summary in ex.summaries():
        typer.echo(f"{name:28} {summary[:100]}{'…' if len(summary) > 100 else ''}")


@app.command()
def assess(
    answers: Annotated[Optional[Path], typer.Option("--answers", "-a", help="Answers file (YAML or JSON): each fact's id and its answer; 'fairuse facts' lists them.")] = None,
    example: Annotated[Optional[str], typer.Option("--example", "-e", help="Name of a bundled example (see 'fairuse examples').")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", help="text, json or md (default: text).")] = None,
    as_of: AsOfOpt = None,
    rules: RulesOpt = None,
    casebook: CasebookOpt = None,
    trace: Annotated[bool, typer.Option("--trace", help="Also print the engine's view: each rule with its id, weight and authority, the scores, and every rule firing (text and md).")] = False,
    resume: Annotated[bool, typer.Option("--resume", help="Continue an interrupted questionnaire (the most recent, or --session ID) with the options it was started with.")] = False,
    session_id: Annotated[Optional[str], typer.Option("--session", help="With --resume: which interrupted questionnaire to continue (the id the interruption printed).")] = None,
    save_answers: Annotated[Optional[Path], typer.Option("--save-answers", help="After the questionnaire, write the answers to this file (YAML).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Let --save-answers overwrite an existing file.")] = False,
    ask_missing: Annotated[bool, typer.Option("--ask-missing", help="With --answers: ask the questions the file leaves unanswered.")] = False,
) -> None:
    """Assess a use: verdicts, factor leanings, reasons with authorities, missing facts.

    Without --answers, on a terminal, a questionnaire asks only what matters and
    saves every answer, so Ctrl-C and --resume lose nothing.

    Example: fairuse assess --answers my-use.yaml --format json
    """
    from ..analysis import analyse
    from ..answers import load_answers
    from ..rules import load_rulebase, parse_date

    answers = _source(answers, example, required=False)
    interactive = answers is None or ask_missing or resume or session_id is not None
    if not interactive and (save_answers or force):
        _fail(f"{'--save-answers' if save_answers else '--force'} goes with the questionnaire "
              f"(no --answers, or --ask-missing)")
    if interactive and not (sys.stdin.isatty() and sys.stdout.isatty()):
        _fail("the questionnaire needs a terminal, and standard input or output is not one; "
              "give an answers file, e.g. fairuse assess --answers my-use.yaml")
    if not interactive:
        fmt = _check_assess_fmt(fmt)
        base = load_rulebase(rules)
        facts = load_answers(base.vocabulary, answers)
        result = analyse(facts, rulebase=base, as_of=parse_date(as_of) if as_of else None, casebook=_casebook(casebook))
        _emit(result, fmt, trace)
        return
    if fmt is not None:
        _check_assess_fmt(fmt)
    if as_of:
        parse_date(as_of)
    options = {"save_answers": save_answers, "rules": rules, "casebook": casebook, "as_of": as_of, "format": fmt,
               "trace": trace, "answers": answers, "ask_missing": ask_missing, "force": force}
    facts, options, base = _questionnaire(options, resume, session_id)
    casebook_dir = options.get("casebook")
    result = analyse(facts, rulebase=base, casebook=_casebook(Path(casebook_dir) if casebook_dir else None))
    _emit(result, _check_assess_fmt(options.get("format")), bool(options.get("trace")))


def _check_assess_fmt(fmt: Optional[str]) -> str:
    fmt = (fmt or "text").lower()
    if fmt not in ("text", "json", "md"):
        _fail(f"--format: expected text, json or md, got '{fmt}'")
    return fmt


@app.command()
def memo(
    answers: Annotated[Optional[Path], typer.Option("--answers", "-a", help="Answers file (YAML or JSON): each fact's id and its answer; 'fairuse facts' lists them.")] = None,
    example: Annotated[Optional[str], typer.Option("--example", "-e", help="Name of a bundled example.")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="File to write (.html, .pdf or .md); Markdown goes to standard output without it.")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", help="html, pdf or md (default: from --out's extension).")] = None,
    template: Annotated[Optional[Path], typer.Option("--template", help="Folder of templates that override the bundled ones.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False,
    to: Annotated[str, typer.Option("--to", help="The memo's addressee.")] = "File",
    author: Annotated[str, typer.Option("--from", help="The memo's author line.")] = "fairuse (automated analysis)",
    as_of: AsOfOpt = None,
    rules: RulesOpt = None,
    casebook: CasebookOpt = None,
    appendix: Annotated[bool, typer.Option("--appendix", help="Add an appendix with the weighing in numbers and every rule that fired.")] = False,
) -> None:
    """Write a reasoned memo (HTML, PDF or Markdown) with a Table of Authorities (and, with --appendix, the rule trace).

    Example: fairuse memo --example google-books --out memo.pdf
    """
    if fmt is None:
        suffix = out.suffix.lower().lstrip(".") if out else "md"
        fmt = {"htm": "html"}.get(suffix, suffix)
    from ..memo.templating import FORMATS  # light: the memo package loads its parts on first use

    if fmt not in FORMATS:
        _fail(f"--format: expected html, pdf or md, got '{fmt}'")
    if fmt == "pdf" and out is None:
        _fail("PDF output needs --out FILE")
    if out is not None:  # early, before the work; the write checks again, atomically
        from ..atomic import check_target

        check_target(out, force=force, inputs=[answers])
    if fmt == "pdf":
        from ..pdfworker import prepare

        prepare()  # WeasyPrint loads beside the assessment (before the imports below: a fifth of a second)
    from .. import memo as memo_module
    from ..analysis import analyse
    from ..answers import load_answers
    from ..rules import load_rulebase, parse_date

    answers = _source(answers, example)
    base = load_rulebase(rules)
    facts = load_answers(base.vocabulary, answers)
    if template is not None and not Path(template).is_dir():
        _fail(f"--template: {template}: no such directory")
    result = analyse(facts, rulebase=base, as_of=parse_date(as_of) if as_of else None, casebook=_casebook(casebook),
                     template_dir=template)
    data = memo_module.render(result, fmt, template, appendix=appendix, to=to, author=author)
    if out is None:
        from ..safetext import clean

        sys.stdout.write(clean(data.decode("utf-8")))
        return
    memo_module.write(data, out, force=force, inputs=[answers])
    typer.echo(f"wrote {out} ({len(data):,} bytes)", err=True)


def _questionnaire(options: dict, resume: bool, session_id: Optional[str]):
    """Run the questionnaire (new or resumed); return (answers, the run's options, the ruleset)."""
    from ..answers import load_answers
    from ..questionnaire import run
    from ..questionnaire.start import begin, complete, interrupted_message
    from ..rules import load_rulebase, parse_date

    session, options, base, notes = begin(options, resume, session_id, load_rulebase)
    for note in notes:
        typer.echo(note, err=note.startswith("fairuse:"))
    initial = {}
    if options.get("answers") and (not session.answers or not resume):
        initial = load_answers(base.vocabulary, options["answers"])
    if options.get("as_of"):
        initial.setdefault("assessment_date", parse_date(options["as_of"]))
    try:
        facts = run(base, session=session, initial=initial, echo=typer.echo)
    except KeyboardInterrupt:
        typer.echo("\n" + interrupted_message(session, options, session.answers), err=True)
        raise typer.Exit(130)
    line = complete(session, options, facts)
    if line:
        typer.echo(line)
    return facts, options, base


def _casebook(casebook_dir):
    """The casebook the precedents come from: the folder given, else the one that ships with the rules."""
    from ..assess import DEFAULT_CASEBOOK

    return casebook_dir if casebook_dir else DEFAULT_CASEBOOK


def _emit(result, fmt: str, trace: bool) -> None:
    from .. import report

    if fmt == "json":
        typer.echo(report.to_json(result))
        return
    from ..safetext import clean

    if fmt == "md":
        typer.echo(clean(report.to_markdown(result) + (report.engine_view_markdown(result) if trace else "")), nl=False)
        return
    if sys.stdout.isatty():
        from rich.console import Console

        report.print_rich(result, Console(highlight=False))
    else:
        typer.echo(clean(report.to_text(result)), nl=False)
    if trace:
        typer.echo(clean(report.engine_view(result)), nl=False)
