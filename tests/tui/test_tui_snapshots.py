"""SVG snapshots of the main screens (sim target, fixed seeds, no cursor blink).

Update the baselines after an intended change with
``pytest tests/tui/test_tui_snapshots.py --snapshot-update`` and review the diff.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable
from tui_helpers import make_workspace, settle, wait_for

from framing.config import StudyConfig
from framing.search import run_search
from framing.tui import make_app
from framing.tui.widgets.editor import TemplateEditor

SIZE = (100, 30)


@pytest.fixture
def stored(workspace: Path) -> StudyConfig:
    # every trial in full (screening off): the snapshots show the screens, and stay the
    # ones reviewed before screening became the default
    config = make_workspace(workspace, "search.trials=5", "data.borderline=60",
                            "data.unsafe=60", "search.screening=false")
    run_search(config)
    return config


def test_run_screen(stored: StudyConfig, snap_compare: Any) -> None:
    app = make_app(stored, cursor_blink=False)

    async def ready(pilot: Any) -> None:
        table = app.run_screen.query_one("#trial-table", DataTable)
        await wait_for(lambda: table.row_count == 5, pilot)
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_frontier_screen_details(stored: StudyConfig, snap_compare: Any) -> None:
    app = make_app(stored, initial="frontier", cursor_blink=False)

    async def ready(pilot: Any) -> None:
        screen = app.frontier_screen
        await wait_for(lambda: screen.details is not None and screen.recommended is not None,
                       pilot)
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_framings_screen_lint_error(stored: StudyConfig, snap_compare: Any) -> None:
    app = make_app(stored, initial="framings", cursor_blink=False)

    async def ready(pilot: Any) -> None:
        screen = app.framings_screen
        await wait_for(lambda: screen.last is not None and screen.last.preview is not None,
                       pilot)
        await settle(pilot)
        editor = screen.query_one("#editor", TemplateEditor)
        editor.focus()
        editor.move_cursor((4, 0))
        editor.insert("{{ tone }}")  # one edit: the last good preview is the original
        await wait_for(lambda: screen.last is not None and not screen.last.result.ok, pilot)
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)
