"""The questionnaire's flow: ask, save after every answer, show leanings, review."""

from __future__ import annotations

import datetime as dt

from ..rules import RuleBase
from .interview import Interview
from .questions import Question, load_questions
from .session import Session
from .steps import back, leaning, next_step, record
from .terminal import BACK, SKIP, Prompter


def describe(q: Question, value, skipped: bool = False) -> str:
    """An answer in the words the user picked it with."""
    if skipped:
        return "skipped (left unknown)"
    if value is None:
        if q.fact == "conduct_date":
            return "the same date"
        return f"today ({dt.date.today().isoformat()})" if q.fact == "assessment_date" else "not asked"
    if isinstance(value, dt.date):
        return value.isoformat()
    return q.label(value)


class _Saver:
    """Saves the session and says so, in one line, when saving fails or works again."""

    def __init__(self, session: Session, echo):
        self.session, self.echo, self.failing = session, echo, False

    def __call__(self) -> None:
        if self.session.save():
            if self.failing:
                self.echo(f"  Saved again to {self.session.path}.")
            self.failing = False
        elif not self.failing:
            self.failing = True
            self.echo(f"  fairuse: warning: this answer could not be saved: {self.session.error}; "
                      "keep going, or Ctrl-C prints your answers so far.")


def run(base: RuleBase, *, session: Session, initial: dict | None = None, prompter=None, echo=print,
        as_of: dt.date | None = None, review: bool = True, interview: Interview | None = None) -> dict:
    """Ask the questions; return the answers. Raises KeyboardInterrupt on Ctrl-C (answers are saved).

    ``session`` carries any answers already given (a resumed session); each
    answer is saved to it at once. ``interview`` decides what to ask (by default,
    what could change this use's verdicts; ``fairuse triage --interview`` passes
    one that asks about a corpus).
    """
    prompter = prompter or Prompter(echo)
    questions = interview.questions if interview is not None else load_questions(base)
    interview = interview or Interview(base, questions, as_of)
    answers, settled, history = session.answers, session.settled, session.history
    for key, value in (initial or {}).items():
        if key not in settled:
            answers.setdefault(key, value)
    save = _Saver(session, echo)
    save()
    by_fact = {q.fact: q for q in questions}
    _flow(base, interview, questions, answers, settled, history, prompter, echo, save)
    if not review:
        return answers
    while True:  # the review screen
        rows = [(q.fact, f"{q.question} — {describe(q, answers.get(q.fact), q.fact in settled)}") for q in questions
                if q.fact in answers or q.fact in settled or q.review_only]
        choice = prompter.review(rows)
        if choice in (None, "__done__"):
            break
        q = by_fact[choice]
        current = SKIP if q.fact in settled else answers.get(q.fact)
        reply = _ask(prompter, q, base.vocabulary[q.fact], current, interview.chosen(answers, settled))
        if reply is SKIP:
            answers.pop(q.fact, None)
            if not q.review_only:
                settled.add(q.fact)
        elif reply is not BACK:
            answers[q.fact] = reply
            settled.discard(q.fact)
        save()
        # a changed answer can make other questions matter: ask those now
        _flow(base, interview, questions, answers, settled, history, prompter, echo, save)
    return answers


def _ask(prompter, q: Question, fact, current, chosen):
    """Ask one question with the help and the plain definitions for the places chosen (a prompter that takes no
    definitions, such as a scripted one, is asked without them)."""
    import inspect

    help_text = q.help_for(chosen)
    if "define_text" in inspect.signature(prompter.ask).parameters:
        return prompter.ask(q, fact, current, help_text, define_text=q.define_for(chosen))
    return prompter.ask(q, fact, current, help_text)


def _flow(base, interview: Interview, questions, answers, settled, history, prompter, echo, save) -> None:
    """Ask, section by section, every question that could still matter; then the follow-ups.

    Each step is :mod:`.steps`' (the web asks the same): the next question, its count, a reply recorded, Back.
    """
    again: dict = {}  # fact -> the earlier answer, pre-selected when Back returns to it
    forced = None
    stretch, stretch_asked = None, set()  # the section being asked, and the facts asked in it
    while True:
        step = next_step(interview, answers, settled, history, forced)
        forced = None
        if step is None:
            _leaning_line(base, interview, stretch, stretch_asked, answers, echo)
            return
        q = step.question
        if (q.section, step.follow) != stretch:
            _leaning_line(base, interview, stretch, stretch_asked, answers, echo)
            stretch, stretch_asked = (q.section, step.follow), set()
        echo(f"\n[{step.title}] {step.progress}")
        current = again.pop(q.fact, answers.get(q.fact))
        reply = _ask(prompter, q, base.vocabulary[q.fact], current, interview.chosen(answers, settled))
        if reply is BACK:
            undone = back(answers, settled, history)
            if undone is None:
                echo("  This is the first question.")
                again[q.fact] = current
                forced = q.fact
                continue
            previous, earlier, skipped = undone
            again[previous] = SKIP if skipped else earlier
            forced = previous
            save()
            continue
        record(q.fact, reply, answers, settled, history, skipped=reply is SKIP)
        stretch_asked.add(q.fact)
        save()


def _leaning_line(base, interview: Interview, stretch, asked: set, answers: dict, echo) -> None:
    """A section's factor leaning, once a question feeding that factor was asked in it."""
    line = leaning(base, interview, stretch[0] if stretch else None, asked, answers)
    if line:
        echo(f"  {line}")
