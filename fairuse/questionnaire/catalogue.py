"""The fact vocabulary as a user reads it: each fact with its question, its terms in plain words, its answers in
words with an example of each, what it means, and which jurisdictions' rules read it (``fairuse facts``). An answers file states these ids."""

from __future__ import annotations

import datetime as dt

from ..errors import FairuseError, closest
from ..rules import RuleBase

NOT_ASKED = ("use_summary", "assessment_date", "conduct_date")


def catalogue(base: RuleBase, jurisdiction: str | None = None, fact: str | None = None,
              on: dt.date | None = None) -> list[dict]:
    """One row per fact: id, type, the values with their words, the question, what it means, and where it
    matters (the jurisdictions whose rules in force on ``on`` read it). ``jurisdiction``: only the facts its
    rules read (and the facts every answers file may state); ``fact``: that fact alone."""
    from ..assess import facts_used
    from .questions import load_questions

    on = on or dt.date.today()
    if jurisdiction is not None and jurisdiction not in base.jurisdictions:
        raise FairuseError(f"--jurisdiction: no ruleset for '{jurisdiction}'; expected one of "
                           f"{', '.join(base.jurisdictions)}{closest(jurisdiction, list(base.jurisdictions))}")
    if fact is not None and fact not in base.vocabulary.facts:
        raise FairuseError(f"no fact '{fact}'{closest(fact, base.vocabulary.facts)}; 'fairuse facts' lists them")
    questions = {q.fact: q for q in load_questions(base)}
    read_by = {code: facts_used(base, code, on) for code in base.jurisdictions}
    rows = []
    for f in base.vocabulary:
        if fact is not None and f.id != fact:
            continue
        where = [code for code in base.jurisdictions if f.id in read_by[code]]
        general = f.id in NOT_ASKED or f.id == "jurisdictions"
        if jurisdiction is not None and jurisdiction not in where and not general:
            continue
        q = questions.get(f.id)
        values = []
        for v in f.domain:
            if v == "unknown":
                continue
            words = q.label(v) if q is not None else ""
            values.append({"value": v, "words": words if words != str(v) else "",
                           "example": q.example(v) if q is not None else ""})
        chosen = [jurisdiction] if jurisdiction else None
        rows.append({
            "id": f.id, "type": f.type, "values": values,
            "question": q.question if q is not None else "",
            "define": q.define_for(chosen) if q is not None else "",
            "help": q.help_for([jurisdiction] if jurisdiction else None) if q is not None else "",
            "meaning": " ".join(str(f.meaning or "").split()),
            "read_in": where,
        })
    return rows


__all__ = ["catalogue"]
