"""Building the one analysis from an assessment: facts with provenance, considerations applied, precedents
compared, what would change each answer, and the authorities relied on.

Everything a renderer shows is decided here, once. The assessment
(:mod:`fairuse.assess`) gives the verdicts, the firings and the variants; this
module puts them into the shape a reader meets, and the application of each rule
to these facts into words (:mod:`fairuse.wording`).
"""

from __future__ import annotations

import re

from ..assess import DEFAULT_CASEBOOK, NOT_FACTS, Assessment, acts_of, assess, flip_known, primary_act
from ..reasoning.claims import SEPARATE_CLAIM, open_claims
from ..reasoning.defeaters import declared
from ..rules import NOT_NEEDED
from ..vocabulary import ACT_FACTS
from ..weighing import FairUseResult, direction
from .compare import compare
from .model import (JURISDICTION_NAMES, Analysis, Change, Cite, Condition, Consideration, Decisive, Fact, Factor,
                    Provision, Result)

FACTORS = ("purpose", "nature", "amount", "market")
_REPORTER = re.compile(r"\b(\d+) (U\.S\.|S\. ?Ct\.|F\.(?: Supp\.)?(?: ?[234]d| ?4th)?|F\. App'x|USPQ2d) \d+")


def analyse(answers: dict, *, rulebase=None, as_of=None, casebook=DEFAULT_CASEBOOK, exclude: str | None = None,
            template_dir=None, words=None, sensitivity: bool = True) -> Analysis:
    """The one analysis of validated ``answers`` (see :func:`fairuse.assess.assess` for the arguments).

    ``template_dir``: a firm's folder whose ``facts_prose.yaml`` words the facts
    (``--template``); ``words``: a :class:`~fairuse.wording.FactWords` already made.
    """
    from ..rules import load_rulebase
    from ..wording import load_wording

    base = rulebase or load_rulebase()
    words = words or load_wording(base.vocabulary, template_dir)
    acts = acts_of(answers)
    primary = primary_act(answers)
    a = assess(answers, rulebase=base, as_of=as_of, casebook=casebook, exclude=exclude, sensitivity=sensitivity)
    main = from_assessment(a, words, exclude=exclude)
    main.act = primary
    if len(acts) > 1:  # each act its own analysis; the main act's is this one
        for act in acts:
            if act == primary:
                main.acts.append((act, main))
                continue
            other = assess({**answers, "ai_stage": act}, rulebase=base, as_of=as_of, casebook=casebook,
                           exclude=exclude, sensitivity=sensitivity)
            sub = from_assessment(other, words, exclude=exclude)
            sub.act = act
            main.acts.append((act, sub))
        for _act, sub in main.acts:  # each act is answered, so which act is "assessed" changes nothing
            sub.changes = [c for c in sub.changes if c.fact not in ACT_FACTS]
            sub.resting_on = [c for c in sub.resting_on if c.fact not in ACT_FACTS]
            sub.missing = [f for f in sub.missing if f not in ACT_FACTS]
    return main



def _splits(a: Assessment, code: str) -> list:
    """Where courts divide on a point an answer rests on: each fired rule that says so, once."""
    out, seen = [], set()
    for f in a.trace.get(code, []):
        if f.rule.split and f.rule.split not in seen:
            seen.add(f.rule.split)
            out.append({"rule": f.rule.id, "text": f.rule.split})
    return out


def from_assessment(a: Assessment, words, exclude: str | None = None) -> Analysis:
    base = a.rulebase
    on = a.as_of
    facts = {k: v for k, v in a.answers.items() if k not in NOT_FACTS}
    known = {k: v for k, v in a.answers.items() if k in base.vocabulary.facts}
    context = words.application_context(known)
    relied = _Relied()
    results = {}
    for code in a.jurisdictions:
        res = a.results[code]
        firings = a.trace.get(code, [])
        by_rule = {f.rule.id: f for f in firings}
        apply = _Applier(words, known, context, on, by_rule)
        if isinstance(res, FairUseResult):
            results[code] = _fair_use(a, code, res, apply, facts, exclude, relied)
        else:
            results[code] = _exceptions(a, code, res, apply, relied)
        results[code].splits = _splits(a, code)
        if results[code].splits:
            results[code].json["splits"] = results[code].splits
    changes, missing = _changes(a)
    for code, result in results.items():
        if result.kind == "exceptions":
            result.decisive = _decisive_exceptions(base, result, [c for c in changes if c.jurisdiction == code], on)
            result.json["decisive"] = [_decisive_json(d) for d in result.decisive]
    notes, unsettled = _notes_and_unsettled(a, relied)
    mitigations = a.mitigations()
    for m in mitigations:
        relied.add_texts(base, m["authority"], "mitigations")
    precedents = _closest(a, exclude)
    return Analysis(
        answers=a.answers_as_read(), summary=" ".join(str(a.answers.get("use_summary") or "").split()),
        as_of=on, conduct_date=a.conduct_date or on,
        ruleset={"version": base.version, "as_of": on.isoformat(), "conduct_date": (a.conduct_date or on).isoformat(),
                 "law_stated_as_of": base.stated_as_of.isoformat()},
        jurisdictions=list(a.jurisdictions), results=results, facts=_facts(a), changes=changes,
        resting_on=_resting_on(a), missing=missing, assumptions=a.assumptions, disagreements=a.disagreements,
        precedents=precedents, mitigations=mitigations, notes=notes, unsettled=unsettled,
        authorities=relied.table(), trace=a.trace_dicts(), words=words, open_claims=_open_claims(a))


def _open_claims(a: Assessment) -> list:
    """The separate claims each jurisdiction's unknown facts could bring (:mod:`fairuse.reasoning.claims`), read
    on the facts the engine was given: those stated and the defeaters assumed."""
    from ..assess import domains_of, fired_rules
    from ..reasoning.defeaters import assumed

    base, on, conduct = a.rulebase, a.as_of, a.conduct_date
    facts = {k: v for k, v in a.answers.items() if k not in NOT_FACTS}
    order = [f.id for f in base.vocabulary]
    out = []
    fired: dict = {}  # (code, answers) -> the rules that fire: several claims are tried with the same answers
    for code in a.jurisdictions:
        given = {**facts, **assumed(base.jurisdictions[code], facts, on)}

        def brings(answers, rule_id, code=code):
            key = (code, repr(sorted(answers.items())))
            if key not in fired:
                fired[key] = fired_rules(base, code, {**facts, **answers}, on, conduct)
            return rule_id in fired[key]

        rules = base.active(code, on, conduct)
        out += open_claims(code, rules, a.trace.get(code, []), given, domains_of(base), order, brings)
    return out


# ----------------------------------------------------------------------- citations


def cite(citation, on) -> Cite:
    """A rule's citation as a :class:`Cite`: full, short form (after the first full citation), and any limit."""
    auth = citation.authority
    text = str(citation)
    if auth.status and auth.status_as_of and (on is None or auth.status_as_of <= on):
        text += f" [{auth.status}; status as of {auth.status_as_of.isoformat()}]"
    return Cite(auth.key, text, auth.cite, short_form(auth, citation.pinpoint), auth.kind, auth.limit)


def short_form(auth, pinpoint: str | None) -> str:
    """"Campbell, 510 U.S. at 586"; a statute is always cited in full; "" where the authority has no short name."""
    if auth.kind in ("statute", "regulation"):
        return auth.cited(pinpoint)
    if not auth.short:
        return ""
    if not pinpoint:
        return auth.short
    match = _REPORTER.search(auth.cite)
    if match and auth.kind == "case":
        return f"{auth.short}, {match.group(1)} {match.group(2)} at {pinpoint}"
    return f"{auth.short}, at {pinpoint}"


class _Relied:
    """The authorities the analysis relies on, each once, with what it is relied on for."""

    def __init__(self):
        self.entries: dict[str, dict] = {}

    def add(self, c: Cite, used_for: str) -> None:
        entry = self.entries.setdefault(c.key, {"key": c.key, "cite": c.full, "kind": c.kind, "used_for": []})
        if c.limit:
            entry["limit"] = c.limit
        if used_for not in entry["used_for"]:
            entry["used_for"].append(used_for)

    def add_texts(self, base, texts: list, used_for: str) -> None:
        by_cite = {auth.cite: auth for auth in base.authorities.values()}
        for text in texts:
            auth = next((by_cite[c] for c in sorted(by_cite, key=len, reverse=True) if text.startswith(c)), None)
            if auth is not None:
                self.add(Cite(auth.key, text, auth.cite, "", auth.kind, auth.limit), used_for)
                if auth.short:
                    self.entries[auth.key].setdefault("short", auth.short)

    def add_case(self, comparison, used_for: str) -> None:
        key = f"case:{comparison.case}"
        entry = self.entries.setdefault(key, {"key": key, "cite": f"{comparison.name}, {comparison.citation}",
                                              "kind": "case", "used_for": []})
        if comparison.limit:
            entry["limit"] = comparison.limit
        if used_for not in entry["used_for"]:
            entry["used_for"].append(used_for)

    def table(self) -> list:
        return sorted(self.entries.values(), key=lambda e: (e["kind"], e["cite"].lower()))


class _Applier:
    """Considerations for the rules that fired, each applied to these facts once."""

    def __init__(self, words, known, context, on, by_rule):
        self.words, self.known, self.context, self.on, self.by_rule = words, known, context, on, by_rule
        self._made: dict = {}

    def consideration(self, reason: dict) -> Consideration:
        key = (reason["rule"], reason.get("weight"))
        if key in self._made:
            return self._made[key]
        firing = self.by_rule.get(reason["rule"])
        rule = firing.rule if firing else None
        application = self.words.application(rule, self.known, self.context) if rule is not None else ""
        cites = tuple(cite(c, self.on) for c in rule.authority if c.authority.known_on(self.on)) if rule else ()
        made = self._made[key] = Consideration(
            reason["rule"], rule.title if rule else reason["rule"], reason["reason"], application, cites,
            reason.get("leans"), reason.get("weight"), reason.get("unsettled") or "", reason.get("unverified") or "",
            dict(firing.matched) if firing else {})
        return made


# ----------------------------------------------------------------------- the United States


def _fair_use(a: Assessment, code: str, res: FairUseResult, apply: _Applier, facts: dict, exclude, relied) -> Result:
    base = a.rulebase
    factors = {}
    inferred = {f.id: f.value for f in _facts(a) if f.provenance == "inferred"}
    comparisons = compare(base, facts, res, a.cases, a.as_of, a.conduct_date, exclude, inferred) \
        if res.verdict != NOT_NEEDED else {}
    for name, f in res.factors.items():
        reasons = [{**r, **({"application": c.application} if c.application else {})}
                   for r, c in ((r, apply.consideration(r)) for r in f.reasons)]
        considerations = [apply.consideration(r) for r in f.reasons]
        considerations.sort(key=lambda c: (not c.counted, c.leans != f.leaning, -(c.weight or 0)))
        factors[name] = Factor(name, f.leaning, f.score, f.weight, considerations, comparisons.get(name, []), reasons)
        for c in considerations:
            if c.counted:
                for ct in c.cites:
                    relied.add(ct, f"{code}:{name}")
        for comp in comparisons.get(name, []):
            relied.add_case(comp, f"{code}:{name}")
    not_needed = [apply.consideration(r) for r in res.not_needed_by]
    for c in not_needed:
        for ct in c.cites:
            relied.add(ct, code)
    analogy = a.analogies.get(code)
    decided = any(adj["cause"] in ("precedent_decides", "precedents_support") for adj in res.adjustments)
    json = {"verdict": res.verdict,
            "factors": {name: {"leaning": f.leaning, "reasons": factors[name].reasons, "score": f.score}
                        for name, f in res.factors.items()},
            "score": res.score, "weighing": res.steps, "weighing_data": res.weighing_data()}
    if res.not_needed_by:
        json["reasons"] = res.not_needed_by
    if res.notes:
        json["notes"] = res.notes
    if res.not_encoded:
        json["not_encoded"] = res.not_encoded
    if analogy is not None:
        json["precedent"] = analogy.to_dict()
        json["precedent"]["decided"] = decided
    json["comparisons"] = {name: [c.to_json() for c in comps] for name, comps in comparisons.items() if comps}
    # what a modifier changed here: the considerations against the user it discounted (a modifier that
    # discounted nothing goes unsaid in the weighing's words)
    fired_tags = {t: [f.rule.id for f in a.trace.get(code, []) if t in f.rule.tags and f.rule.then.leans == "owner"]
                  for mod in res.modifiers for t in mod["scale_tags"]}
    modifiers = [{**mod, "affects": sorted({rid for t in mod["scale_tags"] for rid in fired_tags.get(t, [])}
                                           | {name for name in mod["scale_factors"]
                                              if any(c.leans == "owner" for c in factors[name].counted)})}
                 for mod in res.modifiers]
    json["weighing_data"]["modifiers"] = modifiers
    jur_cites = _jurisdiction_cites(base, code, a.as_of)
    result = Result(code, "fair_use", res.verdict, res.raw_verdict, [], factors=factors, score=res.score,
                    steps=list(res.steps), adjustments=list(res.adjustments), modifiers=modifiers, cites=jur_cites,
                    not_needed_by=not_needed, claims=_claims(a, code, apply), not_encoded=res.not_encoded,
                    notes=list(res.notes),
                    mitigations=list(res.mitigations), precedent=analogy.to_dict() if analogy else None,
                    precedent_decided=decided, json=json)
    result.decisive = _decisive_fair_use(result)
    json["decisive"] = [_decisive_json(d) for d in result.decisive]
    return result


def _claims(a: Assessment, code: str, apply: _Applier) -> list:
    """The separate claims beside the answer (a licence's conditions broken, copyright-management information
    removed): rules tagged ``separate_claim`` that fired and were not defeated, in the order they fired."""
    out = []
    for f in a.trace.get(code, []):
        if SEPARATE_CLAIM in f.rule.tags:
            out.append(apply.consideration({"rule": f.rule.id, "reason": f.rule.explanation,
                                            "unsettled": f.rule.unsettled or "", "unverified": f.rule.unverified or ""}))
    return out


def _intermediate(rule) -> bool:
    """A rule that only concludes a finding: a step toward other rules, not a reason the memo gives."""
    then = rule.then
    return bool(then.finding) and not (then.leans or then.verdict or then.provision or then.duty or then.note
                                       or then.mitigation)


def _jurisdiction_cites(base, code: str, on) -> tuple:
    """The authorities a jurisdiction's weighing.yaml names for its framework (e.g. § 107; Campbell at 577-78)."""
    from ..rules import parse_citation

    jur = base.jurisdictions[code]
    out = []
    for text in jur.weighing.get("authority") or []:
        try:
            c = parse_citation(text, base.authorities, str(jur.file))
        except Exception:  # noqa: BLE001 - checked when the rules load; a bad one is simply not cited here
            continue
        if c.authority.known_on(on):
            out.append(cite(c, on))
    return tuple(out)


def _decisive_fair_use(r: Result) -> list:
    if r.verdict == NOT_NEEDED:
        return [Decisive("not_needed", c.title, why=c.application or c.law) for c in r.not_needed_by[:2]]
    if r.not_encoded:
        return [Decisive("not_encoded", r.not_encoded)]
    sides = {1: ["user"], -1: ["owner"]}.get(direction(r.verdict), ["user", "owner"])
    out = []
    for side in sides:
        for f in sorted(r.factors.values(), key=lambda f: -f.weight):
            top = f.decisive
            if f.leaning == side and top is not None and len(out) < 3:
                out.append(Decisive("factor", top.title, factor=f.name, leans=side, why=top.application or top.law))
                if len(sides) == 2:
                    break
    return out


# ----------------------------------------------------------------------- other jurisdictions


def _exceptions(a: Assessment, code: str, res, apply: _Applier, relied) -> Result:
    base = a.rulebase
    jur = base.jurisdictions[code]
    by_condition: dict = {}
    tied = set()
    for firing in a.trace.get(code, []):
        then = firing.rule.then
        if then.condition:
            for pid in then.provisions:
                by_condition.setdefault((pid, then.condition, bool(then.met)), []).append(firing)
            tied.add(firing.rule.id)
        if _intermediate(firing.rule):
            tied.add(firing.rule.id)  # a step toward other rules (a licence covers the use or not), not a reason shown
    reasons_by_rule = {r["rule"]: r for r in res.reasons}
    provisions = []
    for p in res.provisions:
        prov = jur.provisions.get(p.id)
        cites = tuple(cite(c, a.as_of) for c in (prov.authority if prov else ()) if c.authority.known_on(a.as_of))
        for ct in cites:
            relied.add(ct, code)
        conditions = []
        for status, items in (("met", p.met), ("unmet", p.unmet), ("unknown", p.unknown)):
            for name, text in items.items():
                why = []
                if status != "unknown":
                    for firing in by_condition.get((p.id, name, status == "met"), []):
                        reason = reasons_by_rule.get(firing.rule.id)
                        if reason is not None:
                            c = apply.consideration(reason)
                            why.append(c)
                            for ct in c.cites:
                                relied.add(ct, code)
                conditions.append(Condition(name, " ".join(str(text).split()), status, why,
                                            any(c.unsettled for c in why)))
        provisions.append(Provision(p.id, p.title, p.status, cites, conditions,
                                    {"id": p.id, "title": p.title, "status": p.status, "met": list(p.met),
                                     "unmet": list(p.unmet), "unknown": list(p.unknown), "authority": p.authority}))
    reasons = []
    for r in res.reasons:
        if r["rule"] in tied or any(r["rule"] == d["rule"] for d in res.duties):
            continue
        c = apply.consideration(r)
        reasons.append(c)
        for ct in c.cites:
            relied.add(ct, code)
    for d in res.duties:
        relied.add_texts(base, d["authority"], code)
    json_reasons = []
    for r in res.reasons:
        c = apply.consideration(r)
        json_reasons.append({**r, **({"application": c.application} if c.application else {})})
    json = {"verdict": res.verdict, "provisions": [p.json for p in provisions], "reasons": json_reasons,
            "duties": res.duties, "notes": res.notes}
    if res.not_encoded:
        json["not_encoded"] = res.not_encoded
    if res.adjustments:
        json["adjustments"] = res.adjustments
    open_law = [apply.consideration(reasons_by_rule[f.rule.id]) for f in a.trace.get(code, [])
                if f.rule.then.verdict == "uncertain" and f.rule.id in reasons_by_rule]
    return Result(code, "exceptions", res.verdict, res.raw_verdict, [], provisions=provisions, reasons=reasons,
                  open_law=open_law, claims=_claims(a, code, apply),
                  steps=list(res.steps), adjustments=list(res.adjustments), not_encoded=res.not_encoded,
                  notes=list(res.notes), duties=list(res.duties), mitigations=list(res.mitigations), json=json)


def _decisive_exceptions(base, r: Result, changes: list, on) -> list:
    """What decides an exception's answer: the provision that applies, the condition that fails the provision
    that came closest, or what is still open in the provisions still in play."""
    out = []
    if r.verdict == NOT_NEEDED:
        # the rule that found no exception needed, said as law (the Discussion applies it to the facts)
        out = [Decisive("not_needed", c.title, why=c.law or c.application)
               for c in (r.not_needed_by or r.reasons)[:1]]
    elif r.not_encoded and not r.provisions:
        out = [Decisive("not_encoded", r.not_encoded)]
    elif r.verdict == "applies":
        p = next(p for p in r.provisions if p.status == "applies")
        out = [Decisive("provision", p.title, provision=p.id, provision_title=p.title)]
    elif r.verdict == "uncertain" and r.raw_verdict == "applies":
        # a provision applies on the facts given, but an unknown fact could still defeat it: what is open is
        # the condition of that provision the fact decides
        moving = {c.fact for c in changes if c.kind == "unknown" and c.after != NOT_NEEDED}
        reads = _condition_reads(base, r.code, on)
        for p in (p for p in r.provisions if p.status == "applies"):
            for c in p.conditions:
                facts = tuple(sorted(moving & reads.get((p.id, c.name), set())))
                if facts:
                    out.append(Decisive("open", c.text, provision=p.id, provision_title=p.title, facts=facts))
        if not out:
            p = next(p for p in r.provisions if p.status == "applies")
            out = [Decisive("open", p.title, provision=p.id, provision_title=p.title, facts=tuple(sorted(moving)))]
    elif r.verdict == "uncertain" and not any(p.status == "uncertain" for p in r.provisions):
        # no exception applies, and the law leaves open whether the use infringes at all
        out = [Decisive("open_law", c.title, why=c.application or c.law) for c in r.open_law]
        out += _closest_unmet(r)[:1]
    elif r.verdict == "does_not_apply":
        out = _closest_unmet(r)
    else:
        moving = {c.fact for c in changes if c.kind == "unknown" and c.after != NOT_NEEDED}
        reads = _condition_reads(base, r.code, on)
        for p in (p for p in r.provisions if p.status == "uncertain"):
            for c in p.conditions:
                if c.unsettled:
                    text = next((w.application or w.law for w in c.why), "")
                    out.append(Decisive("unsettled", c.text, provision=p.id, provision_title=p.title, why=text))
                elif c.status == "unknown":
                    out.append(Decisive("open", c.text, provision=p.id, provision_title=p.title,
                                        facts=tuple(sorted(moving & reads.get((p.id, c.name), set())))))
        # an open condition that a fact could settle comes first; one no known fact would settle, after the
        # unsettled law (the answer turns on the law, not on the facts)
        out.sort(key=lambda d: 0 if (d.kind == "open" and d.facts) else 1 if d.kind == "unsettled" else 2)
    return out


def _condition_reads(base, code: str, on) -> dict:
    """The facts the rules deciding each (provision, condition) read."""
    reads: dict = {}
    for rule in base.active(code, on):
        if rule.then.condition:
            for pid in rule.then.provisions:
                reads.setdefault((pid, rule.then.condition), set()).update(rule.facts_used)
    return reads


def _closest_unmet(r: Result) -> list:
    """The unmet conditions of the provision that came closest: the one in point (its `purpose` met) first,
    then fewest conditions unmet, then most met."""
    failing = sorted((p for p in r.provisions if p.status == "does_not_apply"),
                     # a provision whose `purpose` condition (the kind of use it serves) is met is the one in
                     # point; one that fails on it is not in point, so it comes after every other
                     key=lambda p: ({"met": 0, "unmet": 2}.get(next((c.status for c in p.conditions
                                                                     if c.name == "purpose"), ""), 1),
                                    sum(c.status == "unmet" for c in p.conditions),
                                    -sum(c.status == "met" for c in p.conditions)))
    return [Decisive("unmet", c.text, provision=p.id, provision_title=p.title,
                     why=next((w.application or w.law for w in c.why), ""))
            for p in failing[:1] for c in p.conditions if c.status == "unmet"]


def _decisive_json(d: Decisive) -> dict:
    out = {"kind": d.kind, "text": d.text}
    for key in ("provision", "factor", "leans", "why"):
        if getattr(d, key):
            out[key] = getattr(d, key)
    if d.facts:
        out["facts"] = list(d.facts)
    return out


# ----------------------------------------------------------------------- facts, changes, precedents


def _facts(a: Assessment) -> list:
    base = a.rulebase
    out = []
    for fact in base.vocabulary:
        if fact.id in a.answers and fact.id not in ("use_summary", "assessment_date"):
            out.append(Fact(fact.id, a.answers[fact.id], "stated"))
    stated = {f.id for f in out}
    seen = set()
    for code, firings in a.trace.items():
        for f in firings:
            for finding, value in f.rule.then.finding.items():
                fact = base.stated_by.get(finding)
                if fact and fact not in stated and fact not in f.rule.facts_used and fact not in seen:
                    seen.add(fact)
                    source = tuple(sorted(x for x in f.rule.facts_used if x in a.answers))
                    out.append(Fact(fact, value, "inferred", source=source, rules=(f.rule.id,)))
    by_fact: dict = {}
    for x in a.assumptions:
        entry = by_fact.setdefault(x["fact"], {"value": x["assumed"], "where": [], "reasons": []})
        entry["where"].append(x["jurisdiction"])
        reason = " ".join(str(x["reason"]).split())
        if reason not in entry["reasons"]:
            entry["reasons"].append(reason)
    for fact_id, entry in by_fact.items():
        out.append(Fact(fact_id, entry["value"], "assumed", " ".join(entry["reasons"]), tuple(entry["where"])))
    if "jurisdictions" not in a.answers:
        out.append(Fact("jurisdictions", list(a.jurisdictions), "default", "Not stated: assessed under the law of "
                        + ", ".join(JURISDICTION_NAMES.get(j, j) for j in a.jurisdictions) + " only."))
    for fact_id, value in a.defaults.items():
        out.append(Fact(fact_id, value, "default", "Not stated: the act the main answer covers, of those the use "
                                                   "involves (the others are answered after it)."))
    if "conduct_date" not in a.answers:
        out.append(Fact("conduct_date", a.as_of, "default",
                        f"Not stated: taken to be {a.as_of.isoformat()}, the date of the law applied."))
    return out


def _changes(a: Assessment) -> tuple[list, list]:
    facts = {k: v for k, v in a.answers.items() if k not in NOT_FACTS}
    defeaters = {code: {d["fact"] for d in declared(a.rulebase.jurisdictions[code], a.as_of, facts)}
                 for code in a.jurisdictions}
    out = [Change(c.fact, list(c.values or [c.value]), c.jurisdiction, c.before, c.after,
                  "assumed" if c.fact in defeaters[c.jurisdiction] else "unknown") for c in a.changes]
    return out, list(a.missing)


def _resting_on(a: Assessment) -> list:
    merged: dict = {}
    for c in flip_known(a):
        key = (c.jurisdiction, c.fact, c.before, c.after)
        if key in merged:
            merged[key].values.append(c.value)
        else:
            merged[key] = Change(c.fact, [c.value], c.jurisdiction, c.before, c.after, "known")
    return list(merged.values())


def _closest(a: Assessment, exclude: str | None, top: int = 5) -> list:
    """The closest precedents (for and against), from those decided on or before the date of the law."""
    from ..casebook import closest_for_and_against, rank

    cases = [c for c in a.cases if c.id != exclude]
    if not cases:
        return []
    wanted = set(a.jurisdictions)
    cases = [c for c in cases if c.jurisdiction in wanted] or cases  # analogues from the law being applied
    query = {k: v for k, v in a.answers.items() if k not in (*NOT_FACTS, "jurisdictions")}
    return [m.to_dict() for m in closest_for_and_against(rank(query, cases, a.rulebase), top)]


def _notes_and_unsettled(a: Assessment, relied: _Relied) -> tuple[list, list]:
    notes: list = []
    seen: dict = {}
    for code, res in a.results.items():
        for n in res.notes:
            if n["note"] in seen:
                seen[n["note"]]["jurisdictions"].append(code)
                continue
            entry = seen[n["note"]] = {**n, "jurisdictions": [code]}
            notes.append(entry)
            relied.add_texts(a.rulebase, n["authority"], "notes")
    unsettled: list = []
    texts = set()
    for code, fs in a.trace.items():
        for f in fs:
            for text in ([f.rule.unsettled] if f.rule.unsettled else []) + (
                    [f"Not verified against a primary source: {f.rule.unverified}"] if f.rule.unverified else []):
                if text not in texts:
                    texts.add(text)
                    unsettled.append({"rule": f.rule.id, "text": text, "jurisdiction": code})
    return notes, unsettled
