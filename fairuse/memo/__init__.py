"""The reasoned memo: HTML, PDF and Markdown from Jinja2 templates.

:func:`build_context` turns an :class:`~fairuse.assess.Assessment` into the
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

from ..prose import FactWords
from .templating import FORMATS, MAX_TEMPLATE_NUMBER, environment, render, templates_dir, write
from .chart import chart_svg
from .context import (FACTOR_TEXT, KIND_TITLES, MAX_SUMMARY, VERDICT_WORDS, _citation_key, _prose_spec, _short,
                      build_context)
from .pdf import check_url

__all__ = ["FACTOR_TEXT", "FORMATS", "KIND_TITLES", "MAX_SUMMARY", "MAX_TEMPLATE_NUMBER", "VERDICT_WORDS", "FactWords",
           "build_context", "chart_svg", "check_url", "environment", "render", "templates_dir", "write"]
