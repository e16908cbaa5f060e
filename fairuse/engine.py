"""The rules engine: YAML rules compiled to durable-rules (Rete, forward chaining).

This module is the only one that knows durable-rules. Its interface is
:class:`Engine` (compile once) and :meth:`Engine.run` (facts in, firings out).

How a ruleset is compiled
-------------------------
* The answers are asserted as one ``case`` fact; each rule condition is turned
  into a disjunction of conjunctions, and each conjunction becomes one
  durable-rules rule whose fact tests sit on the case fact and whose finding
  tests are joins on ``finding`` facts.
* A firing rule asserts its findings as new facts, so rules that test those
  findings fire in turn (forward chaining).

The library's traps, and what we do about each
----------------------------------------------
* Identical facts raise ``MessageObservedException``, and a fact's identity is
  its ``id`` property when it has one (two findings with the same ``id`` are
  "identical" whatever else they say): finding facts use ``name``, never
  ``id``, carry the id of the rule that concluded them (``by``), and a rule
  concludes once per run (a second match of the same rule is ignored).
* Exceptions raised in actions are swallowed (stored in the state as
  ``exception``): every action catches its own errors and records them, and the
  state is checked after the run; any error raises :class:`EngineError`.
* Rulesets live in a host under unique names, and ``durable.lang`` keeps one
  global host with background dispatch threads: we build our own host (without
  the threads), one per engine, with a unique ruleset name.
* A fact no rule observes is refused with ``MessageNotHandledException``, inside
  an action that error is swallowed with the rest of the action, and deleting a
  session whose first fact was refused crashes the process (a double free in the
  C engine, found while building this): two observer rules match every case fact
  and every finding fact, so no fact is ever refused.
* Assessments must not leak into each other: each run uses a fresh session id
  (``sid``), and its state is deleted afterwards.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field

from durable import engine as durable_engine

from . import conditions as cond
from .errors import EngineError
from .rules import Rule

_names = itertools.count(1)
_sids = itertools.count(1)


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

    def to_dict(self) -> dict:
        then = self.rule.then
        concluded = {k: v for k, v in then.model_dump(exclude_none=True).items() if v not in ({}, [], "")}
        if self.rule.factor and "factor" not in concluded:
            concluded["factor"] = self.rule.factor
        return {
            "step": self.step,
            "rule": self.rule.id,
            "matched": self.matched,
            "concluded": concluded,
            "authority": self.rule.cites(),
            **({"unsettled": self.rule.unsettled} if self.rule.unsettled else {}),
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
    disabled: frozenset = frozenset()
    firings: list = field(default_factory=list)
    fired: set = field(default_factory=set)
    errors: list = field(default_factory=list)
    findings: dict = field(default_factory=dict)  # finding -> {value: [rule ids]}


class Engine:
    """A compiled set of rules. ``run(facts)`` returns the firings in order."""

    def __init__(self, rules: list[Rule], domains: cond.Domains, label: str = "rules"):
        self.rules = list(rules)
        self._domains = domains
        self.name = f"fairuse_{label}_{next(_names)}"
        self._runs: dict[str, _Run] = {}
        self._lock = threading.Lock()
        definition: dict = {
            "observe_case": {"all": [{"m": {"t": "case"}}], "run": _observe},
            "observe_finding": {"all": [{"m": {"t": "finding"}}], "run": _observe},
        }
        multi = {name for name, kind in domains.fact_types.items() if kind == "multi"}
        for index, rule in enumerate(self.rules):
            for k, conj in enumerate(cond.to_dnf(rule.when, domains)):
                definition[f"r{index}_{k}"] = {"all": _compile(conj, multi), "run": self._action(rule)}
        self._host = _Host()
        self._host.register_rulesets({self.name: definition})

    # ------------------------------------------------------------------ running
    def run(self, facts: dict) -> tuple[list[Firing], dict]:
        """Forward-chain from ``facts``; return (firings, findings).

        When a fired rule is an exception to another fired rule, the run is
        repeated without the defeated rules, so nothing concluded from their
        findings survives; ``firings.defeated`` records them for the trace.
        """
        firings, findings = self._run(facts, frozenset())
        defeats = defeated_by(firings)
        out = Firings(firings)
        out.defeated = []
        if defeats:
            out, findings = self._retract(facts, firings, defeats)
        return out, findings

    def _retract(self, facts: dict, firings: list, defeats: dict):
        """Drop defeated firings, then every firing that rested on a finding only they concluded.

        Conditions are monotone (unknown is never "no", and ``not`` is the
        complement over declared values), so removing findings can only stop
        rules from firing, never start one: retraction is exact.
        """
        known = {k: (set(v) if isinstance(v, list) else {v}) for k, v in facts.items()}
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

    def _run(self, facts: dict, disabled: frozenset) -> tuple[list[Firing], dict]:
        sid = str(next(_sids))
        run = _Run(dict(facts), disabled)
        case = {"sid": sid, "t": "case", **{k: _plain(v) for k, v in facts.items()}}
        with self._lock:
            self._runs[sid] = run
            try:
                self._host.assert_fact(self.name, case)
                state = self._host.get_state(self.name, sid)
            except Exception as exc:  # the library's own errors
                raise EngineError(f"the rules engine failed: {getattr(exc, 'message', exc)}") from exc
            finally:
                self._runs.pop(sid, None)
                try:
                    self._host.delete_state(self.name, sid)
                except Exception:  # pragma: no cover - nothing left to clean
                    pass
        if run.errors:
            rule_id, exc = run.errors[0]
            raise EngineError(f"rule {rule_id} raised {type(exc).__name__}: {exc}") from exc
        if state.get("exception"):
            raise EngineError(f"a rule action failed: {state['exception']}")
        return run.firings, run.findings

    # ------------------------------------------------------------------ actions
    def _action(self, rule: Rule):
        def action(c):
            run = self._runs.get(c.s.sid)
            if run is None:  # a stray state: never ours to record
                return
            try:
                if rule.id in run.fired or rule.id in run.disabled:
                    return
                run.fired.add(rule.id)
                matched = {name: run.facts[name] for name in sorted(rule.facts_used) if name in run.facts}
                for name in sorted(rule.findings_used):
                    if name in run.findings:
                        matched[name] = sorted(run.findings[name], key=str) if len(run.findings[name]) > 1 else next(iter(run.findings[name]))
                run.firings.append(Firing(rule, matched, len(run.firings) + 1))
                for fid, value in rule.then.finding.items():
                    run.findings.setdefault(fid, {}).setdefault(value, []).append(rule.id)
                    c.assert_fact({"t": "finding", "name": fid, "v": value, "by": rule.id})
            except Exception as exc:  # durable-rules would swallow it
                run.errors.append((rule.id, exc))
        return action


def _observe(c):
    """Matches every case and finding fact, so durable-rules never refuses one."""
    return None


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _fact_test(leaf: cond.Leaf, multi: set[str]) -> dict:
    if leaf.known is not None:
        return {"$ex" if leaf.known else "$nex": {leaf.name: 1}}
    if leaf.name in multi:
        tests = [{"$iany": {leaf.name: {"$i": v}}} for v in sorted(leaf.values, key=str)]
    else:
        tests = [{leaf.name: v} for v in sorted(leaf.values, key=str)]
    return tests[0] if len(tests) == 1 else {"$or": tests}


def _compile(conj: tuple[cond.Leaf, ...], multi: set[str]) -> list:
    fact_tests = [_fact_test(leaf, multi) for leaf in conj if leaf.kind == "fact"]
    terms: list = []
    if fact_tests:
        terms.append({"case": {"$and": [{"t": "case"}, *fact_tests]}})
    for i, leaf in enumerate(leaf for leaf in conj if leaf.kind == "finding"):
        tests: list = [{"t": "finding"}, {"name": leaf.name}]
        if leaf.values is not None:
            values = [{"v": v} for v in sorted(leaf.values, key=str)]
            tests.append(values[0] if len(values) == 1 else {"$or": values})
        terms.append({f"f{i}": {"$and": tests}})
    return terms
