"""Separate claims the answers leave open (fairuse.reasoning.claims): a claim no rule stated, but that some
answers to the unknown facts would bring, is named with those facts, never changes a verdict, and is said once,
in What Would Change the Outcome."""

from __future__ import annotations

import pytest

from fairuse import memo, report
from fairuse.analysis import analyse
from fairuse.answers import load_answers
from fairuse.prose import open_claims_sentence

from conftest import EXAMPLES, brings_its_claim



def _analysis(base, name, drop=(), **extra):
    answers = {k: v for k, v in load_answers(base.vocabulary, EXAMPLES / f"{name}.yaml").items() if k not in drop}
    return analyse({**answers, **extra}, rulebase=base)


UNSTATED = ("work_license", "notices_kept")  # the code assistant as the real-world scenario gives it: no licence said


def test_a_code_assistant_whose_licence_is_not_stated_leaves_licence_claims_open(base):
    a = _analysis(base, "code-assistant", drop=UNSTATED)
    open_ = {(c.jurisdiction, c.rule): c for c in a.open_claims}
    dropped = open_[("us", "us.license.notices-dropped")]
    assert {"work_license", "notices_kept"} <= set(dropped.facts) and dropped.kinds == ("licence_conditions",)
    assert ("eu", "eu.infosoc.art7.rmi") in open_
    for claim in a.open_claims:
        assert brings_its_claim(base, a, claim), claim
    sentence = open_claims_sentence(a)
    assert sentence.startswith("It is not known which licence the works are offered under")
    assert "for breaking an open licence's conditions and for removing rights-management information" in sentence
    assert "in every jurisdiction assessed, without changing the answers above" in sentence
    # said once, under What Would Change the Outcome, in every output; and in the JSON contract
    html = memo.render(a, "html").decode()
    section = html[html.index(">What Would Change the Outcome<"):html.index(">Risk Mitigations<")]
    assert html.count("some answers would bring separate claims") == 1 and "would bring separate claims" in section
    assert report.to_text(a).count("some answers would bring separate claims") == 1
    assert {"jurisdiction": "us", "rule": "us.license.notices-dropped", "facts": list(dropped.facts),
            "kinds": ["licence_conditions"]} in a.to_json()["open_claims"]


def test_a_claim_the_answers_state_is_not_open_and_none_changes_a_verdict(base):
    before = _analysis(base, "code-assistant", drop=UNSTATED)
    after = _analysis(base, "code-assistant", work_license="copyleft", notices_kept="dropped", cmi_removed=True,
                      share_alike_kept=False)
    fired = {f["rule"] for f in after.trace["us"]}
    assert "us.license.notices-dropped" in fired
    assert not any(c.rule == "us.license.notices-dropped" for c in after.open_claims)
    assert "which licence the works are offered under" not in open_claims_sentence(after)
    assert {c: r.verdict for c, r in before.results.items()} == {c: r.verdict for c, r in after.results.items()}


def test_no_claim_is_open_where_the_answers_rule_it_out(base):
    a = _analysis(base, "code-assistant", work_license="all_rights_reserved", cmi_removed=False,
                  notices_kept="nothing_shared")
    assert not [c for c in a.open_claims if "licence_conditions" in c.kinds], a.open_claims
    assert not [c for c in a.open_claims if "rights_management" in c.kinds], a.open_claims
    assert open_claims_sentence(a) == ""


@pytest.mark.parametrize("name", ["code-assistant", "google-books", "photo-article", "llm-pirated"])
def test_every_open_claim_is_really_open(base, name):
    a = _analysis(base, name)
    for _act, sub in a.every_act():
        for claim in sub.open_claims:
            assert brings_its_claim(base, sub, claim), claim
