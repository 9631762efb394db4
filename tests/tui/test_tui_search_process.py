"""The search runs in its own process: quitting the app mid-search keeps every stored
answer and finished trial, and reopening the app continues the study."""

from __future__ import annotations

from pathlib import Path

from tui_helpers import make_workspace, wait_for

from framing.drilldown import read_points
from framing.events import StudyStarted
from framing.storage.tables import Store
from framing.tui import FramingApp, make_app
from framing.tui.messages import SearchEvent


async def test_quit_mid_search_keeps_answers_and_reopening_continues(workspace: Path) -> None:
    config = make_workspace(workspace, "search.trials=30", "data.borderline=40",
                            "data.unsafe=40", "target.latency=0.02", "target.concurrency=8")
    app = make_app(config)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.run_screen
        await pilot.press("s")
        await wait_for(lambda: len(app.points) >= 2 and screen.in_flight is not None
                       and screen.progress is not None, pilot, steps=1200)
        process = screen.process
        assert process is not None and process.pid is not None
        answers_before = Store(config.storage.url).count_responses()
        await pilot.press("ctrl+q")  # mid-trial: a trial is in flight
    assert process._process is not None
    process._process.wait()  # the child ends by itself once told to stop
    assert process._process.returncode == 0

    # every answer stored before the quit is still there, and so is every finished trial
    assert Store(config.storage.url).count_responses() >= answers_before
    finished = read_points(config).points
    assert len(finished) >= 2
    assert len(finished) < 30

    # reopening continues the study where it stopped
    started: list[StudyStarted] = []

    class Recording(FramingApp):
        def on_search_event(self, message: SearchEvent) -> None:
            if isinstance(message.event, StudyStarted):
                started.append(message.event)
            super().on_search_event(message)

    target = len(finished) + 2
    again = Recording(config, trials=target)
    async with again.run_test(size=(100, 30)) as pilot:
        await wait_for(lambda: len(again.points) == len(finished), pilot)
        await pilot.press("s")
        await wait_for(lambda: bool(started) and not again.run_screen.running, pilot,
                       steps=1200)
        assert started[0].trials_done == len(finished)
        assert again.run_screen.status not in ("failed", "interrupted")
        assert not [n for n in again._notifications if n.severity == "error"]
    after = read_points(config).points
    assert len(after) == target
    assert {p.trial for p in finished} <= {p.trial for p in after}
