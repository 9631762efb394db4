from __future__ import annotations

from pathlib import Path

import pytest

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
        ("{% block system %}{{ sample.joint_grade }}{% endblock %}", 1, "undefined"),
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
