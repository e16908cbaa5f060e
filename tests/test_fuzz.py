"""Fuzzing the CLI with Hypothesis: whatever the input, exit 0 or 2, one line at most, no traceback.

Random valid and invalid answers files, and mutated rule, weighing, casebook and
template folders, run through the CLI's entry point in process. Each run must
end with status 0 or 2, print at most one line on stderr, never a traceback,
within a time and a memory bound. ``max_examples`` keeps the whole file near a
minute; raise FUZZ_EXAMPLES to fuzz longer (e.g. FUZZ_EXAMPLES=500).
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from inprocess import run_main

SCALE = int(os.environ.get("FUZZ_EXAMPLES", "0")) or None
SECONDS = 60  # one run, however bad its input
MEGABYTES = 400  # growth of the process's peak memory over one run


def fuzz_settings(n: int):
    return settings(max_examples=SCALE or n, deadline=None, derandomize=SCALE is None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                           HealthCheck.data_too_large])


@pytest.fixture(scope="module", autouse=True)
def memory_ceiling():
    """A ceiling on the process's address space while fuzzing: a blow-up fails one test, not the machine."""
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


def check(*args):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    got = run_main(*args)
    elapsed = time.monotonic() - started
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak) / 1024
    assert got.code in (0, 2), (args, got.code, got.stderr[-1500:])
    assert "Traceback" not in got.stderr, got.stderr[-1500:]
    assert len(got.stderr.strip().splitlines()) <= 1, got.stderr[-1500:]
    assert elapsed < SECONDS, (args, elapsed)
    assert grown < MEGABYTES, (args, grown)
    return got


# ------------------------------------------------------------------ answers files

from fairuse.rules import load_rulebase  # noqa: E402

VOCAB = load_rulebase(ROOT / "rules").vocabulary
FACT_IDS = [f.id for f in VOCAB]
VALUES = sorted({str(v) for f in VOCAB for v in (f.domain or ())})

scalars = st.one_of(
    st.sampled_from(VALUES), st.booleans(), st.integers(-10**30, 10**30), st.floats(allow_nan=True),
    st.text(max_size=40), st.none(), st.dates().map(str), st.sampled_from(["2024-02-30", "1994-13", "0000-00-00"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=10)
answers = st.dictionaries(st.one_of(st.sampled_from(FACT_IDS), st.text(max_size=12)), values, max_size=12)


def _serialise(data, how: str, noise: bytes) -> bytes:
    if how == "json":
        return json.dumps(data, default=str).encode()
    if how == "yaml":
        return yaml.safe_dump(data, allow_unicode=True).encode()
    text = yaml.safe_dump(data, allow_unicode=True).encode()
    cut = len(noise) % (len(text) + 1)
    return text[:cut] + noise + text[cut:]  # bytes spliced in: invalid UTF-8, NUL, control codes, YAML syntax


@fuzz_settings(40)
@given(data=answers, how=st.sampled_from(["json", "yaml", "spliced"]),
       noise=st.binary(max_size=12), fmt=st.sampled_from(["json", "text", "md"]))
def test_random_answers_files(tmp_path, data, how, noise, fmt):
    path = tmp_path / ("a.json" if how == "json" else "a.yaml")
    path.write_bytes(_serialise(data, how, noise))
    check("assess", "--answers", path, "--format", fmt)


@fuzz_settings(25)
@given(data=st.fixed_dictionaries({}, optional={f.id: (st.sampled_from(list(f.domain)) if f.domain
                                                       else st.text(max_size=30)) for f in VOCAB
                                                if f.type in ("bool", "choice", "text")}))
def test_random_valid_answers_assess(tmp_path, data):
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    got = check("assess", "--answers", path, "--format", "json")
    assert got.code == 0, got.stderr  # valid answers always assess


# ------------------------------------------------------------------ mutated folders

def _mutate(text: str, rng: random.Random) -> str:
    lines = text.splitlines()
    if not lines:
        return "x"
    i = rng.randrange(len(lines))
    how = rng.randrange(8)
    if how == 0:
        del lines[i]
    elif how == 1:
        lines.insert(i, lines[rng.randrange(len(lines))])
    elif how == 2:
        lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
    elif how == 3:
        lines[i] = lines[i].replace(":", rng.choice([": -1", ": 0", ": []", ": {}", ": ~", ": 1e400", ": [[[", ": *x"]), 1)
    elif how == 4:
        words = lines[i].split()
        if words:
            words[rng.randrange(len(words))] = rng.choice(["true", "null", "-3", "2024-02-30", "'$and'", "t", "sid",
                                                           "{not: {not: {}}}", "<<: *a", "\x1b]2;x\x07"])
        lines[i] = " ".join(words)
    elif how == 5:
        lines[i] = " " * rng.randrange(6) + lines[i]
    elif how == 6:
        return "\n".join(lines[: i + 1])
    else:
        lines[i] = lines[i] + rng.choice([" #", " &a", " !!python/object:os.system", "\t", "}"])
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzzfolders")
    for name in ("rules", "casebook", "templates"):
        shutil.copytree(ROOT / name, root / name)
    return root


def _mutated(folders: Path, relative: str, seed: int):
    path = folders / relative
    original = path.read_text(encoding="utf-8")
    path.write_text(_mutate(original, random.Random(seed)), encoding="utf-8")
    return path, original


RULE_FILES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "rules").rglob("*.yaml")
                    if "tests" not in p.parts and p.name != "weighing.yaml")
WEIGHING_FILES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "rules").rglob("weighing.yaml"))
CASE_FILES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "casebook").glob("*.yaml"))


@fuzz_settings(12)
@given(relative=st.sampled_from(RULE_FILES), seed=st.integers(0, 10**6))
def test_mutated_rule_files(folders, relative, seed):
    path, original = _mutated(folders, relative, seed)
    try:
        check("assess", "--example", "llm-web-crawl", "--rules", folders / "rules", "--format", "json")
    finally:
        path.write_text(original, encoding="utf-8")


@fuzz_settings(12)
@given(relative=st.sampled_from(WEIGHING_FILES), seed=st.integers(0, 10**6))
def test_mutated_weighing_files(folders, relative, seed):
    path, original = _mutated(folders, relative, seed)
    try:
        check("assess", "--example", "llm-web-crawl", "--rules", folders / "rules")
    finally:
        path.write_text(original, encoding="utf-8")


@fuzz_settings(10)
@given(relative=st.sampled_from(CASE_FILES), seed=st.integers(0, 10**6))
def test_mutated_casebook(folders, relative, seed):
    path, original = _mutated(folders, relative, seed)
    try:
        check("casebook", "similar", "--example", "google-books", "--casebook", folders / "casebook")
    finally:
        path.write_text(original, encoding="utf-8")


FRAGMENTS = ["{{ summary }}", "{{ summary|md }}", "{% for f in factors %}{{ f.title }}{% endfor %}",
             "{{ range(10**9)|list }}", "{% include 'memo.md.j2' %}", "{{ ''.__class__.__mro__ }}",
             "{{ cycler.__init__.__globals__ }}", "{{ 10**10**10 }}", "{{ 'x' * 10**9 }}", "{% if %}",
             "{{ undefined_name.attr }}", "{{ us.verdict }}", "{% include 'nowhere.j2' %}", "{{ 1/0 }}",
             "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "plain text", "\x1b[31m", "{{ summary[:5] }}",
             "{{ '%0999999999d' % 1 }}", "{{ '{:>999999999}'.format(1) }}", "{{ 'x'|center(10**9) }}",
             "{{ 'x'.ljust(10**9) }}", "{{ 2 ** 10**8 }}", "{{ [0] * 10**9 }}", "{{ summary|wordwrap(10**9) }}"]


@fuzz_settings(15)
@given(parts=st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=4),
       prose=st.one_of(st.none(), st.sampled_from([
           "facts: {purpose: '{{ value }}'}", "facts: {purpose: '{value!r}'}", "facts: {purpose: {values: [1]}}",
           "facts: []", "unknown: 3\nfacts: {}", "facts: {purpose: {sentence: '{{value}} {value}'}}"])))
def test_mutated_templates(tmp_path, parts, prose):
    firm = tmp_path / "firm"
    firm.mkdir(exist_ok=True)
    (firm / "memo.md.j2").write_text("".join(parts))
    if prose is not None:
        (firm / "facts_prose.yaml").write_text(prose + "\n")
    got = check("memo", "--example", "song-parody", "--template", firm, "--format", "md")
    assert "\x1b" not in got.stdout
