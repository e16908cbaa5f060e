"""facts.yaml (fairuse.vocabulary): every key and value checked for its type before it is used (issue 22)."""

import pytest

from conftest import edit_file
from inprocess import one_line, run_main


def _assess(rules):
    return run_main("assess", "--example", "llm-web-crawl", "--rules", rules)


@pytest.mark.parametrize("old, new, needles", [
    # `true:` is read by YAML as true/false: it named a fact 'True' that nothing could reach
    ("  use_summary:\n", "  true:\n    type: bool\n  use_summary:\n", ["facts.yaml:", "must be text", "quote it"]),
    # `values: abc` became the choices a, b and c
    ("    values: [us, uk, eu, jp, cn, sg]", "    values: abc", ["facts.yaml:", "'jurisdictions'", "'values'",
                                                                  "expected a list"]),
    # a value that is a mapping crashed every assessment
    ("    values: [us, uk, eu, jp, cn, sg]", "    values: [us, uk, eu, jp, cn, {sg: x}]",
     ["facts.yaml:", "'jurisdictions'", "each value must be text, got a mapping"]),
    ("    values: [us, uk, eu, jp, cn, sg]", "    values: [us, uk, eu, jp, cn, yes]", ["quote it"]),
    ("    values: [us, uk, eu, jp, cn, sg]", "    values: [us, uk, eu, jp, cn, us]", ["'us' is listed twice"]),
    ("version: 1\n", "version: abc\n", ["facts.yaml:", "'version'", "whole number"]),
    ("    type: multi\n", "    type: multi\n    valuse: [a]\n", ["unknown key 'valuse'", "did you mean 'values'"]),
])
def test_a_mistyped_facts_yaml_is_one_line_naming_file_line_and_key(rules_copy, old, new, needles):
    edit_file(rules_copy / "facts.yaml", old, new)
    line = one_line(_assess(rules_copy), *needles)
    assert ":" in line.split("facts.yaml", 1)[1][:2]  # a line number follows the file


def test_a_fact_named_by_a_non_text_key_is_never_suggested_to_itself(rules_copy):
    edit_file(rules_copy / "facts.yaml", "  use_summary:\n", "  \"True\":\n    type: bool\n  use_summary:\n")
    answers = rules_copy / "a.yaml"
    answers.write_text("True: true\n")  # the key is read as true/false, not the text 'True'
    line = one_line(run_main("assess", "--answers", answers, "--rules", rules_copy), "a.yaml")
    assert "did you mean 'True'" not in line
