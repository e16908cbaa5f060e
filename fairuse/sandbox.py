"""Jinja2's sandbox, bounded, for every template fairuse renders: the memo's files, the rules'
``application:`` sentences and ``facts_prose.yaml`` (a firm's folder first, then ours).

The analysis renders the rules' applications and the facts in words through it;
the memo renders its templates through it. Nothing here knows what a memo is.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from .errors import FairuseError
from .paths import data_dir


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
    env.filters["emphasis"] = _html_emphasis
    env.filters["md_emphasis"] = _html_emphasis  # the name firms' templates know
    _bounded_filters(env)
    return env


ITALIC = ("\x02", "\x03")  # a case name in italics, as the prose marks it (never in data: control characters)


def _html_emphasis(text):
    """Escape ``text`` for HTML, then set the prose's case names (and ``*case names*``) in italics."""
    from markupsafe import Markup, escape

    html = str(escape(text))
    html = html.replace(ITALIC[0], "<i>").replace(ITALIC[1], "</i>")
    return Markup(re.sub(r"\*([^*<>]+)\*", r"<i>\1</i>", html))


def _md_escape(text) -> str:
    """Escape ``text`` for Markdown (no raw HTML, links or emphasis from data); the prose's italics become ``*``."""
    text = re.sub(r"&(?=#?\w+;)", "&amp;", str(text)).replace("<", "&lt;").replace(">", "&gt;")  # "Harper & Row" stays
    for ch in "\\`*_[]|#":
        text = text.replace(ch, "\\" + ch)
    return text.replace(ITALIC[0], "*").replace(ITALIC[1], "*")


def plain(text) -> str:
    """The prose's italics marks removed (plain text output)."""
    return str(text).replace(ITALIC[0], "").replace(ITALIC[1], "")
