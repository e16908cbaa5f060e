"""The memo as PDF: WeasyPrint, loading nothing but the package's own assets."""

from __future__ import annotations

import functools
from pathlib import Path

from ..errors import FairuseError
from .templating import templates_dir


def _pdf(html: str) -> bytes:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the Pango libraries are missing
        raise FairuseError(f"PDF output needs WeasyPrint and the Pango libraries ({exc}); "
                           "on Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0") from None
    return weasyprint.HTML(string=html, base_url=str(templates_dir()),
                           url_fetcher=_locked_fetcher()).write_pdf(font_config=_font_config())


@functools.lru_cache(maxsize=1)
def _font_config():
    """One font configuration per process: WeasyPrint's advice for many documents (each PDF
    after the first skips building it). Our memos declare no @font-face, so nothing accumulates."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def check_url(url: str):
    """What the PDF renderer may load: ``data:`` URLs and files inside the package's templates.

    Returns ``"data"`` or the file's path; anything else raises :class:`FairuseError`
    (WeasyPrint then skips the resource with a warning).
    """
    from urllib.parse import unquote, urlparse

    parsed = urlparse(url)
    if parsed.scheme == "data":
        return "data"
    if parsed.scheme == "file":
        path = Path(unquote(parsed.path)).resolve()
        if path.is_relative_to(templates_dir().resolve()) and path.is_file():
            return path
    raise FairuseError(f"the memo tried to load {url!r}; only the package's own assets may be loaded")


def _locked_fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LockedFetcher(URLFetcher):
        """No network, no file outside the package's templates."""

        def fetch(self, url, headers=None):
            allowed = check_url(url)
            if allowed == "data":
                return super().fetch(url, headers)
            return URLFetcherResponse(url, body=allowed.read_bytes())

    return LockedFetcher(allowed_protocols=("data", "file"), allow_redirects=False)
