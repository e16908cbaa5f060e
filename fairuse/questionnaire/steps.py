"""One step of the questionnaire, the same for the terminal and the web.

The terminal (:mod:`.flow`) asks in a loop; the web (:mod:`fairuse.web`) asks one
question per request. Both ask the question :func:`next_step` gives, count it the
same way ("question N of about M"), record a reply with :func:`record`, go back
with :func:`back` and say a section's leaning with :func:`leaning`. The session
(answers, the facts left unknown, the facts in the order asked) is all the state
there is, so a web page can be reloaded or resumed from its link.
"""

from __future__ import annotations

from dataclasses import dataclass

from .interview import Interview
from .questions import Question

LEANS = {"user": "leans toward you", "owner": "leans toward the owner", "neutral": "leans neither way"}
FACTOR_WORDS = {"purpose": "the purpose of your use", "nature": "the nature of the works",
                "amount": "how much you use", "market": "the effect on the owner's market"}


@dataclass
class Step:
    """The question to ask now, where it stands and how many questions this path asks."""

    index: int
    question: Question
    follow: int  # 0: the main pass; n: the n-th follow-up pass
    number: int  # this question's number ("question N")
    about: int  # the questions asked so far and those this path can still ask ("of about M")

    @property
    def title(self) -> str:
        return section_title(self.question, self.follow)

    @property
    def progress(self) -> str:
        return f"question {self.number} of about {self.about}"


def section_title(q: Question, follow: int) -> str:
    if not follow:
        return q.section_title
    return f"Follow-up{'' if follow == 1 else f' {follow}'}: {q.section_title}"


def next_step(interview: Interview, answers: dict, settled: set, history: list,
              forced: str | None = None) -> Step | None:
    """The question to ask now (``forced``: the one Back returned to), or None when nothing left could matter."""
    start, follow_up = interview.cursor(history)
    if forced is not None:
        i = interview.position[forced]
        wrapped = i < start
    else:
        found = interview.next_index(answers, settled, start)
        if found is None:
            return None
        i, wrapped = found
    left = len(interview.askable(answers, settled))  # the questions this path still asks, this one included
    asked = len(history)
    return Step(i, interview.questions[i], follow_up + (1 if wrapped else 0), asked + 1, asked + max(left, 1))


def record(fact: str, reply, answers: dict, settled: set, history: list, *, skipped: bool = False) -> None:
    """Record an answer (or a skip: the fact left unknown) to the question on ``fact``."""
    if skipped:
        answers.pop(fact, None)
        settled.add(fact)
    else:
        answers[fact] = reply
        settled.discard(fact)
    if fact not in history:
        history.append(fact)


def back(answers: dict, settled: set, history: list) -> tuple[str, object, bool] | None:
    """Undo the last answer: (its fact, the earlier answer, whether it was skipped), or None at the first question.

    The earlier answer is pre-selected when the question is asked again.
    """
    if not history:
        return None
    previous = history.pop()
    skipped = previous in settled
    earlier = answers.pop(previous, None)
    settled.discard(previous)
    return previous, earlier, skipped


def leaning(base, interview: Interview, section: str | None, asked: set, answers: dict) -> str | None:
    """A section's US factor leaning so far, in words, once a question feeding that factor was asked in it."""
    if section is None or not asked:
        return None
    factor = next((q.factor for q in interview.questions if q.section == section and q.factor), None)
    if not factor or "us" not in interview.wanted(answers):
        return None
    from .interview import factor_facts

    if not asked & factor_facts(base, factor, interview.on(answers)):
        return None
    from ..assess import assess

    result = assess(answers, rulebase=base, as_of=interview.as_of, sensitivity=False)
    if result.us is None or result.us.verdict == "not_needed" or factor not in result.us.factors:
        return None
    f = result.us.factors[factor]
    number = list(result.us.factors).index(factor) + 1
    return (f"So far, in the United States, {FACTOR_WORDS.get(factor, factor)} (factor {number}) "
            f"{LEANS[f.leaning]}.")  # words, never a score


__all__ = ["FACTOR_WORDS", "LEANS", "Step", "back", "leaning", "next_step", "record", "section_title"]
