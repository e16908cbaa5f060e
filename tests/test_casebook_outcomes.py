"""Outcomes of decisions outside the US are not "fair"/"unfair"; pending matters say so."""

import shutil

import pytest

from fairuse.casebook import FOREIGN_OUTCOMES, US_OUTCOMES, load_casebook
from fairuse.evaluation import evaluate
from fairuse.errors import FairuseError

from conftest import ROOT


@pytest.fixture
def casebook_copy(tmp_path):
    target = tmp_path / "casebook"
    shutil.copytree(ROOT / "casebook", target)
    return target


def test_every_decision_uses_the_outcomes_of_its_jurisdiction(base):
    for case in load_casebook(ROOT / "casebook", base):
        allowed = US_OUTCOMES if case.jurisdiction == "us" else FOREIGN_OUTCOMES
        assert case.outcome in allowed, (case.id, case.outcome)


def test_foreign_outcomes_as_coded(base):
    cases = {c.id: c for c in load_casebook(ROOT / "casebook", base)}
    assert cases["kneschke-v-laion"].outcome == "exception_applied"
    assert cases["kneschke-v-laion"].facts["rights_reserved"] == "website_terms"
    assert cases["gema-v-openai"].outcome == "infringement_found"
    assert cases["getty-images-v-stability-ai"].outcome == "mixed"
    assert "permission to appeal" in cases["getty-images-v-stability-ai"].later
    assert cases["ultraman-guangzhou-internet-court"].outcome == "infringement_found"


def test_pending_matters_carry_status_date_and_source(base):
    cases = {c.id: c for c in load_casebook(ROOT / "casebook", base)}
    for case_id in ("thomson-reuters-v-ross", "bartz-v-anthropic-training", "bartz-v-anthropic-pirated-library",
                    "kadrey-v-meta", "getty-images-v-stability-ai", "gema-v-openai", "kneschke-v-laion"):
        case = cases[case_id]
        assert case.status and case.status != "final", case_id
        assert case.status_as_of and case.status_source, case_id


def test_a_fair_use_outcome_for_a_foreign_decision_is_refused(base, casebook_copy, cli):
    path = casebook_copy / "gema-v-openai.yaml"
    path.write_text(path.read_text().replace("outcome: infringement_found", "outcome: unfair"))
    with pytest.raises(FairuseError, match="gema-v-openai.yaml:15: 'outcome': 'unfair' is not an outcome for a eu decision"):
        load_casebook(casebook_copy, base)
    result = cli("casebook", "list", "--casebook", casebook_copy)
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_a_pending_status_needs_its_date_and_source(base, casebook_copy):
    path = casebook_copy / "gema-v-openai.yaml"
    text = path.read_text()
    path.write_text(text[:text.index("status_as_of:")] + text[text.index("tags:"):])
    with pytest.raises(FairuseError, match="needs 'status_as_of' and 'status_source'"):
        load_casebook(casebook_copy, base)


def test_evaluation_counts_foreign_outcomes_by_the_side_they_support(base):
    table, _factors, metrics = evaluate(load_casebook(ROOT / "casebook", base), base)
    gema = table[table["id"] == "gema-v-openai"].iloc[0]
    assert gema["court_outcome"] == "unfair"  # infringement_found supports the unfair side
    laion = table[table["id"] == "kneschke-v-laion"].iloc[0]
    assert laion["court_outcome"] == "fair" and laion["hit"]
    first = [c for c in load_casebook(ROOT / "casebook", base) if c.added is None]  # the target's own decisions
    assert evaluate(first, base)[2]["direction_accuracy"] >= 0.9


def test_json_precedents_carry_the_foreign_outcome(cli):
    import json
    result = cli("assess", "--example", "llm-web-crawl", "--format", "json")
    data = json.loads(result.stdout)
    outcomes = {p["outcome"] for p in data["precedents"]}
    assert outcomes <= set(US_OUTCOMES) | set(FOREIGN_OUTCOMES)
