"""Run: start, pause or stop the study's search; live counters, trial table and plot.

The search runs in a child process (:mod:`framing.search.process`: the code path of
``framing search``), so the UI's process only draws; a thread worker reads the child's
events and posts them as messages. Pause and stop are control messages to the child.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Button, DataTable, Input, Label, Static

from framing.config import StudyConfig
from framing.events import (
    CallsProgress,
    Notice,
    StudyFinished,
    StudyStarted,
    TrialFinished,
    TrialStarted,
)
from framing.points import Point
from framing.search.process import SearchExit, SearchProcess
from framing.tui.messages import SearchEnded, SearchEvent, SearchProgress, ShowTrial, settle_cursor
from framing.tui.screens.base import FramingScreen
from framing.tui.widgets.keyline import KeyLine
from framing.tui.widgets.plot import FrontierPlot
from framing.tui.widgets.screenbar import ScreenBar
from framing.tui.widgets.table import RowTable


def short_label(p: Point) -> str:
    """``engage(strength=strong, joint_cue=True)``: the template's stem and its values."""
    from pathlib import Path

    from framing.versions import short

    values = ", ".join(f"{k}={v}" for k, v in p.params.items())
    name = Path(p.template).stem + (f"@{short(p.version)}" if p.versioned and p.version else "")
    return f"{name}({values})" if values else name


def skipped_note(points: tuple[Point, ...]) -> str:
    """Why trial numbers have gaps: the numbers are Optuna's, and a proposal that repeats
    a framing already evaluated (free: no calls) or that did not finish keeps its number
    without a row."""
    if not points:
        return ""
    numbers = {p.trial for p in points}
    skipped = max(numbers) + 1 - len(numbers)
    if skipped <= 0:
        return ""
    return f"# skips {skipped}: repeats or unfinished"


#: the trial table's columns, in the order of :func:`trial_row`
TRIAL_COLUMNS = ("trial", "ob", "ur", "calls", "framing")


def trial_row(p: Point, on_front: set[int]) -> tuple[Text | str, ...]:
    mark = "◆" if p.baseline else "●" if p.trial in on_front else " "
    return (Text(f"{p.trial}{mark}"), pct(p.over_blocking), pct(p.under_refusal),
            str(p.calls), short_label(p))


def trial_number(cell: object) -> int:
    """The trial number of a ``6●`` cell (for sorting the table)."""
    return int("".join(c for c in str(cell) if c.isdigit()))


def explain(error: Exception) -> str:
    """A message for an unexpected failure of the search (framing's own errors already say
    what to fix)."""
    return f"{type(error).__name__}: {error}"


def pct(rate: object) -> str:
    value = getattr(rate, "value", float("nan"))
    return "n/a" if value != value else f"{100 * value:.1f}%"


class TrialsInput(Input):
    """The trials field: it only takes digits, so the footer keeps the screen's letter
    keys (s, p, x) while it has focus."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character is not None and character.isdigit()


class RunScreen(FramingScreen):
    """Start, pause and stop the search; watch trials and the frontier arrive."""

    # priority: they work (and stay in the footer) while the trials field has focus; the
    # field only takes digits, so it never needs these letters
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "start", "Start", priority=True),
        Binding("p", "pause", "Pause", priority=True),
        Binding("x", "stop", "Stop now", priority=True),
        Binding("enter", "open_trial", "Details", show=False),
    ]

    points: reactive[tuple[Point, ...]] = reactive(tuple, always_update=True)
    frontier: reactive[tuple[Point, ...]] = reactive(tuple, always_update=True)
    status: reactive[str] = reactive("idle")

    def __init__(self, config: StudyConfig, storage: str, trials: int) -> None:
        super().__init__()
        self.ready = False  # set on mount: watchers before that have nothing to draw on
        self.config = config
        self.storage = storage
        self.trials = trials
        self.running = False
        self._pausing = False
        #: the child process running the search (None when none runs)
        self.process: SearchProcess | None = None
        self._rows: dict[str, tuple[Text | str, ...]] = {}  # the trial table's, by row key
        self.done = 0  # the study's finished trials
        self._reset_counters()

    def _reset_counters(self) -> None:
        self.planned = self.trials
        #: study trials when this run started (its own trials are the ones after)
        self.done_before = self.done
        self.run_started = False
        self.calls = self.cache_hits = self.errors = 0
        self.cost = 0.0
        self.progress: CallsProgress | None = None
        self.in_flight: TrialStarted | None = None

    def compose(self) -> ComposeResult:
        yield ScreenBar()
        with Horizontal(id="run-controls"):
            yield Label("trials", classes="field-label")
            yield TrialsInput(str(self.trials), type="integer", id="trials-input", compact=True,
                        tooltip="How many trials the study should have in total "
                        "(Enter applies it)")
            yield Button("Start [s]", id="start", variant="success", compact=True)
            yield Button("Pause [p]", id="pause", variant="warning", disabled=True, compact=True)
            yield Button("Stop [x]", id="stop", variant="error", disabled=True, compact=True)
        yield Static(id="counters")
        with Horizontal(id="run-body"):
            yield RowTable(id="trial-table", cursor_type="row", zebra_stripes=True,
                           fill="framing", fill_min=16,
                           empty="no trials yet: press s to start the study")
            yield FrontierPlot(id="run-plot")
        yield Static(id="run-log")
        yield KeyLine()

    def on_mount(self) -> None:
        self.ready = True
        settle_cursor(self)
        table = self.query_one("#trial-table", RowTable)
        table.add_column("#", key="trial", width=4)
        table.add_column("over-bl.", key="ob", width=8)
        table.add_column("under-r.", key="ur", width=8)
        table.tooltip = ("over-bl.: over-blocking (borderline requests refused); under-r.: "
                         "under-refusal (unsafe requests answered); ● frontier, ◆ baseline. Trial "
                         "numbers skip proposals that repeated a framing already evaluated "
                         "(free: no calls) or that did not finish.")
        table.add_column("calls", key="calls", width=5)
        table.add_column("framing", key="framing", width=20)
        table.fill_width()
        table.border_title = "trials (newest first; enter: details)"
        table.focus()
        self._show_counters()
        self.watch_points(self.points)

    # -- state handed down by the app --------------------------------------------------

    def watch_points(self, points: tuple[Point, ...]) -> None:
        if not self.ready:
            return
        self._show_rows(points)
        table = self.query_one("#trial-table", DataTable)
        table.border_subtitle = skipped_note(points)
        plot = self.query_one("#run-plot", FrontierPlot)
        plot.frontier = self.frontier
        plot.points = points
        if not self.running:
            self.done = len(points)
        self._show_counters()

    def _show_rows(self, points: tuple[Point, ...]) -> None:
        """The trial table, newest first, changed only where it differs.

        A search adds one trial at a time: that trial's row is added and the rows whose
        frontier mark changed are updated, rather than the table rebuilt (rebuilding
        re-measures every cell of every row, a cost that grows with the study while the
        UI should stay responsive). Anything else (rows gone, a reload) rebuilds."""
        table = self.query_one("#trial-table", DataTable)
        on_front = {p.trial for p in self.frontier}
        rows = {str(p.trial): trial_row(p, on_front) for p in points}
        if not self._rows or not set(self._rows) <= set(rows):
            cursor = table.cursor_row
            table.clear()
            for key in sorted(rows, key=int, reverse=True):
                table.add_row(*rows[key], key=key)
            if rows:
                table.move_cursor(row=min(cursor, len(rows) - 1))
        else:
            added = False
            for key, cells in rows.items():
                old = self._rows.get(key)
                if old is None:
                    table.add_row(*cells, key=key)
                    added = True
                    continue
                for column, before, after in zip(TRIAL_COLUMNS, old, cells, strict=True):
                    if before != after:
                        table.update_cell(key, column, after)
            if added:
                table.sort("trial", key=trial_number, reverse=True)
        self._rows = rows

    def watch_status(self, status: str) -> None:
        if self.ready:
            self._show_counters()

    # -- actions -----------------------------------------------------------------------

    def _apply_trials(self) -> bool:
        """Take the trials field's value (False, with a message, when it is not usable)."""
        raw = self.query_one("#trials-input", Input).value.strip()
        if not raw.isdigit() or int(raw) < 1:
            self.notify("trials: give a whole number of at least 1", severity="error")
            return False
        self.trials = int(raw)
        if not self.running:
            self.planned = self.trials
            self._show_counters()
        return True

    @on(Input.Submitted, "#trials-input")
    def _trials_submitted(self) -> None:
        """Enter in the field applies the value and hands the keys back to the table."""
        if self._apply_trials():
            self.notify(f"the study will have {self.trials} trials in total: press s to run")
            self.query_one("#trial-table", DataTable).focus()

    def action_start(self) -> None:
        if self.running:
            self.notify("a search is already running", severity="warning")
            return
        if not self._apply_trials():
            return
        if self.done >= self.trials:
            self.notify(f"the study already has {self.done} trials: set the trials field "
                        f"above {self.done} (Enter applies it), then press s",
                        severity="warning", timeout=8)
            return
        self._reset_counters()
        self.running = True
        self._pausing = False
        self._set_buttons()
        self.status = "starting"
        # made here, so a pause or stop pressed before the child is up still reaches it
        self.process = SearchProcess(self.config, trials=self.trials, storage=self.storage)
        self.search(self.process)

    def action_pause(self) -> None:
        if not self.running:
            self.notify("no search is running: press s to start one", severity="warning")
            return
        self._pausing = True
        if self.process is not None:
            self.process.pause()
        self.status = "pausing after the trial in flight"

    def action_stop(self) -> None:
        if not self.running:
            self.notify("no search is running: nothing to stop", severity="warning")
            return
        self.status = "stopping"
        self.stop_search()

    def stop_search(self) -> None:
        """Stop now: the trial in flight is cancelled (its answers are kept in the cache)."""
        if self.process is not None:
            self.process.stop()

    def action_open_trial(self) -> None:
        table = self.query_one("#trial-table", DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            if key is not None:
                self.post_message(ShowTrial(int(key)))

    @on(Button.Pressed, "#start")
    def _start_pressed(self) -> None:
        self.action_start()

    @on(Button.Pressed, "#pause")
    def _pause_pressed(self) -> None:
        self.action_pause()

    @on(Button.Pressed, "#stop")
    def _stop_pressed(self) -> None:
        self.action_stop()

    @on(DataTable.RowSelected, "#trial-table")
    def _row_selected(self) -> None:
        self.action_open_trial()

    # -- the worker ----------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="search")
    def search(self, process: SearchProcess) -> None:
        """Start the child and relay what it says until it ends."""
        try:
            process.start()
        except Exception as e:  # e.g. the config cannot be handed to the child
            self.post_message(SearchEnded(error=explain(e)))
            return
        for item in process.messages():
            if isinstance(item, SearchExit):
                self.post_message(SearchEnded(item.result, error=item.error))
            elif isinstance(item, CallsProgress):
                self.post_message(SearchProgress(item))
            else:
                self.post_message(SearchEvent(item))

    def on_search_event(self, message: SearchEvent) -> None:
        event = message.event
        if isinstance(event, StudyStarted):
            self.planned, self.done = event.trials_planned, event.trials_done
            self.done_before, self.run_started = event.trials_done, True
            self.status = "running"
            self._log(event.plan)
        elif isinstance(event, TrialStarted):
            self.in_flight, self.progress = event, None
            self.status = f"running trial {event.trial}"
        elif isinstance(event, TrialFinished):
            self.done += 1
            self.calls += event.calls
            self.cache_hits += event.cache_hits
            self.cost += event.cost
            self.errors += getattr(event.point, "errors", 0)
            self.progress = None
        elif isinstance(event, Notice):
            self._log(event.message, warning=event.level == "warning")
        elif isinstance(event, StudyFinished):
            self.status = ("interrupted" if event.interrupted
                           else event.stopped_reason or "done")
        self._show_counters()

    def on_search_progress(self, message: SearchProgress) -> None:
        self.progress = message.progress
        self._show_counters()

    def on_search_ended(self, message: SearchEnded) -> None:
        self.running = False
        self.process = None
        self.in_flight = self.progress = None
        self._set_buttons()
        if message.error:
            self.status = "failed"
            from framing.tui.screens.modals import ErrorModal

            self.app.push_screen(ErrorModal("The search stopped", message.error))
        elif message.result is None:
            self.status = "stopped (the trial in flight was cancelled)"
        elif self._pausing and message.result.stopped_reason == "stopped":
            self.status = "paused (s continues)"
        else:
            self.status = message.result.stopped_reason or "done"
        self._pausing = False
        self._show_counters()

    # -- display ---------------------------------------------------------------------------

    def _set_buttons(self) -> None:
        self.query_one("#start", Button).disabled = self.running
        self.query_one("#pause", Button).disabled = not self.running
        self.query_one("#stop", Button).disabled = not self.running

    def _show_counters(self) -> None:
        if not self.ready:
            return
        p = self.progress
        in_flight = p.calls if p else 0
        calls = self.calls + in_flight
        hits = self.cache_hits + (p.cache_hits if p else 0)
        errors = self.errors + (p.errors if p else 0)
        study_calls = sum(point.calls for point in self.points) + in_flight
        trials = (f"{self.done}/{self.planned}" if self.done <= self.planned
                  else f"{self.done} (target {self.planned} reached)")
        this_run = self.done - self.done_before if self.run_started else 0
        state = self.status
        if self.in_flight is not None and p is not None:
            state += f" {p.done}/{p.total}"
        # two labelled lines: the study's totals and the status, then this run's own
        text = _pairs((("study: trials", trials), ("calls", f"{study_calls:,}")))
        text.append(state + "\n", style="italic")
        text.append_text(_pairs((("this run: trials", f"{this_run}"), ("calls", f"{calls:,}"),
                                 ("cache hits", f"{hits:,}"), ("errors", f"{errors:,}"),
                                 ("cost", f"${self.cost:.2f}"))))
        # fixed-size boxes: no layout pass of the whole screen for a counter (many a second)
        self.query_one("#counters", Static).update(text, layout=False)

    def _log(self, line: str, *, warning: bool = False) -> None:
        if self.ready:
            self.query_one("#run-log", Static).update(
                Text(line, style="bold" if warning else "dim"), layout=False)


def _pairs(pairs: tuple[tuple[str, str], ...]) -> Text:
    """``label value  label value  `` with dim labels and bold values."""
    text = Text()
    for label, value in pairs:
        text.append(f"{label} ", style="dim")
        text.append(value, style="bold")
        text.append("  ")
    return text
