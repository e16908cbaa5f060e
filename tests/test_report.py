"""The short reports: plain text and Markdown say the same analysis, in words."""

import re

from fairuse.analysis import analyse
from fairuse.answers import load_answers
from fairuse.report import engine_view, to_markdown, to_text

from conftest import EXAMPLES

_RULE_ID = re.compile(r"\b(?:us|uk|eu|jp|cn|sg)\.[a-z0-9-]+(?:\.[a-z0-9-]+)+")
_SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")


def _assessed(base, name):
    return analyse(load_answers(base.vocabulary, EXAMPLES / f"{name}.yaml"), rulebase=base)


def test_markdown_bullets_are_not_nested_lists_by_accident(base):
    md = to_markdown(_assessed(base, "google-books"))
    assert not re.search(r"^\s*- [-+=] ", md, re.M), "a '- - ' line renders as a nested list"
    assert "## United States: likely fair use" in md


def test_text_and_markdown_say_the_same_answers_in_words(base):
    for name in ("llm-web-crawl", "lab-finetune", "news-rag", "photo-article"):
        result = _assessed(base, name)
        text, md = to_text(result), to_markdown(result)
        for code in result.jurisdictions:
            from fairuse.prose import brief_answer

            first = brief_answer(result, code)[0]
            assert first in text and first in md.replace("\\", ""), (name, first)
        for m in result.mitigations:
            assert m["mitigation"] in text
        for out in (text, md.replace("\\_", "_")):
            assert not _RULE_ID.findall(out) and not _SNAKE.findall(out), (name, _RULE_ID.findall(out)[:2],
                                                                           _SNAKE.findall(out)[:3])


def test_each_mitigation_is_listed_once(base):
    text = to_text(_assessed(base, "llm-web-crawl"))
    block = text[text.index("RISK MITIGATIONS") if "RISK MITIGATIONS" in text else text.index("Risk mitigations:"):]
    block = block.split("\n\n")[0].splitlines()[1:]
    assert block and len(block) == len(set(block))


def test_the_engine_view_keeps_ids_weights_and_the_trace(base):
    view = engine_view(_assessed(base, "google-books"))
    assert "us.107.1.non-expressive" in view and "Rule trace:" in view and "Weighing:" in view
