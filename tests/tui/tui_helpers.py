"""Helpers shared by the TUI tests."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from framing.config import StudyConfig, demo_dir, load_study


def make_workspace(root: Path, *overrides: str) -> StudyConfig:
    """A workspace like ``framing init`` makes: prompts/, studies/demo.toml, a database."""
    for sub in ("prompts", "studies"):
        shutil.copytree(demo_dir() / sub, root / sub)
    extra = [f'storage.url="sqlite:///{root / "framing.db"}"', *overrides]
    return load_study(root / "studies" / "demo.toml", extra)


async def wait_for(condition: Callable[[], bool], pilot: Any, *, steps: int = 300,
                   delay: float = 0.05) -> None:
    """Pump the app until ``condition`` holds (fails the test after ``steps`` tries)."""
    for _ in range(steps):
        if condition():
            return
        await pilot.pause(delay)
    raise AssertionError("condition never became true")


async def run_trials(config: StudyConfig, trials: int) -> None:
    """Fill the study database through the core, as `framing search` would."""
    from framing.search import run_search_async

    await run_search_async(config, trials=trials)


def shown(widget: Any) -> str:
    """The text a widget draws on screen, all of it (also what is scrolled out of view)."""
    from textual.geometry import Region

    width, height = widget.size
    return "\n".join(strip.text for strip in widget.render_lines(Region(0, 0, width, height)))


async def settle(pilot: Any) -> None:
    """Let pending messages, refreshes and animations finish (before a screenshot)."""
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause(0.1)
