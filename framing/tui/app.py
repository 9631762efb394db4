"""The ``framing tui`` application: four screens (modes) over one study.

The app owns the study's shared state (its samples and points) and hands it down to the
screens as attributes; screens and workers report back with messages. Every read of the
database or the disk happens in a worker thread, through core functions
(:mod:`framing.drilldown`, :mod:`framing.search`); handlers only move data around.

Keeping up with the hand while a search runs (profiled in ``benchmarks/tui.py``): the
screens are built once and kept, and follow the study while hidden, so a switch only
draws; the switch paints at once (Textual holds every ``switch_mode`` back 50 ms, meant
to hide a screen being built); a change of the app's CSS (its theme, set at start) restyles
every kept screen then, not the next time each is shown; trials finishing reach the
screens at most :data:`POINTS_EVERY` apart, as one update; and the objects loaded at start
are frozen out of the garbage collector's full passes (see :func:`_freeze_loaded`).
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from pathlib import Path
from time import monotonic
from typing import ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import AwaitMount
from textual.worker import Worker

from framing.config import StudyConfig
from framing.data.schema import Sample
from framing.drilldown import read_points, storage_url
from framing.events import StudyFinished, TrialFinished
from framing.points import Point, frontier
from framing.tui.failures import report_failure
from framing.tui.messages import PointsLoaded, SearchEvent, ShowTrial
from framing.tui.screens.data import DataScreen, SamplesLoaded
from framing.tui.screens.framings import FramingsScreen, Saved
from framing.tui.screens.frontier import FrontierScreen
from framing.tui.screens.label import LabelScreen, LabelWritten
from framing.tui.screens.modals import UnsavedModal
from framing.tui.screens.run import RunScreen

MODES_ORDER = ("framings", "run", "frontier", "data", "label")

#: the screens built when the app starts (the others when first shown)
BUILT_AT_START = ("run", "frontier")

#: seconds between two updates of the screens' points while trials finish (a busy search
#: finishes several a second; each update redraws the tables and plots)
POINTS_EVERY = 0.5


class FramingApp(App[None]):
    """Write framings, run a study and watch its frontier grow, drill into it."""

    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses may live elsewhere
    TITLE = "framing"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "show('framings')", "Framings"),
        Binding("f2", "show('run')", "Run"),
        Binding("f3", "show('frontier')", "Frontier"),
        Binding("f4", "show('data')", "Data"),
        Binding("f5", "show('label')", "Label", show=False),  # palette: Label screen
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(self, config: StudyConfig, *, storage: str | None = None,
                 initial: str = "run", trials: int | None = None,
                 cursor_blink: bool = True) -> None:
        super().__init__()
        #: off for snapshots, so a screenshot never catches the cursor mid-blink
        self.cursor_blink = cursor_blink
        self.config = config
        self.storage = storage_url(config, storage)
        self.initial = initial
        self.points: list[Point] = []
        self.front: list[Point] = []
        self.samples: list[Sample] = []
        #: trials finished since the screens' last update, by trial number
        self._arrived: dict[int, Point] = {}
        self._points_shown_at = 0.0  # monotonic time of that update
        self._points_timer: Timer | None = None
        self._no_delay = False  # set while switching to a screen already built
        self.framings_screen = FramingsScreen(config)
        self.run_screen = RunScreen(config, self.storage,
                                    trials if trials is not None else config.search.trials)
        self.frontier_screen = FrontierScreen(config, self.storage)
        self.data_screen = DataScreen()
        self.label_screen = LabelScreen(config, self.storage)
        screens: dict[str, Screen[None]] = {
            "framings": self.framings_screen,
            "run": self.run_screen,
            "frontier": self.frontier_screen,
            "data": self.data_screen,
            "label": self.label_screen,
        }
        for name, screen in screens.items():
            self.add_mode(name, lambda s=screen: s)  # type: ignore[misc]
        sim = " · simulated model" if config.simulated else ""
        self.sub_title = f"study {config.name}{sim}"

    def on_mount(self) -> None:
        # the Run and Frontier screens, the pair a running study is watched on, are built
        # now, under the start's delayed first paint, so the first F2/F3 does not compose
        # a screen (200 ms to 1 s, measured); the other screens are built when first shown
        for mode in BUILT_AT_START:
            if mode != self.initial:
                self.switch_mode(mode)
        self.switch_mode(self.initial)
        self.load_samples()
        self.load_points()

    # -- shared state, handed down ---------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="samples")
    def load_samples(self) -> None:
        from framing.drilldown import load_study_samples

        self.post_message(SamplesLoaded(load_study_samples(self.config)))

    @work(thread=True, exclusive=True, exit_on_error=False, group="points")
    def load_points(self) -> None:
        found = read_points(self.config, self.storage)
        self.post_message(PointsLoaded(found.points, found.frontier))

    def on_samples_loaded(self, message: SamplesLoaded) -> None:
        if not self.is_running:
            return  # the app is closing: its screens' widgets may already be gone
        self.samples = message.samples
        _freeze_loaded()
        self.framings_screen.samples = tuple(message.samples)
        self.data_screen.samples = tuple(message.samples)
        self.frontier_screen.samples = {s.id: s for s in message.samples}

    def on_points_loaded(self, message: PointsLoaded) -> None:
        self.frontier_screen.space_stale = True  # a reload also rereads the template files
        self._set_points(message.points, message.frontier)
        _freeze_loaded()

    def on_search_event(self, message: SearchEvent) -> None:
        event = message.event
        if isinstance(event, TrialFinished) and event.point is not None:
            self._arrived[event.point.trial] = event.point
            wait = self._points_shown_at + POINTS_EVERY - monotonic()
            if wait <= 0:
                self._show_arrived()  # the first trial in a while shows at once
            elif self._points_timer is None:
                self._points_timer = self.set_timer(wait, self._show_arrived)
        elif isinstance(event, StudyFinished):
            self._show_arrived()
            self.load_points()

    def _show_arrived(self) -> None:
        """Hand the trials finished since the last update to the screens, as one update."""
        if self._points_timer is not None:
            self._points_timer.stop()
            self._points_timer = None
        if not self._arrived:
            return
        by_trial = {p.trial: p for p in self.points}
        by_trial.update(self._arrived)
        self._arrived.clear()
        points = sorted(by_trial.values(), key=lambda p: p.trial)
        self._set_points(points, frontier(points))
        self._points_shown_at = monotonic()

    def on_label_written(self, message: LabelWritten) -> None:
        self.frontier_screen.calibration_stale = True  # its corrected rates changed

    def on_saved(self, message: Saved) -> None:
        self.frontier_screen.space_stale = True  # a frontier framing may have left the space

    def _set_points(self, points: list[Point], front: list[Point]) -> None:
        self.points, self.front = points, front
        if not self.is_running:
            return  # the app is closing: its screens' widgets may already be gone
        for screen in (self.run_screen, self.frontier_screen):
            screen.frontier = tuple(front)
            screen.points = tuple(points)

    def action_reload_points(self) -> None:
        self.load_points()

    def on_show_trial(self, message: ShowTrial) -> None:
        self.action_show("frontier")
        self.frontier_screen.select_trial(message.trial)

    # -- navigation and commands ----------------------------------------------------------

    def action_show(self, mode: str) -> None:
        self.switch_mode(mode)

    def switch_mode(self, mode: str) -> AwaitMount:
        """Switch screens; one already built is painted at once (see :meth:`delay_update`)."""
        self._no_delay = mode in self._screen_stacks
        try:
            return super().switch_mode(mode)
        finally:
            self._no_delay = False

    def refresh_css(self, animate: bool = True) -> None:
        """Restyle for a changed stylesheet or theme, every kept screen at once.

        Textual restyles the shown mode's screens here and each other mode's screen the
        next time it is shown, inside that switch: profiled, 150–400 ms on the first
        F2/F3 after the theme is set at start. Restyling a hidden screen now costs the
        same once, when nobody is waiting for a key."""
        super().refresh_css(animate)
        for stack in self._screen_stacks.values():
            for screen in stack:
                if screen.is_mounted and screen._css_update_count != self._css_update_count:
                    self.stylesheet.update(screen, animate=animate)
                    screen._css_update_count = self._css_update_count

    def delay_update(self, delay: float = 0.05) -> None:
        """Textual's ``switch_mode`` holds painting back ``delay`` (50 ms) to hide a screen
        being built. The app's screens are built once and kept, so switching back to one
        has nothing to hide: profiled, that wait was most of a switch's time with the search
        paused. The first showing of a screen, and every other caller, keep the delay."""
        if not self._no_delay:
            super().delay_update(delay)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield SystemCommand("Framings screen", "Edit, lint and preview templates (F1)",
                            lambda: self.action_show("framings"))
        yield SystemCommand("Run screen", "Start or stop the search, live table and plot (F2)",
                            lambda: self.action_show("run"))
        yield SystemCommand("Frontier screen", "Pick a point, compare two, open the report (F3)",
                            lambda: self.action_show("frontier"))
        yield SystemCommand("Data screen", "Browse samples by subset, category, pattern (F4)",
                            lambda: self.action_show("data"))
        yield SystemCommand("Label screen", "Label the study's responses yourself: r p c, "
                            "s skip, u undo (F5)", lambda: self.action_show("label"))
        yield SystemCommand("Run: start search", "Run (or continue) the study",
                            self.run_screen.action_start)
        yield SystemCommand("Run: pause", "Stop after the trial in flight",
                            self.run_screen.action_pause)
        yield SystemCommand("Run: stop now", "Cancel the trial in flight (answers are kept)",
                            self.run_screen.action_stop)
        yield SystemCommand("Frontier: mark point A", "Mark the highlighted point to compare (m)",
                            self.frontier_screen.action_mark)
        yield SystemCommand("Frontier: compare with A", "Compare the highlighted point with "
                            "the marked one (c)", self.frontier_screen.action_compare)
        yield SystemCommand("Frontier: open HTML report", "Build the study's report and open it",
                            self.frontier_screen.action_report)
        yield SystemCommand("Framings: save template", "Write the edited template (ctrl+s)",
                            self.framings_screen.action_save)
        yield SystemCommand("Framings: new template from this one", "Copy it under a new name",
                            self.framings_screen.action_new)
        yield SystemCommand("Framings: revert to saved", "Put the saved file back (ctrl+r; "
                            "ctrl+z undoes)", self.framings_screen.action_revert)
        yield SystemCommand("Reload study", "Re-read the stored points",
                            self.load_points)
        yield from super().get_system_commands(screen)

    # -- errors and shutdown ---------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The app's failed workers, like every screen's: a notification, never silence."""
        report_failure(self, event)

    async def action_quit(self) -> None:
        """Quit; unsaved template edits are saved or discarded first, as the user says."""
        unsaved = self.framings_screen.unsaved()
        if not unsaved:
            self._quit_now()
            return

        def answered(choice: str | None) -> None:
            if choice == "save":
                self.run_screen.stop_search()
                self.framings_screen.save_all_then_quit()
            elif choice == "discard":
                self._quit_now()

        self.push_screen(UnsavedModal("quit", [Path(n).name for n in unsaved]), answered)

    def _quit_now(self) -> None:
        self.run_screen.stop_search()
        self.exit()


def _freeze_loaded() -> None:
    """Move every object alive now out of the garbage collector's reach (``gc.freeze``).

    The app's process holds a few hundred thousand long-lived objects (Textual, Optuna,
    SQLAlchemy, the samples); each full collection walked all of them, 130 ms of CPU
    (400 ms on a loaded machine) at random moments, often in the middle of a screen
    switch. Frozen, a full collection only walks what was made since. Called once the
    study's samples and points are loaded (and again when they are reloaded); objects
    freed later by reference counting are still freed."""
    gc.freeze()


def make_app(config: StudyConfig, *, storage: str | None = None, initial: str = "run",
             trials: int | None = None, cursor_blink: bool = True) -> FramingApp:
    """Build the app the same way for the CLI, tests and snapshots."""
    if initial not in MODES_ORDER:
        raise ValueError(f"initial screen must be one of {', '.join(MODES_ORDER)}")
    return FramingApp(config, storage=storage, initial=initial, trials=trials,
                      cursor_blink=cursor_blink)


def run(config: StudyConfig, *, storage: str | None = None) -> None:
    """Run the app in this terminal (``framing tui``)."""
    make_app(config, storage=storage).run()
