"""Licences with conditions (issue 23), as a lawyer reads the memo: the Brief Answer names the licence's
conditions and the § 1202(b) split; a stated licence the facts contradict is reported; the questionnaire
asks the licence questions where they matter."""

from __future__ import annotations

import datetime as dt
import re

from fairuse import memo
from fairuse.analysis import analyse
from fairuse.answers import load_answers
from fairuse.prose import brief_answer
from fairuse.questionnaire import Interview, load_questions

from conftest import EXAMPLES


def _analysis(base, vocab, name=None, **answers):
    if name:
        answers = {**load_answers(vocab, EXAMPLES / f"{name}.yaml"), **answers}
    return analyse(answers, rulebase=base)


def test_the_code_assistant_brief_answer_reaches_the_licence_and_the_1202_split(base, vocab):
    a = _analysis(base, vocab, "code-assistant")
    us, eu = " ".join(brief_answer(a, "us")), " ".join(brief_answer(a, "eu"))
    assert "In addition, the use drops the notices and credit its licence requires, so the licence does not cover it" in us
    assert "Jacobsen v. Katzer" in us and "Doe v. GitHub" in us
    assert "§ 1202(b)" in us and "divides the courts" in us and "Ninth Circuit has yet to decide it" in us
    # the claims the law settles come before the open ones
    assert us.index("removing copyright-management information is a separate claim") < us.index("divides the courts")
    assert "InfoSoc Art 7" in eu and "needs an exception" in eu
    # the consequences are the rules', each with its authority, in the body
    body = memo.render(a, "md").decode().replace("\u00a0", " ")
    for cite in ("Jacobsen v. Katzer, 535 F.3d 1373", "Doe 1 v. GitHub, Inc., No. 24-7700 (9th Cir.)",
                 "Andersen v. Stability AI", "Kadrey v. Meta Platforms, Inc., No. 3:23-cv-03417-VC (N.D. Cal. June 27, 2025)",
                 "17 U.S.C. § 1203", "Directive 2001/29/EC (InfoSoc Directive), Art. 7", "IT Development"):
        assert cite in body, cite
    assert "**Licences**" in body and "GNU General Public License, version 3" in body
    assert a.results["us"].verdict != "not_needed"


def test_the_split_is_not_said_before_the_courts_divided(base, vocab):
    a = analyse({**load_answers(vocab, EXAMPLES / "code-assistant.yaml"), }, rulebase=base, as_of=dt.date(2024, 10, 1))
    us = " ".join(brief_answer(a, "us"))
    assert "no appellate court has decided it" in us and "Ninth Circuit" not in us and "Intercept" not in us


def test_a_use_that_keeps_a_cc_licence_needs_no_exception_and_says_why(base, vocab):
    a = _analysis(base, vocab, jurisdictions=["us", "eu"], purpose="news_reporting", work_kind="photograph",
                  work_license="cc_by", notices_kept="kept")
    assert a.results["us"].verdict == a.results["eu"].verdict == "not_needed"
    us = " ".join(brief_answer(a, "us"))
    assert "the works are offered under the Creative Commons Attribution licence (CC BY)" in us
    assert "that licence covers the use" in us and "In addition" not in us


def test_a_stated_licence_the_facts_contradict_is_reported_and_prevails(base, vocab):
    a = _analysis(base, vocab, jurisdictions=["us"], purpose="ai_training", ai_stage="output_generation",
                  license_covers_use=True, work_license="permissive", notices_kept="dropped")
    assert a.results["us"].verdict == "not_needed"
    text = memo.build_context(a)["disagreements"][0]["text"]
    assert text == ("For the United States, the answers state that a licence or permission covers the use, and that answer "
                    "was applied; the other facts given imply instead that no licence covers the use.")


def test_the_steps_toward_the_licence_finding_are_not_shown_as_reasons(base, vocab):
    a = _analysis(base, vocab, jurisdictions=["eu", "uk", "jp", "cn", "sg"], purpose="ai_training",
                  license_covers_use=False, work_license="copyleft", notices_kept="dropped")
    html = memo.render(a, "html").decode()
    assert "own account" not in html
    for code in a.tdm:
        assert not any(re.search(r"\.license\.(within|outside|stated-)", c.rule) for c in a.results[code].reasons)
        assert a.results[code].claims, code


def test_the_questionnaire_asks_the_licence_where_it_matters(base):
    questions = load_questions(base)
    interview = Interview(base, questions)
    q = {x.fact: x for x in questions}
    ai = {"jurisdictions": ["us"], "purpose": "ai_training", "license_covers_use": False, "work_status": "in_copyright"}
    assert interview.should_ask(q["work_license"], ai)
    assert not interview.should_ask(q["work_license"], {**ai, "purpose": "parody"})
    assert interview.should_ask(q["work_license"], {"jurisdictions": ["us"], "purpose": "parody"})  # it can settle the licence
    assert not interview.should_ask(q["work_license"], {**ai, "work_status": "public_domain"})
    assert interview.should_ask(q["notices_kept"], {**ai, "work_license": "cc_by"})
    assert not interview.should_ask(q["notices_kept"], {**ai, "work_license": "all_rights_reserved"})
    assert interview.should_ask(q["share_alike_kept"], {**ai, "work_license": "copyleft"})
    assert not interview.should_ask(q["share_alike_kept"], {**ai, "work_license": "permissive"})
