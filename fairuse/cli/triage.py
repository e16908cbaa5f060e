"""``fairuse triage``: the command itself lives with its capability, in :mod:`fairuse.triage.cli`."""

from __future__ import annotations

from ..triage.cli import triage_command
from .common import app

app.command("triage")(triage_command)
