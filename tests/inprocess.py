"""Run the fairuse CLI in process (its real entry point, ``fairuse.cli.main``) and capture what a user sees."""

from __future__ import annotations

import contextlib
import io
import os
import sys
from dataclasses import dataclass


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str


def run_main(*args, env: dict | None = None, stdin: str = "") -> Outcome:
    from fairuse import cli

    out, err = io.StringIO(), io.StringIO()
    saved_argv, saved_env, saved_stdin = sys.argv, dict(os.environ), sys.stdin
    sys.argv = ["fairuse", *map(str, args)]
    os.environ.pop("FAIRUSE_RULES", None)
    os.environ.pop("FAIRUSE_CASEBOOK", None)
    os.environ.update(env or {})
    sys.stdin = io.StringIO(stdin)
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                cli.main()
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv, sys.stdin = saved_argv, saved_stdin
        os.environ.clear()
        os.environ.update(saved_env)
    return Outcome(code, out.getvalue(), err.getvalue())


def one_line(outcome: Outcome, *needles: str) -> str:
    """The single error line of a run refused as bad input (exit 2, no traceback), holding each of ``needles``."""
    assert outcome.code == 2, (outcome.code, outcome.stderr[-800:])
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in outcome.stderr, outcome.stderr[-2000:]
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]
