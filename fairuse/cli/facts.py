"""``fairuse facts``: the vocabulary an answers file states, with each question and what it means."""

from __future__ import annotations

from pathlib import Path  # noqa: F401 - typer reads the annotations
from typing import Annotated, Optional

import typer

from .common import AsOfOpt, RulesOpt, _check_fmt, app


@app.command("facts")
def facts(
    fact_id: Annotated[Optional[str], typer.Argument(help="One fact to show (its id); all of them when left out.")] = None,
    jurisdiction: Annotated[Optional[str], typer.Option("--jurisdiction", "-j", help="Only the facts this jurisdiction's rules read: us, uk, eu, jp, cn or sg.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, json or csv (default: text).")] = "text",
    as_of: AsOfOpt = None,
    rules: RulesOpt = None,
) -> None:
    """List the facts an answers file can state: each id, its answers (with an example of each), the question
    that asks it, its legal terms in plain words, and what it means.

    An answers file (YAML or JSON) maps these ids to one of their answers; anything left out is unknown.

    Example: fairuse facts --jurisdiction uk
    """
    import json

    from ..questionnaire.catalogue import catalogue
    from ..rules import load_rulebase, parse_date

    fmt = _check_fmt(fmt)
    base = load_rulebase(rules)
    rows = catalogue(base, jurisdiction, fact_id, parse_date(as_of, "--as-of") if as_of else None)
    if fmt == "json":
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if fmt == "csv":
        import csv
        import io

        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["id", "type", "values", "question", "meaning", "read_in", "in_plain_words"])
        for r in rows:
            writer.writerow([r["id"], r["type"], " | ".join(_shown(v["value"]) for v in r["values"]),
                             r["question"], r["meaning"], " ".join(r["read_in"]), r["define"]])
        typer.echo(out.getvalue(), nl=False)
        return
    for r in rows:
        typer.echo(f"{r['id']}  ({r['type']}{'; read in ' + ', '.join(r['read_in']) if r['read_in'] else ''})")
        if r["question"]:
            typer.echo(f"  Question: {r['question']}")
        if r["define"]:
            typer.echo(f"  In plain words: {r['define']}")
        for v in r["values"]:
            typer.echo(f"    {_shown(v['value'])}" + (f": {v['words']}" if v["words"] else ""))
            if v["example"]:
                typer.echo(f"      For example: {v['example']}")
        if r["meaning"]:
            typer.echo(f"  Meaning: {r['meaning']}")
        typer.echo("")


def _shown(value) -> str:
    """An answer's value as an answers file writes it (true/false in lower case)."""
    return str(value).lower() if isinstance(value, bool) else str(value)
