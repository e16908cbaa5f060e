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
    """Replace the first ``old`` in the file with ``new`` (``old`` must be there)."""
    text = path.read_text()
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
