"""Decide: run the real rules engine (:func:`fairuse.assess.assess`) once per
distinct combination of the facts the rules read, and join the verdicts back
onto the rows. Never once per row.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..assess import assess, facts_used
from ..rules import NOT_NEEDED, RuleBase

MISSING = "\x00"  # a fact the row leaves unknown, inside a combination key


class Decider:
    """Verdicts per jurisdiction for combinations of row facts, cached."""

    def __init__(self, answers: dict, rulebase: RuleBase, row_facts: tuple, as_of: dt.date | None = None):
        from ..assess import DEFAULT_JURISDICTIONS, assessment_date

        self.answers = dict(answers)
        self.base = rulebase
        self.on = assessment_date(answers, as_of)
        self.jurisdictions = list(answers.get("jurisdictions") or DEFAULT_JURISDICTIONS)
        read = frozenset().union(*(facts_used(rulebase, j, self.on) for j in self.jurisdictions))
        self.row_facts = tuple(row_facts)
        # the facts a row may change that some rule in force reads: the combination key
        self.key_facts = tuple(f for f in row_facts if f in read)
        self.cache: dict = {}
        self.runs = 0
        self.unverified: dict = {}  # (jurisdiction, rule id) -> unsettled text

    @property
    def columns(self) -> list:
        return [c for j in self.jurisdictions for c in (f"verdict_{j}", f"rule_{j}")]

    def decide(self, combo: tuple) -> tuple:
        if combo not in self.cache:
            facts = dict(self.answers)
            for fact, value in zip(self.key_facts, combo):
                if value is not MISSING and value is not None:
                    facts[fact] = value
            result = assess(facts, rulebase=self.base, as_of=self.on)
            self.runs += 1
            row = []
            for j in self.jurisdictions:
                res = result.results[j]
                row += [res.verdict, self._deciding_rule(result, j, combo)]
            self.cache[combo] = tuple(row)
        return self.cache[combo]

    def _deciding_rule(self, result, j: str, combo: tuple) -> str:
        """The rule the verdict turns on.

        not_needed: the rule that made an exception unnecessary; otherwise the first
        rule reading a fact this row's signals set; for a negative verdict, the
        first rule holding a condition unmet. Empty when unknown facts decide.
        """
        firings = result.trace[j]
        res = result.results[j]
        if res.verdict == NOT_NEEDED:
            for f in firings:
                if getattr(f.rule.then, "verdict", None) == NOT_NEEDED:
                    return f.rule.id
            for r in getattr(res, "not_needed_by", None) or []:
                return r.get("rule", "")
        set_facts = {f for f, v in zip(self.key_facts, combo) if v is not MISSING and v is not None}
        for f in firings:
            if f.rule.facts_used & set_facts:
                if f.rule.unsettled:
                    self.unverified[(j, f.rule.id)] = f.rule.unsettled
                return f.rule.id
        if res.verdict in ("does_not_apply", "likely_unfair", "leaning_unfair"):
            for f in firings:
                then = f.rule.then
                if getattr(then, "condition", None) and getattr(then, "met", None) is False:
                    return f.rule.id
                if getattr(then, "leans", None) == "owner":
                    return f.rule.id
        return ""

    def apply(self, derived: pd.DataFrame) -> pd.DataFrame:
        """``derived`` with verdict and rule columns per jurisdiction, joined by combination."""
        n = len(derived)
        if not self.key_facts:
            row = self.decide(())
            for c, v in zip(self.columns, row):
                derived[c] = v
            return derived
        # factorize the combination: one code per distinct row of facts (unknown = its own code)
        codes = np.zeros(n, dtype=np.int64)
        mult = 1
        uniques = []
        for fact in self.key_facts:
            c, u = pd.factorize(derived[fact], use_na_sentinel=True)
            codes += (c.astype(np.int64) + 1) * mult
            uniques.append([MISSING] + list(u))
            mult *= len(u) + 1
        codes_u, first = np.unique(codes, return_index=True)
        table = []
        for code in codes_u.tolist():
            combo = []
            for u in uniques:
                combo.append(u[code % len(u)])
                code //= len(u)
            table.append(self.decide(tuple(combo)))
        idx = np.searchsorted(codes_u, codes)
        for k, c in enumerate(self.columns):
            values = [t[k] for t in table]
            cats = list(dict.fromkeys(values))
            where = np.array([cats.index(v) for v in values], dtype=np.int64)
            derived[c] = pd.Categorical.from_codes(where[idx], cats)
        return derived
