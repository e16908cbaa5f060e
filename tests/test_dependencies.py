"""Every third-party module the package, its tests and its benchmarks import
comes from a distribution that pyproject.toml declares. A module that arrives
only as another package's dependency breaks a fresh install the day that
package drops it (typer stopped bringing click)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata

from conftest import ROOT

SCANNED = ("fairuse", "tests", "benchmarks")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(project["dependencies"])
    for group in project.get("optional-dependencies", {}).values():
        specs += group
    return {_norm(re.match(r"\s*([A-Za-z0-9_.\-]+)", spec).group(1)) for spec in specs}


def _local_modules() -> set[str]:
    names = {"fairuse", "conftest"}
    for folder in ("tests", "benchmarks"):
        names |= {p.stem for p in (ROOT / folder).rglob("*.py")}
    return names


def _third_party_imports():
    local = _local_modules()
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top in sys.stdlib_module_names or top in local or top == "__future__":
                        continue
                    yield top, path.relative_to(ROOT)


def _undeclared(imports, declared, owners) -> dict[str, set[str]]:
    undeclared: dict[str, set[str]] = {}
    for top, where in imports:
        dists = {_norm(d) for d in owners.get(top, [])} or {_norm(top)}
        if not dists & declared:
            undeclared.setdefault(top, set()).add(str(where))
    return undeclared


def test_every_imported_module_comes_from_a_declared_distribution():
    undeclared = _undeclared(_third_party_imports(), _declared(), metadata.packages_distributions())
    assert not undeclared, "imported but not declared in pyproject.toml: " + "; ".join(
        f"{top} (in {', '.join(sorted(where))})" for top, where in sorted(undeclared.items())
    )


def test_the_check_catches_an_undeclared_import():
    """click arrives only through an older typer: the check must flag it."""
    owners = {"click": ["click"], "yaml": ["PyYAML"]}
    imports = [("click", "tests/test_cli.py"), ("yaml", "fairuse/yamlfile.py")]
    assert _undeclared(imports, {"pyyaml", "typer"}, owners) == {"click": {"tests/test_cli.py"}}
    assert {"yaml", "jinja2", "typer", "pytest"} <= {top for top, _ in _third_party_imports()}
