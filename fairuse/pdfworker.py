"""WeasyPrint loaded in a forked child while this process assesses.

Loading WeasyPrint (a quarter of a second) and assessing (loading the rules, the
engine, the memo's prose: about half a second) need nothing from each other. A
command that will write a PDF calls :func:`prepare` first: on Linux, when this
process runs no other thread and has not loaded WeasyPrint, a forked child loads
it (and lays out a small page, which loads the fonts) while this process
assesses; :func:`fairuse.memo.pdf._pdf` then hands the child the memo's HTML and
gets the PDF back. Anything unusual (no fork, the child gone, a broken pipe) and
the PDF is made in this process as before; an error of WeasyPrint's comes back
as the same one line. The child ends when its input closes: a command that
fails before the PDF lets it go (:func:`release`, also at exit).

This module imports nothing heavy: the command calls it before its own imports.
"""

from __future__ import annotations

import os
import sys

_WORKER: _Worker | None = None

# A page with the memo's fonts (serif, sans; bold, italic), laid out while the child waits.
WARM_UP = ('<html><head><style>@page { @bottom-center { content: "Page " counter(page) " of " counter(pages);'
           ' font: 8pt "DejaVu Sans", sans-serif; } } body { font: 10pt/1.4 "DejaVu Serif", serif; }'
           ' h2 { font: bold 12.5pt "DejaVu Sans", sans-serif; }</style></head><body><h2>Memorandum</h2>'
           '<p>Fair use, <i>Campbell</i>, <b>17 U.S.C. § 107</b> — 1234567890.</p></body></html>')


class _Worker:
    def __init__(self, pid: int, to_child: int, from_child: int):
        self.pid, self.to_child, self.from_child = pid, to_child, from_child

    def render(self, html: str) -> bytes | None:
        """The PDF, or raise the child's :class:`~fairuse.errors.FairuseError`; None: make it here instead."""
        from .errors import FairuseError

        try:
            try:
                with os.fdopen(self.to_child, "wb", closefd=True) as pipe:
                    self.to_child = -1
                    pipe.write(html.encode("utf-8"))
            except OSError:  # the child is gone
                return None
            with os.fdopen(self.from_child, "rb", closefd=True) as pipe:
                self.from_child = -1
                answer = pipe.read()
        finally:
            self.close()
        if answer[:1] == b"P":
            return answer[1:]
        if answer[:1] == b"E":
            raise FairuseError(answer[1:].decode("utf-8", "replace"))
        return None

    def close(self) -> None:
        """Let the child go (it ends when its input closes; one still loading is stopped) and reap it."""
        import signal

        for fd in (self.to_child, self.from_child):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:  # pragma: no cover - already closed
                    pass
        self.to_child = self.from_child = -1
        if self.pid:
            pid, self.pid = self.pid, 0
            try:
                if os.waitpid(pid, os.WNOHANG) == (0, 0):
                    os.kill(pid, signal.SIGTERM)
                    os.waitpid(pid, 0)
            except (ChildProcessError, ProcessLookupError):  # pragma: no cover - reaped elsewhere
                pass


def prepare() -> bool:
    """Start loading WeasyPrint in a child process, for the next PDF this process makes.

    Returns whether a child was started (Linux, one thread, WeasyPrint not loaded yet,
    no child already waiting).
    """
    global _WORKER
    import threading

    if (_WORKER is not None or not sys.platform.startswith("linux") or "weasyprint" in sys.modules
            or threading.active_count() != 1 or not hasattr(os, "fork")):
        return False
    html_r, html_w = os.pipe()
    pdf_r, pdf_w = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        for fd in (html_r, html_w, pdf_r, pdf_w):
            os.close(fd)
        return False
    if pid == 0:  # the child: never returns
        _serve(html_r, html_w, pdf_r, pdf_w)
    os.close(html_r)
    os.close(pdf_w)
    _WORKER = _Worker(pid, html_w, pdf_r)
    return True


def wanted(argv: list[str]) -> bool:
    """Will this command line write a PDF memo? (``memo`` with ``--out X.pdf`` or ``--format pdf``.)

    Read before the command line is parsed, so that the child starts a tenth of a
    second sooner; a wrong guess costs only the child's work (the memo command
    calls :func:`prepare` itself, and an unused child is stopped at exit)."""
    if not argv or argv[0] != "memo" or "--help" in argv:
        return False
    for i, arg in enumerate(argv[1:], 1):
        value = argv[i + 1] if i + 1 < len(argv) else ""
        if arg in ("--out", "-o") and value.lower().endswith(".pdf"):
            return True
        if arg.startswith("--out=") and arg.lower().endswith(".pdf"):
            return True
        if (arg in ("--format", "-f") and value.lower() == "pdf") or arg.lower() == "--format=pdf":
            return True
    return False


def take() -> _Worker | None:
    """The waiting child, if any (each is used once)."""
    global _WORKER
    worker, _WORKER = _WORKER, None
    return worker


def release() -> None:
    """Let a child that was not used go."""
    worker = take()
    if worker is not None:
        worker.close()


def _serve(html_r: int, html_w: int, pdf_r: int, pdf_w: int) -> None:  # pragma: no cover - runs in the child
    """The child: load WeasyPrint, read the HTML to its end, answer b"P" + PDF or b"E" + the error line."""
    import signal

    status = 1
    try:
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends the child with its parent (unless ignored)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.close(html_w)
        os.close(pdf_r)
        from .errors import FairuseError
        from .pdfrender import render_here as _render_here

        try:
            _render_here(WARM_UP)
        except Exception:  # noqa: BLE001 - reported, if it persists, when the memo is rendered
            pass
        with os.fdopen(html_r, "rb") as pipe:
            html = pipe.read().decode("utf-8")
        if html:
            try:
                answer = b"P" + _render_here(html)
            except FairuseError as exc:
                answer = b"E" + str(exc).encode("utf-8")
            with os.fdopen(pdf_w, "wb") as pipe:
                pipe.write(answer)
        status = 0
    except BaseException:  # noqa: BLE001 - nothing may escape the child; the parent makes the PDF itself
        status = 1
    finally:
        os._exit(status)


import atexit  # noqa: E402

atexit.register(release)  # a child nobody used is stopped when this process ends
