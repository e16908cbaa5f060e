"""``fairuse casebook``: list, show, similar, stats, evaluate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import AsOfOpt, CasebookOpt, RulesOpt, _check_fmt, _fail, _print_frame, _source, app, say


casebook_app = typer.Typer(help="The casebook: precedents, analogues, and the rules measured against the courts. "
                                "Example: fairuse casebook evaluate",
                           no_args_is_help=True, rich_markup_mode=None)
app.add_typer(casebook_app, name="casebook")


def _casebook(rules, casebook):
    from ..casebook import load_casebook
    from ..rules import load_rulebase

    base = load_rulebase(rules)
    return base, load_casebook(casebook, base)


@casebook_app.command("list")
def casebook_list(
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, json or csv.")] = "text",
    rules: RulesOpt = None,
    casebook: CasebookOpt = None,
) -> None:
    """List the precedents: id, name, year, court, outcome.

    Example: fairuse casebook list --format csv
    """
    from ..casebook import casebook_table

    _, cases = _casebook(rules, casebook)
    _print_frame(casebook_table(cases)[["id", "name", "year", "court", "outcome"]], _check_fmt(fmt))


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

    from ..errors import closest

    _, cases = _casebook(rules, casebook)
    by_id = {c.id: c for c in cases}
    if case_id not in by_id:
        _fail(f"no case '{case_id}' in the casebook{closest(case_id, by_id)}")
    case = by_id[case_id].summary()
    if _check_fmt(fmt, ("text", "json")) == "json":
        typer.echo(json.dumps(case, indent=2, ensure_ascii=False))
        return
    say(f"{case['name']}, {case['citation']}")
    say(f"Court: {case['court']} · decided {case['decided']} · jurisdiction {case['jurisdiction']} "
               f"· outcome {case['outcome']}")
    if case["source"]:
        say(f"Source: {case['source']}")
    say(f"\nHolding: {case['holding']}")
    if case["later"]:
        say(f"Later: {case['later']}")
    if case["factors"]:
        say("\nThe court on the factors: " + ", ".join(f"{k} {v}" for k, v in case["factors"].items()))
    say("\nFacts as coded:")
    for key, value in case["facts"].items():
        say(f"  {key}: {value}")


@casebook_app.command("similar")
def casebook_similar(
    answers: Annotated[Optional[Path], typer.Option("--answers", "-a", help="Answers file to compare.")] = None,
    example: Annotated[Optional[str], typer.Option("--example", "-e", help="A bundled example to compare.")] = None,
    top: Annotated[int, typer.Option("--top", "-n", min=1, help="How many precedents to list.")] = 5,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, json or csv.")] = "text",
    rules: RulesOpt = None,
    casebook: CasebookOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """Rank precedents by weighted agreement with your facts, with the nearest fair and unfair case.

    Example: fairuse casebook similar --answers my-use.yaml --top 5
    """
    import pandas as pd

    from ..answers import load_answers
    from ..casebook import closest_for_and_against, rank
    from ..rules import parse_date

    answers = _source(answers, example)
    base, cases = _casebook(rules, casebook)
    facts = load_answers(base.vocabulary, answers)
    on = parse_date(as_of) if as_of else facts.get("assessment_date")
    if on:  # precedents decided after the date the law is stated are hidden
        cases = [c for c in cases if c.as_of <= on]
    facts = {k: v for k, v in facts.items()
             if k not in ("use_summary", "assessment_date", "conduct_date", "jurisdictions")}
    chosen = closest_for_and_against(rank(facts, cases, base), top)
    rows = [m.to_dict() for m in chosen]
    if _check_fmt(fmt) == "text":
        for row in rows:
            say(f"{row['similarity']:.2f}  {row['outcome']:8} {row['name']}, {row['citation']}")
            say(f"      {row['why']}")
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
    from ..casebook import stats

    base, cases = _casebook(rules, casebook)
    for title, frame in stats(cases, base).items():
        say(f"\n== {title.replace('_', ' ')} ==")
        say(frame.to_string())


@casebook_app.command("evaluate")
def casebook_evaluate(
    withhold: Annotated[Optional[str], typer.Option("--withhold", help="Comma-separated facts to remove before assessing.")] = None,
    facts: Annotated[str, typer.Option("--facts", help="all: every coded fact; primary: withhold the conclusory facts the rules can infer.")] = "all",
    split: Annotated[str, typer.Option("--split", help="all, dev (cases the rules were tuned on) or holdout (set aside).")] = "all",
    added: Annotated[Optional[str], typer.Option("--added", metavar="DATE", help="Only the decisions added to the casebook on DATE (their 'added:' date); 'none': those coded before dates were kept.")] = None,
    minimum: Annotated[Optional[float], typer.Option("--min", help="Exit 1 if direction accuracy is below this (0..1).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, json or csv.")] = "text",
    rules: RulesOpt = None,
    casebook: CasebookOpt = None,
) -> None:
    """Run the rules on every precedent (leave-one-out) and compare with the courts.

    Example: fairuse casebook evaluate --facts primary --split holdout
    """
    import json

    from ..evaluation import confusion, evaluate

    base, cases = _casebook(rules, casebook)
    held = tuple(w.strip() for w in (withhold or "").split(",") if w.strip())
    table, factors, metrics = evaluate(cases, base, held, facts=facts, split=split, added=added)
    fmt = _check_fmt(fmt)
    if fmt == "json":
        typer.echo(json.dumps({"metrics": metrics, "cases": json.loads(table.to_json(orient="records")),
                               "factors": json.loads(factors.to_json(orient="records"))}, indent=2))
    elif fmt == "csv":
        say(table.to_csv(index=False), nl=False)
    elif metrics["cases_evaluated"] == 0:
        say(f"No case in the casebook is in split '{metrics['split']}' (mark cases with 'split: {metrics['split']}').")
    else:
        above = metrics["direction_accuracy"] - metrics["majority_baseline"]
        say(f"Cases evaluated: {metrics['cases_evaluated']} (decided for or against: {metrics['cases_decided']}); "
                   f"facts: {metrics['facts']}; split: {metrics['split']}"
                   + (f"; added {metrics['added']}" if metrics["added"] else "")
                   + (f"; withheld facts: {', '.join(metrics['withheld'])}" if metrics["withheld"] else ""))
        say(f"Direction accuracy: {metrics['direction_accuracy']:.3f} "
                   f"(majority-class guess {metrics['majority_baseline']:.3f}; {above:+.3f})")
        say(f"Abstentions:        {metrics['abstention_rate']:.3f} (uncertain on decided cases); "
                   f"decided by precedent: {metrics['decided_by_precedent']}")
        say(f"Factor agreement:   {metrics['factor_agreement']:.3f} over {metrics['factor_findings']} stated findings")
        say("\nCalibration (verdict: cases, how often the court went that way; majority-class share "
                   f"{metrics['majority_baseline']:.3f}):")
        for row in metrics["calibration"]:
            share = "-" if row["precision"] is None else f"{row['precision']:.3f}"
            what = "the commoner outcome" if row["verdict"] == "uncertain" else "right"
            say(f"  {row['verdict'].replace('_', ' '):15} {row['cases']:4}  {share} {what}")
        say("\nConfusion (court x rules):")
        say(confusion(table).to_string())
        misses = table[table["hit"] == False]  # noqa: E712
        if len(misses):
            say("\nMisses:")
            for row in misses.itertuples():
                say(f"  {row.id}: court {row.court_outcome}, rules {row.verdict}; fired: {row.rules_fired}")
        disagreements = factors[~factors["agree"].astype(bool)]
        if len(disagreements):
            say("\nFactor disagreements:")
            for row in disagreements.itertuples():
                say(f"  {row.id} {row.factor}: court {row.court}, rules {row.rules}")
    if minimum is not None and metrics["direction_accuracy"] < minimum:
        say(f"fairuse: direction accuracy {metrics['direction_accuracy']:.3f} is below --min {minimum}", err=True)
        raise typer.Exit(1)


@casebook_app.command("fit")
def casebook_fit(
    out: Annotated[Optional[Path], typer.Option("--out", metavar="DIR", help="Write a fitted copy of the ruleset to DIR instead of changing it in place (then: fairuse rules diff RULES DIR).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Fit and report; write nothing.")] = False,
    ridge: Annotated[float, typer.Option("--ridge", help="How strongly the weights are held to the hand-set ones (0: not at all).")] = 0.05,
    force: Annotated[bool, typer.Option("--force", help="With --out: replace DIR if it exists.")] = False,
    rules: RulesOpt = None,
    casebook: CasebookOpt = None,
) -> None:
    """Fit the US factor weights and verdict thresholds to the casebook's dev decisions, cross-validated,
    and write them into rules/us/weighing.yaml with their provenance.

    Example: fairuse casebook fit --out fitted-rules && fairuse rules diff rules fitted-rules
    """
    import datetime as dt
    import shutil

    from ..fitting import fit, rows_for, weighs_most, write_fit

    base, cases = _casebook(rules, casebook)
    if "us" not in base.jurisdictions:
        _fail(f"{base.root}: no US ruleset to fit")
    if ridge < 0:
        _fail("--ridge: expected 0 or more")
    spec = base.jurisdictions["us"].weighing
    rows = rows_for(cases, base)
    result = fit(rows, spec["factor_weights"], spec["bands"], ridge=ridge)
    cv = result.cv
    typer.echo(f"Fitted on {result.decisions} US decisions of the dev split ({result.rows} assessments: every fact, "
               f"and only the facts a user knows); {len(cv['probability_cutoffs'])} sides, 5 folds.")
    typer.echo(weighs_most(result))
    typer.echo(f"Cross-validated accuracy {cv['accuracy']:.3f} (uncertain counted as a miss; {cv['uncertain']:.3f} "
               f"uncertain), majority-class guess {cv['majority_baseline']:.3f}.")
    for mode in ("primary", "all"):
        if f"facts_{mode}" in cv:
            part = cv[f"facts_{mode}"]
            typer.echo(f"  facts {mode:7}: accuracy {part['accuracy']:.3f}, uncertain {part['uncertain']:.3f}")
    typer.echo("Bands (score: cases out of fold, how often the court went that way):")
    for band, spec_row in cv["bands"].items():
        where = result.bands.get(band)
        right = spec_row.get("right")
        typer.echo(f"  {band.replace('_', ' '):15} {'' if where is None else f'from {where:+.3f}':12} "
                   f"{spec_row['cases']:4}  {'-' if right is None else f'{right:.3f}'}")
    if dry_run:
        return
    path = base.root / "us" / "weighing.yaml"
    if out is not None:
        if out.exists() and not force:
            _fail(f"--out: {out}: already exists; use --force to replace it")
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(base.root, out)
        written = write_fit(out / "us" / "weighing.yaml", result, dt.date.today())
        typer.echo(f"wrote {written}; see what changes: fairuse rules diff {base.root} {out}")
    else:
        written = write_fit(path, result, dt.date.today())
        typer.echo(f"wrote {written}")
