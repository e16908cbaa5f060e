"""The command line as a user meets it."""

import json
import os
import re
import shutil

import pytest

from conftest import ROOT
from inprocess import run_main


def test_version(cli):
    result = cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("fairuse ")


def test_examples_lists_bundled_scenarios(cli):
    result = cli("examples")
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert "google-books" in names and len(names) >= 8


def test_text_output_is_plain_when_piped(cli):
    result = cli("assess", "--example", "google-books")
    assert result.returncode == 0
    assert "\x1b[" not in result.stdout
    assert "UNITED STATES: LIKELY FAIR USE" in result.stdout and "not legal advice" in result.stdout
    # the plain report says the answer and why in words; rule ids, weights and scores are --trace's
    assert "Authority:" not in result.stdout and "us.107" not in result.stdout and "score" not in result.stdout
    assert "In the United States, the use is likely a fair use." in result.stdout


def test_markdown_output(cli):
    result = cli("assess", "--example", "llm-web-crawl", "--format", "md")
    assert result.returncode == 0
    assert result.stdout.startswith("# fairuse assessment")
    assert "## United States: leaning toward fair use" in result.stdout
    assert "## What would change the answers" in result.stdout and "## Facts assumed" in result.stdout
    assert "us.107" not in result.stdout and "\\_" not in result.stdout


def test_trace_flag(cli):
    result = cli("assess", "--example", "google-books", "--trace")
    assert "Rule trace:" in result.stdout and "us.107.1.non-expressive" in result.stdout
    assert "Authority:" in result.stdout and "x3" in result.stdout  # the engine's view: ids, weights


def test_no_answers_on_a_pipe_exits_2(cli):
    result = cli("assess", stdin="")
    assert result.returncode == 2
    assert "needs a terminal" in result.stderr and "Traceback" not in result.stderr


def test_unknown_example_suggests(cli):
    result = cli("assess", "--example", "google-book")
    assert result.returncode == 2 and "did you mean 'google-books'" in result.stderr


def test_bad_format(cli):
    result = cli("assess", "--example", "google-books", "--format", "pdf")
    assert result.returncode == 2 and "--format" in result.stderr


def test_rules_from_environment(cli, rules_copy):
    (rules_copy / "ruleset.yaml").write_text('version: "org-1"\nas_of: 2026-01-01\n')
    result = cli("assess", "--example", "google-books", "--format", "json", env={"FAIRUSE_RULES": str(rules_copy)})
    assert json.loads(result.stdout)["ruleset"]["version"] == "org-1"


def _commands(group, prefix=()):
    for name, command in group.commands.items():
        yield prefix + (name,), command
        if hasattr(command, "commands"):  # a command group
            yield from _commands(command, prefix + (name,))


def test_every_command_has_help_with_an_example():
    import typer
    from fairuse.cli import app
    root = typer.main.get_command(app)
    found = list(_commands(root))
    assert found
    for path, command in found:
        assert "Example:" in (command.help or ""), " ".join(path)
        for param in command.params:
            if param.name not in ("help",) and getattr(param, "help", None) is not None:
                assert param.help.strip(), (path, param.name)
            elif hasattr(param, "help"):
                assert param.help, (path, param.name)


def test_runs_from_any_directory(cli, tmp_path):
    result = cli("assess", "--example", "google-books", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0 and json.loads(result.stdout)["us"]["verdict"] == "likely_fair"
    assert ROOT.exists()


def test_help_shows_no_value_after_flags(cli):
    """--trace takes no value, so the help must not read '--trace <bool>'."""
    for args in (("assess", "--help"), ("memo", "--help"), ("rules", "export", "--help")):
        result = cli(*args)
        assert result.returncode == 0
        assert "<bool>" not in result.stdout and "BOOLEAN" not in result.stdout, args
        assert "--help" in result.stdout


def test_the_memo_command_checks_the_format_without_loading_the_memo():
    """--format is checked against the memo's own list before the memo's prose, the rules or the
    engine are loaded (a fifth of a second: the PDF worker starts before them)."""
    import subprocess
    import sys

    code = ("import sys; from fairuse.cli import main; sys.argv = ['fairuse', 'memo', '--format', 'docx']\n"
            "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\n"
            "print(code, sorted(m for m in ('fairuse.memo.context', 'fairuse.prose', 'fairuse.assess', "
            "'fairuse.memo.templating') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert "expected html, pdf or md, got 'docx'" in done.stderr
    assert done.stdout.split("\n")[0] == "2 ['fairuse.memo.templating']"


# ------------------------------------------------------------------ files the CLI writes (issue 22, "Lost data")

def _refused(outcome, *needles) -> str:
    """One line naming the path and why, exit status 2, no traceback."""
    lines = outcome.stderr.strip().splitlines()
    assert outcome.code == 2 and len(lines) == 1 and "Traceback" not in outcome.stderr, outcome.stderr[-2000:]
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("out, fmt", [("/dev/stdout", "md"), ("/dev/stdout", "pdf"), ("/dev/null", "html")])
def test_memo_out_to_a_system_path_is_refused_even_with_force(no_system_writes, out, fmt):
    before = os.lstat(out)
    _refused(run_main("memo", "--example", "song-parody", "--out", out, "--format", fmt, "--force"), out)
    assert os.lstat(out).st_mode == before.st_mode and os.lstat(out).st_ino == before.st_ino


def test_memo_out_through_a_link_to_a_device_is_refused(no_system_writes, tmp_path):
    link = tmp_path / "memo.html"
    os.symlink("/dev/null", link)
    _refused(run_main("memo", "--example", "song-parody", "--out", link, "--force"), str(link), "symbolic link")
    assert os.readlink(link) == "/dev/null"


def test_memo_never_writes_over_its_answers_file(tmp_path):
    answers = tmp_path / "use.yaml"
    shutil.copy(ROOT / "examples" / "song-parody.yaml", answers)
    before = answers.read_bytes()
    os.link(answers, tmp_path / "same.md")
    for out in (answers, tmp_path / "same.md"):
        _refused(run_main("memo", "--answers", answers, "--out", out, "--format", "md", "--force"), "input")
    assert answers.read_bytes() == before


def test_assess_force_goes_with_save_answers():
    _refused(run_main("assess", "--example", "google-books", "--force"), "--force")


def test_rules_export_never_writes_through_a_link_even_with_force(tmp_path):
    target = tmp_path / "my-rules"
    target.mkdir()
    victim = tmp_path / "victim.yaml"
    victim.write_text("precious")
    os.symlink(victim, target / "ruleset.yaml")
    _refused(run_main("rules", "export", target, "--force"), "ruleset.yaml", "symbolic link")
    assert victim.read_text() == "precious" and sorted(p.name for p in target.iterdir()) == ["ruleset.yaml"]
    os.unlink(target / "ruleset.yaml")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, target / "us")
    _refused(run_main("rules", "export", target, "--force"), str(target / "us"), "symbolic link")
    assert list(elsewhere.iterdir()) == [] and sorted(p.name for p in target.iterdir()) == ["us"]


def test_rules_export_replaces_namesakes_with_force_and_keeps_the_rest(tmp_path):
    target = tmp_path / "my-rules"
    target.mkdir()
    (target / "ruleset.yaml").write_text("old")
    (target / "notes.txt").write_text("mine")
    assert run_main("rules", "export", target, "--force").code == 0
    assert (target / "ruleset.yaml").read_bytes() == (ROOT / "rules" / "ruleset.yaml").read_bytes()
    assert (target / "notes.txt").read_text() == "mine"
    assert not [p for p in target.rglob(".fairuse-*")]


def test_rules_new_never_writes_through_a_dangling_link(rules_copy, tmp_path):
    os.symlink(tmp_path / "elsewhere.yaml", rules_copy / "tests" / "uk.tdm.planted.yaml")
    line = _refused(run_main("rules", "new", "--jurisdiction", "uk", "--id", "uk.tdm.planted", "--dir", rules_copy),
                    "uk.tdm.planted.yaml", "symbolic link")
    assert "use --force" not in line
    # checked before either file is written: the draft rule is not written either
    assert not (tmp_path / "elsewhere.yaml").exists() and not (rules_copy / "uk" / "tdm-planted.yaml").exists()


def _all_help() -> dict:
    """Every command's --help, as `fairuse` prints it (the readable placeholders are set where it runs)."""
    import io
    from contextlib import redirect_stdout

    from fairuse.cli import command

    root = command()
    screens = {}

    def walk(cmd, path):
        out = io.StringIO()
        with redirect_stdout(out):
            try:
                root.main([*path, "--help"], prog_name="fairuse", standalone_mode=False)
            except SystemExit:
                pass
        screens[" ".join(path)] = out.getvalue()
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, [*path, name])

    walk(root, [])
    return screens


def test_no_help_screen_shows_a_type_placeholder():
    screens = _all_help()
    assert len(screens) > 20
    for path, text in screens.items():
        assert text.startswith("Usage: fairuse"), path
        assert not re.search(r"<[A-Za-z_\[\]]+>|\{[A-Za-z_.]+\}", text), (path, text)
        assert "fact id -> value" not in text, path
        for line in text.splitlines()[1:]:  # a command's one-line description is its whole first sentence
            assert not line.rstrip().endswith("...") or "FILE..." in line, (path, line)


def test_the_first_help_screen_says_where_to_start():
    text = _all_help()[""]
    assert "Start here" in text and "fairuse assess" in text and "fairuse facts" in text


def test_facts_lists_the_vocabulary_by_jurisdiction(cli):
    uk = cli("facts", "--jurisdiction", "uk")
    assert uk.returncode == 0 and "acknowledgement_given" in uk.stdout and "Question:" in uk.stdout
    us = cli("facts", "--jurisdiction", "us", "--format", "json")
    ids = {row["id"] for row in json.loads(us.stdout)}
    assert "acknowledgement_given" not in ids and "new_purpose" in ids
    one = cli("facts", "amount_used")
    assert one.returncode == 0 and one.stdout.startswith("amount_used")
    bad = cli("facts", "amount_usd")
    assert bad.returncode == 2 and "did you mean 'amount_used'" in bad.stderr and "Traceback" not in bad.stderr
    wrong = cli("facts", "--jurisdiction", "fr")
    assert wrong.returncode == 2 and "--jurisdiction" in wrong.stderr
# ------------------------------------------------------------------ issue 22: rule and casebook text others write

def _literal_on_a_terminal(text: str) -> None:
    """Rule and casebook text printed as it is: no markup read in it, its control sequences shown escaped."""
    assert "[/bold]" in text and "<img src=x" in text
    assert "\x1b" not in text and "\x07" not in text and "\\x1b]2;pwned\\x07" in text


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    from conftest import plant_hostile_text

    folder = tmp_path_factory.mktemp("hostile")
    plant_hostile_text(folder / "rules", folder / "casebook")
    return folder


@pytest.mark.parametrize("args", [
    ["casebook", "show", "campbell-v-acuff-rose"],
    ["casebook", "list"],
    ["casebook", "list", "--format", "csv"],
    ["casebook", "similar", "--example", "song-parody"],
    ["rules", "show", "us.107.1.parody"],
    ["rules", "list"],
    ["assess", "--example", "song-parody"],
    ["assess", "--example", "song-parody", "--trace"],
])
def test_casebook_and_rules_commands_print_their_text_literally(hostile, args):
    extra = ["--casebook", hostile / "casebook"] if args[0] == "casebook" or args[0] == "assess" else []
    got = run_main(*args, "--rules", hostile / "rules", *extra)
    assert got.code == 0, got.stderr
    _literal_on_a_terminal(got.stdout)
