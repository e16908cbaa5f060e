"""The condition language: negation, DNF and the engine agree (property tests)."""

import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fairuse import conditions as cond
from fairuse.engine import Engine
from fairuse.rules import Conclusion, Rule

FACTS = {"a": ("x", "y", "z"), "b": (True, False), "c": ("p", "q")}
DOMAINS = cond.Domains(FACTS, {"a": "choice", "b": "bool", "c": "choice"}, {})


def leaves():
    def leaf(name, op, values):
        domain = FACTS[name]
        if op == "known":
            return cond.Leaf("fact", name, None, values[0] is True)
        chosen = frozenset(v for v in domain if v in values) or frozenset(domain[:1])
        return cond.Leaf("fact", name, chosen, None)
    return st.builds(leaf, st.sampled_from(sorted(FACTS)), st.sampled_from(["in", "known"]),
                     st.lists(st.sampled_from(["x", "y", "z", True, False, "p", "q"]), min_size=1, max_size=3))


conditions = st.recursive(
    leaves(),
    lambda inner: st.one_of(
        st.builds(lambda xs: cond.All(tuple(xs)), st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda xs: cond.Any(tuple(xs)), st.lists(inner, min_size=1, max_size=3)),
        st.builds(cond.Not, inner)),
    max_leaves=6)

answers = st.fixed_dictionaries({}, optional={k: st.sampled_from(v) for k, v in FACTS.items()})


def _known(facts):
    return {k: {v} for k, v in facts.items()}


def _by_dnf(c, facts):
    return any(all(cond.evaluate(leaf, _known(facts), DOMAINS) for leaf in conj) for conj in cond.to_dnf(c, DOMAINS))


@settings(max_examples=300, deadline=None)
@given(c=conditions, facts=answers)
def test_dnf_preserves_meaning(c, facts):
    assert cond.evaluate(c, _known(facts), DOMAINS) == _by_dnf(c, facts)


@settings(max_examples=60, deadline=None)
@given(leaf=leaves(), facts=answers)
def test_unknown_is_never_no(leaf, facts):
    if leaf.name not in facts and leaf.known is None:
        assert not cond.evaluate(leaf, _known(facts), DOMAINS)
        assert not cond.evaluate(cond.Not(leaf), _known(facts), DOMAINS)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(c=conditions, facts=answers)
def test_the_engine_agrees_with_the_condition(c, facts):
    if not cond.to_dnf(c, DOMAINS):
        return  # a contradiction: lint reports it; the engine has nothing to compile
    rule = Rule("us.test.rule", "us", "t", "t", c, {}, Conclusion(note="n"), None, "explanation",
                (), dt.date(2000, 1, 1), None, None, (), Path("x.yaml"), 1)
    firings, _ = Engine([rule], DOMAINS, "prop").run(facts)
    assert bool(firings) == cond.evaluate(c, _known(facts), DOMAINS)


@settings(max_examples=400, deadline=None)
@given(a=conditions, b=conditions)
def test_joint_finds_what_the_product_of_the_two_dnfs_finds_first(a, b):
    together = (cond._simplify(x + y) for x in cond.to_dnf(a, DOMAINS) for y in cond.to_dnf(b, DOMAINS))
    assert cond.joint(a, b, DOMAINS) == next((c for c in together if c is not None), None)


def _wide(names, k):
    """all of k any-of-4 over distinct facts: 4**k alternatives."""
    return cond.All(tuple(cond.Any(tuple(cond.Leaf("fact", names[4 * j + m], frozenset({True})) for m in range(4)))
                          for j in range(k)))


def test_joint_never_multiplies_two_conditions_of_4096_alternatives_out():
    names = [f"f{i}" for i in range(24)]
    domains = cond.Domains({n: (True, False) for n in names}, {n: "bool" for n in names}, {})
    wide = _wide(names, 6)
    assert cond.dnf_size(wide, domains) == 4096
    found = cond.joint(wide, wide, domains, budget=1_000)
    assert found is not None and len(found) == 6  # the first alternative of each, found at once
    # a pair that holds together nowhere: refused within the budget, not 16 million conjunctions later
    never = cond.Not(cond.Any(tuple(cond.Leaf("fact", n, frozenset({True})) for n in names[20:])))
    assert cond.joint(wide, never, domains, budget=100_000) is None
    try:
        cond.joint(cond.All((wide, never)), wide, domains, budget=5_000)
    except cond.TooManyAlternatives:
        pass
    else:
        raise AssertionError("the budget was not kept")
