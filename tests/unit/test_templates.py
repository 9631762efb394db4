from __future__ import annotations

from pathlib import Path

import pytest

from framing import sandbox
from framing.config import demo_dir
from framing.errors import TemplateError
from framing.templates import (
    SampleView,
    expand_paths,
    lint_template,
    load_templates,
    parse_template,
)

SAMPLE = SampleView(id="s1", text="What is in this picture?", image=True)

GOOD = """{#---
description = "test"
[params.stance]
choices = ["strict", "helpful"]
[params.joint_cue]
bool = true
[params.examples]
int = [0, 3]
[params.temp]
float = [0.1, 10.0]
log = true
---#}
{% block system %}Stance {{ stance }}.{% if joint_cue %} Read together.{% endif %}
{{ examples }} examples{% endblock %}
{% block user %}[{{ sample.id }}] {{ sample.text }}{% endblock %}
"""


def test_parse_and_render() -> None:
    t = parse_template(GOOD, name="good.j2")
    assert [p.name for p in t.params] == ["stance", "joint_cue", "examples", "temp"]
    m = t.render(SAMPLE, {"stance": "strict", "joint_cue": True, "examples": 2, "temp": 1.0})
    assert m.system == "Stance strict. Read together.2 examples"  # trim_blocks eats the newline
    assert m.user == "[s1] What is in this picture?"
    lint_template(t)


def test_user_defaults_to_sample_text() -> None:
    t = parse_template("{% block system %}Hi{% endblock %}", name="plain.j2")
    assert t.render(SAMPLE, {}).user == SAMPLE.text


def test_grid_and_size() -> None:
    t = parse_template(GOOD, name="good.j2")
    assert t.size == 2 * 2 * 4 * 5
    assert len(list(t.grid())) == t.size


@pytest.mark.parametrize(
    ("source", "line", "fragment"),
    [
        ("{% block system %}Hi {{ x }\n{% endblock %}", 1, "syntax error"),
        ("{% block system %}\nHi {{ stance }}{% endblock %}", 2, "undefined name 'stance'"),
        ("{% block system %}{{ sample.joint_grade }}{% endblock %}", 1,
         "undefined name 'sample.joint_grade'"),
        ("{% block system %}\n\n{{ sample.text.__class__.__mro__ }}{% endblock %}", 3, "sandbox"),
        ("{% block system %}{{ ''.__class__.__base__.__subclasses__() }}{% endblock %}", 1,
         "sandbox"),
        ("{% block system %}{{ cycler.__init__.__globals__.os }}{% endblock %}", 1, "sandbox"),
        ('{#---\n[params.x]\nint = [3, 1]\n---#}\n{% block system %}{{ x }}{% endblock %}', 2,
         "empty"),
        ('{#---\n[params.x]\nchoices = []\n---#}\n{% block system %}{% endblock %}', 2,
         "non-empty"),
        ('{#---\n[params.x]\nrange = [1, 2]\n---#}\n{% block system %}{% endblock %}', 2,
         "unknown key"),
        ('{#---\n[params.x\n---#}\n{% block system %}{% endblock %}', 2, "not valid TOML"),
        ("{% block user %}{{ sample.text }}{% endblock %}", None, "no {% block system %}"),
    ],
)
def test_bad_templates_name_file_and_line(source: str, line: int | None, fragment: str) -> None:
    with pytest.raises(TemplateError) as info:
        lint_template(parse_template(source, name="bad.j2"))
    error = info.value
    assert str(error).startswith("bad.j2")
    assert error.line == line
    assert fragment in str(error)


def test_templates_never_see_grades() -> None:
    # SampleView has no grade or category fields: a template asking for them fails lint
    for field in ("joint_grade", "image_grade", "text_grade", "category"):
        with pytest.raises(TemplateError):
            lint_template(parse_template(
                f"{{% block system %}}{{{{ sample.{field} }}}}{{% endblock %}}", name="leak.j2"))


def test_resolve_params_checks_values() -> None:
    t = parse_template(GOOD, name="good.j2")
    assert t.resolve_params({"stance": "helpful", "examples": "2"})["examples"] == 2
    with pytest.raises(TemplateError, match="must be one of"):
        t.resolve_params({"stance": "reckless"})
    with pytest.raises(TemplateError, match="within"):
        t.resolve_params({"examples": 9})
    with pytest.raises(TemplateError, match="unknown parameter"):
        t.resolve_params({"nope": 1})


def test_demo_space_has_enough_framings() -> None:
    templates = load_templates(["prompts/*.j2"], demo_dir())
    names = {t.name for t in templates}
    assert "prompts/baseline.j2" in names
    assert len(templates) >= 4
    assert sum(t.size for t in templates) >= 50
    baseline = next(t for t in templates if t.name == "prompts/baseline.j2")
    assert baseline.params == ()


def test_expand_paths_reports_missing_glob(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="no template matches"):
        expand_paths(["prompts/*.j2"], tmp_path)


# -- bounded rendering (framing/sandbox.py) ----------------------------------------------

NESTED_LOOPS = """{% block system %}
{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}
{% endblock %}"""


def lint_error(source: str) -> TemplateError:
    with pytest.raises(TemplateError) as info:
        lint_template(parse_template(source, name="bomb.j2"))
    return info.value


def test_nested_loops_fail_lint_with_the_reason() -> None:
    error = lint_error(NESTED_LOOPS)
    assert error.line == 2
    assert f"loops ran more than {sandbox.MAX_LOOP_ITERATIONS:,} iterations" in str(error)


def test_string_bomb_fails_lint_with_the_reason() -> None:
    error = lint_error("{% block system %}\n\n{{ 'x' * 10**9 }}{% endblock %}")
    assert error.line == 3
    assert "'*' would make 1,000,000,000 characters" in str(error)
    assert f"more than the {sandbox.MAX_RENDERED_CHARS:,}" in str(error)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        # doubling a string in a loop, by each way of joining strings
        ("{% set ns = namespace(s='x') %}{% for i in range(60) %}"
         "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}", "'~' would make"),
        ("{% set ns = namespace(s='x') %}{% for i in range(60) %}"
         "{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s }}", "'+' would make"),
        ("{% set ns = namespace(s='x') %}{% for i in range(60) %}"
         "{% set ns.s %}{{ ns.s }}{{ ns.s }}{% endset %}{% endfor %}{{ ns.s }}",
         "rendered more than 1,000,000 characters"),
        # literal text repeated by a loop counts, even when captured
        ("{% set big %}{% for i in range(90000) %}0123456789 0123456789{% endfor %}"
         "{% endset %}{{ big|length }}", "rendered more than 1,000,000 characters"),
        # widths, separators and replacements that multiply a size
        ("{{ 'x'|center(1000000000) }}", "center would make"),
        ("{{ 'x'.rjust(1000000000) }}", "str.rjust() would make"),
        ("{{ '{:>1000000000}'.format(1) }}", "str.format() would make"),
        ("{{ '%*s' % (1000000000, 'x') }}", "'%' would make"),
        ("{% set x = 'x' * 400000 %}{{ '%s%s%s'|format(x, x, x) }}", "format would make"),
        ("{{ range(100000)|join('x' * 100000) }}", "join would make"),
        ("{% set big = 'x' * 1000000 %}{{ ([{'a': big}] * 100000)|join(attribute='a') }}",
         "join would make"),
        ("{{ ('x' * 100000).join(range(100000)|map('string')) }}", "str.join() would make"),
        ("{{ ('a' * 100000)|replace('', 'b' * 100000) }}", "replace would make"),
        ("{{ range(10000)|join('\\n')|indent(100000) }}", "indent would make"),
        ("{{ range(10)|batch(1000000000)|list }}", "batch into 1,000,000,000 parts"),
        ("{{ ([[1]] * 100000)|sum(start=[]) }}", "sum() of strings or lists"),
        ("{{ 7 ** 100000 }}", "'**' would make a number"),
        ("{% for i in range(10**12) %}{% endfor %}", "range() with more than 100,000 items"),
        # a macro that calls itself: stopped, not a crash of the process
        ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "calls itself too deeply"),
    ],
)
def test_costly_templates_fail_lint(body: str, fragment: str) -> None:
    error = lint_error(f"{{% block system %}}{body}{{% endblock %}}")
    assert str(error).startswith("bomb.j2:1: ")
    assert fragment in str(error)


def test_lipsum_is_not_offered() -> None:
    assert "undefined name 'lipsum'" in str(lint_error(
        "{% block system %}{{ lipsum(100000) }}{% endblock %}"))


def test_output_counts_what_is_printed() -> None:
    t = parse_template("{% block system %}{% for i in range(2000) %}{{ sample.text }}"
                       "{% endfor %}{% endblock %}", name="echo.j2")
    assert len(t.render(SAMPLE, {}).system) == 2000 * len(SAMPLE.text)  # 48,000: fine
    with pytest.raises(TemplateError, match="rendered more than 1,000,000 characters"):
        t.render(SampleView(id="long", text="y" * 1000, image=False), {})


def test_limits_are_per_render() -> None:
    # 60% of the iteration budget, twice: each render starts afresh
    n = sandbox.MAX_LOOP_ITERATIONS * 6 // 10
    t = parse_template(f"{{% block system %}}{{% for i in range({n}) %}}{{% endfor %}}"
                       "done{% endblock %}", name="loop.j2")
    assert t.render(SAMPLE, {}).system == "done"
    assert t.render(SAMPLE, {}).system == "done"
    with pytest.raises(TemplateError):
        lint_template(parse_template(NESTED_LOOPS, name="bomb.j2"))
    assert sandbox._BUDGET.get() is None  # a failed render leaves no budget behind
    assert t.render(SAMPLE, {}).system == "done"


class StepClock:
    """A clock that moves one second each time it is read: deadlines without waiting."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        self.t += 1.0
        return self.t


def test_slow_render_fails_with_the_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "_clock", StepClock())
    t = parse_template("{% block system %}\n{% for i in range(50) %}{{ i }}{% endfor %}"
                       "{% endblock %}", name="slow.j2")
    with pytest.raises(TemplateError) as info:
        t.render(SAMPLE, {})
    assert f"rendering took more than {sandbox.MAX_RENDER_SECONDS:g} s" in str(info.value)
    assert info.value.line == 2


def test_lint_has_a_total_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # every render finishes within its own limit, but 80 of them take too long in all
    monkeypatch.setattr(sandbox, "_clock", StepClock())
    monkeypatch.setattr(sandbox, "MAX_RENDER_SECONDS", 1_000.0)
    t = parse_template('{#---\n[params.n]\nint = [1, 40]\n---#}\n'
                       "{% block system %}{{ n }}{% endblock %}", name="grid.j2")
    with pytest.raises(TemplateError, match="parameter combinations took more than 10 s"):
        lint_template(t)


def test_bounded_sandbox_keeps_ordinary_templates_working() -> None:
    t = parse_template(
        '{#---\n[params.tone]\nchoices = ["calm", "firm"]\n---#}\n'
        "{% block system %}{% for x in ['a', 'b'] %}{{ loop.index }}/{{ loop.length }}"
        "{{ x ~ '!' }}{% if not loop.last %}, {% endif %}{% endfor %}|"
        "{{ '%s-%d' % (tone, 3) }}|{{ 'x'|center(5) }}|{{ ['a', 'b']|join(', ') }}|"
        "{{ '{} {}'.format(1, 2) }}|{{ tone|upper|replace('A', 'a') }}|{{ 2 ** 10 }}|"
        "{{ 'ab' * 3 }}|{{ range(3)|sum }}|{{ 'a\nb'|indent(2) }}|{{ sample.text[:4] }}"
        "{% endblock %}", name="ok.j2")
    lint_template(t)
    assert t.render(SAMPLE, {"tone": "calm"}).system == (
        "1/2a!, 2/2b!|calm-3|  x  |a, b|1 2|CaLM|1024|ababab|3|a\n  b|What")


# -- undefined names say what exists -------------------------------------------------------

PARAMS_AB = "{#---\n[params.a]\nbool = true\n[params.b]\nint = [1, 2]\n---#}\n"


@pytest.mark.parametrize("expression", ["sample.txt", "sample['txt']"])
def test_undefined_sample_field_lists_the_fields(expression: str) -> None:
    t = parse_template(PARAMS_AB + "{% block system %}\nHi\n{{ " + expression + " }}"
                       "{% endblock %}", name="typo.j2")
    expected = ("typo.j2:9: undefined name 'sample.txt'; a template sees sample.text, "
                "sample.id, sample.image and its parameters: a, b")
    with pytest.raises(TemplateError) as info:
        lint_template(t)
    assert str(info.value) == expected
    with pytest.raises(TemplateError) as info:
        t.render(SAMPLE, t.defaults())
    assert str(info.value) == expected


def test_undefined_top_level_name_lists_the_parameters() -> None:
    with pytest.raises(TemplateError) as info:
        parse_template(PARAMS_AB + "{% block system %}\n{{ c }}{% endblock %}", name="c.j2")
    assert str(info.value) == (
        "c.j2:8: undefined name 'c'; a template sees sample.text, sample.id, sample.image "
        "and its parameters: a, b; to add it, declare [params.c] in the front matter")


def test_params_dot_name_lists_the_parameters_and_the_plain_name() -> None:
    with pytest.raises(TemplateError) as info:
        parse_template(PARAMS_AB + "{% block system %}\n{{ params.a }}{% endblock %}",
                       name="p.j2")
    assert str(info.value) == (
        "p.j2:8: undefined name 'params' (the parameters: a, b); parameters are plain "
        "names, not fields of 'params': write {{ a }} rather than {{ params.a }}")
    with pytest.raises(TemplateError, match=r"'params' \(the parameters: none declared\); "
                       r"declare one as \[params.NAME\]"):
        parse_template("{% block system %}{{ params.x }}{% endblock %}", name="q.j2")


def test_undefined_name_without_parameters_says_so() -> None:
    error = lint_error("{% block system %}{{ sample.grade }}{% endblock %}")
    assert str(error).endswith("sample.image and no parameters")


def test_undefined_attribute_of_a_parameter_names_its_value() -> None:
    t = parse_template(PARAMS_AB + "{% block system %}{{ b.size }}{% endblock %}", name="p.j2")
    with pytest.raises(TemplateError, match="undefined name 'size' on the int 1"):
        t.render(SAMPLE, t.defaults())


def test_memory_built_on_the_way_is_bounded() -> None:
    # each step is within the limits, and nothing is printed: what is built adds up
    error = lint_error("{% block system %}{% set row = [0] * 1000000 %}"
                       "{% for r in [row] * 1000 %}{% set copy = r|list %}{% endfor %}"
                       "{% endblock %}")
    assert f"built more than {sandbox.MAX_BUILT:,} characters and list items" in str(error)
