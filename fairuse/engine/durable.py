"""Running the compiled rules in durable-rules' C engine: our own host (no dispatch threads), our own
loop over its calls, the actions that record firings and deliver findings. The only module that
knows durable-rules. See the notes of :mod:`fairuse.engine`."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field

import durable_rules_engine
from durable import engine as durable_engine

from ..errors import EngineError
from ..rules import Rule
from .network import _same
from .trace import Firing, Firings, defeated_by

_sids = itertools.count(1)


class _Host(durable_engine.Host):
    """A durable-rules host without the background dispatch threads."""

    def _run(self):  # noqa: D401 - the library's hook
        return None


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


class DurableRun:
    """Runs in the C engine (a mixin of :class:`~fairuse.engine.Engine`)."""

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
