"""The fact vocabulary: which facts exist, their types and allowed values.

Loaded from ``rules/facts.yaml`` (or the ``facts.yaml`` of a ruleset directory
given with ``--rules``). Everything downstream (answers, rule conditions,
questions, casebook files) is checked against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import FairuseError, closest, shown
from .yamlfile import Node, load_file

TYPES = ("bool", "choice", "multi", "text", "date")
# the facts that say which AI act is assessed: a use of several acts answers each, so none is an open question
ACT_FACTS = ("ai_stage", "ai_acts")


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

    def json_schema(self) -> dict:
        """The JSON Schema of a value of this fact, as an answers or casebook file states it."""
        if self.type == "bool":
            return {"type": "boolean"}
        if self.type == "choice":
            return {"type": "string", "enum": list(self.values)}
        if self.type == "multi":
            return {"type": "array", "items": {"type": "string", "enum": list(self.values)}}
        if self.type == "date":
            return {"type": "string", "format": "date"}
        return {"type": "string"}


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
        if not isinstance(fact_id, str):
            raise FairuseError(f"{where}: a fact is named by its id (text), got {shown(fact_id)}")
        if fact_id not in self.facts:
            raise FairuseError(
                f"{where}: unknown fact '{fact_id}'{closest(fact_id, self.facts)}"
            )
        return self.facts[fact_id]


FACT_KEYS = ("type", "values", "meaning")


def load_vocabulary(path: Path) -> Vocabulary:
    """Read ``facts.yaml``, every key and value checked for its type before it is used.

    A fact named ``true:`` (YAML reads it as true/false), ``values: abc`` (text, not a
    list), a value that is a mapping or ``version: abc`` is one line naming the file,
    the line and the key, never a traceback or a quiet change of meaning.
    """
    data = load_file(path, cached=True)
    if not isinstance(data, Node) or not isinstance(data.get("facts"), dict):
        raise FairuseError(f"{path}: expected a mapping with a 'facts' mapping")
    extra = sorted(str(k) for k in data if k not in ("version", "facts"))
    if extra:
        raise FairuseError(f"{path}:{data.line_of(extra[0])}: unknown key '{extra[0]}'{closest(extra[0], ['version', 'facts'])}")
    version = data.get("version", 1)
    if type(version) is not int or version < 1:
        raise FairuseError(f"{path}:{data.line_of('version')}: 'version': expected a whole number (1), got {version!r}"[:300])
    table = data["facts"]
    facts: dict[str, Fact] = {}
    for fid, spec in table.items():
        line = table.line_of(fid)
        if not isinstance(fid, str) or not fid.strip():
            hint = " (quote it: YAML reads true, false, yes, no, on and off as true/false)" if isinstance(fid, bool) else ""
            raise FairuseError(f"{path}:{line}: a fact's id must be text, got {fid!r}{hint}")
        if not isinstance(spec, dict) or spec.get("type") not in TYPES:
            raise FairuseError(f"{path}:{line}: fact '{fid}': 'type' must be one of {', '.join(TYPES)}")
        at = f"{path}:{getattr(spec, 'line_of', lambda k: line)('type')}: fact '{fid}'"
        for key in spec:
            if key not in FACT_KEYS:
                where = spec.line_of(key) if isinstance(spec, Node) else line
                raise FairuseError(f"{path}:{where}: fact '{fid}': unknown key '{key}'{closest(str(key), FACT_KEYS)}")
        raw = spec.get("values")
        where = f"{path}:{spec.line_of('values') if isinstance(spec, Node) else line}: fact '{fid}': 'values'"
        if raw is not None and not isinstance(raw, list):
            raise FairuseError(f"{where}: expected a list of values ([a, b, c]), got {shown(raw)}")
        values = tuple(raw or ())
        for value in values:
            if not isinstance(value, str) or not value.strip():
                hint = " (quote it: YAML reads yes, no, true and false as true/false)" if isinstance(value, bool) else ""
                raise FairuseError(f"{where}: each value must be text, got {shown(value)}{hint}")
        if len(set(values)) != len(values):
            twice = next(v for v in values if values.count(v) > 1)
            raise FairuseError(f"{where}: '{twice}' is listed twice")
        if spec["type"] in ("choice", "multi") and not values:
            raise FairuseError(f"{at}: a {spec['type']} fact needs 'values'")
        if values and spec["type"] not in ("choice", "multi"):
            raise FairuseError(f"{where}: a {spec['type']} fact takes no values (only choice and multi do)")
        meaning = spec.get("meaning", "")
        if not isinstance(meaning, str):
            raise FairuseError(f"{path}:{spec.line_of('meaning')}: fact '{fid}': 'meaning': expected text, got {shown(meaning)}")
        facts[fid] = Fact(fid, spec["type"], values, meaning.strip())
    return Vocabulary(facts, path, version, {f: table.line_of(f) for f in facts})

