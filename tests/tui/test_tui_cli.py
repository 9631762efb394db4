"""``framing tui`` rejects bad input before the UI starts (exit 2, one clear line)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from framing.cli import app


def test_bad_study_and_screen_exit_2(workspace: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["tui", "missing.toml"])
    assert result.exit_code == 2 and "missing.toml: no such study file" in result.output
    result = runner.invoke(app, ["tui", "--screen", "graphs"])
    assert result.exit_code == 2 and "--screen: 'graphs'" in result.output
    result = runner.invoke(app, ["tui", "--set", "search.trials=zero"])
    assert result.exit_code == 2 and "search.trials" in result.output
