"""Framing templates (DESIGN §5): TOML front matter, sandboxed rendering, lint.

A framing is a Jinja file whose leading comment ``{#--- ... ---#}`` holds TOML that
declares its parameters. Rendering happens in an immutable sandbox with strict
undefined names and bounded time and size (:mod:`framing.sandbox`), and a template only
ever sees ``sample.text``, ``sample.id``, ``sample.image`` (whether an image is attached)
and its own parameters: never the grades or the category, which would leak the answer.
"""

from __future__ import annotations

import glob
import hashlib
import itertools
import math
import re
import tomllib
import traceback
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
from jinja2.debug import rewrite_traceback_stack
from jinja2.sandbox import SecurityError
from jinja2.utils import missing

from framing.errors import TemplateError
from framing.sandbox import (
    MAX_LINT_SECONDS,
    BoundedEnvironment,
    RenderLimitError,
    end_budget,
    now,
    render_limits,
    start_budget,
)

ParamValue = str | int | float | bool
_FRONT_MATTER = re.compile(r"\A\s*\{#---[ \t]*\n(?P<toml>.*?)\n---#\}", re.DOTALL)
_PARAM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_KINDS = ("choices", "int", "float", "bool")
_RESERVED = frozenset({"sample", "params"})
#: how many points a float parameter contributes to a grid
GRID_FLOAT_POINTS = 5


@dataclass(frozen=True, slots=True)
class Param:
    """One declared parameter: exactly one of the four kinds."""

    name: str
    kind: str  # choices | int | float | bool
    choices: tuple[ParamValue, ...] = ()
    low: float = 0.0
    high: float = 0.0
    log: bool = False
    description: str = ""

    def default(self) -> ParamValue:
        if self.kind == "choices":
            return self.choices[0]
        if self.kind == "int":
            return int(self.low)
        if self.kind == "float":
            return self.low
        return False

    def grid(self) -> tuple[ParamValue, ...]:
        """Every value of a discrete parameter; a few spread points of a float one."""
        if self.kind == "choices":
            return self.choices
        if self.kind == "bool":
            return (False, True)
        if self.kind == "int":
            return tuple(range(int(self.low), int(self.high) + 1))
        n = GRID_FLOAT_POINTS
        if self.log:
            lo, hi = math.log(self.low), math.log(self.high)
            return tuple(round(math.exp(lo + (hi - lo) * i / (n - 1)), 6) for i in range(n))
        return tuple(round(self.low + (self.high - self.low) * i / (n - 1), 6) for i in range(n))

    def check(self, value: Any) -> ParamValue:
        """Validate (and coerce) a value given for this parameter."""
        if self.kind == "choices":
            for choice in self.choices:
                if value == choice and type(value) is type(choice):
                    return choice
            for choice in self.choices:  # "-p stance=strict" arrives as str
                if str(value).lower() == str(choice).lower():
                    return choice
            raise ValueError(f"must be one of {list(self.choices)!r}")
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            if str(value).lower() in ("true", "false"):
                return str(value).lower() == "true"
            raise ValueError("must be true or false")
        try:
            number = int(value) if self.kind == "int" else float(value)
        except (TypeError, ValueError):
            raise ValueError(f"must be a{'n int' if self.kind == 'int' else ' float'}") from None
        if isinstance(value, float) and self.kind == "int" and not value.is_integer():
            raise ValueError("must be an int")
        if not self.low <= number <= self.high:
            raise ValueError(f"must be within [{self.low:g}, {self.high:g}]")
        return number


@dataclass(frozen=True, slots=True)
class SampleView:
    """What a template may know about a sample."""

    id: str
    text: str
    image: bool


@dataclass(frozen=True, slots=True)
class Messages:
    """A rendered framing for one sample: the system message and the user turn's text."""

    system: str
    user: str


@dataclass(frozen=True)
class Template:
    """A parsed framing template. ``name`` is its path as given (used in output)."""

    name: str
    path: Path
    source: str
    description: str
    params: tuple[Param, ...]
    #: line of the template body's first line in the file (after the front matter)
    body_offset: int = 0
    _compiled: Any = field(default=None, repr=False, compare=False)
    #: a proposed framing's ``[proposed]`` front matter table: its parent, proposer,
    #: round and the failures it was shown (:mod:`framing.propose`); empty otherwise
    provenance: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def stem(self) -> str:
        return self.path.stem

    @cached_property
    def version(self) -> str:
        """The template's content version (:func:`source_version` of its source)."""
        return source_version(self.source)

    @property
    def versioned_name(self) -> str:
        """``name@version``: what this exact text is called where versions coexist."""
        return f"{self.name}@{self.version}"

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def defaults(self) -> dict[str, ParamValue]:
        return {p.name: p.default() for p in self.params}

    def resolve_params(self, given: Mapping[str, Any]) -> dict[str, ParamValue]:
        """Defaults overlaid with ``given``, each value checked against its declaration."""
        unknown = sorted(set(given) - {p.name for p in self.params})
        if unknown:
            known = ", ".join(p.name for p in self.params) or "none"
            raise TemplateError(
                f"unknown parameter {unknown[0]!r} (declared: {known})", path=self.name
            )
        values = self.defaults()
        for name, value in given.items():
            try:
                values[name] = self.param(name).check(value)
            except ValueError as e:
                raise TemplateError(f"parameter {name!r}: {e}", path=self.name) from None
        return values

    def grid(self) -> Iterator[dict[str, ParamValue]]:
        """Every parameter combination (floats on a few points)."""
        names = [p.name for p in self.params]
        for combo in itertools.product(*(p.grid() for p in self.params)):
            yield dict(zip(names, combo, strict=True))

    @cached_property
    def size(self) -> int:
        return math.prod(len(p.grid()) for p in self.params)

    def visible_names(self) -> str:
        """What this template can use, for messages about a name it cannot."""
        return _visible_names(self.params)

    def render(self, sample: SampleView, params: Mapping[str, Any]) -> Messages:
        """Render the ``system`` and ``user`` blocks; ``user`` defaults to the sample text.

        Bounded in time and size (:mod:`framing.sandbox`); any failure is a
        :class:`TemplateError` naming the file and, when known, the line.
        """
        token = start_budget()
        try:
            return self._render(sample, params)
        finally:
            end_budget(token)

    def _render(self, sample: SampleView, params: Mapping[str, Any]) -> Messages:
        tmpl = self._compiled
        context = tmpl.new_context({"sample": sample, **params})
        try:
            system = _block(tmpl, "system", context)
            user = _block(tmpl, "user", context) if "user" in tmpl.blocks else sample.text
        except Exception as e:
            raise TemplateError(
                _describe_render_error(e, self), path=self.name, line=_line_of(e, self)
            ) from None
        return Messages(system=system.strip(), user=user.strip())


#: hex digits of a template version (a SHA-256 prefix: collisions are not a concern at
#: the scale of a study's templates)
VERSION_DIGITS = 12


def source_version(source: str) -> str:
    """A template's content version: a hash of its body (everything after the front
    matter), which alone decides what it renders for given parameter values.

    Editing the text makes a new version; adding a parameter choice or rewording the
    description in the front matter does not, so the framings already evaluated stay in
    the (larger) space.
    """
    match = _FRONT_MATTER.match(source)
    body = source[match.end():] if match is not None else source
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:VERSION_DIGITS]


def _visible_names(params: Sequence[Param]) -> str:
    names = ", ".join(p.name for p in params)
    return ("a template sees sample.text, sample.id, sample.image and "
            + (f"its parameters: {names}" if names else "no parameters"))


def _block(tmpl: jinja2.Template, name: str, context: Any) -> str:
    if name not in tmpl.blocks:
        return ""
    return "".join(tmpl.blocks[name](context))


class _Undefined(jinja2.StrictUndefined):
    """Strict undefined whose message names the expression as the template wrote it
    (``'sample.txt'``), not the Python object behind it."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        if self._undefined_hint is not None:
            return self._undefined_hint
        name = self._undefined_name
        key = f".{name}" if isinstance(name, str) else f"[{name!r}]"
        owner = self._undefined_obj
        if owner is missing:
            return f"undefined name {name!r}"
        if isinstance(owner, SampleView):
            return f"undefined name 'sample{key}'"
        shown = repr(owner) if len(repr(owner)) <= 40 else repr(owner)[:37] + "..."
        return f"undefined name {key.lstrip('.')!r} on the {type(owner).__name__} {shown}"


def _environment() -> BoundedEnvironment:
    return BoundedEnvironment(
        undefined=_Undefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


_ENV = _environment()


def load_template(path: str | Path, *, root: Path | None = None) -> Template:
    """Parse a template file: front matter, Jinja syntax and declared names.

    Raises :class:`TemplateError` naming the file and line.
    """
    name = str(path)
    full = (root / path) if root is not None and not Path(path).is_absolute() else Path(path)
    try:
        source = full.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TemplateError("no such template file", path=name) from None
    except (OSError, UnicodeDecodeError) as e:
        raise TemplateError(f"cannot read: {e}", path=name) from None
    return parse_template(source, name=name, path=full)


def parse_template(source: str, *, name: str, path: Path | None = None) -> Template:
    """Parse template ``source``; ``name`` is what messages and output call it."""
    description, params, body_offset, provenance = _front_matter(source, name)
    try:
        ast = _ENV.bounded_parse(source, name=name, filename=name)
        code = _ENV.compile(ast, name=name, filename=name)
        compiled = _ENV.template_class.from_code(_ENV, code, _ENV.make_globals(None))
    except jinja2.TemplateSyntaxError as e:
        raise TemplateError(f"syntax error: {e.message}", path=name, line=e.lineno) from None
    declared = {p.name for p in params}
    undeclared = sorted(jinja2.meta.find_undeclared_variables(ast) - declared - {"sample"})
    if undeclared:
        line = _first_line_using(source, undeclared[0])
        if re.search(r"\{%-?\s*set\s+" + re.escape(undeclared[0]) + r"\b", source):
            raise TemplateError(
                f"{undeclared[0]!r} is set outside the block that uses it: move the "
                "{% set %} inside {% block system %} (only blocks are rendered)",
                path=name, line=line,
            )
        if undeclared[0] == "params":
            names = ", ".join(p.name for p in params) or "none declared"
            fix = (f"parameters are plain names, not fields of 'params': write {{{{ "
                   f"{params[0].name} }}}} rather than {{{{ params.{params[0].name} }}}}"
                   if params else "declare one as [params.NAME] in the front matter")
            raise TemplateError(f"undefined name 'params' (the parameters: {names}); {fix}",
                                path=name, line=line)
        raise TemplateError(
            f"undefined name {undeclared[0]!r}; {_visible_names(params)}; to add it, "
            f"declare [params.{undeclared[0]}] in the front matter",
            path=name,
            line=line,
        )
    unknown_blocks = sorted(set(compiled.blocks) - {"system", "user"})
    if unknown_blocks:
        raise TemplateError(
            f"unknown block {unknown_blocks[0]!r}: a framing has only 'system' and 'user' blocks",
            path=name,
            line=_first_line_mentioning(source, f"block {unknown_blocks[0]}"),
        )
    if "system" not in compiled.blocks:
        raise TemplateError("no {% block system %}: a framing must define its system message",
                            path=name)
    return Template(
        name=name,
        path=path or Path(name),
        source=source,
        description=description,
        params=params,
        body_offset=body_offset,
        _compiled=compiled,
        provenance=provenance,
    )


def _front_matter(source: str, name: str
                  ) -> tuple[str, tuple[Param, ...], int, dict[str, Any]]:
    match = _FRONT_MATTER.match(source)
    if match is None:
        if source.lstrip().startswith("{#---"):
            raise TemplateError("front matter opened with '{#---' but never closed with '---#}'",
                                path=name, line=1)
        return "", (), 0, {}
    toml_start_line = source[: match.start("toml")].count("\n") + 1
    try:
        meta = tomllib.loads(match.group("toml"))
    except tomllib.TOMLDecodeError as e:
        line = _toml_error_line(str(e))
        raise TemplateError(
            f"front matter is not valid TOML: {_strip_toml_location(str(e))}",
            path=name,
            line=toml_start_line + line - 1 if line else toml_start_line,
        ) from None
    unknown = sorted(set(meta) - {"description", "params", "proposed"})
    if unknown:
        raise TemplateError(
            f"front matter: unknown key {unknown[0]!r} (allowed: description, params, "
            "proposed)",
            path=name, line=toml_start_line,
        )
    provenance = meta.get("proposed", {})
    if not isinstance(provenance, dict):
        raise TemplateError("front matter: proposed must be a table ([proposed])", path=name,
                            line=_first_line_mentioning(source, "proposed") or toml_start_line)
    description = meta.get("description", "")
    if not isinstance(description, str):
        raise TemplateError("front matter: description must be a string", path=name,
                            line=toml_start_line)
    raw_params = meta.get("params", {})
    if not isinstance(raw_params, dict):
        raise TemplateError("front matter: params must be a table", path=name,
                            line=toml_start_line)
    params = []
    for pname, decl in raw_params.items():
        line = _first_line_mentioning(source, f"params.{pname}") or toml_start_line
        try:
            params.append(_param(pname, decl))
        except ValueError as e:
            raise TemplateError(f"parameter {pname!r}: {e}", path=name, line=line) from None
    body_offset = source[: match.end()].count("\n")
    return description, tuple(params), body_offset, provenance


def _param(name: str, decl: Any) -> Param:
    if not _PARAM_NAME.match(name) or name in _RESERVED:
        raise ValueError("name must be an identifier other than 'sample' or 'params'")
    if not isinstance(decl, dict):
        raise ValueError("must be a table such as [params.x] with choices/int/float/bool")
    kinds = [k for k in _KINDS if k in decl]
    extra = sorted(set(decl) - set(_KINDS) - {"log", "description"})
    if extra:
        raise ValueError(f"unknown key {extra[0]!r} (allowed: {', '.join(_KINDS)}, log, "
                         "description)")
    if len(kinds) != 1:
        raise ValueError(f"declare exactly one kind: {', '.join(_KINDS)}")
    kind = kinds[0]
    value = decl[kind]
    description = str(decl.get("description", ""))
    log = decl.get("log", False)
    if log and kind != "float":
        raise ValueError("log = true only applies to float parameters")
    if kind == "choices":
        if not isinstance(value, list) or not value:
            raise ValueError("choices must be a non-empty list")
        if not all(isinstance(v, str | int | float | bool) for v in value):
            raise ValueError("choices must be strings, numbers or booleans")
        if len({(type(v), v) for v in value}) != len(value):
            raise ValueError("choices must be distinct")
        return Param(name, kind, choices=tuple(value), description=description)
    if kind == "bool":
        if value is not True:
            raise ValueError("write bool = true to declare a boolean parameter")
        return Param(name, kind, description=description)
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)):
        raise ValueError(f"{kind} must be a range [lo, hi]")
    lo, hi = value
    if kind == "int" and not (isinstance(lo, int) and isinstance(hi, int)):
        raise ValueError("int range bounds must be integers")
    if lo > hi:
        raise ValueError(f"range [{lo}, {hi}] is empty: lo must be <= hi")
    if log and lo <= 0:
        raise ValueError("log = true needs a range above 0")
    return Param(name, kind, low=lo, high=hi, log=bool(log), description=description)


def _toml_error_line(message: str) -> int | None:
    m = re.search(r"at line (\d+)", message)
    return int(m.group(1)) if m else None


def _strip_toml_location(message: str) -> str:
    return re.sub(r"\s*\(at line \d+, column \d+\)", "", message)


def _first_line_mentioning(source: str, needle: str) -> int | None:
    for i, line in enumerate(source.splitlines(), start=1):
        if needle in line and not line.lstrip().startswith(("{#---", "---#}")):
            return i
    return None


def _first_line_using(source: str, name: str) -> int | None:
    """The first line whose Jinja code uses ``name`` (not text or comments mentioning it)."""
    previous = ""
    try:
        for lineno, kind, value in _ENV.lex(source):
            if kind == "name" and value == name and previous not in ("block", "endblock"):
                return lineno
            if kind != "whitespace":
                previous = value
    except jinja2.TemplateSyntaxError:
        pass
    return _first_line_mentioning(source, name)


def _line_of(error: BaseException, template: Template) -> int | None:
    """The template line a render error came from, read off Jinja's rewritten traceback."""
    lineno = getattr(error, "lineno", None)
    if isinstance(lineno, int):
        return lineno
    try:
        rewritten = rewrite_traceback_stack(source=template.source)
    except Exception:
        return None
    for frame in reversed(traceback.extract_tb(rewritten.__traceback__)):
        if frame.filename == template.name:
            return frame.lineno
    return None


def _describe_render_error(error: BaseException, template: Template) -> str:
    if isinstance(error, SecurityError):
        return f"blocked by the sandbox: {error} (templates cannot reach Python internals)"
    if isinstance(error, RenderLimitError):
        return f"too costly to render: {error}"
    if isinstance(error, jinja2.UndefinedError):
        return f"{error.message}; {template.visible_names()}"
    if isinstance(error, RecursionError):
        return "render failed: a macro or recursive loop calls itself too deeply"
    return f"render failed: {type(error).__name__}: {error}"


PROBE_SAMPLES = (
    SampleView(id="lint-probe-image", text="Is this safe to do?", image=True),
    SampleView(id="lint-probe-text", text="What does this sign mean?", image=False),
)


def lint_template(template: Template) -> None:
    """Render the template over its parameter grid (capped) and probe samples.

    Parsing already caught syntax and undeclared names; rendering catches sandbox
    violations, names that only fail at run time and renders over the limits of
    :mod:`framing.sandbox`. Each render is held to ``MAX_RENDER_SECONDS`` and all of
    them together to ``MAX_LINT_SECONDS``.
    """
    deadline = now() + MAX_LINT_SECONDS
    late = (f"rendering its parameter combinations took more than {MAX_LINT_SECONDS:g} s "
            "in all (a framing renders in milliseconds)")
    combos = itertools.islice(template.grid(), 256)
    for params in combos:
        for sample in PROBE_SAMPLES:
            with render_limits(deadline, late):
                messages = template._render(sample, params)
            if not messages.user:
                raise TemplateError("the user block renders empty", path=template.name)


def expand_paths(patterns: Sequence[str], root: Path) -> list[str]:
    """Expand template globs relative to ``root``; names stay as given (relative)."""
    names: list[str] = []
    for pattern in patterns:
        if glob.has_magic(pattern):
            base = root if not Path(pattern).is_absolute() else Path("/")
            matches = sorted(glob.glob(pattern, root_dir=base))
            if not matches:
                raise TemplateError(f"no template matches {pattern!r} (looked in {base})",
                                    path=pattern)
            names.extend(matches)
        else:
            names.append(pattern)
    return list(dict.fromkeys(names))


def load_templates(patterns: Iterable[str], root: Path) -> list[Template]:
    """Load and lint every template named by ``patterns`` (fails on the first bad one)."""
    templates = [load_template(name, root=root) for name in expand_paths(list(patterns), root)]
    stems: dict[str, str] = {}
    for t in templates:
        if t.stem in stems:
            raise TemplateError(f"two templates share the name {t.stem!r} "
                                f"({stems[t.stem]} and {t.name}); rename one", path=t.name)
        stems[t.stem] = t.name
        lint_template(t)
    return templates
