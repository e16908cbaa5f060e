"""The house: data flows one way (answers -> facts -> engine -> findings -> one analysis -> renderers), and
no module imports another that imports it back, at module level or inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "fairuse"


def _modules() -> dict[str, Path]:
    out = {}
    for p in ROOT.rglob("*.py"):
        parts = list(p.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = p
    return out


def _graph() -> dict[str, set]:
    mods = _modules()
    graph = {}
    for name, path in mods.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        deps = set()
        for node in ast.walk(ast.parse(path.read_text())):
            targets = []
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")[:len(package.split(".")) - (node.level - 1)] if node.level else []
                module = ".".join(base + ([node.module] if node.module else [])) if node.level else node.module
                targets = [f"{module}.{a.name}" for a in node.names] + [module]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            for t in targets:
                while t and t not in mods and "." in t:
                    t = t.rsplit(".", 1)[0]
                if t in mods and t != name and not name.startswith(t + "."):
                    deps.add(t)
        graph[name] = deps
    return graph


def _reaches(graph, start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        m = todo.pop()
        if m == goal:
            return True
        if m not in seen:
            seen.add(m)
            todo.extend(graph.get(m, ()))
    return False


def test_no_module_imports_one_that_imports_it_back():
    graph = _graph()
    circles = sorted({tuple(sorted((a, b))) for a, deps in graph.items() for b in deps if _reaches(graph, b, a)})
    assert not circles, circles


def test_each_layer_reads_only_those_below_it():
    graph = _graph()
    below_never_reaches = {
        "fairuse.engine": ["fairuse.assess", "fairuse.analysis", "fairuse.report", "fairuse.memo"],
        "fairuse.casebook": ["fairuse.assess", "fairuse.evaluation", "fairuse.analysis"],
        "fairuse.assess": ["fairuse.analysis", "fairuse.report", "fairuse.memo", "fairuse.evaluation", "fairuse.cli"],
        "fairuse.analysis": ["fairuse.report", "fairuse.memo", "fairuse.cli", "fairuse.evaluation"],
        "fairuse.prose": ["fairuse.assess", "fairuse.casebook", "fairuse.engine", "fairuse.memo"],
        "fairuse.report": ["fairuse.assess", "fairuse.casebook", "fairuse.engine", "fairuse.memo"],
        "fairuse.memo.context": ["fairuse.assess", "fairuse.casebook", "fairuse.engine"],
    }
    for module, forbidden in below_never_reaches.items():
        for other in forbidden:
            assert not _reaches(graph, module, other), f"{module} reaches {other}"


def test_no_engine_module_is_a_four_hundred_line_class():
    for path in (ROOT / "engine").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                assert node.end_lineno - node.lineno < 250, (path.name, node.name)
