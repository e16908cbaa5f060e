"""The fact vocabulary: which facts exist, their types and allowed values.

Loaded from ``rules/facts.yaml`` (or the ``facts.yaml`` of a ruleset directory
given with ``--rules``). Everything downstream (answers, rule conditions,
questions, casebook files) is checked against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import FairuseError, closest
from .yamlfile import Node, load_file

TYPES = ("bool", "choice", "multi", "text", "date")


@dataclass(frozen=True)
class Fact:
    id: str
    type: str
    values: tuple = ()
    meaning: str = ""

    @property
    def domain(self) -> tuple:
        """The values a condition can test: choices, members, or true/false."""
        if self.type == "bool":
            return (True, False)
        return self.values

    @property
    def testable(self) -> bool:
        return self.type in ("bool", "choice", "multi")


@dataclass
class Vocabulary:
    facts: dict[str, Fact]
    path: Path | None = None
    version: int = 1
    lines: dict[str, int] = field(default_factory=dict)

    def __contains__(self, fact_id: str) -> bool:
        return fact_id in self.facts

    def __getitem__(self, fact_id: str) -> Fact:
        return self.facts[fact_id]

    def __iter__(self):
        return iter(self.facts.values())

    def require(self, fact_id, where: str) -> Fact:
        """The fact ``fact_id`` or a one-line error at ``where``."""
        if fact_id not in self.facts:
            raise FairuseError(
                f"{where}: unknown fact '{fact_id}'{closest(fact_id, self.facts)}"
            )
        return self.facts[fact_id]


def load_vocabulary(path: Path) -> Vocabulary:
    data = load_file(path, cached=True)
    if not isinstance(data, Node) or not isinstance(data.get("facts"), dict):
        raise FairuseError(f"{path}: expected a mapping with a 'facts' mapping")
    facts: dict[str, Fact] = {}
    for fid, spec in data["facts"].items():
        line = data["facts"].line_of(fid)
        if not isinstance(spec, dict) or spec.get("type") not in TYPES:
            raise FairuseError(f"{path}:{line}: fact '{fid}': 'type' must be one of {', '.join(TYPES)}")
        values = tuple(spec.get("values") or ())
        if spec["type"] in ("choice", "multi") and not values:
            raise FairuseError(f"{path}:{line}: fact '{fid}': a {spec['type']} fact needs 'values'")
        facts[str(fid)] = Fact(str(fid), spec["type"], values, str(spec.get("meaning", "")).strip())
    return Vocabulary(facts, path, int(data.get("version", 1)),
                      {f: data["facts"].line_of(f) for f in facts})
