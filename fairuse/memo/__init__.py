"""The reasoned memo: HTML, PDF and Markdown from Jinja2 templates.

:func:`build_context` lays an :class:`~fairuse.analysis.Analysis` out as the
plain data the templates read; :func:`render` fills a template; :func:`write`
writes a file atomically. Templates live in ``templates/`` and an organisation
can override any of them with ``--template DIR`` (searched first). Every
template runs in Jinja2's sandbox with HTML autoescaping, so text from an
answers file can never inject markup.

Layout: :mod:`.context` (what the memo says), :mod:`.chart` (the factor chart),
:mod:`.templating` (the Jinja2 environment, HTML/Markdown, atomic writes) and
:mod:`.pdf` (WeasyPrint). The names below are the package's public face.
"""

from __future__ import annotations

import importlib

# Each public name and the module it lives in: loaded on first use, so that
# importing one part (``fairuse.memo.pdf`` in the PDF worker) loads only that part.
_WHERE = {
    "FactWords": "..wording",
    "FORMATS": ".templating", "MAX_TEMPLATE_NUMBER": ".templating", "environment": ".templating",
    "render": ".templating", "templates_dir": ".templating", "write": ".templating",
    "chart_svg": ".chart",
    "FACTOR_TEXT": ".context", "KIND_TITLES": ".context", "MAX_SUMMARY": ".context", "VERDICT_WORDS": ".context",
    "build_context": ".context",
    "check_url": ".pdf",
}

__all__ = ["FACTOR_TEXT", "FORMATS", "KIND_TITLES", "MAX_SUMMARY", "MAX_TEMPLATE_NUMBER", "VERDICT_WORDS", "FactWords",
           "build_context", "chart_svg", "check_url", "environment", "render", "templates_dir", "write"]


def __getattr__(name: str):
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(where, __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_WHERE))
