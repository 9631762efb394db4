"""Frontier: pick a point → its parameters, rates, per-category bars, the samples it got
wrong with the responses; compare two points; open the HTML report.

The points table and the plot follow the study while the screen is hidden, changed only
where they differ (as the Run screen's table), so showing the screen does no work of its
own: an F2/F3 switch draws what is already there. The ★ is computed from the points in
hand by :func:`framing.assessment.recommend`, the rule ``framing frontier`` and the report
use, rather than by a full assessment (database reads in a thread, whose CPU time slowed
every key press while the search ran). A frontier framing whose template was edited or
removed since it ran is marked † (:func:`framing.versions.not_in_space`, the report's
rule), checked in a worker when the frontier changes, after a template is saved and on a
reload.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.css.query import NoMatches
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from framing.assessment import recommend
from framing.compare import lower_text
from framing.config import StudyConfig
from framing.constraints import Constraints
from framing.data.schema import Sample
from framing.drilldown import PairedTrials, SampleOutcome, TrialDetails
from framing.points import Point
from framing.stats import Rate
from framing.tui.messages import settle_cursor
from framing.tui.screens.base import FramingScreen
from framing.tui.screens.run import pct, short_label, trial_number
from framing.tui.widgets.keyline import KeyLine
from framing.tui.widgets.plot import FrontierPlot
from framing.tui.widgets.screenbar import ScreenBar
from framing.tui.widgets.table import RowTable

BAR = 10


class DetailsLoaded(Message):
    def __init__(self, details: TrialDetails) -> None:
        super().__init__()
        self.details = details


class ComparisonLoaded(Message):
    def __init__(self, comparison: PairedTrials) -> None:
        super().__init__()
        self.comparison = comparison


class CalibrationLoaded(Message):
    """The judge's calibration from the researcher's labels (None: no labels)."""

    def __init__(self, calibration: Any) -> None:
        super().__init__()
        self.calibration = calibration


class SpaceChecked(Message):
    """Which frontier trials' framings (of those checked) are no longer in the space."""

    def __init__(self, framings: frozenset[tuple[str, str]], trials: frozenset[int]) -> None:
        super().__init__()
        self.framings = framings
        self.trials = trials


class ReportBuilt(Message):
    def __init__(self, path: str, opened: bool) -> None:
        super().__init__()
        self.path = path  # absolute
        self.opened = opened  # a browser took it


def bar(rate: Rate, width: int = BAR) -> Text:
    """``███░░░ 33% (3/9)``; an empty subset shows n/a."""
    if rate.n == 0:
        return Text("n/a".ljust(width + 12), style="dim")
    filled = round(rate.value * width)
    text = Text("█" * filled, style="bold")
    text.append("░" * (width - filled), style="dim")
    text.append(f" {100 * rate.value:3.0f}% ({rate.k}/{rate.n})".ljust(12))
    return text


def summary(details: TrialDetails, corrected: list[tuple[str, str]] | None = None) -> Text:
    """Plain lines (no width-dependent table layout, so what is drawn never depends on
    when the pane learnt its width); ``corrected``: rows for rates corrected by labels."""
    p = details.point
    rows = [
        ("trial", f"{p.trial}" + ("  (baseline)" if p.baseline else "")),
        ("template", p.framing_name),
        ("parameters", json.dumps(p.params) if p.params else "none"),
        ("over-blocking", str(p.over_blocking)),
        ("under-refusal", str(p.under_refusal)),
    ]
    if p.false_refusal is not None:
        rows.append(("false refusal", str(p.false_refusal)))
    rows += corrected or []
    rows += [("other", f"partial {p.partial}   errors {p.errors}   "
                       f"undetermined {p.undetermined}"),
             ("calls", f"{p.calls} new, {p.cache_hits} from cache")]
    text = Text()
    for label, value in rows:
        text.append(f"{label:<15}", style="dim")
        text.append(value + "\n")
    text.append("\nper category", style="bold")
    text.append(f"{'':<11}over-blocking{'':<10}under-refusal\n", style="dim")
    for c in details.categories:
        text.append(f"{c.category:<4}{c.name[:18]:<19}")
        text.append_text(bar(c.over_blocking))
        text.append(" ")
        text.append_text(bar(c.under_refusal))
        text.append("\n")
    return text


def corrected_lines(point: Point, calibration: Any) -> list[tuple[str, str]]:
    """Summary rows with the point's rates corrected for judge error by the researcher's
    labels (none without labels)."""
    if calibration is None:
        return []
    from framing.judging.calibration import corrected_keys

    keys = corrected_keys(point, calibration)
    rows = []
    for key, label in (("over_blocking", "ob corrected"), ("under_refusal", "ur corrected")):
        value, ci = keys[f"{key}_corrected"], keys[f"{key}_corrected_ci"]
        rows.append((label, "n/a (label more refusals and non-refusals of this subset)"
                     if value is None else
                     f"{100 * value:.1f}% [{100 * ci[0]:.1f}, {100 * ci[1]:.1f}] "
                     f"(your labels, {calibration.labels.split(', ')[-1]})"))
    return rows


def comparison_view(cmp: PairedTrials) -> RenderableType:
    table = Table(title=f"trial {cmp.a} (A) vs trial {cmp.b} (B): paired on the same samples",
                  title_justify="left")
    for col in ("axis", "A", "B", "only A", "only B", "McNemar p", "difference"):
        table.add_column(col)
    for name, c in (("under-refusal", cmp.under_refusal), ("over-blocking", cmp.over_blocking)):
        table.add_row(name, pct(c.rate_a), pct(c.rate_b), str(c.b), str(c.c),
                      f"{c.p_value:.3g}", lower_text(c))
    note = Text("only A / only B: samples where just one framing refused (over-blocking) or "
                "answered (under-refusal); errors excluded.", style="dim")
    return Group(table, note)


class FrontierScreen(FramingScreen):
    """The study's points, best first; details of the highlighted one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "mark", "Mark A"),
        Binding("c", "compare", "Compare"),
        Binding("o", "report", "Report"),
        Binding("r", "app.reload_points", "Reload"),
    ]

    points: reactive[tuple[Point, ...]] = reactive(tuple, always_update=True)
    frontier: reactive[tuple[Point, ...]] = reactive(tuple, always_update=True)
    selected: reactive[int | None] = reactive(None)

    def __init__(self, config: StudyConfig, storage: str) -> None:
        super().__init__()
        self.ready = False  # set on mount: watchers before that have nothing to draw on
        self.config = config
        self.storage = storage
        self.samples: Mapping[str, Sample] = {}
        self.marked: int | None = None
        self.details: TrialDetails | None = None
        self._pending: int | None = None
        self._rows: dict[str, tuple[Text | str, ...]] = {}  # the points table's, by row key
        self._order: list[str] = []  # its row keys, top to bottom
        #: from the researcher's labels (framing.labels), when there are any
        self.calibration: Any = None
        #: labels were given since the calibration was read (reread when shown)
        self.calibration_stale = False
        self.constraints = Constraints.of(config.search)
        #: the recommended trial, by the rule ``framing frontier`` and the report use
        self.recommended: int | None = None
        #: frontier trials whose framing is no longer in the current space (marked †)
        self.outside: frozenset[int] = frozenset()
        #: the frontier's framings (template, version) that ``outside`` was checked for
        self._space_checked: frozenset[tuple[str, str]] | None = None
        #: the template files may have changed since the last check (a template saved,
        #: the study reloaded): checked again at the next draw or showing
        self.space_stale = False

    def compose(self) -> ComposeResult:
        yield ScreenBar()
        with Horizontal(id="frontier-top"):
            yield RowTable(id="point-table", cursor_type="row", zebra_stripes=True,
                           empty="no points yet: run the study on the Run screen (F2, s)")
            yield FrontierPlot(id="frontier-plot")
        with TabbedContent(id="details"):
            with TabPane("Summary", id="tab-summary"), VerticalScroll():
                yield Static("highlight a point to see its details", id="summary")
            with TabPane("Over-blocked", id="tab-over"), Horizontal(classes="outcomes"):
                yield RowTable(id="over-table", cursor_type="row")
                with VerticalScroll(classes="response-pane"):
                    yield Static(id="over-response", markup=False)
            with TabPane("Missed", id="tab-missed"), Horizontal(classes="outcomes"):
                yield RowTable(id="missed-table", cursor_type="row")
                with VerticalScroll(classes="response-pane"):
                    yield Static(id="missed-response", markup=False)
            with TabPane("Compare", id="tab-compare"), VerticalScroll():
                yield Static("mark a point with m, highlight another, press c", id="compare")
        yield KeyLine()

    def on_mount(self) -> None:
        self.ready = True
        settle_cursor(self)
        table = self.query_one("#point-table", DataTable)
        for label, key, width in (("#", "trial", 4), ("over-blocking", "ob", 18),
                                  ("under-refusal", "ur", 18), ("framing", "framing", 60)):
            table.add_column(label, key=key, width=width)
        for tid in ("#over-table", "#missed-table"):
            t = self.query_one(tid, DataTable)
            columns: tuple[tuple[str, str, int | None], ...] = (
                ("sample", "id", 10), ("cat", "cat", 4), ("verdict", "verdict", 10),
                ("request", "text", None))
            for name, column, size in columns:
                t.add_column(name, key=column, width=size)
        table.border_title = "points (● frontier, ◆ baseline, ★ recommended)"
        table.focus()
        self.watch_points(self.points)
        self.load_calibration()

    # -- state handed down ---------------------------------------------------------------

    def watch_points(self, points: tuple[Point, ...]) -> None:
        if not self.ready:
            return
        # the app may be closing and have taken the widgets: a late update draws nothing
        with contextlib.suppress(NoMatches):
            self._draw(points)

    def _draw(self, points: tuple[Point, ...]) -> None:
        """The table (frontier first, then by over-blocking), the plot and the cursor."""
        on_front = {p.trial for p in self.frontier}
        chosen, _rule = recommend(points, self.constraints)
        self.recommended = None if chosen is None else chosen.trial
        ordered = sorted(points, key=lambda p: (p.trial not in on_front, p.over_blocking.value
                                                if p.over_blocking.n else 2.0, p.trial))
        table = self.query_one("#point-table", DataTable)
        current = self.selected if self._pending is None else self._pending
        outside = self.outside & on_front
        rows = {str(p.trial): point_row(p, on_front, self.recommended, outside)
                for p in ordered}
        order = list(rows)
        _show_rows(table, self._rows, rows, order, self._order)
        self._rows, self._order = rows, order
        table.border_subtitle = OUTSIDE_LEGEND if outside else ""
        self._check_space_if_due()
        plot = self.query_one("#frontier-plot", FrontierPlot)
        plot.frontier = self.frontier
        plot.points = points
        if current is None or str(current) not in rows:
            current = ordered[0].trial if ordered else None
        if current is not None:
            self._pending = None
            row = table.get_row_index(str(current))
            if table.cursor_row != row:
                table.move_cursor(row=row)
            self._highlight(current)

    def on_screen_resume(self) -> None:
        if self.calibration_stale:
            # labels were given on the Label screen: reread once the screen is drawn
            self.calibration_stale = False
            self.call_after_refresh(self.load_calibration)
        if self.space_stale:
            # a template was saved on the Framings screen: a frontier framing may have left
            # the space
            self.call_after_refresh(self._check_space_if_due)

    def _check_space_if_due(self) -> None:
        """Check the frontier's framings against the template files when they changed
        or the files may have (``space_stale``)."""
        framings = _framings(self.frontier)
        if framings != self._space_checked or self.space_stale:
            self._space_checked, self.space_stale = framings, False
            self.check_space(self.frontier)

    @work(thread=True, exclusive=True, exit_on_error=False, group="space")
    def check_space(self, front: tuple[Point, ...]) -> None:
        from framing.versions import not_in_space

        gone = not_in_space(front, self.config.template_root)
        self.post_message(SpaceChecked(_framings(front), frozenset(p.trial for p in gone)))

    def on_space_checked(self, message: SpaceChecked) -> None:
        if message.framings != self._space_checked:
            return  # a check of an older frontier, overtaken
        if message.trials != self.outside:
            self.outside = message.trials
            self.watch_points(self.points)

    @work(thread=True, exclusive=True, exit_on_error=False, group="calibration")
    def load_calibration(self) -> None:
        from framing.labels import label_calibration
        from framing.storage.tables import Store

        store = Store(self.storage)
        try:
            self.post_message(CalibrationLoaded(label_calibration(self.config, store)))
        finally:
            store.close()

    def on_calibration_loaded(self, message: CalibrationLoaded) -> None:
        self.calibration = message.calibration
        if self.details is not None:
            self.query_one("#summary", Static).update(
                summary(self.details, corrected_lines(self.details.point, self.calibration)))

    def select_trial(self, trial: int) -> None:
        """Highlight ``trial`` (possibly before its row exists)."""
        self._pending = trial
        if self.ready and str(trial) in self._rows:
            table = self.query_one("#point-table", DataTable)
            table.move_cursor(row=table.get_row_index(str(trial)))
            self._pending = None
            self._highlight(trial)

    @on(DataTable.RowHighlighted, "#point-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is None or event.row_key != _cursor_key(event.data_table):
            return  # the cursor moved on since (e.g. a redraw): that row is not highlighted
        self._highlight(int(event.row_key.value))

    def _highlight(self, trial: int) -> None:
        if trial == self.selected and self.details is not None \
                and self.details.point.trial == trial:
            return
        self.selected = trial
        self.query_one("#frontier-plot", FrontierPlot).selected = trial
        self.load_details(trial)

    @on(DataTable.RowSelected, "#point-table")
    def _selected(self) -> None:
        self.query_one("#details", TabbedContent).active = "tab-summary"

    # -- details ---------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="details")
    def load_details(self, trial: int) -> None:
        from framing.drilldown import trial_details

        details = trial_details(self.config, trial, storage=self.storage,
                                samples=self.samples or None, points=list(self.points))
        self.post_message(DetailsLoaded(details))

    def on_details_loaded(self, message: DetailsLoaded) -> None:
        d = message.details
        if d.point.trial != self.selected:
            return  # a newer highlight is already loading
        self.details = d
        self.query_one("#summary", Static).update(
            summary(d, corrected_lines(d.point, self.calibration)))
        tabs = self.query_one("#details", TabbedContent)
        tabs.get_tab("tab-over").label = f"Over-blocked ({len(d.over_blocked)})"
        tabs.get_tab("tab-missed").label = f"Missed ({len(d.missed)})"
        for tid, rows, pane in (("#over-table", d.over_blocked, "#over-response"),
                                ("#missed-table", d.missed, "#missed-response")):
            table = self.query_one(tid, DataTable)
            table.clear()
            for i, o in enumerate(rows):
                table.add_row(o.sample_id, o.category or "-", o.verdict, o.text, key=str(i))
            self.query_one(pane, Static).update(
                _outcome_text(rows[0]) if rows else "none: nothing to show")

    @on(DataTable.RowHighlighted, "#over-table")
    def _over_row(self, event: DataTable.RowHighlighted) -> None:
        self._show_outcome(event, "over_blocked", "#over-response")

    @on(DataTable.RowHighlighted, "#missed-table")
    def _missed_row(self, event: DataTable.RowHighlighted) -> None:
        self._show_outcome(event, "missed", "#missed-response")

    def _show_outcome(self, event: DataTable.RowHighlighted, kind: str, pane: str) -> None:
        if self.details is None or event.row_key.value is None:
            return
        rows: list[SampleOutcome] = getattr(self.details, kind)
        i = int(event.row_key.value)
        if i < len(rows):
            self.query_one(pane, Static).update(_outcome_text(rows[i]))

    # -- compare, report, reload --------------------------------------------------------------

    def _cursor_trial(self) -> int | None:
        """The trial under the table's cursor now (the highlight message that sets
        ``selected`` may still be queued behind the key just pressed)."""
        table = self.query_one("#point-table", DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            if key is not None:
                return int(key)
        return self.selected

    def action_mark(self) -> None:
        current = self._cursor_trial()
        if current is None:
            self.notify("highlight a point first", severity="warning")
            return
        self.marked = current
        self.notify(f"trial {self.marked} marked as A: highlight another point and press c")

    def action_compare(self) -> None:
        current = self._cursor_trial()
        if self.marked is None or current is None:
            self.notify("mark a point with m, highlight another, then press c",
                        severity="warning")
            return
        if self.marked == current:
            self.notify("highlight a different point to compare with", severity="warning")
            return
        self.compare(self.marked, current)

    @work(thread=True, exclusive=True, exit_on_error=False, group="compare")
    def compare(self, a: int, b: int) -> None:
        from framing.drilldown import compare_trials

        self.post_message(ComparisonLoaded(compare_trials(self.config, a, b,
                                                          storage=self.storage)))

    def on_comparison_loaded(self, message: ComparisonLoaded) -> None:
        self.query_one("#compare", Static).update(comparison_view(message.comparison))
        self.query_one("#details", TabbedContent).active = "tab-compare"

    def action_report(self) -> None:
        self.notify("building the HTML report…")
        self.build_report()

    @work(thread=True, exclusive=True, exit_on_error=False, group="report")
    def build_report(self) -> None:
        build = _report_builder()
        if build is None:
            self.app.call_from_thread(
                self.notify, "the HTML report is not available in this build "
                "(framing.report.build_report is missing)", severity="warning")
            return
        path = Path(build(self.config, storage=self.storage)).resolve()
        self.post_message(ReportBuilt(str(path), open_in_browser(path.as_uri())))

    def on_report_built(self, message: ReportBuilt) -> None:
        if message.opened:
            self.notify(f"report written and opened in your browser: {message.path}",
                        timeout=10, markup=False)
        else:
            self.notify(f"report written: {message.path}\nno browser could be opened here: "
                        "open that file in a browser", severity="warning", timeout=20,
                        markup=False)


def open_in_browser(uri: str) -> bool:
    """Hand ``uri`` to the system's browser; False when there is none (e.g. over ssh).

    On Linux without a display only terminal browsers are left, and those would draw
    over the TUI: then the researcher is told to open the file instead."""
    import os
    import sys
    import webbrowser

    graphical = any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"))
    if sys.platform.startswith("linux") and not graphical:
        return False
    try:
        return webbrowser.open(uri)
    except webbrowser.Error:
        return False


def _report_builder() -> Any:
    """``build_report(config, storage=...)`` from the report package, if this build has it."""
    import importlib

    for module in ("framing.report", "framing.report.builder"):
        try:
            build = getattr(importlib.import_module(module), "build_report", None)
        except ImportError:
            continue
        if build is not None:
            return build
    return None


def point_row(p: Point, on_front: set[int], recommended: int | None,
              outside: frozenset[int] = frozenset()) -> tuple[Text | str, ...]:
    """The points table's cells: ``6●★``, the two rates with intervals, the framing
    (``† `` before it: no longer in the current space)."""
    mark = "◆" if p.baseline else "●" if p.trial in on_front else " "
    if p.trial == recommended:
        mark += "★"
    framing = f"{OUTSIDE_MARK} {short_label(p)}" if p.trial in outside else short_label(p)
    return (Text(f"{p.trial}{mark}"), _ci(p.over_blocking), _ci(p.under_refusal), framing)


#: before a framing no longer in the study's current space (as the report notes it)
OUTSIDE_MARK = "†"
#: the points table's subtitle while a framing is marked
OUTSIDE_LEGEND = f"{OUTSIDE_MARK} template edited or removed since: not in the current space"


#: the points table's columns, in the order of :func:`point_row`
POINT_COLUMNS = ("trial", "ob", "ur", "framing")


def _show_rows(table: DataTable[object], old: dict[str, tuple[Text | str, ...]],
               rows: dict[str, tuple[Text | str, ...]], order: list[str],
               old_order: list[str]) -> None:
    """Change ``table`` from ``old`` to ``rows`` (shown in ``order``) only where they differ.

    A search adds one trial at a time: its row is added, the cells that changed (a
    frontier or ★ mark) are updated and the rows re-sorted, which re-measures nothing,
    rather than the table rebuilt (its cost grows with the study). Rows gone (a reload of
    another study) rebuild it."""
    if not old or not set(old) <= set(rows):
        table.clear()
        for key in order:
            table.add_row(*rows[key], key=key)
        return
    for key, cells in rows.items():
        before = old.get(key)
        if before is None:
            table.add_row(*cells, key=key)
            continue
        for column, was, now in zip(POINT_COLUMNS, before, cells, strict=True):
            if was != now:
                table.update_cell(key, column, now)
    if order != old_order:
        rank = {int(key): i for i, key in enumerate(order)}
        table.sort("trial", key=lambda cell: rank[trial_number(cell)])


def _framings(points: tuple[Point, ...]) -> frozenset[tuple[str, str]]:
    """What :func:`framing.versions.not_in_space` looks at: each template and version."""
    return frozenset((p.template, p.version) for p in points)


def _cursor_key(table: DataTable[object]) -> object:
    """The row key under ``table``'s cursor (None when it is empty)."""
    if not table.row_count:
        return None
    return table.coordinate_to_cell_key(table.cursor_coordinate).row_key


def _ci(rate: Rate) -> str:
    if rate.n == 0:
        return "n/a"
    lo, hi = rate.ci
    return f"{100 * rate.value:4.1f}% [{100 * lo:.0f}–{100 * hi:.0f}]"


def _outcome_text(o: SampleOutcome) -> Text:
    text = Text()
    text.append(f"{o.sample_id}", style="bold")
    text.append(f"  {o.subset}  {o.category or ''}  {o.pattern or ''}\n", style="dim")
    text.append("request: ", style="dim")
    text.append(o.text + "\n\n")
    text.append(f"response ({o.verdict}, {o.rule}): ", style="dim")
    text.append(o.response if o.response is not None else "(no stored response)")
    return text
