"""Rule loading: schema, vocabulary, authorities and dates are checked on load."""

import re

import pytest

from fairuse.errors import FairuseError
from fairuse.rules import load_rulebase

from conftest import drop_rule_key, edit_file as _edit


def test_shipped_rules_load(base):
    assert base.version and base.stated_as_of.isoformat() == "2026-11-25"
    us = [r for r in base.rules if r.jurisdiction == "us"]
    assert len({r.id for r in us}) >= 40
    for rule in base.rules:
        assert rule.authority, rule.id
        assert rule.effective_from, rule.id
        assert rule.explanation and rule.text, rule.id


def test_us_rules_cover_each_factor_and_the_ai_cases(base):
    us = [r for r in base.rules if r.jurisdiction == "us"]
    factors = {r.factor for r in us if r.factor}
    assert factors == {"purpose", "nature", "amount", "market"}
    cited = {c.authority.key for r in us for c in r.authority}
    assert {"bartz", "kadrey", "ross", "co-ai-part3", "warhol"} <= cited
    stages = {v for r in us for leaf in _leaves(r.when) if leaf.name == "ai_stage" for v in leaf.values}
    assert stages == {"data_collection", "training", "model_release", "output_generation", "retrieval_augmented_generation"}


def _leaves(cond):
    from fairuse import conditions as c
    if isinstance(cond, c.Leaf):
        return [cond]
    if isinstance(cond, c.Not):
        return _leaves(cond.item)
    return [leaf for item in cond.items for leaf in _leaves(item)]


def _error(root) -> str:
    with pytest.raises(FairuseError) as info:
        load_rulebase(root)
    message = str(info.value)
    assert "\n" not in message
    return message


def _line_of(path, needle):
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_duplicate_rule_id(rules_copy):
    path = rules_copy / "us" / "amount.yaml"
    _edit(path, "id: us.107.3.substantial", "id: us.107.3.small")
    message = _error(rules_copy)
    assert "us.107.3.small" in message and "duplicate rule id" in message
    assert re.search(r"amount\.yaml:\d+", message)


def test_unknown_fact_in_condition(rules_copy):
    path = rules_copy / "us" / "amount.yaml"
    _edit(path, "when: {fact: amount_used, is: small}", "when: {fact: amount_usd, is: small}")
    message = _error(rules_copy)
    line = _line_of(path, "amount_usd")
    assert f"amount.yaml:{line}: us.107.3.small" in message
    assert "unknown fact 'amount_usd'" in message and "did you mean 'amount_used'" in message


def test_unknown_value_in_condition(rules_copy):
    path = rules_copy / "us" / "amount.yaml"
    _edit(path, "when: {fact: amount_used, is: small}", "when: {fact: amount_used, is: tiny}")
    message = _error(rules_copy)
    assert "us.107.3.small" in message and "unknown value 'tiny'" in message and "small" in message


def test_rule_without_authority(rules_copy):
    drop_rule_key(rules_copy / "us" / "amount.yaml", "us.107.3.small", "authority")
    message = _error(rules_copy)
    assert "us.107.3.small" in message and "authority" in message
    assert re.search(r"amount\.yaml:\d+", message)


def test_unknown_authority_key(rules_copy):
    path = rules_copy / "us" / "amount.yaml"
    _edit(path, "authority: [usc-107 @ (3), campbell @ 586-87]", "authority: [campbel @ 586]")
    message = _error(rules_copy)
    assert "unknown authority 'campbel'" in message and "did you mean 'campbell'" in message


def test_unknown_key_in_rule(rules_copy):
    path = rules_copy / "us" / "amount.yaml"
    _edit(path, "    explanation: Using only a small part", "    explaination: x\n    explanation: Using only a small part")
    message = _error(rules_copy)
    assert "us.107.3.small" in message and "'explaination'" in message and "unknown key" in message


def test_effective_dates_out_of_order(rules_copy):
    path = rules_copy / "us" / "threshold.yaml"
    _edit(path, "    effective_from: 2000-10-28", "    effective_from: 2000-10-28\n    effective_until: 1990-01-01")
    message = _error(rules_copy)
    assert "us.1201.circumvention" in message and "effective_until is before effective_from" in message


def test_overlapping_versions_of_one_rule(rules_copy):
    path = rules_copy / "us" / "purpose.yaml"
    _edit(path, "    effective_until: 2023-05-17", "    effective_until: 2023-06-30")
    message = _error(rules_copy)
    assert "us.107.1.new-expression" in message and "overlap" in message


def test_broken_yaml_names_file_and_line(rules_copy):
    path = rules_copy / "us" / "market.yaml"
    path.write_text(path.read_text().replace("rules:\n", "rules:\n  - id: [oops\n", 1))
    message = _error(rules_copy)
    assert "market.yaml:" in message and "not valid YAML" in message


def test_finding_must_be_declared(rules_copy):
    path = rules_copy / "us" / "amount.yaml"
    _edit(path, "then: {finding: {heart_of_work: true}, leans: owner, weight: 2}",
          "then: {finding: {heart_ok: true}, leans: owner, weight: 2}")
    message = _error(rules_copy)
    assert "us.107.3.heart" in message and "unknown finding 'heart_ok'" in message


def test_cli_reports_rule_errors_in_one_line(cli, rules_copy):
    _edit(rules_copy / "us" / "amount.yaml", "when: {fact: amount_used, is: small}", "when: {fact: amount_used, is: tiny}")
    result = cli("assess", "--example", "google-books", "--rules", rules_copy)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert "us.107.3.small" in result.stderr
