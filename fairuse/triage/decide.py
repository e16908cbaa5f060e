"""Decide: run the real rules engine (:func:`fairuse.assess.assess`) once per
distinct combination of the facts the rules read, and join the verdicts back
onto the rows. Never once per row.

A combination whose rows lack evidence the signal book requires before a
favourable answer may rest on "no reservation" (``reservation_evidence``: by
default robots.txt) is assessed once more with the reservation found; if that
changes a favourable verdict, the rows are ``uncertain``: the answer turns on
what was not checked.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np

from ..assess import assess, facts_used
from ..rules import NOT_NEEDED, RuleBase

FAVOURABLE = ("applies", "likely_fair", "leaning_fair")
UNCHECKED_RULE = "not checked"  # the rule column of a verdict made uncertain by an unchecked source


class Decider:
    """Verdicts per jurisdiction for combinations of row facts, cached."""

    def __init__(self, answers: dict, rulebase: RuleBase, row_facts: tuple, as_of: dt.date | None = None,
                 reservation_values: dict | None = None):
        from ..assess import DEFAULT_JURISDICTIONS, assessment_date

        self.answers = dict(answers)
        self.base = rulebase
        self.on = assessment_date(answers, as_of)
        self.jurisdictions = list(answers.get("jurisdictions") or DEFAULT_JURISDICTIONS)
        read = frozenset().union(*(facts_used(rulebase, j, self.on) for j in self.jurisdictions))
        self.row_facts = tuple(row_facts)
        # the facts a row may change that some rule in force reads: the combination key
        self.key_facts = tuple(f for f in row_facts if f in read)
        self.domains = {f: list(rulebase.vocabulary[f].domain) for f in self.key_facts}
        # what an unchecked source, had it been checked, could have set: {fact: [values]}
        self.reservation_values = {f: v for f, v in (reservation_values or {}).items() if f in read}
        self.cache: dict = {}
        self.results: dict = {}  # combo -> Assessment (for the facts that would settle it)
        self.rows: Counter = Counter()  # combo -> rows
        self.runs = 0
        self.unverified: dict = {}  # (jurisdiction, rule id) -> unsettled text

    @property
    def columns(self) -> list:
        return [c for j in self.jurisdictions for c in (f"verdict_{j}", f"rule_{j}")]

    def facts_of(self, combo: tuple) -> dict:
        facts = dict(self.answers)
        for fact, code in zip(self.key_facts, combo[:-1]):
            if code >= 0:
                facts[fact] = self.domains[fact][code]
        return facts

    def decide(self, combo: tuple) -> tuple:
        """``combo``: a code per key fact (-1 unknown), then 1 when a required source is unchecked."""
        if combo not in self.cache:
            facts = self.facts_of(combo)
            result = assess(facts, rulebase=self.base, as_of=self.on)
            self.runs += 1
            self.results[combo] = result
            row = []
            turns = self._turns_on_unchecked(facts, result) if combo[-1] else set()
            for j in self.jurisdictions:
                res = result.results[j]
                if j in turns:
                    row += ["uncertain", UNCHECKED_RULE]
                else:
                    row += [res.verdict, self._deciding_rule(result, j, combo)]
            self.cache[combo] = tuple(row)
        return self.cache[combo]

    def _turns_on_unchecked(self, facts: dict, result) -> set:
        """Jurisdictions whose favourable verdict would change had the unchecked source reserved."""
        favourable = {j for j in self.jurisdictions if result.results[j].verdict in FAVOURABLE}
        out: set = set()
        for fact, values in self.reservation_values.items():
            if fact in facts and fact not in self.answers:
                continue  # a signal set it: the row is not resting on the unchecked source for this fact
            for value in values:
                variant = assess({**facts, fact: value}, rulebase=self.base, as_of=self.on, sensitivity=False)
                self.runs += 1
                out |= {j for j in favourable if variant.results[j].raw_verdict != result.results[j].raw_verdict}
        return out

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
        set_facts = {f for f, c in zip(self.key_facts, combo[:-1]) if c >= 0}
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

    def apply(self, derived, codes: dict, unchecked: np.ndarray):
        """``derived`` (Arrow) with verdict and rule columns per jurisdiction, joined by combination.

        Returns (the table, verdict codes per jurisdiction into :attr:`verdicts`)."""
        import pyarrow as pa

        n = derived.num_rows
        key = np.zeros(n, np.int64)
        mult = 1
        for fact in self.key_facts:
            key += (codes[fact].astype(np.int64) + 1) * mult
            mult *= len(self.domains[fact]) + 1
        key += unchecked.astype(np.int64) * mult
        uniq, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
        table = []
        for k, cnt in zip(uniq.tolist(), counts.tolist()):
            combo = []
            for fact in self.key_facts:
                size = len(self.domains[fact]) + 1
                combo.append(k % size - 1)
                k //= size
            combo.append(k)
            combo = tuple(combo)
            self.rows[combo] += cnt
            table.append(self.decide(combo))
        out = {}
        for c, name in enumerate(self.columns):
            values = [t[c] for t in table]
            cats = list(dict.fromkeys(values))
            where = np.array([cats.index(v) for v in values], dtype=np.int32)
            out[name] = pa.DictionaryArray.from_arrays(pa.array(where[inverse]), pa.array(cats, pa.string()))
        for name, arr in out.items():
            derived = derived.append_column(name, arr)
        return derived

    # -- the facts that would settle the uncertain rows

    def settling(self, exclude: frozenset = frozenset()) -> list:
        """[(fact, rows, jurisdictions)]: corpus facts an answer to which could move uncertain
        rows to a definite verdict, most rows first (each combination's sensitivity: the
        engine re-run with the fact set to each of its values)."""
        where: dict = {}
        for combo, result in self.results.items():
            n = self.rows.get(combo, 0)
            if not n:
                continue
            shown = self.cache[combo]
            for c in result.changes:
                if c.fact in exclude or c.fact in self.row_facts:
                    continue
                j = c.jurisdiction
                verdict = shown[2 * self.jurisdictions.index(j)]
                if verdict == "uncertain" and c.after != "uncertain" and shown[2 * self.jurisdictions.index(j) + 1] != UNCHECKED_RULE:
                    key = (c.fact, j, combo)
                    if key not in where:
                        where[key] = n
        per_fact: Counter = Counter()
        juris: dict = {}
        counted: set = set()
        for (fact, j, combo), n in where.items():
            if (fact, combo) not in counted:
                counted.add((fact, combo))
                per_fact[fact] += n
            juris.setdefault(fact, set()).add(j)
        return [(f, n, [j for j in self.jurisdictions if j in juris[f]]) for f, n in
                sorted(per_fact.items(), key=lambda kv: (-kv[1], kv[0]))]
