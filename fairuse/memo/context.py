"""What the memo says: an assessment turned into the plain data the templates read.

Prose before the appendix, numbers in it; every authority cited is collected
for the Table of Authorities.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path

from ..assess import NOT_LEGAL_ADVICE, Assessment, flip_known
from ..errors import FairuseError
from ..prose import (OTHER_HEADING, FactWords, assumed_facts, brief_answer_other, brief_answer_us,
                     changes_not_assumed, factor_prose, facts_assumed, grouped_changes, keep_together,
                     other_jurisdiction, weighing_prose)
from ..report import FACTOR_TITLES, JURISDICTION_NAMES, label
from ..yamlfile import line_of, load_file
from .chart import chart_svg
from .templating import environment, templates_dir

FACTOR_TEXT = {
    "purpose": "the purpose and character of the use, including whether such use is of a commercial nature "
               "or is for nonprofit educational purposes",
    "nature": "the nature of the copyrighted work",
    "amount": "the amount and substantiality of the portion used in relation to the copyrighted work as a whole",
    "market": "the effect of the use upon the potential market for or value of the copyrighted work",
}
VERDICT_WORDS = {
    "likely_fair": "is likely a fair use", "leaning_fair": "leans toward fair use",
    "uncertain": "is uncertain", "leaning_unfair": "leans against fair use",
    "likely_unfair": "is likely not a fair use", "not_needed": "needs no exception",
    "applies": "falls within the exception", "does_not_apply": "falls outside the exception",
}
KIND_TITLES = {"case": "Cases", "statute": "Statutes", "regulation": "Regulations",
               "guidance": "Guidance", "report": "Reports"}



MAX_SUMMARY = 2000  # characters of the use summary the memo shows; the rest is cut with a note


def _prose_spec(template_dirs: list[Path]) -> dict:
    for folder in template_dirs:
        candidate = folder / "facts_prose.yaml"
        if candidate.exists():
            stat = candidate.stat()
            return _read_prose_spec(str(candidate), stat.st_mtime_ns, stat.st_size)
    return {"facts": {}, "unknown": "It is not known {{ question }}."}


@functools.lru_cache(maxsize=8)
def _read_prose_spec(path: str, mtime_ns: int, size: int) -> dict:
    """facts_prose.yaml read and checked once while the file is unchanged (the memo only reads it)."""
    spec = load_file(path)
    _check_prose_spec(spec, Path(path))
    return spec


def _check_prose_spec(spec, path: Path) -> None:
    """A partial or mistyped facts_prose.yaml is one line naming the key, never a crash in every memo."""
    if not isinstance(spec, dict) or not isinstance(spec.get("facts"), dict):
        raise FairuseError(f"{path}: expected a mapping with a 'facts' mapping")
    if not isinstance(spec.get("unknown", ""), str):
        raise FairuseError(f"{path}: 'unknown': expected a sentence with {{question}}")
    for fact, entry in spec["facts"].items():
        where = f"{path}:{line_of(spec['facts'], fact) or ''}: facts.{fact}".replace(":: ", ": ")
        if isinstance(entry, str) or entry is None:
            continue
        if not isinstance(entry, dict):
            raise FairuseError(f"{where}: expected a sentence or a mapping of sentence/values/question")
        unknown = sorted(set(map(str, entry)) - {"sentence", "values", "question"})
        if unknown:
            raise FairuseError(f"{where}: unknown key '{unknown[0]}' (expected sentence, values, question)")
        for key in ("sentence", "question"):
            if entry.get(key) is not None and not isinstance(entry[key], str):
                raise FairuseError(f"{where}.{key}: expected text")
        if entry.get("values") is not None and not isinstance(entry["values"], dict):
            raise FairuseError(f"{where}.values: expected a mapping of value to words")


def _facts_in_words(assessment: Assessment, words) -> tuple[list[str], list[str]]:
    """The statement of facts: each known answer in a sentence; the unknown ones that matter and are not
    assumed (Facts Assumed says those)."""
    known = []
    for fact in assessment.rulebase.vocabulary:
        if fact.id in ("use_summary", "assessment_date"):
            continue
        value = assessment.answers.get(fact.id)
        if value is not None:
            known.append(words.sentence(fact.id, value))
    assumed = assumed_facts(assessment)
    return known, [words.unknown(fact_id) for fact_id in assessment.missing if fact_id not in assumed]


def _words(value) -> str:
    if isinstance(value, list):
        return ", ".join(JURISDICTION_NAMES.get(v, str(v)) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).replace("_", " ")


class _Authorities:
    """Collects every authority cited, with the sections citing it."""

    def __init__(self, rulebase, order: list[str] | None = None):
        self.order = {section: i for i, section in enumerate(order or [])}  # the memo's sections, in order
        self.by_cite = {a.cite: a for a in rulebase.authorities.values()}
        self.by_key = {}  # a reporter citation or docket number -> the authority's own cite
        for cite in sorted(self.by_cite, key=len):
            if self.by_cite[cite].kind != "case":
                continue
            key = _citation_key(cite)
            if key and key not in self.by_key:
                self.by_key[key] = cite
        self.entries: dict[str, dict] = {}

    def cite(self, citation: str, section: str, section_title: str) -> str:
        base = self._base(citation)
        entry = self.entries.setdefault(base, {"cite": keep_together(base), "kind": self._kind(base), "sections": {}})
        entry["sections"][section] = section_title
        return citation

    def _base(self, citation: str) -> str:
        """One entry per authority: a pinpoint, or a precedent named differently, points to the same entry."""
        for cite in sorted(self.by_cite, key=len, reverse=True):
            if citation.startswith(cite):
                return cite
        key = _citation_key(citation)
        return self.by_key.get(key, citation) if key else citation

    def _kind(self, base: str) -> str:
        auth = self.by_cite.get(base)
        return auth.kind if auth else "case"

    def sections(self) -> list[dict]:
        """The sections that cite an authority, each once, in the memo's order."""
        titles = self._first_cited()
        return [{"id": k, "title": titles[k]} for k in sorted(titles, key=self._rank(titles))]

    def _first_cited(self) -> dict:
        """Each section that cites an authority -> its title, in the order first cited."""
        titles: dict = {}
        for entry in self.entries.values():
            for k, v in entry["sections"].items():
                titles.setdefault(k, v)
        return titles

    def _rank(self, titles: dict | None = None):
        """A sort key putting section ids in the memo's order (a section it does not know: last, as first cited)."""
        first = {k: i for i, k in enumerate(titles if titles is not None else self._first_cited())}
        return lambda section: (self.order.get(section, len(self.order)), first[section])

    def table(self) -> list[dict]:
        rank = self._rank()
        groups = []
        for kind, title in KIND_TITLES.items():
            items = sorted((e for e in self.entries.values() if e["kind"] == kind), key=lambda e: e["cite"].lower())
            if items:
                groups.append({"title": title, "items": [
                    {"cite": e["cite"], "sections": [{"id": k, "title": e["sections"][k]}
                                                     for k in sorted(e["sections"], key=rank)]}
                    for e in items]})
        return groups


_REPORTER = re.compile(r"\b(\d+ (?:U\.S\.|S\. ?Ct\.|F\.(?: Supp\.)?(?: ?[234]d| ?4th)?|F\. App'x|USPQ2d) \d+)"
                       r"|\b(No\. [\w:.\-]+\d)|\b(\d+ [A-Z]\w* \d+/\d+)")


def _citation_key(citation: str) -> str | None:
    """The part of a citation that names one decision: a reporter cite or a docket number."""
    match = _REPORTER.search(citation)
    return next(g for g in match.groups() if g) if match else None


def build_context(assessment: Assessment, *, to: str = "File", author: str = "fairuse (automated analysis)",
                  template_dirs: list[Path] | None = None, env=None) -> dict:
    """Everything the memo templates need, as plain data (prose before the appendix, numbers in it)."""
    a = assessment
    base = a.rulebase
    template_dirs = template_dirs or [templates_dir()]
    env = env or environment(template_dirs[0] if template_dirs[0] != templates_dir() else None)
    from ..weighing import FACTORS

    auth = _Authorities(base, ["question", "brief-answer", *(f"factor-{n}" for n in FACTORS),
                               *(f"jurisdiction-{c}" for c in a.jurisdictions), "sensitivity", "mitigations",
                               "caveats", "appendix"])
    words = FactWords(_prose_spec(template_dirs), env, base.vocabulary)
    known, unknown = _facts_in_words(a, words)
    summary = " ".join(str(a.answers.get("use_summary") or "the use described below").split())
    if len(summary) > MAX_SUMMARY:  # a 1 MB summary made the PDF take 27 s
        cut = summary[:MAX_SUMMARY].rsplit(" ", 1)[0]
        summary = f"{cut} … [summary cut: {len(summary) - len(cut):,} more characters in the answers file]"
    names = [JURISDICTION_NAMES.get(j, j) for j in a.jurisdictions]
    firings = {f.rule.id: f for fs in a.trace.values() for f in fs}
    titles = {rid: f.rule.title for rid, f in firings.items()}
    matched = {rid: f.matched for rid, f in firings.items()}
    answers = {k: v for k, v in a.answers.items() if k not in ("use_summary", "assessment_date", "conduct_date")}

    precedents = _precedents_by_factor(a)
    factors = []
    if a.us is not None and a.us.verdict != "not_needed":
        relevant = _facts_per_factor(a)
        words.cited_in_full.add("campbell")  # the Discussion opens by citing it in full (discussion templates)
        for i, (name, f) in enumerate(a.us.factors.items(), 1):
            section = f"factor-{name}"
            reasons = []
            for r in f.reasons:
                reasons.append({**r, "authority": [auth.cite(c, section, f"Factor {i}") for c in r["authority"]],
                                "counted": bool(r.get("weight"))})
            for side in ("for", "against"):
                for p in precedents[name][side]:
                    auth.cite(p["citation_full"], section, f"Factor {i}")
            prose = factor_prose(name, f, titles, matched, words, answers, precedents[name], relevant.get(name, set()),
                                 {rid: firing.rule for rid, firing in firings.items()})
            factors.append({"id": section, "number": i, "name": name, "title": FACTOR_TITLES[name],
                            "text": FACTOR_TEXT[name], "leaning": f.leaning, "score": f.score, "reasons": reasons,
                            "precedents_for": precedents[name]["for"], "precedents_against": precedents[name]["against"],
                            "prose": prose})
    brief = []
    if a.us is not None:
        for r in a.us.not_needed_by:
            for c in r["authority"]:
                auth.cite(c, "brief-answer", "Brief Answer")
        auth.cite("17 U.S.C. § 107", "question", "Question Presented")
        brief += brief_answer_us(a.us, titles)

    others = []
    said_in: dict[str, str] = {}  # a reason's words -> the jurisdiction that first gave them
    for code, res in a.tdm.items():
        section = f"jurisdiction-{code}"
        where = JURISDICTION_NAMES.get(code, code)
        for p in res.provisions:
            for c in p.authority:
                auth.cite(c, section, where)
        for item in (*res.reasons, *res.duties):
            for c in item["authority"]:
                auth.cite(c, section, where)
        lines, reasons = other_jurisdiction(code, res, a.trace.get(code, []), words, answers, said_in)
        reasons = [{**r, "authority": [keep_together(c) for c in r["authority"]]} for r in reasons]
        brief.append(brief_answer_other(code, res))
        others.append({"id": section, "code": code, "name": JURISDICTION_NAMES.get(code, code), "verdict": res.verdict,
                       "heading": OTHER_HEADING.get(res.verdict, res.verdict),
                       "label": label(res.verdict), "words": VERDICT_WORDS.get(res.verdict, res.verdict),
                       "provisions": [p.__dict__ for p in res.provisions], "provision_lines": lines, "reasons": reasons,
                       "duties": res.duties, "notes": res.notes, "steps": res.steps,
                       "not_encoded": res.not_encoded})

    unknown_changes = grouped_changes(changes_not_assumed(a), words)  # an assumed fact's moves: in Facts Assumed
    resting = grouped_changes(flip_known(a), words, answers)
    mitigations = []
    for m in a.mitigations():
        mitigations.append({**m, "authority": [keep_together(auth.cite(c, "mitigations", "Risk Mitigations"))
                                               for c in m["authority"]]})
    notes, seen_notes = [], set()
    for res in a.results.values():
        for n in res.notes:
            if n["note"] not in seen_notes:
                seen_notes.add(n["note"])
                notes.append(n)
    for n in notes:
        for c in n["authority"]:
            auth.cite(c, "caveats", "Caveats")
    unsettled = []
    for code, fs in a.trace.items():
        for f in fs:
            if f.rule.unsettled and f.rule.unsettled not in {u["text"] for u in unsettled}:
                unsettled.append({"rule": f.rule.id, "text": f.rule.unsettled, "jurisdiction": code})
            if f.rule.unverified:
                text = f"Not verified against a primary source: {f.rule.unverified}"
                if text not in {u["text"] for u in unsettled}:
                    unsettled.append({"rule": f.rule.id, "text": text, "jurisdiction": code})
    trace = []
    for code, fs in a.trace.items():
        for firing in fs:
            f = firing.to_dict()
            for c in f["authority"]:
                auth.cite(c, "appendix", "Appendix")
            trace.append({**f, "jurisdiction": code, "concluded_lines": _concluded_lines(f["concluded"]),
                          "short_authority": [_short(c) for c in firing.rule.authority]})

    us = None
    if a.us is not None:
        us = {"verdict": a.us.verdict, "label": label(a.us.verdict), "words": VERDICT_WORDS[a.us.verdict],
              "score": a.us.score, "steps": a.us.steps, "not_needed_by": a.us.not_needed_by,
              "weighing_words": weighing_prose(a.us)}
    table = auth.table()
    return {
        "heading": {"to": to, "from": author, "date": a.as_of.isoformat(), "generated": dt.date.today().isoformat(),
                    "re": summary if len(summary) < 140 else summary[:137].rsplit(" ", 1)[0] + "…"},
        "summary": summary,
        "jurisdiction_names": names,
        "question_tdm": [n for j, n in zip(a.jurisdictions, names) if j != "us"],
        "us": us,
        "brief_answer": brief,
        "factors": factors,
        "chart": chart_svg(a) if a.us is not None else "",
        "others": others,
        "facts_known": known,
        "facts_unknown": unknown,
        "missing": [{"id": m, "question": words.question(m), "meaning": base.vocabulary[m].meaning} for m in a.missing],
        "unknown_changes": unknown_changes,
        "resting_on": resting,
        "assumptions": facts_assumed(a, words),
        "disagreements": [{"text": _disagreement(d, words)} for d in a.disagreements],
        # the precedents' part is said here only where they decided or kept the verdict
        "precedent_reasoning": (a.analogies["us"].sentence if "us" in a.analogies and a.us is not None
                                and any("precedents decide" in x or "precedents support" in x for x in a.us.steps)
                                else ""),
        "mitigations": mitigations,
        "notes": notes,
        "unsettled": unsettled,
        "precedents": a.precedents,
        "authorities": table,
        "authority_sections": auth.sections(),  # the PDF's "where cited" key, with each section's page
        "authorities_without_appendix": _without(table, "appendix"),
        "trace": trace,
        "ruleset": {"version": base.version, "stated_as_of": base.stated_as_of.isoformat(), "as_of": a.as_of.isoformat()},
        "disclaimer": NOT_LEGAL_ADVICE,
    }


def _short(citation) -> str:
    """A short form for the appendix (the Table of Authorities has the full citation)."""
    auth = citation.authority
    if not auth.short:
        return str(citation)
    if not citation.pinpoint:
        return auth.short
    return f"{auth.short}, at {citation.pinpoint}" if auth.kind == "case" else f"{auth.short} {citation.pinpoint}"


def _without(table: list[dict], section: str) -> list[dict]:
    """The table of authorities for a format that lacks ``section`` (Markdown has no appendix)."""
    groups = []
    for group in table:
        items = [{**item, "sections": [s for s in item["sections"] if s["id"] != section]} for item in group["items"]]
        items = [item for item in items if item["sections"]]
        if items:
            groups.append({**group, "items": items})
    return groups


def _disagreement(d: dict, words: FactWords) -> str:
    """A stated answer the other facts contradict, in the facts' own words."""
    from ..prose import clause

    where = JURISDICTION_NAMES.get(d["jurisdiction"], d["jurisdiction"])
    return (f"{where}: the answers state that {clause(words.sentence(d['fact'], d['stated']))}, and that answer was "
            f"applied; the other facts given imply instead that {clause(words.either(d['fact'], d['implied']))}.")


def _facts_per_factor(a: Assessment) -> dict[str, set]:
    """The facts each US factor's rules read: what a precedent must share or differ on to bear on it."""
    out: dict[str, set] = {}
    for rule in a.rulebase.active("us", a.as_of):
        if rule.factor:
            out.setdefault(rule.factor, set()).update(f for f in rule.facts_used if f in a.rulebase.vocabulary.facts)
    return out


def _concluded_lines(concluded: dict) -> list[str]:
    lines = []
    for key, value in concluded.items():
        if key == "finding":
            lines += [f"finding {k} = {_words(v)}" for k, v in value.items()]
        elif key in ("note", "mitigation", "duty"):
            lines.append(f"{key} (see text)")
        elif key == "provision":
            lines.append(f"provision {', '.join(value) if isinstance(value, list) else value}")
        else:
            lines.append(f"{key} {_words(value)}")
    return lines


def _precedents_by_factor(a: Assessment) -> dict:
    """For each factor, the closest precedents whose court found it for the user or the owner."""
    out = {f: {"for": [], "against": []} for f in FACTOR_TEXT}
    if not a.precedents:
        return out
    try:
        from ..casebook import load_casebook, rank
        cases = load_casebook(getattr(a, "casebook_dir", None), a.rulebase)
    except FairuseError:
        return out
    facts = {k: v for k, v in a.answers.items() if k not in ("use_summary", "assessment_date", "conduct_date", "jurisdictions")}
    ranked = [m for m in rank(facts, cases, a.rulebase) if m.case.jurisdiction == "us"]
    for factor in out:
        for side, finding in (("for", "user"), ("against", "owner")):
            picks = [m for m in ranked if m.case.factors.get(factor) == finding][:2]
            out[factor][side] = [{"name": m.case.name, "citation": m.case.citation,
                                  "citation_full": f"{m.case.name}, {m.case.citation}", "outcome": m.case.outcome,
                                  "similarity": round(m.similarity, 2), "holding": m.case.holding,
                                  "facts": dict(m.case.facts)} for m in picks]
    return out
