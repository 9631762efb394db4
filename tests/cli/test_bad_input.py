"""Bad input: exit code 2, a message naming file/line/key, and no model call spent."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from framing.cli import app
from framing.targets import sim

runner = CliRunner()


@pytest.fixture
def count_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    original = sim.SimTarget.generate

    async def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(sim.SimTarget, "generate", counting)
    return calls


def study_with_template(workspace: Path, body: str) -> Path:
    (workspace / "prompts").mkdir()
    (workspace / "prompts" / "baseline.j2").write_text(
        "{% block system %}You are a helpful assistant.{% endblock %}\n")
    (workspace / "prompts" / "bad.j2").write_text(body)
    study = workspace / "study.toml"
    study.write_text('name = "t"\n[search]\ntemplates = ["prompts/*.j2"]\ntrials = 3\n')
    return study


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("{% block system %}\nHello {{ name }\n{% endblock %}", "prompts/bad.j2:2: syntax error"),
        ("{% block system %}\n\nHello {{ name }}{% endblock %}",
         "prompts/bad.j2:3: undefined name"),
        ("{% block system %}{{ sample.text.__class__.__mro__[1].__subclasses__() }}"
         "{% endblock %}", "prompts/bad.j2:1: blocked by the sandbox"),
        ('{#---\n[params.level]\nint = [5, 1]\n---#}\n{% block system %}{{ level }}'
         "{% endblock %}", "prompts/bad.j2:2: parameter 'level'"),
        ("{% block system %}\n{{ sample.txt }}{% endblock %}",
         "prompts/bad.j2:2: undefined name 'sample.txt'; a template sees sample.text, "
         "sample.id, sample.image and no parameters"),
        # bounded rendering: these used to hang lint and the search, or exhaust memory
        ("{% block system %}\n{% for i in range(100000) %}{% for j in range(100000) %}x"
         "{% endfor %}{% endfor %}{% endblock %}",
         "prompts/bad.j2:2: too costly to render: loops ran more than 100,000 iterations"),
        ("{% block system %}\n\n{{ 'x' * 10**9 }}{% endblock %}",
         "prompts/bad.j2:3: too costly to render: '*' would make 1,000,000,000 characters"),
    ],
)
def test_bad_template_stops_before_any_call(workspace: Path, count_calls: list[int], body: str,
                                            expected: str) -> None:
    study = study_with_template(workspace, body)
    result = runner.invoke(app, ["search", str(study), "--no-report"])
    assert result.exit_code == 2, result.stderr
    assert expected in result.stderr
    assert count_calls == []
    lint = runner.invoke(app, ["templates", "lint", "prompts/bad.j2"])
    assert lint.exit_code == 2
    assert expected in lint.stderr


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ('name = "x"\n[search]\ntrails = 5\n', "search.trails: unknown key"),
        ('[data]\nborderline = "lots"\n', "data.borderline"),
        ('[data]\nsource = "jsonl:missing.jsonl"\n', "missing.jsonl: no such data file"),
        ('[data]\nsource = "parquet:x"\n', "unknown source kind"),
        ('[storage\n', "not valid TOML"),
    ],
)
def test_bad_study_file(workspace: Path, count_calls: list[int], toml: str,
                        expected: str) -> None:
    assert runner.invoke(app, ["init", "."]).exit_code == 0
    path = workspace / "s.toml"
    path.write_text(toml)
    result = runner.invoke(app, ["search", str(path), "--no-report"])
    assert result.exit_code == 2, result.stderr
    assert expected in result.stderr
    assert any(where in result.stderr for where in ("s.toml", "missing.jsonl", "data.source"))
    assert count_calls == []


def test_bad_arguments(workspace: Path, count_calls: list[int]) -> None:
    assert runner.invoke(app, ["search", "--trials", "0"]).exit_code == 2
    assert runner.invoke(app, ["frontier", "--format", "xml"]).exit_code == 2
    assert runner.invoke(app, ["search", "--set", "nonsense"]).exit_code == 2
    assert runner.invoke(app, ["search", "nope.toml"]).exit_code == 2
    result = runner.invoke(app, ["eval", "prompts/stance.j2", "-p", "stance=reckless"])
    assert result.exit_code == 2 and "must be one of" in result.stderr
    assert count_calls == []


def test_frontier_of_missing_study(workspace: Path) -> None:
    result = runner.invoke(app, ["frontier"])
    assert result.exit_code == 2
    assert "no study named 'demo'" in result.stderr


def test_a_template_added_to_a_study_joins_it(workspace: Path) -> None:
    """Once refused (Optuna's fixed categorical space), now the study's space grows."""
    import optuna

    assert runner.invoke(app, ["init", "."]).exit_code == 0
    first = runner.invoke(app, ["search", "studies/demo.toml", "--trials", "2", "--no-report"])
    assert first.exit_code == 0, first.stderr
    (workspace / "prompts" / "extra.j2").write_text(
        "{% block system %}You are terse.{% endblock %}\n")
    result = runner.invoke(app, ["search", "studies/demo.toml", "--trials", "4", "--no-report"])
    assert result.exit_code == 0, result.stderr
    trials = optuna.load_study(study_name="demo",
                               storage="sqlite:///studies/framing.db").trials
    assert [t.state.name for t in trials] == ["COMPLETE"] * 4


def test_template_commands_count_in_words(workspace: Path) -> None:
    (workspace / "prompts").mkdir()
    (workspace / "prompts" / "only.j2").write_text("{% block system %}Hi.{% endblock %}\n")
    listed = runner.invoke(app, ["templates", "list"])
    assert listed.exit_code == 0, listed.stderr
    assert "1 template, 1 framing (" in listed.stdout
    (workspace / "prompts" / "bad.j2").write_text("{% block system %}{{ nope }}{% endblock %}")
    (workspace / "prompts" / "good.j2").write_text(
        '{#---\n[params.x]\nbool = true\n---#}\n{% block system %}{{ x }}{% endblock %}')
    lint = runner.invoke(app, ["templates", "lint", "prompts/bad.j2"])
    assert lint.exit_code == 2
    assert "1 of 1 template failed lint" in lint.stderr
    lint = runner.invoke(app, ["templates", "lint", "prompts/bad.j2", "prompts/good.j2",
                               "prompts/only.j2"])
    assert "1 of 3 templates failed lint" in lint.stderr
    (workspace / "prompts" / "bad.j2").unlink()
    listed = runner.invoke(app, ["templates", "list"])
    assert "2 templates, 3 framings (" in listed.stdout
