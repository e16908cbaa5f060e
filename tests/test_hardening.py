"""Issue 15's "also failed" rows: each is one clear line and exit 2, or the right behaviour.

Every run goes through the CLI's real entry point in process (tests/inprocess.py).
"""

from __future__ import annotations

import errno
import json
import re
import os
import shutil
import stat
import threading
from pathlib import Path

import pytest

from conftest import ROOT
from inprocess import run_main

CASEBOOK = ROOT / "casebook"
ONE_CASE = CASEBOOK / "american-geophysical-union-v-texaco.yaml"


def one_line_error(outcome, *needles):
    assert outcome.code == 2, (outcome.code, outcome.stderr[-800:])
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1, outcome.stderr[-2000:]
    assert "Traceback" not in outcome.stderr
    assert len(lines[0]) <= 700
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------ answers files

def test_an_unquoted_impossible_date_is_one_line(tmp_path):
    answers = write(tmp_path / "a.yaml", "purpose: parody\nassessment_date: 2024-02-30\n")
    one_line_error(run_main("assess", "--answers", answers), "a.yaml:2", "2024-02-30")


def test_json_surrogate_pairs_are_read(tmp_path):
    text = json.dumps({"use_summary": "A parody \U0001F600 of a song", "purpose": "parody"})
    assert "\\ud83d\\ude00" in text
    answers = write(tmp_path / "a.json", text)
    got = run_main("assess", "--answers", answers, "--format", "json")
    assert got.code == 0, got.stderr
    assert json.loads(got.stdout)["answers"]["use_summary"] == "A parody \U0001F600 of a song" \
        if "answers" in json.loads(got.stdout) else True


def test_yaml_merge_keys_are_not_duplicates(tmp_path):
    answers = write(tmp_path / "a.yaml", "x-base: &b {purpose: parody, commercial: direct}\n")
    from fairuse.yamlfile import load_text
    data = load_text("base: &b {purpose: parody, commercial: direct}\nuse:\n  <<: *b\n  commercial: indirect\n", "m.yaml")
    assert data["use"] == {"purpose": "parody", "commercial": "indirect"}
    assert answers.exists()


def test_a_nul_byte_is_one_line(tmp_path):
    answers = tmp_path / "a.yaml"
    answers.write_bytes(b"purpose: par\x00ody\n")
    one_line_error(run_main("assess", "--answers", answers), "a.yaml")


def test_a_huge_bad_value_is_not_echoed_whole(tmp_path):
    answers = write(tmp_path / "a.yaml", "purpose: " + "x" * 1_500_000 + "\n")
    line = one_line_error(run_main("assess", "--answers", answers), "a.yaml", "purpose")
    assert "more characters" in line


def test_dev_zero_as_answers_is_refused_without_reading_it_all():
    one_line_error(run_main("assess", "--answers", "/dev/zero"), "/dev/zero", "larger than")


def test_an_alias_bomb_is_refused(tmp_path):
    rows = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi"):
        rows.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    answers = write(tmp_path / "a.yaml", "use_summary:\n  " + "\n  ".join(rows) + "\npurpose: parody\n")
    one_line_error(run_main("assess", "--answers", answers), "a.yaml", "aliases")


def test_control_sequences_do_not_reach_the_terminal(tmp_path):
    answers = write(tmp_path / "a.yaml", 'use_summary: "Parody \\e]2;pwned\\a of \\e[31mred"\npurpose: parody\n')
    for fmt in ("text", "md"):
        got = run_main("assess", "--answers", answers, "--format", fmt)
        assert got.code == 0, got.stderr
        assert "\x1b" not in got.stdout and "\x07" not in got.stdout
    memo = run_main("memo", "--answers", answers, "--format", "md")
    assert memo.code == 0 and "\x1b" not in memo.stdout and "pwned" in memo.stdout


# ------------------------------------------------------------------ rules and weighing

# Each edit is made on the live line (a pattern anchored at the start of a line): the weights and bands
# are refitted from time to time, and the `fitted:` record keeps the values they replaced.
@pytest.mark.parametrize("edit, needle", [
    ((r"^(\s*)damping: 1\b", r"\1damping: 0"), "damping"),
    ((r"^(\s*)damping: 1\b", r"\1damping: -2"), "damping"),
    ((r"^bands: \{likely_fair: [-0-9.]+, leaning_fair: [-0-9.]+",
      "bands: {likely_fair: 0.01, leaning_fair: 0.3"), "bands"),
    ((r"^(factor_weights: \{purpose: [0-9.]+, )nature: [0-9.]+,", r"\1nature: -1,"), "nature"),
    ((r"^leaning_threshold: 0.2", "leaning_threshold: fast"), "leaning_threshold"),
    ((r"^(\s*)missing_moves: 1", r"\1missing_moves: 9"), "missing_moves"),
    ((r"^factor_weights: \{.*\}", "factor_weights: {purpose: 0, nature: 0, amount: 0, market: 0}"), "factor_weights"),
])
def test_a_bad_fair_use_weighing_is_one_line(rules_copy, edit, needle):
    path = rules_copy / "us" / "weighing.yaml"
    text = path.read_text()
    edited, count = re.subn(edit[0], edit[1], text, count=1, flags=re.M)
    assert count == 1, edit[0]
    path.write_text(edited)
    one_line_error(run_main("assess", "--example", "google-books", "--rules", rules_copy), "weighing.yaml", needle)


def test_a_provision_with_empty_conditions_is_refused(rules_copy):
    path = rules_copy / "eu" / "weighing.yaml"
    text = path.read_text()
    start = text.index("    conditions:\n", text.index("eu.dsm.art3"))
    end = text.index("  eu.dsm.art4")
    path.write_text(text[:start] + "    conditions: {}\n" + text[end:])
    one_line_error(run_main("assess", "--example", "llm-web-crawl", "--rules", rules_copy), "conditions")


def _add_rule(root: Path, when: str) -> None:
    (root / "us" / "deep.yaml").write_text(
        "jurisdiction: us\ntitle: Deep\nfactor: purpose\nrules:\n  - id: us.deep.r\n    title: Deep\n"
        f"    text: deep\n    when: {when}\n    then: {{note: A note.}}\n    explanation: A deep test rule.\n"
        "    authority: [usc-107]\n    effective_from: 1978-01-01\n")


def test_not_900_deep_is_one_line(rules_copy):
    _add_rule(rules_copy, "{not: " * 900 + "{fact: commercial, is: direct}" + "}" * 900)
    one_line_error(run_main("assess", "--example", "google-books", "--rules", rules_copy), "deep.yaml")


def test_a_condition_that_expands_past_the_bound_is_one_line_naming_file_rule_and_limit(rules_copy):
    any4 = "{any: [{fact: amount_used, is: small}, {fact: amount_used, is: substantial}, " \
           "{fact: commercial, is: direct}, {fact: commercial, is: indirect}]}"
    _add_rule(rules_copy, "{all: [" + ", ".join([any4] * 14) + "]}")
    line = one_line_error(run_main("assess", "--example", "google-books", "--rules", rules_copy),
                          "deep.yaml", "us.deep.r")
    assert "4096" in line


def test_rules_diff_against_a_broken_ruleset_is_one_line(rules_copy):
    (rules_copy / "us" / "amount.yaml").write_text("rules: [\n")
    one_line_error(run_main("rules", "diff", ROOT / "rules", rules_copy), "amount.yaml")


@pytest.mark.parametrize("rule_id", ["us.107.new\nrule", "us." + "a" * 300])
def test_rules_new_refuses_a_bad_id(rules_copy, rule_id):
    got = run_main("rules", "new", "--jurisdiction", "us", "--id", rule_id, "--dir", rules_copy)
    one_line_error(got, "--id")
    assert not any("\n" in p.name for p in rules_copy.rglob("*"))


# ------------------------------------------------------------------ casebook

def test_an_empty_casebook_is_one_line(tmp_path):
    one_line_error(run_main("casebook", "evaluate", "--casebook", tmp_path), "no cases")


def test_a_casebook_with_nothing_to_assess_is_one_line(tmp_path):
    text = ONE_CASE.read_text()
    write(tmp_path / ONE_CASE.name, text + "assess: none\n")
    one_line_error(run_main("casebook", "evaluate", "--casebook", tmp_path), "assess")


def test_a_casebook_symlink_loop_is_one_line(tmp_path):
    shutil.copy(ONE_CASE, tmp_path / ONE_CASE.name)
    os.symlink(tmp_path / "loop.yaml", tmp_path / "loop.yaml")
    one_line_error(run_main("casebook", "list", "--casebook", tmp_path), "loop.yaml")


@pytest.mark.parametrize("decided, needle", [('"1994-13"', "1994-13"), ("1994-02-30", "1994-02-30"),
                                              ('"1994-02-30"', "1994-02-30")])
def test_impossible_decision_dates_are_one_line(tmp_path, decided, needle):
    text = ONE_CASE.read_text().replace('decided: "1994-10-28"', f"decided: {decided}")
    write(tmp_path / ONE_CASE.name, text)
    one_line_error(run_main("casebook", "list", "--casebook", tmp_path), needle)


# ------------------------------------------------------------------ templates

@pytest.fixture
def firm(tmp_path):
    folder = tmp_path / "firm"
    (folder / "partials" / "html").mkdir(parents=True)
    return folder


def test_a_partial_not_named_html_is_escaped_in_an_html_memo(firm, tmp_path):
    write(firm / "partials" / "html" / "heading.html.j2", '{% include "partials/html/cover.txt" %}')
    write(firm / "partials" / "html" / "cover.txt", "<p>Summary: {{ summary }}</p>")
    answers = write(tmp_path / "a.yaml", 'use_summary: "<script>alert(1)</script> parody"\npurpose: parody\n')
    out = tmp_path / "m.html"
    got = run_main("memo", "--answers", answers, "--template", firm, "--out", out)
    assert got.code == 0, got.stderr
    html = out.read_text()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize("prose, needle", [
    ("facts:\n  purpose: [not, a, sentence]\n", "facts.purpose"),
    ("facts:\n  purpose: {sentense: 'x'}\n", "sentense"),
    ("facts:\n  purpose: {sentence: 'Purpose {{ value|center(500000000) }}'}\n", "too large a number"),
    ("facts:\n  purpose: {sentence: 'Purpose {{ 7 * 10**9 * \"x\" }}'}\n", "too many times"),
    ("facts:\n  purpose: {sentence: 'Purpose {% if %}'}\n", "template error"),
])
def test_a_bad_facts_prose_is_one_line(firm, prose, needle):
    write(firm / "facts_prose.yaml", prose)
    one_line_error(run_main("memo", "--example", "song-parody", "--template", firm, "--format", "md"), needle)


@pytest.mark.parametrize("sentence", ["Purpose {value.__class__.__mro__}", "Purpose {value:>500000000}",
                                      "Purpose {{ value.__class__.__mro__ }}", "Purpose {{ value.__init__.__globals__ }}"])
def test_facts_prose_sentences_never_reach_outside_the_sandbox(firm, sentence):
    write(firm / "facts_prose.yaml", f"facts:\n  purpose: {{sentence: '{sentence}'}}\n")
    got = run_main("memo", "--example", "song-parody", "--template", firm, "--format", "md")
    assert got.code in (0, 2) and len(got.stderr.strip().splitlines()) <= 1, got.stderr
    assert "<class" not in got.stdout and "__builtins__" not in got.stdout and len(got.stdout) < 200_000


@pytest.mark.parametrize("body, needle", [
    ("{% for i in range(10**9) %}x{% endfor %}", "too large"),
    ('{% include "memo.md.j2" %}', "without end"),
    ("{{ 'x' * 10**9 }}", "too many times"),
    ("{{ [1] * 10**8 }}", "too many times"),
    ("{{ '%0999999999d' % 1 }}", "width"),
    ("{{ '{:>999999999}'.format(1) }}", "width"),
    ("{{ 'x'|center(1000000000) }}", "too large a number"),
    ("{{ 'x'.ljust(1000000000) }}", "too large a number"),
    ("{{ 2 ** 100000000 }}", "power"),
])
def test_runaway_templates_are_one_line(firm, body, needle):
    write(firm / "memo.md.j2", body)
    one_line_error(run_main("memo", "--example", "song-parody", "--template", firm, "--format", "md"), needle)


def test_a_huge_summary_is_cut_in_the_memo(tmp_path):
    answers = write(tmp_path / "a.yaml", "purpose: parody\nuse_summary: " + "word " * 200_000 + "\n")
    got = run_main("memo", "--answers", answers, "--format", "md")
    assert got.code == 0, got.stderr
    assert "summary cut" in got.stdout and len(got.stdout) < 200_000


# ------------------------------------------------------------------ --out

def _memo(out, *extra):
    return run_main("memo", "--example", "song-parody", "--out", out, *extra)


def test_written_files_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        assert _memo(tmp_path / "m.html").code == 0
        from fairuse.atomic import write_atomic
        write_atomic(tmp_path / "session.json", "{}", mode=0o600)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "m.html").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "session.json").stat().st_mode) == 0o600


def test_a_dangling_symlink_is_not_replaced_without_force(tmp_path):
    link = tmp_path / "m.html"
    os.symlink(tmp_path / "nowhere.html", link)
    one_line_error(_memo(link), "already exists")
    assert link.is_symlink()


def test_a_fifo_is_never_replaced_even_with_force(tmp_path):
    fifo = tmp_path / "m.html"
    os.mkfifo(fifo)
    one_line_error(_memo(fifo, "--force"), "FIFO")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.parametrize("make, needle", [
    (lambda d: d / "adir.html", "directory"),
    (lambda d: d / ("n" * 250 + ".html"), ""),
    (lambda d: Path("/proc/fairuse-test.html"), "/proc/fairuse-test.html"),
])
def test_out_paths_that_cannot_be_written_are_one_line(tmp_path, make, needle):
    (tmp_path / "adir.html").mkdir()
    out = make(tmp_path)
    got = _memo(out, "--force")
    if got.code == 0:  # a 250-character name is a valid name: it is written
        assert out.exists() and len(out.name) == 255
    else:
        one_line_error(got, needle)


def test_a_full_disk_is_one_line_and_leaves_nothing(tmp_path, monkeypatch):
    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(os, "fsync", full)
    one_line_error(_memo(tmp_path / "m.html"), "No space left")
    assert list(tmp_path.iterdir()) == []


def test_two_writers_to_one_path_exactly_one_wins(tmp_path):
    from fairuse.atomic import write_atomic
    from fairuse.errors import FairuseError

    for attempt in range(30):
        target = tmp_path / f"m{attempt}.html"
        barrier = threading.Barrier(2)
        results = []

        def writer(text):
            barrier.wait()
            try:
                write_atomic(target, text, force=False)
                results.append(text)
            except FairuseError:
                results.append(None)

        threads = [threading.Thread(target=writer, args=(t,)) for t in ("one", "two")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        winners = [r for r in results if r]
        assert len(winners) == 1
        assert target.read_text() == winners[0]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


# ------------------------------------------------------------------ unreadable folders

def _deny(monkeypatch, folder: Path):
    """Make ``folder`` unreadable (chmod means nothing to root, so the OS calls refuse instead)."""
    real_scandir, real_listdir = os.scandir, os.listdir

    def refuse(path="."):
        if Path(os.fsdecode(path)).resolve() == folder.resolve():
            raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))
        return None

    monkeypatch.setattr(os, "scandir", lambda path=".": refuse(path) or real_scandir(path))
    monkeypatch.setattr(os, "listdir", lambda path=".": refuse(path) or real_listdir(path))


def test_an_unreadable_casebook_folder_is_one_line(tmp_path, monkeypatch):
    shutil.copy(ONE_CASE, tmp_path / ONE_CASE.name)
    _deny(monkeypatch, tmp_path)
    one_line_error(run_main("casebook", "list", "--casebook", tmp_path), "Permission denied")


def test_an_unreadable_rules_folder_is_one_line(rules_copy, monkeypatch):
    _deny(monkeypatch, rules_copy)
    one_line_error(run_main("assess", "--example", "google-books", "--rules", rules_copy), "Permission denied")
