"""``fairuse triage --interview``: the questionnaire of ``fairuse assess``, asked about
the corpus. It asks, in the questionnaire's order, each corpus fact whose answer
could still change a verdict for some combination of signals the corpus holds (the
facts that settle uncertain rows among them); facts the signals set row by row
(reservations, licences) are never asked. The answers are saved as the corpus
answers file, never over an existing file without ``--force``.
"""

from __future__ import annotations

from pathlib import Path

from ..questionnaire.interview import Interview


class CorpusInterview(Interview):
    """An :class:`Interview` whose questions matter when they could change the verdict of
    some combination of row facts the triage found."""

    def __init__(self, base, questions, decider, as_of=None):
        super().__init__(base, questions, as_of)
        self.row_facts = frozenset(decider.row_facts)
        combos = []
        for combo in decider.results:
            facts = {f: v for f, v in decider.facts_of(combo).items() if f in self.row_facts}
            if facts not in combos:
                combos.append(facts)
        self.combos = combos or [{}]

    def should_ask(self, q, answers: dict) -> bool:
        if q.fact in self.row_facts or q.review_only or not self.applicable(q, answers):
            return False
        return any(self.decisive(q.fact, {**answers, **facts}) for facts in self.combos)


def corpus_interview(result, *, session, prompter=None, echo=print) -> dict:
    """Ask the corpus questions, starting from the run's answers; return the answers."""
    from ..questionnaire import flow
    from ..questionnaire.questions import load_questions

    base = result.decider.base
    interview = CorpusInterview(base, load_questions(base), result.decider)
    return flow.run(base, session=session, initial=dict(result.decider.answers), prompter=prompter, echo=echo,
                    interview=interview)


def save_corpus_answers(path: Path, answers: dict, force: bool) -> None:
    """The corpus answers file (YAML), atomically; an existing file only with ``force``."""
    import yaml

    from ..answers import to_plain
    from ..atomic import write_atomic

    text = ("# fairuse corpus answers (fact id: value), for fairuse triage --answers; absent facts are unknown\n"
            + yaml.safe_dump(to_plain(answers), sort_keys=False, allow_unicode=True, width=100))
    write_atomic(Path(path), text, force=force)
