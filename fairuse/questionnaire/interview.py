"""What to ask next, in a stable order, and how many questions this path asks.

The questions are asked section by section in the order of ``questions.yaml``.
A question is asked when its conditions hold and its answer could still change
a verdict or one of its parts (a factor's leaning, a provision's status, a real
move of the fair-use score). A question passed over because it could not yet
matter is asked after the last section, in a follow-up pass in the same order,
if later answers made it matter: a pass never jumps back into an earlier section.

"Question N of about M" counts the questions asked and those that would be
asked now on this path (:meth:`Interview.askable`): an answer that opens a branch
adds its questions, one that closes a branch takes them away.
"""

from __future__ import annotations

import datetime as dt

from .. import conditions as cond
from ..rules import RuleBase
from .questions import Question, holds

SCORE_STEP = 0.2  # the fair-use score runs from -1 to +1


class Interview:
    """Decides which question comes next, and at most how many could still follow."""

    def __init__(self, base: RuleBase, questions: list[Question], as_of: dt.date | None = None):
        self.base = base
        self.questions = questions
        self.as_of = as_of
        self.position = {q.fact: i for i, q in enumerate(questions)}
        voc = base.vocabulary
        self.domains = cond.Domains({f.id: f.domain for f in voc}, {f.id: f.type for f in voc}, {})
        self._decisive: dict = {}  # (fact, answers) -> bool: the next question and the count ask the same

    def decisive(self, fact_id: str, answers: dict) -> bool:
        """Could any answer to ``fact_id`` change a verdict, a provision's status or the fair-use score?

        Judged against the answer the user would get now, as ``fairuse assess`` gives it: the defeaters still
        unknown (the ``assumptions:`` of a weighing.yaml) at their assumed values. A defeater is asked only where
        its question is marked ``defeater: true`` (the user can know it); elsewhere it stays assumed, and the
        answer lists it among the facts assumed."""
        key = (fact_id, repr(sorted(answers.items(), key=lambda kv: kv[0])))
        hit = self._decisive.get(key)
        if hit is None:
            if len(self._decisive) > 4096:
                self._decisive.clear()
            hit = self._decisive[key] = self._decides(fact_id, answers)
        return hit

    # -- the date and the places

    def on(self, answers: dict) -> dt.date:
        from ..assess import assessment_date

        return assessment_date(answers, self.as_of)

    def wanted(self, answers: dict) -> list[str]:
        return list(answers.get("jurisdictions") or ["us"])

    def chosen(self, answers: dict, settled: set) -> list[str] | None:
        """The places chosen so far; None while the place question is still open."""
        if "jurisdictions" in answers or "jurisdictions" in settled:
            return self.wanted(answers)
        return None

    # -- one question

    def applicable(self, q: Question, answers: dict) -> bool:
        if q.ask_if is not None and not holds(q.ask_if, answers, self.domains):
            return False
        return not holds(q.skip_if, answers, self.domains)

    def _decides(self, fact_id: str, answers: dict) -> bool:
        q = self.questions[self.position[fact_id]] if fact_id in self.position else None
        if q is not None and q.always_ask:
            return True
        from ..assess import _evaluate, derived, facts_used

        on = self.on(answers)
        conduct = answers.get("conduct_date") or on
        facts = {k: v for k, v in answers.items()
                 if k not in ("use_summary", "assessment_date", "conduct_date") and k != fact_id}
        facts.update({k: v for k, v in derived(facts).items() if k != fact_id})
        from ..reasoning.defeaters import assumed

        fact = self.base.vocabulary[fact_id]
        for code in self.wanted(answers):
            if code not in self.base.jurisdictions:
                continue
            if fact_id not in facts_used(self.base, code, on, conduct):
                continue
            # judged against the answer the user would get now: the defeaters still unknown at their assumed values
            extra = assumed(self.base.jurisdictions[code], facts, on)
            if fact_id in extra and (q is None or not q.defeater):
                continue  # assumed here, and not a fact the user can be asked: the answer says it was assumed
            here = {**facts, **extra}
            before = _evaluate(self.base, code, here, on, conduct, settle=True)[0]
            for value in fact.domain:
                if value == "unknown":
                    continue
                if _matters(before, _evaluate(self.base, code, {**here, fact_id: value}, on, conduct, settle=True)[0]):
                    return True
        return False

    def should_ask(self, q: Question, answers: dict) -> bool:
        return not q.review_only and self.applicable(q, answers) and self.decisive(q.fact, answers)

    def is_open(self, q: Question, answers: dict, settled: set) -> bool:
        return not q.review_only and q.fact not in answers and q.fact not in settled

    # -- the order

    def cursor(self, history: list) -> tuple[int, int]:
        """(where the current pass stands, which pass it is: 0 the main one, n the n-th follow-up).

        A pass goes forward through the questions; it stands just after the last
        question asked. A pass that started again from the top is a follow-up; an
        answer in it can make an earlier question matter, which a further pass asks.
        """
        places = [self.position[f] for f in history if f in self.position]
        passes = sum(1 for a, b in zip(places, places[1:]) if b < a)
        return (places[-1] + 1 if places else 0), passes

    def next_index(self, answers: dict, settled: set, start: int = 0) -> tuple[int, bool] | None:
        """(index, wrapped) of the next question, or None when nothing left could matter.

        The pass goes forward from ``start``; at the end it starts again from
        the top (``wrapped``) for questions passed over earlier that now matter.
        Questions are never asked out of order within a pass.
        """
        n = len(self.questions)
        for i in list(range(start, n)) + list(range(0, min(start, n))):
            q = self.questions[i]
            if self.is_open(q, answers, settled) and self.should_ask(q, answers):
                return i, i < start
        return None

    # -- the count shown

    def askable(self, answers: dict, settled: set) -> list[str]:
        """The open questions that would be asked now, on this path: each could change an answer given the
        answers so far. An answer can open a branch (its questions join) or close one; this is what the
        progress line counts ("question 5 of about 16")."""
        return [q.fact for q in self.questions if self.is_open(q, answers, settled) and self.should_ask(q, answers)]


def factor_facts(base: RuleBase, factor: str, on: dt.date) -> frozenset:
    """The facts that feed a US fair-use factor: tested by its rules, or by rules behind the findings they test."""
    rules = list(base.active("us", on)) if "us" in base.jurisdictions else []
    facts: set = set()
    wanted = set()
    for r in rules:
        if r.factor == factor and r.then.leans:
            facts |= r.facts_used
            wanted |= cond.names(r.when, "finding")
    seen: set = set()
    while wanted - seen:
        name = (wanted - seen).pop()
        seen.add(name)
        for r in rules:
            if name in r.then.finding:
                facts |= r.facts_used
                wanted |= cond.names(r.when, "finding")
    return frozenset(facts)


def _matters(before, after) -> bool:
    """A different verdict, a provision whose status changes, or a real move of the fair-use score."""
    if before.raw_verdict != after.raw_verdict:
        return True
    if hasattr(before, "score"):
        return abs(before.score - after.score) >= SCORE_STEP
    return [(p.id, p.status) for p in before.provisions] != [(p.id, p.status) for p in after.provisions]
