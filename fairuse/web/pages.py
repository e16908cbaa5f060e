"""The web interview: the terminal questionnaire's flow, one question per page, server-rendered.

``GET /`` starts or resumes; ``/interview/{id}`` is the interview's link: it shows
the question to answer now (the same question, counted the same way, as the
terminal would ask: :mod:`fairuse.questionnaire.steps`), or, when nothing left
could change an answer, the answers (each can be changed) and the result, with
the memo as HTML, PDF and Markdown and the answers as a file. Every answer is
saved in the session store before the next page is shown, so a reload, a closed
tab or a link opened elsewhere resumes where the user was. The pages work without
JavaScript and by keyboard; forms carry a token signed for their interview.
"""

from __future__ import annotations

import datetime as dt
import secrets
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..errors import FairuseError
from ..questionnaire.steps import back, leaning, next_step, record
from . import views
from .store import WEB_ID, Busy, NotFound

router = APIRouter(include_in_schema=False)
START_COOKIE = "fairuse_start"
TOKEN_MAX_AGE = 30 * 24 * 3600
NO_STORE = {"cache-control": "no-store"}
MEMO_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


def _html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers=NO_STORE)


def _go(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers=NO_STORE)


def error_page(status: int, message: str) -> str:
    return views.page("error.html.j2", status=status, message=message)


# ------------------------------------------------------------------ start and resume


@router.get("/", response_class=HTMLResponse)
def start(request: Request):
    nonce = request.cookies.get(START_COOKIE)
    fresh = not (nonce and len(nonce) == 43)
    nonce = secrets.token_urlsafe(32) if fresh else nonce
    response = _html(views.page("start.html.j2", start_token=nonce))
    if fresh:
        response.set_cookie(START_COOKIE, nonce, httponly=True, samesite="strict")
    return response


@router.post("/interview")
async def begin(request: Request):
    form = await request.form()
    nonce = request.cookies.get(START_COOKIE)
    if not nonce or not secrets.compare_digest(str(form.get("start", "")), nonce):
        return _html(error_page(403, "this form has expired; go back to the start page and try again"), 403)
    sid = request.app.state.store.create()
    return _go(f"/interview/{sid}")


@router.get("/resume")
def resume(link: str = ""):
    """A pasted link or id → its interview."""
    sid = link.strip().rstrip("/").split("/interview/")[-1].split("/")[0].split("?")[0]
    if not WEB_ID.match(sid):
        return _html(error_page(404, "that is not an interview's link; it looks like "
                                     "http://127.0.0.1:8000/interview/w… (copy it from the address bar)"), 404)
    return _go(f"/interview/{sid}")


# ------------------------------------------------------------------ the interview


@router.get("/interview/{sid}", response_class=HTMLResponse)
def interview(request: Request, sid: str, first: int = 0):
    service, store = request.app.state.service, request.app.state.store
    with store.open(sid, service.base.vocabulary) as session, service.lock:
        step = next_step(service.interview, session.answers, session.settled, session.history)
        note = _leaning_note(service, session, step)
        if step is None:
            return _result(request, service, session, sid, None)  # the answer itself, not a "so far"
        return _question(request, service, session, sid, step.question, step=step, note=note,
                         first=bool(first))


@router.get("/interview/{sid}/q/{fact}", response_class=HTMLResponse)
def question(request: Request, sid: str, fact: str, again: str = "", skipped: int = 0):
    service, store = request.app.state.service, request.app.state.store
    q = service.by_fact.get(fact)
    if q is None:
        raise NotFound("no such question; go back to the interview")
    with store.open(sid, service.base.vocabulary) as session, service.lock:
        editing = _editing(session, fact)
        step = None if editing or q.review_only else next_step(
            service.interview, session.answers, session.settled, session.history, forced=fact)
        current = views.current_value(again, service.base.vocabulary, fact)
        return _question(request, service, session, sid, q, step=step, current=current, skipped=bool(skipped))


@router.post("/interview/{sid}/q/{fact}")
async def answer(request: Request, sid: str, fact: str):
    service, store = request.app.state.service, request.app.state.store
    q = service.by_fact.get(fact)
    if q is None:
        raise NotFound("no such question; go back to the interview")
    store.path(sid)  # a malformed id is "not found" before anything else
    form = await request.form()
    if not request.app.state.secret.check("csrf", sid, form.get("csrf")):
        return _html(error_page(403, "this form has expired or did not come from this interview's page; "
                                     "reload the page and answer again"), 403)
    action = str(form.get("action", "answer"))
    vocabulary = service.base.vocabulary
    with store.open(sid, vocabulary) as session, service.lock:
        editing = _editing(session, fact)
        if action == "back":
            if editing or q.review_only:
                return _go(f"/interview/{sid}")  # Back from changing an answer: nothing changes
            undone = back(session.answers, session.settled, session.history)
            if undone is None:
                return _go(f"/interview/{sid}?first=1")
            _save(session)
            previous, earlier, was_skipped = undone
            where = f"/interview/{sid}/q/{previous}"
            if was_skipped:
                return _go(f"{where}?skipped=1")
            return _go(where if earlier is None else f"{where}?again={quote(views.carried(earlier))}")
        if action == "skip":
            if q.review_only:
                session.answers.pop(fact, None)  # the date questions: "skip" is the default (today)
            else:
                record(fact, None, session.answers, session.settled, session.history, skipped=True)
        else:
            value, problem = _value(q, vocabulary[fact], form, vocabulary)
            if problem:
                step = None if editing or q.review_only else next_step(
                    service.interview, session.answers, session.settled, session.history, forced=fact)
                return _question(request, service, session, sid, q, step=step, problem=problem, status=422)
            if q.review_only:
                session.answers[fact] = value
            else:
                record(fact, value, session.answers, session.settled, session.history)
        _save(session)
    return _go(f"/interview/{sid}")


# ------------------------------------------------------------------ downloads


@router.get("/interview/{sid}/memo.{fmt}")
def memo(request: Request, sid: str, fmt: str):
    from .api import MEMO_TYPES

    if fmt not in MEMO_TYPES:
        raise NotFound("the memo comes as memo.html, memo.pdf or memo.md")
    service, store = request.app.state.service, request.app.state.store
    with store.open(sid, service.base.vocabulary) as session:
        answers, as_of = dict(session.answers), session.options.get("as_of")
    data = service.memo(answers, fmt, dt.date.fromisoformat(as_of) if as_of else None)
    disposition = "inline" if fmt == "html" else "attachment"
    return Response(data, media_type=MEMO_TYPES[fmt],
                    headers={**NO_STORE, "content-security-policy": MEMO_POLICY,
                             "content-disposition": f'{disposition}; filename="memo.{fmt}"'})


@router.get("/interview/{sid}/answers.yaml")
def answers_file(request: Request, sid: str):
    """The answers as an answers file: ``fairuse assess --answers`` and ``fairuse memo --answers`` read it."""
    import yaml

    from ..answers import to_plain

    service, store = request.app.state.service, request.app.state.store
    with store.open(sid, service.base.vocabulary) as session:
        answers = dict(session.answers)
    text = "# fairuse answers file (fact id: value); absent facts are unknown\n"
    text += yaml.safe_dump(to_plain(answers), sort_keys=False, allow_unicode=True, width=100)
    return Response(text, media_type="application/yaml; charset=utf-8",
                    headers={**NO_STORE, "content-disposition": 'attachment; filename="answers.yaml"'})


@router.get("/static/{name}")
def static(name: str):
    try:
        data = views.asset(name)
    except KeyError:
        raise NotFound("no such file") from None
    kind = "text/css; charset=utf-8" if name.endswith(".css") else "text/javascript; charset=utf-8"
    return Response(data, media_type=kind, headers={"cache-control": "max-age=3600"})


# ------------------------------------------------------------------ helpers


def _editing(session, fact: str) -> bool:
    """Changing an answer already given (or left unknown), rather than answering the question asked now."""
    return fact in session.answers or fact in session.settled or fact in session.history


def _save(session) -> None:
    if not session.save():
        raise FairuseError(f"this answer could not be saved ({session.error}); nothing was changed, try again")


def _value(q, fact, form, vocabulary):
    """(the answer in the form, None) or (None, what is wrong with it, in words)."""
    from ..answers import check_value

    raw = [str(v) for v in form.getlist("value")]
    if fact.type == "multi":
        if not raw:
            if q.fact == "jurisdictions":
                return ["us"], None  # none chosen means the United States, as on the terminal
            return None, "Choose at least one answer, or Skip to leave it unknown."
        value = raw
    elif fact.type == "bool":
        if not raw or raw[0] not in ("true", "false"):
            return None, "Choose Yes or No, or Skip to leave it unknown."
        value = raw[0] == "true"
    elif fact.type == "choice":
        if not raw:
            return None, "Choose an answer, or Skip to leave it unknown."
        value = raw[0]
    else:
        value = raw[0].strip() if raw else ""
        if not value:
            return None, ("Give a date as YYYY-MM-DD, or Skip." if fact.type == "date"
                          else "Type an answer, or Skip to leave it unknown.")
    try:
        return check_value(vocabulary, fact.id, value, "answer"), None
    except FairuseError as exc:
        why = str(exc).split(": ", 2)[-1]
        return None, why[:1].upper() + why[1:] + "."


def _question(request, service, session, sid, q, *, step=None, current=None, skipped=False, problem=None,
              note=None, first=False, status=200):
    fact = service.base.vocabulary[q.fact]
    chosen = service.interview.chosen(session.answers, session.settled)
    if current is None and not skipped:
        current = session.answers.get(q.fact)
        skipped = q.fact in session.settled
    text = current.isoformat() if isinstance(current, dt.date) else (current if isinstance(current, str) else "")
    return _html(views.page(
        "question.html.j2", sid=sid, q=q, kind=fact.type, step=step, choices=views.choices(q, fact, current, skipped),
        text=text if fact.type in ("text", "date") else "", help=q.help_for(chosen),
        definition=views.definition(q, chosen), problem=problem, note=note, first=first,
        csrf=request.app.state.secret.token("csrf", sid), rows=views.answer_rows(service, session, sid),
        editing=step is None, skipped=skipped, action=f"/interview/{sid}/q/{q.fact}",
        link=f"{request.base_url}interview/{sid}"), status)


def _result(request, service, session, sid, note):
    as_of = session.options.get("as_of")
    analysis = service.analyse(dict(session.answers), dt.date.fromisoformat(as_of) if as_of else None)
    return _html(views.page(
        "result.html.j2", sid=sid, a=analysis, sections=views.result_sections(analysis), note=note,
        rows=views.answer_rows(service, session, sid), link=f"{request.base_url}interview/{sid}"))


def _leaning_note(service, session, step) -> str | None:
    """The US factor leaning of the section just finished, as the terminal says it between sections."""
    if not session.history:
        return None
    last = service.by_fact.get(session.history[-1])
    if last is None or (step is not None and step.question.section == last.section):
        return None
    asked = set()
    for fact in reversed(session.history):
        q = service.by_fact.get(fact)
        if q is None or q.section != last.section:
            break
        asked.add(fact)
    return leaning(service.base, service.interview, last.section, asked, session.answers)


def install_errors(app) -> None:
    """One line for every error: HTML for the pages, JSON for the API."""
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from starlette.exceptions import HTTPException

    from ..questionnaire.session import SessionError

    def reply(request, status: int, message: str):
        if request.url.path.startswith("/v1"):
            return JSONResponse({"error": message}, status_code=status)
        return _html(error_page(status, message), status)

    @app.exception_handler(NotFound)
    async def not_found(request, exc):
        return reply(request, 404, str(exc))

    @app.exception_handler(Busy)
    async def busy(request, exc):
        return reply(request, 409, str(exc))

    @app.exception_handler(SessionError)
    async def session_error(request, exc):
        return reply(request, 503, str(exc))

    @app.exception_handler(FairuseError)
    async def fairuse_error(request, exc):
        return reply(request, 422 if request.url.path.startswith("/v1") else 500, str(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request, exc):
        words = {404: "no such page", 405: "this address does not take that method"}
        return reply(request, exc.status_code, words.get(exc.status_code, str(exc.detail)))

    @app.exception_handler(RequestValidationError)
    async def invalid(request, exc):
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ())[1:]) or "request"
        given = first.get("input")
        return reply(request, 422, f"{where}: {first.get('msg', 'invalid').lower()}"
                                   + (f", got {str(given)[:40]!r}" if given is not None else ""))
