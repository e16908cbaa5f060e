"""The rules engine: YAML rules compiled to durable-rules (Rete, forward chaining).

This module is the only one that knows durable-rules. Its interface is
:class:`Engine` (compile once) and :meth:`Engine.run` (facts in, firings out).
What-if variants (what an unknown fact would change, what the answer rests on:
hundreds per memo) read only the verdicts; :meth:`Engine.settle` works them out
in Python over the same compiled rules, the same rules firing with the same
findings (checked against :meth:`Engine.run` by the tests), at a tenth of the cost.

How a ruleset is compiled
-------------------------
* Every distinct leaf of every condition (``purpose is ai_training``,
  ``finding transformative is strong``) gets a number ``k``. A run asserts one
  fact ``{"t": "l", "k": k}`` for each leaf that holds: fact leaves are
  evaluated on the answers before the run, finding leaves as soon as a rule
  concludes a finding that satisfies them (forward chaining).
* A rule's condition is compiled without expanding it into disjunctive normal
  form: ``not`` is pushed down to the leaves, an ``all`` becomes one join over
  its leaves, and an ``any`` nested inside an ``all`` becomes an auxiliary leaf
  concluded by one small rule per alternative (a Tseitin encoding). The
  compiled size is linear in the size of the condition.
* The compiled rules are split across as many durable-rules rulesets as the
  C engine's fixed limits need (:data:`LIMITS`); findings concluded in one are
  delivered to the others until nothing new is concluded.

Why no user text reaches durable-rules
--------------------------------------
durable-rules reserves property names (``sid``, ``id``, ``$``-operators such
as ``$and``, ``$or``, ``$m``) and we reserve ``t``; its C code has fixed limits
(``MAX_OBJECT_PROPERTIES 255`` in state.h, 16 messages joined per rule, 255
rules per shared test, 511 distinct tests below one test, 4096 actions per
ruleset). Fact names, finding names and answer values never become durable
property names or values here: only the integers ``k`` do, so a fact named
``t``, ``sid``, ``id`` or ``$and``, an emoji or a NUL in a value, or a
vocabulary of any size cannot reach those limits. What is left (leaves, joins,
rules per ruleset) is counted at compile time against :data:`LIMITS` with a
margin; a rule that cannot fit even alone raises a one-line
:class:`~fairuse.errors.FairuseError`.

The library's other traps, and what we do about each
----------------------------------------------------
* Identical facts raise ``MessageObservedException``: a run asserts each leaf
  fact at most once per ruleset.
* Exceptions raised in actions are swallowed (stored in the state as
  ``exception``): every action catches its own errors and records them; any
  error raises :class:`EngineError`. The actions are run by our own loop over
  the C engine (:meth:`Engine._assert_and_act`: the library's calls, in its
  order, without its per-action Python layer), which swallows nothing.
* ``durable.lang`` keeps one global host with background dispatch threads: we
  build our own host (without the threads), one per engine, with unique names.
* A fact no rule observes is refused, and deleting a session whose first fact
  was refused crashes the process (a double free in the C engine): a leaf fact
  is asserted only into the rulesets that have a rule testing it. Deleting a
  session in which no action ever ran crashes it too (a segfault, found while
  building this): each session starts with a ``start`` fact that one rule
  matches. (An observer rule matching every fact would also do, at the price of
  one action call per fact: it made a run 1.5 times slower.)
* Assessments must not leak into each other: each run uses a fresh session id
  (``sid``), and its state is deleted afterwards (a ruleset holds at most 1024
  live sessions).
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field

import durable_rules_engine
from durable import engine as durable_engine

from . import conditions as cond
from .errors import EngineError, FairuseError
from .rules import Rule

_names = itertools.count(1)
_sids = itertools.count(1)

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


class _Host(durable_engine.Host):
    """A durable-rules host without the background dispatch threads."""

    def _run(self):  # noqa: D401 - the library's hook
        return None


@dataclass
class Firing:
    """One rule firing: the trace entry."""

    rule: Rule
    matched: dict  # fact -> value, finding -> value, as the rule saw them
    step: int

    def to_dict(self, on=None) -> dict:
        then = self.rule.then
        concluded = {k: v for k, v in then.model_dump(exclude_none=True).items() if v not in ({}, [], "")}
        if self.rule.factor and "factor" not in concluded:
            concluded["factor"] = self.rule.factor
        return {
            "step": self.step,
            "rule": self.rule.id,
            "matched": self.matched,
            "concluded": concluded,
            "authority": self.rule.cites(on),
            **({"unsettled": self.rule.unsettled} if self.rule.unsettled else {}),
            **({"unverified": self.rule.unverified} if self.rule.unverified else {}),
        }


class Firings(list):
    """The firings of one run, in order; ``defeated`` lists the rules whose
    conclusions an exception overrode: ``(rule, [ids of the exceptions])``."""

    defeated: list = []


def defeated_by(firings: list) -> dict:
    """Rules that fired and are defeated by a fired exception that is not itself defeated.

    Default logic (as in Catala): a rule declaring ``exception_to: [ids]``
    overrides those rules when both fire. Exceptions of exceptions are resolved
    from the top (lint rejects cycles).
    """
    fired = {f.rule.id: f.rule for f in firings}
    memo: dict = {}

    def is_defeated(rule_id: str, seen: frozenset) -> list:
        if rule_id in memo:
            return memo[rule_id]
        by = sorted(e.id for e in fired.values() if rule_id in e.exception_to and e.id not in seen
                    and not is_defeated(e.id, seen | {rule_id}))
        memo[rule_id] = by
        return by

    out = {}
    for rule_id in sorted(fired):
        by = is_defeated(rule_id, frozenset())
        if by:
            out[rule_id] = by
    return out


@dataclass
class _Run:
    facts: dict
    sid: str
    disabled: frozenset = frozenset()
    firings: list = field(default_factory=list)
    fired: set = field(default_factory=set)
    errors: list = field(default_factory=list)
    findings: dict = field(default_factory=dict)  # finding -> {value: [rule ids]}
    asserted: set = field(default_factory=set)  # (partition, k) already asserted
    pending: dict = field(default_factory=dict)  # partition -> [k] to assert


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
        leaves = unit.leaves()
        if len(self.leaves | leaves) > LIMITS["leaves"] or self.count + len(unit.rules) > LIMITS["rules"]:
            return False
        uses = dict(self.uses)
        for terms, _ in unit.rules:
            for k in set(terms):
                uses[k] = uses.get(k, 0) + 1
                if uses[k] > LIMITS["rules_per_leaf"]:
                    return False
        return True

    def add(self, unit: _Unit) -> None:
        self.units.append(unit)
        self.leaves |= unit.leaves()
        self.count += len(unit.rules)
        for terms, _ in unit.rules:
            for k in set(terms):
                self.uses[k] = self.uses.get(k, 0) + 1


class Engine:
    """A compiled set of rules. ``run(facts)`` returns the firings in order."""

    def __init__(self, rules: list[Rule], domains: cond.Domains, label: str = "rules"):
        self.rules = list(rules)
        self.name = f"fairuse_{label}_{next(_names)}"
        self._domains = domains
        self._multi = {name for name, kind in domains.fact_types.items() if kind == "multi"}
        self._runs: dict[str, _Run] = {}
        self._lock = threading.Lock()
        self._leaf_ids: dict = {}  # leaf key -> k
        self.fact_leaves: list = []  # (k, Leaf)
        self.finding_leaves: dict = {}  # finding name -> [(k, Leaf)]
        self._by_fact: dict | None = None  # fact name -> [(k, Leaf)], once compiled
        self._shares: dict = {}  # (fact, value) -> (its leaves that hold, its leaves read as holding)
        self._net: tuple | None = None  # the compiled rules for settle(), built on first use
        self._aux = 0
        units = [self._compile_rule(rule) for rule in self.rules]
        self.partitions: list[_Partition] = []
        for unit in units:
            if not unit.rules:
                continue  # a condition that can never hold: nothing to compile (lint reports it)
            for part in self.partitions:
                if part.fits(unit):
                    break
            else:
                part = _Partition(f"{self.name}_{len(self.partitions) + 1}")
                if not part.fits(unit):
                    raise FairuseError(
                        f"{unit.rule.where}: {unit.rule.id}: its condition is too large for the rules engine "
                        f"(more than {LIMITS['leaves']} distinct tests or {LIMITS['rules']} alternatives)")
                self.partitions.append(part)
            part.add(unit)
        self._part_of_leaf: dict = {}  # k -> [partition index]
        self._actions: list[dict] = []  # partition index -> {durable rule name -> our action}
        definitions = {}
        for index, part in enumerate(self.partitions):
            for k in sorted(part.leaves):
                self._part_of_leaf.setdefault(k, []).append(index)
            definition: dict = {"start": {"all": [{"m": {"t": "s"}}], "run": _start}}
            actions = {"start": _start}
            n = 0
            for unit in part.units:
                for terms, target in unit.rules:
                    n += 1
                    actions[f"r{n}"] = self._action(unit.rule, index, target)
                    definition[f"r{n}"] = {
                        "all": [{f"m{i}": {"$and": [{"t": "l"}, {"k": k}]}} for i, k in enumerate(terms)],
                        "run": actions[f"r{n}"],
                    }
            definitions[part.name] = definition
            self._actions.append(actions)
        self._host = _Host()
        if definitions:
            try:
                self._host.register_rulesets(definitions)
            except Exception as exc:  # the library's own limits, should ours be wrong
                raise FairuseError(f"{label}: the rules engine refused the ruleset: {getattr(exc, 'message', exc)}") from None
        self._handles = [self._host.get_ruleset(part.name)._handle for part in self.partitions]

    def close(self) -> None:
        """Free the C engine's rulesets (an engine evicted from a cache must not leak them)."""
        for ruleset in getattr(getattr(self, "_host", None), "_ruleset_list", ()):
            handle, ruleset._handle = getattr(ruleset, "_handle", None), None
            if handle is not None:
                try:
                    durable_rules_engine.delete_ruleset(handle)
                except Exception:  # pragma: no cover - already gone
                    pass

    def __del__(self):
        try:
            self.close()
        except Exception:  # pragma: no cover - interpreter shutting down
            pass

    # ---------------------------------------------------------------- compiling
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

    # ------------------------------------------------------------------ running
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

    def run(self, facts: dict, holding: frozenset | None = None) -> tuple[list[Firing], dict]:
        """Forward-chain from ``facts``; return (firings, findings).

        When a fired rule is an exception to another fired rule, the run is
        repeated without the defeated rules, so nothing concluded from their
        findings survives; ``firings.defeated`` records them for the trace.
        """
        firings, findings = self._run(facts, frozenset(), holding)
        defeats = defeated_by(firings)
        out = Firings(firings)
        out.defeated = []
        if defeats:
            out, findings = self._retract(facts, firings, defeats)
        return out, findings

    def settle(self, facts: dict, holding: frozenset | None = None) -> tuple[list[Firing], dict]:
        """What :meth:`run` concludes, worked out in Python over the same compiled rules: for
        what-if variants, which read only the verdicts.

        The compiled rules are conjunctions of leaves (see the module notes), so the run's
        fixpoint is found by counting, for each conjunction, how many of its leaves hold;
        a conjunction whose leaves all hold fires its rule or concludes its auxiliary leaf,
        and a rule's findings make its finding leaves hold. This is what the C engine
        computes, without a session, JSON or a call per action: the same rules fire, with
        the same findings, defeats and retraction (tests/test_engine.py checks it against
        :meth:`run` on every example, every casebook decision and random facts). What
        differs: the firings' order and steps, and ``matched`` is empty (the trace comes
        from :meth:`run`); no verdict reads either (see :func:`fairuse.weighing.weigh_fair_use`).
        """
        net = self._net
        if net is None:
            net = self._net = self._network()
        sizes, targets, by_leaf = net
        if holding is None:
            holding = self.holding(facts)
        counts = [0] * len(sizes)
        have: set = set()
        queue = sorted(holding, reverse=True)
        firings: list = []
        fired: set = set()
        findings: dict = {}
        finding_leaves = self.finding_leaves
        while queue:
            k = queue.pop()
            if k in have:
                continue
            have.add(k)
            for i in by_leaf.get(k, ()):
                counts[i] += 1
                if counts[i] != sizes[i]:
                    continue
                target = targets[i]
                if type(target) is int:  # an auxiliary leaf
                    queue.append(target)
                    continue
                if target.id in fired:
                    continue
                fired.add(target.id)
                firings.append(Firing(target, {}, len(firings) + 1))
                for fid, value in target.then.finding.items():
                    seen = findings.setdefault(fid, {})
                    new = value not in seen
                    seen.setdefault(value, []).append(target.id)
                    if new:
                        queue.extend(k2 for k2, leaf in finding_leaves.get(fid, ()) if _same(value, leaf.values))
        defeats = defeated_by(firings)
        if defeats:
            return self._retract(facts, firings, defeats)
        out = Firings(firings)
        out.defeated = []
        return out, findings

    def _network(self) -> tuple:
        """(leaves per conjunction, what each concludes: aux leaf number or rule, leaf -> conjunctions)."""
        sizes: list = []
        targets: list = []
        by_leaf: dict = {}
        for part in self.partitions:
            for unit in part.units:
                for terms, target in unit.rules:
                    i = len(sizes)
                    sizes.append(len(set(terms)))
                    targets.append(unit.rule if target is None else target)
                    for k in set(terms):
                        by_leaf.setdefault(k, []).append(i)
        return sizes, targets, by_leaf

    def _retract(self, facts: dict, firings: list, defeats: dict):
        """Drop defeated firings, then every firing that rested on a finding only they concluded.

        Conditions are monotone (unknown is never "no", and ``not`` is the
        complement over declared values), so removing findings can only stop
        rules from firing, never start one: retraction is exact.
        """
        known = _known(facts)
        alive = [f for f in firings if f.rule.id not in defeats]
        dropped = [f for f in firings if f.rule.id in defeats]
        while True:
            findings: dict = {}
            for f in alive:
                for fid, value in f.rule.then.finding.items():
                    findings.setdefault(fid, {}).setdefault(value, []).append(f.rule.id)
            view = {**known, **{k: set(v) for k, v in findings.items()}}
            keep = [f for f in alive if not f.rule.findings_used or cond.evaluate(f.rule.when, view, self._domains)]
            if len(keep) == len(alive):
                break
            alive = keep
        out = Firings(Firing(f.rule, f.matched, i + 1) for i, f in enumerate(alive))
        out.defeated = [(f.rule, defeats[f.rule.id]) for f in dropped]
        return out, findings

    def _run(self, facts: dict, disabled: frozenset, holding: frozenset | None = None) -> tuple[list[Firing], dict]:
        sid = str(next(_sids))
        run = _Run(dict(facts), sid, disabled)
        if holding is None:
            holding = self.holding(facts)
        for k, _leaf in self.fact_leaves:
            if k in holding:
                self._deliver(run, k, None, None)
        touched: set = set()
        with self._lock:
            self._runs[sid] = run
            try:
                while run.pending:
                    index = min(run.pending)
                    ks = run.pending.pop(index)
                    facts_in = [{"sid": sid, "t": "l", "k": k} for k in ks]
                    if index not in touched:  # a session's first fact fires an action: see the module notes
                        touched.add(index)
                        facts_in.insert(0, {"sid": sid, "t": "s"})
                    self._assert_and_act(index, sid, facts_in)
                    if run.errors:
                        break
            except EngineError:
                raise
            except Exception as exc:  # the library's own errors
                raise EngineError(f"the rules engine failed: {getattr(exc, 'message', exc)}") from exc
            finally:
                self._runs.pop(sid, None)
                for index in sorted(touched):
                    try:
                        self._host.delete_state(self.partitions[index].name, sid)
                    except Exception:  # pragma: no cover - nothing left to clean
                        pass
        if run.errors:
            rule_id, exc = run.errors[0]
            raise EngineError(f"rule {rule_id} raised {type(exc).__name__}: {exc}") from exc
        return run.firings, run.findings

    def _assert_and_act(self, index: int, sid: str, facts_in: list) -> None:
        """Assert ``facts_in`` into partition ``index`` and run the actions it triggers, in the engine's order.

        The same calls into the C engine, in the same order, as durable-rules'
        ``Host.assert_facts`` (assert, ``start_action_for_state``, then per
        action ``update_state`` and ``complete_and_start_action``), without its
        per-action Python layer (a closure, two clock readings, a JSON round
        trip of the state, a promise): that layer was half the time of a run.
        Nothing is swallowed: an action that raises ends the run as an
        :class:`EngineError` (our actions record their own errors in the run).
        """
        handle = self._handles[index]
        result = durable_rules_engine.assert_facts(handle, _facts_json(facts_in))
        if result[0] == 1:
            raise durable_engine.MessageNotHandledException(facts_in)
        if result[0] == 2:
            raise durable_engine.MessageObservedException(facts_in)
        state_handle = 0 if result[0] == 3 else result[1]
        started = durable_rules_engine.start_action_for_state(handle, state_handle)
        if not started:
            return
        state, message = started[0], started[1]
        context = _Context(sid, handle)
        actions = self._actions[index]
        while True:
            name = _action_name(message)
            try:
                actions[name](context)
            except Exception as exc:  # pragma: no cover - our actions catch their own errors
                durable_rules_engine.abandon_action(handle, state_handle)
                raise EngineError(f"a rule action failed: {type(exc).__name__}: {exc}") from exc
            durable_rules_engine.update_state(handle, state)
            following = durable_rules_engine.complete_and_start_action(handle, state_handle)
            if not following:
                return
            message = following

    def _deliver(self, run: _Run, k: int, here: int | None, c) -> None:
        """Assert leaf ``k`` in every ruleset that tests it (at once in ``here``)."""
        for index in self._part_of_leaf.get(k, ()):
            if (index, k) in run.asserted:
                continue
            run.asserted.add((index, k))
            if index == here:
                if type(c) is _Context:
                    c.assert_leaf(k)
                else:  # durable-rules' own closure (its own loop, as a test runs it)
                    c.assert_fact({"t": "l", "k": k})
            else:
                run.pending.setdefault(index, []).append(k)

    # ------------------------------------------------------------------ actions
    def _action(self, rule: Rule, index: int, target):
        facts_used, findings_used = sorted(rule.facts_used), sorted(rule.findings_used)

        def action(c):
            run = self._runs.get(c.s.sid)
            if run is None:  # a stray state: never ours to record
                return
            try:
                if target is not None:  # an auxiliary leaf: part of a condition holds
                    self._deliver(run, target, index, c)
                    return
                if rule.id in run.fired or rule.id in run.disabled:
                    return
                run.fired.add(rule.id)
                matched = {name: run.facts[name] for name in facts_used if name in run.facts}
                for name in findings_used:
                    if name in run.findings:
                        matched[name] = sorted(run.findings[name], key=str) if len(run.findings[name]) > 1 else next(iter(run.findings[name]))
                run.firings.append(Firing(rule, matched, len(run.firings) + 1))
                for fid, value in rule.then.finding.items():
                    seen = run.findings.setdefault(fid, {})
                    new = value not in seen
                    seen.setdefault(value, []).append(rule.id)
                    if new:
                        for k, leaf in self.finding_leaves.get(fid, ()):
                            if _same(value, leaf.values):
                                self._deliver(run, k, index, c)
            except Exception as exc:  # durable-rules would swallow it
                run.errors.append((rule.id, exc))
        return action


def _action_name(message: str) -> str:
    """The rule an action message is for: its one key, ``{"r12":{...}}`` (our names: ``start``, ``r<n>``)."""
    if message.startswith('{"'):
        end = message.find('"', 2)
        if end > 2:
            return message[2:end]
    return next(iter(json.loads(message)))  # pragma: no cover - another layout of the same JSON


class _Context:
    """What an action sees of its session: ``c.s.sid``, and ``c.assert_fact`` into its own ruleset."""

    __slots__ = ("s", "sid", "_handle")

    def __init__(self, sid: str, handle):
        self.s = self  # c.s.sid, as durable-rules' closures have it
        self.sid = sid
        self._handle = handle

    def assert_leaf(self, k: int) -> None:
        """``assert_fact({"t": "l", "k": k})``, its JSON written directly (see :func:`_facts_json`)."""
        text = f'{{"t": "l", "k": {int(k)}, "sid": "{self.sid}"}}'
        result = durable_rules_engine.assert_fact(self._handle, text)
        if result[0] == 1:
            raise durable_engine.MessageNotHandledException({"t": "l", "k": k, "sid": self.sid})
        if result[0] == 2:
            raise durable_engine.MessageObservedException({"t": "l", "k": k, "sid": self.sid})

    def assert_fact(self, fact: dict) -> None:
        fact["sid"] = self.sid
        result = durable_rules_engine.assert_fact(self._handle, json.dumps(fact, ensure_ascii=False))
        if result[0] == 1:
            raise durable_engine.MessageNotHandledException(fact)
        if result[0] == 2:
            raise durable_engine.MessageObservedException(fact)


def _facts_json(facts_in: list) -> str:
    """``json.dumps(facts_in)`` for the only facts a run asserts (``{"sid": <digits>, "t": "s"}`` and
    ``{"sid": <digits>, "t": "l", "k": <int>}``), written directly: the same text, a third of the time."""
    parts = []
    for fact in facts_in:
        if fact.keys() == {"sid", "t"} and fact["t"] == "s":
            parts.append(f'{{"sid": "{fact["sid"]}", "t": "s"}}')
        elif fact.keys() == {"sid", "t", "k"} and fact["t"] == "l" and type(fact["k"]) is int:
            parts.append(f'{{"sid": "{fact["sid"]}", "t": "l", "k": {fact["k"]}}}')
        else:
            return json.dumps(facts_in, ensure_ascii=False)
        if not fact["sid"].isdigit():
            return json.dumps(facts_in, ensure_ascii=False)
    return "[" + ", ".join(parts) + "]"


def _start(c):
    """The first action of every session (see the module notes)."""
    return None


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
