"""The PDF worker: WeasyPrint loaded in a forked child while the memo is written (fairuse/pdfworker.py)."""

import os
import sys

import pytest

from fairuse import pdfworker

from conftest import ROOT, run_cli

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the worker forks on Linux only")


@pytest.mark.parametrize("argv, expected", [
    (["memo", "--example", "google-books", "--out", "memo.pdf"], True),
    (["memo", "-o", "MEMO.PDF", "-e", "google-books"], True),
    (["memo", "--out=memo.pdf"], True),
    (["memo", "--format", "pdf", "--out", "memo"], True),
    (["memo", "-f", "pdf"], True),
    (["memo", "--format=pdf"], True),
    (["memo", "--out", "memo.html"], False),
    (["memo", "--format", "md"], False),
    (["memo", "--out", "memo.pdf", "--help"], False),
    (["assess", "--out", "memo.pdf"], False),
    (["memo", "--out"], False),
    ([], False),
])
def test_wanted_reads_a_pdf_memo_from_the_command_line(argv, expected):
    assert pdfworker.wanted(argv) is expected


def _pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_worker_makes_the_pdf_made_in_process(tmp_path):
    """The CLI (which forks the worker) and the same memo made without it: the same PDF, compared by its
    structure and text (pages, their sizes, fonts and words). Not byte for byte: without HarfBuzz's subsetter
    (libharfbuzz-subset0, optional) WeasyPrint subsets fonts with fontTools, whose output differs in a few
    bytes from one process to the next."""
    out = tmp_path / "memo.pdf"
    result = run_cli("memo", "--example", "google-books", "--out", out)
    assert result.returncode == 0, result.stderr
    code = ("import sys; from fairuse import pdfworker; pdfworker.prepare = lambda: False; "
            "from fairuse.cli import main; main()")
    same = tmp_path / "same.pdf"
    import subprocess

    done = subprocess.run([sys.executable, "-c", code, "memo", "--example", "google-books", "--out", str(same)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert _structure(out.read_bytes()) == _structure(same.read_bytes())


def _structure(data: bytes) -> list:
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    pages = []
    for page in reader.pages:
        fonts = sorted(str(f.get_object().get("/BaseFont", ""))[7:] for f in
                       (page.get("/Resources", {}).get("/Font", {}) or {}).values())  # without the subset tag
        pages.append((tuple(round(float(x)) for x in page.mediabox), tuple(fonts), page.extract_text()))
    return pages


def _fresh(body: str) -> None:
    """Run ``body`` in a new interpreter (no WeasyPrint loaded yet, as in a user's command); it asserts."""
    import subprocess
    import textwrap

    prelude = ("import os, sys\nsys.path.insert(0, 'tests')\nimport pytest\nfrom fairuse import pdfworker\n"
               "assert 'weasyprint' not in sys.modules\n")
    done = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(body) + "\nprint('checked')"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0 and done.stdout.strip().endswith("checked"), done.stderr[-3000:]


def test_a_child_is_started_used_once_and_reaped():
    _fresh("""
        started = []
        real = pdfworker._Worker.__init__
        def spy(self, pid, *fds):
            started.append(pid)
            real(self, pid, *fds)
        pdfworker._Worker.__init__ = spy
        assert pdfworker.prepare() is True
        assert pdfworker.prepare() is False  # one at a time
        from fairuse.memo.pdf import _pdf
        data = _pdf("<p>Hello from the child</p>")
        assert data.startswith(b"%PDF")
        assert "weasyprint" not in sys.modules  # the child made it
        import io
        from pypdf import PdfReader
        assert "Hello from the child" in PdfReader(io.BytesIO(data)).pages[0].extract_text()
        assert pdfworker.take() is None  # used once
        with pytest.raises(ProcessLookupError):
            os.kill(started[0], 0)  # reaped
    """)


def test_an_error_in_the_child_is_the_same_one_line():
    _fresh("""
        from fairuse.errors import FairuseError
        from fairuse import pdfrender
        from fairuse.memo import pdf
        def broken(html):
            raise FairuseError("PDF output needs WeasyPrint and the Pango libraries (test)")
        pdfrender.render_here = broken  # the child is a fork: it has the same function
        pdf._render_here = broken
        assert pdfworker.prepare() is True
        with pytest.raises(FairuseError, match="needs WeasyPrint and the Pango libraries"):
            pdf._pdf("<p>Hello</p>")
    """)


def test_a_child_that_dies_leaves_the_pdf_to_this_process():
    _fresh("""
        import signal
        assert pdfworker.prepare() is True
        os.kill(pdfworker._WORKER.pid, signal.SIGKILL)
        from fairuse.memo.pdf import _pdf
        assert _pdf("<p>Hello</p>").startswith(b"%PDF")
        assert "weasyprint" in sys.modules  # made here
    """)


def test_a_child_ignores_ctrl_c_when_its_parent_does():
    """Started with SIGINT ignored (nohup, a background job), the child keeps ignoring it; otherwise
    Ctrl-C ends it with its parent."""
    _fresh("""
        import signal, time
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        assert pdfworker.prepare() is True
        time.sleep(0.3)
        os.kill(pdfworker._WORKER.pid, signal.SIGINT)
        from fairuse.memo.pdf import _pdf
        assert _pdf("<p>Hello</p>").startswith(b"%PDF")
        assert "weasyprint" not in sys.modules  # the child made it
        signal.signal(signal.SIGINT, signal.default_int_handler)
        assert pdfworker.prepare() is True
        pid = pdfworker._WORKER.pid
        time.sleep(0.3)
        os.kill(pid, signal.SIGINT)
        assert os.waitpid(pid, 0)[1] & 0x7f == signal.SIGINT  # ended by the signal
        pdfworker._WORKER.pid = 0
        pdfworker.release()
    """)


def test_a_child_not_used_is_stopped_and_reaped():
    _fresh("""
        assert pdfworker.prepare() is True
        pid = pdfworker._WORKER.pid
        pdfworker.release()
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
        pdfworker.release()  # twice is harmless
    """)


def test_a_memo_command_that_fails_leaves_no_child(tmp_path):
    _fresh(f"""
        from pathlib import Path
        from inprocess import run_main
        started = []
        real = pdfworker.prepare
        def spy():
            done = real()
            if done:
                started.append(pdfworker._WORKER.pid)
            return done
        pdfworker.prepare = spy
        out = Path({str(tmp_path / "memo.pdf")!r})
        outcome = run_main("memo", "--answers", {str(tmp_path / "missing.yaml")!r}, "--out", out)
        assert outcome.code == 2 and outcome.stderr.count("\\n") == 1, outcome
        assert "Traceback" not in outcome.stderr
        assert started, "the command line asked for a PDF: a child was started"
        assert pdfworker._WORKER is None
        with pytest.raises(ProcessLookupError):
            os.kill(started[0], 0)
        assert not out.exists()
    """)


def test_no_child_without_fork_or_with_threads(monkeypatch):
    import threading

    monkeypatch.setattr(threading, "active_count", lambda: 2)
    assert pdfworker.prepare() is False
    monkeypatch.undo()
    monkeypatch.setattr(sys, "platform", "darwin")
    assert pdfworker.prepare() is False
