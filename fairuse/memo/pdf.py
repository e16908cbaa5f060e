"""The memo as PDF: from the child :func:`fairuse.pdfworker.prepare` started, if any, else made here."""

from __future__ import annotations

from ..pdfrender import _import_weasyprint, check_url  # noqa: F401 - the memo's public names
from ..pdfrender import render_here as _render_here


def _pdf(html: str) -> bytes:
    """The PDF of ``html``: from the child :func:`fairuse.pdfworker.prepare` started, if any, else made here."""
    from ..pdfworker import take

    worker = take()
    if worker is not None:
        done = worker.render(html)
        if done is not None:
            return done
    return _render_here(html)
