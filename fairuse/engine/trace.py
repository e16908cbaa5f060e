"""What a run leaves: the firings in order, and which rules an exception defeated (default logic)."""

from __future__ import annotations

from dataclasses import dataclass

from ..rules import Rule


@dataclass
class Firing:
    """One rule firing: the trace entry."""

    rule: Rule
    matched: dict  # fact -> value, finding -> value, as the rule saw them
    step: int

    def to_dict(self, on=None) -> dict:
        then = self.rule.then
        concluded = {k: v for k, v in then.model_dump(exclude_none=True).items() if v not in ({}, [], "")}
        if self.rule.factor and "factor" not in concluded:
            concluded["factor"] = self.rule.factor
        return {
            "step": self.step,
            "rule": self.rule.id,
            "matched": self.matched,
            "concluded": concluded,
            "authority": self.rule.cites(on),
            **({"unsettled": self.rule.unsettled} if self.rule.unsettled else {}),
            **({"unverified": self.rule.unverified} if self.rule.unverified else {}),
        }


class Firings(list):
    """The firings of one run, in order; ``defeated`` lists the rules whose
    conclusions an exception overrode: ``(rule, [ids of the exceptions])``."""

    defeated: list = []


def defeated_by(firings: list) -> dict:
    """Rules that fired and are defeated by a fired exception that is not itself defeated.

    Default logic (as in Catala): a rule declaring ``exception_to: [ids]``
    overrides those rules when both fire. Exceptions of exceptions are resolved
    from the top (lint rejects cycles).
    """
    fired = {f.rule.id: f.rule for f in firings}
    memo: dict = {}

    def is_defeated(rule_id: str, seen: frozenset) -> list:
        if rule_id in memo:
            return memo[rule_id]
        by = sorted(e.id for e in fired.values() if rule_id in e.exception_to and e.id not in seen
                    and not is_defeated(e.id, seen | {rule_id}))
        memo[rule_id] = by
        return by

    out = {}
    for rule_id in sorted(fired):
        by = is_defeated(rule_id, frozenset())
        if by:
            out[rule_id] = by
    return out
