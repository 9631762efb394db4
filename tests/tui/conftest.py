"""Fixtures for the TUI tests: a scratch workspace with the demo's editable templates."""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_helpers import make_workspace

from framing.config import StudyConfig


@pytest.fixture
def study(workspace: Path) -> StudyConfig:
    """The demo study in an editable workspace (cwd), small enough to run in a test."""
    return make_workspace(workspace, "search.trials=4", "data.borderline=60",
                          "data.unsafe=60")
