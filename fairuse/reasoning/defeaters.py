"""Stated assumptions and checked overrides.

*Assumptions.* Some facts would only defeat an otherwise complete conclusion: a
circumvented technical protection, a contract term, a rights reservation, a
user competing in the owner's own market. When such a fact is unknown, the
answer is given *assuming* its ordinary value, the assumption is listed, and
the unknown fact does not pull the verdict toward ``uncertain``. Which facts
are defeaters, with the value assumed and why, is data: ``assumptions:`` in a
fair-use weighing.yaml, or under each provision of an exceptions weighing.yaml.

*Overrides.* A finding may be ``stated_by`` a fact (``new_purpose`` states
whether the purpose differs). When the user states it, their answer prevails
(the stating rules are declared exceptions to the inferring ones), and where the
primary facts imply otherwise the disagreement is reported.
"""

from __future__ import annotations

import datetime as dt

UNKNOWN_VALUES = (None, "unknown")


def declared(jur, on: dt.date, facts: dict | None = None) -> list[dict]:
    """The jurisdiction's defeater facts in force on ``on``: [{fact, assume, reason, provisions}].

    An assumption with a ``when`` (e.g. "when the purpose is training or
    analysis") is declared only for facts it holds for; ``facts=None``: every one.
    """
    out: dict[str, dict] = {}
    specs = [(spec, None) for spec in jur.weighing.get("assumptions") or []]
    for pid, prov in jur.provisions.items():
        if prov.in_force(on):
            specs += [(spec, pid) for spec in (jur.weighing.get("provisions") or {}).get(pid, {}).get("assumptions") or []]
    for spec, pid in specs:
        if facts is not None and "when" in spec and not _holds(spec["when"], facts):
            continue
        entry = out.setdefault(spec["fact"], {"fact": spec["fact"], "assume": spec["assume"],
                                              "reason": " ".join(str(spec.get("reason", "")).split()),
                                              "provisions": []})
        if pid:
            entry["provisions"].append(pid)
    return [out[k] for k in sorted(out)]


def _holds(when: dict, facts: dict) -> bool:
    """An assumption's ``when`` over the facts (an unknown fact makes it false)."""
    for leaf in when.get("all", [when]):
        value = facts.get(leaf["fact"])
        if value in UNKNOWN_VALUES or value not in (leaf["in"] if "in" in leaf else [leaf["is"]]):
            return False
    return True


def assumed(jur, facts: dict, on: dt.date) -> dict:
    """Values to assume for the defeater facts that are unknown here."""
    return {d["fact"]: d["assume"] for d in declared(jur, on, facts) if facts.get(d["fact"]) in UNKNOWN_VALUES}


def disagreements(base, code: str, facts: dict, firings) -> list[dict]:
    """Stated conclusions the primary facts contradict: [{fact, stated, implied, finding, jurisdiction, rules}]."""
    rules = [f.rule for f in firings] + [rule for rule, _by in getattr(firings, "defeated", [])]
    out = []
    for finding, fact in sorted(base.stated_by.items()):
        if facts.get(fact) is None:
            continue
        stated = {r.then.finding[finding] for r in rules if finding in r.then.finding and fact in r.facts_used}
        implied = {}
        for r in rules:
            if finding in r.then.finding and fact not in r.facts_used:
                implied.setdefault(r.then.finding[finding], []).append(r.id)
        if stated and implied and not (stated & set(implied)):
            values = sorted(implied, key=str)
            out.append({"fact": fact, "stated": facts[fact], "implied": [_value(v) for v in values],
                        "finding": finding, "jurisdiction": code,
                        "rules": sorted({rid for v in values for rid in implied[v]})})
    return out


def _value(v):
    return v
