"""Errors a user can act on.

Every problem with a user's input (answers file, rule file, casebook file,
template) is raised as a :class:`FairuseError` whose message is one line that
names the file, the line or key, and what was expected. The CLI prints it and
exits with status 2; nothing else in the package prints tracebacks for them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class FairuseError(Exception):
    """A problem with the user's input: printed as one line, exit status 2."""

    exit_code = 2


class EngineError(Exception):
    """A rule raised an error while being evaluated: never a quiet wrong verdict."""


def where(path, line: int | None = None) -> str:
    """``file:line`` (or just ``file``) for error messages."""
    return f"{path}:{line}" if line else f"{path}"


def closest(word: str, choices: Iterable[str]) -> str:
    """A ``(did you mean 'x'?)`` suffix, or an empty string."""
    match = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.5)
    return f" (did you mean '{match[0]}'?)" if match else ""


def shown(value) -> str:
    """A wrongly typed value from a user's file, in words and short (for an error line)."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if value is None:
        return "nothing (null)"
    text = repr(value)
    return text if len(text) <= 60 else text[:60] + "..."
