"""The casebook: real precedents coded as facts, analogues, and the rules measured against courts.

Each ``casebook/<id>.yaml`` holds one decision: its citation, court and date,
the facts the opinion supports (in the fact vocabulary), the court's finding on
each factor where it stated one, the outcome, and a short holding.

Similarity is weighted agreement on the facts: a fact weighs what its factor
weighs in the US weighing (``rules/us/weighing.yaml``), so market and purpose
facts count most. A precedent supports reasoning; it never decides a verdict.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .answers import validate
from .errors import FairuseError, closest
from .paths import data_dir
from .rules import FACTORS, JURISDICTIONS, RuleBase, validation_error
from .yamlfile import Node, load_file

OUTCOMES = ("fair", "unfair", "mixed", "remanded")
ORDINAL = {
    "amount_used": ("small", "substantial", "entire"),
    "public_exposure": ("none", "snippets", "substantial", "entire"),
    "output_substitutes": ("none", "partial", "full"),
    "commercial": ("non_commercial", "indirect", "direct"),
    "memorization_risk": ("low", "moderate", "high"),
    "licensing_market": ("none", "emerging", "established"),
    "work_character": ("factual_or_functional", "mixed", "creative"),
}
PARTIAL_DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"


class CaseModel(BaseModel):
    """One precedent as written in ``casebook/<id>.yaml``."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", description="Slug; the file name without .yaml.")
    name: str = Field(min_length=3)
    citation: str = Field(min_length=3, description="Reporter citation, docket number or neutral citation.")
    court: str = Field(min_length=2)
    decided: str = Field(pattern=PARTIAL_DATE, description="YYYY-MM-DD, or YYYY-MM / YYYY where the day is not recorded.")
    jurisdiction: Literal["us", "uk", "eu", "jp", "cn", "sg"]
    source: Optional[str] = Field(None, pattern=r"^https://", description="A public source for the decision.")
    source_note: Optional[str] = Field(None, description="Why no public link is recorded.")
    facts: dict = Field(description="Facts the opinion supports, in the fact vocabulary.")
    factors: dict[Literal["purpose", "nature", "amount", "market"], Literal["user", "owner", "neutral"]] = Field(
        default_factory=dict, description="The court's finding on each factor it stated.")
    outcome: Literal["fair", "unfair", "mixed", "remanded"]
    holding: str = Field(min_length=40, description="Two or three sentences in the project's own words.")
    later: Optional[str] = Field(None, description="Later reversal, refinement or history.")
    assess: Optional[Literal["us", "uk", "eu", "jp", "cn", "sg", "none"]] = Field(
        None, description="Which ruleset the evaluation compares with the outcome (default: the jurisdiction; none: not comparable).")
    assess_note: Optional[str] = None
    tags: list[str] = Field(default_factory=list)
    split: Literal["dev", "holdout"] = Field(
        "dev", description="holdout: coded from the judgment before the rules were run on it, and never used to tune them.")
    coded: Optional[str] = Field(None, description="Who coded the facts and when, e.g. 'from the opinion, 2026-11-25'.")

    @field_validator("source_note")
    @classmethod
    def _note(cls, value):
        return value.strip() if value else value


@dataclass
class Case:
    id: str
    name: str
    citation: str
    court: str
    decided: str
    jurisdiction: str
    source: str | None
    facts: dict
    factors: dict
    outcome: str
    holding: str
    later: str | None
    assess_as: str
    tags: list = field(default_factory=list)
    file: Path | None = None

    @property
    def year(self) -> int:
        return int(self.decided[:4])

    @property
    def as_of(self) -> dt.date:
        """The last day of the recorded decision period: the law the court applied."""
        parts = [int(p) for p in self.decided.split("-")]
        if len(parts) == 3:
            return dt.date(*parts)
        if len(parts) == 2:
            nxt = dt.date(parts[0] + (parts[1] == 12), parts[1] % 12 + 1, 1)
            return nxt - dt.timedelta(days=1)
        return dt.date(parts[0], 12, 31)

    def summary(self) -> dict:
        return {"id": self.id, "name": self.name, "citation": self.citation, "court": self.court,
                "decided": self.decided, "jurisdiction": self.jurisdiction, "outcome": self.outcome,
                "factors": self.factors, "holding": self.holding, "later": self.later, "source": self.source,
                "facts": {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in self.facts.items()}}


def default_casebook_dir() -> Path:
    env = os.environ.get("FAIRUSE_CASEBOOK")
    return Path(env) if env else data_dir("casebook")


def load_case(path: Path, base: RuleBase) -> Case:
    data = load_file(path)
    if not isinstance(data, Node):
        raise FairuseError(f"{path}: expected a mapping describing one decision")
    try:
        model = CaseModel.model_validate(dict(data))
    except ValidationError as exc:
        raise validation_error(exc, data, path, known_keys=lambda loc: list(CaseModel.model_fields)) from None
    if model.id != path.stem:
        raise FairuseError(f"{path}:{data.line_of('id')}: 'id': '{model.id}' must match the file name '{path.stem}'")
    if not model.source and not model.source_note:
        raise FairuseError(f"{path}: 'source': a public link is required (or 'source_note' saying why there is none)")
    facts_node = data["facts"]
    facts = validate(base.vocabulary, facts_node, f"{path}")
    assess_as = model.assess or model.jurisdiction
    return Case(model.id, model.name, model.citation, model.court, model.decided, model.jurisdiction,
                model.source, facts, dict(model.factors), model.outcome, " ".join(model.holding.split()),
                " ".join(model.later.split()) if model.later else None, assess_as, list(model.tags), path)


def load_casebook(root: Path | str | None = None, base: RuleBase | None = None) -> list[Case]:
    from .rules import load_rulebase

    base = base or load_rulebase()
    if root:
        root = Path(root)
    elif os.environ.get("FAIRUSE_CASEBOOK"):
        root = default_casebook_dir()
    else:  # a ruleset exported with `fairuse rules export` carries its casebook
        from .export import casebook_beside

        root = casebook_beside(base.root) or default_casebook_dir()
    if not root.is_dir():
        raise FairuseError(f"{root}: no such casebook directory")
    files = sorted(p for p in root.glob("*.yaml") if not p.name.startswith("_"))
    key = (str(root.resolve()), id(base), tuple((str(p), p.stat().st_mtime_ns) for p in files))
    if key in _CASES:
        return list(_CASES[key][0])
    cases = [load_case(p, base) for p in files]
    seen: dict[str, Path] = {}
    for case in cases:
        if case.id in seen:
            raise FairuseError(f"{case.file}: duplicate case id '{case.id}' (also {seen[case.id]})")
        seen[case.id] = case.file
    _CASES[key] = (cases, base)  # keep base alive: ids stay unique
    return list(cases)


_CASES: dict = {}


# ------------------------------------------------------------------------ similarity


_WEIGHTS: dict = {}


def fact_weights(base: RuleBase) -> dict[str, float]:
    """How much agreement on each fact counts: its factor's weight in the US weighing."""
    key = id(base)
    if key not in _WEIGHTS:
        _WEIGHTS[key] = (_fact_weights(base), base)  # keep base alive: ids stay unique
    return _WEIGHTS[key][0]


def _fact_weights(base: RuleBase) -> dict[str, float]:
    us = base.jurisdictions.get("us")
    factor_weights = dict(us.weighing["factor_weights"]) if us else {f: 1.0 for f in FACTORS}
    weights: dict[str, float] = {}
    for rule in base.rules:
        w = float(factor_weights.get(rule.factor, 0.5)) if rule.factor else 0.5
        for fact in rule.facts_used:
            weights[fact] = max(weights.get(fact, 0.0), w)
    for skip in ("jurisdictions", "use_summary", "assessment_date"):
        weights.pop(skip, None)
    return weights


def _agreement(fact: str, a, b) -> float:
    if a == b:
        return 1.0
    scale = ORDINAL.get(fact)
    if scale and a in scale and b in scale and abs(scale.index(a) - scale.index(b)) == 1:
        return 0.5
    return 0.0


@dataclass
class Match:
    case: Case
    similarity: float
    shared: list
    differing: list  # (fact, yours, theirs)

    def why(self) -> str:
        shared = ", ".join(f"{k}={_show(v)}" for k, v in self.shared[:4])
        differs = ", ".join(f"{k}: yours {_show(a)}, theirs {_show(b)}" for k, a, b in self.differing[:3])
        out = f"shares {shared}" if shared else "shares few facts"
        return out + (f"; differs on {differs}" if differs else "")

    def to_dict(self) -> dict:
        return {"id": self.case.id, "name": self.case.name, "outcome": self.case.outcome,
                "similarity": round(self.similarity, 3), "citation": self.case.citation,
                "decided": self.case.decided, "court": self.case.court, "why": self.why(),
                "shared": [k for k, _ in self.shared], "differing": [k for k, _, _ in self.differing]}


def _show(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def similarity(query: dict, facts: dict, weights: dict[str, float]) -> tuple[float, list, list]:
    agree = 0.0
    total = 0.0
    shared, differing = [], []
    for fact, weight in weights.items():
        a, b = query.get(fact), facts.get(fact)
        if a is None and b is None:
            continue
        if a is None or b is None:
            total += 0.5 * weight  # known on one side only: half a disagreement
            continue
        score = _agreement(fact, a, b)
        agree += weight * score
        total += weight
        if score == 1.0:
            shared.append((fact, a))
        else:
            differing.append((fact, a, b))
    value = agree / total if total else 0.0
    shared.sort(key=lambda item: -weights[item[0]])
    differing.sort(key=lambda item: -weights[item[0]])
    return value, shared, differing


def rank(query: dict, cases: list[Case], base: RuleBase, exclude: str | None = None,
         jurisdiction: str | None = None) -> list[Match]:
    """Precedents by similarity to ``query`` (highest first)."""
    weights = fact_weights(base)
    out = []
    for case in cases:
        if case.id == exclude:
            continue
        if jurisdiction and case.jurisdiction != jurisdiction:
            continue
        value, shared, differing = similarity(query, case.facts, weights)
        out.append(Match(case, value, shared, differing))
    out.sort(key=lambda m: (-m.similarity, m.case.id))
    return out


def closest_for_and_against(matches: list[Match], top: int) -> list[Match]:
    """The ``top`` nearest, plus the nearest fair and nearest unfair case if not among them."""
    chosen = list(matches[:top])
    for outcome in ("fair", "unfair"):
        if not any(m.case.outcome == outcome for m in chosen):
            nearest = next((m for m in matches if m.case.outcome == outcome), None)
            if nearest:
                chosen.append(nearest)
    return chosen


def attach_precedents(assessment, casebook_dir=None, top: int = 5, exclude: str | None = None) -> None:
    """Name the closest precedents in an assessment (they never change its verdict)."""
    cases = load_casebook(casebook_dir, assessment.rulebase)
    wanted = set(assessment.jurisdictions)
    cases = [c for c in cases if c.jurisdiction in wanted] or cases  # analogues from the law being applied
    facts = {k: v for k, v in assessment.answers.items() if k not in ("use_summary", "assessment_date", "jurisdictions")}
    matches = rank(facts, cases, assessment.rulebase, exclude=exclude)
    assessment.precedents = [m.to_dict() for m in closest_for_and_against(matches, top)]
    assessment.casebook_dir = casebook_dir


# ------------------------------------------------------------------------ evaluation

DIRECTION = {"likely_fair": "fair", "leaning_fair": "fair", "not_needed": "fair", "applies": "fair",
             "leaning_unfair": "unfair", "likely_unfair": "unfair", "does_not_apply": "unfair",
             "uncertain": "uncertain"}


def evaluate(cases: list[Case], base: RuleBase, withhold: tuple[str, ...] = ()):
    """Run the rules on each case's facts, leave-one-out; return (per-case DataFrame, metrics dict)."""
    import pandas as pd

    from .assess import assess

    unknown = [w for w in withhold if w not in base.vocabulary]
    if unknown:
        raise FairuseError(f"--withhold: unknown fact '{unknown[0]}'{closest(unknown[0], base.vocabulary.facts)}")
    rows = []
    factor_rows = []
    for case in cases:
        if case.assess_as == "none":
            continue
        others = [c for c in cases if c.id != case.id]  # leave-one-out
        facts = {k: v for k, v in case.facts.items() if k not in withhold}
        facts["jurisdictions"] = [case.assess_as]
        result = assess(facts, rulebase=base, as_of=case.as_of)
        verdict = result.results[case.assess_as].verdict
        predicted = DIRECTION[verdict]
        nearest = rank(facts, others, base)[:1]
        fired = [f.rule.id for f in result.trace[case.assess_as]]
        decided = case.outcome in ("fair", "unfair")
        rows.append({"id": case.id, "name": case.name, "year": case.year, "jurisdiction": case.jurisdiction,
                     "court_outcome": case.outcome, "verdict": verdict, "predicted": predicted,
                     "hit": (predicted == case.outcome) if decided else None,
                     "nearest_precedent": nearest[0].case.id if nearest else None,
                     "rules_fired": " ".join(fired)})
        if case.assess_as == "us" and result.us is not None:
            for factor, court in case.factors.items():
                ours = result.us.factors[factor].leaning
                factor_rows.append({"id": case.id, "factor": factor, "court": court, "rules": ours,
                                    "agree": ours == court})
    table = pd.DataFrame(rows)
    factors = pd.DataFrame(factor_rows, columns=["id", "factor", "court", "rules", "agree"])
    decided = table[table["hit"].notna()]
    majority = decided["court_outcome"].value_counts(normalize=True).max() if len(decided) else 0.0
    metrics = {
        "cases_evaluated": int(len(table)),
        "cases_decided": int(len(decided)),
        "direction_accuracy": round(float(decided["hit"].astype(bool).mean()), 3) if len(decided) else 0.0,
        "majority_baseline": round(float(majority), 3),
        "factor_findings": int(len(factors)),
        "factor_agreement": round(float(factors["agree"].mean()), 3) if len(factors) else 0.0,
        "withheld": list(withhold),
    }
    return table, factors, metrics


def confusion(table):
    import pandas as pd

    return pd.crosstab(table["court_outcome"], table["predicted"], rownames=["court"], colnames=["rules"])


def casebook_table(cases: list[Case]):
    import pandas as pd

    return pd.DataFrame([{"id": c.id, "name": c.name, "year": c.year, "court": c.court,
                          "jurisdiction": c.jurisdiction, "outcome": c.outcome,
                          "purpose": c.facts.get("purpose"), "decided": c.decided} for c in cases])


def stats(cases: list[Case], base: RuleBase) -> dict:
    """pandas summaries: outcomes by court, decade, purpose; factor findings against outcomes."""
    import pandas as pd

    table = casebook_table(cases)
    table["decade"] = (table["year"] // 10 * 10).astype(str) + "s"
    out = {
        "outcomes": table["outcome"].value_counts().rename_axis("outcome").to_frame("cases"),
        "by_court": pd.crosstab(table["court"], table["outcome"]),
        "by_decade": pd.crosstab(table["decade"], table["outcome"]),
        "by_purpose": pd.crosstab(table["purpose"].fillna("(not coded)"), table["outcome"]),
    }
    rows = [{"factor": f, "finding": v, "outcome": c.outcome} for c in cases for f, v in c.factors.items()]
    if rows:
        frame = pd.DataFrame(rows)
        out["factor_findings"] = pd.crosstab([frame["factor"], frame["finding"]], frame["outcome"])
        decided = frame[frame["outcome"].isin(["fair", "unfair"]) & frame["finding"].isin(["user", "owner"])].copy()
        decided["agrees"] = (decided["finding"] == "user") == (decided["outcome"] == "fair")
        out["factor_agreement_with_outcome"] = decided.groupby("factor")["agrees"].agg(
            findings="count", agree_with_outcome="mean").round(3)
    return out


__all__ = ["Case", "JURISDICTIONS", "OUTCOMES", "attach_precedents", "evaluate", "load_casebook", "rank", "stats"]
