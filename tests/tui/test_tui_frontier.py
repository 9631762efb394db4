"""Frontier screen: select a point → its details; compare two points; Data screen filters."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest
from textual.widgets import DataTable, Input, OptionList, Select, Static, TabbedContent
from tui_helpers import run_trials, shown, wait_for

from framing.compare import lower_text
from framing.config import StudyConfig
from framing.drilldown import compare_trials, read_points, trial_details
from framing.tui import make_app
from framing.tui.app import FramingApp
from framing.tui.widgets.editor import TemplateEditor
from framing.tui.widgets.image import SampleImage
from framing.versions import not_in_space


def _text(screen: object, selector: str) -> str:
    return shown(screen.query_one(selector, Static))  # type: ignore[attr-defined]


async def _points_table(app: FramingApp, pilot: Any, rows: int) -> DataTable[object]:
    """The Frontier screen's points table, once it shows ``rows`` points."""
    table = app.frontier_screen.query_one("#point-table", DataTable)
    await wait_for(lambda: table.row_count == rows, pilot)
    return table


async def test_select_point_shows_details_and_compare(study: StudyConfig) -> None:
    await run_trials(study, 4)
    stored = read_points(study)
    app = make_app(study, initial="frontier")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.frontier_screen
        table = await _points_table(app, pilot, len(stored.points))
        # frontier points come first
        first = table.coordinate_to_cell_key((0, 0)).row_key.value
        assert int(first) in {p.trial for p in stored.frontier}  # type: ignore[arg-type]

        # highlight the baseline: its details load
        baseline = next(p for p in stored.points if p.baseline)
        table.move_cursor(row=table.get_row_index(str(baseline.trial)))
        await wait_for(lambda: screen.details is not None
                       and screen.details.point.trial == baseline.trial, pilot)
        # the summary is laid out on a later refresh than the one that set its text
        await wait_for(lambda: "per category" in _text(screen, "#summary"), pilot)
        summary = _text(screen, "#summary")
        assert "prompts/baseline.j2" in summary and str(baseline.over_blocking) in summary

        expected = trial_details(study, baseline.trial)
        over = screen.query_one("#over-table", DataTable)
        assert over.row_count == len(expected.over_blocked) > 0
        tabs = screen.query_one("#details", TabbedContent)
        tabs.active = "tab-over"
        await wait_for(lambda: "[simulated response]" in _text(screen, "#over-response"), pilot)
        response = _text(screen, "#over-response")
        assert expected.over_blocked[0].sample_id in response
        assert "[simulated response]" in response

        # mark it, move to another point, compare
        await pilot.press("m")
        other = next(p for p in stored.points if p.trial != baseline.trial)
        table.focus()
        table.move_cursor(row=table.get_row_index(str(other.trial)))
        await wait_for(lambda: screen.selected == other.trial, pilot)
        await pilot.press("c")
        await wait_for(lambda: "McNemar" in _text(screen, "#compare"), pilot)
        cmp = compare_trials(study, baseline.trial, other.trial)
        text = _text(screen, "#compare")
        assert f"{cmp.over_blocking.p_value:.3g}" in text
        # the one wording of the CLI, the report and the TUI: which one is lower
        assert lower_text(cmp.over_blocking).split(" (")[0] in text
        assert tabs.active == "tab-compare"


async def test_a_frontier_framing_edited_since_is_marked(study: StudyConfig) -> None:
    """Marked † as the report notes it (framing.versions.not_in_space): after a reload
    that sees the edited file, and no longer once the file holds that text again."""
    await run_trials(study, 4)
    stored = read_points(study)
    app = make_app(study, initial="frontier")
    async with app.run_test(size=(120, 40)) as pilot:
        table = await _points_table(app, pilot, len(stored.points))

        def marked() -> set[int]:
            return {int(str(key.value)) for key in table.rows
                    if str(table.get_cell(key, "framing")).startswith("† ")}

        assert marked() == set() and not table.border_subtitle

        edited = stored.frontier[0]
        path = study.template_root / edited.template
        before = path.read_text(encoding="utf-8")
        path.write_text(before + "\nEdited since.\n", encoding="utf-8")
        gone = {p.trial for p in not_in_space(stored.frontier, study.template_root)}
        assert edited.trial in gone
        await pilot.press("r")
        await wait_for(lambda: marked() == gone, pilot)
        assert table.border_subtitle == "† template edited or removed since: not in the " \
            "current space"

        path.write_text(before, encoding="utf-8")
        await pilot.press("r")
        await wait_for(lambda: marked() == set(), pilot)
        assert not table.border_subtitle


async def test_a_template_saved_on_the_framings_screen_marks_its_frontier_points(
        study: StudyConfig) -> None:
    await run_trials(study, 4)
    stored = read_points(study)
    edited = stored.frontier[0]
    app = make_app(study, initial="framings")
    async with app.run_test(size=(120, 40)) as pilot:
        framings = app.framings_screen
        await wait_for(lambda: bool(framings.files) and framings.last is not None, pilot)
        listing = framings.query_one("#template-list", OptionList)
        listing.highlighted = list(framings.files).index(edited.template)
        await wait_for(lambda: framings.current == edited.template, pilot)
        editor = framings.query_one("#editor", TemplateEditor)
        editor.focus()
        editor.move_cursor((len(editor.text.split("\n")) - 1, 0))  # the body, not the header
        await pilot.press(*"Edited.", "ctrl+s")
        path = study.template_root / edited.template
        await wait_for(lambda: "Edited." in path.read_text(encoding="utf-8"), pilot)
        gone = {p.trial for p in not_in_space(stored.frontier, study.template_root)}
        assert edited.trial in gone

        await pilot.press("f3")
        screen = app.frontier_screen
        table = screen.query_one("#point-table", DataTable)
        await wait_for(lambda: screen.outside == gone, pilot)
        assert all(str(table.get_cell(str(t), "framing")).startswith("† ") for t in gone)


async def test_run_table_enter_opens_frontier_details(study: StudyConfig) -> None:
    await run_trials(study, 3)
    app = make_app(study)
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.run_screen.query_one("#trial-table", DataTable)
        await wait_for(lambda: table.row_count == 3, pilot)
        table.focus()
        await pilot.press("down", "enter")
        trial = int(table.coordinate_to_cell_key((1, 0)).row_key.value)  # type: ignore[arg-type]
        await wait_for(lambda: app.screen is app.frontier_screen, pilot)
        await wait_for(lambda: app.frontier_screen.details is not None
                       and app.frontier_screen.details.point.trial == trial, pilot)


async def test_data_screen_filters_and_shows_image(study: StudyConfig) -> None:
    app = make_app(study, initial="data")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.data_screen
        table = screen.query_one("#sample-table", DataTable)
        await wait_for(lambda: table.row_count > 300, pilot)
        screen.query_one("#subset", Select).value = "borderline"
        await wait_for(lambda: all(s.joint_grade.value == "borderline" for s in screen.shown),
                       pilot)
        n_borderline = len(screen.shown)
        screen.query_one("#category", Select).value = "C4"
        await wait_for(lambda: len(screen.shown) < n_borderline, pilot)
        assert all(s.category == "C4" for s in screen.shown) and screen.shown
        screen.query_one("#search", Input).value = screen.shown[0].id
        await wait_for(lambda: len(screen.shown) == 1, pilot)
        assert table.row_count == 1
        image = screen.query_one("#sample-image", SampleImage)
        await wait_for(lambda: image.image is not None, pilot)
        await wait_for(lambda: screen.shown[0].id in _text(screen, "#sample-info"), pilot)


async def test_open_report_builds_it_and_opens_it(study: StudyConfig,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    await run_trials(study, 3)
    app = make_app(study, initial="frontier")
    opened: list[str] = []

    def browser(uri: str) -> bool:
        opened.append(uri)
        return True

    monkeypatch.setattr("framing.tui.screens.frontier.open_in_browser", browser)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(lambda: app.frontier_screen.details is not None, pilot)
        await pilot.press("o")
        await wait_for(lambda: bool(opened), pilot, steps=600)
        await wait_for(lambda: any("opened in your browser" in n.message
                                   for n in app._notifications), pilot)
    assert opened[0].startswith("file://") and opened[0].endswith(".html")
    assert Path(unquote(urlparse(opened[0]).path)).is_file()
