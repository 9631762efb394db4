"""The bounded Jinja sandbox framing templates render in (DESIGN §5).

Jinja's immutable sandbox keeps a template away from Python internals; this module also
bounds what a render may *cost*. A framing may be written by a model or an edit operator
(``framing propose``), so it is untrusted text: two nested ``range(100000)`` loops,
``'x' * 10**9`` or a string doubled in a loop must fail with a reason, not hang a search
or exhaust memory. The limits hold for every template, hand-written or proposed.

They are enforced cooperatively, wherever a template can do unbounded work:

- every ``{% for %}`` iterates through a wrapper that counts iterations
  (:data:`MAX_LOOP_ITERATIONS`) and checks the clock;
- calls, attribute look-ups, filters and printed expressions check the clock;
- what can multiply a size (``*``, ``**``, ``+``, ``%``, ``~``, ``str.format``,
  ``replace``, ``join``, ``indent``, ``center``, ``wordwrap`` ...) estimates its result
  *before* computing it and refuses one above :data:`MAX_RENDERED_CHARS`;
- everything a render prints is counted against :data:`MAX_RENDERED_CHARS`, including
  text captured by ``{% set %}`` blocks and literal text inside loops and macros, and
  every string or list it builds against :data:`MAX_BUILT`.

Between two checks a template can only do a bounded amount of work (one operation on
values the other limits already bound), so the clock is read often enough without
signals or watchdog threads (neither can stop a render that
runs in a worker thread). Breaking a limit raises :class:`RenderLimitError`, which
:mod:`framing.templates` turns into a ``TemplateError`` naming file and line.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Any

from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import pass_eval_context
from jinja2.visitor import NodeTransformer

#: Seconds one render may take. A framing renders in well under a millisecond; two
#: seconds is far beyond any honest template, and short enough that a runaway one fails
#: lint at once instead of stalling a search.
MAX_RENDER_SECONDS = 2.0
#: Seconds ``framing templates lint`` may spend on one template over its whole parameter
#: grid (up to 512 renders): each render is also held to :data:`MAX_RENDER_SECONDS`, but
#: a template just under it on every combination would otherwise take many minutes.
MAX_LINT_SECONDS = 10.0
#: Characters one render may print (system and user blocks, and everything captured on
#: the way), and the longest string it may build. A million characters is several times
#: any model's context window: a framing that needs more is broken, and refusing it
#: keeps memory bounded.
MAX_RENDERED_CHARS = 1_000_000
#: Loop iterations one render may run, over all its loops. A framing loops over a few
#: examples or sentences; a hundred thousand iterations only happen by mistake.
MAX_LOOP_ITERATIONS = 100_000
#: Items one ``range()`` may have (Jinja's own sandbox allows the same).
MAX_RANGE = 100_000
#: Bits an integer computed by ``*`` or ``**`` may have (about 1,200 decimal digits):
#: big-number arithmetic is the one computation that grows without printing anything.
MAX_INT_BITS = 4_096
#: Characters and list items one render may build in all, printed or not (every string
#: or list a filter, call or operator returns counts, even if it is thrown away). Time
#: alone does not bound memory: a loop that builds a million-item list per iteration
#: fills gigabytes within the time limit.
MAX_BUILT = 10 * MAX_RENDERED_CHARS


#: the clock the deadlines are read from (a test may replace it with one it controls)
_clock = time.monotonic


def now() -> float:
    """The time deadlines are measured in (:func:`time.monotonic` seconds)."""
    return _clock()


class RenderLimitError(Exception):
    """A render went over one of the limits above; the message says which."""


@dataclass(slots=True)
class _Budget:
    """What one render may still spend. Lives in a context variable for the render."""

    deadline: float
    late: str  # why the deadline matters ("" for the render's own limit)
    iterations: int = 0
    chars: int = 0
    built: int = 0


_BUDGET: ContextVar[_Budget | None] = ContextVar("framing_render_budget", default=None)


def start_budget(deadline: float | None = None, late: str = "") -> Token[_Budget | None]:
    """Start the limits for the renders that follow, until :func:`end_budget` (with the
    token this returns). :func:`render_limits` does both around a ``with`` block; the
    render path calls these two directly, where a context manager's cost would show.

    ``deadline`` (a :func:`now` value) ends the budget earlier than
    :data:`MAX_RENDER_SECONDS` from now, with ``late`` as the reason.
    """
    end = _clock() + MAX_RENDER_SECONDS
    if deadline is not None and deadline < end:
        return _BUDGET.set(_Budget(deadline=deadline, late=late))
    return _BUDGET.set(_Budget(deadline=end, late=""))


def end_budget(token: Token[_Budget | None]) -> None:
    _BUDGET.reset(token)


@contextmanager
def render_limits(deadline: float | None = None, late: str = "") -> Iterator[None]:
    """Run the renders inside under one budget (see :func:`start_budget`)."""
    token = start_budget(deadline, late)
    try:
        yield
    finally:
        end_budget(token)


def _late() -> str:
    return f"rendering took more than {MAX_RENDER_SECONDS:g} s"


def _budget() -> _Budget:
    budget = _BUDGET.get()
    if budget is None:
        # Jinja folds constant expressions at compile time; failing here makes it leave
        # them for the render, where they are bounded like everything else.
        raise RenderLimitError("a template can only be evaluated under a render budget")
    return budget


def _tick() -> _Budget:
    budget = _budget()
    if _clock() > budget.deadline:
        raise RenderLimitError(budget.late or _late())
    return budget


def _check_size(size: int, what: str) -> None:
    if size > MAX_RENDERED_CHARS:
        raise RenderLimitError(
            f"{what} would make {size:,} characters, more than the {MAX_RENDERED_CHARS:,} "
            "a render may produce")


def _length(value: Any) -> int:
    return len(value) if isinstance(value, str | list | tuple | dict) else 0


def _check_built(budget: _Budget, result: Any, what: str) -> None:
    """Count what ``what`` returned against the render's budget: a string may not be
    longer than MAX_RENDERED_CHARS, and all of them together not more than MAX_BUILT."""
    size = _length(result)
    if isinstance(result, str):
        _check_size(size, what)
    budget.built += size
    if budget.built > MAX_BUILT:
        raise RenderLimitError(f"built more than {MAX_BUILT:,} characters and list items "
                               "in all (strings and lists made on the way, printed or not)")


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _check_int_bits(bits: int, what: str) -> None:
    if bits > MAX_INT_BITS:
        raise RenderLimitError(
            f"{what} would make a number of about {bits:,} bits, more than the "
            f"{MAX_INT_BITS:,} a render may compute")


def _check_repeat(left: Any, right: Any) -> None:
    if isinstance(left, int) and isinstance(right, int):
        _check_int_bits(abs(left).bit_length() + abs(right).bit_length(), "'*'")
        return
    for seq, times in ((left, right), (right, left)):
        if isinstance(seq, str | list | tuple) and isinstance(times, int):
            _check_size(len(seq) * max(times, 0), "'*'")


def _check_power(base: Any, exponent: Any) -> None:
    if isinstance(base, int) and isinstance(exponent, int) and abs(base) > 1 and exponent > 0:
        _check_int_bits(abs(base).bit_length() * exponent, "'**'")


_DIGITS = re.compile(r"\d+")


def _check_format(fmt: str, args: Iterable[Any], kwargs: Mapping[str, Any], what: str) -> None:
    """Bound ``fmt % args``, ``fmt.format(...)`` and ``fmt|format(...)``.

    Each field (``%`` or ``{``) prints one argument, or any argument as often as it is
    named when fields are numbered or named (``{0}{0}``, ``%(a)s%(a)s``), padded to at
    most the widest width: a number written in ``fmt`` or, when the width itself is an
    argument (``%*s``, ``{:{}}``), any integer argument.
    """
    values = [*args, *kwargs.values()]
    if len(values) == 1 and isinstance(values[0], tuple | dict):  # "..." % (a, b)
        values = list(values[0].values() if isinstance(values[0], dict) else values[0])
    widest = max((int(d[:12]) for d in _DIGITS.findall(fmt)), default=0)
    if "*" in fmt or re.search(r"\{[^{}]*\{", fmt):
        widest = max([widest, *(abs(_int(v)) for v in values)])
    sizes = [len(v) if isinstance(v, str) else len(repr(v)) for v in values]
    fields = fmt.count("%") + fmt.count("{")
    repeats = re.search(r"%\(|\{[\w.\[]", fmt) is not None
    printed = fields * max(sizes, default=0) if repeats else sum(sizes)
    _check_size(len(fmt) + printed + fields * widest, what)


def _check_replace(s: Any, old: Any, new: Any, what: str) -> None:
    if not (isinstance(s, str) and isinstance(old, str) and isinstance(new, str)):
        return
    matches = len(s) + 1 if not old else s.count(old)
    _check_size(len(s) + matches * max(len(new) - len(old), 0), what)


def _check_pad(s: Any, width: Any, what: str) -> None:
    _check_size(max(_length(s), _int(width)), what)


def _check_join(sep: Any, items: list[Any], what: str) -> None:
    size = max(len(items) - 1, 0) * _length(sep)
    for item in items:  # stops at the first item over the limit: the check stays cheap
        _check_size(size, what)
        size += len(item) if isinstance(item, str) else len(str(item))
    _check_size(size, what)


def _check_str_method(owner: str, name: str, args: tuple[Any, ...],
                      kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Estimate a ``str`` method's result before it runs; returns the (maybe
    materialised) arguments to call it with."""
    what = f"str.{name}()"
    if name in ("format", "format_map"):
        _check_format(owner, args, kwargs, what)
    elif name == "replace" and len(args) >= 2:
        _check_replace(owner, args[0], args[1], what)
    elif name in ("center", "ljust", "rjust", "zfill") and args:
        _check_pad(owner, args[0], what)
    elif name == "expandtabs":
        tabsize = args[0] if args else kwargs.get("tabsize", 8)
        _check_size(len(owner) + owner.count("\t") * max(_int(tabsize), 0), what)
    elif name == "join" and args:
        items = list(args[0])
        _check_join(owner, items, what)
        args = (items, *args[1:])
    elif name == "translate" and args and isinstance(args[0], Mapping):
        longest = max((_length(v) for v in args[0].values()), default=0)
        _check_size(len(owner) * max(longest, 1), what)
    return args


def _arg(args: list[Any], kwargs: dict[str, Any], index: int, name: str,
         default: Any = None) -> Any:
    return args[index] if len(args) > index else kwargs.get(name, default)


def _filter_indent(args: list[Any], kwargs: dict[str, Any]) -> None:
    s, width = _arg(args, kwargs, 0, "s", ""), _arg(args, kwargs, 1, "width", 4)
    step = _length(width) if isinstance(width, str) else _int(width)
    if isinstance(s, str):
        _check_size(len(s) + (s.count("\n") + 1) * step, "indent")


def _filter_replace(args: list[Any], kwargs: dict[str, Any]) -> None:
    _check_replace(_arg(args, kwargs, 0, "s"), _arg(args, kwargs, 1, "old"),
                   _arg(args, kwargs, 2, "new"), "replace")


def _filter_format(args: list[Any], kwargs: dict[str, Any]) -> None:
    if args and isinstance(args[0], str):
        _check_format(args[0], args[1:], kwargs, "format")


def _filter_center(args: list[Any], kwargs: dict[str, Any]) -> None:
    _check_pad(_arg(args, kwargs, 0, "value"), _arg(args, kwargs, 1, "width", 80), "center")


def _filter_join(args: list[Any], kwargs: dict[str, Any]) -> None:
    if not args:
        return
    # joined by attribute, an item's text is part of the item's own str(): a bound too
    args[0] = list(args[0])
    _check_join(_arg(args, kwargs, 1, "d", ""), args[0], "join")


def _filter_wordwrap(args: list[Any], kwargs: dict[str, Any]) -> None:
    s = _arg(args, kwargs, 0, "s", "")
    wrap = _arg(args, kwargs, 3, "wrapstring") or "\n"
    _check_size(_length(s) + (_length(s) + 1) * _length(wrap), "wordwrap")


def _check_parts(count: Any, what: str) -> None:
    if _int(count) > MAX_RANGE:
        raise RenderLimitError(f"{what} into {_int(count):,} parts: more than {MAX_RANGE:,}")


def _filter_batch(args: list[Any], kwargs: dict[str, Any]) -> None:
    _check_parts(_arg(args, kwargs, 1, "linecount"), "batch")


def _filter_slice(args: list[Any], kwargs: dict[str, Any]) -> None:
    _check_parts(_arg(args, kwargs, 1, "slices"), "slice")


def _filter_sum(args: list[Any], kwargs: dict[str, Any]) -> None:
    start = _arg(args, kwargs, 2, "start", 0)
    if not isinstance(start, int | float):
        raise RenderLimitError("sum() of strings or lists is not allowed (it takes "
                               "quadratic time); use join")


#: filters that can multiply a size, with the check that bounds them (arguments as the
#: filter receives them, without Jinja's context argument)
_FILTER_CHECKS: dict[str, Callable[[list[Any], dict[str, Any]], None]] = {
    "indent": _filter_indent,
    "replace": _filter_replace,
    "format": _filter_format,
    "center": _filter_center,
    "join": _filter_join,
    "wordwrap": _filter_wordwrap,
    "batch": _filter_batch,
    "slice": _filter_slice,
    "sum": _filter_sum,
}


def _bounded_filter(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    check = _FILTER_CHECKS.get(name)
    skip = 1 if hasattr(fn, "jinja_pass_arg") else 0  # the context Jinja passes first

    @functools.wraps(fn)  # keeps jinja_pass_arg, so Jinja passes the same arguments
    def bounded(*args: Any, **kwargs: Any) -> Any:
        budget = _tick()
        if check is not None:
            rest = list(args[skip:])
            check(rest, kwargs)
            args = (*args[:skip], *rest)
        result = fn(*args, **kwargs)
        _check_built(budget, result, name)
        return result

    return bounded


def _bounded_range(*args: int) -> range:
    try:
        rng = range(*args)
        size = len(rng)
    except OverflowError:
        size = MAX_RANGE + 1
    if size > MAX_RANGE:
        raise RenderLimitError(f"range() with more than {MAX_RANGE:,} items")
    return rng


def _bounded_iter(iterable: Iterable[Any]) -> Iterator[Any]:
    """What every ``{% for %}`` iterates over."""
    return _counted(iterable, _budget())  # _budget() now: never folded at compile time


def _counted(iterable: Iterable[Any], budget: _Budget) -> Iterator[Any]:
    for item in iterable:
        budget.iterations += 1
        if budget.iterations > MAX_LOOP_ITERATIONS:
            raise RenderLimitError(f"loops ran more than {MAX_LOOP_ITERATIONS:,} iterations")
        if _clock() > budget.deadline:
            raise RenderLimitError(budget.late or _late())
        yield item


def _bounded_concat(parts: tuple[Any, ...]) -> str:
    """``a ~ b ~ c``: Jinja's string concatenation, bounded."""
    budget = _tick()
    strings = [p if isinstance(p, str) else str(p) for p in parts]
    _check_size(sum(len(s) for s in strings), "'~'")
    result = "".join(strings)
    _check_built(budget, result, "'~'")
    return result


#: names under which the rewritten tree calls the two helpers above: as filters, which
#: compile to a direct call (a call through the sandbox costs microseconds per loop)
_LOOP_FILTER = "_framing_loop"
_CONCAT_FILTER = "_framing_concat"


@pass_eval_context
def _finalize(eval_ctx: Any, value: Any) -> Any:
    """Every printed expression: counts its characters against the render's budget."""
    budget = _tick()
    budget.chars += len(value) if isinstance(value, str) else len(str(value))
    if budget.chars > MAX_RENDERED_CHARS:
        raise RenderLimitError(f"rendered more than {MAX_RENDERED_CHARS:,} characters")
    return value


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    """The immutable sandbox with the render limits of this module.

    Compile templates with :meth:`bounded_parse` (not ``parse``) so that loops and ``~``
    go through the bounded helpers, and render only under a budget (:func:`render_limits`
    or :func:`start_budget`). The helpers are registered as filters; a template calling
    them itself gains nothing.
    """

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(finalize=_finalize, **options)
        self.filters = {name: _bounded_filter(name, fn) for name, fn in self.filters.items()}
        self.filters[_LOOP_FILTER] = _bounded_iter
        self.filters[_CONCAT_FILTER] = _bounded_concat
        self.globals["range"] = _bounded_range
        self.globals.pop("lipsum", None)  # filler text: no use in a framing, unbounded cost

    def bounded_parse(self, source: str, name: str, filename: str) -> nodes.Template:
        """Parse and rewrite the tree so that loops, ``~`` and literal text repeated by
        loops or macros are counted."""
        tree = self.parse(source, name=name, filename=filename)
        bounded: nodes.Template = _Bound().visit(tree)
        bounded.set_environment(self)
        return bounded

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        budget = _tick()
        if operator == "*":
            _check_repeat(left, right)
        elif operator == "**":
            _check_power(left, right)
        elif operator == "+" and isinstance(left, str | list | tuple):
            _check_size(_length(left) + _length(right), "'+'")
        elif operator == "%" and isinstance(left, str):
            _check_format(left, (right,), {}, "'%'")
        result = super().call_binop(context, operator, left, right)
        _check_built(budget, result, f"'{operator}'")
        return result

    def getattr(self, obj: Any, attribute: str) -> Any:
        _tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _tick()
        return super().getitem(obj, argument)

    def call(self, context: Any, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        budget = _tick()
        method = getattr(obj, "__wrapped__", obj)  # the sandbox wraps str.format
        owner = getattr(method, "__self__", None)
        if isinstance(owner, str):
            args = _check_str_method(owner, getattr(method, "__name__", ""), args, kwargs)
        result = super().call(context, obj, *args, **kwargs)
        _check_built(budget, result, "a call")
        return result


def _filtered(value: nodes.Node, name: str, lineno: int) -> nodes.Filter:
    return nodes.Filter(value, name, [], [], None, None, lineno=lineno)


class _Bound(NodeTransformer):
    """Routes loops and ``~`` through the bounded helpers, and turns
    literal text that can repeat (inside loops, macros and call blocks) into constants,
    so that it is printed through ``finalize`` and counted."""

    def __init__(self) -> None:
        self.repeated = 0

    def _repeating(self, node: nodes.Node) -> nodes.Node:
        self.repeated += 1
        try:
            return self.generic_visit(node)
        finally:
            self.repeated -= 1

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self._repeating(node)
        node.iter = _filtered(node.iter, _LOOP_FILTER, node.lineno)
        return node

    def visit_Macro(self, node: nodes.Macro) -> nodes.Node:
        return self._repeating(node)

    def visit_CallBlock(self, node: nodes.CallBlock) -> nodes.Node:
        return self._repeating(node)

    def visit_Output(self, node: nodes.Output) -> nodes.Node:
        self.generic_visit(node)
        if self.repeated:
            node.nodes = [nodes.Const(child.data, lineno=child.lineno)
                          if isinstance(child, nodes.TemplateData) else child
                          for child in node.nodes]
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        parts = nodes.Tuple(list(node.nodes), "load", lineno=node.lineno)
        return _filtered(parts, _CONCAT_FILTER, node.lineno)
