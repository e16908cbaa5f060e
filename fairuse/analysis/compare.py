"""Precedents compared with this use, factor by factor, in a way that holds.

For each US factor, the closest precedent whose court found the factor the way
the rules find it here ("as in X, where the use likewise …"), and the closest one
whose court found it the other way ("unlike Y, where …, here …"). A distinction
must name a fact on which the two uses really differ, and that difference must
cut the right way: with the precedent's value of that fact, this use's factor
would lean further toward the side the precedent's court favoured. That is
checked by re-weighing the factor with the fact changed (the same compiled
rules, :meth:`~fairuse.engine.Engine.settle`); of the facts that cut the right
way, one the court relied on (the casebook's ``relied_on``) comes first, then the
one that moves the factor most. Where no known fact cuts the right way, the
precedent is said to be authority the other way, not distinguished.

Only precedents decided on or before the date of the law take part (the
assessment's ``cases`` are already filtered), and a case never takes part in its
own evaluation.
"""

from __future__ import annotations

from ..casebook import rank
from ..rules import facts_per_factor, forgets, ruleset_key
from .model import Comparison

FACTORS = ("purpose", "nature", "amount", "market")


class _Scores:
    """How far each factor leans (weight for the user less weight for the owner) in one-fact variants of
    these facts, worked out once each."""

    def __init__(self, base, code, facts, on, conduct):
        from ..assess import _evaluate_assuming

        self.base, self.code, self.facts, self.on, self.conduct = base, code, facts, on, conduct
        self._evaluate = _evaluate_assuming
        self._seen: dict = {}

    def factor(self, name: str, fact: str | None = None, value=None) -> float:
        return self.factors(name, {} if fact is None else {fact: value})

    def factors(self, name: str, changed: dict) -> float:
        """The factor's lean with the facts in ``changed`` set to their values."""
        key = tuple(sorted((f, _hashable(v)) for f, v in changed.items()))
        if key not in self._seen:
            facts = {**self.facts, **changed}
            result, _firings, _extra = self._evaluate(self.base, self.code, facts, self.on, self.conduct)
            self._seen[key] = {n: _net(f.reasons) for n, f in getattr(result, "factors", {}).items()}
        return self._seen[key].get(name, 0.0)


def _net(reasons: list) -> float:
    """The weight for the user less the weight for the owner (neutral considerations only dilute a score)."""
    sign = {"user": 1.0, "owner": -1.0}
    return sum(sign.get(r.get("leans"), 0.0) * float(r.get("weight") or 0.0) for r in reasons)


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value


def compare(base, facts: dict, result, cases: list, on, conduct, exclude: str | None = None,
            inferred: dict | None = None) -> dict[str, list]:
    """For each factor: [Comparison] (at most one ``as_in`` and one other), closest first.

    ``inferred``: conclusions the rules drew from these facts (a use that substitutes, say): a precedent may be
    told apart on them as on a stated fact, but they do not make a precedent more or less similar.
    """
    query = {k: v for k, v in facts.items() if k != "jurisdictions"}
    known = {**(inferred or {}), **query}
    pool = [c for c in cases if c.jurisdiction == "us" and c.id != exclude]
    out = {name: [] for name in FACTORS}
    if not pool or not getattr(result, "factors", None):
        return out
    ranked = rank(query, pool, base)
    names = short_names(base)
    relevant = facts_per_factor(base, on)
    scores = _Scores(base, "us", facts, on, conduct)
    for name in FACTORS:
        leaning = result.factors[name].leaning
        if leaning not in ("user", "owner"):
            continue  # a neutral factor is not argued from precedent
        reads = relevant.get(name, set())
        same = [m for m in ranked if m.case.factors.get(name) == leaning]
        other = [m for m in ranked if m.case.factors.get(name) in ("user", "owner")
                 and m.case.factors.get(name) != leaning]
        if same:
            m = same[0]
            shared = tuple(f for f in _ordered(reads, m.case) if f in query and query[f] == m.case.facts.get(f))
            out[name].append(_comparison(m, name, "as_in", names, shared=shared[:2]))
        if other:
            out[name].append(_distinguish(other[0], name, known, reads, scores, names))
    return out


def _ordered(reads: set, case) -> list:
    """The facts a factor reads, those the court relied on first."""
    relied = [f for f in (case.relied_on or []) if f in reads]
    return relied + sorted(reads - set(relied))


def _distinguish(m, name: str, query: dict, reads: set, scores: _Scores, names: dict) -> Comparison:
    """The fact that tells this use apart from a precedent found the other way, if one cuts that way."""
    theirs_side = m.case.factors[name]
    here = scores.factor(name)
    best = None
    for f in _ordered(reads, m.case):
        if f not in query or f not in m.case.facts or query[f] == m.case.facts[f]:
            continue
        with_theirs = scores.factor(name, f, m.case.facts[f])
        # with their value, this use's factor would lean further toward the side their court favoured
        gap = (here - with_theirs) if theirs_side == "owner" else (with_theirs - here)
        if gap <= 1e-9:
            continue
        relied = f in (m.case.relied_on or [])
        key = (relied, gap)
        if best is None or key > best[0]:
            best = (key, f)
    if best is not None:
        f = best[1]
        cuts = "user" if theirs_side == "owner" else "owner"
        return _comparison(m, name, "unlike", names, fact=f, theirs=m.case.facts[f], ours=query[f], cuts=cuts,
                           relied_on=best[0][0])
    # no one fact does it: the facts the court relied on, taken together, may (Núñez: the photographs were the
    # news, and reached another audience than the originals')
    differing = [f for f in _ordered(reads, m.case) if f in query and f in m.case.facts and query[f] != m.case.facts[f]]
    relied = ([f for f in differing if f in (m.case.relied_on or [])] or differing)[:3]
    if len(relied) > 1:
        with_theirs = scores.factors(name, {f: m.case.facts[f] for f in relied})
        gap = (here - with_theirs) if theirs_side == "owner" else (with_theirs - here)
        if gap > 1e-9:
            cuts = "user" if theirs_side == "owner" else "owner"
            first, rest = relied[0], relied[1:]
            return _comparison(m, name, "unlike", names, fact=first, theirs=m.case.facts[first], ours=query[first],
                               cuts=cuts, relied_on=first in (m.case.relied_on or []),
                               more=tuple((f, m.case.facts[f], query[f]) for f in rest))
    unknown = [f for f in _ordered(reads, m.case) if f in m.case.facts and f not in query]
    if unknown:
        return _comparison(m, name, "open", names, fact=unknown[0], theirs=m.case.facts[unknown[0]],
                           relied_on=unknown[0] in (m.case.relied_on or []))
    return _comparison(m, name, "adverse", names)


def _comparison(m, name: str, relation: str, names: dict, **kw) -> Comparison:
    from ..prose import _citation_key

    case = m.case
    short = names.get(_citation_key(f"{case.name}, {case.citation}") or "", "")
    return Comparison(case.id, case.name, case.citation, case.decided, case.outcome, name, case.factors[name],
                      relation, limit=case.limit or "", similarity=round(m.similarity, 3), short=short, **kw)


def short_names(base) -> dict:
    """Each case authority's reporter cite or docket number -> its short name (``short:`` in authorities.yaml)."""
    from ..prose import _citation_key

    ruleset = ruleset_key(base)
    table = _SHORT.get(ruleset)
    if table is None:
        table = {}
        for auth in base.authorities.values():
            key = _citation_key(auth.cite) if auth.kind == "case" else None
            if key and auth.short:
                table.setdefault(key, auth.short)
        _SHORT[ruleset] = table
    return table


_SHORT: dict = {}
forgets(lambda key: _SHORT.pop(key, None))  # dropped when the ruleset is freed
