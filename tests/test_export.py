"""``fairuse rules export``: an editable copy of the bundled rules and casebook."""

import json

from fairuse.export import export
from fairuse.errors import FairuseError

import pytest


def test_export_then_assess_with_the_copy(cli, tmp_path):
    target = tmp_path / "my-rules"
    result = cli("rules", "export", str(target))
    assert result.returncode == 0, result.stderr
    assert (target / "ruleset.yaml").is_file() and (target / "questions.yaml").is_file()
    assert (target / "us" / "purpose.yaml").is_file() and (target / "tests").is_dir()
    assert any((target / "casebook").glob("*.yaml"))
    assert cli("rules", "lint", str(target)).returncode == 0
    assert cli("rules", "test", str(target)).returncode == 0
    (target / "ruleset.yaml").write_text('version: "my-firm-1"\nas_of: 2026-11-25\n')
    assessed = cli("assess", "--example", "google-books", "--rules", str(target), "--format", "json")
    assert assessed.returncode == 0, assessed.stderr
    assert json.loads(assessed.stdout)["ruleset"]["version"] == "my-firm-1"


def test_the_exported_casebook_is_used_with_the_exported_rules(cli, tmp_path):
    target = tmp_path / "my-rules"
    export(target)
    for case in (target / "casebook").glob("*.yaml"):
        if case.stem != "campbell-v-acuff-rose":
            case.unlink()
    listed = cli("casebook", "list", "--rules", str(target), "--format", "json")
    assert [c["id"] for c in json.loads(listed.stdout)] == ["campbell-v-acuff-rose"]


def test_export_refuses_a_folder_that_is_not_empty(cli, tmp_path):
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    result = cli("rules", "export", str(target))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--force" in result.stderr
    assert not (target / "ruleset.yaml").exists()
    forced = cli("rules", "export", str(target), "--force")
    assert forced.returncode == 0 and (target / "ruleset.yaml").exists()
    assert (target / "notes.txt").read_text() == "mine"


def test_export_onto_a_file_is_one_line(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    with pytest.raises(FairuseError, match="not a folder"):
        export(afile)
