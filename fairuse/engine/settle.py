"""What-if variants worked out in Python over the compiled rules, and the retraction of defeated rules
(shared with the C engine's runs). See :meth:`Settle.settle`."""

from __future__ import annotations

from .. import conditions as cond
from .network import _known, _same
from .trace import Firing, Firings, defeated_by


class Settle:
    """A mixin of :class:`~fairuse.engine.Engine`."""

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
        rules from firing, never start one: retraction is exact. Each firing is
        checked once, and again only when a finding value it reads loses its last
        surviving rule, so a chain of thousands of findings resting on a defeated
        rule unravels in one pass, not one pass per link.
        """
        known = _known(facts)
        alive = {i: f for i, f in enumerate(firings) if f.rule.id not in defeats}
        producers: dict = {}  # (finding, value) -> indices of the surviving firings concluding it
        readers: dict = {}  # finding -> indices of the surviving firings whose condition reads it
        for i, f in alive.items():
            for fid, value in f.rule.then.finding.items():
                producers.setdefault((fid, _key(value)), set()).add(i)
            for fid in f.rule.findings_used:
                readers.setdefault(fid, []).append(i)
        view = dict(known)
        for fid, key in producers:
            view.setdefault(fid, set()).add(key[1])
        queue = [i for i, f in alive.items() if f.rule.findings_used]
        queue.reverse()
        while queue:
            i = queue.pop()
            f = alive.get(i)
            if f is None or cond.evaluate(f.rule.when, view, self._domains):
                continue
            del alive[i]
            for fid, value in f.rule.then.finding.items():
                left = producers[(fid, _key(value))]
                left.discard(i)
                if not left:
                    view[fid].discard(value)
                    if not view[fid]:
                        del view[fid]
                    queue.extend(j for j in readers.get(fid, ()) if j in alive)
        kept = [alive[i] for i in sorted(alive)]
        findings: dict = {}
        for f in kept:
            for fid, value in f.rule.then.finding.items():
                findings.setdefault(fid, {}).setdefault(value, []).append(f.rule.id)
        dropped = [f for f in firings if f.rule.id in defeats]
        out = Firings(Firing(f.rule, f.matched, i + 1) for i, f in enumerate(kept))
        out.defeated = [(f.rule, defeats[f.rule.id]) for f in dropped]
        return out, findings


def _key(value):
    """A finding value as a key that keeps ``True`` apart from ``1``."""
    return (type(value) is bool, value)
