"""The questionnaire's flow: ask, save after every answer, show leanings, review."""

from __future__ import annotations

import datetime as dt

from ..rules import RuleBase
from .interview import Interview
from .questions import Question, load_questions
from .session import Session
from .terminal import BACK, SKIP, Prompter

LEANS = {"user": "leans toward you", "owner": "leans toward the owner", "neutral": "leans neither way"}
FACTOR_WORDS = {"purpose": "the purpose of your use", "nature": "the nature of the works",
                "amount": "how much you use", "market": "the effect on the owner's market"}


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
    """Ask, section by section, every question that could still matter; then the follow-ups."""
    position = interview.position
    asked = len(history)
    again: dict = {}  # fact -> the earlier answer, pre-selected when Back returns to it
    forced = None
    stretch, stretch_asked = None, set()  # the section being asked, and the facts asked in it
    while True:
        start, follow_up = interview.cursor(history)
        if forced is not None:
            i, wrapped = position[forced], position[forced] < start
            forced = None
        else:
            found = interview.next_index(answers, settled, start)
            if found is None:
                _leaning_line(base, interview, stretch, stretch_asked, answers, echo)
                return
            i, wrapped = found
        follow = follow_up + (1 if wrapped else 0)  # 0: the main pass; n: the n-th follow-up pass
        q = questions[i]
        if (q.section, follow) != stretch:
            _leaning_line(base, interview, stretch, stretch_asked, answers, echo)
            stretch, stretch_asked = (q.section, follow), set()
        title = (f"Follow-up{'' if follow == 1 else f' {follow}'}: {q.section_title}" if follow
                 else q.section_title)
        left = len(interview.askable(answers, settled))  # the questions this path still asks, this one included
        echo(f"\n[{title}] question {asked + 1} of about {asked + max(left, 1)}")
        current = again.pop(q.fact, answers.get(q.fact))
        reply = _ask(prompter, q, base.vocabulary[q.fact], current, interview.chosen(answers, settled))
        if reply is BACK:
            if not history:
                echo("  This is the first question.")
                again[q.fact] = current
                forced = q.fact
                continue
            previous = history.pop()
            again[previous] = SKIP if previous in settled else answers.get(previous)
            answers.pop(previous, None)
            settled.discard(previous)
            asked = max(asked - 1, 0)
            forced = previous
            save()
            continue
        if reply is SKIP:
            answers.pop(q.fact, None)
            settled.add(q.fact)
        else:
            answers[q.fact] = reply
        history.append(q.fact)
        asked += 1
        stretch_asked.add(q.fact)
        save()


def _leaning_line(base, interview: Interview, stretch, asked: set, answers: dict, echo) -> None:
    """A section's factor leaning, once a question feeding that factor was asked in it."""
    if stretch is None or not asked:
        return
    factor = next((q.factor for q in interview.questions if q.section == stretch[0] and q.factor), None)
    if not factor or "us" not in interview.wanted(answers):
        return
    from .interview import factor_facts

    if not asked & factor_facts(base, factor, interview.on(answers)):
        return
    from ..assess import assess

    result = assess(answers, rulebase=base, as_of=interview.as_of, sensitivity=False)
    if result.us is None or result.us.verdict == "not_needed" or factor not in result.us.factors:
        return
    f = result.us.factors[factor]
    number = list(result.us.factors).index(factor) + 1
    echo(f"  So far, in the United States, {FACTOR_WORDS.get(factor, factor)} (factor {number}) "
         f"{LEANS[f.leaning]}.")  # words, never a score
