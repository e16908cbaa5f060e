"""The command line as a user meets it."""

import json

from conftest import ROOT


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
