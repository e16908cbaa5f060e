"""Real-format fixtures for corpus triage: robots.txt and tdmrep.json as sites
publish them, and WARC files written with warcio."""

from __future__ import annotations

import io
from pathlib import Path

import pytest


ANSWERS = {
    "use_summary": "A company trains a language model on a public web crawl.",
    "jurisdictions": ["us", "eu"],
    "purpose": "ai_training",
    "ai_stage": "training",
    "user_kind": "company",
    "commercial": "direct",
    "source_access": "publicly_available",
    "amount_used": "entire",
    "contract_forbids_tdm": False,
}

# as published (abridged) by news sites that block AI crawlers, with comments and a sitemap
ROBOTS_NEWS = """# robots.txt for news.example
User-agent: GPTBot
Disallow: /

User-agent: CCBot
Disallow: /

User-agent: *
Disallow: /search
Allow: /

Sitemap: https://news.example/sitemap.xml
"""
ROBOTS_SHOP = """User-agent: *
Disallow: /cart/
Disallow: /account/
"""
ROBOTS_PARTIAL = """User-agent: ClaudeBot
Disallow: /articles/

User-agent: *
Allow: /
"""
ROBOTS_ALL = "User-agent: *\nDisallow: /\n"
ROBOTS_HTML = "<!DOCTYPE html>\n<html><head><title>404</title></head><body>Not found</body></html>\n"
ROBOTS_AIPREF = "User-agent: *\nContent-Usage: train-ai=n\nAllow: /\n"
TDMREP = '[{"location": "/reserved/*", "tdm-reservation": 1, "tdm-policy": "https://pub.example/policy.json"}, {"location": "/", "tdm-reservation": 0}]'



def _response(writer, url, body: bytes, headers, status="200 OK", truncated=None):
    from warcio.statusandheaders import StatusAndHeaders

    http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
    warc_headers = {"WARC-Truncated": truncated} if truncated else None
    rec = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http,
                                    warc_headers_dict=warc_headers)
    writer.write_record(rec)


def write_warc(path: Path, records) -> Path:
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=path.name.endswith(".gz"))
        for url, body, headers, *rest in records:
            _response(writer, url, body, headers, *rest)
    return path


HTML = b"""<!DOCTYPE html><html><head><title>t</title>%s</head><body><p>text</p></body></html>"""

WARC_RECORDS = [
    ("https://news.example/robots.txt", ROBOTS_NEWS.encode(), [("Content-Type", "text/plain")]),
    ("https://down.example/robots.txt", b"", [("Content-Type", "text/plain")], "503 Service Unavailable"),
    ("https://pub.example/.well-known/tdmrep.json", TDMREP.encode(), [("Content-Type", "application/json")]),
    ("https://news.example/2025/story.html", HTML % b"", [("Content-Type", "text/html")]),
    ("https://down.example/page.html", HTML % b"", [("Content-Type", "text/html")]),
    ("https://pub.example/reserved/paper.html", HTML % b"", [("Content-Type", "text/html")]),
    ("https://pub.example/open/paper.html", HTML % b"", [("Content-Type", "text/html")]),
    ("https://art.example/a.html", HTML % b'<meta name="robots" content="noai, noimageai">', [("Content-Type", "text/html")]),
    ("https://art.example/b.jpg", b"\xff\xd8\xff", [("Content-Type", "image/jpeg"), ("X-Robots-Tag", "noimageai")]),
    ("https://tdm.example/h.html", HTML % b"", [("Content-Type", "text/html"), ("tdm-reservation", "1")]),
    ("https://tdm.example/m.html", HTML % b'<meta name="tdm-reservation" content="1">', [("Content-Type", "text/html")]),
    ("https://pref.example/p.html", HTML % b"", [("Content-Type", "text/html"), ("Content-Usage", "train-ai=n, search=y")]),
    ("https://cc.example/by.html", HTML % b'<link rel="license" href="https://creativecommons.org/licenses/by/4.0/">',
     [("Content-Type", "text/html")]),
    ("https://cc.example/nc.html", HTML % b'<a rel="license" href="https://creativecommons.org/licenses/by-nc/4.0/">CC</a>',
     [("Content-Type", "text/html")]),
]




def run_cli(*args, cwd=None):
    """``python -m fairuse`` as a user runs it: exit status and output as they see them."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "FAIRUSE_RULES"}
    return subprocess.run([sys.executable, "-m", "fairuse", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=300)


# ---------------------------------------------------------------- fixtures (imported by the test modules)

@pytest.fixture
def answers():
    return dict(ANSWERS)


@pytest.fixture
def answers_file(tmp_path):
    import yaml

    p = tmp_path / "corpus.yaml"
    p.write_text(yaml.safe_dump(ANSWERS))
    return p


@pytest.fixture
def robots_dir(tmp_path):
    d = tmp_path / "robots"
    d.mkdir()
    (d / "news.example.txt").write_text(ROBOTS_NEWS)
    (d / "shop.example.txt").write_text(ROBOTS_SHOP)
    (d / "blog.example.txt").write_text(ROBOTS_PARTIAL)
    (d / "closed.example.txt").write_text(ROBOTS_ALL)
    (d / "broken.example.txt").write_text(ROBOTS_HTML)
    (d / "pref.example.txt").write_text(ROBOTS_AIPREF)
    (d / "pub.example.tdmrep.json").write_text(TDMREP)
    (d / "status.csv").write_text("host,status,fetched_at\ngone.example,404,2026-10-01\ndown.example,503,2026-10-01\n")
    return d


@pytest.fixture
def crawl_warc(tmp_path):
    return write_warc(tmp_path / "crawl.warc.gz", WARC_RECORDS)
