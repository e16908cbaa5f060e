"""The condition language of rules: ``all`` / ``any`` / ``not`` over leaves.

A leaf tests one declared fact or one declared finding::

    {fact: purpose, is: ai_training}
    {fact: commercial, in: [direct, indirect]}
    {fact: commercial, not_in: [non_commercial]}     # known, and not these
    {fact: source_access, known: false}               # nobody has said
    {finding: transformative, is: strong}

Unknown is never "no": ``is``, ``in`` and ``not_in`` are false while a fact is
unknown, and ``not`` is pushed down to the leaves as the complement over the
fact's declared values, so ``not: {fact: commercial, is: direct}`` means
"known to be non_commercial or indirect", never "not known to be direct".

A condition can be turned into a disjunction of conjunctions (:func:`to_dnf`,
bounded by :data:`MAX_ALTERNATIVES`) for lint and rule tools; the engine
compiles conditions without expanding them (see :mod:`fairuse.engine`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from .errors import FairuseError, closest, shown

LEAF_OPS = ("is", "in", "not_in", "known")
MAX_NESTING = 40  # all/any/not levels in one condition
MAX_ALTERNATIVES = 4096  # conjunctions in a condition's disjunctive normal form (lint and tools)


@dataclass(frozen=True)
class Leaf:
    kind: str  # "fact" or "finding"
    name: str
    values: frozenset | None = None  # allowed values; None with known set
    known: bool | None = None
    line: int | None = None

    def describe(self) -> str:
        if self.known is not None:
            return f"{self.name} is {'known' if self.known else 'unknown'}"
        vals = sorted(self.values, key=str)
        shown = vals[0] if len(vals) == 1 else "one of " + ", ".join(map(str, vals))
        if isinstance(shown, bool):
            shown = str(shown).lower()
        return f"{self.name} = {shown}"


@dataclass(frozen=True)
class All:
    items: tuple


@dataclass(frozen=True)
class Any:
    items: tuple


@dataclass(frozen=True)
class Not:
    item: "Condition"


Condition = Union[Leaf, All, Any, Not]


class Domains:
    """What a condition may name: fact domains and finding domains."""

    def __init__(self, facts: dict[str, tuple], fact_types: dict[str, str], findings: dict[str, tuple]):
        self.facts = facts
        self.fact_types = fact_types
        self.findings = findings


def parse(raw, domains: Domains, where, _depth: int = 0, _negated: bool = False) -> Condition:
    """Parse a ``when:`` value. ``where(line)`` formats an error location.

    Every part is checked for its type before it is used: a fact named by a list
    or a number, a value that is a mapping, a list fact under ``not``: each is one
    line naming the file, the line and the key.
    """
    line = getattr(raw, "line", None)
    if _depth > MAX_NESTING:
        raise FairuseError(f"{where(line)}: conditions nested more than {MAX_NESTING} levels deep "
                           "(all/any/not); name a part as a finding")
    if not isinstance(raw, dict) or not raw:
        raise FairuseError(f"{where(line)}: a condition must be a mapping: all/any/not or a fact/finding test")
    keys = set(raw)
    for combinator in ("all", "any"):
        if combinator in keys:
            if keys != {combinator}:
                raise FairuseError(f"{where(line)}: '{combinator}' must stand alone, found also {sorted(keys - {combinator})}")
            items = raw[combinator]
            if not isinstance(items, list) or not items:
                raise FairuseError(f"{where(raw.line_of(combinator) if hasattr(raw, 'line_of') else line)}: '{combinator}' takes a non-empty list of conditions")
            parsed = tuple(parse(item, domains, where, _depth + 1, _negated) for item in items)
            return All(parsed) if combinator == "all" else Any(parsed)
    if "not" in keys:
        if keys != {"not"}:
            raise FairuseError(f"{where(line)}: 'not' must stand alone")
        return Not(parse(raw["not"], domains, where, _depth + 1, not _negated))
    leaf = _parse_leaf(raw, domains, where, line)
    if _negated and leaf.known is None and leaf.kind == "fact" and domains.fact_types.get(leaf.name) == "multi":
        raise FairuseError(f"{where(line)}: fact '{leaf.name}' is a list; 'not' cannot test it")
    return leaf


def _parse_leaf(raw, domains: Domains, where, line) -> Leaf:
    kinds = [k for k in ("fact", "finding") if k in raw]
    if len(kinds) != 1:
        raise FairuseError(
            f"{where(line)}: a condition needs exactly one of 'fact' or 'finding' "
            f"(or all/any/not), found keys {sorted(map(str, raw))}"
        )
    kind = kinds[0]
    name = raw[kind]
    table = domains.facts if kind == "fact" else domains.findings
    if not isinstance(name, str):
        raise FairuseError(f"{where(line)}: '{kind}': expected the {kind}'s name, got {shown(name)}"
                           + (" (quote it: YAML reads true, false, yes and no as true/false)"
                              if isinstance(name, bool) else ""))
    if name not in table:
        raise FairuseError(f"{where(line)}: unknown {kind} '{name}'{closest(name, table)}")
    ops = [k for k in raw if k != kind]
    if len(ops) != 1 or ops[0] not in LEAF_OPS:
        raise FairuseError(
            f"{where(line)}: {kind} '{name}': expected exactly one of {', '.join(LEAF_OPS)}, found {ops}"
        )
    op = ops[0]
    arg = raw[op]
    domain = table[name]
    if kind == "fact" and not domain and op != "known":
        raise FairuseError(f"{where(line)}: fact '{name}' is {domains.fact_types.get(name)}; only 'known' can test it")
    if op == "known":
        if not isinstance(arg, bool):
            raise FairuseError(f"{where(line)}: {kind} '{name}': 'known' takes true or false")
        if kind == "finding":
            raise FairuseError(f"{where(line)}: finding '{name}': 'known' tests facts only; a rule cannot wait for a finding to stay absent")
        return Leaf(kind, name, None, arg, line)
    values = [arg] if op == "is" else arg
    if not isinstance(values, list) or not values:
        raise FairuseError(f"{where(line)}: {kind} '{name}': '{op}' takes a non-empty list")
    for value in values:
        if not isinstance(value, (str, bool)):
            raise FairuseError(f"{where(line)}: {kind} '{name}': '{op}': expected a value (text or true/false), "
                               f"got {shown(value)}")
        if value not in domain or (isinstance(value, bool) != isinstance(domain[0], bool)):
            listed = ", ".join(str(v).lower() if isinstance(v, bool) else str(v) for v in domain)
            hint = closest(value, [str(d) for d in domain]) if isinstance(value, str) else ""
            raise FairuseError(f"{where(line)}: {kind} '{name}': unknown value {value!r}, expected one of {listed}{hint}")
    allowed = frozenset(values)
    if op == "not_in":
        if kind == "fact" and domains.fact_types.get(name) == "multi":
            raise FairuseError(f"{where(line)}: fact '{name}' is a list; 'not_in' cannot test it")
        allowed = frozenset(domain) - allowed
        if not allowed:
            raise FairuseError(f"{where(line)}: {kind} '{name}': 'not_in' excludes every value; the rule can never fire")
    return Leaf(kind, name, allowed, None, line)


def negate(cond: Condition, domains: Domains) -> Condition:
    """Push a negation down to the leaves (unknown stays unknown)."""
    if isinstance(cond, Not):
        return cond.item
    if isinstance(cond, All):
        return Any(tuple(negate(c, domains) for c in cond.items))
    if isinstance(cond, Any):
        return All(tuple(negate(c, domains) for c in cond.items))
    if cond.known is not None:
        return Leaf(cond.kind, cond.name, None, not cond.known, cond.line)
    if cond.kind == "fact" and domains.fact_types.get(cond.name) == "multi":
        raise FairuseError(f"line {cond.line}: fact '{cond.name}' is a list; 'not' cannot test it")
    domain = domains.facts[cond.name] if cond.kind == "fact" else domains.findings[cond.name]
    # 'not' over every value leaves nothing: a leaf that is never true (lint reports the rule)
    return Leaf(cond.kind, cond.name, frozenset(domain) - cond.values, None, cond.line)


def dnf_size(cond: Condition, domains: Domains, negated: bool = False) -> int:
    """How many conjunctions :func:`to_dnf` would give at most, without expanding them."""
    if isinstance(cond, Leaf):
        return 1
    if isinstance(cond, Not):
        return dnf_size(cond.item, domains, not negated)
    sizes = [dnf_size(item, domains, negated) for item in cond.items]
    if isinstance(cond, Any) != negated:  # any, or a negated all: a sum
        return sum(sizes)
    total = 1
    for size in sizes:
        total *= size
        if total > MAX_ALTERNATIVES:
            return total
    return total


def to_dnf(cond: Condition, domains: Domains) -> list[tuple[Leaf, ...]]:
    """A list of conjunctions of leaves whose disjunction equals ``cond``.

    Refused (one line) past :data:`MAX_ALTERNATIVES` conjunctions: ``all`` of ten
    ``any``-of-4 is a million. The engine compiles conditions without expanding
    them; the DNF is for lint and rule tools.
    """
    size = dnf_size(cond, domains)
    if size > MAX_ALTERNATIVES:
        raise FairuseError(f"its condition expands to more than {MAX_ALTERNATIVES} alternatives "
                           f"(all of any's multiply); name a part as a finding or split the rule")
    return _to_dnf(cond, domains)


def _to_dnf(cond: Condition, domains: Domains) -> list[tuple[Leaf, ...]]:
    if isinstance(cond, Leaf):
        return [(cond,)] if cond.values is None or cond.values else []
    if isinstance(cond, Not):
        return _to_dnf(negate(cond.item, domains), domains)
    if isinstance(cond, Any):
        out: list[tuple[Leaf, ...]] = []
        for item in cond.items:
            out.extend(_to_dnf(item, domains))
        return out
    conjunctions: list[tuple[Leaf, ...]] = [()]
    for item in cond.items:
        conjunctions = [left + right for left in conjunctions for right in _to_dnf(item, domains)]
    return [c for c in (_simplify(c) for c in conjunctions) if c is not None]


class TooManyAlternatives(Exception):
    """:func:`joint` gave up within its budget of steps."""


def joint(first: Condition, second: Condition, domains: Domains, budget: int = 100_000) -> tuple[Leaf, ...] | None:
    """The first conjunction of leaves under which ``first`` and ``second`` both hold, or None if none does.

    What ``[_simplify(x + y) for x in to_dnf(first) for y in to_dnf(second)]`` finds
    first, in the same order, without expanding either condition: a depth-first
    search over the two trees that merges each leaf as it goes (facts and findings
    single-valued, as :func:`_simplify` reads them) and backtracks at the first
    contradiction. Memory is the depth of the trees; the steps are bounded by
    ``budget`` (:class:`TooManyAlternatives` past it), so two rules of 4,096
    alternatives each cost what their tests say, never 16 million conjunctions.
    """
    steps = 0
    # a choice point: (pending nodes as a linked list (node, rest), merged leaves so far)
    stack: list = [(((first, (second, None))), {})]
    while stack:
        pending, merged = stack.pop()
        while pending is not None:
            steps += 1
            if steps > budget:
                raise TooManyAlternatives(budget)
            node, pending = pending
            if isinstance(node, Not):
                node = negate(node.item, domains)
                pending = (node, pending)
                continue
            if isinstance(node, All):
                for item in reversed(node.items):
                    pending = (item, pending)
                continue
            if isinstance(node, Any):
                for item in reversed(node.items[1:]):
                    stack.append(((item, pending), dict(merged)))
                pending = (node.items[0], pending)
                continue
            if not _merge(merged, node):
                break
        else:
            return tuple(merged.values())
    return None


def _merge(merged: dict, leaf: Leaf) -> bool:
    """Add ``leaf`` to ``merged`` ((kind, name) -> leaf), as :func:`_simplify` merges; False on a contradiction."""
    if leaf.values is not None and not leaf.values:
        return False
    key = (leaf.kind, leaf.name)
    old = merged.get(key)
    if old is None:
        merged[key] = leaf
        return True
    if leaf.known is False or old.known is False:
        return (leaf if old.known is False else old).known is False
    if leaf.known is True:
        return True
    if old.known is True:
        merged[key] = leaf
        return True
    both = old.values & leaf.values
    if not both:
        return False
    merged[key] = Leaf(leaf.kind, leaf.name, both, None, old.line)
    return True


def _simplify(conj: tuple[Leaf, ...]) -> tuple[Leaf, ...] | None:
    """Merge leaves on the same name; ``None`` when they contradict."""
    merged: dict[tuple[str, str], Leaf] = {}
    for leaf in conj:
        if leaf.values is not None and not leaf.values:
            return None  # a test no value can pass
        key = (leaf.kind, leaf.name)
        if key not in merged:
            merged[key] = leaf
            continue
        old = merged[key]
        if leaf.known is False or old.known is False:
            other = old if leaf.known is False else leaf
            if other.known is False:
                continue
            return None  # unknown and known at once
        if leaf.known is True:
            continue
        if old.known is True:
            merged[key] = leaf
            continue
        both = old.values & leaf.values
        if not both:
            return None
        merged[key] = Leaf(leaf.kind, leaf.name, both, None, old.line)
    return tuple(merged.values())


def evaluate(cond: Condition, known: dict, domains: Domains) -> bool:
    """Evaluate ``cond`` in Python over ``known``: name -> set of values (absent = unknown).

    Used outside the engine (weighing modifiers over findings, questionnaire
    conditions over answers) with the engine's meaning: unknown is never "no",
    and ``not`` is the complement over the declared values.
    """
    if isinstance(cond, All):
        return all(evaluate(c, known, domains) for c in cond.items)
    if isinstance(cond, Any):
        return any(evaluate(c, known, domains) for c in cond.items)
    if isinstance(cond, Not):
        return evaluate(negate(cond.item, domains), known, domains)
    present = known.get(cond.name) or set()
    if cond.known is not None:
        return bool(present) == cond.known
    return bool(present & cond.values)


def names(cond: Condition, kind: str) -> set[str]:
    """The fact (or finding) names a condition mentions."""
    if isinstance(cond, Leaf):
        return {cond.name} if cond.kind == kind else set()
    if isinstance(cond, Not):
        return names(cond.item, kind)
    out: set[str] = set()
    for item in cond.items:
        out |= names(item, kind)
    return out


def to_data(cond: Condition):
    """The condition back as plain data (for ``rules show`` and the trace)."""
    if isinstance(cond, All):
        return {"all": [to_data(c) for c in cond.items]}
    if isinstance(cond, Any):
        return {"any": [to_data(c) for c in cond.items]}
    if isinstance(cond, Not):
        return {"not": to_data(cond.item)}
    if cond.known is not None:
        return {cond.kind: cond.name, "known": cond.known}
    vals = sorted(cond.values, key=str)
    return {cond.kind: cond.name, "is": vals[0]} if len(vals) == 1 else {cond.kind: cond.name, "in": vals}
