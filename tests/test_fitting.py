"""fairuse.fitting: the weights and bands fitted to the casebook, cross-validated, written back as YAML."""

from __future__ import annotations

import random

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from fairuse import fitting
from fairuse.fitting import FACTORS, Row, choose_thresholds, fit, overall, wilson_low, write_fit

HAND = {"purpose": 3, "nature": 1, "amount": 1.5, "market": 3.5}
BANDS = {"likely_fair": 0.4, "leaning_fair": 0.12, "leaning_unfair": -0.12, "likely_unfair": -0.4}


def _synthetic(n=120, seed=1, market_matters=True):
    """Decisions whose outcome follows factors one and four (Beebe's finding), with some noise."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        scores = tuple(rng.uniform(-1, 1) for _ in FACTORS)
        drive = scores[0] + (2 * scores[3] if market_matters else 0) + rng.gauss(0, 0.4)
        for mode in ("all", "primary"):
            rows.append(Row(f"case-{i}", mode, 1 if drive > 0 else 0, scores, (1.0, 1.0, 1.0, 1.0)))
    return rows


def test_overall_is_the_weighings_own_score():
    row = Row("x", "all", 1, (0.5, -1.0, 0.0, 1.0), (1.0, 0.5, 1.0, 1.0))
    weights = (3, 1, 1.5, 3.5)
    expected = (3 * 0.5 + 1 * 0.5 * -1.0 + 0 + 3.5 * 1.0) / (3 + 0.5 + 1.5 + 3.5)
    assert overall(weights, row) == pytest.approx(expected)


def test_fit_finds_the_factors_that_decide_and_meets_its_targets_out_of_fold():
    result = fit(_synthetic(), HAND, BANDS)
    ranked = sorted(result.weights, key=lambda f: -result.weights[f])
    assert ranked[0] == "market" and ranked[1] == "purpose"
    assert "as Beebe (2008) found" in fitting.weighs_most(result)
    bands = result.bands
    assert bands["likely_fair"] >= bands["leaning_fair"] > bands["leaning_unfair"] >= bands["likely_unfair"]
    for band, row in result.cv["bands"].items():
        if band == "uncertain" or not row["cases"]:
            continue
        target = fitting.TARGETS["likely" if band.startswith("likely") else "leaning"]
        assert row["right"] >= target - 1e-9, (band, row)
    assert result.cv["accuracy"] > result.cv["majority_baseline"]


def test_a_casebook_too_small_to_fit_is_one_clear_error():
    from fairuse.errors import FairuseError

    with pytest.raises(FairuseError, match="too few decided US decisions"):
        fit(_synthetic(n=6), HAND, BANDS)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.integers(0, 1)), min_size=0, max_size=60))
def test_thresholds_hold_their_targets_or_leave_the_band_empty(pairs):
    cuts = choose_thresholds([pairs])
    for side in ("fair", "unfair"):
        oriented = pairs if side == "fair" else [(1 - p, 1 - y) for p, y in pairs]
        likely, leaning = cuts[side]["likely"], cuts[side]["leaning"]
        if likely is not None:
            inside = [y for p, y in oriented if p >= likely]
            assert len(inside) >= fitting.MIN_BAND and sum(inside) / len(inside) >= fitting.TARGETS["likely"]
        if leaning is not None and likely is not None:
            assert leaning <= likely


def test_wilson_bound_is_below_the_share_and_rises_with_the_count():
    assert wilson_low(9, 10, z=1.0) < 0.9
    assert wilson_low(90, 100, z=1.0) > wilson_low(9, 10, z=1.0)
    assert wilson_low(9, 10, z=0.0) == pytest.approx(0.9)
    assert wilson_low(0, 0) == 0.0


def test_write_fit_replaces_the_numbers_keeps_the_comments_and_loads(rules_copy):
    from fairuse.rules import load_rulebase

    rules = rules_copy
    path = rules / "us" / "weighing.yaml"
    comments = [line for line in path.read_text().splitlines() if line.startswith("#")]
    result = fit(_synthetic(), HAND, BANDS)
    write_fit(path, result)
    write_fit(path, result)  # a second fit replaces the first block, never stacks another
    text = path.read_text()
    assert text.count("\nfitted:") == 1 and text.count("# Fitted by `fairuse casebook fit`") == 1
    for line in comments:
        assert line in text
    data = yaml.safe_load(text)
    assert data["factor_weights"] == result.weights and data["bands"] == result.bands
    assert data["fitted"]["decisions"] == 120 and data["fitted"]["replaced"]["factor_weights"] == HAND
    assert load_rulebase(rules).jurisdictions["us"].weighing["factor_weights"] == result.weights


def test_casebook_fit_writes_a_copy_that_lints_and_diffs(tmp_path, cli):
    out = tmp_path / "fitted"
    result = cli("casebook", "fit", "--out", out)
    assert result.returncode == 0, result.stderr
    assert "majority-class guess" in result.stdout and "Beebe" in result.stdout
    assert "fitted:" in (out / "us" / "weighing.yaml").read_text()
    again = cli("casebook", "fit", "--out", out)
    assert again.returncode == 2 and "already exists" in again.stderr and "Traceback" not in again.stderr
    lint = cli("rules", "lint", out)
    assert lint.returncode == 0, lint.stdout + lint.stderr
