"""The memo's Jinja2 environment (sandboxed, bounded) and rendering to HTML, Markdown or PDF bytes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import FairuseError
from ..sandbox import MAX_TEMPLATE_NUMBER, environment, template_line, templates_dir  # noqa: F401 - the memo's public names

if TYPE_CHECKING:
    from ..analysis import Analysis

FORMATS = ("html", "pdf", "md")


def render(analysis: Analysis, fmt: str, template_dir: Path | None = None, appendix: bool = False,
           **heading) -> bytes:
    """The memo of ``analysis`` as bytes in ``fmt`` (html, pdf or md); ``appendix``: the rule trace too."""
    from jinja2 import TemplateError

    if fmt not in FORMATS:
        raise FairuseError(f"--format: expected one of {', '.join(FORMATS)}, got '{fmt}'")
    env = environment(template_dir, fmt)
    name = "memo.md.j2" if fmt == "md" else "memo.html.j2"
    from .context import build_context

    try:  # facts_prose.yaml's sentences are templates too: their errors are caught here as well
        context = build_context(analysis, appendix=appendix, **heading)
        text = env.get_template(name).render(**context, for_pdf=(fmt == "pdf"))
    except TemplateError as exc:  # where: the template's file and line (a firm's file, when it is theirs)
        line = getattr(exc, "lineno", None)
        where = (f"{exc.filename}:{line}" if getattr(exc, "filename", None) and line
                 else template_line(exc) or getattr(exc, "filename", None) or name)
        raise FairuseError(f"{where}: template error: {exc.message}") from None
    except RecursionError:
        raise FairuseError(f"{name}: template error: templates include each other without end") from None
    except (OverflowError, MemoryError) as exc:  # range(10**9) and the like, refused by the sandbox
        raise FairuseError(f"{template_line(exc) or name}: template error: too large: {exc}") from None
    except (ArithmeticError, LookupError, TypeError, ValueError, UnicodeError) as exc:
        raise FairuseError(f"{template_line(exc) or name}: template error: {type(exc).__name__}: {exc}") from None
    if fmt != "pdf":
        return text.encode("utf-8")
    from .pdf import _pdf

    return _pdf(text)


def write(data: bytes, out: Path, force: bool = False, inputs=()) -> None:
    """Write the memo atomically; never overwrite without ``force``, never over one of ``inputs``
    (see :mod:`fairuse.atomic` for what is never written, even with ``force``)."""
    from ..atomic import write_atomic

    out = Path(out)
    if not out.parent.is_dir():
        raise FairuseError(f"{out.parent}: no such directory")
    write_atomic(out, data, force=force, inputs=inputs)  # no-clobber is atomic there (link-or-fail)
