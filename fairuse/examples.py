"""The bundled example scenarios (``examples/*.yaml``)."""

from __future__ import annotations

from pathlib import Path

from .errors import FairuseError, closest
from .paths import data_dir
from .yamlfile import load_file


def examples_dir() -> Path:
    return data_dir("examples")


def names() -> list[str]:
    return sorted(p.stem for p in examples_dir().glob("*.yaml"))


def path(name: str) -> Path:
    candidate = examples_dir() / f"{name}.yaml"
    if not candidate.exists():
        raise FairuseError(f"--example: no bundled example '{name}'{closest(name, names())}; "
                           f"run 'fairuse examples' to list them")
    return candidate


def summaries() -> list[tuple[str, str]]:
    out = []
    for name in names():
        data = load_file(examples_dir() / f"{name}.yaml")
        summary = " ".join(str((data or {}).get("use_summary", "")).split())
        out.append((name, summary))
    return out
