"""Fixtures for the TUI tests: a scratch workspace with the demo's editable templates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from framing.config import StudyConfig, demo_dir, load_study


def make_workspace(root: Path, *overrides: str) -> StudyConfig:
    """A workspace like ``framing init`` makes: prompts/, studies/demo.toml, a database."""
    for sub in ("prompts", "studies"):
        shutil.copytree(demo_dir() / sub, root / sub)
    extra = [f'storage.url="sqlite:///{root / "framing.db"}"', *overrides]
    return load_study(root / "studies" / "demo.toml", extra)


@pytest.fixture
def study(workspace: Path) -> StudyConfig:
    """The demo study in an editable workspace (cwd), small enough to run in a test."""
    return make_workspace(workspace, "search.trials=4", "data.borderline=60",
                          "data.unsafe=60")
