"""The terminal prompts (questionary): every question offers Why, Skip and Back.

:meth:`Prompter.ask` returns a value, :data:`SKIP` or :data:`BACK`; ``current``
pre-selects the earlier answer (after Back, or on the review screen), and
``current=SKIP`` pre-selects "Skip". The question's terms in plain words are
shown under it (dim, wrapped to the terminal), and the highlighted choice's
example under the list.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import textwrap

from ..safetext import clean
from .questions import BOOL_LABELS, Question

SKIP = type("Skip", (), {"__repr__": lambda self: "SKIP"})()
BACK = type("Back", (), {"__repr__": lambda self: "BACK"})()

HELP_LABEL = "? Why does this matter?"
SKIP_LABEL = "Skip: leave it unknown"
BACK_LABEL = "Back to the previous question"


def width() -> int:
    """The terminal's width, at most 100 columns (for reading), at least 40."""
    return max(40, min(shutil.get_terminal_size((80, 24)).columns, 100))


def wrapped(text: str, indent: str = "  ") -> str:
    return textwrap.fill(text, width=width() - 1, initial_indent=indent, subsequent_indent=indent)


def dim(text: str) -> str:
    """Dim on a terminal that shows colour; plain otherwise (a pipe, NO_COLOR)."""
    if not sys.stdout.isatty() or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return text
    return "\n".join(f"\x1b[2m{line}\x1b[0m" for line in text.split("\n"))


def _choice(title, value, example: str = "", **kw):
    """A questionary Choice whose description (shown under the list while it is highlighted) is its example."""
    from questionary import Choice

    if example and DESCRIPTIONS:
        return Choice(title, value, description=example, **kw)
    return Choice(title, value, **kw)


def _descriptions() -> bool:
    import inspect

    from questionary import Choice

    return "description" in inspect.signature(Choice.__init__).parameters


DESCRIPTIONS: bool = True  # set on first use: does the installed questionary show a choice's description?


class Prompter:
    """questionary prompts; returns a value, SKIP or BACK. Help is shown in place."""

    HELP, SKIP_CHOICE, BACK_CHOICE = "__help__", "__skip__", "__back__"

    def __init__(self, echo=print):
        self.echo = echo

    def _why(self, help_text: str) -> None:
        self.echo(wrapped(f"Why this matters: {help_text}"))

    def _explain(self, q: Question, fact, define_text: str) -> None:
        """The question's terms in plain words, under it; without choice descriptions, the examples as a list."""
        global DESCRIPTIONS
        DESCRIPTIONS = _descriptions()
        if define_text:
            self.echo(dim(wrapped(f"In plain words: {define_text}")))
        if not DESCRIPTIONS and q.examples:
            for value, example in q.examples.items():
                self.echo(dim(wrapped(f"{q.label(value)}: for example, {example}", "    ")))

    def ask(self, q: Question, fact, current=None, help_text: str | None = None, define_text: str | None = None):
        help_text = help_text if help_text is not None else q.help_for(None)
        self._explain(q, fact, define_text if define_text is not None else q.define_for(None))
        if fact.type == "multi":
            return self._multi(q, fact, current, help_text)
        if fact.type in ("text", "date"):
            return self._text(q, fact, current, help_text)
        return self._select(q, fact, current, help_text)

    def _multi(self, q: Question, fact, current, help_text):
        import questionary
        from questionary import Choice, Separator

        default = ["us"] if q.fact == "jurisdictions" else []  # what none selected means (assess's default)
        instruction = ("(space selects, Enter confirms; none selected = United States)" if default
                       else "(space selects, Enter confirms; none selected = skip)")
        picked = current if isinstance(current, list) else (None if current is SKIP else default)
        while True:
            options = [_choice(q.choices.get(v, v), v, q.example(v), checked=v in (picked or []))
                       for v in fact.values if v != "unknown"]
            options += [Separator(), Choice(HELP_LABEL, self.HELP), Choice(SKIP_LABEL, self.SKIP_CHOICE,
                                                                          checked=current is SKIP and picked is None),
                        Choice(BACK_LABEL, self.BACK_CHOICE)]
            reply = questionary.checkbox(q.question, choices=options, instruction=instruction).unsafe_ask()
            chosen = [v for v in reply if v not in (self.HELP, self.SKIP_CHOICE, self.BACK_CHOICE)]
            if self.HELP in reply:
                self._why(help_text)
                picked = chosen or picked
                continue
            if self.BACK_CHOICE in reply:
                return BACK
            if self.SKIP_CHOICE in reply:
                return SKIP
            return chosen or default or SKIP

    def _text(self, q: Question, fact, current, help_text):
        import questionary

        if fact.type == "date":
            hint = "YYYY-MM-DD, Enter for today; ? for why this matters, back for the previous question"
        else:
            hint = "type ? for why this matters, back for the previous question, Enter to skip"
        default = current.isoformat() if isinstance(current, dt.date) else (current if isinstance(current, str) else "")
        while True:
            reply = questionary.text(f"{q.question}  [{hint}]", default=default).unsafe_ask().strip()
            if reply == "?":
                self._why(help_text)
                default = ""
                continue
            if reply.lower() == "back":
                return BACK
            if not reply or reply.lower() == "skip":
                return SKIP
            if fact.type == "date":
                try:
                    return dt.date.fromisoformat(reply)
                except ValueError:
                    self.echo("  Please give a date as YYYY-MM-DD.")
                    continue
            return reply

    def _select(self, q: Question, fact, current, help_text):
        import questionary
        from questionary import Choice

        if fact.type == "bool":
            options = [_choice(BOOL_LABELS[True], True, q.example(True)), _choice(BOOL_LABELS[False], False, q.example(False))]
        else:
            options = [_choice(q.choices.get(v, v.replace("_", " ")), v, q.example(v)) for v in fact.values if v != "unknown"]
        options += [Choice(HELP_LABEL, self.HELP), Choice(SKIP_LABEL, self.SKIP_CHOICE), Choice(BACK_LABEL, self.BACK_CHOICE)]
        wanted = self.SKIP_CHOICE if current is SKIP else current
        default = next((o for o in options if current is not None and o.value == wanted
                        and type(o.value) is type(wanted)), None)
        while True:
            reply = questionary.select(q.question, choices=options, default=default, use_shortcuts=True, use_jk_keys=False,
                                       instruction="(arrows or number, Enter)").unsafe_ask()
            if reply == self.HELP:
                self._why(help_text)
                continue
            if reply == self.SKIP_CHOICE:
                return SKIP
            if reply == self.BACK_CHOICE:
                return BACK
            return reply

    def review(self, rows: list[tuple[str, str]]):
        import questionary
        from questionary import Choice

        options = [Choice("Looks right: assess", "__done__")] + [Choice(f"Change: {clean(label)}", fact) for fact, label in rows]
        return questionary.select("Review your answers", choices=options,
                                  instruction="(arrows, Enter)").unsafe_ask()
