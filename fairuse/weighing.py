"""Weighing: from rule firings to factor leanings and a verdict.

The numbers live in each jurisdiction's ``weighing.yaml``, not here:

* **Fair use** (US): each firing that ``leans`` adds its ``weight`` to its
  factor for the user, the owner, or neither. A factor's score is
  ``(user - owner) / (user + owner + neutral + damping)``, in -1..1, so thin
  evidence stays near zero. The factors are weighed *together*: the overall
  score is the mean of the factor scores weighted by ``factor_weights``, after
  ``modifiers`` (e.g. a strongly transformative purpose lowers the weight of
  commerciality and of the nature of the work). ``bands`` map the score to a
  verdict; an unsettled consideration of weight ``uncertainty.unsettled_weight``
  or more keeps the verdict from being "likely".
* **Exceptions** (UK, EU, JP, CN, SG): each provision declares its conditions;
  rules say which are met or unmet. A provision applies when all are met and
  none rests on an unsettled rule, does not apply when one is unmet, and is
  uncertain otherwise. The jurisdiction's verdict is ``applies`` when some
  provision applies, ``uncertain`` when some might, else ``does_not_apply``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import conditions as cond
from .engine import Firing
from .rules import FACTORS, NOT_NEEDED, Jurisdiction

LADDER = ("likely_unfair", "leaning_unfair", "uncertain", "leaning_fair", "likely_fair")
TDM_VERDICTS = ("applies", "does_not_apply", "uncertain", NOT_NEEDED)


def direction(verdict: str) -> int:
    """+1 fair side, -1 unfair side, 0 uncertain (or not_needed)."""
    if verdict in ("likely_fair", "leaning_fair", "applies", NOT_NEEDED):
        return 1
    if verdict in ("likely_unfair", "leaning_unfair", "does_not_apply"):
        return -1
    return 0


def toward_uncertain(verdict: str, steps: int) -> str:
    if verdict not in LADDER:
        return verdict
    i = LADDER.index(verdict)
    middle = LADDER.index("uncertain")
    for _ in range(steps):
        i += (middle > i) - (middle < i)
    return LADDER[i]


UNVERIFIED = "Not verified against a primary source"


def reason(firing: Firing, weight: float | None = None, on=None) -> dict:
    """A reason as the public JSON gives it; citations later than ``on`` (the assessment date) are left out."""
    rule = firing.rule
    out = {"rule": rule.id, "reason": rule.explanation, "authority": rule.cites(on)}
    if rule.then.leans:
        out["leans"] = rule.then.leans
        out["weight"] = rule.then.weight if weight is None else round(weight, 2)
    if rule.unsettled:
        out["unsettled"] = rule.unsettled
    if rule.split:
        out["split"] = rule.split
    if rule.unverified:
        out["unverified"] = rule.unverified
        out["reason"] = f"{rule.explanation} ({UNVERIFIED}.)"
    return out


@dataclass
class FactorResult:
    leaning: str
    score: float
    weight: float
    reasons: list = field(default_factory=list)


@dataclass
class FairUseResult:
    verdict: str
    raw_verdict: str
    score: float
    factors: dict
    not_needed_by: list = field(default_factory=list)
    steps: list = field(default_factory=list)  # the weighing trace
    notes: list = field(default_factory=list)
    mitigations: list = field(default_factory=list)
    modifiers: list = field(default_factory=list)  # each modifier applied: {id, explanation, scale_tags, scale_factors}
    adjustments: list = field(default_factory=list)  # each step toward uncertain: {cause, items, from, to}
    not_encoded: str = ""  # said when no law of the jurisdiction is encoded for the date

    def weighing_data(self) -> dict:
        """The weighing as data (the JSON's ``us.weighing_data``); ``steps`` says the same in words."""
        return {
            "factors": {name: {"weight": f.weight, "score": f.score, "leaning": f.leaning}
                        for name, f in self.factors.items()},
            "modifiers": self.modifiers,
            "score": self.score,
            "verdict_from_score": self.raw_verdict,
            "adjustments": self.adjustments,
            "verdict": self.verdict,
        }


_PARSED: dict = {}  # id(condition mapping) -> (mapping, parsed): each weighing condition is parsed once


def _holds(spec, findings: dict, domains: cond.Domains) -> bool:
    if spec is None:
        return False
    cached = _PARSED.get(id(spec))
    if cached is None or cached[0] is not spec:
        cached = _PARSED[id(spec)] = (spec, cond.parse(spec, domains, lambda ln=None: "weighing.yaml"))
    parsed = cached[1]
    return cond.evaluate(parsed, {name: set(values) for name, values in findings.items()}, domains)


def weigh_fair_use(jur: Jurisdiction, firings: list[Firing], findings: dict,
                   domains: cond.Domains, on=None, brief: bool = False) -> FairUseResult:
    """The fair-use verdict of ``firings``. ``brief``: the verdicts and scores only, without the reasons,
    notes and mitigations in words (what-if variants read nothing else)."""
    spec = jur.weighing
    notes, mitigations = ([], []) if brief else _notes(firings, on)
    not_needed = [f for f in firings if f.rule.then.verdict == NOT_NEEDED]
    if not_needed:
        # nothing to mitigate when no exception is needed; only the threshold notes are kept
        factors = {name: FactorResult("neutral", 0.0, 0.0) for name in FACTORS}
        kept = {f.rule.id for f in not_needed}
        return FairUseResult(NOT_NEEDED, NOT_NEEDED, 0.0, factors, [reason(f, on=on) for f in not_needed],
                             [f"{f.rule.id}: no exception is needed" for f in not_needed],
                             [n for n in notes if n["rule"] in kept], [])

    steps: list[str] = []
    # a modifier never rests on a finding another surviving rule contradicts
    settled = {name: values for name, values in findings.items() if len(values) == 1}
    applied: list[dict] = []
    tag_scale: dict[str, float] = {}
    factor_scale: dict[str, float] = {}
    for mod in spec.get("modifiers") or []:
        if _holds(mod.get("when"), settled, domains) and not _holds(mod.get("unless"), findings, domains):
            for tag, by in (mod.get("scale_tags") or {}).items():
                tag_scale[tag] = tag_scale.get(tag, 1.0) * float(by)
            for name, by in (mod.get("scale_factors") or {}).items():
                factor_scale[name] = factor_scale.get(name, 1.0) * float(by)
            explanation = ' '.join(str(mod.get('explanation', '')).split())
            steps.append(f"{mod['id']}: {explanation}")
            applied.append({"id": mod["id"], "explanation": explanation,
                            "scale_tags": {t: float(b) for t, b in (mod.get("scale_tags") or {}).items()},
                            "scale_factors": {n: float(b) for n, b in (mod.get("scale_factors") or {}).items()}})

    exclusive = set(spec.get("exclusive_tags") or [])
    damping = float(spec.get("damping", 1.0))
    threshold = float(spec["leaning_threshold"])
    factors: dict[str, FactorResult] = {}
    # The weights are summed, and the strongest of an exclusive tag chosen (equal weights: the
    # rule declared first), in the order the rules are declared: the verdict is a function of which rules
    # fired, never of the order the engine fired them in (see Engine.settle).
    canonical = sorted(firings, key=lambda f: (str(f.rule.file), f.rule.line, f.rule.id))
    for name in FACTORS:
        sums = {"user": 0.0, "owner": 0.0, "neutral": 0.0}
        strongest: dict[tuple, Firing] = {}  # (tag, leans) -> the strongest firing
        weights: dict[int, float] = {}  # id(firing) -> its weight
        for firing in canonical:
            rule = firing.rule
            for tag in exclusive.intersection(rule.tags):
                key = (tag, rule.then.leans)
                if rule.factor == name and (key not in strongest or rule.then.weight > strongest[key].rule.then.weight):
                    strongest[key] = firing
        for firing in canonical:
            rule = firing.rule
            if rule.factor != name:
                continue
            weight = float(rule.then.weight)
            for tag in rule.tags:
                weight *= tag_scale.get(tag, 1.0)
                if tag in exclusive and strongest.get((tag, rule.then.leans)) is not firing:
                    weight = 0.0
            sums[rule.then.leans] += weight
            weights[id(firing)] = weight
        reasons = [] if brief else [reason(f, weights[id(f)], on) for f in firings if id(f) in weights]  # firing order
        total = sum(sums.values())
        score = (sums["user"] - sums["owner"]) / (total + damping) if total else 0.0
        leaning = "user" if score >= threshold else "owner" if score <= -threshold else "neutral"
        fweight = float(spec["factor_weights"][name]) * factor_scale.get(name, 1.0)
        factors[name] = FactorResult(leaning, round(score, 3), fweight, reasons)
        steps.append(f"factor {name}: for the user {sums['user']:g}, for the owner {sums['owner']:g}, "
                     f"neutral {sums['neutral']:g} -> score {score:+.2f}, leans {leaning}, weight {fweight:g}")

    weight_sum = sum(f.weight for f in factors.values()) or 1.0
    overall = sum(f.score * f.weight for f in factors.values()) / weight_sum
    bands = spec["bands"]
    if overall >= bands["likely_fair"]:
        raw = "likely_fair"
    elif overall >= bands["leaning_fair"]:
        raw = "leaning_fair"
    elif overall > bands["leaning_unfair"]:
        raw = "uncertain"
    elif overall > bands["likely_unfair"]:
        raw = "leaning_unfair"
    else:
        raw = "likely_unfair"
    steps.append(f"weighed together: score {overall:+.2f} -> {raw}")

    verdict = raw
    adjustments: list[dict] = []
    limit = int((spec.get("uncertainty") or {}).get("unsettled_weight", 2))
    # a split of authority is unsettled law too: the answer resting on it is never "likely"
    unsettled = [f.rule.id for f in firings if (f.rule.unsettled or f.rule.split) and (f.rule.then.weight or 0) >= limit]
    if unsettled and verdict in ("likely_fair", "likely_unfair"):
        adjustments.append({"cause": "unsettled_law", "items": unsettled, "from": verdict,
                            "to": toward_uncertain(verdict, 1)})
        verdict = toward_uncertain(verdict, 1)
        steps.append(f"unsettled law ({', '.join(unsettled)}): confidence lowered to {verdict}")
    capped = [f.rule.id for f in firings if f.rule.then.verdict == "uncertain"]
    if capped and verdict != "uncertain":
        adjustments.append({"cause": "rule_caps_at_uncertain", "items": capped, "from": verdict, "to": "uncertain"})
        verdict = "uncertain"
        steps.append(f"{', '.join(capped)}: the verdict can be no better than uncertain")
    return FairUseResult(verdict, raw, round(overall, 3), factors, [], steps, notes, mitigations,
                         applied, adjustments)


@dataclass
class ProvisionResult:
    id: str
    title: str
    status: str  # applies | does_not_apply | uncertain
    met: dict
    unmet: dict
    unknown: dict
    authority: list
    unsettled: list


@dataclass
class ExceptionsResult:
    verdict: str
    raw_verdict: str
    provisions: list
    reasons: list
    steps: list = field(default_factory=list)
    duties: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    mitigations: list = field(default_factory=list)
    not_encoded: str = ""  # said when no law of the jurisdiction is encoded for the date
    adjustments: list = field(default_factory=list)  # each step toward uncertain: {cause, items, from, to}


def weigh_exceptions(jur: Jurisdiction, firings: list[Firing], on, conduct=None) -> ExceptionsResult:
    notes, mitigations = _notes(firings, on)
    duties = [{"rule": f.rule.id, "duty": f.rule.then.duty, "authority": f.rule.cites(on)}
              for f in firings if f.rule.then.duty]
    reasons = [reason(f, on=on) for f in firings]
    if any(f.rule.then.verdict == NOT_NEEDED for f in firings):
        # no exception is needed, so nothing needs mitigating
        return ExceptionsResult(NOT_NEEDED, NOT_NEEDED, [], reasons, ["no exception is needed"], duties, notes, [])
    results = []
    steps = []
    for prov in jur.provisions.values():
        if not prov.applies(on, conduct):
            steps.append(f"{prov.id}: not in force for conduct on {(conduct or on).isoformat()} "
                         f"(law as of {on.isoformat()})")
            continue
        met: dict = {}
        unmet: dict = {}
        unsettled: list = []
        for f in firings:
            then = f.rule.then
            if prov.id not in then.provisions or then.condition is None:
                continue
            (met if then.met else unmet).setdefault(then.condition, []).append(f.rule)
        for name in list(met):
            if name in unmet:  # a condition held unmet by any rule is unmet
                del met[name]
        # an unmet condition resting only on unsettled rules makes the provision doubtful
        doubtful = {c for c, rules in unmet.items() if all(r.unsettled or r.split for r in rules)}
        unsettled = sorted({r.id for rules in (*met.values(), *unmet.values()) for r in rules if r.unsettled or r.split})
        unknown = {c: text for c, text in prov.conditions.items() if c not in met and c not in unmet}
        if set(unmet) - doubtful:
            status = "does_not_apply"
        elif unknown or unsettled:
            status = "uncertain"
        else:
            status = "applies"
        results.append(ProvisionResult(prov.id, prov.title, status,
                                       {c: prov.conditions[c] for c in met}, {c: prov.conditions[c] for c in unmet},
                                       unknown, [str(a) for a in prov.authority], unsettled))
        steps.append(f"{prov.id}: {status} (met {sorted(met)}, unmet {sorted(unmet)}, unknown {sorted(unknown)}"
                     + (f", unsettled {unsettled}" if unsettled else "") + ")")
    statuses = {r.status for r in results}
    if not results:
        steps.append(f"no provision encoded in this ruleset was in force on {on.isoformat()}; "
                     "earlier law is not encoded, so the answer is uncertain")
    raw = "applies" if "applies" in statuses else "uncertain" if "uncertain" in statuses or not results else "does_not_apply"
    verdict = raw
    forced = [f.rule.id for f in firings if f.rule.then.verdict == "uncertain"]
    if forced and verdict == "does_not_apply":
        # no enumerated exception applies, but no statute or decision says the use infringes:
        # the answer is uncertain, never better than an exception that does apply
        verdict = raw = "uncertain"
        steps.append(f"{', '.join(forced)}: no encoded exception applies, and whether the use infringes is "
                     f"undecided, so the answer is uncertain")
    return ExceptionsResult(verdict, raw, results, reasons, steps, duties, notes, mitigations)


def _notes(firings: list[Firing], on=None):
    def flagged(f, key, text):
        out = {"rule": f.rule.id, key: text, "authority": f.rule.cites(on)}
        if f.rule.unverified:
            out[key] = f"{text} ({UNVERIFIED}.)"
            out["unverified"] = f.rule.unverified
        if f.rule.unsettled:
            out["unsettled"] = f.rule.unsettled
        return out

    notes = [flagged(f, "note", f.rule.then.note) for f in firings if f.rule.then.note]
    mitigations = [flagged(f, "mitigation", f.rule.then.mitigation) for f in firings if f.rule.then.mitigation]
    return notes, mitigations
