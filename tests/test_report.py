"""The short reports: plain text and Markdown read the same assessment."""

import re

from fairuse.answers import load_answers
from fairuse.assess import assess
from fairuse.report import to_markdown, to_text

from conftest import EXAMPLES


def _assessed(base, name):
    return assess(load_answers(base.vocabulary, EXAMPLES / f"{name}.yaml"), rulebase=base)


def test_markdown_bullets_are_not_nested_lists_by_accident(base):
    md = to_markdown(_assessed(base, "google-books"))
    assert not re.search(r"^\s*- [-+=] ", md, re.M), "a '- - ' line renders as a nested list"
    assert "**For the user:**" in md


def test_markdown_has_the_notes_and_mitigations_the_text_has(base):
    result = _assessed(base, "llm-web-crawl")
    text, md = to_text(result), to_markdown(result)
    assert "Notes:" in text and "## Notes" in md
    assert "Risk mitigations:" in text and "## Risk mitigations" in md
    for m in result.mitigations():
        assert m["mitigation"] in md and m["mitigation"] in text
    for res in result.results.values():
        for note in res.notes:
            assert note["note"] in md


def test_each_mitigation_is_listed_once(base):
    text = to_text(_assessed(base, "llm-web-crawl"))
    block = text[text.index("Risk mitigations:"):].split("\n\n")[0].splitlines()[1:]
    assert len(block) == len(set(block))
