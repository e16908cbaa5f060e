"""What the pages show, as plain data for the templates (``templates/web/``), and the templates themselves.

Every template runs with Jinja2's HTML autoescaping: an answer, a use summary or a
rule's text is always shown as text, never read as markup.
"""

from __future__ import annotations

import datetime as dt
import functools
import json

from ..questionnaire.flow import describe
from ..questionnaire.questions import Question


@functools.lru_cache(maxsize=1)
def environment():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from ..sandbox import templates_dir

    env = Environment(loader=FileSystemLoader(str(templates_dir() / "web")),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    return env


def page(name: str, **context) -> str:
    return environment().get_template(name).render(**context)


@functools.lru_cache(maxsize=4)
def asset(name: str) -> bytes:
    """A stylesheet or script of the pages, read once (only these two names: never a path from a request)."""
    from ..sandbox import templates_dir

    if name not in ("web.css", "web.js"):
        raise KeyError(name)
    return (templates_dir() / "web" / name).read_bytes()


def choices(q: Question, fact, current, skipped: bool) -> list[dict]:
    """The answers a question offers, each with its words, its example (if the questions give one) and
    whether it is selected now."""
    if fact.type == "bool":
        values = [True, False]
    elif fact.type in ("choice", "multi"):
        values = [v for v in fact.values if v != "unknown"]
    else:
        return []
    picked = set(current) if isinstance(current, list) else {current}
    out = []
    for v in values:
        out.append({"value": form_value(v), "words": q.label(v), "example": q.example(v),
                    "checked": not skipped and any(v == p and type(v) is type(p) for p in picked)})
    return out


def form_value(v) -> str:
    return ("true" if v else "false") if isinstance(v, bool) else str(v)


def definition(q: Question, jurisdictions) -> str:
    """The question's plain definitions for the places chosen, when the questions give them ('' otherwise)."""
    return q.define_for(jurisdictions)


def answer_rows(service, session, sid: str) -> list[dict]:
    """The answers so far, in the order of the questions, each in the words it was picked with, with a link to
    change it; the date questions (asked only here, as on the terminal's review screen) too."""
    rows = []
    for q in service.questions:
        answered, skipped = q.fact in session.answers, q.fact in session.settled
        if not (answered or skipped or q.review_only):
            continue
        rows.append({"question": q.question, "answer": describe(q, session.answers.get(q.fact), skipped),
                     "href": f"/interview/{sid}/q/{q.fact}", "fact": q.fact})
    return rows


def current_value(text: str | None, vocabulary, fact: str):
    """An earlier answer carried in a link (after Back), checked as an answers file's value; None if not one."""
    from ..answers import check_value
    from ..errors import FairuseError

    if not text:
        return None
    try:
        return check_value(vocabulary, fact, json.loads(text), "again")
    except (ValueError, FairuseError, RecursionError):
        return None


def carried(value) -> str:
    """An answer as the link after Back carries it (JSON)."""
    return json.dumps(value.isoformat() if isinstance(value, dt.date) else value)


VERDICT_CLASS = {"likely_fair", "leaning_fair", "uncertain", "leaning_unfair", "likely_unfair", "not_needed",
                 "applies", "does_not_apply"}


def result_sections(analysis) -> list[dict]:
    """The plain report (:func:`fairuse.report.sections`, what ``fairuse assess`` prints) as the page shows it:
    per place, the answer and what decides it; the facts assumed; what would change the answers; and so on."""
    from ..report import FLAG, UNVERIFIED, sections
    from ..sandbox import plain

    places = [analysis.results[code].verdict for code in analysis.jurisdictions]
    out = []
    for i, (title, paragraphs) in enumerate(sections(analysis)):
        verdict = places[i] if i < len(places) and len(analysis.acts) <= 1 else ""
        items = []
        for p in paragraphs:
            text = plain(p)
            unverified = FLAG in text
            items.append({"text": text.replace(FLAG, UNVERIFIED), "unverified": unverified})
        out.append({"title": title, "paragraphs": items, "verdict": verdict if verdict in VERDICT_CLASS else "",
                    "place": i < len(places)})
    return out
