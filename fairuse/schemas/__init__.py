"""JSON Schemas of fairuse's public outputs (``fairuse schema assessment``)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent


def assessment_schema_text() -> str:
    """The JSON Schema of ``fairuse assess --format json``, as published."""
    return (HERE / "assessment.schema.json").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def assessment_schema() -> dict:
    return json.loads(assessment_schema_text())
