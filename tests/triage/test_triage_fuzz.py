"""Fuzzing corpus triage (issue 22), in the style of tests/test_fuzz.py: random and mutated
CSV, JSONL, Parquet and WARC inputs, robots.txt and tdmrep.json files, run through the
CLI's entry point in process. Each run must end with status 0 or 2, never a traceback,
with rows in = rows out + rows in errors when it ran, within a time and a memory bound.
Raise FUZZ_EXAMPLES to fuzz longer (e.g. FUZZ_EXAMPLES=300).
"""

from __future__ import annotations

import io
import json
import os
import re
import resource
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inprocess import run_main
from triage_fixtures import ANSWERS, WARC_RECORDS, write_warc

SCALE = int(os.environ.get("FUZZ_EXAMPLES", "0")) or None
SECONDS = 60
MEGABYTES = 400


def fuzz_settings(n: int):
    return settings(max_examples=SCALE or n, deadline=None, derandomize=SCALE is None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                           HealthCheck.data_too_large])


@pytest.fixture(scope="module", autouse=True)
def memory_ceiling():
    """A ceiling on the address space while fuzzing: a blow-up fails one test, not the machine."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    try:
        size = int(Path("/proc/self/statm").read_text().split()[0]) * resource.getpagesize()
    except OSError:
        yield
        return
    ceiling = size + 3 * 1024 ** 3
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@pytest.fixture(scope="module")
def answers_path(tmp_path_factory):
    p = tmp_path_factory.mktemp("fuzzanswers") / "corpus.yaml"
    p.write_text(yaml.safe_dump(ANSWERS))
    return p


SUMMARY = re.compile(r"([\d,]+) rows in = ([\d,]+) out \+ ([\d,]+) in errors")


def check(*args):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    got = run_main("triage", *args)
    elapsed = time.monotonic() - started
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak) / 1024
    assert got.code in (0, 2), (args, got.code, got.stderr[-1500:])
    assert "Traceback" not in got.stderr, got.stderr[-1500:]
    if got.code == 2:
        assert len(got.stderr.strip().splitlines()) == 1, got.stderr[-1500:]
    else:
        m = SUMMARY.search(got.stdout)
        assert m and "MISMATCH" not in got.stdout, got.stdout[-1500:]
        rows_in, out, errors = (int(x.replace(",", "")) for x in m.groups())
        assert rows_in == out + errors
    assert elapsed < SECONDS, (args, elapsed)
    assert grown < MEGABYTES, (args, grown)
    return got


def _splice(data: bytes, noise: bytes, at: int) -> bytes:
    cut = at % (len(data) + 1)
    return data[:cut] + noise + data[cut:]


URLS = st.one_of(st.sampled_from(["https://a.example/x", "http://b.example/y?q=1#f", "http://[::1/x", "https://c.example",
                                  "ftp//broken", "", "https://user:pw@d.example:8080/p", "https://é.example/ü"]),
                 st.text(max_size=30))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=True),
                    st.text(max_size=20), st.sampled_from(["\ud800", "1e400", "-1", "MIT", "CC-BY-NC-4.0", "noai"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=6), inner, max_size=3)),
                      max_leaves=8)
COLUMNS = ["url", "license", "bytes", "x_robots_tag", "tdm_reservation", "work_kind", "fetched_at", "robots_txt",
           "robots_status", "content_usage"]


@fuzz_settings(20)
@given(rows=st.lists(st.dictionaries(st.sampled_from(COLUMNS), st.one_of(URLS, VALUES), max_size=5), max_size=8),
       noise=st.binary(max_size=10), at=st.integers(0, 10**6), nested=st.booleans())
def test_random_jsonl(tmp_path, answers_path, rows, noise, at, nested):
    lines = []
    for r in rows:
        r = {**r, "url": r.get("url", "https://a.example/")}
        obj = {"metadata": {"url": r.pop("url")}, **r} if nested else r
        lines.append(json.dumps(obj, default=str))
    data = _splice(("\n".join(lines) + "\n").encode("utf-8", "surrogatepass"), noise, at)
    m = tmp_path / "m.jsonl"
    m.write_bytes(data)
    check(m, "--answers", answers_path, "--out", tmp_path / "v.parquet", "--force")


@fuzz_settings(20)
@given(rows=st.lists(st.lists(st.one_of(URLS, st.text(max_size=10)), min_size=1, max_size=4), max_size=8),
       noise=st.binary(max_size=10), at=st.integers(0, 10**6))
def test_random_csv(tmp_path, answers_path, rows, noise, at):
    import csv

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["url", "license", "bytes", "work_kind"])
    for r in rows:
        w.writerow(r)
    m = tmp_path / "m.csv"
    m.write_bytes(_splice(buf.getvalue().encode("utf-8", "surrogatepass"), noise, at))
    check(m, "--answers", answers_path, "--out", tmp_path / "v.csv", "--force")


def _arrow_column(kind: str, values: list):
    import pyarrow as pa

    n = len(values)
    if kind == "string":
        return pa.array([None if v is None else str(v).encode("utf-8", "replace").decode() for v in values], pa.string())
    if kind == "int":
        return pa.array([i - 3 for i in range(n)], pa.int64())
    if kind == "float":
        return pa.array([float("inf"), float("nan"), -1.0, 2.5, 1e30, 7.0][:n] + [0.0] * max(0, n - 6), pa.float64())
    if kind == "list":
        return pa.array([[str(v)] for v in values], pa.list_(pa.string()))
    if kind == "struct":
        return pa.array([{"x": str(v)} for v in values])
    if kind == "binary":
        return pa.array([b"\xff\xfe" if i % 2 else b"https://a.example/" for i in range(n)], pa.binary())
    return pa.nulls(n)


@fuzz_settings(20)
@given(values=st.lists(URLS, min_size=1, max_size=6),
       kinds=st.fixed_dictionaries({c: st.sampled_from(["string", "int", "float", "list", "struct", "binary", "null"])
                                    for c in ("url", "license", "bytes", "robots_status")}),
       present=st.sets(st.sampled_from(["license", "bytes", "robots_status"])))
def test_random_parquet(tmp_path, answers_path, values, kinds, present):
    import pyarrow as pa
    import pyarrow.parquet as pq

    cols = {"url": _arrow_column(kinds["url"], values)}
    for c in sorted(present):
        cols[c] = _arrow_column(kinds[c], values)
    m = tmp_path / "m.parquet"
    pq.write_table(pa.table(cols), m)
    check(m, "--answers", answers_path, "--out", tmp_path / "v.parquet", "--force")


@fuzz_settings(15)
@given(cut=st.floats(0.0, 1.0), flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=6))
def test_mutated_warc(tmp_path, answers_path, cut, flips):
    warc = write_warc(tmp_path / "w.warc", WARC_RECORDS)
    data = bytearray(warc.read_bytes())
    for at, byte in flips:
        data[at % len(data)] = byte
    warc.write_bytes(bytes(data[: max(1, int(len(data) * cut))]))
    check(warc, "--answers", answers_path, "--out", tmp_path / "v.parquet", "--force")


ROBOTS_LINES = st.sampled_from(["User-agent: *", "User-agent: GPTBot", "User-agent: CCBot", "Disallow: /", "Disallow:",
                                "Allow: /a", "Disallow: /*x*y$", "Disallow: " + "*a" * 50, "Content-Usage: train-ai=n",
                                "Content-Usage: /p train-ai=n", "Sitemap: x", "# comment", "garbage", "User-agent:",
                                " " * 5000, "Disallow: /" + "x" * 3000, "\x00\xff"])


@fuzz_settings(20)
@given(robots=st.lists(st.one_of(ROBOTS_LINES, st.text(max_size=30)), max_size=30),
       tdmrep=st.one_of(VALUES, st.lists(st.fixed_dictionaries({"location": st.one_of(st.text(max_size=20),
                                                                                    st.just("/" + "*a" * 30 + "*X"),
                                                                                    st.integers()),
                                                             "tdm-reservation": st.one_of(SCALARS, st.just(1))}),
                                         max_size=5)),
       raw=st.booleans(), status=st.sampled_from(["", "a.example,503\n", "a.example,abc\n", "a.example,301,2026-01-01\n"]))
def test_random_site_files(tmp_path, answers_path, robots, tdmrep, raw, status):
    d = tmp_path / "robots"
    d.mkdir(exist_ok=True)
    (d / "a.example.txt").write_bytes("\n".join(robots).encode("utf-8", "surrogatepass"))
    (d / "a.example.tdmrep.json").write_text(json.dumps(tdmrep, default=str) if not raw else str(tdmrep)[:5000])
    (d / "status.csv").write_text("host,status,fetched_at\n" + status)
    m = tmp_path / "m.csv"
    m.write_text("url\nhttps://a.example/a\nhttps://a.example/" + "a" * 300 + "X\nhttps://a.example/p/q\n")
    check(m, "--answers", answers_path, "--robots", d, "--out", tmp_path / "v.parquet", "--force")
