"""Extending the rulesets: lint, rule tests, diff, schema and scaffold."""

import json
import shutil

import pytest
import yaml

from fairuse.rules import load_rulebase
from fairuse.ruletools import diff, lint, load_tests, run_tests, scaffold, schema

from conftest import ROOT, RULES, drop_rule_key, edit_file as _edit


def _messages(problems):
    return [str(p) for p in problems]


def test_shipped_rules_lint_clean():
    errors, warnings = lint(RULES)
    assert _messages(errors) == [] and _messages(warnings) == []


def test_every_shipped_rule_test_passes_and_covers_every_rule(base):
    results = run_tests(base, load_tests(RULES, base))
    assert results and all(r.passed for r in results), [r.failures for r in results if not r.passed]
    fired = set().union(*(r.fired for r in results))
    assert {r.id for r in base.rules} <= fired


def test_a_wrong_expectation_fails_with_the_trace(rules_copy, cli):
    _edit(rules_copy / "tests" / "us-scenarios.yaml", "verdict: likely_unfair\n        factors: {purpose: owner, amount: owner, market: owner}",
          "verdict: likely_fair\n        factors: {purpose: owner, amount: owner, market: owner}")
    result = cli("rules", "test", rules_copy)
    assert result.returncode == 1
    assert "FAIL  Commercial coursepack is likely unfair" in result.stdout
    assert "us verdict: expected likely_fair, got likely_unfair" in result.stdout
    assert "trace:" in result.stdout and "us.107.4.substitute.full matched" in result.stdout
    ok = cli("rules", "test")
    assert ok.returncode == 0 and " 0 failed" in ok.stdout


def test_lint_finds_each_kind_of_problem(rules_copy):
    us = rules_copy / "us"
    # a schema error (unknown key), an unknown fact, an unknown value, an unknown finding
    _edit(us / "amount.yaml", "    explanation: Using only a small part", "    explaination: x\n    explanation: Using only a small part")
    _edit(us / "amount.yaml", "when: {fact: amount_used, is: substantial}", "when: {fact: amount_usd, is: substantial}")
    _edit(us / "amount.yaml", "when: {fact: amount_used, is: entire}", "when: {fact: amount_used, is: everything}")
    _edit(us / "nature.yaml", "when: {finding: work_nature, is: mixed}", "when: {finding: work_natur, is: mixed}")
    # a rule id duplicated across files
    _edit(us / "market.yaml", "id: us.107.4.licensing.none", "id: us.107.3.heart")
    # a rule whose conditions contradict, and one waiting for a finding no rule concludes
    _edit(us / "purpose.yaml", "    when: {fact: commercial, is: indirect}",
          "    when: {all: [{fact: commercial, is: indirect}, {fact: commercial, is: direct}]}")
    # missing and malformed authority
    _edit(us / "threshold.yaml", "    authority: [usc-106]\n    effective_from: 1978-01-01", "    authority: []\n    effective_from: 1978-01-01")
    _edit(us / "threshold.yaml", "authority: [corley]", "authority: [corly]")
    # effective dates out of order, and overlapping versions of one rule
    _edit(us / "ai.yaml", "    authority: [kadrey, bartz]\n    effective_from: 2025-06-25",
          "    authority: [kadrey, bartz]\n    effective_from: 2025-06-25\n    effective_until: 2024-01-01")
    _edit(us / "purpose.yaml", "    effective_until: 2023-05-17", "    effective_until: 2023-06-30")
    errors, warnings = lint(rules_copy)
    text = "\n".join(_messages(errors))
    for expected in [
        "amount.yaml:", "us.107.3.small: 'explaination': unknown key",
        "us.107.3.substantial: unknown fact 'amount_usd'",
        "us.107.3.entire: fact 'amount_used': unknown value 'everything'",
        "us.107.2.weigh-mixed: unknown finding 'work_natur'",
        "us.107.3.heart: duplicate rule id",
        "us.107.1.commercial.indirect: can never fire: its conditions contradict",
        "us.106.licensed: a rule needs at least one 'authority'",
        "us.1201.no-fair-use-defence: unknown authority 'corly'",
        "us.ai.no-harm-shown: effective_until is before effective_from",
        "us.107.1.new-expression: duplicate rule id",
    ]:
        assert expected in text, expected
    for problem in errors:
        assert str(problem).count(":") >= 2  # file:line: rule-id: message


def test_lint_finds_a_rule_that_waits_for_a_finding_nobody_concludes(rules_copy):
    _edit(rules_copy / "us" / "nature.yaml", "then: {finding: {work_nature: factual}}", "then: {note: \"no finding\"}")
    _edit(rules_copy / "us" / "nature.yaml", "    when:\n      all:\n        - {fact: work_character, known: false}\n        - {fact: work_kind, in: [software, database]}\n    then: {finding: {work_nature: factual}}",
          "    when:\n      all:\n        - {fact: work_character, known: false}\n        - {fact: work_kind, in: [software, database]}\n    then: {note: \"software\"}")
    # reference data (listings, price guides) is also concluded factual, in the kinds-of-use rules
    _edit(rules_copy / "us" / "kinds_of_use.yaml", "then: {finding: {work_nature: factual}}", "then: {note: \"reference\"}")
    errors, _ = lint(rules_copy)
    assert any("us.107.2.weigh-factual: can never fire: no rule concludes finding 'work_nature'" in str(e) for e in errors)


def test_lint_warns_on_unused_findings_untested_rules_drafts_and_changelog(rules_copy):
    _edit(rules_copy / "us" / "nature.yaml", "  work_nature:\n", "  spare_finding:\n    values: [x]\n  work_nature:\n")
    _edit(rules_copy / "us" / "threshold.yaml", "  - id: us.1201.circumvention\n", "  - id: us.1201.circumvention\n    draft: true\n")
    (rules_copy / "tests" / "us-scenarios.yaml").write_text("tests: []\n")
    (rules_copy / "tests" / "us-ai.yaml").unlink()
    (rules_copy / "tests" / "us-primary.yaml").unlink()
    version = next(line for line in (rules_copy / "ruleset.yaml").read_text().splitlines() if line.startswith("version:"))
    _edit(rules_copy / "ruleset.yaml", version, 'version: "2026.12.01"')  # whatever the version shipped
    errors, warnings = lint(rules_copy)
    warn = "\n".join(_messages(warnings))
    assert "finding 'spare_finding' is concluded but no rule or weighing tests it" in warn or "spare_finding" in warn
    assert "us.1201.circumvention: draft rule, not loaded" in warn
    assert "us.107.3.heart: no rule test makes this rule fire" in warn
    assert any("no entry '## 2026.12.01'" in str(e) for e in errors)


def test_cli_lint_exit_status(cli, rules_copy):
    assert cli("rules", "lint").returncode == 0
    _edit(rules_copy / "us" / "amount.yaml", "when: {fact: amount_used, is: small}", "when: {fact: amount_used, is: tiny}")
    result = cli("rules", "lint", rules_copy)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert any(line.startswith("error: ") and "us.107.3.small" in line for line in result.stdout.splitlines())


def test_diff_reports_exactly_the_changed_verdicts(base, rules_copy):
    # make direct commerciality weigh more heavily against the user
    _edit(rules_copy / "us" / "purpose.yaml", "    when: {fact: commercial, is: direct}\n    then: {leans: owner, weight: 2}",
          "    when: {fact: commercial, is: direct}\n    then: {leans: owner, weight: 3}")
    new = load_rulebase(rules_copy)
    table = diff(base, new)
    changed = table[table["what"] == "verdict"]
    # the expected changes, computed independently scenario by scenario
    from fairuse.answers import load_answers
    from fairuse.assess import assess
    from fairuse.casebook import load_casebook
    expected = set()
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        facts = load_answers(base.vocabulary, path)
        for code, res in assess(facts, rulebase=base).results.items():
            if assess(facts, rulebase=new).results[code].verdict != res.verdict:
                expected.add((f"example:{path.stem}", code))
    for case in load_casebook(ROOT / "casebook", base):
        if case.assess_as == "none":
            continue
        facts = {**case.facts, "jurisdictions": [case.assess_as]}
        if assess(facts, rulebase=base, as_of=case.as_of).results[case.assess_as].verdict != \
                assess(facts, rulebase=new, as_of=case.as_of).results[case.assess_as].verdict:
            expected.add((f"case:{case.id}", case.assess_as))
    assert expected  # the change matters somewhere
    assert set(zip(changed["scenario"], changed["jurisdiction"])) == expected
    assert diff(base, base).empty


def test_cli_diff(cli, rules_copy):
    same = cli("rules", "diff", RULES, rules_copy)
    assert same.returncode == 0 and "No verdict" in same.stdout
    _edit(rules_copy / "us" / "purpose.yaml", "    then: {leans: owner, weight: 2}\n    tags: [commerciality]",
          "    then: {leans: owner, weight: 3}\n    tags: [commerciality]")
    changed = cli("rules", "diff", RULES, rules_copy, "--format", "json")
    rows = json.loads(changed.stdout)
    assert rows and {"scenario", "jurisdiction", "what", "old", "new"} <= set(rows[0])


def _files(kind):
    if kind == "rules":
        return [p for p in RULES.glob("*/*.yaml") if p.name != "weighing.yaml" and p.parent.name != "tests"]
    if kind == "weighing":
        return list(RULES.glob("*/weighing.yaml"))
    if kind == "questions":
        return [RULES / "questions.yaml"]
    return sorted((ROOT / "casebook").glob("*.yaml"))


@pytest.mark.parametrize("kind", ["rules", "weighing", "questions", "casebook"])
def test_schema_validates_every_shipped_file(base, kind):
    import jsonschema
    validator = jsonschema.Draft202012Validator(schema(base, kind))
    files = _files(kind)
    assert files
    for path in files:
        data = json.loads(json.dumps(yaml.safe_load(path.read_text()), default=str))
        errors = list(validator.iter_errors(data))
        assert not errors, (path, errors[0].message)


def test_schema_rejects_a_broken_file(base):
    import jsonschema
    validator = jsonschema.Draft202012Validator(schema(base, "rules"))
    data = json.loads(json.dumps(yaml.safe_load((RULES / "us" / "amount.yaml").read_text()), default=str))
    data["rules"][0]["when"] = {"fact": "amount_usd", "is": "small"}
    assert list(validator.iter_errors(data))
    data = json.loads(json.dumps(yaml.safe_load((RULES / "us" / "amount.yaml").read_text()), default=str))
    del data["rules"][0]["authority"]
    assert list(validator.iter_errors(data))


def test_cli_schema(cli):
    result = cli("rules", "schema")
    data = json.loads(result.stdout)
    assert data["title"] == "fairuse rule file" and "condition" in data["$defs"]
    assert cli("rules", "schema", "--kind", "nonsense").returncode == 2


def test_scaffold_writes_a_draft_and_a_test(rules_copy, cli):
    result = cli("rules", "new", "--jurisdiction", "uk", "--id", "uk.tdm.commercial-reform", "--dir", rules_copy)
    assert result.returncode == 0
    rule_file = rules_copy / "uk" / "tdm-commercial-reform.yaml"
    test_file = rules_copy / "tests" / "uk.tdm.commercial-reform.yaml"
    text = rule_file.read_text()
    for key in ("id:", "title:", "text:", "when:", "then:", "explanation:", "authority:", "effective_from:"):
        assert key in text
    assert "fired: [uk.tdm.commercial-reform]" in test_file.read_text()
    errors, warnings = lint(rules_copy)
    assert any("uk.tdm.commercial-reform: draft rule, not loaded" in str(w) for w in warnings)
    assert any("rule test" in str(e) and "uk.tdm.commercial-reform" in str(e) for e in errors)  # not yet written
    again = cli("rules", "new", "--jurisdiction", "uk", "--id", "uk.tdm.commercial-reform", "--dir", rules_copy)
    assert again.returncode == 2 and "already exists" in again.stderr
    clash = cli("rules", "new", "--jurisdiction", "us", "--id", "us.107.3.small", "--dir", rules_copy)
    assert clash.returncode == 2 and "already exists" in clash.stderr


def test_rules_list_and_show(cli):
    listing = cli("rules", "list", "--jurisdiction", "eu", "--as-of", "2020-01-01")
    assert listing.returncode == 0
    assert "eu.dsm.art4" not in listing.stdout and "eu.infosoc.5-1.temporary" in listing.stdout
    show = cli("rules", "show", "us.107.1.new-expression")
    assert show.stdout.count("us.107.1.new-expression —") == 2  # both dated versions
    assert "2023-05-17" in show.stdout and "2023-05-18" in show.stdout
    missing = cli("rules", "show", "us.107.1.new-expresion")
    assert missing.returncode == 2 and "did you mean" in missing.stderr


def test_lint_reports_contradictory_findings_without_precedence(rules_copy):
    # Thomson Reuters v. Ross: a competing non-generative tool is not transformative, while the general purpose
    # rules would find a further purpose; without a declared exception both can fire on the same facts
    path = rules_copy / "us" / "ai.yaml"
    text = path.read_text()
    start = text.index("  - id: us.ai.training.competing-tool\n")
    line_end = text.index("\n", text.index("exception_to:", start)) + 1
    path.write_text(text[:text.index("exception_to:", start) - 4] + text[line_end:])
    errors, _ = lint(rules_copy)
    messages = "\n".join(_messages(errors))
    ross = [m for m in _messages(errors) if "us.ai.training.competing-tool" in m and "contradicts" in m]
    assert ross and all("exception_to" in m for m in ross)
    assert any("us.107.1." in m for m in ross)


def test_exception_defeats_its_base_rule_and_what_rested_on_it(base):
    from fairuse.assess import assess
    ross = {"jurisdictions": ["us"], "purpose": "ai_training", "ai_stage": "training", "commercial": "direct",
            "competes_with_owner": True, "enjoyment_purpose": False, "generative_model": False,
            "new_purpose": "different"}  # the user claims a different purpose; Ross is the declared exception
    result = assess(ross, rulebase=base, sensitivity=False)
    fired = {f.rule.id for f in result.trace["us"]}
    assert "us.ai.training.competing-tool" in fired and "us.107.1.different-purpose" not in fired
    defeated = {rule.id: by for rule, by in result.trace["us"].defeated}
    assert defeated["us.107.1.different-purpose"] == ["us.ai.training.competing-tool"]
    # no weighing modifier rests on the defeated finding
    assert not any("lowers-commerciality" in s for s in result.us.steps)


def test_lint_warns_on_an_exception_rule_without_an_application(rules_copy):
    drop_rule_key(rules_copy / "eu" / "dsm.yaml", "eu.dsm.lawful-access", "application")
    errors, warnings = lint(rules_copy)
    assert not errors
    assert [w for w in _messages(warnings) if "eu.dsm.lawful-access: no 'application:'" in w]


def _wide_contradicting(root, rules: int = 4, anys: int = 6) -> None:
    """``rules`` rules, each all of ``anys`` any-of-4 over distinct facts (4**6 = 4,096 alternatives), concluding
    one finding with alternating values, and nothing saying which prevails."""
    facts = yaml.safe_load((root / "facts.yaml").read_text())["facts"]
    bools = [f for f, spec in facts.items() if spec["type"] == "bool"][:4 * anys]
    when = "{all: [" + ", ".join("{any: [" + ", ".join(f"{{fact: {bools[4 * j + m]}, is: true}}" for m in range(4))
                                 + "]}" for j in range(anys)) + "]}"
    body = "".join(f"  - id: us.gen.w{i}\n    title: Generated\n    text: generated\n    when: {when}\n"
                   f"    then: {{finding: {{genf: {'a' if i % 2 else 'b'}}}}}\n    explanation: A generated rule.\n"
                   f"    authority: [usc-107]\n    effective_from: 1978-01-01\n" for i in range(rules))
    body += ("  - id: us.gen.use\n    title: Generated\n    text: generated\n    when: {finding: genf, is: a}\n"
             "    then: {note: A note.}\n    explanation: A generated rule.\n    authority: [usc-107]\n"
             "    effective_from: 1978-01-01\n")
    (root / "us" / "generated.yaml").write_text(
        "jurisdiction: us\ntitle: Generated\nfactor: purpose\nfindings:\n  genf: {values: [a, b]}\nrules:\n" + body)


def test_lint_of_rules_of_4096_alternatives_finds_their_contradictions_in_bounded_memory(rules_copy):
    """Issue 22: four such rules took lint to 2.6 GB (each pair's 4,096 x 4,096 conjunctions were listed)."""
    import tracemalloc

    from fairuse.assess import domains_of
    from fairuse.ruletools import contradictions

    _wide_contradicting(rules_copy)
    base = load_rulebase(rules_copy)
    tracemalloc.start()
    try:
        found = contradictions(base, domains_of(base))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 1024 * 1024, peak
    pairs = {(p.where.rsplit(": ", 1)[-1], p.message.split()[1]) for p in found if p.severity == "error"}
    assert pairs == {("us.gen.w0", "us.gen.w1"), ("us.gen.w0", "us.gen.w3"), ("us.gen.w1", "us.gen.w2"),
                     ("us.gen.w2", "us.gen.w3")}
    errors, _warnings = lint(rules_copy)
    assert len([p for p in errors if "contradicts" in p.message and "us.gen." in p.where]) == 4


def test_lint_says_which_pairs_it_could_not_check_within_its_bound(rules_copy):
    from fairuse.assess import domains_of
    from fairuse.ruletools import contradictions

    _wide_contradicting(rules_copy)
    base = load_rulebase(rules_copy)
    found = contradictions(base, domains_of(base), pair_steps=3)  # too few steps for any pair
    assert len(found) == 1 and found[0].severity == "error"  # unchecked is never passed as checked
    assert "not checked for a contradiction" in found[0].message
    assert "more pairs" in found[0].message and "name parts of them as findings" in found[0].message


@pytest.mark.parametrize("line, needle", [
    ("fired: 5", "expected a list of rule ids, got 5"),
    ("weights: {us.ai.guardrails: heavy}", "expected a mapping of rule id to a number"),
])
def test_a_mistyped_rule_test_is_one_line_naming_file_line_and_key(rules_copy, line, needle):
    """An expectation of the wrong type crashed `fairuse rules test` (issue 22: types checked before use)."""
    from inprocess import one_line, run_main

    path = rules_copy / "tests" / "us-ai.yaml"
    text = path.read_text()
    start = text.index("fired: [")
    path.write_text(text[:start] + line + text[text.index("\n", start):])
    one_line(run_main("rules", "test", rules_copy), "us-ai.yaml:13:", "expect.us.", needle)
