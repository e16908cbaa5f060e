"""The memo's applied prose: every US consideration applied to these facts, in words."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fairuse import memo
from fairuse.analysis import analyse
from fairuse.answers import load_answers
from fairuse.assess import assess
from fairuse.ruletools import application_problems, lint

from conftest import EXAMPLES

_SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")
_BROKEN = re.compile(r"None|Undefined|\{|\}|\bthe the\b|\ba a\b|, ,|,\.|\s[,.;:]|^\W|\(\)")


def _words(base):
    from fairuse.wording import load_wording

    return load_wording(base.vocabulary)


def _check(text: str) -> None:
    assert text and not _BROKEN.search(text), text
    assert not _SNAKE.findall(text), text
    assert text[0].isupper() and text.endswith("."), text


def test_every_us_rule_that_leans_has_an_application(base):
    missing = [r.id for r in base.rules if r.jurisdiction == "us" and r.then.leans and not r.application]
    assert not missing, missing


def test_lint_warns_on_a_leaning_rule_without_an_application(rules_copy):
    path = rules_copy / "us" / "amount.yaml"
    text = path.read_text()
    start = text.index("    application: >-\n      Here, {{ user }} copies the whole of each work")
    end = text.index("    explanation:", start)
    path.write_text(text[:start] + text[end:])
    errors, warnings = lint(rules_copy)
    assert not errors
    assert [w for w in warnings if "us.107.3.entire" in w.where and "application" in w.message], warnings


def test_lint_warns_on_an_application_naming_no_fact(base):
    rule = next(r for r in base.rules if r.id == "us.107.3.entire")
    broken = type("R", (), {"application": "Here, {{ facts.amout_used }} and {{ said['purpose'] }}.",
                            "then": rule.then})()
    problems = application_problems(broken, base.vocabulary)
    assert problems == ["'application:' names 'amout_used', which is not a fact in the vocabulary"]


EXPECT = {  # the user's own facts, in words, that each factor's discussion must apply
    "google-books": {"purpose": ["the company uses a large mixed collection of works as data for building a search "
                                 "index", "does not sell the use itself"],
                     "amount": ["building a search index needs each work in full"],
                     "market": ["no market exists for licensing this use, so the owner has no licence fees"]},
    "song-parody": {"purpose": ["the use is parody aimed at the works themselves", "the company sells or monetises"],
                    "nature": ["the works are creative expression (musical works)"],
                    "amount": ["the parody takes the heart of the works", "a substantial part of each work"],
                    "market": ["the parody targets the works themselves"]},
    "llm-web-crawl": {"purpose": ["the company copies a large mixed collection of works to train a model"],
                      "amount": ["training an ai model needs each work in full"],
                      "market": ["the system has such filters", "a market for licensing this use is emerging"]},
}


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_each_factor_applies_the_law_to_the_users_facts(base, vocab, name):
    answers = load_answers(vocab, EXAMPLES / f"{name}.yaml")
    result = analyse(answers, rulebase=base)
    context = memo.build_context(result)
    for factor in context["factors"]:
        prose = factor["prose"]
        assert prose.paragraphs, factor["name"]
        for para in prose.paragraphs:
            _check(para["applied"])  # every consideration is applied, in words
        assert prose.here == ""  # the applications say it: no generic list of facts
        applied = " ".join(p["applied"] for p in prose.paragraphs).lower()
        for words in EXPECT[name].get(factor["name"], []):
            assert words in applied, (factor["name"], words, applied)
        assert applied.count("here, ") == 1  # "Here," opens the application once per factor
        assert factor["leaning"] == "neutral" or any(s.startswith(("As in \x02", "In \x02")) or " is distinguishable: " in s
                   or s.startswith("But see \x02") for s in prose.comparison), prose.comparison
    html = memo.render(result, "html").decode()
    discussion = html[html.index('id="discussion"'):html.index('id="weighing"')]
    assert "None" not in discussion and "{{" not in discussion and "{%" not in discussion
    assert "&amp;#" not in discussion  # the sandbox does not escape our own words a second time


def _answers(vocab):
    testable = [f for f in vocab if f.type in ("bool", "choice") and f.id not in ("work_status", "license_covers_use")]
    return st.fixed_dictionaries({}, optional={f.id: st.sampled_from(list(f.domain)) for f in testable})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_applications_read_as_sentences_whatever_the_facts(base, vocab, data):
    """Any answers: each firing rule's application renders a whole sentence, never 'None' or a brace."""
    answers = {k: v for k, v in data.draw(_answers(vocab)).items() if v != "unknown"}
    result = assess({**answers, "jurisdictions": ["us"]}, rulebase=base)
    words = _words(base)
    known = {k: v for k, v in result.answers.items() if k in vocab.facts}
    for firing in result.trace.get("us", []):
        if firing.rule.application:
            _check(words.application(firing.rule, known))


def test_the_application_context_names_the_user_and_leaves_unknown_facts_out(base):
    words = _words(base)
    context = words.application_context({"user_kind": "company", "public_exposure": "snippets", "amount_used": "entire"})
    assert context["user"] == "the company"
    assert context["facts"]["amount_used"] == "the whole"
    assert context["said"]["public_exposure"] == "the public sees at most snippets of the works"
    assert "purpose" not in context["facts"] and "purpose" not in context["said"]
    assert words.application_context({})["user"] == "the user"


def test_a_rule_without_an_application_is_applied_by_the_facts_it_rests_on(base, vocab, monkeypatch):
    """A firm's rule with no application: the generic "Here, ..." paragraph names the facts it matched."""
    from fairuse.wording import FactWords

    monkeypatch.setattr(FactWords, "application", lambda self, rule, answers, context=None: "")
    result = analyse(load_answers(vocab, EXAMPLES / "google-books.yaml"), rulebase=base)
    amount = next(f for f in memo.build_context(result)["factors"] if f["name"] == "amount")["prose"]
    assert amount.here.startswith("Here, ") and "the whole of each work" in amount.here
    assert all(p["applied"] == "" for p in amount.paragraphs)


def test_values_said_together_each_keep_their_own_clause(base):
    """Two answers that move the verdict alike are said in one sentence; where an answer's own sentence has a
    comma, the next is introduced by "or if", so the two cannot be read as one run-on condition."""
    from fairuse.assess import Change
    from fairuse.prose import grouped_changes
    from fairuse.wording import load_wording

    words = load_wording(base.vocabulary)
    moves = [Change("audience_gets", v, "us", "uncertain", "leaning_fair", [v]) for v in ("information_or_tool", "nothing")]
    [group] = grouped_changes(moves, words)
    [sentence] = group["sentences"]
    assert sentence.startswith("If the people the use reaches get information about the works, or a tool built "
                               "from them, not their expression, or if the copies stay internal and no one receives "
                               "them, in the United States the answer would move from uncertain to leaning fair"), sentence
    plain = [Change("public_exposure", v, "us", "uncertain", "leaning_fair", [v]) for v in ("none", "snippets")]
    assert " or if " not in grouped_changes(plain, words)[0]["sentences"][0]


def test_pinpoints_to_one_instrument_are_said_once():
    from fairuse.prose import compact_pinpoints

    assert compact_pinpoints(["Directive (EU) 2019/790 (DSM Directive), Art. 3",
                              "Directive (EU) 2019/790 (DSM Directive), Art. 2",
                              "Directive (EU) 2019/790 (DSM Directive), Art. 7(1)"]) == [
        "Directive (EU) 2019/790 (DSM Directive), Arts. 3, 2 and 7(1)"]
    assert compact_pinpoints(["Copyright Act 2021 (Singapore), s. 244", "Copyright Act 2021 (Singapore), s. 187",
                              "Campbell v. Acuff-Rose Music, Inc., 510 U.S. 569 (1994), at 591"]) == [
        "Copyright Act 2021 (Singapore), ss. 244 and 187", "Campbell v. Acuff-Rose Music, Inc., 510 U.S. 569 (1994), at 591"]
    # not consecutive, or another instrument: each kept
    three = ["Regulation (EU) 2024/1689 (AI Act), Art. 53", "17 U.S.C. § 107", "Regulation (EU) 2024/1689 (AI Act), Art. 4"]
    assert compact_pinpoints(three) == three


def test_a_text_citation_is_full_once_then_short():
    from fairuse.prose import Citer

    gema = "GEMA v. OpenAI, LG München I, 42 O 14139/24 (Nov. 11, 2025)"
    citer = Citer(["a", "b"], known=[gema], shorts={gema: "GEMA v. OpenAI"})
    first = citer.text(f"{gema} [not final; status as of 2025-12-10]", "case", "a", "A")
    assert first.startswith("GEMA v.") and "status as of" in first
    assert citer.text(f"{gema} [not final; status as of 2025-12-10]", "case", "b", "B") == "GEMA v.\u00a0OpenAI"
    assert [s["title"] for s in citer.table()[0]["items"][0]["sections"]] == ["A", "B"]  # both listed in the table


def test_answers_that_open_alike_share_their_opening_words(base):
    from fairuse.wording import load_wording

    words = load_wording(base.vocabulary)
    assert words.either("public_exposure", ["none", "snippets"]) == \
        "the public sees none of the works or at most snippets of the works"
    assert words.either("work_role", ["object_of_comment", "evidence"]).count("the works") == 2  # two words: kept whole
