"""The TUI never loses work and never leaves the researcher guessing (issue #20): unsaved
edits are asked about, every failed worker notifies, the preview renders what the fields
show, the Run keys survive the trials field, the plot keeps the baseline on top."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Input, OptionList, Select, Static
from tui_helpers import run_trials, shown, wait_for

from framing.config import StudyConfig
from framing.drilldown import lint_source, render_preview
from framing.points import Point
from framing.stats import Rate
from framing.tui import FramingApp, make_app
from framing.tui.failures import FAILURES
from framing.tui.patterns import abbrev
from framing.tui.screens.framings import FramingsScreen
from framing.tui.widgets.editor import TemplateEditor
from framing.tui.widgets.plot import FrontierPlot


def _notes(app: App[Any], severity: str | None = None) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications
            if severity is None or n.severity == severity]


def _noted(app: App[Any], *needles: str, severity: str | None = None) -> bool:
    return any(all(k in note for k in needles) for note in _notes(app, severity))


def _modal(app: App[Any]) -> str:
    return app.screen.__class__.__name__


async def _open(app: FramingApp, pilot: Any, name: str) -> None:
    """Highlight ``name`` in the template list (as the arrow keys would)."""
    screen = app.framings_screen
    screen.query_one("#template-list", OptionList).highlighted = list(screen.files).index(name)
    await pilot.pause()


async def _ready(app: FramingApp, pilot: Any) -> FramingsScreen:
    screen = app.framings_screen
    await wait_for(lambda: bool(screen.files) and screen.last is not None, pilot)
    return screen


async def _type_at_start(screen: FramingsScreen, pilot: Any, text: str) -> None:
    editor = screen.query_one("#editor", TemplateEditor)
    editor.focus()
    editor.move_cursor((editor.document.line_count - 1, 0))
    await pilot.press(*text)
    await wait_for(lambda: screen.current is not None and screen.modified(screen.current),
                   pilot)


# -- 1. edits are never lost ----------------------------------------------------------------

async def test_quit_with_unsaved_edit_asks_cancel_then_save(study: StudyConfig,
                                                           workspace: Path) -> None:
    app = make_app(study, initial="framings")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _ready(app, pilot)
        await _open(app, pilot, "prompts/cautious.j2")
        await wait_for(lambda: screen.current == "prompts/cautious.j2", pilot)
        await _type_at_start(screen, pilot, "zz")
        edited = screen.query_one("#editor", TemplateEditor).text
        assert "● cautious.j2" in str(screen.query_one("#template-list", OptionList)
                                      .get_option_at_index(list(screen.files).index(
                                          "prompts/cautious.j2")).prompt)

        await pilot.press("ctrl+q")
        await wait_for(lambda: _modal(app) == "UnsavedModal", pilot)
        assert "cautious.j2" in shown(app.screen.query_one(".dialog-body", Static))
        await pilot.press("escape")  # cancel: nothing lost, nothing written
        await wait_for(lambda: _modal(app) == "FramingsScreen", pilot)
        assert app.is_running and screen.query_one("#editor", TemplateEditor).text == edited

        await pilot.press("ctrl+q")
        await wait_for(lambda: _modal(app) == "UnsavedModal", pilot)
        await pilot.press("s")  # save, then quit
        await wait_for(lambda: not app.is_running, pilot)
    assert (workspace / "prompts" / "cautious.j2").read_text() == edited


async def test_quit_discard_leaves_the_file_alone(study: StudyConfig, workspace: Path) -> None:
    before = (workspace / "prompts" / "baseline.j2").read_text()
    app = make_app(study, initial="framings")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _ready(app, pilot)
        await _open(app, pilot, "prompts/baseline.j2")
        await wait_for(lambda: screen.current == "prompts/baseline.j2", pilot)
        await _type_at_start(screen, pilot, "qq")
        app.action_show("run")  # the prompt comes from any screen
        await pilot.press("ctrl+q")
        await wait_for(lambda: _modal(app) == "UnsavedModal", pilot)
        await pilot.press("d")
        await wait_for(lambda: not app.is_running, pilot)
    assert (workspace / "prompts" / "baseline.j2").read_text() == before


async def test_quit_without_edits_does_not_ask(study: StudyConfig) -> None:
    app = make_app(study, initial="framings")
    async with app.run_test(size=(120, 36)) as pilot:
        await _ready(app, pilot)
        await pilot.press("ctrl+q")
        await wait_for(lambda: not app.is_running, pilot)


async def test_switching_template_asks_and_keeps_undo(study: StudyConfig,
                                                     workspace: Path) -> None:
    app = make_app(study, initial="framings")
    stance = workspace / "prompts" / "stance.j2"
    saved = stance.read_text()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _ready(app, pilot)
        await _open(app, pilot, "prompts/stance.j2")
        await wait_for(lambda: screen.current == "prompts/stance.j2", pilot)
        await _type_at_start(screen, pilot, "ab")
        edited = screen.query_one("#editor", TemplateEditor).text

        # cancel: stay on the edited template, highlight back on it
        await _open(app, pilot, "prompts/engage.j2")
        await wait_for(lambda: _modal(app) == "UnsavedModal", pilot)
        await pilot.press("escape")
        await wait_for(lambda: _modal(app) == "FramingsScreen", pilot)
        listing = screen.query_one("#template-list", OptionList)
        assert screen.current == "prompts/stance.j2"
        assert listing.highlighted == list(screen.files).index("prompts/stance.j2")
        assert screen.query_one("#editor", TemplateEditor).text == edited

        # save: written, then the other template opens
        await _open(app, pilot, "prompts/engage.j2")
        await wait_for(lambda: _modal(app) == "UnsavedModal", pilot)
        await pilot.press("s")
        await wait_for(lambda: screen.current == "prompts/engage.j2", pilot)
        await wait_for(lambda: stance.read_text() == edited, pilot)
        assert not screen.modified("prompts/stance.j2")

        # back on stance, its undo history of this session is still there
        await _open(app, pilot, "prompts/stance.j2")
        await wait_for(lambda: screen.current == "prompts/stance.j2", pilot)
        editor = screen.query_one("#editor", TemplateEditor)
        editor.focus()
        await pilot.press("ctrl+z")
        await wait_for(lambda: editor.text == saved, pilot)

        # discard: the edit goes, the file stays as it is
        await _open(app, pilot, "prompts/engage.j2")
        await wait_for(lambda: _modal(app) == "UnsavedModal", pilot)
        await pilot.press("d")
        await wait_for(lambda: screen.current == "prompts/engage.j2", pilot)
        assert not screen.modified("prompts/stance.j2") and stance.read_text() == edited


async def test_revert_to_saved_is_undoable(study: StudyConfig) -> None:
    app = make_app(study, initial="framings")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _ready(app, pilot)
        assert screen.current is not None
        saved = screen.files[screen.current].source
        await _type_at_start(screen, pilot, "rv")
        edited = screen.query_one("#editor", TemplateEditor).text
        await pilot.press("ctrl+r")
        editor = screen.query_one("#editor", TemplateEditor)
        await wait_for(lambda: editor.text == saved and not screen.modified(screen.current or ""),
                       pilot)
        await pilot.press("ctrl+z")
        await wait_for(lambda: editor.text == edited, pilot)
        await pilot.press("ctrl+r", "ctrl+r")  # the second one has nothing to revert
        await wait_for(lambda: _noted(app, "no unsaved changes to revert"), pilot)


async def test_end_goes_to_the_end_of_a_wrapped_line(study: StudyConfig) -> None:
    app = make_app(study, initial="framings")
    async with app.run_test(size=(100, 36)) as pilot:
        screen = await _ready(app, pilot)
        editor = screen.query_one("#editor", TemplateEditor)
        row = max(range(editor.document.line_count),
                  key=lambda r: len(editor.document.get_line(r)))
        line = editor.document.get_line(row)
        assert len(line) > editor.size.width  # it wraps
        editor.focus()
        editor.move_cursor((row, 0))
        await pilot.press("end")
        assert editor.cursor_location == (row, len(line))


# -- 2. every failure is visible ------------------------------------------------------------

async def test_failing_save_worker_notifies(study: StudyConfig, workspace: Path) -> None:
    app = make_app(study, initial="framings")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _ready(app, pilot)
        existing = screen.current
        for name, reason in ((existing, "already exists"), ("prompts/mine.txt", "ends in .j2")):
            await pilot.press("ctrl+n")
            await wait_for(lambda: _modal(app) == "NameModal", pilot)
            app.screen.query_one("#name", Input).value = str(name)
            await pilot.press("enter")
            await wait_for(lambda r=reason: _noted(app, FAILURES["save"].what, r,  # type: ignore[misc]
                                                   severity="error"), pilot)
        assert _noted(app, "fix the name or path")
        assert not (workspace / "prompts" / "mine.txt").exists()


def _raise(*_: object, **__: object) -> Any:
    raise RuntimeError("boom")


WORKERS = {
    # group: (what to break, screen to start on, trials stored first)
    "samples": ("framing.drilldown.load_study_samples", "run", 0),
    "points": ("framing.tui.app.read_points", "run", 0),
    "templates": ("framing.templates.expand_paths", "framings", 0),
    "lint": ("framing.drilldown.lint_source", "framings", 0),
    "details": ("framing.drilldown.trial_details", "frontier", 2),
    "compare": ("framing.drilldown.compare_trials", "frontier", 2),
    "report": ("framing.tui.screens.frontier._report_builder", "frontier", 2),
    "space": ("framing.versions.not_in_space", "frontier", 2),
    "image": ("PIL.Image.open", "data", 0),
}


@pytest.mark.parametrize("group", sorted(WORKERS))
async def test_every_failing_worker_notifies(group: str, study: StudyConfig,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    target, initial, trials = WORKERS[group]
    if trials:
        await run_trials(study, trials)
    app = make_app(study, initial=initial)
    monkeypatch.setattr(target, (lambda: _raise) if group == "report" else _raise)
    async with app.run_test(size=(120, 36)) as pilot:
        if group == "compare":
            screen = app.frontier_screen
            table = screen.query_one("#point-table", DataTable)
            await wait_for(lambda: table.row_count == trials and screen.details is not None,
                           pilot)
            await pilot.press("m", "down")
            await wait_for(lambda: screen.selected != screen.marked, pilot)
            await pilot.press("c")
        elif group == "report":
            await wait_for(lambda: app.frontier_screen.details is not None, pilot)
            await pilot.press("o")
        failure = FAILURES[group]
        await wait_for(lambda: _noted(app, failure.what, "boom", failure.todo,
                                      severity="error"), pilot, steps=600)
        assert app.is_running


# -- 3. what you see is what runs -----------------------------------------------------------

def _fields(screen: FramingsScreen) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in screen.query(".param-field"):
        name = (field.id or "").removeprefix("param-")
        out[name] = field.value  # type: ignore[attr-defined]  # a Select or an Input
    return out


def _preview_matches_fields(screen: FramingsScreen) -> bool:
    """The preview shows exactly what the template renders with the fields' values."""
    if screen.current is None or screen.preview_sample is None:
        return False
    editor = screen.query_one("#editor", TemplateEditor)
    template = lint_source(editor.text, screen.current).template
    assert template is not None
    fields = _fields(screen)
    if set(fields) != {p.name for p in template.params}:
        return False
    messages = render_preview(template, screen.preview_sample, fields).messages
    if messages is None:
        return False  # fields mid-rebuild
    return (messages.system or "").strip() in str(screen.query_one("#preview", Static).render())


async def test_preview_matches_fields_after_switch_and_new(study: StudyConfig,
                                                           workspace: Path) -> None:
    # a second template with the same parameters: the form is not rebuilt on the switch
    shutil.copy(workspace / "prompts" / "stance.j2", workspace / "prompts" / "stance2.j2")
    app = make_app(study, initial="framings")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _ready(app, pilot)
        await _open(app, pilot, "prompts/stance.j2")
        await wait_for(lambda: screen.current == "prompts/stance.j2", pilot)
        await wait_for(lambda: "Prioritize safety above all" in str(
            screen.query_one("#preview", Static).render()), pilot)
        await wait_for(lambda: bool(screen.query("#param-stance")), pilot)
        screen.query_one("#param-stance", Select).value = "helpful"
        await wait_for(lambda: "Be as helpful" in str(
            screen.query_one("#preview", Static).render()), pilot)

        await _open(app, pilot, "prompts/stance2.j2")
        await wait_for(lambda: screen.current == "prompts/stance2.j2"
                       and screen.last is not None and screen.last.name == screen.current,
                       pilot)
        await wait_for(lambda: _preview_matches_fields(screen), pilot)
        assert _fields(screen)["stance"] == "helpful"

        # a template with other parameters, then back: still one truth
        await _open(app, pilot, "prompts/engage.j2")
        await wait_for(lambda: screen.last is not None and screen.last.name == screen.current
                       and _preview_matches_fields(screen), pilot)

        await pilot.press("ctrl+n")
        await wait_for(lambda: _modal(app) == "NameModal", pilot)
        app.screen.query_one("#name", Input).value = "prompts/mine.j2"
        await pilot.press("enter")
        await wait_for(lambda: screen.current == "prompts/mine.j2"
                       and screen.last is not None and screen.last.name == screen.current,
                       pilot)
        await wait_for(lambda: _preview_matches_fields(screen), pilot)


async def test_run_keys_work_after_editing_the_trials_field(study: StudyConfig) -> None:
    app = make_app(study)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.run_screen
        await pilot.press("p")  # idle: says why nothing happens
        await wait_for(lambda: _noted(app, "no search is running"), pilot)
        await pilot.press("x")
        await wait_for(lambda: _noted(app, "nothing to stop"), pilot)
        await pilot.press("enter")  # on the empty trial table
        await wait_for(lambda: _noted(app, "no trials yet: press s"), pilot)

        field = screen.query_one("#trials-input", Input)
        field.focus()
        await pilot.press("end", "backspace", "3", "enter")  # Enter applies and leaves
        assert screen.trials == 3 and not field.has_focus
        field.focus()
        await pilot.press("end", "backspace", "2")
        assert field.has_focus
        assert "s" in app.screen.active_bindings  # still in the footer
        await pilot.press("s")  # the screen's key, not a character for the field
        assert screen.status != "idle"  # started (a fast simulated run may be over already)
        assert screen.trials == 2 and field.value == "2"
        await wait_for(lambda: not screen.running and len(app.points) == 2, pilot, steps=600)
        counters = shown(screen.query_one("#counters", Static))
        assert "study: trials 2/2" in counters and "this run: trials 2" in counters


async def test_counters_after_a_resume_say_what_they_count(study: StudyConfig) -> None:
    await run_trials(study, 2)
    app = make_app(study, trials=3)
    async with app.run_test(size=(140, 36)) as pilot:
        screen = app.run_screen
        await wait_for(lambda: screen.done == 2, pilot)
        counters = shown(screen.query_one("#counters", Static))
        assert "study: trials 2/3" in counters and "this run: trials 0" in counters
        await pilot.press("s")
        assert screen.status != "idle"
        await wait_for(lambda: not screen.running and len(app.points) == 3, pilot, steps=600)
        counters = shown(screen.query_one("#counters", Static))
        study_calls = sum(p.calls for p in app.points)
        assert f"study: trials 3/3  calls {study_calls:,}" in counters
        assert "this run: trials 1" in counters

        # a target below what the study has: said so, and s explains instead of failing
        field = screen.query_one("#trials-input", Input)
        field.value = "2"
        await pilot.press("s")
        await wait_for(lambda: _noted(app, "already has 3 trials", "above 3"), pilot)
        assert "3 (target 2 reached)" in shown(screen.query_one("#counters", Static))


# -- 4. the plot keeps what matters on top --------------------------------------------------

def _point(trial: int, ob: int, ur: int, *, baseline: bool = False) -> Point:
    return Point(trial, "prompts/x.j2", {}, Rate(ob, 40), Rate(ur, 40), baseline=baseline)


class PlotApp(App[None]):
    def compose(self) -> ComposeResult:
        yield FrontierPlot()


async def test_baseline_and_frontier_stay_visible_on_shared_cells() -> None:
    baseline = _point(0, 20, 10, baseline=True)
    points = (baseline, _point(1, 5, 30), _point(2, 20, 10), _point(3, 36, 36),
              _point(4, 36, 36), _point(5, 5, 30))
    app = PlotApp()
    async with app.run_test(size=(60, 20)) as pilot:
        plot = app.query_one(FrontierPlot)
        plot.frontier = (points[1], baseline)
        plot.points = points
        await pilot.pause()
        text = shown(plot)
        assert "◆" in text  # trial 2 lands on the baseline's cell, drawn before it
        assert "●" in text  # trial 5 lands on the frontier point's cell
        assert "2" in text.split("\n", 1)[1]  # trials 3 and 4 share a cell: counted
        assert "in one spot" in text.split("\n", 1)[0]  # and the legend says what it means
        plot.selected = 0
        await pilot.pause()
        assert "✚" in shown(plot)


# -- 5, 6. report, palette, tables, abbreviations -------------------------------------------

async def test_report_without_a_browser_gives_the_absolute_path(
        study: StudyConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    await run_trials(study, 2)
    monkeypatch.setattr("framing.tui.screens.frontier.open_in_browser", lambda uri: False)
    app = make_app(study, initial="frontier")
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(lambda: app.frontier_screen.details is not None, pilot)
        await pilot.press("o")
        await wait_for(lambda: _noted(app, "no browser could be opened",
                                      "open that file in a browser"), pilot, steps=600)
    note = next(n for n in _notes(app) if "report written" in n)
    path = Path(note.split("report written: ", 1)[1].split("\n", 1)[0])
    assert path.is_absolute() and path.is_file() and path.suffix == ".html"


async def test_palette_lists_mark_compare_and_revert(study: StudyConfig) -> None:
    app = make_app(study)
    async with app.run_test(size=(120, 36)):
        titles = [c.title for c in app.get_system_commands(app.screen)]
    for wanted in ("Frontier: mark point A", "Frontier: compare with A",
                   "Framings: revert to saved"):
        assert wanted in titles


async def test_home_and_end_in_the_points_table(study: StudyConfig) -> None:
    await run_trials(study, 4)
    app = make_app(study, initial="frontier")
    async with app.run_test(size=(120, 36)) as pilot:
        table = app.frontier_screen.query_one("#point-table", DataTable)
        await wait_for(lambda: table.row_count == 4, pilot)
        # the ★ comes with the rows (computed from the points in hand)
        assert app.frontier_screen.recommended is not None
        table.focus()
        await pilot.press("end")
        assert table.cursor_row == 3
        await pilot.press("home")
        assert table.cursor_row == 0


async def test_data_table_gives_the_text_room(study: StudyConfig) -> None:
    app = make_app(study, initial="data")
    async with app.run_test(size=(120, 36)) as pilot:
        table = app.data_screen.query_one("#sample-table", DataTable)
        await wait_for(lambda: table.row_count > 0, pilot)
        await pilot.pause()
        text = next(c for c in table.columns.values() if c.key.value == "text")
        assert text.width >= 30
        first = app.data_screen.shown[0]
        assert first.text[:30] in shown(table)


def test_pattern_abbreviations_read_not_sure() -> None:
    assert abbrev("borderline_safe_unsafe") == "b/s→u"
    assert abbrev("not_sure_safe_borderline") == "?/s→b"
    assert abbrev("safe_not_sure_not_sure") == "s/?→?"
    assert abbrev("odd") == "odd"


async def test_run_table_explains_skipped_trial_numbers(study: StudyConfig) -> None:
    app = make_app(study)
    async with app.run_test(size=(120, 36)) as pilot:
        table = app.run_screen.query_one("#trial-table", DataTable)
        await app.workers.wait_for_complete()  # the (empty) study is read first
        await pilot.pause()
        points = [_point(0, 20, 10, baseline=True), _point(1, 5, 30), _point(4, 9, 9)]
        app._set_points(points, points)
        await pilot.pause()
        assert table.row_count == 3
        assert "# skips 2: repeats or unfinished" in str(table.border_subtitle)
        assert "repeated a framing already evaluated" in str(table.tooltip)
        app._set_points(points[:2], points[:2])
        await pilot.pause()
        assert not table.border_subtitle


async def test_quit_save_on_the_read_only_demo_stays_open(workspace: Path) -> None:
    from framing.config import load_study

    app = make_app(load_study(None, [f'storage.url="sqlite:///{workspace}/f.db"']),
                   initial="framings")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _ready(app, pilot)
        await _type_at_start(screen, pilot, "zz")
        await pilot.press("ctrl+q")
        await wait_for(lambda: _modal(app) == "UnsavedModal", pilot)
        await pilot.press("s")
        await wait_for(lambda: _noted(app, "read-only"), pilot)
        assert app.is_running and screen.unsaved()
