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
    rich_markup_mode=None,  # plain click help: no "<bool>" after flags that take no value
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


def _source(answers: Optional[Path], example: Optional[str], required: bool = True) -> Optional[Path]:
    """The answers file named by --answers or --example (not both)."""
    if answers and example:
        _fail("give --answers or --example, not both")
    if example:
        from .examples import path as example_path

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
    resume: Annotated[bool, typer.Option("--resume", help="Continue the questionnaire where an interrupted run stopped.")] = False,
    save_answers: Annotated[Optional[Path], typer.Option("--save-answers", help="After the questionnaire, write the answers to this file (YAML).")] = None,
    ask_missing: Annotated[bool, typer.Option("--ask-missing", help="With --answers: ask the questions the file leaves unanswered.")] = False,
) -> None:
    """Assess a use: verdicts, factor leanings, reasons with authorities, missing facts.

    Without --answers, on a terminal, a questionnaire asks only what matters and
    saves every answer, so Ctrl-C and --resume lose nothing.

    Example: fairuse assess --answers my-use.yaml --format json
    """
    fmt = (fmt or "text").lower()
    if fmt not in ("text", "json", "md"):
        _fail(f"--format: expected text, json or md, got '{fmt}'")
    from .answers import load_answers
    from .assess import assess as run_assessment
    from .rules import load_rulebase, parse_date

    answers = _source(answers, example, required=False)
    base = load_rulebase(rules)
    interactive = answers is None or ask_missing
    if interactive and not (sys.stdin.isatty() and sys.stdout.isatty()):
        _fail("the questionnaire needs a terminal, and standard input or output is not one; "
              "give an answers file, e.g. fairuse assess --answers my-use.yaml")
    facts = load_answers(base.vocabulary, answers) if answers is not None else {}
    if interactive:
        facts = _questionnaire(base, facts, resume)
        if save_answers:
            from .questionnaire import save_answers as write_answers

            write_answers(save_answers, facts)
            typer.echo(f"Answers saved to {save_answers}; rerun with: fairuse assess --answers {save_answers}")
    elif save_answers:
        _fail("--save-answers goes with the questionnaire (no --answers, or --ask-missing)")
    result = run_assessment(facts, rulebase=base, as_of=parse_date(as_of) if as_of else None)
    _add_precedents(result, casebook)
    _emit(result, fmt, trace)


casebook_app = typer.Typer(help="The casebook: precedents, analogues, and the rules measured against the courts. "
                                "Example: fairuse casebook evaluate",
                           no_args_is_help=True, rich_markup_mode=None)
app.add_typer(casebook_app, name="casebook")


def _casebook(rules, casebook):
    from .casebook import load_casebook
    from .rules import load_rulebase

    base = load_rulebase(rules)
    return base, load_casebook(casebook, base)


def _print_frame(frame, fmt: str = "text") -> None:
    if fmt == "json":
        typer.echo(frame.to_json(orient="records", indent=2, force_ascii=False))
    elif fmt == "csv":
        typer.echo(frame.to_csv(index=False), nl=False)
    else:
        cells = frame.astype(str)
        widths = {c: max(len(c), *(len(v) for v in cells[c])) if len(cells) else len(c) for c in cells.columns}
        typer.echo("  ".join(c.ljust(widths[c]) for c in cells.columns).rstrip())
        for row in cells.itertuples(index=False):
            typer.echo("  ".join(str(v).ljust(widths[c]) for c, v in zip(cells.columns, row)).rstrip())


@casebook_app.command("list")
def casebook_list(
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, json or csv.")] = "text",
    rules: RulesOpt = None,
    casebook: CasebookOpt = None,
) -> None:
    """List the precedents: id, name, year, court, outcome.

    Example: fairuse casebook list --format csv
    """
    from .casebook import casebook_table

    _, cases = _casebook(rules, casebook)
    _print_frame(casebook_table(cases)[["id", "name", "year", "court", "outcome"]], _check_fmt(fmt))


def _check_fmt(fmt: str, allowed=("text", "json", "csv")) -> str:
    if fmt not in allowed:
        _fail(f"--format: expected {', '.join(allowed)}, got '{fmt}'")
    return fmt


@casebook_app.command("show")
def casebook_show(
    case_id: Annotated[str, typer.Argument(help="The case id (see 'fairuse casebook list').")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    rules: RulesOpt = None,
    casebook: CasebookOpt = None,
) -> None:
    """Show one precedent: citation, facts as coded, factor findings, holding.

    Example: fairuse casebook show authors-guild-v-google
    """
    import json

    from .errors import closest

    _, cases = _casebook(rules, casebook)
    by_id = {c.id: c for c in cases}
    if case_id not in by_id:
        _fail(f"no case '{case_id}' in the casebook{closest(case_id, by_id)}")
    case = by_id[case_id].summary()
    if _check_fmt(fmt, ("text", "json")) == "json":
        typer.echo(json.dumps(case, indent=2, ensure_ascii=False))
        return
    typer.echo(f"{case['name']}, {case['citation']}")
    typer.echo(f"Court: {case['court']} · decided {case['decided']} · jurisdiction {case['jurisdiction']} "
               f"· outcome {case['outcome']}")
    if case["source"]:
        typer.echo(f"Source: {case['source']}")
    typer.echo(f"\nHolding: {case['holding']}")
    if case["later"]:
        typer.echo(f"Later: {case['later']}")
    if case["factors"]:
        typer.echo("\nThe court on the factors: " + ", ".join(f"{k} {v}" for k, v in case["factors"].items()))
    typer.echo("\nFacts as coded:")
    for key, value in case["facts"].items():
        typer.echo(f"  {key}: {value}")


@casebook_app.command("similar")
def casebook_similar(
    answers: Annotated[Optional[Path], typer.Option("--answers", "-a", help="Answers file to compare.")] = None,
    example: Annotated[Optional[str], typer.Option("--example", "-e", help="A bundled example to compare.")] = None,
    top: Annotated[int, typer.Option("--top", "-n", min=1, help="How many precedents to list.")] = 5,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, json or csv.")] = "text",
    rules: RulesOpt = None,
    casebook: CasebookOpt = None,
) -> None:
    """Rank precedents by weighted agreement with your facts, with the nearest fair and unfair case.

    Example: fairuse casebook similar --answers my-use.yaml --top 5
    """
    import pandas as pd

    from .answers import load_answers
    from .casebook import closest_for_and_against, rank

    answers = _source(answers, example)
    base, cases = _casebook(rules, casebook)
    facts = load_answers(base.vocabulary, answers)
    facts = {k: v for k, v in facts.items() if k not in ("use_summary", "assessment_date", "jurisdictions")}
    chosen = closest_for_and_against(rank(facts, cases, base), top)
    rows = [m.to_dict() for m in chosen]
    if _check_fmt(fmt) == "text":
        for row in rows:
            typer.echo(f"{row['similarity']:.2f}  {row['outcome']:8} {row['name']}, {row['citation']}")
            typer.echo(f"      {row['why']}")
        return
    _print_frame(pd.DataFrame(rows)[["id", "name", "outcome", "similarity", "why"]], fmt)


@casebook_app.command("stats")
def casebook_stats(
    rules: RulesOpt = None,
    casebook: CasebookOpt = None,
) -> None:
    """Summaries with pandas: outcomes by court, decade and purpose; factor findings against outcomes.

    Example: fairuse casebook stats
    """
    from .casebook import stats

    base, cases = _casebook(rules, casebook)
    for title, frame in stats(cases, base).items():
        typer.echo(f"\n== {title.replace('_', ' ')} ==")
        typer.echo(frame.to_string())


@casebook_app.command("evaluate")
def casebook_evaluate(
    withhold: Annotated[Optional[str], typer.Option("--withhold", help="Comma-separated facts to remove before assessing.")] = None,
    minimum: Annotated[Optional[float], typer.Option("--min", help="Exit 1 if direction accuracy is below this (0..1).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, json or csv.")] = "text",
    rules: RulesOpt = None,
    casebook: CasebookOpt = None,
) -> None:
    """Run the rules on every precedent (leave-one-out) and compare with the courts.

    Example: fairuse casebook evaluate --withhold new_purpose,output_substitutes --min 0.8
    """
    import json

    from .casebook import confusion, evaluate

    base, cases = _casebook(rules, casebook)
    held = tuple(w.strip() for w in (withhold or "").split(",") if w.strip())
    table, factors, metrics = evaluate(cases, base, held)
    fmt = _check_fmt(fmt)
    if fmt == "json":
        typer.echo(json.dumps({"metrics": metrics, "cases": json.loads(table.to_json(orient="records")),
                               "factors": json.loads(factors.to_json(orient="records"))}, indent=2))
    elif fmt == "csv":
        typer.echo(table.to_csv(index=False), nl=False)
    else:
        above = metrics["direction_accuracy"] - metrics["majority_baseline"]
        typer.echo(f"Cases evaluated: {metrics['cases_evaluated']} (decided for or against: {metrics['cases_decided']})"
                   + (f"; withheld facts: {', '.join(held)}" if held else ""))
        typer.echo(f"Direction accuracy: {metrics['direction_accuracy']:.3f} "
                   f"(majority-class guess {metrics['majority_baseline']:.3f}; {above:+.3f})")
        typer.echo(f"Factor agreement:   {metrics['factor_agreement']:.3f} over {metrics['factor_findings']} stated findings")
        typer.echo("\nConfusion (court x rules):")
        typer.echo(confusion(table).to_string())
        misses = table[table["hit"] == False]  # noqa: E712
        if len(misses):
            typer.echo("\nMisses:")
            for row in misses.itertuples():
                typer.echo(f"  {row.id}: court {row.court_outcome}, rules {row.verdict}; fired: {row.rules_fired}")
        disagreements = factors[~factors["agree"].astype(bool)]
        if len(disagreements):
            typer.echo("\nFactor disagreements:")
            for row in disagreements.itertuples():
                typer.echo(f"  {row.id} {row.factor}: court {row.court}, rules {row.rules}")
    if minimum is not None and metrics["direction_accuracy"] < minimum:
        typer.echo(f"fairuse: direction accuracy {metrics['direction_accuracy']:.3f} is below --min {minimum}", err=True)
        raise typer.Exit(1)


@app.command()
def memo(
    answers: Annotated[Optional[Path], typer.Option("--answers", "-a", help="Answers file (YAML or JSON).")] = None,
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
) -> None:
    """Write a reasoned memo (HTML, PDF or Markdown) with a Table of Authorities and the rule trace.

    Example: fairuse memo --example google-books --out memo.pdf
    """
    from . import memo as memo_module
    from .answers import load_answers
    from .assess import assess as run_assessment
    from .rules import load_rulebase, parse_date

    if fmt is None:
        suffix = out.suffix.lower().lstrip(".") if out else "md"
        fmt = {"htm": "html"}.get(suffix, suffix)
    if fmt not in memo_module.FORMATS:
        _fail(f"--format: expected html, pdf or md, got '{fmt}'")
    if fmt == "pdf" and out is None:
        _fail("PDF output needs --out FILE")
    if out is not None and out.exists() and not force:
        _fail(f"{out}: already exists; use --force to overwrite it")
    answers = _source(answers, example)
    base = load_rulebase(rules)
    facts = load_answers(base.vocabulary, answers)
    result = run_assessment(facts, rulebase=base, as_of=parse_date(as_of) if as_of else None)
    _add_precedents(result, casebook)
    data = memo_module.render(result, fmt, template, to=to, author=author)
    if out is None:
        sys.stdout.write(data.decode("utf-8"))
        return
    memo_module.write(data, out, force=force)
    typer.echo(f"wrote {out} ({len(data):,} bytes)", err=True)


rules_app = typer.Typer(help="Maintain the rulesets: list, show, lint, test, diff, schema, new. "
                             "Example: fairuse rules lint", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(rules_app, name="rules")
DirArg = Annotated[Optional[Path], typer.Argument(help="Ruleset directory (default: the bundled rules, or FAIRUSE_RULES).")]


def _rules_dir(directory):
    from .rules import default_rules_dir

    return Path(directory) if directory else default_rules_dir()


@rules_app.command("list")
def rules_list(
    jurisdiction: Annotated[Optional[str], typer.Option("--jurisdiction", "-j", help="Only this jurisdiction (us, uk, eu, jp, cn, sg).")] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Only rules in force on this date (YYYY-MM-DD).")] = None,
    rules: RulesOpt = None,
) -> None:
    """List rules: id, dates in force, what they conclude, title.

    Example: fairuse rules list --jurisdiction eu --as-of 2026-01-01
    """
    from .rules import load_rulebase, parse_date

    base = load_rulebase(rules)
    on = parse_date(as_of) if as_of else None
    if jurisdiction and jurisdiction not in base.jurisdictions:
        _fail(f"--jurisdiction: no ruleset for '{jurisdiction}' (have {', '.join(base.jurisdictions)})")
    for rule in base.rules:
        if jurisdiction and rule.jurisdiction != jurisdiction:
            continue
        if on and not rule.in_force(on):
            continue
        until = rule.effective_until.isoformat() if rule.effective_until else "      …   "
        then = rule.then
        what = (f"{rule.factor}:{then.leans}x{then.weight}" if then.leans else
                f"{','.join(then.provisions)}:{then.condition}={'met' if then.met else 'unmet'}" if then.condition else
                then.verdict or ("finding" if then.finding else "duty" if then.duty else "note"))
        typer.echo(f"{rule.id:48} {rule.effective_from} – {until}  {what:42} {rule.title}")


@rules_app.command("show")
def rules_show(
    rule_id: Annotated[str, typer.Argument(help="The rule id, e.g. us.107.1.non-expressive.")],
    rules: RulesOpt = None,
) -> None:
    """Show every version of a rule: provision text, condition, conclusion, authority, dates.

    Example: fairuse rules show us.107.1.new-expression
    """
    import yaml

    from .conditions import to_data
    from .errors import closest
    from .rules import load_rulebase

    base = load_rulebase(rules)
    versions = base.by_id(rule_id)
    if not versions:
        _fail(f"no rule '{rule_id}'{closest(rule_id, {r.id for r in base.rules})}")
    for rule in versions:
        typer.echo(f"{rule.id} — {rule.title}   [{rule.where}]")
        typer.echo(f"  in force: {rule.effective_from} to {rule.effective_until or 'now'}")
        typer.echo(f"  text: {rule.text}")
        typer.echo("  when:\n" + "\n".join("    " + line for line in yaml.safe_dump(
            to_data(rule.when), sort_keys=False, allow_unicode=True).splitlines()))
        then = rule.then.model_dump(exclude_none=True, exclude_defaults=True)
        typer.echo("  then: " + ", ".join(f"{k}={v}" for k, v in then.items()))
        typer.echo(f"  explanation: {rule.explanation}")
        typer.echo("  authority: " + "; ".join(rule.cites()))
        if rule.unsettled:
            typer.echo(f"  unsettled: {rule.unsettled}")
        typer.echo("")


@rules_app.command("lint")
def rules_lint(directory: DirArg = None) -> None:
    """Check a ruleset: schema, references, dates, dead rules, unused findings, untested rules.

    Each problem is one line 'file:line: rule-id: message'; exit 2 if any error.

    Example: fairuse rules lint ./my-rules
    """
    from .ruletools import lint

    errors, warnings = lint(_rules_dir(directory))
    for problem in errors:
        typer.echo(f"error: {problem}")
    for problem in warnings:
        typer.echo(f"warning: {problem}")
    typer.echo(f"{len(errors)} error(s), {len(warnings)} warning(s)")
    if errors:
        raise typer.Exit(2)


@rules_app.command("test")
def rules_test(
    directory: DirArg = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every test, not only failures.")] = False,
) -> None:
    """Run the YAML rule tests in DIR/tests; failures show the rule trace.

    Example: fairuse rules test
    """
    from .rules import load_rulebase
    from .ruletools import load_tests, run_tests

    root = _rules_dir(directory)
    base = load_rulebase(root)
    results = run_tests(base, load_tests(root, base))
    failed = [r for r in results if not r.passed]
    for r in results:
        if r.passed and verbose:
            typer.echo(f"ok    {r.test.name}")
        if not r.passed:
            typer.echo(f"FAIL  {r.test.name}  [{r.test.file}:{r.test.line}]")
            for failure in r.failures:
                typer.echo(f"      {failure}")
            typer.echo("      trace:")
            for line in r.trace:
                typer.echo(f"        {line}")
    covered = set().union(*(r.fired for r in results)) if results else set()
    ids = {r.id for r in base.rules}
    typer.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed "
               f"({len(covered & ids)} of {len(ids)} rules fired in some test)")
    if failed:
        raise typer.Exit(1)


@rules_app.command("diff")
def rules_diff(
    old: Annotated[Path, typer.Argument(help="The ruleset before the change.")],
    new: Annotated[Path, typer.Argument(help="The ruleset after the change.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, json or csv.")] = "text",
    casebook: CasebookOpt = None,
) -> None:
    """Show every verdict, factor leaning and reason that changes, over the examples and the casebook.

    Example: fairuse rules diff rules my-rules
    """
    from .rules import load_rulebase
    from .ruletools import diff

    table = diff(load_rulebase(old), load_rulebase(new), casebook_dir=casebook)
    fmt = _check_fmt(fmt)
    if fmt == "text" and table.empty:
        typer.echo("No verdict, factor leaning or reason changes.")
        return
    if fmt == "text":
        changed = table[table["what"] == "verdict"]
        typer.echo(f"{len(changed)} verdict change(s), {len(table)} change(s) in all")
    _print_frame(table, fmt)


@rules_app.command("schema")
def rules_schema(
    kind: Annotated[str, typer.Option("--kind", help="rules, weighing, questions or casebook.")] = "rules",
    rules: RulesOpt = None,
) -> None:
    """Print a JSON Schema for editors (completion and errors in rule, question and casebook files).

    Example: fairuse rules schema > fairuse-rules.schema.json
    """
    import json

    from .rules import load_rulebase
    from .ruletools import schema

    typer.echo(json.dumps(schema(load_rulebase(rules), kind), indent=2, ensure_ascii=False))


@rules_app.command("new")
def rules_new(
    jurisdiction: Annotated[str, typer.Option("--jurisdiction", "-j", help="us, uk, eu, jp, cn or sg.")],
    rule_id: Annotated[str, typer.Option("--id", help="The new rule's id, following the provision.")],
    directory: Annotated[Optional[Path], typer.Option("--dir", help="Ruleset directory to write into (default: ./rules).")] = None,
) -> None:
    """Write a draft rule with every required key, and a matching rule test.

    Example: fairuse rules new --jurisdiction uk --id uk.tdm.commercial-reform
    """
    from .rules import load_rulebase
    from .ruletools import scaffold

    root = Path(directory) if directory else Path("rules")
    if not (root / "ruleset.yaml").exists():
        _fail(f"{root}: not a ruleset directory (no ruleset.yaml); give --dir")
    rule_path, test_path = scaffold(root, jurisdiction, rule_id, load_rulebase(root))
    typer.echo(f"wrote {rule_path} (a draft) and {test_path}; fill in the TODOs, remove 'draft: true', "
               f"then run: fairuse rules test {root} && fairuse rules lint {root}")


@rules_app.command("export")
def rules_export(
    directory: Annotated[Path, typer.Argument(help="Folder to copy the bundled rules into (new or empty).")],
    force: Annotated[bool, typer.Option("--force", help="Copy into a folder that is not empty, overwriting the bundled files' namesakes.")] = False,
) -> None:
    """Copy the bundled rules, questions, rule tests and casebook into a folder you can edit.

    The casebook goes to DIR/casebook, which --rules DIR then uses.

    Example: fairuse rules export my-rules && fairuse assess --example google-books --rules my-rules
    """
    from .export import export

    rules_dir, casebook_dir = export(directory, force=force)
    typer.echo(f"copied the bundled rules to {rules_dir} and the casebook to {casebook_dir}; "
               f"use them with: fairuse assess --rules {rules_dir} ...; check edits with: "
               f"fairuse rules lint {rules_dir} && fairuse rules test {rules_dir}")


schema_app = typer.Typer(help="JSON Schemas of fairuse's public outputs. Example: fairuse schema assessment",
                         no_args_is_help=True, rich_markup_mode=None)
app.add_typer(schema_app, name="schema")


@schema_app.command("assessment")
def schema_assessment() -> None:
    """Print the JSON Schema of 'fairuse assess --format json' (the public contract).

    Example: fairuse schema assessment > assessment.schema.json
    """
    from .schemas import assessment_schema_text

    typer.echo(assessment_schema_text(), nl=False)


def _questionnaire(base, initial: dict, resume: bool) -> dict:
    from .questionnaire import Session, run

    session = Session()
    try:
        answers = run(base, session=session, resume=resume, initial=initial, echo=typer.echo)
    except KeyboardInterrupt:
        typer.echo(f"\nInterrupted. Your answers are saved in {session.path}; "
                   "run 'fairuse assess --resume' to continue.", err=True)
        raise typer.Exit(130)
    session.finish()
    return answers


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
