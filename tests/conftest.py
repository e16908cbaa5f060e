import re
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fairuse.rules import load_rulebase  # noqa: E402

RULES = ROOT / "rules"
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session", autouse=True)
def _own_cache_dir(tmp_path_factory):
    """The parsed-YAML cache of a test run lives in the run's temporary folder, not the user's."""
    old = os.environ.get("FAIRUSE_CACHE_DIR")
    os.environ["FAIRUSE_CACHE_DIR"] = str(tmp_path_factory.mktemp("fairuse-cache"))
    yield
    if old is None:
        os.environ.pop("FAIRUSE_CACHE_DIR", None)
    else:
        os.environ["FAIRUSE_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def base():
    return load_rulebase(RULES)


@pytest.fixture(scope="session")
def vocab(base):
    return base.vocabulary


@pytest.fixture
def rules_copy(tmp_path):
    """A writable copy of the shipped rules, to break on purpose."""
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    return target


def edit_file(path, old, new):
    """Replace the first ``old`` in the file with ``new`` (``old`` must be there); ``old`` may be a compiled
    pattern, for a line whose value changes from release to release (a version, fitted bands)."""
    text = path.read_text()
    if isinstance(old, re.Pattern):
        edited, count = old.subn(new, text, count=1)
        assert count == 1, old.pattern
        path.write_text(edited)
        return
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def drop_rule_key(path, rule_id: str, key: str) -> None:
    """Remove the line of ``key`` from rule ``rule_id`` in a rules file (a copy, broken on purpose)."""
    text = path.read_text()
    start = text.index(f"  - id: {rule_id}\n")
    line = text.index(f"    {key}:", start)
    path.write_text(text[:line] + text[text.index("\n", line) + 1:])


def run_cli(*args, stdin=None, env=None, cwd=None):
    """Run ``python -m fairuse`` as a user would; return the CompletedProcess."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("FAIRUSE_RULES", None) if env is None or "FAIRUSE_RULES" not in env else None
    return subprocess.run(
        [sys.executable, "-m", "fairuse", *map(str, args)],
        input=stdin, capture_output=True, text=True, env=full_env, cwd=cwd or ROOT,
        timeout=120,
    )


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def no_system_writes(monkeypatch):
    """Should a regression try to replace /dev/stdout or /dev/null (as root it could), fail the test first."""
    import tempfile

    system = ("/dev", "/proc", "/sys")

    def guard(name, real, *where):
        def call(*args, **kwargs):
            for i in where:
                target = kwargs.get("dir") if i == "dir" else (args[i] if len(args) > i else None)
                if target is not None and os.path.abspath(str(target)).startswith(system):
                    raise AssertionError(f"{name} on {target}: a system path would have been changed")
            return real(*args, **kwargs)
        return call

    monkeypatch.setattr(os, "replace", guard("os.replace", os.replace, 1))
    monkeypatch.setattr(os, "rename", guard("os.rename", os.rename, 1))
    monkeypatch.setattr(os, "link", guard("os.link", os.link, 1))
    monkeypatch.setattr(tempfile, "mkstemp", guard("mkstemp", tempfile.mkstemp, "dir"))


HOSTILE_TEXT = " <img src=x onerror=alert(1)> [x](javascript:alert(1)) [/bold] ``` \x1b]2;pwned\x07 <script>s</script>"


def plant_hostile_text(rules_dst: Path, casebook_dst: Path) -> None:
    """Copies of the rules and the casebook whose every text (titles, provisions' words, explanations, notes,
    citations, jurisdiction names, the ruleset's version, the decisions' names and holdings) ends in markup
    and a terminal escape, as a ruleset or casebook others write could (issue 22)."""
    import yaml

    shutil.copytree(RULES, rules_dst)
    shutil.copytree(ROOT / "casebook", casebook_dst)

    def dump(path, data):
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))

    for path in rules_dst.glob("*/*.yaml"):
        if path.parent.name == "tests":
            continue
        data = yaml.safe_load(path.read_text())
        if path.name == "weighing.yaml":
            data["name"] = data.get("name", "X") + HOSTILE_TEXT
            for prov in (data.get("provisions") or {}).values():
                prov["title"] += HOSTILE_TEXT
                prov["conditions"] = {k: v + HOSTILE_TEXT for k, v in prov["conditions"].items()}
            for mod in data.get("modifiers") or []:
                mod["explanation"] = mod.get("explanation", "") + HOSTILE_TEXT
            for spec in data.get("assumptions") or []:
                spec["reason"] += HOSTILE_TEXT
        else:
            for rule in data.get("rules") or []:
                for key in ("title", "text", "explanation", "unsettled", "unverified"):
                    if rule.get(key):
                        rule[key] += HOSTILE_TEXT
                for key in ("note", "mitigation", "duty"):
                    if rule["then"].get(key):
                        rule["then"][key] += HOSTILE_TEXT
        dump(path, data)
    table = yaml.safe_load((rules_dst / "authorities.yaml").read_text())
    for spec in table["authorities"].values():
        spec["cite"] += HOSTILE_TEXT
        if spec.get("limit"):
            spec["limit"] += HOSTILE_TEXT
    dump(rules_dst / "authorities.yaml", table)
    meta = yaml.safe_load((rules_dst / "ruleset.yaml").read_text())
    meta["version"] = str(meta["version"]) + HOSTILE_TEXT
    dump(rules_dst / "ruleset.yaml", meta)
    for path in casebook_dst.glob("*.yaml"):
        data = yaml.safe_load(path.read_text())
        for key in ("name", "citation", "holding", "later", "court"):
            if data.get(key):
                data[key] = str(data[key]) + HOSTILE_TEXT
        dump(path, data)


def assert_no_raw_markup(markdown: str) -> None:
    """Nothing from the hostile text is Markdown or HTML: no tag, no link, no escape reaches the reader
    (inside a fenced code block, nothing is markup)."""
    import re

    outside = _outside_fences(markdown)
    assert "<img" not in outside and "<script" not in outside, outside[:2000]
    assert not re.search(r"(?<!\\)\]\(javascript", outside), outside[:2000]
    assert "\x1b" not in markdown and "\x07" not in markdown


def _outside_fences(markdown: str) -> str:
    """The Markdown outside fenced code blocks (inside one, nothing is markup)."""
    import re

    out, fence = [], None
    for line in markdown.splitlines():
        opening = re.match(r"^(`{3,}|~{3,})", line)
        if fence is None and opening:
            fence = opening.group(1)
            continue
        if fence is not None:
            if line.startswith(fence[0] * len(fence)) and not line.strip(fence[0]):
                fence = None
            continue
        out.append(line)
    return "\n".join(out)


def brings_its_claim(base, a, claim) -> bool:
    """Answering a separate claim's facts as its example does makes its rule fire (the claim is really open)."""
    from fairuse.assess import assess

    answers = {k: v for k, v in a.answers.items() if k in base.vocabulary.facts or k == "use_summary"}
    again = assess({**answers, **claim.example, "jurisdictions": [claim.jurisdiction]}, rulebase=base,
                   as_of=a.as_of, casebook=None, sensitivity=False)
    return claim.rule in {f.rule.id for f in again.trace[claim.jurisdiction]}
