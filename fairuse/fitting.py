"""Fitting the fair-use weighing to the courts: factor weights and verdict thresholds, cross-validated.

How the rules weigh (``rules/us/weighing.yaml``): each factor gets a score from
-1 (owner) to +1 (user) from the considerations that fired; the overall score
is the mean of the factor scores weighted by ``factor_weights`` (after the
modifiers that scale a factor); ``bands`` map the overall score to a verdict.

This module fits those numbers to the casebook, and nothing else:

* **The model.** P(the court found fair use) = σ(a + k · score), where score
  is the tool's own overall score with the weights being fitted. The weights
  are kept positive (a factor favouring the user never counts against it) and
  shrunk toward the hand-set weights (``prior``), so a thin casebook cannot
  swing them far. Beebe (2008) and Sag (2012) found factors one and four
  dominate; the fit reports whether this casebook agrees.
* **The data.** Every US decision in the ``dev`` split that found for one side
  (fair or unfair), assessed on its coded facts twice: with every fact, and with
  only the facts a user knows (``--facts primary``). The set-aside decisions
  (``split: holdout``) are never read.
* **Cross-validation.** Five folds, fixed by each decision's id: each fold's
  probabilities come from a model fitted on the other four. The thresholds are
  chosen on those out-of-fold probabilities so that, for each side, "likely"
  is right at least 95% and "leaning" at least 85% of the time (a band with too
  few decisions to tell is left empty); then they are turned into scores with
  the model fitted on all the decisions.

:func:`write_fit` writes the weights, the bands and the provenance (decisions,
date, cross-validated figures, the hand-set numbers they replaced) back into the
weighing file, in place of the old lines and keeping every comment.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import FairuseError

FACTORS = ("purpose", "nature", "amount", "market")
TARGETS = {"likely": 0.95, "leaning": 0.85}
MIN_BAND = 5  # decisions a band needs before its precision can be told
FOLDS = 5


@dataclass
class Row:
    """One decision, assessed on one set of facts: the factor scores and weight scales the rules gave."""

    case: str
    facts: str  # "all" or "primary"
    fair: int  # 1: the court found fair use; 0: not
    scores: tuple  # per factor, -1..1
    scales: tuple  # per factor, the modifiers' scale of its weight


@dataclass
class Fit:
    weights: dict  # factor -> weight (the largest is 4)
    intercept: float  # a
    slope: float  # k
    bands: dict  # likely_fair, leaning_fair, leaning_unfair, likely_unfair -> score
    decisions: int
    rows: int
    cv: dict = field(default_factory=dict)  # cross-validated figures
    hand: dict = field(default_factory=dict)  # the numbers the fit replaces (hand-set or an earlier fit)

    def probability(self, score: float) -> float:
        return _sigmoid(self.intercept + self.slope * score)


def rows_for(cases, base, modes=("all", "primary")) -> list[Row]:
    """The factor scores the rules give each decided US decision of the dev split (no precedent decides)."""
    from .assess import assess

    held = {"all": (), "primary": tuple(base.conclusory_facts)}
    weights = base.jurisdictions["us"].weighing["factor_weights"]
    out = []
    for case in cases:
        if case.assess_as != "us" or case.split != "dev" or case.side not in ("fair", "unfair"):
            continue
        for mode in modes:
            facts = {k: v for k, v in case.facts.items() if k not in held[mode]}
            facts["jurisdictions"] = ["us"]
            result = assess(facts, rulebase=base, as_of=case.as_of, casebook=None, sensitivity=False).us
            if result is None or result.verdict == "not_needed":
                continue
            scores = tuple(float(result.factors[f].score) for f in FACTORS)
            scales = tuple((result.factors[f].weight / float(weights[f])) if float(weights[f]) else 1.0
                           for f in FACTORS)
            out.append(Row(case.id, mode, 1 if case.side == "fair" else 0, scores, scales))
    return out


def overall(weights, row: Row) -> float:
    """The tool's overall score for ``row`` with ``weights`` (as :func:`fairuse.weighing.weigh_fair_use`)."""
    total = sum(w * s for w, s in zip(weights, row.scales)) or 1.0
    return sum(w * m * x for w, m, x in zip(weights, row.scales, row.scores)) / total


def _sigmoid(z: float) -> float:
    if z < -35:
        return 0.0
    if z > 35:
        return 1.0
    return 1.0 / (1.0 + math.exp(-z))


def _arrays(rows):
    import numpy as np

    return (np.array([r.scores for r in rows], dtype=float), np.array([r.scales for r in rows], dtype=float),
            np.array([r.fair for r in rows], dtype=float))


def _loss(params, data, prior, ridge):
    import numpy as np

    scores, scales, fair = data
    weights = np.exp(params[:4])
    a, k = params[4], params[5]
    total = scales @ weights
    total[total == 0] = 1.0
    z = a + k * ((scores * scales) @ weights) / total
    p = np.clip(1.0 / (1.0 + np.exp(-np.clip(z, -35, 35))), 1e-9, 1 - 1e-9)
    nll = -np.mean(fair * np.log(p) + (1 - fair) * np.log(1 - p))
    return float(nll + ridge * np.sum((params[:4] - prior) ** 2) + 1e-4 * k * k)


def _fit_params(rows, prior, ridge=0.05, steps=800):
    """Gradient descent (Adam, numerical gradient) on the six numbers: four log-weights, a and k."""
    import numpy as np

    data = _arrays(rows)
    prior = np.array(prior, dtype=float)
    params = np.concatenate([prior, [0.0, 3.0]])
    m = np.zeros(6)
    v = np.zeros(6)
    lr, b1, b2, eps, h = 0.05, 0.9, 0.999, 1e-8, 1e-6
    for t in range(1, steps + 1):
        base = _loss(params, data, prior, ridge)
        grad = np.zeros(6)
        for i in range(6):
            bumped = params.copy()
            bumped[i] += h
            grad[i] = (_loss(bumped, data, prior, ridge) - base) / h
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad ** 2
        params = params - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
    return [float(w) for w in np.exp(params[:4])], float(params[4]), float(params[5])


def _fold(case_id: str) -> int:
    return int(hashlib.sha256(case_id.encode()).hexdigest(), 16) % FOLDS


Z = 0.0  # a band's precision is its plain share; Z > 0 judges it by a lower (Wilson) confidence bound instead


def wilson_low(right: int, n: int, z: float = Z) -> float:
    """The lower Wilson bound of a share ``right``/``n``: a band of few decisions must do better to count."""
    if n == 0:
        return 0.0
    p = right / n
    centre = p + z * z / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - margin) / (1 + z * z / n)


def _cutoff(probs: list[tuple[float, int]], target: float, above: float | None = None) -> float | None:
    """The lowest probability p (for the side the pairs are oriented to) such that the decisions at or above p
    (and below ``above``, for a leaning band) are right at least ``target`` of the time by the band's lower
    confidence bound, with at least MIN_BAND of them; None when no such p exists."""
    best = None
    candidates = sorted({p for p, _ in probs}, reverse=True)
    for p in candidates:
        inside = [y for q, y in probs if q >= p and (above is None or q < above)]
        if len(inside) >= MIN_BAND and wilson_low(sum(inside), len(inside)) >= target:
            best = p
    return best


def choose_thresholds(groups: list[list[tuple[float, int]]]) -> dict:
    """Probability cutoffs per band from out-of-fold (P(fair), fair) pairs: each cutoff meets its target in every
    group (every fact, and only the facts a user knows), so the easier group cannot carry the harder."""
    out = {}
    for side in ("fair", "unfair"):
        def oriented(pairs):
            return pairs if side == "fair" else [(1 - p, 1 - y) for p, y in pairs]
        likely = _strictest([_cutoff(oriented(g), TARGETS["likely"]) for g in groups])
        leaning = _strictest([_cutoff(oriented(g), TARGETS["leaning"], above=likely if likely is not None else 1.01)
                              for g in groups])
        if leaning is None or (likely is not None and leaning > likely):
            leaning = likely
        out[side] = {"likely": likely, "leaning": leaning}
    return out


def _strictest(cuts: list) -> float | None:
    """The highest cutoff of the groups; None (no band) if a group has none."""
    return None if any(c is None for c in cuts) else max(cuts)


def _band_of(p: float, cuts: dict) -> str:
    f, u = cuts["fair"], cuts["unfair"]
    if f["likely"] is not None and p >= f["likely"]:
        return "likely_fair"
    if f["leaning"] is not None and p >= f["leaning"]:
        return "leaning_fair"
    if u["likely"] is not None and 1 - p >= u["likely"]:
        return "likely_unfair"
    if u["leaning"] is not None and 1 - p >= u["leaning"]:
        return "leaning_unfair"
    return "uncertain"


def _report(pairs: list[tuple[float, int]], cuts: dict) -> dict:
    """Per band: decisions and how often the court went that way; accuracy counting uncertain as a miss."""
    bands = {b: [] for b in ("likely_fair", "leaning_fair", "uncertain", "leaning_unfair", "likely_unfair")}
    for p, y in pairs:
        bands[_band_of(p, cuts)].append(y)
    out = {}
    right = 0
    for band, ys in bands.items():
        if band == "uncertain":
            out[band] = {"cases": len(ys)}
            continue
        hits = sum(ys) if band.endswith("_fair") and not band.endswith("unfair") else len(ys) - sum(ys)
        right += hits
        out[band] = {"cases": len(ys), "right": round(hits / len(ys), 3) if ys else None}
    n = len(pairs)
    fair = sum(y for _, y in pairs)
    return {"bands": out, "accuracy": round(right / n, 3) if n else 0.0,
            "uncertain": round(len(bands["uncertain"]) / n, 3) if n else 0.0,
            "majority_baseline": round(max(fair, n - fair) / n, 3) if n else 0.0}


def fit(rows: list[Row], hand_weights: dict, hand_bands: dict, ridge: float = 0.05) -> Fit:
    """Fit the weights and thresholds; cross-validate by fold of decision."""
    if len({r.case for r in rows}) < 2 * FOLDS or len({r.fair for r in rows}) < 2:
        raise FairuseError("casebook fit: too few decided US decisions in the dev split to fit "
                           f"({len({r.case for r in rows})}; at least {2 * FOLDS}, both outcomes)")
    top = max(hand_weights.values()) or 1.0
    prior = [math.log(max(float(hand_weights[f]) / top * 4, 0.05)) for f in FACTORS]
    oof = _oof_in_row_order(rows, prior, ridge)
    groups = [[pair for pair, r in zip(oof, rows) if r.facts == mode] for mode in ("all", "primary")]
    cuts = choose_thresholds([g for g in groups if g])
    weights, a, k = _fit_params(rows, prior, ridge)
    scale = 4 / max(weights)  # the largest weight is 4: easier to read, same score
    named = {f: round(w * scale, 2) for f, w in zip(FACTORS, weights)}

    def to_score(p: float | None, side: str) -> float:
        if p is None:  # no band of its own: past the end of the scale
            return 1.0 if side == "fair" else -1.0
        q = p if side == "fair" else 1 - p
        q = min(max(q, 1e-6), 1 - 1e-6)
        s = (math.log(q / (1 - q)) - a) / k
        return max(min(s, 1.0), -1.0)

    bands = {"likely_fair": to_score(cuts["fair"]["likely"], "fair"),
             "leaning_fair": to_score(cuts["fair"]["leaning"], "fair"),
             "leaning_unfair": to_score(cuts["unfair"]["leaning"], "unfair"),
             "likely_unfair": to_score(cuts["unfair"]["likely"], "unfair")}
    bands = _ordered(bands)
    cv = _report(oof, cuts)
    cv["probability_cutoffs"] = {side: {k2: (round(v, 3) if v is not None else None) for k2, v in c.items()}
                                 for side, c in cuts.items()}
    for mode in ("all", "primary"):
        sub = [pair for pair, r in zip(oof, rows) if r.facts == mode]
        if sub:
            cv[f"facts_{mode}"] = _report(sub, cuts)
    return Fit(named, round(a, 4), round(k, 4), {b: round(s, 3) for b, s in bands.items()},
               len({r.case for r in rows}), len(rows), cv,
               {"factor_weights": dict(hand_weights), "bands": dict(hand_bands)})


def _oof_in_row_order(rows, prior, ridge):
    """Out-of-fold (P(fair), fair) for each row, in the rows' order."""
    out = [None] * len(rows)
    for fold in range(FOLDS):
        train = [r for r in rows if _fold(r.case) != fold]
        idx = [i for i, r in enumerate(rows) if _fold(r.case) == fold]
        if not idx:
            continue
        weights, a, k = _fit_params(train, prior, ridge)
        for i in idx:
            out[i] = (_sigmoid(a + k * overall(weights, rows[i])), rows[i].fair)
    return out


def _ordered(bands: dict) -> dict:
    """Strictly falling bands (an empty band is squeezed to a hair's width, as the weighing file requires)."""
    order = ["likely_fair", "leaning_fair", "leaning_unfair", "likely_unfair"]
    values = [bands[b] for b in order]
    values[0] = min(values[0], 1.0)
    for i in range(1, 4):
        if values[i] >= values[i - 1]:
            values[i] = values[i - 1] - 0.001
    return dict(zip(order, values))


def weighs_most(f: Fit) -> str:
    """What the fitted model weighs most, in words, and whether it agrees with Beebe (factors one and four)."""
    names = {"purpose": "factor one (purpose)", "nature": "factor two (nature)", "amount": "factor three (amount)",
             "market": "factor four (market)"}
    ranked = sorted(f.weights, key=lambda n: -f.weights[n])
    top_two = set(ranked[:2])
    agrees = top_two == {"purpose", "market"}
    order = ", ".join(f"{names[n]} {f.weights[n]:g}" for n in ranked)
    return (f"Weights, most to least: {order}. "
            + ("Factors one and four weigh most, as Beebe (2008) found."
               if agrees else f"The two heaviest are {names[ranked[0]]} and {names[ranked[1]]}: "
                              "unlike Beebe (2008), who found factors one and four dominate."))


_FLOW_LINE = {"factor_weights": re.compile(r"^factor_weights:.*$", re.M), "bands": re.compile(r"^bands:.*$", re.M)}


def write_fit(path: Path, f: Fit, on: dt.date | None = None, *, out: Path | None = None) -> Path:
    """Write the fitted weights, bands and provenance into ``path`` (or ``out``): the two lines replaced,
    the ``fitted:`` block replaced or added after the bands, every comment kept."""
    from .atomic import write_atomic

    text = path.read_text(encoding="utf-8")
    for key in ("factor_weights", "bands"):
        if not _FLOW_LINE[key].search(text):
            raise FairuseError(f"{path}: expected a one-line '{key}: {{...}}' to replace")
    weights = ", ".join(f"{n}: {f.weights[n]:g}" for n in FACTORS)
    bands = ", ".join(f"{b}: {f.bands[b]:g}" for b in ("likely_fair", "leaning_fair", "leaning_unfair",
                                                         "likely_unfair"))
    text = _FLOW_LINE["factor_weights"].sub(lambda _m: f"factor_weights: {{{weights}}}", text, count=1)
    text = _FLOW_LINE["bands"].sub(lambda _m: f"bands: {{{bands}}}", text, count=1)
    text = re.sub(r"\n# Fitted by `fairuse casebook fit`.*?\n(?=\S)(?!fitted:|  )", "\n", text, flags=re.S)
    text = re.sub(r"^fitted:\n(?:  .*\n|\n)*", "", text, flags=re.M)
    block = provenance(f, on or dt.date.today())
    text = _FLOW_LINE["bands"].sub(lambda m: m.group(0) + "\n" + block.rstrip("\n"), text, count=1)
    target = out or path
    write_atomic(target, text, force=True)
    return target


def provenance(f: Fit, on: dt.date) -> str:
    import yaml

    cv = f.cv
    data = {"fitted": {
        "date": on.isoformat(),
        "by": "fairuse casebook fit",
        "decisions": f.decisions,
        "assessments": f.rows,
        "split": "dev",
        "facts": ["all", "primary"],
        "model": "P(fair) = sigmoid(intercept + slope * score); weights positive, shrunk toward the hand-set ones",
        "intercept": f.intercept,
        "slope": f.slope,
        "folds": FOLDS,
        "cross_validated": {
            "accuracy": cv["accuracy"], "uncertain": cv["uncertain"], "majority_baseline": cv["majority_baseline"],
            "bands": cv["bands"], "probability_cutoffs": cv["probability_cutoffs"],
        },
        "targets": {"likely": TARGETS["likely"], "leaning": TARGETS["leaning"], "min_band": MIN_BAND},
        "replaced": f.hand,
    }}
    head = ("# Fitted by `fairuse casebook fit` (see fairuse/fitting.py): the weights and bands above, from the\n"
            "# decisions below, cross-validated; a lawyer may override any number (the next fit starts from it).\n")
    return "\n" + head + yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=110)


__all__ = ["Fit", "Row", "choose_thresholds", "fit", "overall", "provenance", "rows_for", "weighs_most",
           "write_fit"]
