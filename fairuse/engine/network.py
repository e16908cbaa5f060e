"""Compiling a ruleset: each distinct leaf numbered, each condition turned into conjunctions of leaves
(an ``any`` inside an ``all`` through an auxiliary leaf), split across as many durable-rules rulesets
as the C engine's limits need; and which leaves a set of facts makes hold (worked out per fact, kept).
See the notes of :mod:`fairuse.engine`."""

from __future__ import annotations

from dataclasses import dataclass

from .. import conditions as cond
from ..rules import Rule

#: The C engine's fixed limits (durable-rules src/rules), and what we allow of each per ruleset.
LIMITS = {
    # distinct leaf tests below the one type test: a 512-slot hash set (rete.c linkAlpha,
    # NEXT_BUCKET_LENGTH); at 512 the engine loops forever
    "leaves": 400,
    # rules sharing one leaf test: BETA_LIST_LENGTH 256, read one past its end (256 rules segfault)
    "rules_per_leaf": 200,
    # facts joined by one rule: MAX_MESSAGE_FRAMES 16 (error 304 beyond)
    "joins": 12,
    # rule actions per ruleset: MAX_ACTIONS 4096 (error 106 beyond)
    "rules": 3000,
}


@dataclass
class _Unit:
    """One rule compiled: durable rules (terms -> rule or auxiliary leaf)."""

    rule: Rule
    rules: list  # [(tuple of leaf numbers, action target: None for the rule, or aux leaf number)]

    def leaves(self) -> set:
        return {k for terms, _ in self.rules for k in terms}


class _Partition:
    def __init__(self, name: str):
        self.name = name
        self.units: list[_Unit] = []
        self.leaves: set = set()
        self.uses: dict = {}
        self.count = 0

    def fits(self, unit: _Unit) -> bool:
        """Would ``unit`` stay within :data:`LIMITS` here? In the unit's size, never the partition's."""
        if self.count + len(unit.rules) > LIMITS["rules"]:
            return False
        leaves = unit.leaves()
        if len(self.leaves) + len(leaves - self.leaves) > LIMITS["leaves"]:
            return False
        uses: dict = {}
        for terms, _ in unit.rules:
            for k in set(terms):
                uses[k] = uses.get(k, 0) + 1
        return all(self.uses.get(k, 0) + n <= LIMITS["rules_per_leaf"] for k, n in uses.items())

    def add(self, unit: _Unit) -> None:
        self.units.append(unit)
        self.leaves |= unit.leaves()
        self.count += len(unit.rules)
        for terms, _ in unit.rules:
            for k in set(terms):
                self.uses[k] = self.uses.get(k, 0) + 1


class Compiler:
    """Compiling rules into conjunctions of numbered leaves (a mixin of :class:`~fairuse.engine.Engine`)."""

    def _leaf(self, leaf: cond.Leaf) -> int | None:
        """The number of ``leaf`` (None: it can never hold)."""
        if leaf.values is not None and not leaf.values:
            return None
        key = (leaf.kind, leaf.name, leaf.values, leaf.known)
        if key not in self._leaf_ids:
            k = self._leaf_ids[key] = len(self._leaf_ids) + 1
            if leaf.kind == "fact":
                self.fact_leaves.append((k, leaf))
            else:
                self.finding_leaves.setdefault(leaf.name, []).append((k, leaf))
        return self._leaf_ids[key]

    def _new_aux(self) -> int:
        self._aux += 1
        k = self._leaf_ids[("aux", self._aux, None, None)] = len(self._leaf_ids) + 1
        return k

    def _compile_rule(self, rule: Rule) -> _Unit:
        out: list = []
        tree = _push_not(rule.when, self._domains)
        for terms in self._alternatives(tree, out):
            self._emit(terms, None, out)
        return _Unit(rule, out)

    def _emit(self, terms: list, target, out: list) -> None:
        terms = list(dict.fromkeys(terms))
        while len(terms) > LIMITS["joins"]:  # chain long joins through auxiliary leaves
            aux = self._new_aux()
            out.append((tuple(terms[:LIMITS["joins"]]), aux))
            terms = [aux, *terms[LIMITS["joins"]:]]
        out.append((tuple(terms), target))

    def _alternatives(self, node, out: list) -> list:
        """The conjunctions (lists of leaf numbers) whose disjunction is ``node``."""
        if isinstance(node, cond.Leaf):
            k = self._leaf(node)
            return [] if k is None else [[k]]
        if isinstance(node, cond.Any):
            alts: list = []
            for item in node.items:
                alts.extend(self._alternatives(item, out))
            return alts
        terms: list = []
        for item in node.items:
            alts = self._alternatives(item, out)
            if not alts:
                return []  # a part that can never hold
            if len(alts) == 1:
                terms.extend(alts[0])
            else:
                aux = self._new_aux()
                for alt in alts:
                    self._emit(alt, aux, out)
                terms.append(aux)
        return [terms]


class Leaves:
    """Which leaves facts make hold (a mixin of :class:`~fairuse.engine.Engine`)."""

    def holding(self, facts: dict) -> frozenset:
        """The fact leaves a run asserts for ``facts``."""
        return self.leaves(facts)[0]

    def leaves(self, facts: dict) -> tuple[frozenset, frozenset]:
        """All a run reads of ``facts`` but the trace's ``matched``: the leaves it asserts, and
        the leaves that hold where the retraction of defeated rules evaluates conditions
        (:meth:`_retract`, in Python over the facts). Equal leaves, equal firings and findings.

        A leaf reads one fact only, so each fact's share (its leaves that hold, for its
        value) is worked out once per value and kept: the sensitivity's variants, which
        change one fact at a time, then cost a look-up per fact instead of every leaf."""
        by_fact = self._by_fact
        if by_fact is None:
            by_fact = self._by_fact = {}
            for k, leaf in self.fact_leaves:
                by_fact.setdefault(leaf.name, []).append((k, leaf))
        holding: set = set()
        reads: set = set()
        shares = self._shares
        for name, pairs in by_fact.items():
            value = facts[name] if name in facts else _ABSENT
            try:
                key = (name, _value_key(value))
                share = shares.get(key)
            except TypeError:  # an unhashable value: worked out, not kept
                key, share = None, None
            if share is None:
                share = _share(pairs, name, value, self._multi)
                if key is not None:
                    if len(shares) >= 4096:
                        shares.clear()
                    shares[key] = share
            holding |= share[0]
            reads |= share[1]
        return frozenset(holding), frozenset(reads)


def _same(value, values) -> bool:
    """``value`` is one of ``values`` (``True`` is not ``1``)."""
    return any(value == v and isinstance(value, bool) == isinstance(v, bool) for v in values)


_ABSENT = object()  # a fact not in the answers (unlike one given as None)


def _value_key(value):
    """A key for a fact's value that keeps apart what the leaves tell apart (``True`` from ``1``,
    a list from a tuple, ``None`` from absent); raises TypeError for an unhashable value."""
    if value is _ABSENT:
        return ("absent",)
    if isinstance(value, list):
        return ("list", tuple(_value_key(v) for v in value))
    if isinstance(value, tuple):
        return ("tuple", tuple(_value_key(v) for v in value))
    hash(value)
    return (type(value), value)


def _share(pairs: list, name: str, value, multi: set) -> tuple[frozenset, frozenset]:
    """Of one fact's leaves ``pairs``, those that hold for ``value`` and those read as holding."""
    facts = {} if value is _ABSENT else {name: value}
    known = _known(facts)
    return (frozenset(k for k, leaf in pairs if _holds(leaf, facts, multi)),
            frozenset(k for k, leaf in pairs if _reads(leaf, known)))


def _known(facts: dict) -> dict:
    """The facts as :func:`fairuse.conditions.evaluate` reads them: name -> set of values."""
    return {k: (set(v) if isinstance(v, list) else {v}) for k, v in facts.items()}


def _reads(leaf: cond.Leaf, known: dict) -> bool:
    """A fact leaf as :func:`fairuse.conditions.evaluate` reads it (its leaf case, without the recursion)."""
    present = known.get(leaf.name) or set()
    if leaf.known is not None:
        return bool(present) == leaf.known
    return bool(present & leaf.values)


def _holds(leaf: cond.Leaf, facts: dict, multi: set) -> bool:
    """Does a fact leaf hold for ``facts``? Unknown is never "no"."""
    if leaf.name not in facts or facts[leaf.name] is None:
        return leaf.known is False
    if leaf.known is not None:
        return leaf.known
    value = facts[leaf.name]
    if leaf.name in multi and isinstance(value, (list, tuple, set, frozenset)):
        return any(_same(v, leaf.values) for v in value)
    return _same(value, leaf.values)


def _push_not(node, domains: cond.Domains):
    """``node`` with every ``not`` pushed down to the leaves (iteratively deep-safe)."""
    if isinstance(node, cond.Not):
        return _push_not(cond.negate(node.item, domains), domains)
    if isinstance(node, cond.All):
        return cond.All(tuple(_push_not(i, domains) for i in node.items))
    if isinstance(node, cond.Any):
        return cond.Any(tuple(_push_not(i, domains) for i in node.items))
    return node
