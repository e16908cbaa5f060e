"""The durable-rules adapter: chaining, tracing, isolation, errors."""

import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fairuse import engine as engine_module
from fairuse.answers import load_answers
from fairuse.analysis import analyse
from fairuse.assess import assess, engine_for
from fairuse.errors import EngineError

from conftest import EXAMPLES, ROOT

EXAMPLE_NAMES = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))


def _answers(vocab, name):
    return load_answers(vocab, EXAMPLES / f"{name}.yaml")


def test_forward_chaining_reaches_findings_then_leanings(base, vocab):
    # work_kind -> finding work_nature -> nature factor leaning, in that order
    result = assess({"work_kind": "fiction"}, rulebase=base, sensitivity=False)
    steps = {f.rule.id: f.step for f in result.trace["us"]}
    assert steps["us.107.2.kind-creative"] < steps["us.107.2.weigh-creative"]
    weigh = next(f for f in result.trace["us"] if f.rule.id == "us.107.2.weigh-creative")
    assert weigh.matched == {"work_nature": "creative"}
    assert result.us.factors["nature"].leaning == "owner"


def test_trace_records_match_conclusion_and_authority(base, vocab):
    result = assess(_answers(vocab, "google-books"), rulebase=base)
    entry = next(f for f in result.trace_dicts()["us"] if f["rule"] == "us.107.1.non-expressive")
    assert entry["matched"] == {"non_expressive_use": True}  # the finding stated by non_expressive
    assert entry["concluded"]["finding"] == {"transformative": "strong"}
    assert entry["concluded"]["leans"] == "user"
    assert any("HathiTrust" in a for a in entry["authority"])


def test_two_rules_concluding_the_same_finding_do_not_collide(base):
    # non-expressive and search-index both conclude transformative=strong
    result = assess({"purpose": "search_index", "public_exposure": "snippets", "non_expressive": True},
                    rulebase=base, sensitivity=False)
    fired = {f.rule.id for f in result.trace["us"]}
    assert {"us.107.1.non-expressive", "us.107.1.search-index"} <= fired


def test_unknown_is_never_no(base):
    # nothing about publication: neither the unpublished nor the published rule fires
    result = assess({"purpose": "parody"}, rulebase=base, sensitivity=False)
    fired = {f.rule.id for f in result.trace["us"]}
    assert not fired & {"us.107.2.unpublished", "us.107.2.published"}
    assert "work_published" in [c for c in _candidates(base, result)]


def _candidates(base, result):
    from fairuse.assess import candidate_facts
    return candidate_facts(base, ["us"], result.answers, result.as_of)


def test_back_to_back_assessments_do_not_leak(base, vocab):
    a = _answers(vocab, "commercial-coursepack")
    b = _answers(vocab, "google-books")
    first_a = analyse(a, rulebase=base).to_json()
    assess(b, rulebase=base)
    assert analyse(a, rulebase=base).to_json() == first_a
    # findings from one run never reach another
    lone = assess({"purpose": "satire"}, rulebase=base, sensitivity=False)
    assert {f.rule.id for f in lone.trace["us"]} == {"us.107.1.satire"}


def _fresh_process_results():
    code = (
        "import json, sys; sys.path.insert(0, %r)\n"
        "from fairuse.rules import load_rulebase; from fairuse.answers import load_answers\n"
        "from fairuse.analysis import analyse\n"
        "base = load_rulebase(%r)\n"
        "out = {}\n"
        "for name in %r:\n"
        "    out[name] = analyse(load_answers(base.vocabulary, %r + '/' + name + '.yaml'), rulebase=base).to_json()\n"
        "print(json.dumps(out, default=str))\n"
    ) % (str(ROOT), str(ROOT / "rules"), EXAMPLE_NAMES, str(EXAMPLES))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_200_assessments_in_one_process_match_fresh_processes(base, vocab):
    fresh = _fresh_process_results()
    answers = {name: _answers(vocab, name) for name in EXAMPLE_NAMES}
    for i in range(200):
        name = EXAMPLE_NAMES[i % len(EXAMPLE_NAMES)]
        got = json.loads(json.dumps(analyse(answers[name], rulebase=base).to_json(), default=str))
        assert got == fresh[name], name


def test_no_state_is_left_in_the_engine(base, vocab):
    assess(_answers(vocab, "llm-web-crawl"), rulebase=base)
    eng = engine_for(base, "us", __import__("datetime").date(2026, 11, 25))
    assert eng._runs == {}


def test_an_error_inside_a_rule_surfaces(base, monkeypatch):
    from fairuse.engine import durable

    real = durable.Firing  # the C engine's actions make the firings (fairuse/engine/durable.py)

    def exploding(rule, matched, step):
        if rule.id == "us.107.2.weigh-creative":
            raise ZeroDivisionError("boom")
        return real(rule, matched, step)

    monkeypatch.setattr(durable, "Firing", exploding)
    with pytest.raises(EngineError, match=r"us\.107\.2\.weigh-creative raised ZeroDivisionError"):
        assess({"work_kind": "fiction"}, rulebase=base, sensitivity=False)
    monkeypatch.setattr(durable, "Firing", real)
    # and the engine still works afterwards
    assert assess({"work_kind": "fiction"}, rulebase=base, sensitivity=False).us.factors["nature"].leaning == "owner"


def test_facts_no_rule_observes_do_not_crash_the_engine():
    # durable-rules refuses an unobserved fact, and deleting that session then
    # crashes the C engine (double free): run in a subprocess so a crash shows
    code = (
        "import sys, datetime as dt; sys.path.insert(0, %r)\n"
        "from fairuse.rules import load_rulebase; from fairuse.assess import assess\n"
        "base = load_rulebase(%r)\n"
        "assess({}, rulebase=base)\n"
        "assess({'purpose': 'parody'}, rulebase=base)\n"
        "assess({'jurisdictions': ['jp', 'eu']}, rulebase=base, as_of=dt.date(2010, 1, 1))\n"
        "print('survived')\n"
    ) % (str(ROOT), str(ROOT / "rules"))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0 and "survived" in done.stdout, done.stderr


def _durable_own_loop(self, index, sid, facts_in):
    """The reference: durable-rules' own Host runs the actions (what Engine._assert_and_act replaces)."""
    self._host.assert_facts(self.partitions[index].name, facts_in)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_own_action_loop_fires_as_durable_rules_own_host_does(base, vocab, monkeypatch, name):
    """Same firings, in the same order, with the same matched facts, findings and defeats, on every
    run an assessment makes (the example and every sensitivity variant)."""
    seen = []
    real_run = engine_module.Engine.run

    def recording(self, facts, holding=None):
        out = real_run(self, facts, holding)
        seen.append(([(f.rule.id, f.step, json.dumps(f.matched, sort_keys=True, default=str)) for f in out[0]],
                     sorted((r.id, tuple(by)) for r, by in out[0].defeated),
                     json.dumps(out[1], sort_keys=True, default=str)))
        return out

    monkeypatch.setattr(engine_module.Engine, "run", recording)
    monkeypatch.setattr(engine_module.Engine, "settle", recording)  # the variants, through the C engine too
    answers = _answers(vocab, name)
    ours = analyse(answers, rulebase=base)
    ours_runs, seen[:] = list(seen), []
    monkeypatch.setattr(engine_module.Engine, "_assert_and_act", _durable_own_loop)
    theirs = analyse(answers, rulebase=base)
    assert seen == ours_runs and len(seen) > 10
    assert json.dumps(ours.to_json(), default=str) == json.dumps(theirs.to_json(), default=str)


# ------------------------------------------------- leaves worked out per fact (Engine.leaves)

def _leaves_plain(engine, facts):
    """Engine.leaves as it was before each fact's share was kept: every leaf, every time."""
    from fairuse.engine import _holds, _known, _reads

    known = _known(facts)
    return (frozenset(k for k, leaf in engine.fact_leaves if _holds(leaf, facts, engine._multi)),
            frozenset(k for k, leaf in engine.fact_leaves if _reads(leaf, known)))


def _all_engines(base):
    import datetime as dt

    from fairuse.assess import engine_for

    return [engine_for(base, code, dt.date(2026, 11, 1)) for code in base.jurisdictions]


def _examples_and_variants(base):
    """(example name, its facts or a variant): each bool or choice fact set to each value, each fact unknown."""
    for path in sorted(EXAMPLES.glob("*.yaml")):
        facts = dict(load_answers(base.vocabulary, path))
        variants = [facts] + [{**facts, f.id: v} for f in base.vocabulary if f.type in ("bool", "choice")
                              for v in f.domain if v != "unknown"]
        variants += [{k: v for k, v in facts.items() if k != drop} for drop in facts]  # each fact unknown
        for variant in variants:
            yield path.name, variant


def test_leaves_per_fact_equal_every_leaf_for_every_example_and_its_variants(base):
    engines = _all_engines(base)
    checked = 0
    for name, variant in _examples_and_variants(base):
        for engine in engines:
            assert engine.leaves(variant) == _leaves_plain(engine, variant), name
            checked += 1
    assert checked > 1000


def test_leaves_keep_apart_what_the_leaves_tell_apart(base):
    """True is not 1, None is not absent, a list is read as its members: the kept shares never mix them."""
    for engine in _all_engines(base):
        names = {leaf.name for _, leaf in engine.fact_leaves}
        for name in sorted(names):
            for value in (True, 1, False, 0, None, "x", [], ["x"], (), 1.0):
                facts = {name: value}
                assert engine.leaves(facts) == _leaves_plain(engine, facts), (name, value)
            assert engine.leaves({}) == _leaves_plain(engine, {})


def _any_answers(base, data) -> dict:
    """Any answers the vocabulary allows: each fact absent or one of its values (a multi: any of its values)."""
    entries = {f.id: (st.lists(st.sampled_from([v for v in f.domain if v != "unknown"]), unique=True)
                      if f.type == "multi" else st.sampled_from(list(f.domain)))
               for f in base.vocabulary if f.type in ("bool", "choice", "multi")}
    return data.draw(st.fixed_dictionaries({}, optional=entries))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_leaves_per_fact_equal_every_leaf_for_any_answers(base, data):
    facts = _any_answers(base, data)
    for engine in _all_engines(base):
        assert engine.leaves(facts) == _leaves_plain(engine, facts)
        assert engine.holding(facts) == _leaves_plain(engine, facts)[0]


def test_the_facts_json_written_directly_is_what_json_dumps_writes():
    from fairuse.engine import _facts_json

    for facts_in in ([{"sid": "7", "t": "s"}], [{"sid": "12", "t": "s"}, {"sid": "12", "t": "l", "k": 3}],
                     [{"sid": "1", "t": "l", "k": k} for k in (1, 40, 399)], []):
        assert _facts_json(facts_in) == json.dumps(facts_in, ensure_ascii=False)
    odd = [{"sid": "a\"b", "t": "l", "k": 1}, {"sid": "1", "t": "x"}, {"sid": "1", "t": "l", "k": True}]
    for facts_in in ([f] for f in odd):
        assert _facts_json(facts_in) == json.dumps(facts_in, ensure_ascii=False)


# ------------------------------------- what-if variants settled in Python (Engine.settle)

def _concluded(firings, findings):
    """What a verdict can read of a run: the rules that fired, their findings, the defeated rules."""
    return ({f.rule.id for f in firings},
            {fid: set(values) for fid, values in findings.items()},
            {rule.id for rule, _ in getattr(firings, "defeated", [])})


def _assert_settles_as_run(engine, facts, label):
    ran = engine.run(facts)
    settled = engine.settle(facts)
    assert _concluded(*settled) == _concluded(*ran), label
    assert [f.step for f in settled[0]] == list(range(1, len(settled[0]) + 1)), label


def test_settle_concludes_what_run_concludes_for_every_example_and_its_variants(base):
    engines = _all_engines(base)
    checked = 0
    for name, variant in _examples_and_variants(base):
        for engine in engines:
            _assert_settles_as_run(engine, variant, name)
            checked += 1
    assert checked > 1000


def test_settle_concludes_what_run_concludes_for_every_casebook_decision(base):
    from fairuse.casebook import load_casebook

    engines = {code: engine for code, engine in zip(base.jurisdictions, _all_engines(base))}
    cases = load_casebook(ROOT / "casebook", base)
    assert len(cases) > 100
    defeats = 0
    for case in cases:
        engine = engines[case.jurisdiction]
        _assert_settles_as_run(engine, case.facts, case.id)
        defeats += bool(engine.run(case.facts)[0].defeated)
    assert defeats > 0  # the retraction path is exercised too


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_settle_concludes_what_run_concludes_for_any_answers(base, data):
    facts = _any_answers(base, data)
    for engine in _all_engines(base):
        _assert_settles_as_run(engine, facts, sorted(facts.items(), key=str))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_verdict_does_not_depend_on_the_order_rules_fired_in(base, data):
    """The weighing reads which rules fired, never their order: settle() may fire them in another."""
    import datetime as dt

    from fairuse.assess import _evaluate
    from fairuse.casebook import load_casebook

    cases = [c for c in load_casebook(ROOT / "casebook", base)]
    case = data.draw(st.sampled_from(cases))
    on = dt.date(2026, 11, 1)
    result, firings = _evaluate(base, case.jurisdiction, case.facts, on)
    shuffled = engine_module.Firings(data.draw(st.permutations(list(firings))))
    shuffled.defeated = firings.defeated
    findings: dict = {}
    for f in shuffled:
        for fid, value in f.rule.then.finding.items():
            findings.setdefault(fid, {}).setdefault(value, []).append(f.rule.id)
    engine = engine_for(base, case.jurisdiction, on)
    original = engine_module.Engine.run
    try:
        engine_module.Engine.run = lambda self, facts, holding=None: (shuffled, findings)
        again, _ = _evaluate(base, case.jurisdiction, case.facts, on)
    finally:
        engine_module.Engine.run = original
    assert engine is engine_for(base, case.jurisdiction, on)
    assert (again.raw_verdict, again.verdict) == (result.raw_verdict, result.verdict), case.id
    if hasattr(result, "score"):
        assert again.score == result.score, case.id
        assert {n: f.score for n, f in again.factors.items()} == {n: f.score for n, f in result.factors.items()}


def test_what_if_verdicts_settled_equal_those_run(base):
    """Every variant the sensitivity and "what the answer rests on" read, both ways."""
    import datetime as dt

    from fairuse.assess import _evaluate

    on = dt.date(2026, 11, 1)
    checked = 0
    for path in sorted(EXAMPLES.glob("*.yaml")):
        facts = {k: v for k, v in load_answers(base.vocabulary, path).items()
                 if k not in ("use_summary", "assessment_date", "conduct_date")}
        for f in base.vocabulary:
            if f.type not in ("bool", "choice"):
                continue
            for value in f.domain:
                variant = {**facts, f.id: value}
                for code in facts.get("jurisdictions") or ["us"]:
                    ran = _evaluate(base, code, variant, on)[0]
                    settled = _evaluate(base, code, variant, on, settle=True)[0]
                    assert (settled.raw_verdict, settled.verdict) == (ran.raw_verdict, ran.verdict), (path.name, f.id)
                    checked += 1
    assert checked > 500


def test_defeats_along_a_chain_of_20000_exceptions_resolve_without_recursion():
    """Issue 22: the defeats were resolved by recursion (a 3,000-rule chain was "nested too deeply") and
    looked at every fired rule for each one (quadratic)."""
    from types import SimpleNamespace as Fired

    from fairuse.engine.trace import defeated_by

    chain = [Fired(rule=Fired(id=f"r{i:05d}", exception_to=(f"r{i - 1:05d}",) if i else ())) for i in range(20_000)]
    defeats = defeated_by(list(reversed(chain)))
    assert sorted(defeats) == [f"r{i:05d}" for i in range(0, 20_000, 2)]  # the top one stands, and every other
    assert all(by == [f"r{int(rule[1:]) + 1:05d}"] for rule, by in defeats.items())
    # two exceptions to one rule, one of them defeated in turn: the other still defeats it
    rules = [Fired(rule=Fired(id="base", exception_to=())), Fired(rule=Fired(id="a", exception_to=("base",))),
             Fired(rule=Fired(id="b", exception_to=("base",))), Fired(rule=Fired(id="c", exception_to=("a",)))]
    assert defeated_by(rules) == {"a": ["c"], "base": ["b"]}
