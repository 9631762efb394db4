"""Run screen: start a search → trials appear in the table and the plot → stop."""

from __future__ import annotations

import shutil
from pathlib import Path

from textual.widgets import DataTable, Static
from tui_helpers import make_workspace, run_trials, wait_for

from framing.events import StudyStarted, TrialFinished
from framing.tui import FramingApp, make_app
from framing.tui.messages import SearchEvent
from framing.tui.widgets.plot import FrontierPlot


async def test_start_trials_appear_then_stop(workspace: Path) -> None:
    # a latency-bound simulated model, so the stop lands while a trial is in flight
    config = make_workspace(workspace, "search.trials=30", "data.borderline=40",
                            "data.unsafe=40", "target.latency=0.02", "target.concurrency=8")
    seen: list[object] = []

    class Recording(FramingApp):
        """The app, keeping every search event that reached it (the message stream)."""

        def on_search_event(self, message: SearchEvent) -> None:
            seen.append(message.event)
            super().on_search_event(message)

    app = Recording(config)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.run_screen
        await pilot.press("s")
        table = screen.query_one("#trial-table", DataTable)
        await wait_for(lambda: table.row_count >= 2, pilot, steps=600)
        await pilot.press("x")
        await wait_for(lambda: not screen.running, pilot, steps=600)

        assert any(isinstance(e, StudyStarted) for e in seen)
        finished = [e for e in seen if isinstance(e, TrialFinished)]
        assert 2 <= len(finished) < 30
        assert table.row_count == len(app.points) == len(finished)
        assert app.points[0].baseline  # the baseline is evaluated first
        counters = str(screen.query_one("#counters", Static).render())
        assert f"trials {len(finished)}/30" in counters and "calls" in counters
        assert "stopped" in screen.status
        plot = screen.query_one("#run-plot", FrontierPlot)
        assert len(plot.points) == len(finished) and plot.frontier

        # the stored study continues where it stopped; the app never crashed
        assert not [n for n in app._notifications if n.severity == "error"]


async def test_pause_finishes_the_trial_in_flight(workspace: Path) -> None:
    config = make_workspace(workspace, "search.trials=30", "data.borderline=40",
                            "data.unsafe=40", "target.latency=0.02", "target.concurrency=8")
    app = make_app(config)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.run_screen
        await pilot.press("s")
        await wait_for(lambda: screen.in_flight is not None and screen.progress is not None,
                       pilot, steps=600)
        in_flight = screen.in_flight.trial  # type: ignore[union-attr]
        await pilot.press("p")
        await wait_for(lambda: not screen.running, pilot, steps=600)
        assert screen.status.startswith("paused")
        # the trial in flight was finished, not thrown away
        assert in_flight in {p.trial for p in app.points}
        assert len(app.points) < 30


async def test_target_down_shows_a_modal_not_a_traceback(workspace: Path) -> None:
    config = make_workspace(workspace, 'target.kind="openai"', 'target.model="m"',
                            'target.base_url="http://127.0.0.1:9/v1"', "target.max_retries=0",
                            "target.timeout=2", "search.trials=2")
    app = make_app(config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("s")
        await wait_for(lambda: app.screen.__class__.__name__ == "ErrorModal", pilot,
                       steps=600)
        assert not app.run_screen.running
        await pilot.press("enter")
        await wait_for(lambda: app.screen is app.run_screen, pilot)


async def test_a_template_added_to_the_study_joins_the_search(workspace: Path) -> None:
    """Once an error modal ("give the study a new name"): a study's space now grows."""
    config = make_workspace(workspace, "search.trials=4", "data.borderline=30",
                            "data.unsafe=30")
    await run_trials(config, 2)
    shutil.copy(workspace / "prompts" / "engage.j2", workspace / "prompts" / "engage2.j2")
    app = make_app(config)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.run_screen
        await pilot.press("s")
        await wait_for(lambda: len(app.points) == 4 and not screen.running, pilot,
                       steps=600)
        assert app.screen is screen  # no error modal
        assert not [n for n in app._notifications if n.severity == "error"]


async def test_trial_table_updated_in_place_shows_what_a_rebuild_would(
        workspace: Path) -> None:
    """Trials arriving one by one (as from a search) add their row and update the frontier
    marks in place; the table then reads exactly as one built from scratch."""
    from framing.drilldown import read_points
    from framing.points import frontier
    from framing.tui.screens.run import trial_row

    config = make_workspace(workspace, "search.trials=6", "data.borderline=30",
                            "data.unsafe=30")
    await run_trials(config, 6)
    points = read_points(config).points
    app = make_app(config)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(lambda: len(app.points) == len(points), pilot)
        table = app.run_screen.query_one("#trial-table", DataTable)
        app._set_points([], [])
        marks_changed = False
        for i in range(1, len(points) + 1):
            so_far, front = points[:i], frontier(points[:i])
            app._set_points(so_far, front)
            await pilot.pause()
            on_front = {p.trial for p in front}
            expected = [tuple(str(c) for c in trial_row(p, on_front))
                        for p in sorted(so_far, key=lambda p: p.trial, reverse=True)]
            shown = [tuple(str(c) for c in table.get_row_at(r)) for r in range(table.row_count)]
            assert shown == expected
            marks_changed |= any(p.trial not in on_front for p in points[: i - 1]
                                 if p.trial in {q.trial for q in frontier(points[: i - 1])})
        assert marks_changed  # the run exercised a mark going away, not only additions
