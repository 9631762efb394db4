"""The live trade-off plot: every trial, the frontier line, the baseline, 95% intervals.

x is over-blocking, y is under-refusal; both are minimised, so the good corner is the
bottom left. Axes zoom to the data (in steps of 10%) so a tight cluster stays readable.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Sequence
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from framing.points import Point
from framing.tui.widgets.canvas import BrailleCanvas

Y_LABEL = 5  # width of the y-axis labels ("100%")


def axis_max(values: Sequence[float]) -> float:
    """The axis end: the largest value rounded up to 10%, at least 10%, at most 100%."""
    finite = [v for v in values if not math.isnan(v)]
    if not finite:
        return 1.0
    return min(1.0, max(0.1, math.ceil(max(finite) * 10 + 1e-9) / 10))


def draw_rank(p: Point, on_front: set[int], selected: int | None) -> tuple[int, int]:
    """Drawing order: later wins a cell, so the points that matter come last."""
    rank = (3 if p.trial == selected else 2 if p.baseline else 1 if p.trial in on_front
            else 0)
    return (rank, p.trial)


def stack_glyph(count: int) -> str:
    """``•`` for one trial in a cell; the count (``+`` above 9) when several share it."""
    return "•" if count <= 1 else str(count) if count <= 9 else "+"


class FrontierPlot(Widget):
    """Scatter of points with the frontier; ``selected`` is drawn as a cross."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "plot--point",
        "plot--frontier",
        "plot--baseline",
        "plot--interval",
        "plot--selected",
        "plot--axis",
    }

    points: reactive[tuple[Point, ...]] = reactive(tuple, always_update=True)
    frontier: reactive[tuple[Point, ...]] = reactive(tuple, always_update=True)
    selected: reactive[int | None] = reactive(None)

    def on_mount(self) -> None:
        self.border_title = "under-refusal ↑ vs over-blocking →"

    def watch_points(self, points: tuple[Point, ...]) -> None:
        self.border_subtitle = f"{len(points)} trials · {len(self.frontier)} on the frontier"

    def render(self) -> RenderableType:
        width = max(8, self.content_size.width - Y_LABEL)
        height = max(3, self.content_size.height - 3)
        style = self.get_component_rich_style
        axis = style("plot--axis")
        points = [p for p in self.points if not any(map(math.isnan, p.objectives))]
        if not points:
            return Text("no finished trials yet: start a run (Run screen, key s)", style=axis)
        on_front = {p.trial for p in self.frontier}
        xmax = axis_max([p.over_blocking.ci[1] for p in points])
        ymax = axis_max([p.under_refusal.ci[1] for p in points])
        canvas = BrailleCanvas(width, height)

        def dx(v: float) -> int:
            return round(v / xmax * (canvas.dot_width - 1))

        def dy(v: float) -> int:
            return canvas.dot_height - 1 - round(v / ymax * (canvas.dot_height - 1))

        front = sorted((p for p in points if p.trial in on_front), key=lambda p: p.objectives)
        selected = next((p for p in points if p.trial == self.selected), None)
        for p in [*front, *([selected] if selected else [])]:
            x, y = dx(p.over_blocking.value), dy(p.under_refusal.value)
            lo, hi = p.over_blocking.ci
            canvas.line(dx(lo), y, dx(hi), y, style("plot--interval"))
            lo, hi = p.under_refusal.ci
            canvas.line(x, dy(lo), x, dy(hi), style("plot--interval"))
        for a, b in itertools.pairwise(front):
            canvas.line(dx(a.over_blocking.value), dy(a.under_refusal.value),
                        dx(b.over_blocking.value), dy(b.under_refusal.value),
                        style("plot--frontier"))
        # what matters is drawn last, so nothing hides it: trials, then the frontier,
        # the baseline, the selected point; a cell holding several trials shows the count
        cells = Counter(canvas.cell(dx(p.over_blocking.value), dy(p.under_refusal.value))
                        for p in points)
        for p in sorted(points, key=lambda p: draw_rank(p, on_front, self.selected)):
            x, y = dx(p.over_blocking.value), dy(p.under_refusal.value)
            if p.trial == self.selected:
                canvas.mark(x, y, "✚", style("plot--selected"))
            elif p.baseline:
                canvas.mark(x, y, "◆", style("plot--baseline"))
            elif p.trial in on_front:
                canvas.mark(x, y, "●", style("plot--frontier"))
            else:
                canvas.mark(x, y, stack_glyph(cells[canvas.cell(x, y)]), style("plot--point"))
        stacked = sum(1 for n in cells.values() if n > 1)
        return Group(*self._frame(canvas, xmax, ymax, axis, stacked))

    def _frame(self, canvas: BrailleCanvas, xmax: float, ymax: float,
               axis: Style, stacked: int) -> list[Text]:
        rows = canvas.rows()
        lines = []
        legend = Text.assemble(("• trial ", ""),
                               ("2‥9+ trials in one spot " if stacked else "", ""),
                               ("● frontier ", self.get_component_rich_style("plot--frontier")),
                               ("◆ baseline ", self.get_component_rich_style("plot--baseline")),
                               ("✚ selected ", self.get_component_rich_style("plot--selected")),
                               ("┼ 95% CI", self.get_component_rich_style("plot--interval")))
        legend.truncate(canvas.width + Y_LABEL, overflow="ellipsis")
        lines.append(legend)
        for i, row in enumerate(rows):
            label = ""
            if i == 0:
                label = f"{ymax:.0%}"
            elif i == len(rows) - 1:
                label = "0%"
            elif i == len(rows) // 2:
                label = f"{ymax / 2:.0%}"
            line = Text(f"{label:>{Y_LABEL - 1}}┤", style=axis)
            line.append_text(row)
            lines.append(line)
        width = canvas.width
        base = Text(" " * (Y_LABEL - 1) + "└" + "─" * width, style=axis)
        lines.append(base)
        ticks = [" "] * (width + 1)
        for frac in (0.0, 0.5, 1.0):
            label = f"{xmax * frac:.0%}"
            pos = min(width - len(label), round(frac * (width - 1)))
            ticks[pos:pos + len(label)] = list(label)
        lines.append(Text(" " * Y_LABEL + "".join(ticks).rstrip(), style=axis))
        return lines
