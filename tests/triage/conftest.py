"""Fixtures for the corpus triage tests (helpers in triage_fixtures.py)."""

from __future__ import annotations

import pytest

from triage_fixtures import (ANSWERS, ROBOTS_AIPREF, ROBOTS_ALL, ROBOTS_HTML, ROBOTS_NEWS, ROBOTS_PARTIAL,  # noqa: F401
                             ROBOTS_SHOP, TDMREP, WARC_RECORDS, write_warc)


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
