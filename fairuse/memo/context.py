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

from ..prose import (FACTOR_SHORT, KIND_TITLES, ORDINAL, OTHER_HEADING, SIDE, Citer, brief_answer, capitalise, clause,
                     compact_pinpoints, disagreement_sentence, facts_assumed, facts_paragraphs, factor_prose,
                     grouped_changes, join_words, open_claims_sentence, other_jurisdiction, place, unknown_facts,
                     verdict_phrase, weighing_prose)
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
MAX_SUMMARY = 2000  # characters of the use summary the memo shows; the rest is cut with a note
FACTOR_TITLES = {"purpose": "Factor one", "nature": "Factor two", "amount": "Factor three", "market": "Factor four"}


def label(verdict: str) -> str:
    return verdict.replace("_", " ").upper()


def build_context(a, *, to: str = "File", author: str = "fairuse (automated analysis)", appendix: bool = False,
                  **_ignored) -> dict:
    """Everything the memo templates need, as plain data (prose before the appendix, numbers in it)."""
    words = a.words

    citer = Citer(["question", "brief-answer", "discussion", *(f"factor-{n}" for n in FACTOR_TITLES),
                   *(f"jurisdiction-{c}" for c in a.jurisdictions), *(f"act-{act}" for act, _ in a.other_acts),
                   "sensitivity", "mitigations", "caveats",
                   "appendix"], known=[e["cite"] for e in a.authorities],
                   shorts={e["cite"]: e["short"] for e in a.authorities if e.get("short")})
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

    brief = []  # one group per AI act (the main act first), each a paragraph per jurisdiction
    splits_said: set = set()
    main_paragraphs: dict = {}  # code -> the main act's paragraph; a later act's that is the same is not said again
    same_as_main: dict = {}  # act -> [code] whose answer for it is the main act's, word for word
    for act, sub in _acts_in_order(a):
        paragraphs, same = [], []
        for code in sub.jurisdictions:
            plain = brief_answer(sub, code)
            if sub is a:
                main_paragraphs[code] = plain
            elif main_paragraphs.get(code) == plain:
                same.append(code)
                continue
            paragraphs.append(brief_answer(sub, code, splits_said))
            for c in sub.results[code].not_needed_by:
                citer.cites(c.cites, "brief-answer", "Brief Answer")
        if same:
            paragraphs.append([f"In {join_words([place(c) for c in same])}, the answer is the same as for "
                               f"{words.act(a.act).lower()}."])
        same_as_main[act] = same
        brief.append({"act": words.act(act) if act and a.acts else "", "main": sub is a, "paragraphs": paragraphs})
    said_factors = {" ".join((f.decisive.application or f.decisive.law).split())
                    for r in a.results.values() if r.kind == "fair_use"
                    for f in r.factors.values() if f.decisive is not None}  # the Discussion says these
    other_acts = [_other_act(act, sub, words, citer, same_as_main.get(act, []), a, said_factors)
                  for act, sub in a.other_acts]

    others = []
    said_in: dict[str, str] = {}
    for code, r in a.tdm.items():
        section = f"jurisdiction-{code}"
        lines, reasons = other_jurisdiction(r, citer, section, r.name, said_in)
        duties = [{**d, "authority": compact_pinpoints([citer.text(c, "regulation", section, r.name)
                                                        for c in d["authority"]])}
                  for d in r.duties]
        others.append({"id": section, "code": code, "name": r.name, "verdict": r.verdict,
                       "heading": OTHER_HEADING.get(r.verdict, r.verdict), "label": label(r.verdict),
                       "provision_lines": lines, "reasons": reasons, "duties": duties,
                       "not_encoded": r.not_encoded, "steps": r.steps})

    unknown_changes = grouped_changes([c for c in a.changes if c.kind == "unknown"], words)
    resting = grouped_changes(a.resting_on, words)
    sensitivity = []
    said_changes: set = set()  # a change said for an earlier act is not said again for a later one
    for act, sub in _acts_in_order(a):
        unknown = [c for c in sub.changes if c.kind == "unknown"]
        fresh_unknown = [c for c in unknown if _change_key(c) not in said_changes]
        fresh_resting = [c for c in sub.resting_on if _change_key(c) not in said_changes]
        as_before = len(fresh_unknown) < len(unknown) or len(fresh_resting) < len(sub.resting_on)
        said_changes.update(_change_key(c) for c in [*unknown, *sub.resting_on])
        sensitivity.append({"act": words.act(act) if a.acts else "",
                            "unknown": grouped_changes(fresh_unknown, words),
                            "unknown_as_before": len(fresh_unknown) < len(unknown),
                            "resting": grouped_changes(fresh_resting, words),
                            "as_before": words.act(a.act).lower() if as_before and a.acts else "",
                            "held": any(sub.held_back(code) for code in sub.jurisdictions)})
    mitigations = [{**m, "authority": compact_pinpoints([citer.text(c, _kind(a, c), "mitigations", "Risk Mitigations")
                                                         for c in m["authority"]])} for m in a.mitigations]
    said = {c.rule for r in a.tdm.values() for c in r.reasons}  # a rule whose reason the body gives: its note too
    notes = [{**n, "authority": compact_pinpoints([citer.text(c, _kind(a, c), "caveats", "Caveats")
                                                   for c in n["authority"]])}
             for n in a.notes if n["rule"] not in said]
    trace = []
    if appendix:
        for code, firings in a.trace.items():
            for f in firings:
                cited = [citer.text(c, _kind(a, c), "appendix", "Appendix") for c in f["authority"]]
                trace.append({**f, "authority": cited, "jurisdiction": code,
                              "concluded_lines": _concluded_lines(f["concluded"])})
    unsettled, unverified = _unsettled(a.unsettled)
    any_change = any(sub.could_change(code) for _act, sub in a.every_act() for code in sub.jurisdictions)
    return {
        "heading": {"to": to, "from": author, "date": a.as_of.isoformat(), "generated": dt.date.today().isoformat(),
                    "re": summary if len(summary) < 140 else summary[:137].rsplit(" ", 1)[0] + "…"},
        "summary": summary,
        "jurisdiction_names": names,
        "question_tdm": [place(code) for code in a.results if code != "us"],
        "question_places": join_words([place(code) for code in a.results if code != "us"]),
        "statute": statute,
        "campbell": campbell,
        "us": _us(a, us),
        "brief_answer": brief,
        "could_change": any_change,
        "held_back": any(sub.held_back(code) for _act, sub in a.every_act() for code in sub.jurisdictions),
        "factors": factors,
        "chart": _chart(us),
        "others": others,
        "other_acts": other_acts,
        "main_act": words.act(a.act) if a.act and a.acts else "",
        "facts_paragraphs": facts_paragraphs(a, words),
        "facts_unknown": unknown_facts(a, words),
        "unknown_changes": unknown_changes,
        "resting_on": resting,
        "sensitivity": sensitivity,  # per act (one entry, act "", when the use is one act)
        "open_claims": open_claims_sentence(a),  # the separate claims unknown facts could bring ("" if none)
        "assumptions": facts_assumed(a, words),
        "disagreements": [{"text": disagreement_sentence(d, words)} for d in a.disagreements],
        "mitigations": mitigations,
        "notes": notes,
        "unsettled": unsettled,
        "unverified": unverified,
        "authorities": citer.table(),
        "authority_sections": citer.sections(),  # the PDF's "where cited" key, with each section's page
        "appendix": appendix,
        "trace": trace,
        "ruleset": {"version": a.ruleset["version"], "stated_as_of": a.ruleset["law_stated_as_of"],
                    "as_of": a.as_of.isoformat()},
        "disclaimer": a.disclaimer,
    }


_UNVERIFIED = "Not verified against a primary source: "
_CHECKED = re.compile(r"^(?i:c)hecked against news and law-firm reports of (.+?), "
                      r"not against the text of the decision or document itself\.?$")


def _unsettled(items: list) -> tuple[list, list]:
    """The unsettled law relied on, and the points not verified against a primary source, each once; the
    points checked only against reports are said in one line."""
    unsettled, unverified, reported = [], [], []
    for u in items:
        if not u["text"].startswith(_UNVERIFIED):
            unsettled.append(u)
            continue
        text = u["text"][len(_UNVERIFIED):]
        text = text[:1].lower() + text[1:]
        m = _CHECKED.match(text)
        if m:
            reported.append(m.group(1))
        else:
            unverified.append({**u, "text": text})
    if reported:
        unverified.append({"rule": "", "jurisdiction": "", "text": "checked only against news and law-firm "
                           f"reports of {'; '.join(dict.fromkeys(reported))}."})
    return unsettled, unverified


def _change_key(c) -> tuple:
    return (c.fact, tuple(map(str, c.values)), c.jurisdiction, c.before, c.after, c.kind)


def _acts_in_order(a) -> list:
    """[(act, analysis)]: the main act first, then the others in the order they happen."""
    return [(a.act, a)] + a.other_acts


def _other_act(act, sub, words, citer, same: list, main, said_factors: set) -> dict:
    """Another AI act of the same use: per jurisdiction whose answer differs from the main act's, its answer
    and what decides it (with authority); the answer itself is in the Brief Answer, and what would change it
    under What Would Change the Outcome."""
    section = f"act-{act}"
    title = words.act(act)
    places = []
    for code in sub.jurisdictions:
        if code in same:
            continue
        r = sub.results[code]
        said = " ".join(brief_answer(sub, code))
        reasons = []
        if r.kind == "fair_use":
            for name, f in sorted(r.factors.items(), key=lambda kv: -kv[1].weight):
                c = f.decisive
                applied = " ".join((c.application or c.law).split()) if c is not None else ""
                if c is not None and f.leaning in ("user", "owner"):
                    if applied in said_factors:
                        applied = "For the reason given in the Discussion."
                    reasons.append({"text": f"{capitalise(FACTOR_SHORT[name])} (factor {ORDINAL[f.number]}) "
                                            f"favours {SIDE[f.leaning]}. " + applied,
                                    "authority": citer.cites(c.cites, section, title)})
        else:
            for d in r.decisive[:2]:
                why = " ".join((d.why or "").split())
                if why and clause(why).lower() not in said.lower():
                    reasons.append({"text": why, "authority": []})
        places.append({"name": r.name, "lead": f"In {place(code)}, {_verdict_words(r)}.",
                       "reasons": reasons[:3]})
    return {"id": section, "title": title, "places": places,
            "same": join_words([place(c) for c in same]), "main_act": words.act(main.act).lower()}


def _verdict_words(r) -> str:
    if r.kind == "fair_use":
        return f"the use {verdict_phrase(r)}"
    return {"applies": "an exception applies", "does_not_apply": "no exception applies",
            "not_needed": "the use needs no exception"}.get(r.verdict, "whether an exception applies is open")


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
