"""fairuse triage from the command line: outputs, report, bad input, counts invariant."""

from __future__ import annotations

import gzip
import json
import os
import stat
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from fairuse.cli import app

from triage_fixtures import WARC_RECORDS, answers, answers_file, robots_dir, run_cli, write_warc  # noqa: F401

runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["triage", *map(str, args)])


def user_error(result) -> str:
    """The one-line message fairuse.cli.main prints (exit status 2) for a FairuseError."""
    from fairuse.errors import FairuseError

    assert isinstance(result.exception, FairuseError), result.output
    return str(result.exception)


def manifest(tmp_path, name="m.csv", text=None):
    p = tmp_path / name
    p.write_text(text or "url,license,bytes,fetched_at\n"
                         "https://news.example/a,,100,2026-10-02\n"
                         "https://shop.example/p/1,CC-BY-4.0,200,2026-10-03\n"
                         "https://shop.example/cart/2,,300,2026-10-04\n")
    return p


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_outputs_and_report(tmp_path, robots_dir, answers_file, fmt):
    m = manifest(tmp_path)
    out = tmp_path / f"v.{fmt}"
    report = tmp_path / "triage.html"
    r = run(m, "--answers", answers_file, "--robots", robots_dir, "--out", out, "--report", report)
    assert r.exit_code == 0, r.output
    assert "3 rows in = 3 out + 0 in errors" in r.output and "Not legal advice" in r.output
    df = {"parquet": pd.read_parquet, "csv": pd.read_csv, "jsonl": lambda p: pd.read_json(p, lines=True)}[fmt](out)
    assert list(df["reservation_signal"]) == ["robots_disallow_ai_agent", "no_reservation_found", "robots_disallow_all_agents"]
    assert list(df["verdict_eu"]) == ["does_not_apply", "not_needed", "does_not_apply"]
    html = report.read_text()
    assert html.count("<svg") >= 3 and "Evidence log" in html and "news.example" in html
    assert "src=\"http" not in html and "href=\"http" not in html and "<script" not in html
    assert "Not legal advice" in html


def test_missing_and_misspelt_columns(tmp_path, answers_file):
    m = manifest(tmp_path, text="URL,bytes\nhttps://a.example/,1\n")
    r = run_cli("triage", m, "--answers", answers_file, "--out", tmp_path / "v.parquet")
    assert r.returncode == 2
    assert r.stderr.strip() == f"fairuse: error: {m}: no 'url' column (did you mean 'URL'? or give --url-column URL)"
    m2 = manifest(tmp_path, "m2.csv", "url,licence\nhttps://a.example/,MIT\n")
    assert user_error(run(m2, "--answers", answers_file, "--out", tmp_path / "v.parquet")) == \
        f"{m2}: unknown column 'licence' (did you mean 'license'?)"
    assert not (tmp_path / "v.parquet").exists()


def test_unreadable_rows_go_to_the_errors_file(tmp_path, answers_file):
    m = tmp_path / "m.jsonl"
    m.write_text('{"url": "https://a.example/1", "work_kind": "news"}\n'
                 '{"url": "https://a.example/2", "work_kind": "newz"}\n'
                 'this is not json\n'
                 '{"url": "ftp//broken"}\n'
                 '{"url": "https://b.example/3"}\n')
    out = tmp_path / "v.parquet"
    r = run(m, "--answers", answers_file, "--out", out)
    assert r.exit_code == 0, r.output
    assert "5 rows in = 2 out + 3 in errors" in r.output
    errors = [json.loads(line) for line in (tmp_path / "v.errors.jsonl").read_text().splitlines()]
    reasons = " | ".join(e["reason"] for e in errors)
    assert "not a JSON object" in reasons and "work_kind" in reasons and "did you mean" in reasons
    assert "expected an absolute URL" in reasons
    assert len(pd.read_parquet(out)) == 2


def test_truncated_warc_is_reported_and_the_run_goes_on(tmp_path, answers_file):
    good = write_warc(tmp_path / "a.warc.gz", WARC_RECORDS)
    whole = gzip.decompress(good.read_bytes())
    from fairuse.triage.run import triage_files

    for frac in (0.5, 0.6, 0.7, 0.9):  # cuts inside WARC headers, HTTP headers and content
        bad = tmp_path / f"b{frac}.warc"
        bad.write_bytes(whole[: int(len(whole) * frac)])
        out = tmp_path / f"v{frac}.parquet"
        res = triage_files([bad, good], answers_path=answers_file, out=out)
        assert any(src == str(bad) and "truncated" in msg for src, msg in res.problems), res.problems
        df = pd.read_parquet(out)
        assert set(df["source"]) == {str(bad), str(good)}
        errors = [json.loads(x) for x in (tmp_path / f"v{frac}.errors.jsonl").read_text().splitlines()]
        assert len(errors) == 1 and errors[0]["source"] == str(bad) and "truncated WARC record" in errors[0]["reason"]
        assert res.rows_in == res.rows_out + res.errors == len(df) + 1


def test_existing_output_needs_force(tmp_path, answers_file):
    m = manifest(tmp_path)
    out = tmp_path / "v.csv"
    out.write_text("x")
    assert "--force" in user_error(run(m, "--answers", answers_file, "--out", out)) and out.read_text() == "x"


def test_bad_answers_and_signals_files(tmp_path, answers_file):
    m = manifest(tmp_path)
    bad = tmp_path / "a.yaml"
    bad.write_text("purpose: ai_trainng\n")
    assert "did you mean 'ai_training'" in user_error(run(m, "--answers", bad, "--out", tmp_path / "v.csv"))
    sig = tmp_path / "signals.yaml"
    sig.write_text("version: 1\nai_user_agents: [GPTBot]\nsignals:\n  noai:\n    label: x\n    meaning: x\n    legal_effect: x\n"
                   "    authority: [x]\n    date: 2022-01-01\n    sets: {rights_reserved: machine_redable}\n")
    msg = user_error(run(m, "--answers", answers_file, "--signals", sig, "--out", tmp_path / "v.csv"))
    assert "machine_readable" in msg and "\n" not in msg


def test_counts_invariant_hypothesis(tmp_path_factory, answers):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    import fairuse

    url = st.one_of(st.sampled_from(["https://a.example/x", "http://b.example/y?q=1", "not a url", "", "https://c.example"]),
                    st.text(max_size=20))
    kind = st.one_of(st.none(), st.sampled_from(["news", "fiction", "novel", "software"]))

    @settings(max_examples=15, deadline=None)
    @given(st.lists(st.tuples(url, kind), max_size=30))
    def check(rows):
        df = pd.DataFrame(rows, columns=["url", "work_kind"]) if rows else pd.DataFrame({"url": [], "work_kind": []})
        out = fairuse.triage(df, answers)
        assert len(out) + len(out.attrs["errors"]) == len(df)
        assert sorted(list(out["row"]) + [e["row"] for e in out.attrs["errors"]]) == list(range(len(df)))

    check()


# ------------------------------------------------------------------ files triage writes (issue 22, "Lost data")

BAD_ROW = "url,license,bytes\nhttps://news.example/a,,100\nnot a url,,1\n"


def _untouched(tmp_path, before: dict) -> None:
    for path, text in before.items():
        assert path.read_text() == text, path
    assert not list(tmp_path.glob(".fairuse-*")) and not (tmp_path / "v.csv").exists()


def test_an_existing_errors_file_needs_force(tmp_path, answers_file):
    """Issue 22: --errors existing.txt was overwritten without --force."""
    m = manifest(tmp_path, text=BAD_ROW)
    existing = tmp_path / "existing.txt"
    existing.write_text("my notes")
    message = user_error(run(m, "--answers", answers_file, "--out", tmp_path / "v.csv", "--errors", existing))
    assert str(existing) in message and "--force" in message
    _untouched(tmp_path, {existing: "my notes"})
    forced = run(m, "--answers", answers_file, "--out", tmp_path / "v.csv", "--errors", existing, "--force")
    assert forced.exit_code == 0, forced.output
    assert json.loads(existing.read_text())["raw"]["url"] == "not a url"


def test_the_default_errors_file_needs_force_too(tmp_path, answers_file):
    m = manifest(tmp_path, text=BAD_ROW)
    earlier = tmp_path / "v.errors.jsonl"
    earlier.write_text("an earlier run's errors\n")
    assert "--force" in user_error(run(m, "--answers", answers_file, "--out", tmp_path / "v.csv"))
    _untouched(tmp_path, {earlier: "an earlier run's errors\n"})


def test_an_output_is_never_an_input_even_with_force(tmp_path, answers_file):
    """Issue 22: --out equal to the input with --force replaced the input."""
    m = manifest(tmp_path)
    before = {m: m.read_text(), answers_file: answers_file.read_text()}
    os.link(m, tmp_path / "also.csv")
    for flags in (("--out", m), ("--out", tmp_path / "also.csv"), ("--out", tmp_path / "w.csv", "--report", answers_file),
                  ("--out", tmp_path / "w.csv", "--errors", m)):
        message = user_error(run(m, "--answers", answers_file, *flags, "--force"))
        assert "input" in message and "even with --force" in message
    _untouched(tmp_path, before)
    assert not (tmp_path / "w.csv").exists()


@pytest.mark.parametrize("flag", ["--out", "--errors", "--report"])
def test_links_and_special_files_are_never_written_even_with_force(no_system_writes, tmp_path, answers_file, flag):
    m = manifest(tmp_path, text=BAD_ROW)
    link = tmp_path / "link.csv"
    os.symlink("/dev/null", link)
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    for target, needle in ((link, "symbolic link"), (fifo, "FIFO"), (Path("/dev/stdout"), "symbolic link")):
        outputs = {"--out": tmp_path / "v.csv", flag: target}
        args = [a for pair in outputs.items() for a in pair]
        message = user_error(run(m, "--answers", answers_file, *args, "--force"))
        assert str(target) in message and needle in message
    assert os.readlink(link) == "/dev/null" and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert not (tmp_path / "v.csv").exists()


def test_two_outputs_cannot_be_one_file(tmp_path, answers_file):
    m = manifest(tmp_path)
    message = user_error(run(m, "--answers", answers_file, "--out", tmp_path / "v.csv", "--report", tmp_path / "v.csv",
                             "--force"))
    assert "--out" in message and "--report" in message
    assert not (tmp_path / "v.csv").exists()


def test_a_run_that_fails_leaves_the_earlier_outputs_as_they_were(tmp_path, answers_file, monkeypatch):
    """A run stopped half-way (an error, Ctrl-C) put its partial verdicts in place of the earlier ones."""
    from fairuse.triage import pipeline
    from fairuse.triage.run import triage_files

    m = tmp_path / "m.jsonl"  # one row per batch: the first (an error) is written before the second fails
    m.write_text('{"url": "not a url"}\n{"url": "https://news.example/a"}\n{"url": "https://news.example/b"}\n')
    out, errors = tmp_path / "verdicts.csv", tmp_path / "verdicts.errors.jsonl"
    out.write_text("earlier verdicts\n")
    errors.write_text("earlier errors\n")
    decide, calls = pipeline.Decide.process, []

    def fail_on_the_third_batch(self, batch):
        calls.append(batch)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return decide(self, batch)
    monkeypatch.setattr(pipeline.Decide, "process", fail_on_the_third_batch)
    with pytest.raises(KeyboardInterrupt):
        triage_files([m], answers_path=answers_file, out=out, force=True, workers=1, batch_rows=1)
    assert len(calls) == 3 and calls[0].errors and calls[1].derived is not None  # both files had been begun
    assert out.read_text() == "earlier verdicts\n" and errors.read_text() == "earlier errors\n"
    assert not list(tmp_path.glob(".fairuse-*"))
