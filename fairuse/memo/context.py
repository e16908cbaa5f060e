"""What the memo says: an analysis laid out for the templates.

Every section reads the one :class:`~fairuse.analysis.Analysis`; the words come
from :mod:`fairuse.prose`. Citations go through one :class:`~fairuse.prose.Citer`,
so the Table of Authorities lists exactly the authorities the text cites, in full
the first time and in short form after. The rule trace and the weighing in
numbers are an appendix, shown with ``appendix=True``.
"""

from __future__ import annotations

import datetime as dt
import re

from ..prose import (OTHER_HEADING, Citer, brief_answer, disagreement_sentence, facts_assumed, facts_paragraphs,
                     factor_prose, grouped_changes, other_jurisdiction, unknown_facts, weighing_prose)
from ..wording import keep_together

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
               "guidance": "Guidance", "report": "Reports", "licence": "Licences"}
MAX_SUMMARY = 2000  # characters of the use summary the memo shows; the rest is cut with a note
FACTOR_TITLES = {"purpose": "Factor one", "nature": "Factor two", "amount": "Factor three", "market": "Factor four"}


def label(verdict: str) -> str:
    return verdict.replace("_", " ").upper()


def build_context(a, *, to: str = "File", author: str = "fairuse (automated analysis)", appendix: bool = False,
                  **_ignored) -> dict:
    """Everything the memo templates need, as plain data (prose before the appendix, numbers in it)."""
    words = a.words

    citer = Citer(["question", "brief-answer", "discussion", *(f"factor-{n}" for n in FACTOR_TITLES),
                   *(f"jurisdiction-{c}" for c in a.jurisdictions), "sensitivity", "mitigations", "caveats",
                   "appendix"], known=[e["cite"] for e in a.authorities])
    summary = a.summary or "the use described below"
    if len(summary) > MAX_SUMMARY:  # a 1 MB summary made the PDF take 27 s
        cut = summary[:MAX_SUMMARY].rsplit(" ", 1)[0]
        summary = f"{cut} … [summary cut: {len(summary) - len(cut):,} more characters in the answers file]"
    names = [r.name for r in a.results.values()]
    answers = {k: v for k, v in a.answers.items() if k in words.vocabulary.facts}

    us = a.us
    factors = []
    statute = campbell = ""
    if us is not None:
        statute = citer.text("17 U.S.C. § 107", "statute", "question", "Question Presented")
    if us is not None and us.verdict != "not_needed":
        framework = [c for c in us.cites if c.kind == "case"]
        campbell = "; ".join(citer.cite(c, "discussion", "Discussion") for c in framework)
        for name, f in us.factors.items():
            section, title = f"factor-{name}", FACTOR_TITLES[name]
            prose = factor_prose(f, words, citer, section, title, answers)
            factors.append({"id": section, "number": f.number, "name": name, "text": FACTOR_TEXT[name],
                            "leaning": f.leaning, "score": f.score, "prose": prose})

    brief = []
    for code in a.jurisdictions:
        brief.append(brief_answer(a, code))
        r = a.results[code]
        for c in r.not_needed_by:
            citer.cites(c.cites, "brief-answer", "Brief Answer")

    others = []
    said_in: dict[str, str] = {}
    for code, r in a.tdm.items():
        section = f"jurisdiction-{code}"
        lines, reasons = other_jurisdiction(r, citer, section, r.name, said_in)
        duties = [{**d, "authority": [citer.text(c, "regulation", section, r.name) for c in d["authority"]]}
                  for d in r.duties]
        others.append({"id": section, "code": code, "name": r.name, "verdict": r.verdict,
                       "heading": OTHER_HEADING.get(r.verdict, r.verdict), "label": label(r.verdict),
                       "provision_lines": lines, "reasons": reasons, "duties": duties,
                       "not_encoded": r.not_encoded, "steps": r.steps})

    unknown_changes = grouped_changes([c for c in a.changes if c.kind == "unknown"], words)
    resting = grouped_changes(a.resting_on, words)
    mitigations = [{**m, "authority": [citer.text(c, _kind(a, c), "mitigations", "Risk Mitigations")
                                       for c in m["authority"]]} for m in a.mitigations]
    said = {c.rule for r in a.tdm.values() for c in r.reasons}  # a rule whose reason the body gives: its note too
    notes = [{**n, "authority": [citer.text(c, _kind(a, c), "caveats", "Caveats") for c in n["authority"]]}
             for n in a.notes if n["rule"] not in said]
    trace = []
    if appendix:
        for code, firings in a.trace.items():
            for f in firings:
                cited = [citer.text(c, _kind(a, c), "appendix", "Appendix") for c in f["authority"]]
                trace.append({**f, "authority": cited, "jurisdiction": code,
                              "concluded_lines": _concluded_lines(f["concluded"])})
    any_change = any(a.could_change(code) for code in a.jurisdictions)
    return {
        "heading": {"to": to, "from": author, "date": a.as_of.isoformat(), "generated": dt.date.today().isoformat(),
                    "re": summary if len(summary) < 140 else summary[:137].rsplit(" ", 1)[0] + "…"},
        "summary": summary,
        "jurisdiction_names": names,
        "question_tdm": [r.name for code, r in a.results.items() if code != "us"],
        "statute": statute,
        "campbell": campbell,
        "us": _us(a, us),
        "brief_answer": brief,
        "could_change": any_change,
        "factors": factors,
        "chart": _chart(us),
        "others": others,
        "facts_paragraphs": facts_paragraphs(a, words),
        "facts_unknown": unknown_facts(a, words),
        "unknown_changes": unknown_changes,
        "resting_on": resting,
        "assumptions": facts_assumed(a, words),
        "disagreements": [{"text": disagreement_sentence(d, words)} for d in a.disagreements],
        "mitigations": mitigations,
        "notes": notes,
        "unsettled": _unsettled(a.unsettled),
        "authorities": citer.table(),
        "authority_sections": citer.sections(),  # the PDF's "where cited" key, with each section's page
        "appendix": appendix,
        "trace": trace,
        "ruleset": {"version": a.ruleset["version"], "stated_as_of": a.ruleset["law_stated_as_of"],
                    "as_of": a.as_of.isoformat()},
        "disclaimer": a.disclaimer,
    }


_CHECKED = re.compile(r"^Not verified against a primary source: Checked against news and law-firm reports of (.+?), "
                      r"not against the text of the decision or document itself\.?$")


def _unsettled(items: list) -> list[dict]:
    """The unsettled law relied on, each once; the points checked only against reports said in one line."""
    out, reported = [], []
    for u in items:
        m = _CHECKED.match(u["text"])
        if m:
            reported.append(m.group(1))
        else:
            out.append(u)
    if reported:
        out.append({"rule": "", "jurisdiction": "", "text": "Not verified against a primary source: checked only "
                    f"against news and law-firm reports of {'; '.join(dict.fromkeys(reported))}."})
    return out


def _us(a, us):
    if us is None:
        return None
    return {"verdict": us.verdict, "label": label(us.verdict), "words": VERDICT_WORDS[us.verdict],
            "score": us.score, "steps": us.steps, "weighing_words": weighing_prose(a, "us"),
            "not_needed": us.verdict == "not_needed"}


def _chart(us) -> str:
    if us is None or us.verdict == "not_needed":
        return ""
    from .chart import chart_svg

    return chart_svg(us)


def _kind(a, citation: str) -> str:
    entry = next((e for e in a.authorities if citation.startswith(e["cite"])), None)
    return entry["kind"] if entry else "case"


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


def _words(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).replace("_", " ")


__all__ = ["FACTOR_TEXT", "KIND_TITLES", "MAX_SUMMARY", "VERDICT_WORDS", "build_context", "keep_together"]
