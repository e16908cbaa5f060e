"""Short reports of an assessment: plain text, rich text (terminal), Markdown, JSON.

All read the one :class:`~fairuse.assess.Assessment` object. The long-form memo
lives in :mod:`fairuse.memo`.
"""

from __future__ import annotations

import json

from .assess import NOT_LEGAL_ADVICE, Assessment

FACTOR_TITLES = {
    "purpose": "Factor 1: purpose and character of the use",
    "nature": "Factor 2: nature of the copyrighted work",
    "amount": "Factor 3: amount and substantiality of the portion used",
    "market": "Factor 4: effect on the potential market",
}
JURISDICTION_NAMES = {"us": "United States", "uk": "United Kingdom", "eu": "European Union",
                      "jp": "Japan", "cn": "China", "sg": "Singapore"}
SIGN = {"user": "+", "owner": "-", "neutral": "="}
LEANS_WORDS = {"user": "For the user", "owner": "For the owner", "neutral": "Neutral"}


def label(verdict: str) -> str:
    return verdict.replace("_", " ").upper()


def value_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def cites(reason: dict) -> str:
    return "; ".join(reason.get("authority", []))


def to_json(assessment: Assessment) -> str:
    return json.dumps(assessment.to_json(), indent=2, ensure_ascii=False, default=str)


def change_sentence(change) -> str:
    return (f"if {change.fact} were {value_text(change.value)}, the {change.jurisdiction.upper()} "
            f"verdict would move from {change.before} to {change.after}")


def to_text(a: Assessment) -> str:
    """Plain text: what the CLI prints when its output is piped."""
    lines: list[str] = []
    add = lines.append
    base = a.rulebase
    add(f"fairuse assessment — law as of {a.as_of.isoformat()} (ruleset {base.version}, "
        f"stated as of {base.stated_as_of.isoformat()})")
    summary = a.answers.get("use_summary")
    if summary:
        add(f"Use: {' '.join(str(summary).split())}")
    add("")
    if a.us is not None:
        us = a.us
        add(f"UNITED STATES — fair use (17 U.S.C. § 107): {label(us.verdict)}"
            + (f" (score {us.score:+.2f})" if us.verdict != "not_needed" else ""))
        for r in us.not_needed_by:
            add(f"  [{r['rule']}] {r['reason']} ({cites(r)})")
        if us.verdict != "not_needed":
            for name, factor in us.factors.items():
                add(f"  {FACTOR_TITLES[name]}: leans {factor.leaning} ({factor.score:+.2f})")
                if not factor.reasons:
                    add("    (no rule spoke to this factor: the facts it needs are unknown)")
                for r in factor.reasons:
                    weight = f" x{r['weight']:g}" if r.get("weight") else " (subsumed)"
                    flag = " [unsettled]" if r.get("unsettled") else ""
                    add(f"    {SIGN[r['leans']]} [{r['rule']}]{weight}{flag} {r['reason']}")
                    add(f"        Authority: {cites(r)}")
            add("  Weighing:")
            for step in us.steps:
                add(f"    - {step}")
        add("")
    for code, res in a.tdm.items():
        add(f"{JURISDICTION_NAMES.get(code, code).upper()}: {label(res.verdict)}")
        for p in res.provisions:
            add(f"  {p.id} — {p.title}: {p.status}")
            for c, text in p.met.items():
                add(f"    met:     {c} — {text}")
            for c, text in p.unmet.items():
                add(f"    unmet:   {c} — {text}")
            for c, text in p.unknown.items():
                add(f"    unknown: {c} — {text}")
        for r in res.reasons:
            add(f"    [{r['rule']}] {r['reason']} ({cites(r)})")
        for d in res.duties:
            add(f"  Duty [{d['rule']}]: {d['duty']}")
        add("")
    notes = [n for res in a.results.values() for n in res.notes]
    if notes:
        add("Notes:")
        for n in notes:
            add(f"  - {n['note']} [{n['rule']}]")
        add("")
    mitigations = a.mitigations()
    if mitigations:
        add("Risk mitigations:")
        for m in mitigations:
            add(f"  - {m['mitigation']} [{', '.join(m['rules'])}]")
        add("")
    if a.missing:
        add("Unknown facts that could change a verdict: " + ", ".join(a.missing))
        for change in a.changes:
            add(f"  - {change_sentence(change)}")
        add("")
    else:
        add("Unknown facts that could change a verdict: none")
        add("")
    if a.precedents:
        add("Closest precedents:")
        for p in a.precedents:
            why = f" — {p['why']}" if p.get("why") else ""
            add(f"  - {p['name']} ({p['outcome']}, similarity {p['similarity']:.2f}){why}")
        add("")
    add(NOT_LEGAL_ADVICE)
    return "\n".join(lines) + "\n"


def print_rich(a: Assessment, console) -> None:
    """The same content as :func:`to_text`, with tables and colour, for a terminal."""
    from rich.table import Table

    colours = {"likely_fair": "green", "leaning_fair": "green", "uncertain": "yellow",
               "leaning_unfair": "red", "likely_unfair": "red", "not_needed": "cyan",
               "applies": "green", "does_not_apply": "red"}
    base = a.rulebase
    console.print(f"[bold]fairuse assessment[/bold] — law as of {a.as_of.isoformat()} "
                  f"(ruleset {base.version}, stated as of {base.stated_as_of.isoformat()})")
    if a.answers.get("use_summary"):
        console.print(f"Use: {' '.join(str(a.answers['use_summary']).split())}", markup=False)
    if a.us is not None:
        us = a.us
        console.print(f"\n[bold]United States — fair use:[/bold] [{colours[us.verdict]}]{label(us.verdict)}[/]")
        if us.verdict != "not_needed":
            table = Table(show_lines=True)
            for col in ("Factor", "Leans", "Reasons (rule — authority)"):
                table.add_column(col)
            for name, factor in us.factors.items():
                text = "\n".join(
                    f"{SIGN[r['leans']]} {r['reason']} [dim]({r['rule']} — {cites(r)})[/dim]"
                    + (" [yellow]unsettled[/yellow]" if r.get("unsettled") else "")
                    for r in factor.reasons if r.get("weight")) or "[dim]no rule spoke to this factor[/dim]"
                table.add_row(FACTOR_TITLES[name], f"{factor.leaning} ({factor.score:+.2f})", text)
            console.print(table)
            for step in us.steps:
                console.print(f"  · {step}", markup=False)
        for r in us.not_needed_by:
            console.print(f"  {r['reason']} ({r['rule']} — {cites(r)})", markup=False)
    if a.tdm:
        table = Table(title="Other jurisdictions")
        for col in ("Jurisdiction", "Verdict", "Provisions"):
            table.add_column(col)
        for code, res in a.tdm.items():
            provs = "\n".join(f"{p.id}: {p.status}" + (f" (unmet: {', '.join(p.unmet)})" if p.unmet else "")
                              + (f" (unknown: {', '.join(p.unknown)})" if p.unknown else "") for p in res.provisions)
            table.add_row(JURISDICTION_NAMES.get(code, code), f"[{colours.get(res.verdict, 'yellow')}]{res.verdict}[/]", provs)
        console.print(table)
    text = to_text(a)
    tail = text[text.find("Notes:"):] if "Notes:" in text else text[text.find("Unknown facts"):]
    console.print(tail, markup=False, highlight=False)


def to_markdown(a: Assessment) -> str:
    """Markdown for pasting into issues and wikis."""
    out: list[str] = []
    add = out.append
    base = a.rulebase
    add("# fairuse assessment")
    add("")
    add(f"*Law as of {a.as_of.isoformat()} · ruleset {base.version} (stated as of "
        f"{base.stated_as_of.isoformat()}) · not legal advice*")
    add("")
    if a.answers.get("use_summary"):
        add(f"**Use:** {_md_escape(' '.join(str(a.answers['use_summary']).split()))}")
        add("")
    if a.us is not None:
        us = a.us
        add(f"## United States — fair use: **{label(us.verdict)}**")
        add("")
        for r in us.not_needed_by:
            add(f"- {r['reason']} (`{r['rule']}`; {cites(r)})")
        if us.verdict != "not_needed":
            add("| Factor | Leans | Score |")
            add("|---|---|---|")
            for name, f in us.factors.items():
                add(f"| {FACTOR_TITLES[name]} | {f.leaning} | {f.score:+.2f} |")
            add("")
            for name, f in us.factors.items():
                add(f"### {FACTOR_TITLES[name]}")
                add("")
                for r in f.reasons:
                    if not r.get("weight"):
                        continue
                    flag = " *(unsettled)*" if r.get("unsettled") else ""
                    add(f"- **{LEANS_WORDS[r['leans']]}:** {r['reason']}{flag} — `{r['rule']}`; {cites(r)}")
                if not any(r.get("weight") for r in f.reasons):
                    add("- No rule spoke to this factor: the facts it needs are unknown.")
                add("")
            add("**Weighing**")
            add("")
            for step in us.steps:
                add(f"- {step}")
            add("")
    for code, res in a.tdm.items():
        add(f"## {JURISDICTION_NAMES.get(code, code)}: **{res.verdict}**")
        add("")
        for p in res.provisions:
            add(f"- **{p.id}** {p.title}: {p.status}"
                + (f"; unmet: {', '.join(p.unmet)}" if p.unmet else "")
                + (f"; unknown: {', '.join(p.unknown)}" if p.unknown else ""))
        for r in res.reasons:
            add(f"  - {r['reason']} — `{r['rule']}`; {cites(r)}")
        for d in res.duties:
            add(f"- Duty: {d['duty']} (`{d['rule']}`)")
        add("")
    notes = [n for res in a.results.values() for n in res.notes]
    if notes:
        add("## Notes")
        add("")
        for n in notes:
            add(f"- {n['note']} (`{n['rule']}`)")
        add("")
    mitigations = a.mitigations()
    if mitigations:
        add("## Risk mitigations")
        add("")
        for m in mitigations:
            add(f"- {m['mitigation']} ({', '.join(f'`{r}`' for r in m['rules'])})")
        add("")
    add("## Missing facts")
    add("")
    if a.missing:
        for change in a.changes:
            add(f"- {change_sentence(change)}")
    else:
        add("- None: no unknown fact could change a verdict.")
    add("")
    if a.precedents:
        add("## Closest precedents")
        add("")
        for p in a.precedents:
            add(f"- {p['name']} — {p['outcome']}, similarity {p['similarity']:.2f}"
                + (f": {p['why']}" if p.get("why") else ""))
        add("")
    add(f"> {NOT_LEGAL_ADVICE}")
    return "\n".join(out) + "\n"


def _md_escape(text: str) -> str:
    for ch in "\\`*_[]<>|#":
        text = text.replace(ch, "\\" + ch)
    return text
