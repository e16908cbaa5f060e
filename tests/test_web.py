"""The web interview and the /v1 API (``fairuse serve``), through Starlette's TestClient.

The browser tests (tests/test_web_browser.py) drive the same pages in Chromium.
"""

from __future__ import annotations

import json
import re
import sys
import threading
from pathlib import Path

import pytest
import yaml

pytest.importorskip("fastapi", reason="the web tests need the web extra: pip install '.[web]'")

from fastapi.testclient import TestClient  # noqa: E402

from inprocess import run_main  # noqa: E402

LAB = Path(__file__).resolve().parent / "fixtures" / "web" / "lab-finetune.yaml"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from fairuse.web import create_app

    return create_app(data_dir=tmp_path_factory.mktemp("web-data"))


@pytest.fixture
def client(app):
    return TestClient(app)


def lab() -> dict:
    return yaml.safe_load(LAB.read_text(encoding="utf-8"))


def start(client) -> str:
    page = client.get("/")
    token = re.search(r'name="start" value="([^"]+)"', page.text).group(1)
    r = client.post("/interview", data={"start": token}, follow_redirects=False)
    assert r.status_code == 303
    return r.headers["location"].rsplit("/", 1)[-1]


def form_of(html: str) -> tuple[str, str]:
    """(the fact the page asks, the form's token)."""
    fact = re.search(r'<form method="post" action="/interview/[^/]+/q/([a-z_]+)"', html).group(1)
    return fact, re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)


def _inputs(html: str) -> list[dict]:
    """The choices' <input> elements of a page, each as its attributes (a name run into another shows)."""
    from html.parser import HTMLParser

    found = []

    class Inputs(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "input" and dict(attrs).get("name") == "value":
                found.append(dict(attrs))

    Inputs().feed(html)
    return found


def value_fields(value) -> list:
    if isinstance(value, bool):
        return [("value", "true" if value else "false")]
    if isinstance(value, list):
        return [("value", v) for v in value]
    return [("value", str(value))]


def post(client, url: str, pairs, **kwargs):
    """POST a form (pairs: a field may repeat, as checkboxes send it)."""
    from urllib.parse import urlencode

    pairs = list(pairs.items()) if isinstance(pairs, dict) else pairs
    return client.post(url, content=urlencode(pairs), headers={"content-type": "application/x-www-form-urlencoded"},
                       **kwargs)


def walk(client, sid: str, answers: dict, limit: int = 60) -> list[str]:
    """Answer every question the interview asks from ``answers`` (skip what they leave out); the facts asked."""
    asked = []
    for _ in range(limit):
        page = client.get(f"/interview/{sid}")
        assert page.status_code == 200, page.text
        if 'action="/interview/' not in page.text or "<h1>The answer</h1>" in page.text:
            return asked
        fact, csrf = form_of(page.text)
        asked.append(fact)
        data = [("csrf", csrf)]
        data += value_fields(answers[fact]) + [("action", "answer")] if fact in answers else [("action", "skip")]
        r = post(client, f"/interview/{sid}/q/{fact}", data, follow_redirects=False)
        assert r.status_code == 303, r.text
    raise AssertionError("the interview did not end")


# ------------------------------------------------------------------ the API


def test_assess_is_the_cli_json(client, tmp_path):
    """POST /v1/assess gives, byte for byte, what `fairuse assess --format json` prints for the same answers."""
    r = client.post("/v1/assess", json=lab())
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    cli = run_main("assess", "--answers", LAB, "--format", "json")
    assert cli.code == 0
    assert r.text == cli.stdout
    again = client.post("/v1/assess", json={"answers": lab()})  # the answers wrapped in an object, too
    assert again.text == cli.stdout


def test_assess_validates_like_an_answers_file(client):
    r = client.post("/v1/assess", json={"purpose": "ai_trainin"})
    assert r.status_code == 422
    message = r.json()["error"]
    assert message.startswith("request body: 'purpose': expected one of ai_training,") and "did you mean 'ai_training'" in message
    assert "\n" not in message
    r = client.post("/v1/assess", json={"purpos": "ai_training"})
    assert r.status_code == 422 and "'purpos'" in r.json()["error"]
    r = client.post("/v1/assess", json=["purpose"])
    assert r.status_code == 422 and "expected a mapping of fact id to value" in r.json()["error"]
    r = client.post("/v1/assess", content=b"{", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"].startswith("request body: not JSON")
    r = client.post("/v1/assess?as_of=yesterday", json={})
    assert r.status_code == 422 and r.json() == {"error": "as_of: expected a date YYYY-MM-DD, got 'yesterday'"}


def test_bodies_over_one_megabyte_are_refused(client):
    big = b'{"use_summary": "' + b"x" * 1_000_001 + b'"}'
    r = client.post("/v1/assess", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and "over 1,000,000 bytes" in r.json()["error"]

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(11):
            yield b"x" * 100_000

    r = client.post("/v1/memo?format=md", content=chunks())
    assert r.status_code == 413


def test_memo_formats(client):
    md = client.post("/v1/memo?format=md", json=lab())
    cli = run_main("memo", "--answers", LAB, "--format", "md")
    assert md.status_code == 200 and md.text == cli.stdout
    html = client.post("/v1/memo?format=html", json=lab())
    assert html.status_code == 200 and html.text.startswith("<!DOCTYPE html>")
    pdf = client.post("/v1/memo?format=pdf", json=lab())
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf.headers["content-type"] == "application/pdf"
    bad = client.post("/v1/memo?format=docx", json=lab())
    assert bad.status_code == 422 and bad.json() == {"error": "format: expected html, pdf or md, got 'docx'"}


def test_schema_facts_similar_and_openapi(client):
    from fairuse.schemas import assessment_schema_text

    assert client.get("/v1/schema").text == assessment_schema_text()
    facts = client.get("/v1/facts").json()
    cli = run_main("facts", "--format", "json")
    assert facts == json.loads(cli.stdout)
    uk = client.get("/v1/facts?jurisdiction=uk").json()
    assert 0 < len(uk) < len(facts)
    bad = client.get("/v1/facts?jurisdiction=xx")
    assert bad.status_code == 422 and bad.json()["error"].startswith("jurisdiction: no ruleset for 'xx'")
    similar = client.post("/v1/casebook/similar?top=3", json=lab())
    cli = run_main("casebook", "similar", "--answers", LAB, "--top", "3", "--format", "json")
    expected = json.loads(cli.stdout)
    assert [(r["id"], r["similarity"]) for r in similar.json()] == [(r["id"], r["similarity"]) for r in expected]
    assert client.post("/v1/casebook/similar?top=abc", json=lab()).status_code == 422
    assert client.post("/v1/casebook/similar?top=0", json=lab()).json()["error"].startswith("top: expected")
    spec = client.get("/openapi.json").json()
    assert {"/v1/assess", "/v1/memo", "/v1/schema", "/v1/facts", "/v1/casebook/similar"} <= set(spec["paths"])
    assert "purpose" in spec["components"]["schemas"]["Answers"]["properties"]
    assert not any(p.startswith("/interview") for p in spec["paths"])


def test_token(tmp_path):
    from fairuse.web import create_app

    secured = TestClient(create_app(data_dir=tmp_path, token="s3cret-token-0123456789"))
    r = secured.post("/v1/assess", json={})
    assert r.status_code == 401 and "Authorization: Bearer" in r.json()["error"]
    assert secured.get("/").status_code == 401
    ok = secured.post("/v1/assess", json={}, headers={"Authorization": "Bearer s3cret-token-0123456789"})
    assert ok.status_code == 200
    r = secured.get("/?token=s3cret-token-0123456789", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert secured.get("/").status_code == 200  # the cookie the link set


# ------------------------------------------------------------------ the interview


def test_lab_interview_gives_the_cli_memo(client, tmp_path):
    """The issue's scenario: answered question by question, the answers file and the memo are the CLI's."""
    sid = start(client)
    asked = walk(client, sid, lab())
    assert asked[:2] == ["use_summary", "jurisdictions"] and len(asked) == len(set(asked))
    result = client.get(f"/interview/{sid}").text
    assert "<h1>The answer</h1>" in result and "United States" in result
    saved = client.get(f"/interview/{sid}/answers.yaml")
    answers = yaml.safe_load(saved.text)
    assert answers == {k: v for k, v in lab().items() if k in asked}
    path = tmp_path / "saved.yaml"
    path.write_text(saved.text, encoding="utf-8")
    cli = run_main("memo", "--answers", path, "--format", "md")
    assert client.get(f"/interview/{sid}/memo.md").text == cli.stdout
    assert client.get(f"/interview/{sid}/memo.pdf").content.startswith(b"%PDF")


def test_progress_back_and_edit(client, app):
    sid = start(client)
    page = client.get(f"/interview/{sid}").text
    assert "question 1 of about" in page
    fact, csrf = form_of(page)
    assert fact == "use_summary"
    client.post(f"/interview/{sid}/q/use_summary", data={"csrf": csrf, "value": "Quoting a poem", "action": "answer"})
    page = client.get(f"/interview/{sid}").text
    assert "question 2 of about" in page and form_of(page)[0] == "jurisdictions"
    post(client, f"/interview/{sid}/q/jurisdictions", [("csrf", csrf), ("value", "uk"), ("action", "answer")])
    third, _ = form_of(client.get(f"/interview/{sid}").text)
    r = client.post(f"/interview/{sid}/q/{third}", data={"csrf": csrf, "action": "back"}, follow_redirects=False)
    assert r.headers["location"].startswith(f"/interview/{sid}/q/jurisdictions?again=")
    back_page = client.get(r.headers["location"]).text
    inputs = _inputs(back_page)
    assert [i["value"] for i in inputs if "checked" in i] == ["uk"]  # the earlier answer is selected again
    assert all(set(i) <= {"type", "name", "id", "value", "checked", "autofocus", "aria-describedby"} for i in inputs)
    assert "question 2 of about" in back_page
    state = json.loads((app.state.store.dir / f"{sid}.json").read_text())
    assert state["history"] == ["use_summary"] and "jurisdictions" not in state["answers"]
    # a wrong answer is one line, and nothing is saved
    r = post(client, f"/interview/{sid}/q/jurisdictions", [("csrf", csrf), ("value", "mars"), ("action", "answer")])
    assert r.status_code == 422 and "Expected values from" in r.text
    # change an earlier answer from the list of answers
    edit = client.get(f"/interview/{sid}/q/use_summary").text
    assert "changing an answer" in edit and "Quoting a poem</textarea>" in edit
    client.post(f"/interview/{sid}/q/use_summary", data={"csrf": csrf, "value": "Quoting two poems", "action": "answer"})
    state = json.loads((app.state.store.dir / f"{sid}.json").read_text())
    assert state["answers"]["use_summary"] == "Quoting two poems" and state["history"] == ["use_summary"]
    # Back at the first question stays there
    r = client.post(f"/interview/{sid}/q/jurisdictions", data={"csrf": csrf, "action": "back"})
    r = client.post(f"/interview/{sid}/q/use_summary", data={"csrf": csrf, "action": "back"}, follow_redirects=True)
    assert "This is the first question." in r.text


def test_forms_need_their_token_and_text_is_escaped(client, app):
    sid = start(client)
    page = client.get(f"/interview/{sid}").text
    _, csrf = form_of(page)
    other = start(client)
    r = client.post(f"/interview/{other}/q/use_summary", data={"csrf": csrf, "value": "x", "action": "answer"})
    assert r.status_code == 403  # the token of another interview
    r = client.post("/interview", data={"start": "forged"})
    assert r.status_code == 403
    hostile = '<script>alert(1)</script> & "quotes"'
    client.post(f"/interview/{sid}/q/use_summary", data={"csrf": csrf, "value": hostile, "action": "answer"})
    page = client.get(f"/interview/{sid}").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "script-src 'self'" in client.get(f"/interview/{sid}").headers["content-security-policy"]


def test_session_ids_are_unguessable_and_never_paths(client, app):
    from fairuse.web.store import WEB_ID

    ids = {start(client) for _ in range(3)}
    assert len(ids) == 3 and all(WEB_ID.match(i) and len(i) == 33 for i in ids)
    for bad in ("..%2F..%2Fetc%2Fpasswd", "20261125-233334-26752", "w" + "A" * 31, "w" + "." * 32):
        r = client.get(f"/interview/{bad}")
        assert r.status_code == 404, bad
    assert client.get("/interview/" + "w" + "A" * 32).status_code == 404
    assert client.get("/static/..%2Fmemo.html.j2").status_code == 404
    assert client.get("/static/web.css").status_code == 200


def test_two_tabs_answering_at_once_lose_nothing(client, app):
    sid = start(client)
    csrf = form_of(client.get(f"/interview/{sid}").text)[1]
    facts = ["use_summary", "commercial", "research_purpose", "work_published", "copies_secured", "output_filters"]
    values = {"use_summary": "text", "commercial": "non_commercial"}

    def answer(fact):
        value = values.get(fact, "true")
        TestClient(app).post(f"/interview/{sid}/q/{fact}", data={"csrf": csrf, "value": value, "action": "answer"})

    threads = [threading.Thread(target=answer, args=(f,)) for f in facts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    state = json.loads((app.state.store.dir / f"{sid}.json").read_text())
    assert set(state["answers"]) == set(facts) and sorted(state["history"]) == sorted(facts)


def test_a_web_interview_resumes_on_the_terminal(client, app):
    from fairuse.questionnaire import Sessions
    from fairuse.rules import load_rulebase

    sid = start(client)
    csrf = form_of(client.get(f"/interview/{sid}").text)[1]
    client.post(f"/interview/{sid}/q/use_summary", data={"csrf": csrf, "value": "A parody", "action": "answer"})
    session, _ = Sessions(app.state.store.dir.parent).resume(sid)
    app.state.store.wait = 0.3
    try:
        session.check(load_rulebase().vocabulary)
        assert session.answers == {"use_summary": "A parody"}
        r = client.get(f"/interview/{sid}")  # held by the terminal: refused in one line, after a wait
    finally:
        session.unlock()
        app.state.store.wait = 5.0
    assert r.status_code == 409 and "in use by process" in r.text


# ------------------------------------------------------------------ the command


def test_serve_refuses_other_addresses_without_a_token():
    out = run_main("serve", "--host", "0.0.0.0")
    assert out.code == 2 and out.stderr.count("\n") == 1 and "needs --token" in out.stderr
    out = run_main("serve", "--token", "short")
    assert out.code == 2 and "--token: expected at least 16" in out.stderr


def test_serve_without_the_extra_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "fastapi", None)
    out = run_main("serve")
    assert out.code == 2 and out.stderr.count("\n") == 1 and "pip install 'fairuse[web]'" in out.stderr


def test_the_cli_does_not_load_the_web():
    import subprocess

    code = "import sys, fairuse.cli; print(sorted(m for m in ('fastapi', 'starlette', 'uvicorn') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
