"""WeasyPrint: HTML to PDF bytes, loading nothing but the package's own assets.

Used by :mod:`fairuse.memo.pdf` in this process and by :mod:`fairuse.pdfworker`'s
child; it knows nothing of memos.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

from .errors import FairuseError
from .paths import data_dir


def templates_dir() -> Path:
    return data_dir("templates")


def _import_weasyprint():
    """Import WeasyPrint, on Linux without ``ctypes.util.find_library``'s subprocesses.

    WeasyPrint tries several names for each library (Pango, HarfBuzz, ...); each
    name that is not a file starts ``ldconfig``, ``gcc`` and ``ld`` through
    ``find_library`` (22 look-ups, about a quarter of a second, a sixth of a PDF).
    On Linux, ``find_library`` only ever answers a soname, and WeasyPrint's
    list names each library's soname too (``libpango-1.0.so.0``), which the
    loader finds directly; so the import first runs with ``find_library``
    answering "not found", and should that fail (a library known only by
    another soname), once more as WeasyPrint ships.
    """
    if "weasyprint" in sys.modules or not sys.platform.startswith("linux"):
        import weasyprint
        return weasyprint
    import contextlib
    import ctypes.util

    real = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        with contextlib.redirect_stdout(sys.stderr):  # WeasyPrint prints its install advice on failure
            import weasyprint
        return weasyprint
    except OSError:
        for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
            del sys.modules[name]
    finally:
        ctypes.util.find_library = real
    import weasyprint
    return weasyprint


def render_here(html: str) -> bytes:
    """The PDF of ``html``, made in this process."""
    try:
        weasyprint = _import_weasyprint()
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
