"""The published JSON Schema of ``fairuse assess --format json`` holds for every example."""

import json

import jsonschema
import pytest

from fairuse.answers import load_answers
from fairuse.analysis import analyse
from fairuse.assess import assess
from fairuse.schemas import assessment_schema

from conftest import EXAMPLES

VALIDATOR = jsonschema.Draft202012Validator(assessment_schema())


def test_the_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(assessment_schema())


@pytest.mark.parametrize("example", sorted(p.stem for p in EXAMPLES.glob("*.yaml")))
def test_every_example_output_validates(base, example):
    result = analyse(load_answers(base.vocabulary, EXAMPLES / f"{example}.yaml"), rulebase=base)
    data = json.loads(json.dumps(result.to_json(), default=str))
    errors = sorted(VALIDATOR.iter_errors(data), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message[:200]}" for e in errors[:5]]


def test_a_broken_output_fails_validation(base):
    result = analyse(load_answers(base.vocabulary, EXAMPLES / "google-books.yaml"), rulebase=base)
    data = json.loads(json.dumps(result.to_json(), default=str))
    data["us"]["verdict"] = "probably_fine"
    del data["tdm"]
    assert len(list(VALIDATOR.iter_errors(data))) == 2


def test_cli_prints_the_schema(cli):
    result = cli("schema", "assessment")
    assert result.returncode == 0
    assert json.loads(result.stdout)["title"] == "fairuse assessment"


def test_keys_are_never_missing(base):
    """us is null when the US is not assessed; tdm is {} when nothing else is."""
    us_only = analyse({"jurisdictions": ["us"], "purpose": "parody"}, rulebase=base).to_json()
    assert us_only["tdm"] == {} and us_only["us"]["verdict"]
    eu_only = analyse({"jurisdictions": ["eu"], "purpose": "ai_training"}, rulebase=base).to_json()
    assert eu_only["us"] is None and set(eu_only["tdm"]) == {"eu"}
    for data in (us_only, eu_only):
        assert not list(VALIDATOR.iter_errors(json.loads(json.dumps(data, default=str))))


def test_changes_mitigations_answers_and_weighing_as_data(base):
    answers = load_answers(base.vocabulary, EXAMPLES / "llm-web-crawl.yaml")
    data = analyse(answers, rulebase=base).to_json()
    assert data["changes"] and all({"fact", "value", "jurisdiction", "before", "after"} <= set(c)
                                   <= {"fact", "value", "values", "jurisdiction", "before", "after", "favourable"}
                                   for c in data["changes"])
    assert {c["fact"] for c in data["changes"]} == set(data["missing"])
    texts = [m["mitigation"] for m in data["mitigations"]]
    assert texts and len(texts) == len(set(texts))
    assert data["answers"]["jurisdictions"] == answers["jurisdictions"]
    assert data["answers"]["assessment_date"] == data["ruleset"]["as_of"]
    weighing = data["us"]["weighing_data"]
    assert set(weighing["factors"]) == {"purpose", "nature", "amount", "market"}
    assert weighing["verdict"] == data["us"]["verdict"]
    # each step toward uncertain is recorded, from the verdict the score gives to the one shown
    verdict = weighing["verdict_from_score"]
    for step in weighing["adjustments"]:
        assert step["from"] == verdict
        verdict = step["to"]
    assert verdict == data["us"]["verdict"]


def test_default_jurisdiction_is_recorded_in_the_answers_as_read(base):
    data = analyse({"purpose": "parody"}, rulebase=base).to_json()
    assert data["answers"]["jurisdictions"] == ["us"]


def test_an_answer_silent_on_the_market_says_so_in_its_json(base):
    answers = {"jurisdictions": ["us"], "purpose": "ai_training", "ai_stage": "training", "user_kind": "company",
               "commercial": "direct", "source_access": "publicly_available", "amount_used": "entire"}
    data = json.loads(json.dumps(analyse(answers, rulebase=base, casebook=None).to_json(), default=str))
    assert not list(VALIDATOR.iter_errors(data))
    steps = data["us"]["weighing_data"]["adjustments"]
    assert [s.get("bare_factors") for s in steps if s["cause"] == "unknown_facts_could_reverse"] == [["market"]]
    steps[-1]["bare_factors"] = ["the market"]  # not a factor
    assert list(VALIDATOR.iter_errors(data))
