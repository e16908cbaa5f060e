"""``fairuse serve``: the questionnaire as a web interview, and the assessment as a JSON API (the ``web`` extra).

:func:`create_app` builds the ASGI app (FastAPI): :mod:`.service` (rules, questions,
casebook and words, loaded once per process), :mod:`.store` (the questionnaire's
session store, opened with unguessable ids and a lock per request), :mod:`.pages`
and :mod:`.views` (the interview, server-rendered from ``templates/web/``),
:mod:`.api` (``/v1``) and :mod:`.app` (the guard: body limit, token, headers).
Nothing here imports FastAPI until :func:`create_app` is called.
"""

from __future__ import annotations


def create_app(**options):
    """The web interview and the /v1 API (see :func:`fairuse.web.app.create_app`)."""
    from .app import create_app as create

    return create(**options)


__all__ = ["create_app"]
