"""The application: the loaded service, the pages, the API, and the guard in front of them.

:func:`create_app` builds a FastAPI app: rules, questions, casebook and templates
are loaded once, when it is made. The :class:`Guard` in front of every route
refuses a body over 1 MB (413) before any of it is parsed, asks for the token
when the server was started with one (``--token``, ``FAIRUSE_TOKEN``), and adds
the headers that keep pages private: no caching of answers, no referrer (a page's
address holds its interview's id), no framing, scripts and styles from this
server only.
"""

from __future__ import annotations

import hmac
import json
from pathlib import Path
from urllib.parse import parse_qs, urlencode

from fastapi import FastAPI

MAX_BODY = 1_000_000  # bytes; larger bodies get 413
TOKEN_COOKIE = "fairuse_token"
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy",
     b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
     b"frame-ancestors 'none'; base-uri 'none'"),
]


def create_app(*, rules: Path | None = None, casebook: Path | None = None, data_dir: Path | None = None,
               token: str | None = None) -> FastAPI:
    """The web interview and the /v1 API over one ruleset; ``token``: required of every request when given."""
    from .. import __version__
    from ..questionnaire.session import data_dir as default_data_dir
    from . import api, pages
    from .service import Service
    from .store import Secret, Store

    root = Path(data_dir) if data_dir else default_data_dir()
    app = FastAPI(title="fairuse", version=__version__,
                  description=("Fair-use and text-and-data-mining assessments from rules that cite their law. "
                               "Not legal advice. The JSON of POST /v1/assess is the public contract of "
                               "`fairuse assess --format json` (GET /v1/schema)."),
                  docs_url=None, redoc_url=None)
    app.state.service = Service(rules, casebook)
    app.state.store = Store(root)
    app.state.secret = Secret(root)
    app.include_router(api.router)
    app.include_router(pages.router)
    pages.install_errors(app)
    _describe_answers(app)
    return Guard(app, token)


def _describe_answers(app: FastAPI) -> None:
    """/openapi.json, generated from the routes, with the answers object described from the vocabulary."""
    from fastapi.openapi.utils import get_openapi

    from .api import answers_schema

    def openapi():
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description,
                                 routes=app.routes)
            schema.setdefault("components", {}).setdefault("schemas", {})["Answers"] = answers_schema(
                app.state.service.base)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi


class Guard:
    """ASGI middleware: 413 over :data:`MAX_BODY`, the token, and the privacy headers (see the module)."""

    def __init__(self, app: FastAPI, token: str | None):
        self.app, self.token = app, token
        self.state = app.state  # tests and the server reach the app's state through the guard

    def __getattr__(self, name):
        return getattr(self.app, name)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message = dict(message)
                own = list(message.get("headers", []))
                named = {k.lower() for k, _ in own}
                message["headers"] = own + [(k, v) for k, v in HEADERS if k not in named]
            await send(message)

        if self.token is not None:
            allowed = self._allowed(scope)
            if allowed is not True:
                return await _respond(send_with_headers, scope, *allowed)
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            return await _respond(send_with_headers, scope, 413, f"the request body is over {MAX_BODY:,} bytes")
        body, more = b"", True
        while more:  # read it all (bounded) before the app sees any: a chunked body over the limit is refused too
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_BODY:
                return await _respond(send_with_headers, scope, 413, f"the request body is over {MAX_BODY:,} bytes")
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return await self.app(scope, replay, send_with_headers)

    def _allowed(self, scope):
        """True, or (status, message[, location]) for a request without the token."""
        headers = dict(scope.get("headers") or [])
        given = []
        auth = headers.get(b"authorization", b"").decode("latin-1")
        if auth.lower().startswith("bearer "):
            given.append(auth[7:].strip())
        for part in headers.get(b"cookie", b"").decode("latin-1").split(";"):
            name, _, value = part.strip().partition("=")
            if name == TOKEN_COOKIE:
                given.append(value)
        if any(hmac.compare_digest(g.encode(), self.token.encode()) for g in given):
            return True
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if scope["method"] == "GET" and hmac.compare_digest(query.get("token", [""])[0].encode(), self.token.encode()):
            rest = urlencode({k: v for k, v in query.items() if k != "token"}, doseq=True)
            return 303, "signed in", scope["path"] + (f"?{rest}" if rest else "")
        return 401, ("this server needs its token: send 'Authorization: Bearer TOKEN', "
                     "or open the link the server printed (it ends in ?token=...)")


async def _respond(send, scope, status: int, message: str, location: str | None = None) -> None:
    api = scope["path"].startswith("/v1") or scope["path"] == "/openapi.json"
    headers = [(b"cache-control", b"no-store")]
    if location is not None:
        from .pages import TOKEN_MAX_AGE

        headers += [(b"location", location.encode("latin-1")),
                    (b"set-cookie", f"{TOKEN_COOKIE}={_token_of(scope)}; Path=/; HttpOnly; SameSite=Strict; "
                                    f"Max-Age={TOKEN_MAX_AGE}".encode("latin-1"))]
    if api:
        body = (json.dumps({"error": message}) + "\n").encode()
        headers.append((b"content-type", b"application/json"))
    else:
        from .pages import error_page

        body = error_page(status, message).encode("utf-8")
        headers.append((b"content-type", b"text/html; charset=utf-8"))
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _token_of(scope) -> str:
    return parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [""])[0]
