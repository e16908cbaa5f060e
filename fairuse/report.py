"""Short reports of an analysis: plain text, rich text (terminal), Markdown, JSON, and the engine's view.

Every report reads the one :class:`~fairuse.analysis.Analysis` and uses the same
sentences as the memo (:mod:`fairuse.prose`): per jurisdiction, the answer and what
decides it, then the facts assumed and what would change the answers. Rule ids,
weights and scores are the engine's view (``--trace``) and the JSON's; the plain
reports never show them. The long-form memo lives in :mod:`fairuse.memo`.
"""

from __future__ import annotations

import json
import re

from .prose import (OTHER_HEADING, SHORT_VERDICT, brief_answer, confidence_sentences, facts_assumed,
                    grouped_changes, open_claims_sentence, place)
from .sandbox import plain

FACTOR_TITLES = {
    "purpose": "Factor 1: purpose and character of the use",
    "nature": "Factor 2: nature of the copyrighted work",
    "amount": "Factor 3: amount and substantiality of the portion used",
    "market": "Factor 4: effect on the potential market",
}
JURISDICTION_NAMES = {"us": "United States", "uk": "United Kingdom", "eu": "European Union",
                      "jp": "Japan", "cn": "China", "sg": "Singapore"}
SIGN = {"user": "+", "owner": "-", "neutral": "="}


def label(verdict: str) -> str:
    return verdict.replace("_", " ").upper()


def heading(code: str, verdict: str) -> str:
    words = SHORT_VERDICT.get(verdict, verdict) if code == "us" else OTHER_HEADING.get(verdict, verdict)
    return f"{JURISDICTION_NAMES.get(code, code)}: {words}"


def to_json(a, trace: bool = True) -> str:
    return json.dumps(a.to_json(trace=trace), indent=2, ensure_ascii=False, default=str)


# ----------------------------------------------------------------------- the plain report


def sections(a) -> list[tuple[str, list[str]]]:
    """The plain report as (heading, paragraphs): what text, rich and Markdown lay out."""
    out = []
    words = a.words
    several = len(a.acts) > 1
    for act, sub in ([(a.act, a)] + a.other_acts):
        for code in sub.jurisdictions:
            r = sub.results[code]
            paragraphs = [" ".join(brief_answer(sub, code))]
            if r.kind == "fair_use" and r.verdict != "not_needed":
                paragraphs += confidence_sentences(sub, code)
            if r.duties and sub is a:
                paragraphs += [f"Duty: {d['duty']}" for d in r.duties]
            title = heading(code, r.verdict)
            out.append((f"{words.act(act)}. {title}" if several else title, paragraphs))
        if several and sub is not a:
            moves = grouped_changes([c for c in sub.changes if c.kind == "unknown"], words)
            if moves:
                out.append((f"{words.act(act)}: what would change the answers",
                            [f"{g['question']}. {' '.join(g['sentences'])}" for g in moves]))
    assumed = facts_assumed(a, words)
    if assumed:
        out.append(("Facts assumed", [f"{x['head']}{' (' + x['where'] + ')' if x['where'] else ''}. {x['text']}"
                                      for x in assumed]))
    changes = grouped_changes([c for c in a.changes if c.kind == "unknown"], words)
    claims = open_claims_sentence(a)
    out.append(("What would change the answers",
                ([f"{g['question']}. {' '.join(g['sentences'])}" for g in changes] or [_no_change(a)])
                + ([claims] if claims else [])))
    if a.mitigations:
        out.append(("Risk mitigations", [m["mitigation"] for m in a.mitigations]))
    resting = grouped_changes(a.resting_on, words)
    if resting:
        out.append(("The answers rest on these facts given",
                    [f"{g['question']}. {' '.join(g['sentences'])}" for g in resting]))
    if a.unsettled:
        out.append(("Unsettled law", [_flag(u["text"]) for u in a.unsettled]))
    if a.precedents:
        out.append(("Closest precedents", [f"{p['name']}, {p['citation']} ({_outcome(p['outcome'])})"
                                           for p in a.precedents]))
    return out


UNVERIFIED = "Not verified against a primary source: "
FLAG = "\x04"  # an unverified point: "[unverified]" in text, "*(unverified)*" in Markdown


def _no_change(a) -> str:
    if any(a.held_back(code) for code in a.jurisdictions):
        return ("None: no single unknown fact, if established, would change any answer, though the unknown facts "
                "named above keep an answer from being stated more firmly until they are known.")
    return "None: no unknown fact, if established, would change any answer."


def _flag(text: str) -> str:
    return f"{FLAG}{text[len(UNVERIFIED):]}" if text.startswith(UNVERIFIED) else text


def _outcome(outcome: str) -> str:
    return {"fair": "fair use", "unfair": "not fair use", "exception_applied": "exception applied",
            "infringement_found": "infringement found", "claim_failed": "claim failed"}.get(outcome,
                                                                                        outcome.replace("_", " "))


def _title(a) -> str:
    r = a.ruleset
    return (f"fairuse assessment: the law as of {r['as_of']} (ruleset {r['version']}, stated as of "
            f"{r['law_stated_as_of']})")


def to_text(a) -> str:
    """Plain text: each answer and what decides it, the facts assumed, what would change the answers."""
    lines = [_title(a)]
    if a.conduct_date != a.as_of:
        lines.append(f"Conduct on {a.conduct_date.isoformat()}: statutes in force then apply; decisions known on "
                     f"{a.as_of.isoformat()} apply.")
    if a.summary:
        lines.append(f"Use: {a.summary}")
    for title, paragraphs in sections(a):
        lines += ["", title.upper() if title[:1].isupper() and ":" in title else f"{title}:"]
        lines += [f"  {'- ' if len(paragraphs) > 1 and ':' not in title else ''}"
                  f"{plain(p).replace(FLAG, '[unverified] ' + UNVERIFIED)}" for p in paragraphs]
    lines += ["", a.disclaimer,
              "The rules behind each answer: fairuse assess --trace; the reasoned memo: fairuse memo."]
    return "\n".join(lines) + "\n"


def print_rich(a, console) -> None:
    """The plain report on a terminal, with colour; every text from the rules is printed literally: never
    read as rich markup (``[/bold]``, ``[sic]``), its control sequences shown escaped, never sent."""
    colours = {"likely_fair": "green", "leaning_fair": "green", "uncertain": "yellow",
               "leaning_unfair": "red", "likely_unfair": "red", "not_needed": "cyan",
               "applies": "green", "does_not_apply": "red"}
    from rich.text import Text

    from .safetext import clean

    console.print(Text(clean(_title(a)), style="bold"))
    if a.summary:
        console.print(Text(f"Use: {clean(a.summary)}"))
    verdicts = {}
    for act, sub in [(a.act, a)] + a.other_acts:
        for code in sub.jurisdictions:
            title = heading(code, sub.results[code].verdict)
            verdicts[f"{a.words.act(act)}. {title}" if len(a.acts) > 1 else title] = sub.results[code].verdict
    for title, paragraphs in sections(a):
        console.print()
        if title in verdicts:
            name, _, words = title.partition(": ")
            console.print(Text.assemble((f"{name}: ", "bold"), (words, f"bold {colours.get(verdicts[title], '')}")))
        else:
            console.print(Text(clean(title), style="bold"))
        for p in paragraphs:
            prefix = "  - " if title not in verdicts and len(paragraphs) > 1 else "  "
            console.print(Text(clean(prefix + plain(p).replace(FLAG, "[unverified] " + UNVERIFIED))))
    console.print()
    console.print(Text(clean(a.disclaimer), style="dim"))


def to_markdown(a) -> str:
    """Markdown for issues and wikis: the plain report, escaped (nothing from data becomes markup)."""
    from .sandbox import _md_escape as md

    out = ["# fairuse assessment", "",
           f"*Law as of {a.as_of.isoformat()} · ruleset {md(a.ruleset['version'])} (stated as of "
           f"{a.ruleset['law_stated_as_of']}) · not legal advice*", ""]
    if a.conduct_date != a.as_of:
        out += [f"*Conduct on {a.conduct_date.isoformat()}: statutes in force then apply; decisions known on "
                f"{a.as_of.isoformat()} apply.*", ""]
    if a.summary:
        out += [f"**Use:** {md(a.summary)}", ""]
    verdicts = {t for t, paragraphs in sections(a) if ": " in t and not t.endswith("would change the answers")
                and t.split(": ", 1)[0].split(". ")[-1] in JURISDICTION_NAMES.values()}
    for title, paragraphs in sections(a):
        out += [f"## {md(title)}", ""]
        if title in verdicts:
            out += [p for para in paragraphs for p in (md(para), "")]
        else:
            out += [f"- {md(p).replace(FLAG, '*(unverified)* ' + md(UNVERIFIED))}" for p in paragraphs] + [""]
    out.append(f"> {a.disclaimer}")
    return "\n".join(out) + "\n"


# ----------------------------------------------------------------------- the engine's view (--trace)


def cites(reason: dict) -> str:
    return "; ".join(reason.get("authority", []))


def value_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def engine_view_markdown(a) -> str:
    """:func:`engine_view` for a Markdown document: in a fenced code block (longer than any run of backticks
    in it), so no rule or casebook text in it is read as Markdown or HTML."""
    text = engine_view(a)
    runs = [len(m) for m in re.findall(r"`+", text)]
    fence = "`" * max(3, max(runs, default=0) + 1)
    return f"\n{fence}text\n{text.strip(chr(10))}\n{fence}\n"


def engine_view(a) -> str:
    """Every rule that counted, with its id, weight and authority, each factor's score, the weighing steps,
    each provision's conditions by id, the assumptions and moves by fact id, and the rule trace."""
    lines: list[str] = ["", "Engine view (rule ids, weights and scores):"]
    add = lines.append
    for code in a.jurisdictions:
        r = a.results[code]
        if r.kind == "fair_use":
            add(f"{label(code)} — fair use (17 U.S.C. § 107): {label(r.verdict)}"
                + (f" (score {r.score:+.2f})" if r.verdict != "not_needed" else ""))
            for c in r.not_needed_by:
                add(f"  [{c.rule}] {c.law}")
            for name, f in r.factors.items():
                if r.verdict == "not_needed":
                    break
                add(f"  {FACTOR_TITLES[name]}: leans {f.leaning} ({f.score:+.2f})")
                for reason in f.reasons:
                    weight = f" x{reason['weight']:g}" if reason.get("weight") else " (subsumed)"
                    flag = (" [unsettled]" if reason.get("unsettled") else "") + \
                           (" [unverified]" if reason.get("unverified") else "")
                    add(f"    {SIGN.get(reason.get('leans'), '=')} [{reason['rule']}]{weight}{flag} {reason['reason']}")
                    add(f"        Authority: {cites(reason)}")
            add("  Weighing:")
            lines.extend(f"    - {step}" for step in r.steps)
        else:
            add(f"{label(code)}: {label(r.verdict)}")
            if r.not_encoded:
                add(f"  {r.not_encoded}")
            for p in r.provisions:
                add(f"  {p.id} — {p.title}: {p.status}")
                for c in p.conditions:
                    add(f"    {c.status + ':':8} {c.name} — {c.text}")
            for reason in r.json.get("reasons", []):
                flag = " [unverified]" if reason.get("unverified") else ""
                add(f"    [{reason['rule']}]{flag} {reason['reason']} ({cites(reason)})")
            for d in r.duties:
                add(f"  Duty [{d['rule']}]: {d['duty']}")
            lines.extend(f"  - {step}" for step in r.steps)
    if a.assumptions:
        add("Assumptions:")
        lines.extend(f"  - [{x['jurisdiction'].upper()}] {x['fact']} = {value_text(x['assumed'])}" for x in a.assumptions)
    if a.disagreements:
        add("Disagreements:")
        lines.extend(f"  - [{d['jurisdiction'].upper()}] {d['fact']} = {value_text(d['stated'])}; implied "
                     f"{' or '.join(value_text(v) for v in d['implied'])} ({', '.join(d['rules'])})"
                     for d in a.disagreements)
    add("Changes: " + (", ".join(a.missing) or "none"))
    for c in a.changes:
        add(f"  - {c.kind}: if {c.fact} were {' or '.join(value_text(v) for v in c.values)}, "
            f"{c.jurisdiction.upper()} {c.before} -> {c.after}")
    add("Rule trace:")
    for code, firings in a.trace.items():
        for f in firings:
            add(f"  {code} #{f['step']} {f['rule']} matched {f['matched']} -> {f['concluded']} "
                f"[{'; '.join(f['authority'])}]")
    return "\n".join(lines) + "\n"


__all__ = ["FACTOR_TITLES", "JURISDICTION_NAMES", "engine_view", "engine_view_markdown", "label", "print_rich", "sections", "to_json",
           "to_markdown", "to_text"]
_ = place
