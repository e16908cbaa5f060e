"""``fairuse rules``: list, show, lint, test, diff, schema, new, export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import CasebookOpt, RulesOpt, _check_fmt, _fail, _print_frame, app, say


rules_app = typer.Typer(help="Maintain the rulesets: list, show, lint, test, diff, schema, new. "
                             "Example: fairuse rules lint", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(rules_app, name="rules")
DirArg = Annotated[Optional[Path], typer.Argument(help="Ruleset directory (default: the bundled rules, or FAIRUSE_RULES).")]


def _rules_dir(directory):
    from ..rules import default_rules_dir

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
    from ..rules import load_rulebase, parse_date

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
        say(f"{rule.id:48} {rule.effective_from} – {until}  {what:42} {rule.title}")


@rules_app.command("show")
def rules_show(
    rule_id: Annotated[str, typer.Argument(help="The rule id, e.g. us.107.1.non-expressive.")],
    rules: RulesOpt = None,
) -> None:
    """Show every version of a rule: provision text, condition, conclusion, authority, dates.

    Example: fairuse rules show us.107.1.new-expression
    """
    import yaml

    from ..conditions import to_data
    from ..errors import closest
    from ..rules import load_rulebase

    base = load_rulebase(rules)
    versions = base.by_id(rule_id)
    if not versions:
        _fail(f"no rule '{rule_id}'{closest(rule_id, {r.id for r in base.rules})}")
    for rule in versions:
        say(f"{rule.id} — {rule.title}   [{rule.where}]")
        say(f"  in force: {rule.effective_from} to {rule.effective_until or 'now'}")
        say(f"  text: {rule.text}")
        say("  when:\n" + "\n".join("    " + line for line in yaml.safe_dump(
            to_data(rule.when), sort_keys=False, allow_unicode=True).splitlines()))
        then = rule.then.model_dump(exclude_none=True, exclude_defaults=True)
        say("  then: " + ", ".join(f"{k}={v}" for k, v in then.items()))
        say(f"  explanation: {rule.explanation}")
        say("  authority: " + "; ".join(rule.cites()))
        if rule.unsettled:
            say(f"  unsettled: {rule.unsettled}")
        say("")


@rules_app.command("lint")
def rules_lint(directory: DirArg = None) -> None:
    """Check a ruleset: schema, references, dates, dead rules, unused findings, untested rules.

    Each problem is one line 'file:line: rule-id: message'; exit 2 if any error.

    Example: fairuse rules lint ./my-rules
    """
    from ..ruletools import lint

    errors, warnings = lint(_rules_dir(directory))
    for problem in errors:
        say(f"error: {problem}")
    for problem in warnings:
        say(f"warning: {problem}")
    say(f"{len(errors)} error(s), {len(warnings)} warning(s)")
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
    from ..rules import load_rulebase
    from ..ruletools import load_tests, run_tests

    root = _rules_dir(directory)
    base = load_rulebase(root)
    results = run_tests(base, load_tests(root, base))
    failed = [r for r in results if not r.passed]
    for r in results:
        if r.passed and verbose:
            say(f"ok    {r.test.name}")
        if not r.passed:
            say(f"FAIL  {r.test.name}  [{r.test.file}:{r.test.line}]")
            for failure in r.failures:
                say(f"      {failure}")
            say("      trace:")
            for line in r.trace:
                say(f"        {line}")
    covered = set().union(*(r.fired for r in results)) if results else set()
    ids = {r.id for r in base.rules}
    say(f"{len(results) - len(failed)} passed, {len(failed)} failed "
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
    from ..rules import load_rulebase
    from ..ruletools import diff

    table = diff(load_rulebase(old), load_rulebase(new), casebook_dir=casebook)
    fmt = _check_fmt(fmt)
    if fmt == "text" and table.empty:
        say("No verdict, factor leaning or reason changes.")
        return
    if fmt == "text":
        changed = table[table["what"] == "verdict"]
        say(f"{len(changed)} verdict change(s), {len(table)} change(s) in all")
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

    from ..rules import load_rulebase
    from ..ruletools import schema

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
    from ..rules import load_rulebase
    from ..ruletools import scaffold

    root = Path(directory) if directory else Path("rules")
    if not (root / "ruleset.yaml").exists():
        _fail(f"{root}: not a ruleset directory (no ruleset.yaml); give --dir")
    rule_path, test_path = scaffold(root, jurisdiction, rule_id, load_rulebase(root))
    say(f"wrote {rule_path} (a draft) and {test_path}; fill in the TODOs, remove 'draft: true', "
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
    from ..export import export

    rules_dir, casebook_dir = export(directory, force=force)
    say(f"copied the bundled rules to {rules_dir} and the casebook to {casebook_dir}; "
               f"use them with: fairuse assess --rules {rules_dir} ...; check edits with: "
               f"fairuse rules lint {rules_dir} && fairuse rules test {rules_dir}")
