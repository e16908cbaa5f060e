"""What a team does next, in words: what was not checked, and the corpus facts whose
answers would settle the most uncertain rows (with their questions from
``rules/questions.yaml``). Read by the summary line, the report and ``--interview``."""

from __future__ import annotations

from .derive import SOURCES

JURISDICTION_NAMES = {"us": "US", "eu": "EU", "uk": "UK", "jp": "Japan", "cn": "China", "sg": "Singapore"}


_QUESTIONS: dict = {}


def questions_by_fact(base) -> dict:
    """The questions of ``base``, by fact (read once per ruleset)."""
    hit = _QUESTIONS.get(id(base))
    if hit is not None and hit[0] is base:
        return hit[1]
    from ..questionnaire.questions import load_questions

    try:
        qs = {q.fact: q for q in load_questions(base)}
    except Exception:  # noqa: BLE001 - a ruleset without questions still triages; facts are then named by id
        qs = {}
    _QUESTIONS.clear()
    _QUESTIONS[id(base)] = (base, qs)
    return qs


def settle(result, base=None) -> list[dict]:
    """[{fact, question, rows, jurisdictions}]: the corpus facts an answer to which could move
    uncertain rows to a definite verdict, most rows first."""
    base = base or result.decider.base
    qs = questions_by_fact(base)
    order = {f: i for i, f in enumerate(qs)}
    # a fact the answers are given assuming (no copying service, not a private draft) comes after the open
    # questions: its usual answer is the one assumed, which settles nothing
    assumed = {a["fact"] for r in result.decider.results.values() for a in r.assumptions}
    out = []
    for fact, rows, juris in sorted(result.settling(),
                                    key=lambda t: (-t[1], t[0] in assumed, order.get(t[0], len(order)), t[0])):
        q = qs.get(fact)
        out.append({"fact": fact, "question": q.question if q else fact.replace("_", " "), "rows": rows,
                    "jurisdictions": [JURISDICTION_NAMES.get(j, j.upper()) for j in juris]})
    return out


def not_checked(result) -> list[dict]:
    """[{source, label, rows, sites, top}]: per source of evidence, the rows and sites it was not checked for."""
    s = result.summary
    out = []
    for src, label in SOURCES.items():
        rows = s.state_rows.get((src, "not checked"), 0)
        if not rows:
            continue
        name = f"not checked {src}"
        out.append({"source": src, "label": label, "rows": rows, "sites": s.hosts.count(name),
                    "top": s.hosts.top(name, 20), "required": src in result.book.reservation_evidence})
    out.sort(key=lambda e: (not e["required"], -e["rows"]))
    return out
