"""Issue 26: evidence states instead of defaults, the facts that settle uncertain rows,
what a team does next (exclusion lists, the opt-out log, the AI Act summary draft),
inputs as they come, and the small defects."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

import fairuse
from fairuse.errors import FairuseError
from fairuse.triage.run import triage_files
from triage_fixtures import ANSWERS, HTML, answers, answers_file, robots_dir, run_cli, write_warc  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]

# the demo's answers once the suggested questions are answered: a complete corpus description
COMPLETE = {**ANSWERS, "jurisdictions": ["us", "eu", "jp"], "work_kind": "mixed_corpus", "work_character": "mixed",
            "work_published": True, "new_purpose": "different", "enjoyment_purpose": False, "non_expressive": True,
            "audience_gets": "information_or_tool", "work_role": "data", "amount_necessary": True,
            "public_exposure": "none", "output_substitutes": "none", "same_audience_and_format": False,
            "licensing_market": "emerging", "derivative_market_harm": False, "competes_with_owner": False,
            "copying_service": False, "source_is_analysis_product": False, "tpm_circumvented": False}


def write_answers(tmp_path, data, name="corpus.yaml") -> Path:
    p = tmp_path / name
    p.write_text(yaml.safe_dump(data))
    return p


# ------------------------------------------------------------------ evidence states

def test_a_row_whose_robots_txt_was_not_checked_is_never_applies(tmp_path, robots_dir):
    df = pd.DataFrame({"url": ["https://shop.example/p/1", "https://unknown.example/a", "https://shop.example/cart/1"]})
    out = fairuse.triage(df, COMPLETE, robots=[robots_dir])
    rows = {u: r for u, r in zip(out["url"], out.to_dict("records"))}
    checked, unchecked = rows["https://shop.example/p/1"], rows["https://unknown.example/a"]
    assert checked["verdict_eu"] == "applies" and checked["evidence_robots_txt"] == "not reserving"
    assert unchecked["verdict_eu"] == "uncertain" and unchecked["rule_eu"] == "not checked"
    assert unchecked["evidence_robots_txt"] == "not checked" and "robots.txt" in unchecked["not_checked"]
    assert pd.isna(unchecked["rights_reserved"])
    assert rows["https://shop.example/cart/1"]["evidence_robots_txt"] == "reserving"
    assert checked["robots_txt_source"].startswith(str(robots_dir / "shop.example.txt")) and "sha256 " in checked["robots_txt_source"]
    # the US answer does not rest on a reservation: it stands
    assert unchecked["verdict_us"] == checked["verdict_us"]
    # an answers file saying "no reservation" for the whole corpus does not check robots.txt either
    stated = fairuse.triage(df, {**COMPLETE, "rights_reserved": "none"}, robots=[robots_dir])
    assert dict(zip(stated["url"], stated["verdict_eu"]))["https://unknown.example/a"] == "uncertain"


def test_the_summary_and_report_lead_with_what_was_not_checked(tmp_path, robots_dir):
    m = tmp_path / "m.csv"
    m.write_text("url\nhttps://shop.example/p/1\nhttps://unknown.example/a\nhttps://other.example/b\n")
    answers = write_answers(tmp_path, COMPLETE)
    r = run_cli("triage", m, "--answers", answers, "--robots", robots_dir, "--out", tmp_path / "v.parquet",
                "--report", tmp_path / "r.html")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert lines[0].startswith("3 rows in = 3 out + 0 in errors")
    assert lines[1].startswith("Not checked: robots.txt for 2 rows (2 sites)") and "EU 2" in lines[1]
    html = (tmp_path / "r.html").read_text()
    assert html.index("<h2>Not checked</h2>") < html.index("Verdicts by jurisdiction")
    assert "unknown.example" in html


def test_evidence_states_of_every_source(tmp_path, crawl_warc_with_robots=None):
    warc = write_warc(tmp_path / "c.warc.gz", [
        ("https://a.example/robots.txt", b"User-agent: *\nAllow: /\n", [("Content-Type", "text/plain")]),
        ("https://a.example/.well-known/tdmrep.json", b'[{"location": "/r/*", "tdm-reservation": 1}]', [("Content-Type", "application/json")]),
        ("https://a.example/r/1", HTML % b"", [("Content-Type", "text/html")]),
        ("https://a.example/h", HTML % b"", [("Content-Type", "text/html"), ("X-Robots-Tag", "noai")]),
        ("https://b.example/robots.txt", b"", [], "503 Service Unavailable"),
        ("https://b.example/x", HTML % b"", [("Content-Type", "text/html")]),
    ])
    out = tmp_path / "v.parquet"
    triage_files([warc], answers_path=write_answers(tmp_path, COMPLETE), out=out)
    rows = {u: r for u, r in zip(*[pd.read_parquet(out)[c] for c in ("url",)], pd.read_parquet(out).to_dict("records"))}
    r1, h, b = rows["https://a.example/r/1"], rows["https://a.example/h"], rows["https://b.example/x"]
    assert (r1["evidence_tdmrep_json"], r1["evidence_robots_txt"], r1["evidence_headers"]) == ("reserving", "not reserving", "not reserving")
    assert (h["evidence_headers"], h["evidence_tdmrep_json"]) == ("reserving", "not reserving")
    assert r1["tdmrep_json_source"].startswith("https://a.example/.well-known/tdmrep.json, captured ")
    assert pd.isna(b["tdmrep_json_source"]) and "sha256 " in r1["robots_txt_source"]
    assert (b["evidence_robots_txt"], b["evidence_tdmrep_json"], b["evidence_terms"]) == ("unreachable", "not checked", "not checked")


# ------------------------------------------------------------------ settling the uncertain rows

def _demo(tmp_path, rows=3000, domains=120):
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "triage_manifest.py"), str(tmp_path / "demo"), "--rows",
                    str(rows), "--domains", str(domains)], check=True, capture_output=True)
    return tmp_path / "demo"


def test_the_suggested_answers_settle_the_demo(tmp_path):
    demo = _demo(tmp_path)
    first = triage_files([demo / "sources.parquet"], answers_path=demo / "corpus.yaml", out=None, robots=[demo / "robots"])
    from fairuse.triage.guidance import settle

    suggested = settle(first)
    assert suggested and all(f["rows"] > 0 and f["question"].endswith("?") for f in suggested)
    # among suggestions settling as many rows, the open questions come before the facts the answers assume
    assumed = {a["fact"] for r in first.decider.results.values() for a in r.assumptions}
    ranks = [(f["rows"], f["fact"] in assumed) for f in suggested]
    assert any(is_assumed for _, is_assumed in ranks) and not ranks[0][1]
    assert all(a[0] > b[0] or a[1] <= b[1] for a, b in zip(ranks, ranks[1:]))
    worst = max(first.summary.verdict_rows.get((j, "uncertain"), 0) for j in first.summary.jurisdictions)
    assert worst >= 0.10 * first.rows_out  # before the answers, some place leaves many rows uncertain
    added = set(yaml.safe_load((demo / "corpus-answered.yaml").read_text())) - set(yaml.safe_load((demo / "corpus.yaml").read_text()))
    assert added <= {f["fact"] for f in suggested}, added - {f["fact"] for f in suggested}
    second = triage_files([demo / "sources.parquet"], answers_path=demo / "corpus-answered.yaml", out=None,
                          robots=[demo / "robots"])
    for j in second.summary.jurisdictions:
        assert second.summary.verdict_rows.get((j, "uncertain"), 0) < 0.10 * second.rows_out, j


def test_the_interview_asks_the_corpus_questions_and_saves_them(tmp_path, robots_dir):
    from fairuse.questionnaire import SKIP, Sessions
    from fairuse.triage.interview import corpus_interview, save_corpus_answers

    m = tmp_path / "m.csv"
    m.write_text("url,license\nhttps://shop.example/p/1,\nhttps://news.example/a,CC-BY-4.0\n")
    first = triage_files([m], answers_path=write_answers(tmp_path, ANSWERS), out=None, robots=[robots_dir])
    asked = []

    class Scripted:
        def ask(self, q, fact, current=None, help_text=None):
            asked.append(q.fact)
            return COMPLETE.get(q.fact, SKIP)

        def review(self, rows):
            return "__done__"

    got = corpus_interview(first, session=Sessions(tmp_path / "sessions").new(), prompter=Scripted(), echo=lambda *_: None)
    assert asked and not set(asked) & set(first.decider.row_facts)  # reservations and licences are never asked
    assert not set(asked) & set(ANSWERS)  # nor what the answers file already says
    target = tmp_path / "corpus.yaml"
    with pytest.raises(FairuseError, match="already exists"):
        save_corpus_answers(target, got, force=False)
    save_corpus_answers(tmp_path / "new.yaml", got, force=False)
    again = triage_files([m], answers_path=tmp_path / "new.yaml", out=None, robots=[robots_dir])
    assert again.summary.verdict_rows.get(("us", "uncertain"), 0) == 0


def test_interview_needs_a_terminal_and_never_replaces_answers(tmp_path, answers_file):
    m = tmp_path / "m.csv"
    m.write_text("url\nhttps://a.example/1\n")
    r = run_cli("triage", m, "--answers", answers_file, "--interview")
    assert r.returncode == 2 and "exists; the interview would replace it" in r.stderr
    r = run_cli("triage", m, "--answers", answers_file, "--interview", "--save-answers", tmp_path / "new.yaml")
    assert r.returncode == 2 and "needs a terminal" in r.stderr


# ------------------------------------------------------------------ what a team does next

def test_exclusion_lists_optout_log_and_the_ai_act_draft(tmp_path):
    demo = _demo(tmp_path, rows=2000, domains=100)
    excl = tmp_path / "excl"
    r = run_cli("triage", demo / "sources.parquet", "--answers", demo / "corpus-answered.yaml", "--robots", demo / "robots",
                "--exclusions", excl, "--optout-log", tmp_path / "log.csv", "--ai-act-summary", tmp_path / "ai.md")
    assert r.returncode == 0, r.stderr
    eu = list(csv.DictReader((excl / "exclusions-eu.csv").open()))
    assert eu and {e["scope"] for e in eu} <= {"domain", "url"}
    assert all(e["reason"] and "_" not in e["reason"] for e in eu)
    verdicts = {e["verdict"] for e in eu}
    assert verdicts == {"does_not_apply"}
    assert sorted(p.name for p in excl.iterdir()) == ["exclusions-eu.csv", "exclusions-jp.csv", "exclusions-uk.csv",
                                                      "exclusions-us.csv"]
    log = list(csv.DictReader((tmp_path / "log.csv").open()))
    reserved = [e for e in log if e["finding"] == "reservation"]
    assert reserved and all(len(e["sha256"]) == 64 for e in reserved if e["read_from"].endswith(".txt"))
    assert any(e["read_from"].endswith(".txt") for e in reserved)
    assert all(e["honoured"] in ("yes", "no") for e in reserved)
    ai = (tmp_path / "ai.md").read_text()
    for heading in ("## 1. General information", "### 1.1. Provider identification", "### 1.3. Modalities",
                    "## 2. List of data sources", "### 2.3. Data crawled and scraped from online sources",
                    "### 2.6. Other sources of data", "## 3. Data processing aspects",
                    "### 3.1. Respect of reservation of rights", "### 3.2. Removal of illegal content"):
        assert heading in ai, heading
    assert ai.count("[TO COMPLETE]") >= 10 and "Not legal advice" in ai and "secondary sources" in ai
    annex = ai[ai.index("## Annex"):]
    hosts = len(set(pd.read_parquet(demo / "sources.parquet", columns=["url"])["url"].str.split("/").str[2]))
    assert annex.count("\n| site") == math.ceil(hosts * 0.10)


# ------------------------------------------------------------------ inputs as they come

def test_url_column_and_nested_urls(tmp_path, answers_file):
    m = tmp_path / "m.csv"
    m.write_text("link,license\nhttps://a.example/1,MIT\n")
    r = run_cli("triage", m, "--answers", answers_file, "--url-column", "link", "--out", tmp_path / "a.parquet")
    assert r.returncode == 0, r.stderr
    assert list(pd.read_parquet(tmp_path / "a.parquet")["url"]) == ["https://a.example/1"]
    # datatrove / Dolma JSONL: the URL under metadata, found by itself
    j = tmp_path / "d.jsonl"
    j.write_text(json.dumps({"text": "x" * 1000, "id": "d1", "metadata": {"url": "https://b.example/2", "dump": "CC"}})
                 + "\n" + json.dumps({"text": "y", "id": "d2", "metadata": {"url": 7}}) + "\n")
    r = run_cli("triage", j, "--answers", answers_file, "--out", tmp_path / "b.parquet")
    assert r.returncode == 0, r.stderr
    b = pd.read_parquet(tmp_path / "b.parquet")
    assert list(b["url"]) == ["https://b.example/2"] and list(b["id"]) == ["d1"] and "text" not in b.columns
    assert "1 in errors" in r.stdout
    # a Parquet struct column
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"metadata": pa.array([{"url": "https://c.example/3"}]), "text": ["t"]}), tmp_path / "n.parquet")
    r = run_cli("triage", tmp_path / "n.parquet", "--answers", answers_file, "--out", tmp_path / "c.parquet")
    assert r.returncode == 0, r.stderr
    assert list(pd.read_parquet(tmp_path / "c.parquet")["url"]) == ["https://c.example/3"]
    r = run_cli("triage", m, "--answers", answers_file, "--url-column", "lnk", "--out", tmp_path / "x.parquet")
    assert r.returncode == 2 and "no column 'lnk' for --url-column (did you mean 'link'?)" in r.stderr


def test_hugging_face_datasets(answers, robots_dir):
    datasets = pytest.importorskip("datasets")  # in the test extra; skipped only without it
    rows = {"text": ["a", "b", "c"], "metadata": [{"url": "https://shop.example/p/1"}, {"url": "https://closed.example/x"},
                                                   {"url": "not a url"}]}
    ds = datasets.Dataset.from_dict(rows)
    frame = pd.DataFrame({"url": [m["url"] for m in rows["metadata"]]})
    expected = fairuse.triage(frame, answers, robots=[robots_dir])
    for data in (ds, ds.to_iterable_dataset()):
        got = fairuse.triage(data, answers, robots=[robots_dir])
        assert list(got["url"]) == list(expected["url"])
        assert list(got["reservation_signal"].astype(str)) == list(expected["reservation_signal"].astype(str))
        assert [e["row"] for e in got.attrs["errors"]] == [2]


def test_common_crawl_robots_warcs(tmp_path, answers_file):
    """Common Crawl's robotstxt WARCs: request, response and metadata records; a redirect and its target."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path = tmp_path / "CC-MAIN-robotstxt.warc.gz"
    with open(path, "wb") as fh:
        w = WARCWriter(fh, gzip=True)
        for url, status, headers, body in [
            ("http://a.example/robots.txt", "301 Moved Permanently", [("Location", "https://a.example/robots.txt")], b""),
            ("https://a.example/robots.txt", "200 OK", [("Content-Type", "text/plain")], b"User-agent: CCBot\nDisallow: /\n"),
            ("http://r.example/robots.txt", "302 Found", [("Location", "https://elsewhere.example/robots.txt")], b""),
            ("https://g.example/robots.txt", "404 Not Found", [("Content-Type", "text/html")], b"<html>no</html>"),
        ]:
            w.write_record(w.create_warc_record(url, "request", payload=io.BytesIO(b"GET /robots.txt HTTP/1.1\r\n\r\n"),
                                                warc_headers_dict={"WARC-IP-Address": "192.0.2.1"}))
            http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http))
            w.write_record(w.create_warc_record(url, "metadata", payload=io.BytesIO(b"fetchTimeMs: 12\n"),
                                                warc_content_type="application/warc-fields"))
    m = tmp_path / "m.csv"
    m.write_text("url\nhttps://a.example/x\nhttps://r.example/y\nhttps://g.example/z\n")
    res = triage_files([m], answers_path=answers_file, out=tmp_path / "v.parquet", robots=[path])
    df = pd.read_parquet(tmp_path / "v.parquet")
    got = dict(zip(df["host"], df["evidence_robots_txt"]))
    assert got == {"a.example": "reserving", "r.example": "not checked", "g.example": "not reserving"}
    assert dict(zip(df["host"], df["reservation_signal"].astype(object)))["a.example"] == "robots_disallow_ai_agent"
    src = dict(zip(df["host"], df["robots_txt_source"]))["a.example"]
    assert src.startswith("https://a.example/robots.txt, captured ") and "sha256 " in src
    assert any("redirects whose target is not captured" in msg for _, msg in res.problems)


def test_dask_without_a_cluster_derives_here(answers, robots_dir):
    dd = pytest.importorskip("dask.dataframe")
    df = pd.DataFrame({"url": ["https://shop.example/p/1", "https://closed.example/x", "bad", "https://news.example/a"]})
    single = fairuse.triage(df, answers, robots=[robots_dir])
    got = fairuse.triage(dd.from_pandas(df, npartitions=2), answers, robots=[robots_dir])
    assert list(got["url"]) == list(single["url"]) and [e["row"] for e in got.attrs["errors"]] == [2]


# ------------------------------------------------------------------ the small defects

def test_x_robots_tag_addressed_to_another_crawler_is_no_reservation(answers):
    df = pd.DataFrame({"url": ["https://a.example/1", "https://a.example/2", "https://a.example/3", "https://a.example/4"],
                       "x_robots_tag": ["otherbot: noai", "GPTBot: noai", "noai", "googlebot: noindex, gptbot: noai"]})
    out = fairuse.triage(df, answers)
    assert list(out["reservation_signal"].astype(object).fillna("-")) == ["-", "noai", "noai", "noai"]


def test_a_robots_txt_that_lets_gptbot_in_and_bars_the_rest(tmp_path, answers):
    d = tmp_path / "robots"
    d.mkdir()
    (d / "a.example.txt").write_text("User-agent: GPTBot\nAllow: /\n\nUser-agent: *\nDisallow: /\n")
    out = fairuse.triage(pd.DataFrame({"url": ["https://a.example/x"]}), answers, robots=[d])
    assert out["reservation_signal"].iloc[0] == "robots_disallow_other_ai_agents"
    from fairuse.triage.run import _rulebase, signal_book

    label = signal_book(_rulebase(None)).signals["robots_disallow_other_ai_agents"].label
    assert "all crawlers" not in label and "does not name" in label


def test_the_report_words_the_answers(tmp_path, robots_dir):
    m = tmp_path / "m.csv"
    m.write_text("url\nhttps://shop.example/p/1\n")
    r = run_cli("triage", m, "--answers", write_answers(tmp_path, COMPLETE), "--robots", robots_dir, "--report",
                tmp_path / "r.html")
    assert r.returncode == 0, r.stderr
    html = (tmp_path / "r.html").read_text()
    assert "tpm circumvented" not in html and "tpm_circumvented" not in html and "False" not in html
    assert "Did you get around any paywall, DRM, login or other access control?</td><td>No</td>" in html


def test_the_missing_extra_names_the_checkout_install(monkeypatch):
    import builtins

    from fairuse.triage import MISSING_EXTRA, require

    real = builtins.__import__
    monkeypatch.setattr(builtins, "__import__", lambda name, *a, **k: (_ for _ in ()).throw(ImportError(name))
                        if name == "warcio" else real(name, *a, **k))
    with pytest.raises(FairuseError) as info:
        require()
    assert str(info.value) == MISSING_EXTRA and "python3 -m pip install '.[triage]'" in MISSING_EXTRA


def test_a_run_needs_answers_and_an_output(tmp_path, answers_file):
    m = tmp_path / "m.csv"
    m.write_text("url\nhttps://a.example/1\n")
    r = run_cli("triage", m, "--answers", answers_file)
    assert r.returncode == 2 and "nothing to write: give --out FILE" in r.stderr and "rows in" not in r.stdout
    r = run_cli("triage", m, "--out", tmp_path / "v.parquet")
    assert r.returncode == 2 and "give --answers FILE" in r.stderr and "--interview" in r.stderr
    nojur = write_answers(tmp_path, {k: v for k, v in ANSWERS.items() if k != "jurisdictions"}, "nojur.yaml")
    r = run_cli("triage", m, "--answers", nojur, "--out", tmp_path / "v.parquet")
    assert r.returncode == 0 and "only the US is assessed" in r.stderr


def test_small_batches_give_the_same_rows_summary_and_log(tmp_path, robots_dir):
    """Streaming: per-host counts and the evidence log are merged every few batches; the result is one run's."""
    hosts = ["news.example", "shop.example", "blog.example", "closed.example", "gone.example", "pref.example", "x.example"]
    m = tmp_path / "m.csv"
    m.write_text("url,bytes\n" + "".join(f"https://{hosts[i % 7]}/{'cart/' if i % 3 else 'articles/'}{i},{i}\n"
                                         for i in range(300)))
    answers = write_answers(tmp_path, COMPLETE)
    one = triage_files([m], answers_path=answers, out=tmp_path / "a.parquet", robots=[robots_dir], batch_rows=1000)
    many = triage_files([m], answers_path=answers, out=tmp_path / "b.parquet", robots=[robots_dir], batch_rows=7)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "a.parquet").astype(str),
                                  pd.read_parquet(tmp_path / "b.parquet").astype(str))
    assert one.summary.evidence == many.summary.evidence and one.summary.host_bytes == many.summary.host_bytes
    assert one.summary.hosts.top("reserving", 3) == many.summary.hosts.top("reserving", 3)
    from fairuse.triage.outputs import optout_log

    assert optout_log(one) == optout_log(many)


def test_interview_on_a_terminal_saves_the_answers_then_triages(tmp_path, robots_dir):
    """The whole command on a real terminal: every question answered with its first choice."""
    pexpect = pytest.importorskip("pexpect")
    import time

    m = tmp_path / "m.csv"
    m.write_text("url\nhttps://shop.example/p/1\nhttps://news.example/a\n")
    start = write_answers(tmp_path, ANSWERS)
    env = {**os.environ, "FAIRUSE_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(ROOT), "TERM": "xterm",
           "PROMPT_TOOLKIT_NO_CPR": "1", "COLUMNS": "160", "LINES": "50"}
    env.pop("FAIRUSE_RULES", None)
    child = pexpect.spawn(sys.executable, ["-m", "fairuse", "triage", str(m), "--answers", str(start), "--robots",
                                           str(robots_dir), "--interview", "--save-answers", str(tmp_path / "new.yaml"),
                                           "--out", str(tmp_path / "v.parquet")],
                          env=env, encoding="utf-8", timeout=90, dimensions=(50, 160), cwd=str(tmp_path))
    asked = 0
    while True:
        i = child.expect([r"question \d+ of about \d+", "Review your answers"])
        if i == 1:
            time.sleep(0.2)
            child.send("\r")
            break
        child.expect([r"\(arrows or number, Enter\)", r"\[type \? for why", r"\(space selects"])
        asked += 1
        time.sleep(0.2)
        child.send("\r")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert asked > 3 and "Corpus answers saved to" in child.before
    saved = yaml.safe_load((tmp_path / "new.yaml").read_text())
    assert set(ANSWERS) <= set(saved) and len(saved) > len(ANSWERS)
    assert "rights_reserved" not in saved and "license_covers_use" not in saved
    assert len(pd.read_parquet(tmp_path / "v.parquet")) == 2


def test_dataframes_with_a_nested_or_renamed_url(answers):
    df = pd.DataFrame({"text": ["a", "b"], "metadata": [{"url": "https://a.example/x"}, {"url": 5}]})
    out = fairuse.triage(df, answers)
    assert list(out["url"]) == ["https://a.example/x"]
    assert [(e["row"], e["reason"]) for e in out.attrs["errors"]] == [(1, "url: expected text, got a number")]
    out = fairuse.triage(pd.DataFrame({"link": ["https://a.example/x"], "license": ["MIT"]}), answers, url_column="link")
    assert list(out["url"]) == ["https://a.example/x"] and list(out["licence_rule"]) == ["licence_permissive"]


def test_worker_processes_give_the_single_process_rows(tmp_path, robots_dir):
    m = tmp_path / "m.csv"
    m.write_text("url,license\n" + "".join(f"https://{h}/{i},{'CC-BY-4.0' if i % 3 else ''}\n" for i in range(60)
                                         for h in ("shop.example", "news.example", "gone.example"))
                 + "not a url,\n")
    answers = write_answers(tmp_path, COMPLETE)
    one = triage_files([m], answers_path=answers, out=tmp_path / "a.parquet", robots=[robots_dir], batch_rows=50)
    two = triage_files([m], answers_path=answers, out=tmp_path / "b.parquet", robots=[robots_dir], batch_rows=50, workers=2)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "a.parquet"), pd.read_parquet(tmp_path / "b.parquet"))
    assert (one.rows_in, one.rows_out, one.errors) == (two.rows_in, two.rows_out, two.errors) == (181, 180, 1)
