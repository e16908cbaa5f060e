"""Answers files: read a YAML or JSON mapping of fact id -> value and check it.

The vocabulary (``rules/facts.yaml``) decides what is accepted. An absent fact
is unknown; so are ``null`` and the explicit ``unknown`` choice some facts
offer. Unknown is never read as ``false`` or ``no``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .errors import FairuseError, closest
from .vocabulary import Vocabulary
from .yamlfile import Node, load_file, load_text

UNKNOWN = "unknown"


def _fail(where: str, key: str, message: str) -> FairuseError:
    return FairuseError(f"{where}: '{key}': {message}")


def check_value(vocab: Vocabulary, key: str, value, where: str):
    """Return ``value`` normalised for fact ``key``, or raise a one-line error."""
    fact = vocab.require(key, where)
    if value is None:
        return None
    if fact.type == "bool":
        if not isinstance(value, bool):
            raise _fail(where, key, f"expected true or false, got {value!r}")
        return value
    if fact.type == "choice":
        if isinstance(value, bool) or not isinstance(value, str) or value not in fact.values:
            hint = closest(value, fact.values) if isinstance(value, str) else ""
            raise _fail(where, key, f"expected one of {', '.join(fact.values)}, got {value!r}{hint}")
        return value
    if fact.type == "multi":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            raise _fail(where, key, f"expected a list of {', '.join(fact.values)}, got {value!r}")
        for item in items:
            if not isinstance(item, str) or item not in fact.values:
                hint = closest(item, fact.values) if isinstance(item, str) else ""
                raise _fail(where, key, f"expected values from {', '.join(fact.values)}, got {item!r}{hint}")
        return list(dict.fromkeys(items))
    if fact.type == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise _fail(where, key, f"expected a date YYYY-MM-DD, got {value!r}") from None
    if not isinstance(value, str):
        raise _fail(where, key, f"expected text, got {value!r}")
    return value


def validate(vocab: Vocabulary, data, name: str) -> dict:
    """Check a parsed answers mapping; return ``{fact: value}`` of known facts."""
    if data is None:
        raise FairuseError(f"{name}: the answers file is empty; expected a mapping of fact id to value")
    if not isinstance(data, dict):
        raise FairuseError(
            f"{name}: expected a mapping of fact id to value, got a {type(data).__name__}"
        )
    answers: dict = {}
    for key, value in data.items():
        line = data.line_of(key) if isinstance(data, Node) else None
        where = f"{name}:{line}" if line else name
        if not isinstance(key, str):
            raise FairuseError(f"{where}: fact ids are words, got {key!r}")
        value = check_value(vocab, key, value, where)
        if value is None or value == UNKNOWN:
            continue
        answers[key] = value
    return answers


def load_answers(vocab: Vocabulary, path: Path | str) -> dict:
    """Load and validate an answers file."""
    path = Path(path)
    return validate(vocab, load_file(path), str(path))


def parse_answers(vocab: Vocabulary, text: str, name: str) -> dict:
    return validate(vocab, load_text(text, name), name)


def to_plain(answers: dict) -> dict:
    """Answers as YAML/JSON-ready values (dates as ISO strings)."""
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in answers.items()}
