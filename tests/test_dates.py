"""Two dates: statutes apply by the conduct date, decisions once decided; --as-of hides what came later."""

import datetime as dt
import json

import pytest

from fairuse.analysis import analyse as assess
from fairuse.errors import FairuseError
from fairuse.report import to_markdown, to_text
from fairuse.ruletools import lint

from conftest import RULES

D = dt.date


def _all_cites(result) -> set:
    data = result.to_json()
    cites = set()
    us = data.get("us") or {}
    for factor in (us.get("factors") or {}).values():
        for r in factor["reasons"]:
            cites |= set(r["authority"])
    for res in (data.get("tdm") or {}).values():
        for key in ("reasons", "notes", "duties"):
            for r in res.get(key) or []:
                cites |= set(r["authority"])
    for code, firings in result.trace.items():
        for f in firings:
            cites |= set(f["authority"])
    return cites


def test_as_of_hides_later_decisions_in_every_citation(base):
    answers = {"jurisdictions": ["us", "eu"], "purpose": "ai_training", "ai_stage": "training", "commercial": "direct",
               "new_purpose": "different", "amount_used": "entire", "amount_necessary": True,
               "public_exposure": "snippets", "output_substitutes": "none", "licensing_market": "emerging"}
    old = assess(answers, rulebase=base, as_of=D(2020, 1, 1))
    cites = " ".join(_all_cites(old))
    for later in ("Warhol", "Hachette", "Kadrey", "Bartz", "Copyright Office", "GEMA", "LAION"):
        assert later not in cites, later
    assert "Campbell" in cites  # decided in 1994: still cited
    now = assess(answers, rulebase=base, as_of=D(2026, 11, 25))
    assert any("Kadrey" in c for c in _all_cites(now))


def test_as_of_hides_later_precedents(base):
    answers = {"jurisdictions": ["us"], "purpose": "ai_training", "ai_stage": "training", "commercial": "direct"}
    result = assess(answers, rulebase=base, as_of=D(2020, 1, 1))
    decided = [p["decided"] for p in result.precedents]
    assert decided and all(d[:4] <= "2019" for d in decided), decided
    later = assess(answers, rulebase=base, as_of=D(2026, 11, 25))
    assert any(p["id"].startswith("bartz") or p["id"] == "kadrey-v-meta" for p in later.precedents)


def test_statutes_follow_the_conduct_date_decisions_do_not(base):
    answers = {"jurisdictions": ["eu"], "purpose": "ai_training", "ai_stage": "training", "user_kind": "company",
               "memorization_risk": "high"}
    conduct_2024 = assess({**answers, "conduct_date": D(2024, 1, 1)}, rulebase=base, as_of=D(2026, 11, 25))
    fired = {f["rule"] for f in conduct_2024.trace["eu"]}
    assert "eu.dsm.memorised-in-model" in fired            # a 2025 decision applies to 2024 conduct
    assert "eu.ai-act.53-1-c.copyright-policy" not in fired  # a 2025 duty does not
    conduct_now = assess(answers, rulebase=base, as_of=D(2026, 11, 25))
    assert "eu.ai-act.53-1-c.copyright-policy" in {f["rule"] for f in conduct_now.trace["eu"]}
    assert conduct_2024.to_json()["ruleset"]["conduct_date"] == "2024-01-01"
    assert "Conduct on 2024-01-01" in to_text(conduct_2024)


def test_law_not_yet_stated_is_never_applied_to_later_conduct(base):
    # stating the law as of 2020 for conduct in 2026: the 2021 DSM Directive is not yet known
    result = assess({"jurisdictions": ["eu"], "purpose": "ai_training", "conduct_date": D(2026, 1, 1)},
                    rulebase=base, as_of=D(2020, 1, 1))
    assert result.tdm["eu"].provisions == [] and result.tdm["eu"].verdict == "uncertain"


@pytest.mark.parametrize("code", ["cn", "sg", "eu", "uk", "jp"])
def test_before_a_regimes_first_provision_every_output_says_so(base, code):
    result = assess({"jurisdictions": [code], "purpose": "ai_training"}, rulebase=base, as_of=D(2000, 1, 1))
    res = result.tdm[code]
    assert res.verdict == "uncertain" and res.not_encoded
    assert "earlier law is not encoded" in to_text(result)
    assert "earlier law is not encoded" in to_markdown(result)
    assert "earlier law is not encoded" in result.to_json()["tdm"][code]["not_encoded"]


def test_no_not_encoded_message_once_the_law_exists(base):
    result = assess({"jurisdictions": ["cn", "us"], "purpose": "ai_training"}, rulebase=base, as_of=D(2026, 11, 25))
    assert not result.tdm["cn"].not_encoded and "not_encoded" not in result.to_json()["tdm"]["cn"]
    assert "not_encoded" not in result.to_json()["us"]


def test_us_before_1978_says_the_law_is_not_encoded(base):
    result = assess({"jurisdictions": ["us"], "purpose": "parody"}, rulebase=base, as_of=D(1970, 1, 1))
    assert result.us.not_encoded and "not_encoded" in result.to_json()["us"]


def test_an_unverified_point_is_flagged_in_text_json_and_markdown(base):
    result = assess({"jurisdictions": ["us"], "work_published": False, "public_exposure": "substantial"},
                    rulebase=base, as_of=D(2026, 11, 25))
    reasons = [r for r in result.to_json()["us"]["factors"]["nature"]["reasons"] if r["rule"] == "us.107.2.unpublished"]
    assert reasons and reasons[0]["unverified"] and "Not verified against a primary source" in reasons[0]["reason"]
    assert "[unverified]" in to_text(result)
    assert "*(unverified)*" in to_markdown(result)
    trace = [f for f in result.trace["us"] if f["rule"] == "us.107.2.unpublished"]
    assert trace[0]["unverified"]


def test_unverified_notes_are_flagged(base):
    result = assess({"jurisdictions": ["cn"], "purpose": "ai_training", "offered_to_public": False},
                    rulebase=base, as_of=D(2026, 11, 25))
    notes = [n for n in result.tdm["cn"].notes if n["rule"] == "cn.genai.2.not-public"]
    assert notes and notes[0]["unverified"] and "Not verified" in notes[0]["note"]
    assert "[unverified]" in to_text(result)


def test_lint_rejects_a_decision_rule_dated_before_its_decision(rules_copy):
    path = rules_copy / "us" / "ai.yaml"
    text = path.read_text()
    text = text.replace("    authority: [ross]\n    effective_from: 2025-02-11", "    authority: [ross]\n    effective_from: 2024-01-01", 1)
    path.write_text(text)
    errors, _ = lint(rules_copy)
    assert any("us.ai.training.competing-tool" in str(e) and "Thomson Reuters v. Ross" in str(e) and "2025-02-11" in str(e)
               for e in errors), [str(e) for e in errors]


def test_lint_rejects_a_statute_rule_citing_a_later_statute(rules_copy):
    path = rules_copy / "uk" / "threshold.yaml"
    path.write_text(path.read_text().replace("    authority: [cdpa-12, uk-term-regs]\n    effective_from: 1996-01-01",
                                             "    authority: [cdpa-12, uk-term-regs]\n    effective_from: 1990-01-01", 1)
                    .replace("    effective_until: 1995-12-31\n", "    effective_until: 1989-12-31\n", 1))
    errors, _ = lint(rules_copy)
    assert any("uk.cdpa.public-domain" in str(e) and "1996-01-01" in str(e) for e in errors), [str(e) for e in errors]


def test_an_authority_status_needs_a_date_and_a_source(rules_copy, cli):
    path = rules_copy / "authorities.yaml"
    path.write_text(path.read_text().replace("    status_as_of: 2025-12-10\n", "", 1))
    result = cli("rules", "lint", rules_copy)
    assert result.returncode == 2
    assert "authorities.yaml" in result.stderr + result.stdout and "status_as_of" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_rules_citing_pending_matters_carry_their_status(base):
    for key in ("ross", "bartz", "kadrey", "gema", "laion-olg", "getty-appeal", "like-company"):
        auth = base.authorities[key]
        assert auth.status and auth.status_as_of and auth.status_source, key


def test_a_pending_matter_says_so_in_its_citation_once_its_status_is_known(base):
    answers = {"jurisdictions": ["us"], "purpose": "ai_training", "ai_stage": "data_collection",
               "source_access": "unauthorized_copy"}
    now = assess(answers, rulebase=base, as_of=D(2026, 11, 25))
    assert any("status as of 2026-05-15" in c and "Bartz" in c for c in _all_cites(now))
    before = assess(answers, rulebase=base, as_of=D(2025, 7, 1))  # Bartz decided, the settlement not yet
    assert not any("status as of" in c for c in _all_cites(before))
