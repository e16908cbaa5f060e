"""``fairuse schema``: JSON Schemas of fairuse's public outputs."""

from __future__ import annotations

import typer

from .common import app


schema_app = typer.Typer(help="JSON Schemas of fairuse's public outputs. Example: fairuse schema assessment",
                         no_args_is_help=True, rich_markup_mode=None)
app.add_typer(schema_app, name="schema")


@schema_app.command("assessment")
def schema_assessment() -> None:
    """Print the JSON Schema of 'fairuse assess --format json' (the public contract).

    Example: fairuse schema assessment > assessment.schema.json
    """
    from ..schemas import assessment_schema_text

    typer.echo(assessment_schema_text(), nl=False)
