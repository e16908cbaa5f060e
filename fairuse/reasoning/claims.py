"""Separate claims the answers leave open.

A rule tagged ``separate_claim`` (an open licence's conditions not kept; rights-management information
removed) states a claim beside the answer; it never changes a verdict, so What Would Change the Outcome,
which compares verdicts, cannot show that an unanswered question bears on one. A claim is *open* when its rule
did not fire but one of the ways its condition can be met (a conjunction of its disjunctive normal form) is
ruled out by no known fact and no established finding, and needs at least one unknown fact: answering those
facts could bring the claim. Each open claim carries one such answer (``example``), so that a test can check
that it does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import conditions as cond

SEPARATE_CLAIM = "separate_claim"


@dataclass(frozen=True)
class OpenClaim:
    jurisdiction: str
    rule: str
    facts: tuple  # the unknown facts whose answers could bring the claim, in vocabulary order
    kinds: tuple  # what kind of claim (the rule's other tags: licence_conditions, rights_management)
    example: dict = field(default_factory=dict, compare=False)  # one set of answers that meets the condition

    def to_dict(self) -> dict:
        return {"jurisdiction": self.jurisdiction, "rule": self.rule, "facts": list(self.facts),
                "kinds": list(self.kinds)}


def open_claims(code: str, rules, firings, facts: dict, domains: cond.Domains, order: list,
                brings=None) -> list[OpenClaim]:
    """The separate claims of ``code`` that ``facts`` leave open (see the module's docstring).

    ``rules``: the rules in force; ``firings``: the run's trace; ``facts``: what the engine was given (the
    stated facts and the assumed ones); ``order``: the vocabulary's fact ids, to list facts in its order;
    ``brings(answers, rule_id)``: whether those answers to unknown facts make the rule fire (a way that needs a
    conclusion the rules would still have to reach, such as "no licence covers the use", counts only if they
    do); one way is tried for each set of facts it turns on."""
    fired = {f.rule.id for f in firings}
    established: dict[str, set] = {}
    for f in firings:
        for name, value in (f.rule.then.finding or {}).items():
            established.setdefault(name, set()).add(value)
    rank = {fact_id: i for i, fact_id in enumerate(order)}
    out, seen = [], set()
    for rule in rules:
        if SEPARATE_CLAIM not in rule.tags or rule.id in fired or rule.id in seen or rule.when is None:
            continue
        needed: set = set()
        example: dict = {}
        tried: set = set()
        for conjunction in cond.to_dnf(rule.when, domains):
            answers = _open(conjunction, facts, established, domains)
            if not answers or frozenset(answers) in tried:
                continue
            tried.add(frozenset(answers))
            if brings is None or brings(answers, rule.id):
                needed |= set(answers)
                example = example or answers
        if needed:
            seen.add(rule.id)
            kinds = tuple(t for t in rule.tags if t != SEPARATE_CLAIM)
            out.append(OpenClaim(code, rule.id, tuple(sorted(needed, key=lambda f: rank.get(f, len(rank)))), kinds,
                                 example))
    return out


def _known(facts: dict, name: str):
    value = facts.get(name)
    return None if value is None or value == "unknown" else value


def _open(conjunction: tuple, facts: dict, established: dict, domains: cond.Domains) -> dict | None:
    """The answers to unknown facts that would meet ``conjunction`` ({fact: value}), or None where a known
    fact or an established finding rules it out, or where it needs no unknown fact."""
    answers: dict = {}
    for leaf in conjunction:
        if leaf.kind == "finding":
            have = established.get(leaf.name)
            if have is None:  # not established: answering the facts may establish it
                continue
            if leaf.known is not None:
                if not leaf.known:
                    return None
                continue
            if not (have & set(leaf.values)):
                return None
            continue
        value = _known(facts, leaf.name)
        if leaf.known is not None:
            if leaf.known and value is None:
                return None  # "is known" asks for an answer, not a particular one: nothing to suggest
            if not leaf.known and value is not None:
                return None
            continue
        if value is None:
            first = sorted(leaf.values, key=str)[0]
            answers[leaf.name] = [first] if domains.fact_types.get(leaf.name) == "multi" else first
            continue
        values = set(value) if isinstance(value, (list, tuple, set, frozenset)) else {value}
        if not (values & set(leaf.values)):
            return None
    return answers or None


__all__ = ["OpenClaim", "SEPARATE_CLAIM", "open_claims"]
