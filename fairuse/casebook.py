"""The casebook: real precedents coded as facts, analogues, and the rules measured against courts.

Each ``casebook/<id>.yaml`` holds one decision: its citation, court and date,
the facts the opinion supports (in the fact vocabulary), the court's finding on
each factor where it stated one, the outcome, and a short holding.

Similarity is weighted agreement on the facts: a fact weighs what its factor
weighs in the US weighing (``rules/us/weighing.yaml``), so market and purpose
facts count most. How precedents take part in a verdict is :mod:`fairuse.reasoning.analogy`.
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
from .rules import FACTORS, JURISDICTIONS, RuleBase, forgets, ruleset_key, validation_error
from .yamlfile import Node, load_file

# US decisions: fair | unfair | mixed | remanded. Elsewhere there is no "fair use" to find: a court applies
# an exception (exception_applied), finds infringement (infringement_found), rejects the claim on another
# ground (claim_failed), decides some claims each way (mixed), or has not decided yet (pending).
US_OUTCOMES = ("fair", "unfair", "mixed", "remanded")
FOREIGN_OUTCOMES = ("exception_applied", "infringement_found", "claim_failed", "mixed", "pending")
OUTCOMES = US_OUTCOMES + tuple(o for o in FOREIGN_OUTCOMES if o not in US_OUTCOMES)
# which side of the verdict each outcome supports (None: neither)
OUTCOME_SIDE = {"fair": "fair", "exception_applied": "fair", "claim_failed": "fair",
                "unfair": "unfair", "infringement_found": "unfair"}
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
    outcome: Literal["fair", "unfair", "mixed", "remanded", "exception_applied", "infringement_found",
                     "claim_failed", "pending"] = Field(
        description="US: fair, unfair, mixed, remanded. Elsewhere: exception_applied, infringement_found, "
                    "claim_failed, mixed, pending.")
    status: Optional[Literal["final", "not_final", "appeal_allowed", "appeal_pending", "pending",
                             "settlement_pending", "settled"]] = Field(
        None, description="Whether the matter is final; a pending matter needs status_as_of and status_source.")
    status_as_of: Optional[str] = Field(None, pattern=PARTIAL_DATE, description="The date the status was checked (of its source).")
    status_source: Optional[str] = Field(None, min_length=3, description="Where the status comes from (a link or a citation).")
    holding: str = Field(min_length=40, description="Two or three sentences in the project's own words.")
    later: Optional[str] = Field(None, description="Later reversal, refinement or history.")
    assess: Optional[Literal["us", "uk", "eu", "jp", "cn", "sg", "none"]] = Field(
        None, description="Which ruleset the evaluation compares with the outcome (default: the jurisdiction; none: not comparable).")
    assess_note: Optional[str] = None
    tags: list[str] = Field(default_factory=list)
    split: Literal["dev", "holdout"] = Field(
        "dev", description="holdout: coded from the judgment before the rules were run on it, and never used to tune them.")
    coded: Optional[str] = Field(None, description="Who coded the facts and when, e.g. 'from the opinion, 2026-11-25'.")
    added: Optional[str] = Field(None, pattern=PARTIAL_DATE, description=(
        "When the decision entered the casebook: decisions added together are measured together "
        "(fairuse casebook evaluate --added DATE)."))
    relied_on: list[str] = Field(default_factory=list, description=(
        "The facts the court's holding turned on (fact ids): a comparison distinguishes the case on these first."))
    limit: Optional[str] = Field(None, description="A limit the court put on its own holding, said wherever the case is cited.")

    @field_validator("decided", mode="before")
    @classmethod
    def _decided_text(cls, value):
        return value.isoformat() if isinstance(value, dt.date) else value

    @field_validator("decided")
    @classmethod
    def _real_date(cls, value):
        parts = [int(p) for p in value.split("-")]
        if len(parts) >= 2 and not 1 <= parts[1] <= 12:
            raise ValueError(f"'{value}' has no month {parts[1]} (expected YYYY-MM-DD, YYYY-MM or YYYY)")
        if len(parts) == 3:
            try:
                dt.date(*parts)
            except ValueError:
                raise ValueError(f"'{value}' is not a real date (expected YYYY-MM-DD)") from None
        return value

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
    status: str | None = None
    status_as_of: str | None = None
    status_source: str | None = None
    split: str = "dev"
    relied_on: list = field(default_factory=list)
    limit: str | None = None
    added: str | None = None

    @property
    def side(self) -> str | None:
        """fair or unfair: which side of a verdict the outcome supports (None for mixed, remanded, pending)."""
        return OUTCOME_SIDE.get(self.outcome)

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
                **({"status": self.status, "status_as_of": self.status_as_of, "status_source": self.status_source}
                   if self.status else {}),
                "facts": {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in self.facts.items()}}


def default_casebook_dir() -> Path:
    env = os.environ.get("FAIRUSE_CASEBOOK")
    return Path(env) if env else data_dir("casebook")


def load_case(path: Path, base: RuleBase) -> Case:
    data = load_file(path, cached=True)
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
    allowed = US_OUTCOMES if model.jurisdiction == "us" else FOREIGN_OUTCOMES
    if model.outcome not in allowed:
        raise FairuseError(f"{path}:{data.line_of('outcome')}: 'outcome': '{model.outcome}' is not an outcome for a "
                           f"{model.jurisdiction} decision; expected one of {', '.join(allowed)}")
    if model.status and model.status != "final" and not (model.status_as_of and model.status_source):
        raise FairuseError(f"{path}:{data.line_of('status')}: 'status': a matter that is not final needs "
                           f"'status_as_of' and 'status_source'")
    facts_node = data["facts"]
    facts = validate(base.vocabulary, facts_node, f"{path}")
    for name in model.relied_on:
        if name not in base.vocabulary.facts:
            raise FairuseError(f"{path}:{data.line_of('relied_on')}: 'relied_on': unknown fact '{name}'"
                               f"{closest(name, base.vocabulary.facts)}")
    assess_as = model.assess or model.jurisdiction
    return Case(model.id, model.name, model.citation, model.court, model.decided, model.jurisdiction,
                model.source, facts, dict(model.factors), model.outcome, " ".join(model.holding.split()),
                " ".join(model.later.split()) if model.later else None, assess_as, list(model.tags), path,
                model.status, model.status_as_of, model.status_source, model.split, list(model.relied_on),
                " ".join(model.limit.split()) if model.limit else None, model.added)


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
    try:
        files = sorted(p for p in root.iterdir() if p.suffix == ".yaml" and not p.name.startswith("_"))
    except OSError as exc:
        raise FairuseError(f"{root}: cannot read the casebook directory: {exc.strerror}") from None
    if not files:
        raise FairuseError(f"{root}: no cases in this casebook directory (expected one <id>.yaml per decision)")
    stamps = []
    for p in files:
        try:
            stamps.append((str(p), p.stat().st_mtime_ns))
        except OSError as exc:
            raise FairuseError(f"{p}: cannot read: {exc.strerror}") from None
    key = (ruleset_key(base), str(root.resolve()), tuple(stamps))
    if key in _CASES:
        return list(_CASES[key])
    while len(_CASES) >= 8:  # bounded: a long-running process reads few casebooks
        _CASES.pop(next(iter(_CASES)))
    cases = [load_case(p, base) for p in files]
    from .yamlcache import flush

    flush()  # the parsed files, for the next process
    seen: dict[str, Path] = {}
    for case in cases:
        if case.id in seen:
            raise FairuseError(f"{case.file}: duplicate case id '{case.id}' (also {seen[case.id]})")
        seen[case.id] = case.file
    _CASES[key] = cases  # dropped when the ruleset is freed (fairuse.rules.forgets)
    return list(cases)


_CASES: dict = {}


# ------------------------------------------------------------------------ similarity


_WEIGHTS: dict = {}


def fact_weights(base: RuleBase) -> dict[str, float]:
    """How much agreement on each fact counts: its factor's weight in the US weighing."""
    key = ruleset_key(base)
    if key not in _WEIGHTS:
        while len(_WEIGHTS) >= 8:
            _WEIGHTS.pop(next(iter(_WEIGHTS)))
        _WEIGHTS[key] = _fact_weights(base)  # dropped when the ruleset is freed
    return _WEIGHTS[key]


@forgets
def _forget_ruleset(key: int) -> None:
    for old in [k for k in _CASES if k[0] == key]:
        del _CASES[old]
    _WEIGHTS.pop(key, None)


def _fact_weights(base: RuleBase) -> dict[str, float]:
    us = base.jurisdictions.get("us")
    factor_weights = dict(us.weighing["factor_weights"]) if us else {f: 1.0 for f in FACTORS}
    weights: dict[str, float] = {}
    for rule in base.rules:
        w = float(factor_weights.get(rule.factor, 0.5)) if rule.factor else 0.5
        for fact in sorted(rule.facts_used):  # a set: its order follows PYTHONHASHSEED
            weights[fact] = max(weights.get(fact, 0.0), w)
    for skip in ("jurisdictions", "use_summary", "assessment_date", "conduct_date"):
        weights.pop(skip, None)
    return dict(sorted(weights.items()))


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
                **({"status": self.case.status, "status_as_of": self.case.status_as_of} if self.case.status else {}),
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
    shared.sort(key=lambda item: (-weights[item[0]], item[0]))
    differing.sort(key=lambda item: (-weights[item[0]], item[0]))
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
    for side in ("fair", "unfair"):
        if not any(m.case.side == side for m in chosen):
            nearest = next((m for m in matches if m.case.side == side), None)
            if nearest:
                chosen.append(nearest)
    return chosen


def similar(answers: dict, cases: list[Case], base: RuleBase, top: int = 5, as_of: dt.date | None = None) -> list[dict]:
    """The closest precedents to validated ``answers``, for and against, as rows (``fairuse casebook similar``
    and ``POST /v1/casebook/similar``). Precedents decided after the date of the law (``as_of``, else the
    answers' assessment_date) are left out."""
    on = as_of or answers.get("assessment_date")
    if on:
        cases = [c for c in cases if c.as_of <= on]
    facts = {k: v for k, v in answers.items()
             if k not in ("use_summary", "assessment_date", "conduct_date", "jurisdictions")}
    return [m.to_dict() for m in closest_for_and_against(rank(facts, cases, base), top)]


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
        frame["outcome"] = frame["outcome"].map(lambda o: OUTCOME_SIDE.get(o, o))
        decided = frame[frame["outcome"].isin(["fair", "unfair"]) & frame["finding"].isin(["user", "owner"])].copy()
        decided["agrees"] = (decided["finding"] == "user") == (decided["outcome"] == "fair")
        out["factor_agreement_with_outcome"] = decided.groupby("factor")["agrees"].agg(
            findings="count", agree_with_outcome="mean").round(3)
    return out


__all__ = ["Case", "JURISDICTIONS", "OUTCOMES", "load_casebook", "rank", "stats"]
