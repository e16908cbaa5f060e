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
import threading

import durable_rules_engine

from .. import conditions as cond
from ..errors import EngineError, FairuseError  # noqa: F401 - the engine's errors, for its users
from ..rules import Rule
from .durable import DurableRun, _action_name, _Context, _facts_json, _Host, _Run, _start  # noqa: F401
from .network import (LIMITS, _ABSENT, Compiler, Leaves, _holds, _known, _Partition, _push_not,  # noqa: F401
                      _reads, _same, _share, _Unit, _value_key)
from .settle import Settle
from .trace import Firing, Firings, defeated_by  # noqa: F401

_names = itertools.count(1)


class Engine(Compiler, Leaves, Settle, DurableRun):
    """A compiled set of rules. ``run(facts)`` returns the firings in order; ``settle(facts)`` the same
    rules fired, worked out in Python (what-if variants). Its parts: :mod:`.network` (compiling, which
    leaves hold), :mod:`.durable` (the C engine), :mod:`.settle`, :mod:`.trace`."""

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
