"""Precedent by analogy: the closest on-point precedents for and against.

Each casebook decision records the court's finding on each factor it stated.
For a use assessed by the rules, a precedent is *on point* when its facts are
similar enough (``precedent.on_point`` in weighing.yaml). Then, as in CATO and
IBP (factor-based case comparison):

* a fair precedent is *a fortiori* support when this use leans at least as far
  toward the user as the court found on every factor the court stated;
* an unfair precedent is *a fortiori* support against when this use leans no
  further toward the user on every factor the court stated;
* otherwise the on-point precedents are weighed by similarity.

The numbers (how similar is on point, how many precedents, the share of the
similarity-weighted vote needed) and when precedent may decide live in
``precedent:`` of the jurisdiction's weighing.yaml, with its authority. A case
never takes part in its own assessment (``exclude``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

ORDER = {"owner": -1, "neutral": 0, "user": 1}


@dataclass
class Analogy:
    """What the precedents say about one assessment."""

    direction: str | None  # "fair", "unfair" or None (they do not decide)
    basis: str  # "a_fortiori", "weighed", "none"
    sentence: str  # "As in X, ...; unlike Y, where ..."
    for_user: list = field(default_factory=list)  # [{id, name, similarity, stronger, weaker}]
    for_owner: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"direction": self.direction, "basis": self.basis, "reasoning": self.sentence,
                "for": self.for_user, "against": self.for_owner}


def _compare(ours: dict, court: dict) -> tuple[list, list]:
    """Factors on which this use is stronger / weaker for the user than the court found."""
    stronger, weaker = [], []
    for factor in sorted(court):
        finding = court[factor]
        mine = ours.get(factor, "neutral")
        if ORDER[mine] > ORDER[finding]:
            stronger.append(factor)
        elif ORDER[mine] < ORDER[finding]:
            weaker.append(factor)
    return stronger, weaker


def _label(match) -> str:
    return match.case.name.split(",")[0] if "," in match.case.name and " v. " in match.case.name.split(",")[0] else match.case.name


FACTOR_WORDS = {"purpose": "the purpose of the use", "nature": "the nature of the work",
                "amount": "the amount used", "market": "the effect on the market"}


def _words(factors: list) -> str:
    items = [FACTOR_WORDS[f] for f in factors]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def analogise(leanings: dict, matches: list, spec: dict) -> Analogy:
    """Compare a use's factor leanings with the on-point precedents in ``matches`` (ranked)."""
    on_point = float(spec.get("on_point", 0.6))
    top = int(spec.get("top", 3))
    share = float(spec.get("decide_share", 0.5))
    must_share = set(spec.get("must_share") or [])  # a precedent on another act is not on point (Bartz)
    # a precedent supports a fortiori only where the court stated its findings on these factors: one stated
    # finding says too little of how the court weighed the rest
    needs = set(spec.get("a_fortiori_needs") or [])
    near = [m for m in matches if m.similarity >= on_point and m.case.outcome in ("fair", "unfair")
            and not any(d[0] in must_share for d in m.differing)][:top]
    rows = {"fair": [], "unfair": []}
    fortiori = {"fair": [], "unfair": []}
    for m in near:
        stronger, weaker = _compare(leanings, m.case.factors)
        row = {"id": m.case.id, "name": m.case.name, "citation": m.case.citation, "outcome": m.case.outcome,
               "similarity": round(m.similarity, 3), "stronger_for_user": stronger, "weaker_for_user": weaker}
        rows[m.case.outcome].append(row)
        stated = bool(m.case.factors) and needs <= set(m.case.factors)
        if stated and m.case.outcome == "fair" and not weaker:
            fortiori["fair"].append((m, stronger, weaker))
        if stated and m.case.outcome == "unfair" and not stronger:
            fortiori["unfair"].append((m, stronger, weaker))
    direction, basis = None, "none"
    if fortiori["fair"] and not fortiori["unfair"]:
        direction, basis = "fair", "a_fortiori"
    elif fortiori["unfair"] and not fortiori["fair"]:
        direction, basis = "unfair", "a_fortiori"
    elif near:
        votes = {"fair": 0.0, "unfair": 0.0}
        for m in near:
            votes[m.case.outcome] += m.similarity
        total = votes["fair"] + votes["unfair"]
        for side in ("fair", "unfair"):
            if total and votes[side] / total > share:
                direction, basis = side, "weighed"
    return Analogy(direction, basis, _sentence(direction, near, leanings), rows["fair"], rows["unfair"])


def _sentence(direction: str | None, near: list, leanings: dict) -> str:
    if not near:
        return "No precedent in the casebook is close enough on its facts to guide the answer."
    parts = []
    agree = [m for m in near if direction is None or m.case.outcome == direction]
    differ = [m for m in near if direction is not None and m.case.outcome != direction]
    for m in agree[:2]:
        stronger, weaker = _compare(leanings, m.case.factors)
        shared = ", ".join(_plain(k, v) for k, v in m.shared[:3])
        text = f"as in {_label(m)} (found {m.case.outcome})"
        if shared:
            text += f", where the use likewise had {shared}"
        if stronger and m.case.outcome == "fair":
            text += f", and this use is stronger for the user on {_words(stronger)}"
        if weaker and m.case.outcome == "unfair":
            text += f", and this use is weaker for the user on {_words(weaker)}"
        parts.append(text)
    for m in differ[:1]:
        diffs = ", ".join(_plain(k, theirs) for k, _mine, theirs in m.differing[:2])
        text = f"unlike {_label(m)} (found {m.case.outcome})"
        if diffs:
            text += f", where the use had {diffs}"
        parts.append(text)
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."


def _plain(fact: str, value) -> str:
    """``purpose=news_reporting`` as words: "purpose: news reporting"."""
    if isinstance(value, bool):
        shown = "yes" if value else "no"
    elif isinstance(value, list):
        shown = ", ".join(str(v).replace("_", " ") for v in value)
    else:
        shown = str(value).replace("_", " ")
    return f"{fact.replace('_', ' ')}: {shown}"
