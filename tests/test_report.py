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


# ------------------------------------------------------------------ issue 22: rule and casebook text others write

import pytest  # noqa: E402

from conftest import HOSTILE_TEXT, assert_no_raw_markup, plant_hostile_text  # noqa: E402


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    plant_hostile_text(folder / "rules", folder / "casebook")
    return folder


@pytest.mark.parametrize("example", ["llm-web-crawl", "song-parody", "uk-model-import"])
def test_markdown_shows_rule_and_casebook_text_literally_trace_included(hostile, example):
    """Markdown output passed <img onerror> and ](javascript:) from rule and casebook text through raw; the
    engine view (--trace) is fenced, longer than any run of backticks in it."""
    from inprocess import run_main

    got = run_main("assess", "--example", example, "--rules", hostile / "rules", "--casebook", hostile / "casebook",
                   "--format", "md", "--trace")
    assert got.code == 0, got.stderr
    assert_no_raw_markup(got.stdout)
    assert "onerror" in got.stdout and "Engine view" in got.stdout  # the text is shown, escaped or fenced
    assert "\n````text\n" in got.stdout  # the engine view's text holds ```: its fence is longer


def test_rich_text_on_a_terminal_is_printed_literally(hostile):
    """[sic] or [/bold] in rule text vanished or raised MarkupError; an OSC escape set the terminal's title."""
    import io

    from rich.console import Console

    from fairuse.report import print_rich
    from fairuse.rules import load_rulebase

    base = load_rulebase(hostile / "rules")
    result = analyse(load_answers(base.vocabulary, EXAMPLES / "song-parody.yaml"), rulebase=base)
    out = io.StringIO()
    print_rich(result, Console(file=out, force_terminal=True, color_system="truecolor", width=200))
    text = out.getvalue()
    assert "[/bold]" in text and "\x1b]2;" not in text and "\x07" not in text
    assert HOSTILE_TEXT.split("[/bold]")[0].strip().split()[0] in text  # <img, shown as it is
