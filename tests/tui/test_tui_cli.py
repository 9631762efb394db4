"""``framing tui``: bad input exits 2 before the UI starts; the palette reaches every screen."""

from __future__ import annotations

from pathlib import Path

from tui_helpers import make_workspace, wait_for
from typer.testing import CliRunner

from framing.cli import app
from framing.tui import make_app


def test_bad_study_and_screen_exit_2(workspace: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["tui", "missing.toml"])
    assert result.exit_code == 2 and "missing.toml: no such study file" in result.output
    result = runner.invoke(app, ["tui", "--screen", "graphs"])
    assert result.exit_code == 2 and "--screen: 'graphs'" in result.output
    result = runner.invoke(app, ["tui", "--set", "search.trials=zero"])
    assert result.exit_code == 2 and "search.trials" in result.output


async def test_command_palette_reaches_the_screens(workspace: Path) -> None:
    tui = make_app(make_workspace(workspace, "search.trials=2"))
    async with tui.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p")
        await wait_for(lambda: tui.screen.__class__.__name__ == "CommandPalette", pilot)
        await pilot.press(*"Data screen")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(lambda: tui.screen is tui.data_screen, pilot)
        await pilot.press("f2")
        await wait_for(lambda: tui.screen is tui.run_screen, pilot)
