"""Every signal kind, read from the file formats sites publish, decides as signals.yaml says."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import fairuse
from triage_fixtures import answers, answers_file, crawl_warc, robots_dir  # noqa: F401  (pytest fixtures)
from fairuse.triage.run import triage_files
from fairuse.triage.robots import parse_tdmrep, tdmrep_reservation
from fairuse.triage.signals import content_usage, licence_elements


def by_url(df):
    return {u: r for u, r in zip(df["url"], df.to_dict("records"))}


def test_warc_signals(crawl_warc, answers_file, tmp_path):
    out = tmp_path / "v.parquet"
    res = triage_files([crawl_warc], answers_path=answers_file, out=out)
    assert res.balanced and res.errors == 0
    rows = by_url(pd.read_parquet(out))
    # robots.txt, TDMRep file, 503 robots: captured in the same WARC, not rows themselves
    assert not any(u.endswith("robots.txt") or "tdmrep.json" in u for u in rows)
    assert rows["https://news.example/2025/story.html"]["reservation_signal"] == "robots_disallow_ai_agent"
    assert rows["https://down.example/page.html"]["reservation_signal"] == "robots_unreachable"
    assert rows["https://pub.example/reserved/paper.html"]["reservation_signal"] == "tdmrep_file"
    # no robots.txt capture for pub.example: its tdmrep.json reserves nothing here, but robots.txt was not checked
    pub = rows["https://pub.example/open/paper.html"]
    assert pd.isna(pub["reservation_signal"]) and pub["evidence_robots_txt"] == "not checked"
    assert pub["evidence_tdmrep_json"] == "not reserving" and pub["verdict_eu"] == "uncertain"
    assert "robots.txt" in pub["not_checked"]
    assert rows["https://art.example/a.html"]["reservation_signal"] == "noai"
    assert rows["https://art.example/b.jpg"]["reservation_signal"] == "noimageai"
    assert rows["https://tdm.example/h.html"]["reservation_signal"] == "tdmrep_header"
    assert rows["https://tdm.example/m.html"]["reservation_signal"] == "tdmrep_meta"
    assert rows["https://pref.example/p.html"]["reservation_signal"] == "header_content_usage"
    for url in ("https://news.example/2025/story.html", "https://tdm.example/h.html"):
        assert rows[url]["rights_reserved"] == "machine_readable"
        assert rows[url]["verdict_eu"] == "does_not_apply"
        assert rows[url]["rule_eu"] == "eu.dsm.art4.reserved-machine-readable"
    by = rows["https://cc.example/by.html"]
    assert by["licence_rule"] == "licence_cc_by" and by["license_covers_use"] is True
    assert by["verdict_eu"] == "not_needed" and by["verdict_us"] == "not_needed"
    nc = rows["https://cc.example/nc.html"]
    assert nc["licence_rule"] == "licence_nc_commercial" and nc["license_covers_use"] is False
    assert pd.isna(nc["rights_reserved"])  # no robots.txt was read for cc.example: unknown, not "none"


def test_manifest_signals(robots_dir, answers):
    df = pd.DataFrame({
        "url": ["https://shop.example/cart/1", "https://shop.example/p/1", "https://blog.example/articles/x",
                "https://blog.example/about", "https://closed.example/x", "https://broken.example/x",
                "https://gone.example/x", "https://pref.example/x", "https://terms.example/x", "https://plain.example/x"],
        "terms_text": [None] * 8 + ["Text and data mining of this site's content is prohibited.", "Be nice."],
    })
    out = fairuse.triage(df, answers, robots=[robots_dir])
    got = dict(zip(out["url"], out["reservation_signal"]))
    assert got["https://shop.example/cart/1"] == "robots_disallow_all_agents"
    assert got["https://shop.example/p/1"] == "no_reservation_found"
    assert got["https://blog.example/articles/x"] == "robots_disallow_ai_agent"  # ClaudeBot's group
    assert got["https://blog.example/about"] == "no_reservation_found"
    assert got["https://closed.example/x"] == "robots_disallow_all_agents"
    assert got["https://broken.example/x"] == "no_reservation_found"  # RFC 9309: no parseable rule, nothing disallowed
    assert got["https://gone.example/x"] == "no_reservation_found"  # 4xx: allow all
    assert got["https://pref.example/x"] == "robots_content_usage"
    assert got["https://terms.example/x"] == "terms_reservation"
    assert pd.isna(got["https://plain.example/x"])
    rr = dict(zip(out["url"], out["rights_reserved"]))
    assert rr["https://terms.example/x"] == "website_terms"
    sigs = dict(zip(out["url"], out["signals"]))
    assert "robots_unparseable" in sigs["https://broken.example/x"]
    assert "robots_unavailable" in sigs["https://gone.example/x"]
    assert any("broken.example" in msg and "no parseable rule" in msg for _src, msg in out.attrs["problems"])


def test_engine_runs_once_per_combination(robots_dir, answers, monkeypatch):
    import fairuse.triage.decide as decide

    calls = []
    real = decide.assess
    monkeypatch.setattr(decide, "assess", lambda facts, **kw: calls.append(facts) or real(facts, **kw))
    urls = [f"https://shop.example/cart/{i}" for i in range(300)] + [f"https://shop.example/p/{i}" for i in range(300)]
    out = fairuse.triage(pd.DataFrame({"url": urls, "license": ["CC-BY-4.0", None] * 300}), answers, robots=[robots_dir])
    combos = out[["rights_reserved", "license_covers_use"]].astype(str).drop_duplicates()
    assert len(calls) == len(combos) == out.attrs["engine_runs"] == 4
    assert len(out) == 600


def test_licences_and_parsers():
    perm = frozenset({"mit"})
    assert licence_elements("https://creativecommons.org/licenses/by-nc-nd/4.0/deed.en", perm) == {"BY", "NC", "ND"}
    assert licence_elements("CC-BY-SA-4.0", perm) == {"BY", "SA"}
    assert licence_elements("https://creativecommons.org/publicdomain/zero/1.0/", perm) == {"CC0"}
    assert licence_elements("MIT", perm) == {"PERMISSIVE"}
    assert licence_elements("All rights reserved", perm) == {"ARR"}
    assert licence_elements("© 2024 Example Ltd. All rights reserved.", perm) == {"ARR"}
    assert licence_elements("GPL-3.0-only", perm, frozenset({"gpl-3.0-only"})) == {"COPYLEFT"}
    assert licence_elements("Some licence", perm) is None
    assert content_usage("train-ai=n, search=y, Train-AI=y, ai-use=maybe") == {"train-ai": "n", "search": "y"}
    rules = parse_tdmrep('[{"location": "/a/*.pdf$", "tdm-reservation": 1}, {"location": "/", "tdm-reservation": 0}]')
    assert tdmrep_reservation(rules, "/a/x/y.pdf") == 1
    assert tdmrep_reservation(rules, "/a/x/y.pdf?q") == 0
    with pytest.raises(ValueError):
        parse_tdmrep('{"location": "/"}')


def test_nc_licence_depends_on_the_corpus_use(answers):
    df = pd.DataFrame({"url": ["https://x.example/a"], "license": ["CC-BY-NC-4.0"]})
    commercial = fairuse.triage(df, answers)
    research = fairuse.triage(df, {**answers, "commercial": "non_commercial"})
    assert commercial["license_covers_use"].iloc[0] is False or commercial["license_covers_use"].iloc[0] == False  # noqa: E712
    assert research["licence_rule"].iloc[0] == "licence_nc_noncommercial"
    assert research["license_covers_use"].iloc[0] == True  # noqa: E712
