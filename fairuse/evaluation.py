"""The rules measured against the courts: every casebook decision assessed, leave-one-out.

This sits above the assessment (it runs :func:`fairuse.assess.assess` on each
decision's facts, as of the decision's date, with every other decision as the
precedents), which sits above the casebook (it reads the precedents): no module
below calls up.
"""

from __future__ import annotations

from .casebook import Case, rank
from .errors import FairuseError, closest
from .rules import RuleBase


DIRECTION = {"likely_fair": "fair", "leaning_fair": "fair", "not_needed": "fair", "applies": "fair",
             "leaning_unfair": "unfair", "likely_unfair": "unfair", "does_not_apply": "unfair",
             "uncertain": "uncertain"}


FACT_MODES = ("all", "primary")
SPLITS = ("all", "dev", "holdout")


def evaluate(cases: list[Case], base: RuleBase, withhold: tuple[str, ...] = (), facts: str = "all",
             split: str = "all", added: str | None = None):
    """Run the rules on each case's facts, leave-one-out; return (per-case DataFrame, factor DataFrame, metrics).

    ``facts="primary"`` withholds every conclusory fact: those a finding is
    ``stated_by`` in the rules (they are inferred from primary facts there).
    ``split`` restricts the cases assessed (``dev``, ``holdout`` or ``all``), and
    ``added`` to the decisions added to the casebook on that date (``"none"``: those without a date); the
    precedents consulted are always every other case in the casebook decided
    before it, never the case itself.
    """
    import pandas as pd

    from .assess import assess

    if facts not in FACT_MODES:
        raise FairuseError(f"--facts: expected all or primary, got '{facts}'")
    if split not in SPLITS:
        raise FairuseError(f"--split: expected all, dev or holdout, got '{split}'")
    unknown = [w for w in withhold if w not in base.vocabulary]
    if unknown:
        raise FairuseError(f"--withhold: unknown fact '{unknown[0]}'{closest(unknown[0], base.vocabulary.facts)}")
    held = tuple(dict.fromkeys(withhold + (base.conclusory_facts if facts == "primary" else ())))
    rows = []
    factor_rows = []
    for case in cases:
        if case.assess_as == "none" or (split != "all" and case.split != split):
            continue
        if added is not None and (case.added is not None if added == "none" else case.added != added):
            continue
        others = [c for c in cases if c.id != case.id]  # leave-one-out
        facts_in = {k: v for k, v in case.facts.items() if k not in held}
        facts_in["jurisdictions"] = [case.assess_as]
        result = assess(facts_in, rulebase=base, as_of=case.as_of, casebook=others, exclude=case.id)
        verdict = result.results[case.assess_as].verdict
        predicted = DIRECTION[verdict]
        nearest = rank(facts_in, others, base)[:1]
        fired = [f.rule.id for f in result.trace[case.assess_as]]
        decided = case.side is not None
        analogy = result.analogies.get(case.assess_as)
        rows.append({"id": case.id, "name": case.name, "year": case.year, "jurisdiction": case.jurisdiction,
                     "split": case.split, "court_outcome": case.side or case.outcome, "verdict": verdict,
                     "predicted": predicted, "hit": (predicted == case.side) if decided else None,
                     "by_precedent": bool(analogy and any("precedents decide" in s for s in result.results[case.assess_as].steps)),
                     "nearest_precedent": nearest[0].case.id if nearest else None,
                     "rules_fired": " ".join(fired)})
        if case.assess_as == "us" and result.us is not None:
            for factor, court in case.factors.items():
                ours = result.us.factors[factor].leaning
                factor_rows.append({"id": case.id, "factor": factor, "court": court, "rules": ours,
                                    "agree": ours == court})
    if not rows:
        raise FairuseError("the casebook has no case to evaluate: every case says 'assess: none' "
                           "(add 'assess: us' or another ruleset to a case)")
    table = pd.DataFrame(rows, columns=["id", "name", "year", "jurisdiction", "split", "court_outcome", "verdict",
                                        "predicted", "hit", "by_precedent", "nearest_precedent", "rules_fired"])
    factors = pd.DataFrame(factor_rows, columns=["id", "factor", "court", "rules", "agree"])
    decided = table[table["hit"].notna()]
    majority = decided["court_outcome"].value_counts(normalize=True).max() if len(decided) else 0.0
    metrics = {
        "cases_evaluated": int(len(table)),
        "cases_decided": int(len(decided)),
        "direction_accuracy": round(float(decided["hit"].astype(bool).mean()), 3) if len(decided) else 0.0,
        "abstention_rate": round(float((decided["predicted"] == "uncertain").mean()), 3) if len(decided) else 0.0,
        "decided_by_precedent": int(decided["by_precedent"].astype(bool).sum()) if len(decided) else 0,
        "majority_baseline": round(float(majority), 3),
        "factor_findings": int(len(factors)),
        "factor_agreement": round(float(factors["agree"].mean()), 3) if len(factors) else 0.0,
        "facts": facts,
        "split": split,
        "added": added,
        "withheld": list(held),
        "calibration": calibration(table),
    }
    return table, factors, metrics


LEVELS = ("likely_fair", "leaning_fair", "uncertain", "leaning_unfair", "likely_unfair")


def calibration(table) -> list[dict]:
    """Per verdict level: how many decided cases got it, and how often the court went that way (for
    "uncertain", the share of the commoner outcome among them), beside the majority-class share overall."""
    decided = table[table["hit"].notna()]
    majority = decided["court_outcome"].value_counts(normalize=True).max() if len(decided) else 0.0
    out = []
    for level in LEVELS:
        rows = decided[decided["verdict"] == level]
        n = int(len(rows))
        if level == "uncertain":
            right = rows["court_outcome"].value_counts().max() if n else 0
        else:
            right = int((rows["court_outcome"] == DIRECTION[level]).sum())
        out.append({"verdict": level, "cases": n, "right": int(right),
                    "precision": round(right / n, 3) if n else None, "majority_baseline": round(float(majority), 3)})
    return out


def confusion(table):
    import pandas as pd

    return pd.crosstab(table["court_outcome"], table["predicted"], rownames=["court"], colnames=["rules"])


__all__ = ["DIRECTION", "FACT_MODES", "LEVELS", "SPLITS", "calibration", "confusion", "evaluate"]
