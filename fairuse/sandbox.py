"""Jinja2's sandbox, bounded, for every template fairuse renders: the memo's files, the rules'
``application:`` sentences and ``facts_prose.yaml`` (a firm's folder first, then ours).

The analysis renders the rules' applications and the facts in words through it;
the memo renders its templates through it. Nothing here knows what a memo is.
"""

from __future__ import annotations

import contextvars
import functools
import os
import re
from pathlib import Path

from .errors import FairuseError
from .paths import data_dir


def templates_dir() -> Path:
    return data_dir("templates")


BOUNDS = 2  # the bounds compiled into templates; part of the compiled-template cache's key

MAX_TEMPLATE_NUMBER = 100_000  # the largest number a template may pass to a call, a filter or a repeat
MAX_VALUE = 2_000_000  # characters (or items) in any one value a template makes, as it would be printed
MAX_INT_BITS = 100_000  # the largest whole number a template may make (about 30,000 digits)
MAX_TEMPLATE_BYTES = 2_000_000  # the largest template file read from a folder
#: Work and output per render: (steps, characters out). A step is a loop iteration, a call, a filter,
#: an operator, or a share of the items and characters it reads (see :class:`_Budget`). The memo's files
#: take a few thousand steps; a rule's ``application:`` or a ``facts_prose.yaml`` sentence a few dozen.
LIMITS = {"file": (1_000_000, 20_000_000), "string": (100_000, 200_000)}


class _Budget:
    """What one render may still do: steps and characters of output. Over either: a ``SecurityError``,
    reported as one line (exit 2), never a hang or gigabytes."""

    __slots__ = ("steps", "output", "max_steps", "max_output")

    def __init__(self, kind: str = "string"):
        self.max_steps, self.max_output = LIMITS[kind]
        self.steps = self.output = 0

    def step(self, n: int = 1) -> None:
        self.steps += n
        if self.steps > self.max_steps:
            from jinja2.exceptions import SecurityError

            raise SecurityError(f"the template does too much work (more than {self.max_steps:,} steps: "
                                f"loops, calls and the text they go through)")

    def out(self, n: int) -> None:
        self.output += n
        if self.output > self.max_output:
            from jinja2.exceptions import SecurityError

            raise SecurityError(f"the template writes too much (more than {self.max_output:,} characters)")


_BUDGET: contextvars.ContextVar = contextvars.ContextVar("fairuse_template_budget", default=None)


def _budget() -> _Budget:
    """The budget of the render under way (outside one, as when Jinja2 folds constants while compiling,
    a fresh one for the single operation)."""
    return _BUDGET.get() or _Budget()


def _measure(value, limit: int = MAX_VALUE) -> int:
    """How large ``value`` is as it would be printed (characters, items and the items inside them, a
    shared part counted each time it appears), counted only up to just past ``limit``; the items walked
    are charged to the render's budget. Our own objects (the analysis, say) count as one."""
    from jinja2.utils import Namespace

    size = work = 0
    stack = [value]
    path: set = set()
    while stack:
        item = stack.pop()
        if item is _LEAVE:
            path.discard(stack.pop())
            continue
        work += 1
        if isinstance(item, str):
            size += len(item) + 2
            work += len(item) >> 6
        elif isinstance(item, (bytes, bytearray)):
            size += len(item) + 3
        elif isinstance(item, (list, tuple, set, frozenset, dict, Namespace)):
            if id(item) in path:  # itself inside itself: printed as [...]
                size += 5
                continue
            size += 2
            path.add(id(item))
            stack += (id(item), _LEAVE)
            if isinstance(item, Namespace):
                item = object.__getattribute__(item, "_Namespace__attrs")
            if isinstance(item, dict):
                for key, inner in item.items():
                    stack += (key, inner)
                    if len(stack) > limit:
                        break
            else:
                stack.extend(item if len(item) <= limit else list(item)[:limit + 1])
        elif isinstance(item, bool) or item is None:
            size += 5
        elif isinstance(item, int):
            size += item.bit_length() // 3 + 2
        else:
            size += 1
        if size > limit:
            break
    _budget().step(1 + work // 8)
    return size


_LEAVE = object()  # in _measure's stack: the container below it is done


def _checked(value, what: str = "value"):
    """``value``, if it is no larger than :data:`MAX_VALUE` as printed; else a ``SecurityError``."""
    if _measure(value) > MAX_VALUE:
        from jinja2.exceptions import SecurityError

        raise SecurityError(f"the template makes too large a {what} (more than {MAX_VALUE:,} characters)")
    return value


def _widths(fmt: str) -> int:
    """The widths and precisions a format string asks for, added up ('{:>99999}', '%099999d')."""
    return sum(int(d) for d in re.findall(r"\d+", fmt[:MAX_VALUE]) if len(d) <= 6)


def _estimate(name: str, subject, args: tuple, kwargs: dict) -> int:
    """An upper bound on the size of what the string method or filter ``name`` makes of ``subject``
    (for those that can make far more than they read; 0 for the others)."""
    if not isinstance(subject, str):
        if name == "join" and isinstance(subject, (list, tuple)):  # the join filter: subject is the items
            sep = args[0] if args and isinstance(args[0], str) else kwargs.get("d", "")
            return _measure(subject) + len(str(sep)) * len(subject)
        return 0
    arg = lambda i, key, default=None: args[i] if len(args) > i else kwargs.get(key, default)  # noqa: E731
    if name == "replace":
        old, new, count = arg(0, "old", ""), arg(1, "new", ""), arg(2, "count", -1)
        if not isinstance(old, str) or not isinstance(new, str):
            return 0
        times = len(subject) + 1 if old == "" else subject.count(old)
        if isinstance(count, int) and count >= 0:
            times = min(times, count)
        return len(subject) + times * len(new)
    if name == "join":  # str.join: subject is the separator
        items = arg(0, "iterable", ())
        n = len(items) if hasattr(items, "__len__") else 0
        return len(subject) * n + _measure(items)
    if name == "indent":
        width = arg(0, "width", 4)
        width = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
        return len(subject) + (subject.count("\n") + 1) * width
    if name == "wordwrap":
        width, wrap = arg(0, "width", 79), arg(2, "wrapstring", None)
        wrap = len(wrap) if isinstance(wrap, str) else 1
        return len(subject) + (len(subject) // max(int(width) if isinstance(width, int) else 1, 1)
                               + subject.count("\n") + 1) * wrap
    if name == "expandtabs":
        size = arg(0, "tabsize", 8)
        return len(subject) + subject.count("\t") * (size if isinstance(size, int) else 8)
    if name in ("format", "format_map"):
        values = list(args) + list(kwargs.values())
        if name == "format_map" and args and isinstance(args[0], dict):
            values = list(args[0].values())
        largest = max((_measure(v) for v in values), default=0)
        return len(subject) + _widths(subject) + (subject.count("{") + subject.count("%")) * largest
    if name == "translate":
        table = arg(0, "table", {})
        longest = max((len(v) for v in table.values() if isinstance(v, str)), default=1) if isinstance(table, dict) else 1
        return len(subject) * max(longest, 1)
    if name in ("center", "ljust", "rjust", "zfill"):
        width = arg(0, "width", 0)
        return max(len(subject), width if isinstance(width, int) else 0)
    return 0


def _too_large(size: int, what: str) -> None:
    if size > MAX_VALUE:
        from jinja2.exceptions import SecurityError

        raise SecurityError(f"the template makes too large a {what} (more than {MAX_VALUE:,} characters)")


def _code_generator_class():
    """Jinja2's code generator, with the bounds compiled in: each loop iteration is a step, and every
    value that is printed, joined with ``~``, compared or sliced is measured first (see :class:`_Budget`)."""
    from jinja2 import nodes
    from jinja2.compiler import CodeGenerator, operators

    def step(lineno: int):
        """``True|fairuse_step``: a step of the render's budget, true (so it can stand before a loop's ``if``);
        the filter takes the context, so Jinja2 never folds it away while compiling."""
        return nodes.Filter(nodes.Const(True, lineno=lineno), "fairuse_step", [], [], None, None, lineno=lineno)

    class BoundedCodeGenerator(CodeGenerator):
        def visit_Template(self, node, frame=None) -> None:
            for loop in node.find_all(nodes.For):  # before Jinja2 gathers the filters the template uses
                loop.body = [nodes.ExprStmt(step(loop.lineno), lineno=loop.lineno), *loop.body]
                if loop.test is not None:  # `for x in xs if test`: the items the test drops are steps too
                    loop.test = nodes.And(step(loop.lineno), loop.test, lineno=loop.lineno)
            super().visit_Template(node, frame)

        def _output_const_repr(self, group) -> str:
            return f"environment.fairuse_out({super()._output_const_repr(group)})"

        def _output_child_pre(self, node, frame, finalize) -> None:
            super()._output_child_pre(node, frame, finalize)
            self.write("environment.fairuse_out(")

        def _output_child_post(self, node, frame, finalize) -> None:
            self.write(")")
            super()._output_child_post(node, frame, finalize)

        def visit_Concat(self, node, frame) -> None:  # `a ~ b`: each part and the whole measured
            if frame.eval_ctx.volatile:
                join = "(markup_join if context.eval_ctx.volatile else str_join)"
            else:
                join = "markup_join" if frame.eval_ctx.autoescape else "str_join"
            self.write(f"environment.fairuse_value({join}((")
            for part in node.nodes:
                self.write("environment.fairuse_value(")
                self.visit(part, frame)
                self.write("), ")
            self.write(")))")

        def visit_Compare(self, node, frame) -> None:
            self.write("(environment.fairuse_measured(")
            self.visit(node.expr, frame)
            self.write(")")
            for op in node.ops:
                self.write(f" {operators[op.op]} environment.fairuse_measured(")
                self.visit(op.expr, frame)
                self.write(")")
            self.write(")")

        def visit_Getitem(self, node, frame) -> None:
            if not isinstance(node.arg, nodes.Slice):
                return super().visit_Getitem(node, frame)
            self.write("environment.fairuse_sliced(")
            self.visit(node.node, frame)
            self.write(", slice(")
            for i, part in enumerate((node.arg.start, node.arg.stop, node.arg.step)):
                self.write(", " if i else "")
                if part is None:
                    self.write("None")
                else:
                    self.visit(part, frame)
            self.write("))")

        def _wrap_literal(self, visit, node, frame) -> None:
            if getattr(node, "ctx", "load") != "load":
                return visit(node, frame)
            self.write("environment.fairuse_value(")
            visit(node, frame)
            self.write(")")

        def visit_List(self, node, frame) -> None:
            self._wrap_literal(super().visit_List, node, frame)

        def visit_Tuple(self, node, frame) -> None:
            self._wrap_literal(super().visit_Tuple, node, frame)

        def visit_Dict(self, node, frame) -> None:
            self._wrap_literal(super().visit_Dict, node, frame)

    return BoundedCodeGenerator


@functools.lru_cache(maxsize=1)
def _sandbox_class():
    """Jinja2's sandbox, bounded in what a template may make and in the work it may do.

    The sandbox stops attribute escapes and ``range(10**9)``. Here, besides:

    * no number past :data:`MAX_TEMPLATE_NUMBER` reaches a call, a filter, a repeat
      or a power, and no format width of six digits (``'x' * 10**9``, ``10**10**10``,
      ``'%09999999d'``, ``center(10**9)``);
    * no value a template makes may be larger than :data:`MAX_VALUE` as printed: a
      repeat, a ``+``, a ``~``, a list, a call or a filter that would make one (an
      ``indent`` of a hundred thousand lines, a ``replace`` of every character) is
      refused before it is made;
    * each render has a budget (:data:`LIMITS`) of steps (each loop iteration, call,
      filter and operator, and the items and text each reads) and of output: nested
      ``range(100000)`` loops stop at the budget, not after 10**10 iterations.

    Past any of these, a ``SecurityError``: one line, exit 2.
    """
    from jinja2 import Template
    from jinja2.exceptions import SecurityError
    from jinja2.runtime import Macro
    from jinja2.sandbox import SandboxedEnvironment
    from jinja2.utils import generate_lorem_ipsum

    def too_big(value) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_TEMPLATE_NUMBER

    class BoundedTemplate(Template):
        """A template whose every render, its includes and imports with it, has its own budget (fairuse
        renders only through :meth:`render`)."""

        def render(self, *args, **kwargs):
            token = _BUDGET.set(_Budget("file" if self.name else "string"))
            try:
                return super().render(*args, **kwargs)
            finally:
                _BUDGET.reset(token)


    class BoundedSandbox(SandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**", "%", "+"})
        code_generator_class = _code_generator_class()
        template_class = BoundedTemplate
        MAX_STRINGS = 4096  # compiled string templates (facts_prose.yaml sentences, applications) kept

        # ---- called from the compiled templates (see _code_generator_class)
        @staticmethod
        def fairuse_out(value):
            if isinstance(value, str):
                size = len(value)
                _budget().step(1 + (size >> 6))
            else:
                size = _measure(value)
                _too_large(size, "value to print")
            _budget().out(size)
            return value

        @staticmethod
        def fairuse_value(value):
            return _checked(value)

        @staticmethod
        def fairuse_measured(value):
            _measure(value)
            return value

        @staticmethod
        def fairuse_sliced(value, part: slice):
            _budget().step(1 + (len(value) >> 3 if hasattr(value, "__len__") else 0))
            return value[part]

        # ---- the sandbox's own hooks
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
            _budget().step()
            if operator == "**" and (too_big(right) or (isinstance(right, (int, float)) and right > 64)):
                raise SecurityError("the template raises a number to too high a power")
            if operator == "*":
                for seq, times in ((left, right), (right, left)):
                    if isinstance(seq, (str, list, tuple)) and isinstance(times, int):
                        if too_big(times):
                            raise SecurityError("the template repeats text too many times")
                        _too_large(_measure(seq) * max(times, 0), "repeat")
                if type(left) is int and type(right) is int and left.bit_length() + right.bit_length() > MAX_INT_BITS:
                    raise SecurityError("the template makes too large a number")
            if operator == "%" and isinstance(left, str):
                if re.search(r"\d{6,}", left):
                    raise SecurityError("the template formats with too large a width")
                values = right if isinstance(right, tuple) else (right,)
                largest = max((_measure(v) for v in values), default=0)
                _too_large(len(left) + _widths(left) + left.count("%") * largest, "formatted text")
            if operator == "+" and isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
                _too_large(_measure(left) + _measure(right), "joined value")
            return super().call_binop(context, operator, left, right)

        def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's signature
            budget = _budget()
            budget.step()
            if any(too_big(a) for a in args) or any(too_big(v) for v in kwargs.values()):
                raise SecurityError("the template passes too large a number")
            if isinstance(__obj, Macro):  # a template's own macro: its work is counted as it runs
                return super().call(__context, __obj, *args, **kwargs)
            for value in (*args, *kwargs.values()):
                _checked(value, "argument")
            method = getattr(__obj, "__wrapped__", __obj)  # str.format, as the sandbox wraps it
            owner = getattr(method, "__self__", None)
            name = getattr(method, "__name__", "")
            if name == "join" and isinstance(owner, str) and args and not hasattr(args[0], "__len__"):
                args = (list(args[0]), *args[1:])  # a generator, made a list to be measured
                _checked(args[0], "argument")
            if method is generate_lorem_ipsum:
                n, longest = (list(args) + [5, True, 20, 100])[0], (list(args) + [5, True, 20, 100])[3]
                _too_large(int(kwargs.get("n", n)) * int(kwargs.get("max", longest)) * 12, "text")
            _too_large(_estimate(name, owner, args, kwargs), "text")
            result = super().call(__context, __obj, *args, **kwargs)
            if isinstance(owner, (list, dict)):  # append, extend, update: the list or dict grew
                _checked(owner, "list")
            return _checked(result, "result")

        def wrap_str_format(self, value):  # '{:>999999999}'.format(1)
            wrapped = super().wrap_str_format(value)
            if wrapped is not None and re.search(r"\d{6,}", str(getattr(value, "__self__", ""))):
                def refuse(*args, **kwargs):
                    raise SecurityError("the template formats with too large a width")
                return refuse
            return wrapped

    return BoundedSandbox


def _bounded_filters(env) -> None:
    """Each filter and test: a step, its arguments measured, what it would make estimated first
    (``indent``, ``replace``, ``join``, ``wordwrap``, ``format``) and what it made measured after."""
    from jinja2.exceptions import SecurityError

    def bounded(name, func):
        def wrapper(*args, **kwargs):
            _budget().step()
            for value in (*args, *kwargs.values()):
                if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_TEMPLATE_NUMBER:
                    raise SecurityError("the template passes too large a number to a filter")
            passed = 1 if getattr(func, "jinja_pass_arg", None) else 0  # the context, before the values
            if name == "join" and len(args) > passed and not hasattr(args[passed], "__len__"):
                args = (*args[:passed], list(args[passed]), *args[passed + 1:])  # a generator: measured as a list
            values = args[passed:]
            for value in (*values, *kwargs.values()):
                _checked(value, "argument")
            if values:
                _too_large(_estimate(name, values[0], tuple(values[1:]), kwargs), "text")
                start = kwargs.get("start", values[2] if len(values) > 2 else 0)
                if name == "sum" and not isinstance(start, (int, float)) and hasattr(values[0], "__len__"):
                    _budget().step(_measure(values[0]) * len(values[0]) // 8)  # lists added up: quadratic
            return _checked(func(*args, **kwargs), "result")
        for attr in ("jinja_pass_arg",):
            if hasattr(func, attr):
                setattr(wrapper, attr, getattr(func, attr))
        return wrapper

    for table in (env.filters, env.tests):
        for name, func in list(table.items()):
            table[name] = bounded(name, func)


def _folder_loader(root: str):
    """A Jinja2 loader of the templates in ``root`` (a firm's ``--template`` folder, or ours), never of a
    file outside it (see :func:`read_inside`)."""
    from jinja2 import BaseLoader, TemplateNotFound
    from jinja2.loaders import split_template_path

    class FolderLoader(BaseLoader):
        def get_source(self, environment, template):
            filename = os.path.join(root, *split_template_path(template))
            if not os.path.lexists(filename):
                raise TemplateNotFound(template)
            text, mtime = read_inside(root, filename, MAX_TEMPLATE_BYTES)

            def uptodate() -> bool:
                try:
                    return os.stat(filename).st_mtime_ns == mtime
                except OSError:
                    return False
            return text, os.path.normpath(filename), uptodate

    return FolderLoader()


def read_inside(root: str | Path, filename: str | Path, limit: int) -> tuple[str, int]:
    """The text of ``filename`` (UTF-8) and its mtime, read only if it lies inside ``root`` once every
    symbolic link is resolved, is a regular file and holds at most ``limit`` bytes; else a one-line
    :class:`~fairuse.errors.FairuseError` naming it. Opened without following a link and without
    blocking, so a FIFO planted in the folder cannot stall the run."""
    import stat as stat_module

    root_real = os.path.realpath(root)
    real = os.path.realpath(filename)
    if os.path.commonpath([root_real, real]) != root_real:
        raise FairuseError(f"{filename}: a link to a file outside {root}; templates are read only from inside "
                           f"their folder")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(real, flags)
    except OSError as exc:
        raise FairuseError(f"{filename}: cannot read: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat_module.S_ISREG(info.st_mode):
            raise FairuseError(f"{filename}: not a regular file; refused")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise FairuseError(f"{filename}: larger than {limit:,} bytes; refused")
    try:
        return data.decode("utf-8"), info.st_mtime_ns
    except UnicodeDecodeError:
        raise FairuseError(f"{filename}: not UTF-8 text") from None


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
    from jinja2 import ChoiceLoader

    loaders = []
    if template_dir is not None:
        loaders.append(_folder_loader(template_dir))
    loaders.append(_folder_loader(str(templates_dir())))
    env = _sandbox_class()(loader=ChoiceLoader(loaders),
                           autoescape=lambda name: name is None or fmt != "md",  # strings: facts_prose sentences
                           trim_blocks=True, lstrip_blocks=True)
    from .codecache import bytecode_cache

    env.bytecode_cache = bytecode_cache(f"{fmt}|{env.__class__.__name__}|{sorted(env.intercepted_binops)}|{BOUNDS}")
    env.filters["md"] = _md_escape
    env.filters["words"] = lambda v: str(v).replace("_", " ")
    env.filters["capitalize_first"] = lambda v: str(v)[:1].upper() + str(v)[1:]
    env.filters["emphasis"] = _html_emphasis
    env.filters["md_emphasis"] = _html_emphasis  # the name firms' templates know
    _bounded_filters(env)
    env.filters["fairuse_step"] = _step_filter()  # each loop iteration (see _code_generator_class)
    return env


def template_line(exc: BaseException) -> str | None:
    """``file:line`` in the template where ``exc`` was raised (its innermost template frame: Jinja2 rewrites
    a render's traceback so that each template frame names the template's file and line), or None."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        if "__jinja_exception__" in tb.tb_frame.f_globals:
            found = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return found


def _step_filter():
    from jinja2 import pass_context

    @pass_context
    def step(context, value=True):
        _budget().step()
        return value
    return step


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
