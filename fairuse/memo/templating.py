"""The memo's Jinja2 environment (sandboxed, bounded) and rendering to HTML, Markdown or PDF bytes."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import FairuseError
from ..paths import data_dir

if TYPE_CHECKING:  # the PDF worker imports this module for templates_dir alone
    from ..assess import Assessment

FORMATS = ("html", "pdf", "md")


def templates_dir() -> Path:
    return data_dir("templates")

MAX_TEMPLATE_NUMBER = 100_000  # the largest number a template may pass to a call, a filter or a repeat


def _sandbox_class():
    """Jinja2's sandbox, bounded: no ``'x' * 10**9``, ``10**10**10``, ``'%09999999d'`` or ``center(10**9)``.

    The sandbox stops attribute escapes and ``range(10**9)``, but not a number
    large enough to exhaust memory through a repeat, a power, a format width or
    a string method; those raise a ``SecurityError`` here (one line, exit 2).
    """
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import SandboxedEnvironment

    def too_big(value) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_TEMPLATE_NUMBER

    class BoundedSandbox(SandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**", "%"})
        MAX_STRINGS = 4096  # compiled string templates (facts_prose.yaml sentences, applications) kept

        def from_string(self, source, globals=None, template_class=None):  # noqa: A002 - Jinja's signature
            """A string template compiled once per environment (the environment lives for the process)."""
            if globals is not None or template_class is not None or not isinstance(source, str):
                return super().from_string(source, globals, template_class)
            cache = self.__dict__.setdefault("_strings", {})
            if source not in cache:
                if len(cache) >= self.MAX_STRINGS:
                    cache.clear()
                cache[source] = self._compiled_string(source)
            return cache[source]

        def _compiled_string(self, source: str):
            """Environment.from_string, through the bytecode cache (Jinja2 keeps only files there)."""
            bcc = self.bytecode_cache
            if bcc is None:
                return super().from_string(source)
            from .codecache import string_key

            bucket = bcc.get_bucket(self, "<string>", string_key(source), source)
            if bucket.code is None:
                bucket.code = self.compile(source)
                bcc.set_bucket(bucket)
            return self.template_class.from_code(self, bucket.code, self.make_globals(None), None)

        def call_binop(self, context, operator, left, right):
            if operator == "**" and (too_big(right) or (isinstance(right, (int, float)) and right > 64)):
                raise SecurityError("the template raises a number to too high a power")
            if operator == "*" and ((isinstance(left, (str, list, tuple)) and too_big(right))
                                    or (isinstance(right, (str, list, tuple)) and too_big(left))):
                raise SecurityError("the template repeats text too many times")
            if operator == "%" and isinstance(left, str) and re.search(r"\d{6,}", left):
                raise SecurityError("the template formats with too large a width")
            return super().call_binop(context, operator, left, right)

        def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's signature
            if any(too_big(a) for a in args) or any(too_big(v) for v in kwargs.values()):
                raise SecurityError("the template passes too large a number")
            return super().call(__context, __obj, *args, **kwargs)

        def wrap_str_format(self, value):  # '{:>999999999}'.format(1)
            wrapped = super().wrap_str_format(value)
            if wrapped is not None and re.search(r"\d{6,}", str(getattr(value, "__self__", ""))):
                def refuse(*args, **kwargs):
                    raise SecurityError("the template formats with too large a width")
                return refuse
            return wrapped

    return BoundedSandbox


def _bounded_filters(env) -> None:
    from jinja2.exceptions import SecurityError

    def bounded(func):
        def wrapper(*args, **kwargs):
            for value in (*args, *kwargs.values()):
                if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_TEMPLATE_NUMBER:
                    raise SecurityError("the template passes too large a number to a filter")
            return func(*args, **kwargs)
        for attr in ("jinja_pass_arg",):
            if hasattr(func, attr):
                setattr(wrapper, attr, getattr(func, attr))
        return wrapper

    for name, func in list(env.filters.items()):
        env.filters[name] = bounded(func)


def environment(template_dir: Path | None = None, fmt: str = "html"):
    """A sandboxed Jinja2 environment: the organisation's templates first, then ours.

    Autoescaping follows the memo's format, not a template's file name: every
    template and partial of an HTML or PDF memo escapes (a firm's partial named
    ``cover.txt`` included); Markdown escapes through the ``md`` filter.

    One environment per (folder, format) is kept for the process (bounded), so
    each template is compiled once; Jinja2 still reloads a template whose file
    changed on disk.
    """
    if template_dir is not None and not Path(template_dir).is_dir():
        raise FairuseError(f"--template: {template_dir}: no such directory")
    return _environment(None if template_dir is None else str(template_dir), "md" if fmt == "md" else "html")


@functools.lru_cache(maxsize=16)
def _environment(template_dir: str | None, fmt: str):
    from jinja2 import ChoiceLoader, FileSystemLoader

    loaders = []
    if template_dir is not None:
        loaders.append(FileSystemLoader(template_dir))
    loaders.append(FileSystemLoader(str(templates_dir())))
    env = _sandbox_class()(loader=ChoiceLoader(loaders),
                           autoescape=lambda name: name is None or fmt != "md",  # strings: facts_prose sentences
                           trim_blocks=True, lstrip_blocks=True)
    from .codecache import bytecode_cache

    env.bytecode_cache = bytecode_cache(f"{fmt}|{env.__class__.__name__}|{sorted(env.intercepted_binops)}")
    env.filters["md"] = _md_escape
    env.filters["words"] = lambda v: str(v).replace("_", " ")
    env.filters["capitalize_first"] = lambda v: str(v)[:1].upper() + str(v)[1:]
    env.filters["md_emphasis"] = _html_emphasis
    _bounded_filters(env)
    return env


def _html_emphasis(text):
    """Escape ``text`` for HTML, then turn the prose's *case names* into italics."""
    from markupsafe import Markup, escape

    return Markup(re.sub(r"\*([^*]+)\*", r"<i>\1</i>", str(escape(text))))


def _md_escape(text) -> str:
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "\\`*_[]|#":
        text = text.replace(ch, "\\" + ch)
    return text


def render(assessment: Assessment, fmt: str, template_dir: Path | None = None, **heading) -> bytes:
    """The memo as bytes in ``fmt`` (html, pdf or md)."""
    from jinja2 import TemplateError

    if fmt not in FORMATS:
        raise FairuseError(f"--format: expected one of {', '.join(FORMATS)}, got '{fmt}'")
    dirs = ([Path(template_dir)] if template_dir else []) + [templates_dir()]
    env = environment(template_dir, fmt)
    name = "memo.md.j2" if fmt == "md" else "memo.html.j2"
    from .context import build_context

    try:  # facts_prose.yaml's sentences are templates too: their errors are caught here as well
        context = build_context(assessment, template_dirs=dirs, env=env, **heading)
        text = env.get_template(name).render(**context, for_pdf=(fmt == "pdf"))
    except TemplateError as exc:
        where = getattr(exc, "filename", None) or name
        line = getattr(exc, "lineno", None)
        raise FairuseError(f"{where}{':' + str(line) if line else ''}: template error: {exc.message}") from None
    except RecursionError:
        raise FairuseError(f"{name}: template error: templates include each other without end") from None
    except (OverflowError, MemoryError) as exc:  # range(10**9) and the like, refused by the sandbox
        raise FairuseError(f"{name}: template error: too large: {exc}") from None
    except (ArithmeticError, LookupError, TypeError, ValueError, UnicodeError) as exc:
        raise FairuseError(f"{name}: template error: {type(exc).__name__}: {exc}") from None
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
