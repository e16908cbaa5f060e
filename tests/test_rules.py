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


# ------------------------------------------------------------------ issue 22: types checked before use

from inprocess import one_line, run_main  # noqa: E402


def _assess(rules):
    return run_main("assess", "--example", "llm-web-crawl", "--rules", rules)


@pytest.mark.parametrize("file, old, new, needles", [
    # a condition naming its fact with a list, or with true/false
    ("us/amount.yaml", "when: {fact: amount_necessary, is: true}", "when: {fact: [amount_necessary], is: true}",
     ["amount.yaml:", "us.107.3.stated.reasonable", "'fact': expected the fact's name, got a list"]),
    ("us/amount.yaml", "when: {fact: amount_necessary, is: true}", "when: {fact: true, is: true}",
     ["amount.yaml:", "got true/false (true)", "quote it"]),
    ("us/amount.yaml", "when: {fact: amount_necessary, is: true}", "when: {fact: amount_necessary, is: {a: 1}}",
     ["amount.yaml:", "'is': expected a value", "got a mapping"]),
    ("us/amount.yaml", "when: {fact: amount_necessary, is: true}", "when: {not: {fact: jurisdictions, is: us}}",
     ["amount.yaml:", "'jurisdictions' is a list; 'not' cannot test it"]),
    ("us/amount.yaml", "weight: 3}", 'weight: "3"}', ["amount.yaml:", "'then.weight'", "without quotes"]),
    # quoted weighing bands passed validation, then the weighing compared strings
    ("us/weighing.yaml", re.compile(r"^bands: \{likely_fair: [-0-9.]+", re.M), 'bands: {likely_fair: "0.4"',
     ["weighing.yaml:", "'bands.likely_fair'", "without quotes"]),
    ("us/weighing.yaml", "  on_point: 0.6", "  on_point: near", ["weighing.yaml:", "'precedent.on_point'"]),
    ("us/weighing.yaml", "    scale_factors: {nature: 0.5}", "    scale_factor: {nature: 0.5}",
     ["weighing.yaml:", "'modifiers.0.scale_factor'", "did you mean 'scale_factors'"]),
    # a bad weighing modifier said only "weighing.yaml"
    ("us/weighing.yaml", "    when: {finding: transformative, is: strong}",
     "    when: {finding: transformativ, is: strong}",
     ["us/weighing.yaml:", "modifier us.weigh.transformative-lowers-commerciality", "'when'",
      "did you mean 'transformative'"]),
    ("ruleset.yaml", re.compile(r'^version: ".*"$', re.M), "version: {major: 1}", ["ruleset.yaml:", "'version'"]),
    ("authorities.yaml", "  usc-107:\n", "  usc-107:\n    short: [a, b]\n", ["authorities.yaml:", "'short': expected text"]),
])
def test_a_mistyped_rule_or_weighing_is_one_line_naming_file_line_and_key(rules_copy, file, old, new, needles):
    _edit(rules_copy / file, old, new)
    one_line(_assess(rules_copy), *needles)


def test_a_mistyped_provision_is_one_line(rules_copy):
    path = rules_copy / "eu" / "weighing.yaml"
    text = path.read_text()
    start = text.index("    title:")
    path.write_text(text[:start] + "    title: [a, b]\n" + text[text.index("\n", start) + 1:])
    one_line(_assess(rules_copy), "eu/weighing.yaml:", "title", "valid string")


def _generated(root, rules: list[str]) -> None:
    (root / "us" / "generated.yaml").write_text(
        "jurisdiction: us\ntitle: Generated\nfactor: purpose\nrules:\n" + "".join(rules))


def _rule(rid, exception_to=()):
    extra = f"    exception_to: [{', '.join(exception_to)}]\n" if exception_to else ""
    return (f"  - id: {rid}\n    title: Generated\n    text: generated\n    when: {{fact: purpose, is: parody}}\n"
            f"    then: {{note: A generated note.}}\n    explanation: A generated test rule.\n"
            f"    authority: [usc-107]\n    effective_from: 1978-01-01\n{extra}")


def _us_rules(rules_copy) -> tuple[list[str], list[str]]:
    """(the generated rules that count, those an exception defeated) for the song-parody example."""
    from fairuse.answers import load_answers
    from fairuse.assess import assess

    base = load_rulebase(rules_copy)
    result = assess(load_answers(base.vocabulary, "examples/song-parody.yaml"), rulebase=base)
    fired = [f.rule.id for f in result.trace["us"] if f.rule.id.startswith("us.gen.")]
    return fired, [rule.id for rule, _by in result.trace["us"].defeated if rule.id.startswith("us.gen.")]


def test_forty_layers_of_exceptions_load_and_assess(rules_copy):
    """Each rule an exception to both rules of the layer below: 2**40 paths, which the cycle check walked.
    Default logic: the top layer stands, the one below is defeated, the one below that stands again."""
    rules = []
    for layer in range(40):
        below = [f"us.gen.l{layer - 1}w{w}" for w in range(2)] if layer else []
        rules += [_rule(f"us.gen.l{layer}w{w}", below) for w in range(2)]
    _generated(rules_copy, rules)
    fired, defeated = _us_rules(rules_copy)
    assert sorted(fired) == sorted(f"us.gen.l{n}w{w}" for n in range(1, 40, 2) for w in range(2))
    assert sorted(defeated) == sorted(f"us.gen.l{n}w{w}" for n in range(0, 40, 2) for w in range(2))
    assert run_main("assess", "--example", "song-parody", "--rules", rules_copy).code == 0


def test_a_chain_of_3000_exceptions_is_not_nested_too_deeply(rules_copy):
    """It was refused as "the input is nested too deeply" (the cycle check and the defeats recursed)."""
    _generated(rules_copy, [_rule(f"us.gen.c{i}", [f"us.gen.c{i - 1}"] if i else []) for i in range(3000)])
    fired, defeated = _us_rules(rules_copy)
    assert fired == [f"us.gen.c{i}" for i in range(1, 3000, 2)]
    assert sorted(defeated) == sorted(f"us.gen.c{i}" for i in range(0, 3000, 2))
    got = run_main("assess", "--example", "song-parody", "--rules", rules_copy)
    assert got.code == 0, got.stderr


def test_a_cycle_of_exceptions_is_still_refused(rules_copy):
    _generated(rules_copy, [_rule("us.gen.a", ["us.gen.c"]), _rule("us.gen.b", ["us.gen.a"]), _rule("us.gen.c", ["us.gen.b"])])
    one_line(_assess(rules_copy), "generated.yaml:", "us.gen.a", "forms a cycle")


def test_the_cycle_check_visits_each_rule_and_link_once():
    from fairuse.rules import _on_cycles

    visits = []

    class Counting(dict):
        def get(self, key, default=None):
            visits.append(key)
            return super().get(key, default)

    graph = Counting({f"l{n}w{w}": {f"l{n - 1}w0", f"l{n - 1}w1"} for n in range(1, 60) for w in range(2)})
    assert _on_cycles(graph) == set()
    assert len(visits) <= 2 * 120  # 2**60 paths, each rule looked up once
    assert _on_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}) == {"a", "b", "c", "e"}


def test_rulesets_edited_and_reloaded_are_a_bounded_cache(rules_copy):
    """Issue 22: 200 edits and reloads in one process took it from 147 to 453 MB: every ruleset loaded was
    kept, with its engines and dates. Now the last MAX_RULESETS are kept, and the rest are freed."""
    import gc

    from fairuse.answers import load_answers
    from fairuse.assess import assess
    from fairuse.rules import MAX_RULESETS, RuleBase

    path = rules_copy / "us" / "amount.yaml"
    original = path.read_text()
    for i in range(MAX_RULESETS * 3):
        path.write_text(original.replace("explanation: >\n", f"explanation: >\n      Edit {i}.\n", 1))
        base = load_rulebase(rules_copy)
        assess(load_answers(base.vocabulary, "examples/llm-web-crawl.yaml"), rulebase=base)
    del base
    gc.collect()
    alive = [o for o in gc.get_objects() if isinstance(o, RuleBase) and o.root == rules_copy]
    assert len(alive) <= MAX_RULESETS
