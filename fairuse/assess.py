"""The assessment pipeline: answers -> facts -> engine -> findings -> verdicts.

:func:`assess` gives an :class:`Assessment`: the verdicts (with the caution the
unknown facts call for, settled once here), the firings, the variants' moves and
the precedents the verdict drew on, all from the casebook as it stood on the
date of the law. Renderers never read it: :mod:`fairuse.analysis` builds the one
analysis every output renders from it.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass, field

from . import conditions as cond
from .engine import Engine, Firing
from .rules import NOT_NEEDED, RuleBase, facts_per_factor, forgets, load_rulebase, ruleset_key
from .weighing import (ExceptionsResult, FairUseResult, direction, toward_uncertain,
                       weigh_exceptions, weigh_fair_use)

DEFAULT_JURISDICTIONS = ["us"]


@dataclass
class Change:
    """A sensitivity result: setting ``fact`` to ``value`` moves the verdict shown.

    ``values`` lists every value of the fact that makes the same move (merged).
    """

    fact: str
    value: object
    jurisdiction: str
    before: str
    after: str
    values: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"fact": self.fact, "value": self.value, "values": self.values or [self.value],
                "jurisdiction": self.jurisdiction, "before": self.before, "after": self.after,
                "favourable": self.favourable}

    @property
    def favourable(self) -> bool:
        """True when the move is toward the user (fair, applies)."""
        rank = {"likely_unfair": 0, "does_not_apply": 0, "leaning_unfair": 1, "uncertain": 2,
                "leaning_fair": 3, "likely_fair": 4, "applies": 4, NOT_NEEDED: 5}
        return rank.get(self.after, 2) > rank.get(self.before, 2)


@dataclass
class Assessment:
    answers: dict
    as_of: dt.date
    jurisdictions: list
    results: dict  # jurisdiction -> FairUseResult | ExceptionsResult
    trace: dict  # jurisdiction -> [Firing]
    missing: list
    changes: list
    rulebase: RuleBase
    precedents: list = field(default_factory=list)
    casebook_dir: object = None  # where the precedents came from (for the memo)
    conduct_date: dt.date | None = None  # when the use happens: statutes apply by this date
    assumptions: list = field(default_factory=list)  # [{fact, assumed, reason, jurisdiction}]
    disagreements: list = field(default_factory=list)  # stated conclusions the primary facts contradict
    analogies: dict = field(default_factory=dict)  # jurisdiction -> Analogy (precedent reasoning)
    cases: list = field(default_factory=list)  # the precedents that existed on the date of the law (every step reads these)
    defaults: dict = field(default_factory=dict)  # facts the assessment supplied (the act assessed, from those listed)
    hedges: dict = field(default_factory=dict)  # jurisdiction -> _Hedge: how a one-fact variant reads against the answer

    @property
    def us(self) -> FairUseResult | None:
        return self.results.get("us")

    @property
    def tdm(self) -> dict:
        return {j: r for j, r in self.results.items() if j != "us"}

    def mitigations(self) -> list[dict]:
        """Each distinct mitigation once, with the jurisdictions and rules that offer it."""
        merged: dict[str, dict] = {}
        for code, res in self.results.items():
            for m in res.mitigations:
                entry = merged.setdefault(m["mitigation"], {"mitigation": m["mitigation"], "jurisdictions": [],
                                                            "rules": [], "authority": []})
                for key, value in (("jurisdictions", code), ("rules", m["rule"])):
                    if value not in entry[key]:
                        entry[key].append(value)
                for cite in m.get("authority", []):
                    if cite not in entry["authority"]:
                        entry["authority"].append(cite)
        return list(merged.values())

    def answers_as_read(self) -> dict:
        """The answers the rules saw, with the defaults applied (jurisdictions, the date)."""
        read = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in self.answers.items()}
        read.update({k: v for k, v in self.defaults.items() if k not in read})
        read["jurisdictions"] = list(self.jurisdictions)
        read["assessment_date"] = self.as_of.isoformat()
        return read

    def trace_dicts(self) -> dict:
        return {j: [f.to_dict(self.as_of) for f in firings] for j, firings in self.trace.items()}


# ----------------------------------------------------------------------- engines

class _LRU(OrderedDict):
    """A dict that forgets its least recently used entries past ``size``."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def get(self, key, default=None):
        if key in self:
            self.move_to_end(key)
            return self[key]
        return default

    def put(self, key, value):
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)
        return value

    def forget(self, ruleset: int) -> None:
        """Drop the entries of a freed ruleset (keys that start with its :func:`~fairuse.rules.ruleset_key`)."""
        for key in [k for k in self if (k[0] if isinstance(k, tuple) else k) == ruleset]:
            del self[key]


# Engines are cached by the set of rules in force (few distinct sets), and the date ->
# rule set look-up by date (one per day asked about): both bounded, so a long-running
# process that assesses many dates keeps flat memory.
_ENGINES = _LRU(32)
_BY_DATE = _LRU(256)
forgets(_ENGINES.forget)
forgets(_BY_DATE.forget)


def domains_of(base: RuleBase) -> cond.Domains:
    """The fact and finding domains of ``base`` (built once per ruleset; read, never changed)."""
    key = ruleset_key(base)
    hit = _DOMAINS.get(key)
    if hit is not None:
        return hit
    voc = base.vocabulary
    return _DOMAINS.put(key, cond.Domains({f.id: f.domain for f in voc}, {f.id: f.type for f in voc}, base.findings))


_DOMAINS = _LRU(16)
forgets(_DOMAINS.forget)


def _in_force_keyed(base: RuleBase, jurisdiction: str, on: dt.date, conduct: dt.date | None = None) -> tuple:
    """(the rules in force, the key of their engine), looked up by date once."""
    by_date = (ruleset_key(base), jurisdiction, on, conduct)
    hit = _BY_DATE.get(by_date)
    if hit is not None:
        return hit
    rules = tuple(base.active(jurisdiction, on, conduct))
    key = (ruleset_key(base), jurisdiction, tuple(id(r) for r in rules))
    return _BY_DATE.put(by_date, (rules, key))


def _in_force(base: RuleBase, jurisdiction: str, on: dt.date, conduct: dt.date | None = None) -> tuple:
    return _in_force_keyed(base, jurisdiction, on, conduct)[0]


def engine_for(base: RuleBase, jurisdiction: str, on: dt.date, conduct: dt.date | None = None) -> Engine:
    """The compiled engine for the rules that apply on ``on`` to conduct on ``conduct`` (cached, bounded)."""
    rules, key = _in_force_keyed(base, jurisdiction, on, conduct)
    hit = _ENGINES.get(key)
    if hit is not None:
        return hit
    return _ENGINES.put(key, Engine(list(rules), domains_of(base), jurisdiction))


def _evaluate(base: RuleBase, jurisdiction: str, facts: dict, on: dt.date, conduct: dt.date | None = None,
              holding: frozenset | None = None, settle: bool = False):
    """The jurisdiction's result and firings for ``facts``; ``settle``: found by
    :meth:`Engine.settle` (the verdicts alone are read: what-if variants)."""
    jur = base.jurisdictions[jurisdiction]
    engine = engine_for(base, jurisdiction, on, conduct)
    firings, findings = (engine.settle if settle else engine.run)(facts, holding)
    if jur.kind == "fair_use":
        result = weigh_fair_use(jur, firings, findings, domains_of(base), on, brief=settle)
    else:
        result = weigh_exceptions(jur, firings, on, conduct)
    if jur.kind == "exceptions":
        empty = not any(p.applies(on, conduct) for p in jur.provisions.values())
    else:
        empty = not _in_force(base, jurisdiction, on, conduct)
    if empty and result.verdict != NOT_NEEDED:
        if jur.kind == "exceptions":
            dates = [p.effective_from for p in jur.provisions.values()]
        else:
            dates = [r.effective_from for r in base.rules if r.jurisdiction == jurisdiction]
        first = min(dates).isoformat() if dates else "no date"
        when = on.isoformat() if (conduct or on) == on else f"conduct on {conduct.isoformat()} (law as of {on.isoformat()})"
        result.not_encoded = (f"No exception or rule of this jurisdiction encoded in this ruleset applies to {when}: "
                              f"its first encoded provision starts on {first}, and earlier law is not encoded, so the "
                              f"answer is uncertain.")
    return result, firings


def _verdicts(base: RuleBase, code: str, facts: dict, on: dt.date, conduct: dt.date | None, seen: dict) -> tuple:
    """(raw verdict, verdict) for ``facts``: a variant the engine cannot tell from one already run is not run again.

    A run reads the facts only through its leaves (:meth:`Engine.leaves`: those
    the engine asserts, and those the retraction of defeated rules reads; the
    values themselves reach only the trace's ``matched``, which no verdict
    reads), so two variants with the same leaves get the same firings and the
    same verdicts.
    """
    engine = engine_for(base, code, on, conduct)
    key = engine.leaves(facts)
    hit = seen.get((id(engine), key))
    if hit is None:
        result, _ = _evaluate(base, code, facts, on, conduct, holding=key[0], settle=True)
        hit = seen[(id(engine), key)] = (result.raw_verdict, result.verdict)
    return hit


def _verdicts_assuming(base: RuleBase, code: str, facts: dict, on: dt.date, conduct: dt.date | None,
                       seen: dict) -> tuple:
    """:func:`_verdicts` with the jurisdiction's defeater facts, where unknown, at their assumed values
    (as :func:`_evaluate_assuming` reaches the verdict shown): what every what-if variant is judged by."""
    from .reasoning.defeaters import assumed

    return _verdicts(base, code, {**facts, **assumed(base.jurisdictions[code], facts, on)}, on, conduct, seen)


def _evaluate_assuming(base: RuleBase, code: str, facts: dict, on: dt.date, conduct: dt.date | None = None):
    """Evaluate with the jurisdiction's defeater facts, where unknown, at their assumed values."""
    from .reasoning.defeaters import assumed

    extra = assumed(base.jurisdictions[code], facts, on)
    result, firings = _evaluate(base, code, {**facts, **extra}, on, conduct)
    return result, firings, extra


def fired_rules(base: RuleBase, code: str, facts: dict, on: dt.date, conduct: dt.date | None = None) -> set:
    """The ids of the rules of ``code`` that fire on ``facts`` (the defeaters still unknown at their assumed
    values): whether an answer would bring a separate claim (:mod:`fairuse.reasoning.claims`)."""
    _result, firings, _extra = _evaluate_assuming(base, code, facts, on, conduct)
    return {f.rule.id for f in firings}


def assessment_date(answers: dict, as_of: dt.date | None) -> dt.date:
    return as_of or answers.get("assessment_date") or dt.date.today()


def conduct_date(answers: dict, on: dt.date) -> dt.date:
    """When the use happens: statutes and regulations apply by this date (default: the assessment date)."""
    return answers.get("conduct_date") or on


NOT_FACTS = ("use_summary", "assessment_date", "conduct_date")
ACT_ORDER = ("data_collection", "training", "model_release", "output_generation", "retrieval_augmented_generation")


def acts_of(answers: dict) -> list[str]:
    """The AI acts a use involves, each assessed on its own: those listed (``ai_acts``) and ``ai_stage``; and,
    for a use training or analysing pirated copies, collecting them (Bartz judged the pirated library apart
    from the training)."""
    acts = set(answers.get("ai_acts") or [])
    stage = answers.get("ai_stage")
    if stage:
        acts.add(stage)
    if (not answers.get("ai_acts") and stage and stage != "data_collection"
            and answers.get("source_access") == "unauthorized_copy"
            and answers.get("purpose") in ("ai_training", "data_analysis")):
        acts.add("data_collection")
    return [a for a in ACT_ORDER if a in acts]


def primary_act(answers: dict) -> str | None:
    """The act the main answer covers: ``ai_stage`` if given, else training if listed, else the first listed."""
    if answers.get("ai_stage"):
        return answers["ai_stage"]
    acts = acts_of(answers)
    return "training" if "training" in acts else (acts[0] if acts else None)
def derived(facts: dict) -> dict:
    """The facts the assessment supplies from those given: the act assessed (``ai_stage``), from the AI acts
    listed. The questionnaire reads the same, so it asks what matters for that act."""
    if "ai_stage" not in facts and facts.get("ai_acts"):
        return {"ai_stage": primary_act(facts)}  # the rules read the act assessed
    return {}


DEFAULT_CASEBOOK = object()  # assess(casebook=...) default: the casebook that ships with the rules


def assess(answers: dict, *, rulebase: RuleBase | None = None, as_of: dt.date | None = None,
           sensitivity: bool = True, casebook=DEFAULT_CASEBOOK, exclude: str | None = None) -> Assessment:
    """Assess validated ``answers`` (see :mod:`fairuse.answers`).

    ``casebook``: the precedents that may decide an uncertain fair-use answer
    (a list of cases, a directory, ``None`` for none; by default the bundled
    casebook). ``exclude``: a case id that takes no part (leave-one-out).
    """
    from .reasoning.defeaters import declared, disagreements

    base = rulebase or load_rulebase()
    on = assessment_date(answers, as_of)
    wanted = list(answers.get("jurisdictions") or DEFAULT_JURISDICTIONS)
    unknown_jurs = [j for j in wanted if j not in base.jurisdictions]
    if unknown_jurs:
        from .errors import FairuseError
        raise FairuseError(f"{base.root}: no ruleset for jurisdiction '{unknown_jurs[0]}'")
    conduct = conduct_date(answers, on)
    facts = {k: v for k, v in answers.items() if k not in NOT_FACTS}
    defaults = derived(facts)
    facts.update(defaults)
    results: dict = {}
    trace: dict = {}
    assumed_by: dict = {}
    disagree: list = []
    for code in wanted:
        results[code], trace[code], assumed_by[code] = _evaluate_assuming(base, code, facts, on, conduct)
        disagree += disagreements(base, code, facts, trace[code])

    variants: list = []
    if sensitivity:
        # a conclusion the primary facts already settle is not a missing fact: stating it would only contradict them
        settled = {fact for finding, fact in base.stated_by.items() for firings in trace.values()
                   for f in firings if finding in f.rule.then.finding and fact not in f.rule.facts_used}
        variants = _sensitivity(base, wanted, facts, on, results, skip=settled, conduct=conduct,
                                seen=_seen(base, facts, on, conduct, results, trace, assumed_by))
    cases = _cases(base, casebook, on)
    analogies: dict = {}
    hedges: dict = {}
    for code in wanted:
        result = results[code]
        defeaters = {d["fact"] for d in declared(base.jurisdictions[code], on, facts)}
        own = [v for v in variants if v.jurisdiction == code and v.fact not in defeaters and v.after != NOT_NEEDED]
        analogy = None
        if isinstance(result, FairUseResult) and result.verdict != NOT_NEEDED:
            analogy = analogies[code] = _analogy(base, code, facts, result, cases, exclude)
        hedges[code] = (_confidence(base.jurisdictions[code], result, own, analogy, trace[code], (base, on))
                        if result.verdict != NOT_NEEDED else None)
    # "what would change the outcome" is measured against the verdict shown, once, for every output
    changes = []
    for v in variants:
        shown = results[v.jurisdiction].verdict
        if hedges[v.jurisdiction] and v.fact in hedges[v.jurisdiction].inert:
            continue
        after = hedges[v.jurisdiction].read(v) if hedges[v.jurisdiction] else v.after
        if after != shown:
            changes.append(Change(v.fact, v.value, v.jurisdiction, shown, after))
    changes = _merge(changes)
    assumptions = _assumptions(base, wanted, on, assumed_by, changes, facts)
    # every unknown fact that could change a verdict, the assumed ones included (the contract's "missing")
    missing = list(dict.fromkeys(c.fact for c in changes if c.after != NOT_NEEDED))
    return Assessment(answers, on, wanted, results, trace, missing, changes, base, conduct_date=conduct,
                      assumptions=assumptions, disagreements=disagree, analogies=analogies, cases=cases,
                      defaults=defaults, hedges=hedges)


def load_cases(base: RuleBase, casebook) -> list:
    """The precedents ``casebook`` names: None, none; :data:`DEFAULT_CASEBOOK`, the bundled casebook (none for a
    ruleset without one); a list, itself; else the casebook folder to load."""
    if casebook is None:
        return []
    if isinstance(casebook, list):
        return casebook
    from .casebook import load_casebook

    if casebook is DEFAULT_CASEBOOK:
        try:
            return load_casebook(None, base)
        except Exception:  # noqa: BLE001 - a ruleset without a casebook reasons from the rules alone
            return []
    return load_casebook(casebook, base)


def _cases(base: RuleBase, casebook, on: dt.date) -> list:
    """The precedents that existed on ``on``: a decision after the date the law is stated takes no part."""
    return [c for c in load_cases(base, casebook) if c.as_of <= on]


def _assumptions(base, wanted, on, assumed_by, changes, facts) -> list[dict]:
    """The assumptions an answer rests on: an assumed fact whose failure would change that answer."""
    from .reasoning.defeaters import declared

    moving = {(c.fact, c.jurisdiction) for c in changes}
    out = []
    for code in wanted:
        for d in declared(base.jurisdictions[code], on, facts):
            if d["fact"] in assumed_by[code] and (d["fact"], code) in moving:
                out.append({"fact": d["fact"], "assumed": d["assume"], "reason": d["reason"], "jurisdiction": code})
    return out


def _merge(changes: list[Change]) -> list[Change]:
    """One entry per (jurisdiction, fact, move), listing every value that makes it."""
    merged: dict = {}
    for c in changes:
        key = (c.jurisdiction, c.fact, c.before, c.after)
        if key in merged:
            merged[key].values.append(c.value)
        else:
            merged[key] = Change(c.fact, c.value, c.jurisdiction, c.before, c.after, [c.value])
    return list(merged.values())


_USED = _LRU(256)
forgets(_USED.forget)


def facts_used(base: RuleBase, code: str, on: dt.date, conduct: dt.date | None = None) -> frozenset:
    """The facts some rule of ``code`` that applies on ``on`` tests (cached like the engines, bounded)."""
    key = (ruleset_key(base), code, on, conduct)
    hit = _USED.get(key)
    if hit is not None:
        return hit
    return _USED.put(key, frozenset().union(*(r.facts_used for r in _in_force(base, code, on, conduct))))


def candidate_facts(base: RuleBase, jurisdictions: list, facts: dict, on: dt.date,
                    conduct: dt.date | None = None) -> list[str]:
    """Unknown facts some rule in force tests: the ones worth asking about."""
    used = frozenset().union(*(facts_used(base, code, on, conduct) for code in jurisdictions))
    voc = base.vocabulary
    return [f.id for f in voc if f.id in used and f.id not in facts and f.type in ("bool", "choice")]


@dataclass
class _Variant:
    fact: str
    value: object
    jurisdiction: str
    raw: str  # the rules' verdict on the variant, before any pull
    after: str  # the variant's verdict (unsettled law applied), compared with the verdict shown


def _seen(base, facts, on, conduct, results, trace, assumed_by) -> dict:
    """The verdicts already known before the variants: each jurisdiction's own run (see :func:`_verdicts`)."""
    seen: dict = {}
    for code, result in results.items():
        engine = engine_for(base, code, on, conduct)
        seen[(id(engine), engine.leaves({**facts, **assumed_by[code]}))] = (result.raw_verdict, result.verdict)
    return seen


def _sensitivity(base, wanted, facts, on, results, skip=frozenset(), conduct=None, seen=None):
    """Re-run the engine with each unknown fact set to each of its values."""
    seen = {} if seen is None else seen
    variants: list[_Variant] = []
    used = {code: facts_used(base, code, on, conduct) for code in wanted}
    for fact_id in candidate_facts(base, wanted, facts, on, conduct):
        if fact_id in skip:
            continue
        for value in base.vocabulary[fact_id].domain:
            if value == "unknown":
                continue
            variant = {**facts, fact_id: value}
            for code in (c for c in wanted if fact_id in used[c]):
                raw, verdict = _verdicts_assuming(base, code, variant, on, conduct, seen)
                variants.append(_Variant(fact_id, value, code, raw, verdict))
    return variants


def flip_known(assessment: "Assessment") -> list[Change]:
    """Re-run the engine with each known fact set to each other value.

    Returns the changes that would reverse a verdict (fair to unfair, applies to
    does not apply, or the reverse): the facts the verdict rests on.
    """
    base = assessment.rulebase
    facts = {k: v for k, v in assessment.answers.items() if k not in NOT_FACTS}
    out: list[Change] = []
    conduct = assessment.conduct_date
    used = {code: facts_used(base, code, assessment.as_of, conduct) for code in assessment.jurisdictions}
    seen: dict = {}
    for fact_id, current in facts.items():
        fact = base.vocabulary.facts.get(fact_id)
        if fact is None or fact.type not in ("bool", "choice"):
            continue
        for value in fact.domain:
            if value in (current, "unknown"):
                continue
            variant = {**facts, fact_id: value}
            for code in assessment.jurisdictions:
                if fact_id not in used[code]:
                    continue
                raw = assessment.results[code].raw_verdict
                after, verdict = _verdicts_assuming(base, code, variant, assessment.as_of, conduct, seen)
                if direction(after) * direction(raw) < 0 and after != NOT_NEEDED:
                    # reported from the verdict shown, so it never contradicts the headline, and read with the
                    # caution the facts still unknown give, as the answer shown is
                    hedge = assessment.hedges.get(code)
                    shown = assessment.results[code].verdict
                    read = hedge.read(_Variant(fact_id, value, code, after, verdict)) if hedge else after
                    if read != shown:
                        out.append(Change(fact_id, value, code, shown, read))
    return out


def _analogy(base, code, facts, result: FairUseResult, cases, exclude):
    """What the closest on-point precedents decided, compared factor by factor with this use (or None)."""
    from .casebook import rank
    from .reasoning.analogy import analogise

    prec = base.jurisdictions[code].weighing.get("precedent") or {}
    pool = [c for c in cases if c.jurisdiction == code and c.id != exclude]
    if not pool:
        return None
    leanings = {name: f.leaning for name, f in result.factors.items()}
    query = {k: v for k, v in facts.items() if k != "jurisdictions"}
    return analogise(leanings, rank(query, pool, base), prec)


LIKELY = {"likely_fair": "leaning_fair", "likely_unfair": "leaning_unfair"}


def _cautious(verdicts: set) -> str:
    """The verdict every one of ``verdicts`` supports: the least confident on one side, else uncertain."""
    sides = {direction(v) for v in verdicts}
    if len(sides) != 1 or 0 in sides:
        return "uncertain"
    if any(v.startswith("leaning") for v in verdicts):
        return next(v for v in verdicts if v.startswith("leaning"))
    return next(iter(verdicts))


def _reversing_share(values: dict, here: int) -> float:
    """The share of a fact's values (tried one at a time) whose verdict reverses the direction ``here``."""
    if not values:
        return 0.0
    return sum(1 for after in values.values() if direction(after) * here < 0) / len(values)


@dataclass
class _Hedge:
    """How a one-fact variant is read against the verdict shown.

    ``either``: facts whose every value gives one verdict (fact -> that verdict):
    the answer given already rests on that verdict, whatever the fact, so a
    variant of another fact is read with it.
    ``changing``, ``reversing``: the unknown facts that could change, or reverse, the answer (fair use). A
    variant settles one fact and leaves the others unknown, so it is read with the caution they give, as the
    answer shown is: a "likely" variant is "leaning" while another fact could change it, and one on the side
    of the answer moves ``moves`` steps toward uncertain while another could reverse it (unless the
    precedents support the answer: ``supported``). Stating the fact an answer is given assuming is then the
    answer shown, never a change.
    ``inert``: facts every value of which gives the verdict the rules give with the fact unknown, before any
    caution: stating one changes nothing, so it is not a change, even where the answer shown is more cautious
    for other unknown facts.
    """

    either: dict
    reversing: set
    supported: bool
    moves: int
    inert: frozenset = frozenset()
    changing: frozenset = frozenset()
    here: int = 0  # the side of the answer the known facts give (1 fair, -1 unfair, 0 neither)
    bare: frozenset | None = None  # where a factor rests on nothing known: the facts that bear on it

    def _steps(self, fact) -> int:
        """Steps toward uncertain for a variant another unknown fact could reverse: one more while a factor
        that carries the decision still rests on nothing known (the variant's fact does not bear on it)."""
        return self.moves + (1 if self.bare is not None and fact not in self.bare else 0)

    def read(self, v) -> str:
        after = v.after
        if after == NOT_NEEDED:
            return after
        if after in LIKELY and self.changing - {v.fact}:
            after = LIKELY[after]
        if (not self.supported and self.reversing - {v.fact} and self.here
                and direction(after) == self.here):
            after = _cautious({after, toward_uncertain(v.after, self._steps(v.fact))})
        others = {val for f, val in self.either.items() if f != v.fact}
        if others:
            after = _cautious({after, *others})
        return after


def _confidence(jur, result, variants, analogy, firings, where=None) -> _Hedge:
    """How confident the answer is, given what is not known: the one place the verdict shown is settled.

    ``variants`` are this jurisdiction's one-fact variants of the unknown facts
    that are not declared defeaters (those are assumed). Each step is recorded
    as data (``adjustments``) and in words (``steps``); "what would change the
    outcome" is then every variant whose verdict differs from the verdict shown,
    so the two can never disagree.

    1. *Either way*: a fact every value of which gives the same verdict, other
       than the one given with the fact unknown, settles nothing: the answer is
       the verdict both the unknown and the known states support.
    2. *Could change*: a "likely" answer that some value of an unknown fact
       would change is stated as "leaning".
    3. *Could reverse*: where a value would reverse the answer, it moves
       toward "uncertain" (``uncertainty.missing_moves``), unless the closest
       on-point precedents reach the same result (``precedent.may_support``);
       an exception is then uncertain.
    4. *Precedent decides*: a fair-use score in the uncertain band may be
       decided by the closest on-point precedents (``precedent.may_decide``).
    """
    spec = jur.weighing
    prec = spec.get("precedent") or {}
    fair_use = isinstance(result, FairUseResult)
    outcomes: dict[str, set] = {}
    for v in variants:
        outcomes.setdefault(v.fact, set()).add(v.after)
    start = result.verdict
    either = sorted(f for f, seen in outcomes.items() if len(seen) == 1 and start not in seen)
    if either:
        shown = _cautious({start, *(next(iter(outcomes[f])) for f in either)})
        if shown != start:
            _record(result, "unknown_either_way", either, start, shown,
                    f"whatever the answer to {', '.join(either)}, the rules give {shown}: {start} -> {shown}")
    settled_either = set(either)
    rest = {f: seen for f, seen in outcomes.items() if f not in settled_either}
    changing = sorted(f for f, seen in rest.items() if seen - {result.verdict})
    known = result.verdict  # what the known facts give, before any unknown one lowers its confidence
    if changing and result.verdict in LIKELY:
        _record(result, "unknown_facts_could_change", changing, result.verdict, LIKELY[result.verdict],
                f"unknown facts that could change the verdict ({', '.join(changing)}): "
                f"{result.verdict} -> {LIKELY[result.verdict]}")
    here = direction(result.verdict)
    # an unknown fact moves the answer toward "uncertain" when it is decisive: at least ``reverse_share`` of
    # its values would reverse the answer (one exceptional value, say "the works are evidence in a lawsuit",
    # does not make every answer uncertain; it is still listed under What Would Change the Outcome)
    share = float((spec.get("uncertainty") or {}).get("reverse_share", 0.0)) if fair_use else 0.0
    by_value: dict = {}
    for v in variants:
        by_value.setdefault(v.fact, {})[repr(v.value)] = v.after
    reversing = sorted(f for f, seen in rest.items() if any(direction(v) * here < 0 for v in seen)
                       and _reversing_share(by_value.get(f, {}), here) >= share)
    decides = analogy is not None and analogy.direction is not None
    moves = int((spec.get("uncertainty") or {}).get("missing_moves", 1)) if fair_use else 9
    inert = frozenset(f for f, seen in outcomes.items() if seen == {start})
    hedge = _Hedge({f: next(iter(outcomes[f])) for f in either}, set(reversing) if fair_use else set(), False,
                   moves, inert, frozenset(changing) if fair_use else frozenset(), here if fair_use else 0)
    if reversing:
        agrees = decides and here == (1 if analogy.direction == "fair" else -1)
        if fair_use and "reversing_unknown" in set(prec.get("may_support") or []) and agrees:
            result.steps.append(f"unknown facts could reverse the verdict ({', '.join(reversing)}), "
                                f"but the closest on-point precedents support it: {analogy.sentence}")
            result.adjustments.append({"cause": "precedents_support", "items": reversing, "from": result.verdict,
                                       "to": result.verdict,
                                       "precedents": [r["id"] for r in analogy.for_user + analogy.for_owner]})
            hedge.supported = True
        else:
            # the caution is counted once: the facts that could reverse the answer are among those that could
            # change it, so the two steps do not add up (a "likely" answer one unknown fact could reverse is
            # "leaning", with that fact under What Would Change the Outcome)
            # ...and one step more where a factor that carries the decision rests on nothing known (no
            # consideration on it at all): the answer then turns on what is not known (uncertainty.bare_factors)
            bare = [name for name in (spec.get("uncertainty") or {}).get("bare_factors") or []
                    if fair_use and not any(f.rule.factor == name and (f.rule.then.weight or 0) > 0 for f in firings)]
            steps_back = moves + (1 if bare else 0)
            if bare and where is not None:
                bears = facts_per_factor(*where)
                hedge.bare = frozenset().union(*(bears.get(name, set()) for name in bare))
            moved = _cautious({result.verdict, toward_uncertain(known, steps_back)}) if fair_use else "uncertain"
            if moved != result.verdict:
                _record(result, "unknown_facts_could_reverse", reversing, result.verdict, moved,
                        f"unknown facts that could reverse the verdict ({', '.join(reversing)})"
                        + (f", and nothing known bears on {', '.join(bare)}" if bare else "")
                        + f": {result.verdict} -> {moved}")
                if bare:
                    result.adjustments[-1]["bare_factors"] = list(bare)
    if not fair_use:
        return hedge
    capped = any(f.rule.then.verdict == "uncertain" for f in firings)  # a rule says no better than uncertain
    in_band = result.raw_verdict == "uncertain"
    # which reasoning from precedent may decide (weighing.yaml: precedent.decide_by); any may support
    ways = set(prec.get("decide_by") or ("a_fortiori", "weighed"))
    if (result.verdict == "uncertain" and decides and not capped and in_band and analogy.basis in ways
            and "score_in_band" in set(prec.get("may_decide") or [])):
        decided = "leaning_fair" if analogy.direction == "fair" else "leaning_unfair"
        how = "a fortiori" if analogy.basis == "a_fortiori" else "weighed by similarity"
        result.adjustments.append({"cause": "precedent_decides",
                                   "items": [r["id"] for r in analogy.for_user + analogy.for_owner],
                                   "from": result.verdict, "to": decided})
        result.steps.append(f"the rules leave the answer uncertain; the closest on-point precedents decide it "
                            f"({how}): {analogy.sentence} -> {decided}")
        result.verdict = decided
    return hedge


def _record(result, cause: str, items: list, before: str, after: str, step: str) -> None:
    """A change of the verdict shown, as data (``adjustments``) and in words (``steps``)."""
    if hasattr(result, "adjustments"):
        result.adjustments.append({"cause": cause, "items": list(items), "from": before, "to": after})
    result.steps.append(step)
    result.verdict = after


__all__ = ["Assessment", "Change", "Firing", "ExceptionsResult", "FairUseResult", "assess", "load_cases"]
