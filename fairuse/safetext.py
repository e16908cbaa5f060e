"""Text for a terminal: no control sequences from user input, and bounded error lines.

An answers file can hold ``\\x1b]2;...\\x07`` (set the window title) or any other
escape sequence; printed as is, it reaches the terminal. Plain-text output and
error lines show such characters escaped (``\\x1b``) instead.
"""

from __future__ import annotations

import re

MAX_ERROR_LINE = 500  # characters of an error line; a 5 MB bad value is not echoed whole

# C0 controls but tab and newline, DEL, C1 controls, and the Unicode line/paragraph separators and bidi overrides
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: str) -> str:
    """``text`` with every control character but newline and tab shown escaped."""
    return _CONTROL.sub(_escape, text)


def one_line(text: str, limit: int = MAX_ERROR_LINE) -> str:
    """One line: newlines and tabs as spaces, controls escaped, at most ``limit`` characters."""
    flat = clean(" ".join(str(text).split("\n")).replace("\t", " ").replace("\r", " "))
    if len(flat) > limit:
        flat = flat[: limit - 40] + f"... ({len(flat) - limit + 40:,} more characters)"
    return flat
