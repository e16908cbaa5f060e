"""The README and docs/extending.md examples run as written."""

import os
import re
import shutil
import subprocess
import sys

from conftest import ROOT

BLOCK = re.compile(r"```(\w+)([^\n]*)\n(.*?)```", re.S)


def _run(command, cwd):
    if command.startswith("fairuse "):
        command = f"{sys.executable} -m fairuse " + command[len("fairuse "):]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("FAIRUSE_RULES", None)
    return subprocess.run(command, shell=True, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_extending_guide_step_by_step(tmp_path):
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    shutil.copytree(ROOT / "casebook", tmp_path / "casebook")
    text = (ROOT / "docs" / "extending.md").read_text()
    outputs = {}
    for lang, info, body in BLOCK.findall(text):
        info = info.strip()
        if lang == "sh":
            for line in body.strip().splitlines():
                result = _run(line, tmp_path)
                assert result.returncode == 0, (line, result.stdout[-2000:], result.stderr[-2000:])
                outputs[line] = result.stdout
        elif info.startswith("file="):
            path = tmp_path / info.split("=", 1)[1]
            path.write_text(body)
        elif info.startswith("append="):
            path = tmp_path / info.split("=", 1)[1]
            path.write_text(path.read_text() + body)
        elif info.startswith("prepend-after-title="):
            path = tmp_path / info.split("=", 1)[1]
            old = path.read_text()
            at = old.index("\n## ")
            path.write_text(old[:at + 1] + body + "\n" + old[at + 1:])
    assert re.search(r"\d+ passed, 0 failed", outputs["fairuse rules test my-rules"])
    assert "0 error(s)" in outputs["fairuse rules lint my-rules"]
    diff = outputs["fairuse rules diff rules my-rules"]
    assert "us.field.no-opt-out" in diff
    assessed = outputs["fairuse assess --answers my-use.yaml --rules my-rules --format json"]
    assert "us.field.no-opt-out" in assessed and '"version": "2026.11.25-field"' in assessed


def test_readme_commands_are_the_ones_ci_runs():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python3 -m pip install . && fairuse assess --example google-books" in readme
    assert "python3 -m pip install '.[test]' && python3 -m pytest" in readme
    assert "python3 -m pytest" in ci and "'.[test]'" in ci


def _readme_sample() -> str:
    readme = (ROOT / "README.md").read_text()
    start = readme.index("```yaml\nuse_summary:") + len("```yaml\n")
    return readme[start:readme.index("```", start)]


def test_readme_sample_answers_show_a_complete_use(tmp_path):
    """The README's sample must show the product at its best: every fact that
    could move a verdict is answered, and each US factor has its reasons."""
    from fairuse.answers import load_answers
    from fairuse.assess import assess
    from fairuse.rules import load_rulebase

    sample = tmp_path / "my-use.yaml"
    sample.write_text(_readme_sample())
    base = load_rulebase()
    result = assess(load_answers(base.vocabulary, sample), rulebase=base)
    assert result.missing == []
    assert result.us.verdict != "uncertain"
    assert all(factor.reasons for factor in result.us.factors.values())
    assert all(res.verdict != "uncertain" for res in result.tdm.values())
