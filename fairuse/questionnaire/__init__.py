"""The interactive questionnaire: ask only what matters, explain why, never lose an answer.

* :mod:`.questions` reads ``rules/questions.yaml`` (one block per fact: the
  question, help citing the authority per jurisdiction, plain labels,
  ``ask_if`` / ``skip_if`` conditions over earlier answers).
* :class:`Interview` decides what to ask next, section by section in a stable
  order, and bounds how many questions are left.
* :class:`Session` / :class:`Sessions` save every answer at once, atomically and
  privately, one file per questionnaire, so an interrupted or killed run resumes
  where it stopped.
* :func:`run` drives them with questionary prompts on a terminal;
  :mod:`.start` is what ``fairuse assess`` calls to begin, resume and finish.
"""

from __future__ import annotations

from pathlib import Path

from .flow import describe, run
from .interview import Interview
from .questions import Question, help_gaps, holds, lint_questions, load_questions
from .session import Session, SessionError, Sessions, data_dir
from .terminal import BACK, SKIP, Prompter


def save_answers(path: Path, answers: dict, *, force: bool = False, inputs=()) -> None:
    """Write answers in the contract's answers format (YAML), atomically; an existing file only with ``force``,
    never over one of ``inputs`` (see :mod:`fairuse.atomic`)."""
    import yaml

    from ..answers import to_plain
    from ..atomic import write_atomic

    text = "# fairuse answers file (fact id: value); absent facts are unknown\n"
    text += yaml.safe_dump(to_plain(answers), sort_keys=False, allow_unicode=True, width=100)
    write_atomic(Path(path), text, force=force, inputs=inputs)


__all__ = ["BACK", "SKIP", "Interview", "Prompter", "Question", "Session", "SessionError", "Sessions", "data_dir",
           "describe", "help_gaps", "holds", "lint_questions", "load_questions", "run", "save_answers"]
