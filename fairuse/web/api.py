"""The JSON API, versioned under ``/v1``: what the CLI gives, for another program.

* ``POST /v1/assess``: answers (a JSON object of fact id to value, as an answers
  file states them) → the JSON of ``fairuse assess --format json``, the public contract.
* ``POST /v1/memo?format=html|pdf|md``: answers → the memo of ``fairuse memo``.
* ``GET /v1/schema``: the contract's JSON Schema (``fairuse schema assessment``).
* ``GET /v1/facts``: the vocabulary (``fairuse facts --format json``).
* ``POST /v1/casebook/similar``: answers → the closest precedents (``fairuse casebook similar``).

Bad input is status 400 (not JSON) or 422 (not valid answers) with one line,
``{"error": "..."}``, naming the key and what was expected: the answers file's
messages, word for word. ``/openapi.json`` describes every route.
"""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from .service import BadRequest

router = APIRouter(prefix="/v1", tags=["api"])

MEMO_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf", "md": "text/markdown; charset=utf-8"}
ERROR = {"description": "One line naming the key and what was expected",
         "content": {"application/json": {"schema": {"type": "object", "properties": {"error": {"type": "string"}},
                                                      "required": ["error"]}}}}
ERRORS = {400: ERROR, 413: {"description": "The body is over 1 MB", "content": ERROR["content"]}, 422: ERROR}
ANSWERS_BODY = {"requestBody": {"required": True, "description": (
    "The answers: a JSON object of fact id to value, as an answers file states them (GET /v1/facts lists the "
    "facts and their values). A fact left out is unknown, never 'no'."),
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Answers"}}}}}


def _service(request: Request):
    return request.app.state.service


def _error(exc: BadRequest) -> JSONResponse:
    return JSONResponse({"error": str(exc)}, status_code=exc.status)


@router.post("/assess", summary="Assess a use", responses={200: {
    "description": "The assessment: the JSON of `fairuse assess --format json` (GET /v1/schema)",
    "content": {"application/json": {"schema": {"type": "object"}}}}, **ERRORS},
    openapi_extra=ANSWERS_BODY, response_class=Response)
async def assess(request: Request, as_of: Optional[str] = Query(
        None, description="Apply the law in force on this date (YYYY-MM-DD); default: the answers' "
                          "assessment_date, else today")):
    service = _service(request)
    try:
        answers = service.parse(await request.body())
        data = await _run(service.assess_json, answers, service.as_of(as_of))
    except BadRequest as exc:
        return _error(exc)
    return Response(data, media_type="application/json")


@router.post("/memo", summary="The reasoned memo", responses={200: {
    "description": "The memo of `fairuse memo`, in the format asked for",
    "content": {t.split(";")[0]: {} for t in MEMO_TYPES.values()}}, **ERRORS},
    openapi_extra=ANSWERS_BODY, response_class=Response)
async def memo(request: Request,
               format: str = Query("html", description="html, pdf or md"),  # noqa: A002 - the API's word
               as_of: Optional[str] = Query(None, description="The date whose law applies (YYYY-MM-DD)"),
               appendix: bool = Query(False, description="Add the weighing in numbers and every rule that fired")):
    service = _service(request)
    try:
        service.memo_format(format)  # before the body: a wrong format is said first
        answers = service.parse(await request.body())
        data = await _run(service.memo, answers, format, service.as_of(as_of), appendix)
    except BadRequest as exc:
        return _error(exc)
    return Response(data, media_type=MEMO_TYPES[format],
                    headers={"content-disposition": f'attachment; filename="memo.{format}"'})


@router.get("/schema", summary="The assessment's JSON Schema", response_class=Response,
            responses={200: {"content": {"application/schema+json": {}}, "description": "The JSON Schema"}})
async def schema():
    from ..schemas import assessment_schema_text

    return Response(assessment_schema_text(), media_type="application/schema+json")


@router.get("/facts", summary="The facts an answers object can state", responses={422: ERROR})
async def facts(request: Request, jurisdiction: Optional[str] = Query(
        None, description="Only the facts this jurisdiction's rules read: us, uk, eu, jp, cn or sg")):
    try:
        return _service(request).facts(jurisdiction)
    except BadRequest as exc:
        return _error(exc)


@router.post("/casebook/similar", summary="The closest precedents, for and against",
             responses=ERRORS, openapi_extra=ANSWERS_BODY)
async def casebook_similar(request: Request, top: int = Query(5, description="How many precedents (1-100)"),
                           as_of: Optional[str] = Query(None, description="Leave out later decisions")):
    service = _service(request)
    try:
        answers = service.parse(await request.body())
        return await _run(service.similar, answers, top, service.as_of(as_of))
    except BadRequest as exc:
        return _error(exc)


async def _run(function, *args):
    """The work in a worker thread: the event loop keeps accepting requests meanwhile."""
    from fastapi.concurrency import run_in_threadpool

    return await run_in_threadpool(function, *args)


def answers_schema(base) -> dict:
    """The answers object as a JSON Schema, from the vocabulary (for /openapi.json)."""
    props = {}
    for fact in base.vocabulary:
        item = fact.json_schema()
        meaning = " ".join(str(fact.meaning or "").split())
        if meaning:
            item["description"] = meaning
        props[fact.id] = {**item, "nullable": True}
    return {"type": "object", "properties": props, "additionalProperties": False,
            "example": {"use_summary": "A start-up trains a language model on a public web crawl",
                        "jurisdictions": ["us", "eu"], "purpose": "ai_training", "commercial": "direct"}}
