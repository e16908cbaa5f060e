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
    from the top (the loader rejects cycles). Linear in the firings and their
    ``exception_to`` lists, and without recursion, so a chain of thousands of
    exceptions is resolved like a short one.
    """
    fired = {f.rule.id: f.rule for f in firings}
    exceptions: dict = {}  # rule id -> the fired rules declaring themselves exceptions to it
    for rule in fired.values():
        for target in rule.exception_to:
            if target in fired and target != rule.id:
                exceptions.setdefault(target, []).append(rule.id)
    if not exceptions:
        return {}
    standing: dict = {}  # rule id -> the undefeated exceptions that defeat it (empty: it stands)
    on_path: set = set()
    for start in sorted(exceptions):
        if start in standing:
            continue
        stack = [(start, iter(exceptions.get(start, ())))]
        on_path.add(start)
        while stack:
            rule_id, pending = stack[-1]
            for nxt in pending:
                if nxt not in standing and nxt not in on_path:  # on the path: a cycle, not counted
                    on_path.add(nxt)
                    stack.append((nxt, iter(exceptions.get(nxt, ()))))
                    break
            else:
                stack.pop()
                on_path.discard(rule_id)
                standing[rule_id] = sorted(e for e in exceptions.get(rule_id, ()) if standing.get(e) == [])
    return {rule_id: by for rule_id, by in sorted(standing.items()) if by}
