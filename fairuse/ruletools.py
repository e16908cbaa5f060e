"""Tools for people who maintain the rules: lint, YAML rule tests, diff, schema, scaffold.

A lawyer who knows YAML but not Python can add the effect of a new decision,
prove it does what they meant (``fairuse rules test``), check it
(``fairuse rules lint``) and see what it changes (``fairuse rules diff``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import conditions as cond
from .errors import FairuseError, shown
from .rules import FACTORS, JURISDICTIONS, RuleBase, _load
from .yamlfile import Node, load_file

# ------------------------------------------------------------------ rule tests


@dataclass
class RuleTest:
    name: str
    file: Path
    line: int
    facts: dict
    as_of: dt.date | None
    expect: dict


@dataclass
class TestResult:
    test: RuleTest
    failures: list = field(default_factory=list)
    fired: set = field(default_factory=set)
    trace: list = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


EXPECT_KEYS = {"verdict", "factors", "fired", "not_fired", "findings", "provisions", "duties", "missing",
               "weights", "notes", "mitigations", "unverified", "not_encoded",
               "assumptions", "precedent", "disagreements"}


def load_tests(root: Path, base: RuleBase) -> list[RuleTest]:
    from .answers import validate

    folder = Path(root) / "tests"
    tests: list[RuleTest] = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        data = load_file(path)
        if not isinstance(data, Node) or not isinstance(data.get("tests"), list):
            raise FairuseError(f"{path}: expected a mapping with a 'tests' list")
        for raw in data["tests"]:
            line = getattr(raw, "line", 0)
            where = f"{path}:{line}"
            if not isinstance(raw, dict) or not raw.get("name") or not isinstance(raw.get("expect"), dict):
                raise FairuseError(f"{where}: a rule test needs 'name', 'facts' and 'expect'")
            unknown = set(raw) - {"name", "facts", "as_of", "expect"}
            if unknown:
                raise FairuseError(f"{where}: unknown key '{sorted(unknown)[0]}' (expected name, facts, as_of, expect)")
            facts = validate(base.vocabulary, raw.get("facts") or Node(), where)
            for code, spec in raw["expect"].items():
                if code not in JURISDICTIONS or not isinstance(spec, dict):
                    raise FairuseError(f"{where}: expect: '{code}' is not a jurisdiction ({', '.join(JURISDICTIONS)})")
                bad = set(spec) - EXPECT_KEYS
                if bad:
                    raise FairuseError(f"{where}: expect.{code}: unknown key '{sorted(bad)[0]}' "
                                       f"(expected {', '.join(sorted(EXPECT_KEYS))})")
                for key, value in spec.items():
                    if not _expect_type_ok(key, value):
                        at = f"{path}:{spec.line_of(key)}" if isinstance(spec, Node) else where
                        raise FairuseError(f"{at}: expect.{code}.{key}: expected {_EXPECT_TYPES[key][1]}, "
                                           f"got {shown(value)}")
            as_of = raw.get("as_of")
            if as_of is not None and not isinstance(as_of, dt.date):
                try:
                    as_of = dt.date.fromisoformat(str(as_of))
                except ValueError:
                    raise FairuseError(f"{where}: as_of must be a date YYYY-MM-DD") from None
            tests.append(RuleTest(str(raw["name"]), path, line, facts, as_of, dict(raw["expect"])))
    return tests


def _texts(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _mapping(value, ok) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and ok(v) for k, v in value.items())


_EXPECT_TYPES = {  # key -> (check, what is expected, in words)
    "verdict": (lambda v: isinstance(v, str), "a verdict"),
    "factors": (lambda v: _mapping(v, lambda x: isinstance(x, str)), "a mapping of factor to leaning"),
    "fired": (_texts, "a list of rule ids"),
    "not_fired": (_texts, "a list of rule ids"),
    "findings": (lambda v: _mapping(v, lambda x: isinstance(x, (str, bool))), "a mapping of finding to value"),
    "provisions": (lambda v: _mapping(v, lambda x: isinstance(x, str)), "a mapping of provision to status"),
    "duties": (_texts, "a list of rule ids"),
    "missing": (_texts, "a list of fact ids"),
    "weights": (lambda v: _mapping(v, lambda x: isinstance(x, (int, float)) and not isinstance(x, bool)),
                "a mapping of rule id to a number"),
    "notes": (_texts, "a list of rule ids"),
    "mitigations": (_texts, "a list of rule ids"),
    "unverified": (_texts, "a list of rule ids"),
    "not_encoded": (lambda v: isinstance(v, bool), "true or false"),
    "assumptions": (_texts, "a list of fact ids"),
    "precedent": (lambda v: v in ("fair", "unfair"), "fair, unfair or null"),
    "disagreements": (_texts, "a list of fact ids"),
}


def _expect_type_ok(key: str, value) -> bool:
    """Is ``value`` of the type the rule test's expectation ``key`` reads (null: nothing expected)?"""
    return value is None or _EXPECT_TYPES[key][0](value)


def run_tests(base: RuleBase, tests: list[RuleTest]) -> list[TestResult]:
    from .assess import assess

    results = []
    for test in tests:
        wanted = sorted(set(test.facts.get("jurisdictions") or []) | set(test.expect))
        facts = {**test.facts, "jurisdictions": wanted}
        result = assess(facts, rulebase=base, as_of=test.as_of)
        out = TestResult(test)
        for code, firings in result.trace.items():
            out.fired |= {f.rule.id for f in firings}
            out.trace += [f"{code} #{f.step} {f.rule.id} matched {f.matched}" for f in firings]
        for code, spec in test.expect.items():
            _check(out, code, spec, result)
        results.append(out)
    return results


def _check(out: TestResult, code: str, spec: dict, result) -> None:
    res = result.results[code]
    fail = out.failures.append
    fired = {f.rule.id for f in result.trace[code]}
    if "verdict" in spec and res.verdict != spec["verdict"]:
        fail(f"{code} verdict: expected {spec['verdict']}, got {res.verdict}")
    for factor, leaning in (spec.get("factors") or {}).items():
        got = res.factors[factor].leaning if hasattr(res, "factors") and factor in res.factors else None
        if got != leaning:
            fail(f"{code} factor {factor}: expected {leaning}, got {got}")
    for rule_id in spec.get("fired") or []:
        if rule_id not in fired:
            fail(f"{code}: expected rule {rule_id} to fire; it did not")
    for rule_id in spec.get("not_fired") or []:
        if rule_id in fired:
            fail(f"{code}: expected rule {rule_id} not to fire; it did")
    findings: dict = {}
    for f in result.trace[code]:
        for k, v in f.rule.then.finding.items():
            findings.setdefault(k, set()).add(v)
    for name, value in (spec.get("findings") or {}).items():
        if value not in findings.get(name, set()):
            fail(f"{code} finding {name}: expected {value}, got {sorted(findings.get(name, set()), key=str) or 'none'}")
    if spec.get("provisions"):
        statuses = {p.id: p.status for p in getattr(res, "provisions", [])}
        for pid, status in spec["provisions"].items():
            if statuses.get(pid) != status:
                fail(f"{code} provision {pid}: expected {status}, got {statuses.get(pid, 'not in force')}")
    for duty_rule in spec.get("duties") or []:
        if duty_rule not in {d["rule"] for d in getattr(res, "duties", [])}:
            fail(f"{code}: expected duty from {duty_rule}")
    assumed = sorted(a["fact"] for a in result.assumptions if a["jurisdiction"] == code)
    if "assumptions" in spec and sorted(spec["assumptions"] or []) != assumed:
        fail(f"{code} assumptions: expected {sorted(spec['assumptions'] or [])}, got {assumed}")
    if "precedent" in spec:
        analogy = result.analogies.get(code)
        got = analogy.direction if analogy else None
        if got != spec["precedent"]:
            fail(f"{code} precedent: expected the precedents to decide {spec['precedent']}, got {got}"
                 + (f" ({analogy.sentence})" if analogy else ""))
    disagreeing = sorted(d["fact"] for d in result.disagreements if d["jurisdiction"] == code)
    if "disagreements" in spec and sorted(spec["disagreements"] or []) != disagreeing:
        fail(f"{code} disagreements: expected {sorted(spec['disagreements'] or [])}, got {disagreeing}")
    for fact in spec.get("missing") or []:
        if fact not in result.missing:
            fail(f"missing: expected {fact} among the missing facts, got {result.missing}")
    if "weights" in spec:  # the weight each consideration counted with, after the weighing's exclusions
        counted = {r["rule"]: r.get("weight") for f in getattr(res, "factors", {}).values() for r in f.reasons}
        for rule_id, weight in (spec["weights"] or {}).items():
            if counted.get(rule_id) is None or abs(float(counted[rule_id]) - float(weight)) > 1e-6:
                fail(f"{code} weight of {rule_id}: expected {weight}, got {counted.get(rule_id, 'not weighed')}")
    for rule_id in spec.get("notes") or []:
        if rule_id not in {n["rule"] for n in res.notes}:
            fail(f"{code}: expected a note from {rule_id}")
    if "mitigations" in spec:  # the exact set of rules offering mitigations ([] = none)
        got = sorted({m["rule"] for m in res.mitigations})
        if got != sorted(spec["mitigations"] or []):
            fail(f"{code} mitigations: expected {sorted(spec['mitigations'] or [])}, got {got}")
    if "unverified" in spec:  # rules whose reasons must be flagged as not verified
        flagged = {r["rule"] for r in _all_reasons(res) if r.get("unverified")}
        for rule_id in spec["unverified"] or []:
            if rule_id not in flagged:
                fail(f"{code}: expected the reason from {rule_id} to be flagged unverified")
    if "not_encoded" in spec and bool(getattr(res, "not_encoded", "")) != bool(spec["not_encoded"]):
        fail(f"{code}: expected not_encoded {bool(spec['not_encoded'])}, got {getattr(res, 'not_encoded', '') or 'none'}")


def _all_reasons(res) -> list:
    out = list(getattr(res, "reasons", []) or [])
    for f in getattr(res, "factors", {}).values():
        out += f.reasons
    return out + list(res.notes) + list(res.mitigations) + list(getattr(res, "not_needed_by", []) or [])


# ------------------------------------------------------------------ lint


@dataclass
class Problem:
    where: str
    message: str
    severity: str  # error | warning

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def _engine_problems(base, domains) -> list[Problem]:
    """Compile each jurisdiction's rules as the engine will: its fixed limits, reported like any error."""
    from .engine import Engine

    out: list[Problem] = []
    for code in sorted({r.jurisdiction for r in base.rules}):
        try:
            Engine([r for r in base.rules if r.jurisdiction == code], domains, f"lint_{code}")
        except FairuseError as exc:
            where, _, message = str(exc).partition(": ")
            out.append(Problem(where, message or str(exc), "error"))
    return out


APPLICATION_NAMES = ("facts", "said", "answers")


def application_problems(rule, vocabulary, jurisdiction_kind: str | None = None) -> list[str]:
    """A rule the memo shows without an ``application:``, or whose application names a fact the vocabulary lacks.

    The memo shows a rule that leans (in a factor's Discussion) and every rule of an
    exceptions jurisdiction (beside the condition it decides), except a duty, shown
    in its own words, and a rule that only concludes a finding (a step toward others).
    """
    if not rule.application:
        if getattr(rule.then, "leans", None):
            return ["leans toward a side but has no 'application:': the memo gives its reason without applying it "
                    "to the facts"]
        then = rule.then
        shown = not (then.finding and not (then.verdict or then.provision or then.duty or then.note or then.mitigation))
        if jurisdiction_kind == "exceptions" and not getattr(then, "duty", None) and shown:
            return ["no 'application:': the memo cannot apply this rule to the facts "
                    "(add a sentence over {{ facts.* }} / {{ said.* }})"]
        return []
    from jinja2 import nodes
    from jinja2.sandbox import SandboxedEnvironment

    tree = SandboxedEnvironment().parse(rule.application)
    named = {n.attr for n in tree.find_all(nodes.Getattr)
             if isinstance(n.node, nodes.Name) and n.node.name in APPLICATION_NAMES}
    named |= {n.arg.value for n in tree.find_all(nodes.Getitem) if isinstance(n.node, nodes.Name)
              and n.node.name in APPLICATION_NAMES and isinstance(n.arg, nodes.Const)}
    return [f"'application:' names '{name}', which is not a fact in the vocabulary"
            for name in sorted(named) if name not in vocabulary.facts]


def lint(root: Path | str) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) for the ruleset at ``root``."""
    root = Path(root)
    errors: list[Problem] = []
    warnings: list[Problem] = []
    collected: list[str] = []
    try:
        base = _load(root, collected)
    except FairuseError as exc:  # a file-level problem: nothing else can be checked
        where, _, message = str(exc).partition(": ")
        return [Problem(where, message or str(exc), "error")], []
    for text in collected:
        where, _, message = text.partition(": ")
        errors.append(Problem(where, message, "error"))
    domains = cond.Domains({f.id: f.domain for f in base.vocabulary}, {f.id: f.type for f in base.vocabulary},
                           base.findings)

    concluded: dict[tuple[str, str], set] = {}
    for rule in base.rules:
        for name, value in rule.then.finding.items():
            concluded.setdefault((rule.jurisdiction, name), set()).add(value)
    used_findings: set = set()
    for rule in base.rules:
        where = f"{rule.where}: {rule.id}"
        conjunctions = cond.to_dnf(rule.when, domains)
        if not conjunctions:
            errors.append(Problem(where, "can never fire: its conditions contradict each other", "error"))
            continue
        live = []
        for conj in conjunctions:
            dead = [leaf for leaf in conj if leaf.kind == "finding"
                    and not (leaf.values & concluded.get((rule.jurisdiction, leaf.name), set()))]
            if not dead:
                live.append(conj)
            used_findings |= {leaf.name for leaf in conj if leaf.kind == "finding"}
        if not live:
            leaf = next(leaf for conj in conjunctions for leaf in conj if leaf.kind == "finding")
            errors.append(Problem(where, f"can never fire: no rule concludes finding '{leaf.name}' "
                                         f"with {sorted(leaf.values, key=str)}", "error"))
        late_errors, _illustrations = dating_problems(rule)  # illustrations are hidden before their date
        errors += [Problem(where, message, "error") for message in late_errors]
        if rule.effective_from > base.stated_as_of:
            warnings.append(Problem(where, f"effective_from {rule.effective_from} is after the ruleset's as_of "
                                           f"{base.stated_as_of}", "warning"))
        if any("TODO" in str(x) for x in (rule.text, rule.explanation, rule.title)):
            warnings.append(Problem(where, "still contains TODO", "warning"))
        jur = base.jurisdictions.get(rule.jurisdiction)
        warnings.extend(Problem(where, message, "warning")
                        for message in application_problems(rule, base.vocabulary, jur.kind if jur else None))

    errors.extend(_engine_problems(base, domains))
    errors.extend(contradictions(base, domains))

    tags_used = {t for r in base.rules for t in r.tags}
    for code, jur in base.jurisdictions.items():
        for mod in jur.weighing.get("modifiers") or []:
            where = f"{jur.file}:{getattr(mod, 'line', 0)}: {mod.get('id', '?')}"
            for key in ("when", "unless"):
                if mod.get(key) is not None:
                    try:
                        parsed = cond.parse(mod[key], domains, lambda ln=None: where)
                        used_findings |= cond.names(parsed, "finding")
                    except FairuseError:
                        pass  # reported by the loader, with its line
            for tag in (mod.get("scale_tags") or {}):
                if tag not in tags_used:
                    warnings.append(Problem(where, f"scales tag '{tag}' that no rule carries", "warning"))
            for factor in (mod.get("scale_factors") or {}):
                if factor not in FACTORS:
                    errors.append(Problem(where, f"scales unknown factor '{factor}'", "error"))
        for key in jur.weighing.get("authority") or []:
            if key.partition("@")[0].strip() not in base.authorities:
                errors.append(Problem(f"{jur.file}", f"unknown authority '{key}'", "error"))
    for name, where in _finding_declarations(base).items():
        if name not in used_findings:
            warnings.append(Problem(where, f"finding '{name}' is concluded but no rule or weighing tests it", "warning"))
    for path, line, rule_id in base.drafts:
        warnings.append(Problem(f"{path}:{line}: {rule_id}", "draft rule, not loaded: remove 'draft: true' when it is ready",
                                "warning"))

    cited = {c.authority.key for r in base.rules for c in r.authority}
    cited |= {c.authority.key for j in base.jurisdictions.values() for p in j.provisions.values() for c in p.authority}
    cited |= {str(k).partition("@")[0].strip() for j in base.jurisdictions.values() for k in j.weighing.get("authority") or []}
    cited |= {str(k).partition("@")[0].strip() for j in base.jurisdictions.values()
              for k in (j.weighing.get("precedent") or {}).get("authority") or []}
    for key in sorted(set(base.authorities) - cited):
        warnings.append(Problem(f"{root / 'authorities.yaml'}", f"authority '{key}' is never cited", "warning"))

    # questions
    try:
        from .questionnaire import help_gaps, lint_questions, load_questions
        from .questionnaire.questions import defeater_gaps

        questions = load_questions(base)
        for message in lint_questions(base, questions):
            errors.append(Problem(f"{root / 'questions.yaml'}", message, "error"))
        for message in help_gaps(base, questions) + defeater_gaps(base, questions):
            warnings.append(Problem(f"{root / 'questions.yaml'}", message, "warning"))
    except FairuseError as exc:
        where, _, message = str(exc).partition(": ")
        errors.append(Problem(where, message, "error"))

    # changelog
    changelog = root / "CHANGELOG.md"
    if not changelog.exists():
        warnings.append(Problem(str(changelog), "missing: record each change of the law with its authority", "warning"))
    elif not re.search(rf"^##\s*{re.escape(base.version)}\b", changelog.read_text(encoding="utf-8"), re.M):
        errors.append(Problem(str(changelog), f"no entry '## {base.version}' for the version in ruleset.yaml", "error"))

    # tests and coverage
    try:
        tests = load_tests(root, base)
        results = run_tests(base, tests)
        covered = set().union(*(r.fired for r in results)) if results else set()
        for r in results:
            if not r.passed:
                errors.append(Problem(f"{r.test.file}:{r.test.line}", f"rule test '{r.test.name}' fails: "
                                                                      f"{'; '.join(r.failures)}", "error"))
        seen: set = set()
        for rule in base.rules:
            if rule.id not in covered and rule.id not in seen:
                seen.add(rule.id)
                warnings.append(Problem(f"{rule.where}: {rule.id}", "no rule test makes this rule fire", "warning"))
    except FairuseError as exc:
        where, _, message = str(exc).partition(": ")
        errors.append(Problem(where, message, "error"))
    return errors, warnings


def dating_problems(rule) -> tuple[list[str], list[str]]:
    """The dating rules, as (errors, warnings).

    A rule made from a decision or guidance is dated by it: citing one decided or issued after
    the rule takes effect is an error (start a new version from that date). No rule may cite a
    statute or regulation not yet in force. A rule restating a statute may cite later decisions
    as illustrations: they are shown only from their date (returned second, not reported).
    """
    errors, warnings = [], []
    for cite in rule.authority:
        auth = cite.authority
        if not (auth.date and auth.date > rule.effective_from):
            continue
        what = "decided" if auth.kind == "case" else "issued" if auth.kind in ("guidance", "report", "licence") else "in force"
        said = f"cites {auth.short or auth.key} ({what} {auth.date.isoformat()}) but takes effect {rule.effective_from.isoformat()}"
        if auth.kind in ("statute", "regulation") or not rule.by_conduct:
            errors.append(f"{said}: a rule is dated by the latest decision, guidance or statute it rests on "
                          f"(start a new version from that date)")
        else:
            warnings.append(f"{said}: cited as an illustration of the statute, shown only from that date")
    return errors, warnings


def _overlap(a, b) -> bool:
    return a.effective_from <= (b.effective_until or dt.date.max) and b.effective_from <= (a.effective_until or dt.date.max)


def _exception_graph(base: RuleBase) -> dict[str, set]:
    direct: dict[str, set] = {}
    for rule in base.rules:
        direct.setdefault(rule.id, set()).update(rule.exception_to)
    return direct


def _overrides(direct: dict, start: str, goal: str, budget: list) -> bool:
    """Does ``start`` override ``goal``, directly or through other exceptions? Each rule visited
    once; ``budget[0]`` counts the steps down."""
    seen: set = set()
    todo = list(direct.get(start, ()))
    while todo:
        nxt = todo.pop()
        if nxt in seen:
            continue
        if nxt == goal:
            return True
        seen.add(nxt)
        budget[0] -= 1
        todo.extend(direct.get(nxt, ()))
    return False


#: Steps ``rules lint`` spends looking for contradictions: all pairs together, and one pair
#: (two conditions of thousands of alternatives each are searched, never multiplied out).
CONTRADICTION_STEPS = 2_000_000
CONTRADICTION_PAIR_STEPS = 200_000


def contradictions(base: RuleBase, domains, steps: int = CONTRADICTION_STEPS,
                   pair_steps: int = CONTRADICTION_PAIR_STEPS) -> list[Problem]:
    """Pairs of rules that can fire on the same facts with contradictory values
    for one finding and no declared precedence (``exception_to``).

    Bounded: each pair's conditions are searched together (:func:`fairuse.conditions.joint`,
    never expanded into each other), at most ``pair_steps`` steps a pair and ``steps`` in
    all; what is left unchecked is one error naming the rules (lint cannot vouch for them), never an
    hour or a gigabyte."""
    direct = _exception_graph(base)
    by_finding: dict[tuple, list] = {}
    for rule in base.rules:
        for name, value in rule.then.finding.items():
            by_finding.setdefault((rule.jurisdiction, name), []).append((rule, value))
    budget = [steps]
    out = []
    unchecked: list = []
    for (code, name), items in sorted(by_finding.items()):
        for i, (a, va) in enumerate(items):
            for b, vb in items[i + 1:]:
                if va == vb or a.id == b.id or not _overlap(a, b):
                    continue
                budget[0] -= 1
                if budget[0] <= 0:
                    unchecked.append((a, b))
                    continue
                try:
                    example = cond.joint(a.when, b.when, domains, min(pair_steps, budget[0]))
                except cond.TooManyAlternatives as exc:
                    budget[0] -= exc.args[0]
                    unchecked.append((a, b))
                    continue
                if example is None:
                    continue
                if _overrides(direct, a.id, b.id, budget) or _overrides(direct, b.id, a.id, budget):
                    continue
                shown = ", ".join(leaf.describe() for leaf in example)
                out.append(Problem(f"{a.where}: {a.id}",
                                   f"contradicts {b.id} ({b.where}) on finding '{name}' ({_show(va)} vs {_show(vb)}) "
                                   f"when {shown}; declare which prevails with exception_to", "error"))
    if unchecked:
        a, b = unchecked[0]
        more = f" and {len(unchecked) - 1:,} more pairs" if len(unchecked) > 1 else ""
        out.append(Problem(f"{a.where}: {a.id}",
                           f"not checked for a contradiction with {b.id} ({b.where}){more}: their conditions have "
                           f"too many alternatives together (more than {steps:,} steps in all, {pair_steps:,} a "
                           f"pair); name parts of them as findings", "error"))
    return out


def _show(value) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _finding_declarations(base: RuleBase) -> dict[str, str]:
    out = {}
    for path in sorted(base.root.glob("*/*.yaml")):
        if path.name == "weighing.yaml" or path.parent.name not in JURISDICTIONS:
            continue
        data = load_file(path)
        if isinstance(data, Node) and isinstance(data.get("findings"), Node):
            for name in data["findings"]:
                out[name] = f"{path}:{data['findings'].line_of(name)}"
    return out


# ------------------------------------------------------------------ diff


def diff(old: RuleBase, new: RuleBase, examples_dir: Path | None = None, casebook_dir: Path | None = None):
    """Every verdict, factor leaning and reason that differs between two rulesets.

    Scenarios: the bundled examples and every casebook case (each in its own
    jurisdiction, as of its decision date). Returns a pandas DataFrame.
    """
    import pandas as pd

    from .answers import load_answers
    from .assess import assess
    from .casebook import load_casebook
    from .examples import examples_dir as default_examples

    scenarios = []
    folder = Path(examples_dir) if examples_dir else default_examples()
    for path in sorted(folder.glob("*.yaml")):
        scenarios.append((f"example:{path.stem}", load_answers(new.vocabulary, path), None))
    for case in load_casebook(casebook_dir, new):
        if case.assess_as == "none":
            continue
        scenarios.append((f"case:{case.id}", {**case.facts, "jurisdictions": [case.assess_as]}, case.as_of))
    rows = []
    for name, facts, as_of in scenarios:
        a = assess(facts, rulebase=old, as_of=as_of)
        b = assess(facts, rulebase=new, as_of=as_of)
        for code in b.results:
            ra, rb = a.results.get(code), b.results[code]
            if ra is None:
                continue
            if ra.verdict != rb.verdict:
                rows.append({"scenario": name, "jurisdiction": code, "what": "verdict", "old": ra.verdict, "new": rb.verdict})
            if hasattr(rb, "factors"):
                for factor in FACTORS:
                    if ra.factors[factor].leaning != rb.factors[factor].leaning:
                        rows.append({"scenario": name, "jurisdiction": code, "what": f"factor {factor}",
                                     "old": ra.factors[factor].leaning, "new": rb.factors[factor].leaning})
            old_rules = {f.rule.id for f in a.trace[code]}
            new_rules = {f.rule.id for f in b.trace[code]}
            for rule_id in sorted(old_rules - new_rules):
                rows.append({"scenario": name, "jurisdiction": code, "what": "reason", "old": rule_id, "new": ""})
            for rule_id in sorted(new_rules - old_rules):
                rows.append({"scenario": name, "jurisdiction": code, "what": "reason", "old": "", "new": rule_id})
    return pd.DataFrame(rows, columns=["scenario", "jurisdiction", "what", "old", "new"])


# ------------------------------------------------------------------ schema


def schema(base: RuleBase, kind: str = "rules") -> dict:
    """JSON Schema (draft 2020-12) for rule, weighing, question or casebook files."""
    from .casebook import CaseModel
    from .rules import Conclusion, RuleModel

    facts = sorted(f.id for f in base.vocabulary)
    findings = sorted(base.findings)
    authorities = sorted(base.authorities)
    leaf_ops = {"is": {}, "in": {"type": "array", "minItems": 1}, "not_in": {"type": "array", "minItems": 1},
                "known": {"type": "boolean"}}
    condition = {"oneOf": [
        {"type": "object", "properties": {"all": {"type": "array", "items": {"$ref": "#/$defs/condition"}, "minItems": 1}},
         "required": ["all"], "additionalProperties": False},
        {"type": "object", "properties": {"any": {"type": "array", "items": {"$ref": "#/$defs/condition"}, "minItems": 1}},
         "required": ["any"], "additionalProperties": False},
        {"type": "object", "properties": {"not": {"$ref": "#/$defs/condition"}}, "required": ["not"],
         "additionalProperties": False},
        {"type": "object", "properties": {"fact": {"enum": facts}, **leaf_ops}, "required": ["fact"],
         "additionalProperties": False, "minProperties": 2, "maxProperties": 2},
        {"type": "object", "properties": {"finding": {"enum": findings}, **leaf_ops}, "required": ["finding"],
         "additionalProperties": False, "minProperties": 2, "maxProperties": 2},
    ]}
    authority = {"type": "string", "pattern": r"^\s*[a-z0-9-]+\s*(@.+)?$",
                 "description": "A key of authorities.yaml, optionally '@ pinpoint'. Keys: " + ", ".join(authorities)}
    header = {"$schema": "https://json-schema.org/draft/2020-12/schema"}
    if kind == "rules":
        rule = RuleModel.model_json_schema()
        rule_props = dict(rule["properties"])
        rule_props["when"] = {"$ref": "#/$defs/condition", "description": rule_props["when"].get("description", "")}
        rule_props["then"] = {"$ref": "#/$defs/conclusion"}
        rule_props["authority"] = {"type": "array", "items": authority, "minItems": 1}
        rule_props["effective_from"] = {"type": "string", "format": "date"}
        rule_props["effective_until"] = {"type": ["string", "null"], "format": "date"}
        conclusion = Conclusion.model_json_schema()
        return {**header, "title": "fairuse rule file", "type": "object",
                "required": ["jurisdiction", "rules"], "additionalProperties": False,
                "properties": {
                    "jurisdiction": {"enum": list(JURISDICTIONS)},
                    "title": {"type": "string"},
                    "factor": {"enum": list(FACTORS)},
                    "findings": {"type": "object", "additionalProperties": {
                        "type": "object", "required": ["values"], "additionalProperties": False,
                        "properties": {"values": {"type": "array", "minItems": 1}, "meaning": {"type": "string"},
                                       "stated_by": {"enum": facts}}}},
                    "rules": {"type": "array", "items": {"$ref": "#/$defs/rule"}}},
                "$defs": {"condition": condition,
                          "conclusion": {"type": "object", "additionalProperties": False,
                                         "properties": conclusion["properties"]},
                          "rule": {"type": "object", "additionalProperties": False, "properties": rule_props,
                                   "required": ["id", "title", "text", "when", "then", "explanation", "authority",
                                                "effective_from"]}}}
    if kind == "weighing":
        return {**header, "title": "fairuse weighing file", "type": "object", "required": ["jurisdiction", "kind"],
                "properties": {"jurisdiction": {"enum": list(JURISDICTIONS)}, "kind": {"enum": ["fair_use", "exceptions"]},
                               "name": {"type": "string"}, "authority": {"type": "array", "items": authority},
                               "factor_weights": {"type": "object", "required": list(FACTORS),
                                                  "additionalProperties": {"type": "number"}},
                               "damping": {"type": "number"}, "leaning_threshold": {"type": "number"},
                               "exclusive_tags": {"type": "array", "items": {"type": "string"}},
                               "modifiers": {"type": "array", "items": {"type": "object", "required": ["id", "when"],
                                   "properties": {"id": {"type": "string"}, "when": {"$ref": "#/$defs/condition"},
                                                  "unless": {"$ref": "#/$defs/condition"},
                                                  "scale_tags": {"type": "object"}, "scale_factors": {"type": "object"},
                                                  "explanation": {"type": "string"},
                                                  "authority": {"type": "array", "items": authority}}}},
                               "bands": {"type": "object"}, "uncertainty": {"type": "object"},
                               "provisions": {"type": "object", "additionalProperties": {
                                   "type": "object", "required": ["title", "authority", "effective_from", "conditions"],
                                   "properties": {"title": {"type": "string"}, "authority": {"type": "array", "items": authority},
                                                  "effective_from": {"type": "string", "format": "date"},
                                                  "effective_until": {"type": "string", "format": "date"},
                                                  "conditions": {"type": "object", "additionalProperties": {"type": "string"}},
                                                  "note": {"type": "string"}}}}},
                "$defs": {"condition": condition}}
    if kind == "questions":
        return {**header, "title": "fairuse questions file", "type": "object", "required": ["sections"],
                "properties": {"version": {"type": "integer"},
                               "terms": {"type": "array", "items": {"type": "string"},
                                         "description": "legal terms: a question using one needs a 'define'"},
                               "sections": {"type": "array", "items": {
                    "type": "object", "required": ["id", "questions"],
                    "properties": {"id": {"type": "string"}, "title": {"type": "string"}, "factor": {"enum": list(FACTORS)},
                                   "questions": {"type": "array", "items": {
                                       "type": "object", "required": ["fact", "question", "help"], "additionalProperties": False,
                                       "properties": {"fact": {"enum": facts}, "question": {"type": "string"},
                                                      "help": {"oneOf": [{"type": "string"}, {
                                                          "type": "object", "minProperties": 1,
                                                          "additionalProperties": {"type": "string"},
                                                          "description": "'general' and jurisdiction codes (one, or several separated by commas) to text"}]},
                                                      "choices": {"type": "object"},
                                                      "ask_if": {"$ref": "#/$defs/condition"},
                                                      "skip_if": {"$ref": "#/$defs/condition"},
                                                      "define": {"oneOf": [{"type": "string"}, {
                                                          "type": "object", "minProperties": 1,
                                                          "additionalProperties": {"type": "string"},
                                                          "description": "the question's legal terms in plain words, "
                                                                         "shaped like 'help'"}]},
                                                      "examples": {"type": "object", "minProperties": 1,
                                                                   "additionalProperties": {"type": "string"},
                                                                   "description": "each answer (true/false for a "
                                                                                  "yes-or-no question) to one example"},
                                                      "always_ask": {"type": "boolean"},
                                                      "review_only": {"type": "boolean"},
                                                      "defeater": {"type": "boolean",
                                                                   "description": "a fact batch runs assume that the "
                                                                                  "user can know: asked when it could "
                                                                                  "change a verdict"}}}}}}}},
                "$defs": {"condition": condition}}
    if kind == "casebook":
        case = CaseModel.model_json_schema()
        fact_props = {fact.id: fact.json_schema() for fact in base.vocabulary}
        props = dict(case["properties"])
        props["facts"] = {"type": "object", "properties": fact_props, "additionalProperties": False}
        return {**header, "title": "fairuse casebook file", "type": "object", "properties": props,
                "required": case.get("required", []), "additionalProperties": False}
    raise FairuseError(f"--kind: expected rules, weighing, questions or casebook, got '{kind}'")


# ------------------------------------------------------------------ scaffold


def scaffold(root: Path, jurisdiction: str, rule_id: str, base: RuleBase | None = None) -> tuple[Path, Path]:
    """Write a draft rule with every required key, and a matching rule test."""
    from .rules import RULE_ID

    if jurisdiction not in JURISDICTIONS:
        raise FairuseError(f"--jurisdiction: expected one of {', '.join(JURISDICTIONS)}, got '{jurisdiction}'")
    if len(rule_id) > 100:
        raise FairuseError(f"--id: {len(rule_id)} characters; a rule id has at most 100")
    if not re.fullmatch(RULE_ID.rstrip("$"), rule_id) or not rule_id.startswith(jurisdiction + "."):
        raise FairuseError(f"--id: '{rule_id}' must look like {jurisdiction}.provision.point (lower case, dots)")
    if base is not None and base.by_id(rule_id):
        raise FairuseError(f"--id: rule '{rule_id}' already exists at {base.by_id(rule_id)[0].where}; "
                           "add a new dated version there instead")
    slug = rule_id.split(".", 1)[1].replace(".", "-")
    rule_path = root / jurisdiction / f"{slug}.yaml"
    test_path = root / "tests" / f"{rule_id}.yaml"
    from .atomic import check_target, write_atomic

    for path in (rule_path, test_path):  # both checked before either is written; never over anything there
        check_target(path, forceable=False)
    today = dt.date.today().isoformat()
    factor_line = "      factor: purpose      # fair use only: purpose | nature | amount | market\n" \
        if jurisdiction == "us" else ""
    then = ("      leans: user          # user | owner | neutral\n      weight: 1            # 1 slight, 2 clear, 3 strong\n"
            if jurisdiction == "us" else
            "      note: TODO what this means for the user\n")
    write_atomic(
        rule_path,
        f"# {rule_id}: TODO one line on the provision or decision this encodes.\n"
        f"jurisdiction: {jurisdiction}\n"
        f"rules:\n"
        f"  - id: {rule_id}\n"
        f"    draft: true          # remove when the rule is ready; drafts are not loaded\n"
        f"    title: TODO a short title\n"
        f"    text: \"TODO the provision's words, or a faithful paraphrase of the holding\"\n"
        f"    when:\n"
        f"      all:\n"
        f"        - {{fact: purpose, is: ai_training}}   # TODO the condition, over facts in facts.yaml\n"
        f"    then:\n"
        f"{factor_line}{then}"
        f"    explanation: TODO why the conclusion follows, in plain words (shown as the reason)\n"
        f"    authority: [TODO]     # keys of authorities.yaml, e.g. campbell @ 579\n"
        f"    effective_from: {today}   # the date the provision or decision took effect\n"
        f"    # effective_until: YYYY-MM-DD  # only when a later version replaces this one\n"
        f"    # unsettled: why the point is not settled law (lowers confidence)\n", forceable=False)
    write_atomic(
        test_path,
        f"# Rule test for {rule_id}: facts in, the verdict and rules you expect out.\n"
        f"tests:\n"
        f"  - name: {rule_id} fires on the facts it was written for\n"
        f"    as_of: {today}\n"
        f"    facts:\n"
        f"      jurisdictions: [{jurisdiction}]\n"
        f"      purpose: ai_training     # TODO the facts of the case or provision\n"
        f"    expect:\n"
        f"      {jurisdiction}:\n"
        f"        fired: [{rule_id}]\n"
        f"        # verdict: ...\n", forceable=False)
    return rule_path, test_path
