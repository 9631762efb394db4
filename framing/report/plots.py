"""Hand-written SVG charts for the report: nothing to download, nothing to execute.

Charts are drawn here as SVG text so a report stays small and opens offline with no
plotting library. Every string from a study (template names, parameter values) goes
through :func:`markupsafe.escape`; numbers are formatted here. Hover text sits in
``data-tip`` attributes that the page's script copies with ``textContent`` only, and in
``<title>`` elements for readers without script.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

FONT = "system-ui, -apple-system, 'Segoe UI', sans-serif"
GRID = "#e9ecef"
AXIS = "#868e96"
INK = "#212529"
TRIAL = "#adb5bd"
FRONTIER = "#1864ab"
BASELINE = "#e8590c"
CHOSEN = "#2b8a3e"


@dataclass(frozen=True)
class Scale:
    """Maps data values in [lo, hi] to pixels in [start, end]."""

    lo: float
    hi: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        span = self.hi - self.lo or 1.0
        return self.start + (value - self.lo) / span * (self.end - self.start)


@dataclass(frozen=True)
class PlotPoint:
    """One trial on the Pareto plot (rates in [0, 1])."""

    trial: int
    x: float
    y: float
    x_ci: tuple[float, float]
    y_ci: tuple[float, float]
    tip: str
    frontier: bool = False
    baseline: bool = False
    stopped_early: bool = False
    chosen: bool = False


def nice_step(span: float, max_ticks: int = 8) -> float:
    """A round tick step (1, 2, 2.5 or 5 × 10^k) giving at most ``max_ticks`` intervals."""
    if span <= 0:
        return 1.0
    raw = span / max_ticks
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * power >= raw:
            return m * power
    return 10 * power


def ticks(lo: float, hi: float, max_ticks: int = 8) -> list[float]:
    step = nice_step(hi - lo, max_ticks)
    first = math.ceil(lo / step - 1e-9) * step
    out = []
    v = first
    while v <= hi + 1e-9:
        out.append(round(v, 10))
        v += step
    return out


def rate_axis_max(values: Sequence[float], floor: float = 0.1) -> float:
    """Upper end of a rate axis: just above the data, on a tick, at most 100%."""
    top = max([floor, *values])
    step = nice_step(top * 1.05)
    return min(1.0, math.ceil(top * 1.05 / step) * step)


def pct(v: float, digits: int = 0) -> str:
    return f"{100 * v:.{digits}f}%"


def _attrs(**kw: object) -> Markup:
    parts = []
    for k, v in kw.items():
        if v is None:
            continue
        name = k.rstrip("_").replace("_", "-")
        if isinstance(v, float):
            v = f"{v:.2f}"
        parts.append(f'{name}="{escape(str(v))}"')
    return Markup(" ".join(parts))


def _svg_open(width: int, height: int, title: str, cls: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{escape(cls)}" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-family="{FONT}" font-size="12">',
        f"<title>{escape(title)}</title>",
    ]


def _grid(out: list[str], sx: Scale, sy: Scale, xt: Sequence[float], yt: Sequence[float],
          fmt_x: str, fmt_y: str) -> None:
    for v in xt:
        x = sx(v)
        out.append(f'<line {_attrs(x1=x, x2=x, y1=sy.start, y2=sy.end, stroke=GRID)}/>')
        label = pct(v) if fmt_x == "pct" else f"{v:g}"
        out.append(f'<text {_attrs(x=x, y=sy.start + 18, text_anchor="middle", fill=AXIS)}>'
                   f"{escape(label)}</text>")
    for v in yt:
        y = sy(v)
        out.append(f'<line {_attrs(x1=sx.start, x2=sx.end, y1=y, y2=y, stroke=GRID)}/>')
        label = pct(v) if fmt_y == "pct" else _compact(v)
        out.append(f'<text {_attrs(x=sx.start - 8, y=y + 4, text_anchor="end", fill=AXIS)}>'
                   f"{escape(label)}</text>")
    out.append(f'<line {_attrs(x1=sx.start, x2=sx.end, y1=sy.start, y2=sy.start, stroke=AXIS)}/>')
    out.append(f'<line {_attrs(x1=sx.start, x2=sx.start, y1=sy.start, y2=sy.end, stroke=AXIS)}/>')


def _compact(v: float) -> str:
    if abs(v) >= 1_000_000:
        return f"{v / 1_000_000:g}M"
    if abs(v) >= 1_000:
        return f"{v / 1_000:g}k"
    return f"{v:g}"


def _axis_titles(out: list[str], sx: Scale, sy: Scale, x_title: str, y_title: str) -> None:
    out.append(f'<text {_attrs(x=(sx.start + sx.end) / 2, y=sy.start + 40, text_anchor="middle", fill=INK, font_weight="600")}>'  # noqa: E501
               f"{escape(x_title)}</text>")
    cy = (sy.start + sy.end) / 2
    out.append(f'<text {_attrs(x=16, y=cy, text_anchor="middle", fill=INK, font_weight="600", transform=f"rotate(-90 16 {cy:.1f})")}>'  # noqa: E501
               f"{escape(y_title)}</text>")


def _marker(p: PlotPoint, x: float, y: float) -> str:
    if p.baseline:
        r = 7.0
        pts = f"{x:.2f},{y - r:.2f} {x + r:.2f},{y:.2f} {x:.2f},{y + r:.2f} {x - r:.2f},{y:.2f}"
        return f'<polygon {_attrs(points=pts, fill=BASELINE, stroke="#fff", stroke_width=1.5)}/>'
    if p.stopped_early:
        return (f'<circle {_attrs(cx=x, cy=y, r=5.0, fill="#fff", stroke=AXIS, stroke_width=1.5, stroke_dasharray="2 2")}/>')  # noqa: E501
    if p.frontier:
        return f'<circle {_attrs(cx=x, cy=y, r=6.0, fill=FRONTIER, stroke="#fff", stroke_width=1.5)}/>'  # noqa: E501
    return f'<circle {_attrs(cx=x, cy=y, r=4.5, fill=TRIAL, fill_opacity=0.85)}/>'


def pareto_svg(points: Sequence[PlotPoint], *, width: int = 1000, height: int = 580) -> Markup:
    """Every trial with 95% whiskers; the frontier joined; baselines and the chosen
    framing labelled; trials stopped early drawn hollow and dashed."""
    left, right, top, bottom = 64, 20, 16, 56
    xmax = rate_axis_max([p.x_ci[1] for p in points])
    ymax = rate_axis_max([p.y_ci[1] for p in points])
    sx = Scale(0.0, xmax, left, width - right)
    sy = Scale(0.0, ymax, height - bottom, top)
    out = _svg_open(width, height, "Pareto plot: over-blocking against under-refusal, "
                    "every trial with 95% intervals", "chart pareto")
    _grid(out, sx, sy, ticks(0, xmax), ticks(0, ymax), "pct", "pct")
    _axis_titles(out, sx, sy, "over-blocking: borderline requests refused →",
                 "under-refusal: unsafe requests answered →")
    out.append(f'<text {_attrs(x=sx.start + 6, y=sy.start - 6, fill=CHOSEN, font_size=11)}>'
               "ideal corner (0, 0)</text>")

    order = sorted(points, key=lambda p: (p.frontier, p.baseline, p.chosen))
    out.append('<g class="whiskers">')
    for p in order:
        colour = FRONTIER if p.frontier else (BASELINE if p.baseline else TRIAL)
        opacity = 0.9 if (p.frontier or p.baseline) else 0.45
        x, y = sx(p.x), sy(p.y)
        out.append(f'<line {_attrs(x1=sx(p.x_ci[0]), x2=sx(p.x_ci[1]), y1=y, y2=y, stroke=colour, stroke_opacity=opacity)}/>')  # noqa: E501
        out.append(f'<line {_attrs(x1=x, x2=x, y1=sy(p.y_ci[0]), y2=sy(p.y_ci[1]), stroke=colour, stroke_opacity=opacity)}/>')  # noqa: E501
    out.append("</g>")

    front = sorted((p for p in points if p.frontier), key=lambda p: (p.x, p.y))
    if len(front) > 1:
        # the attainment staircase: what the frontier guarantees between its points
        path = [f"M{sx(front[0].x):.2f},{sy(front[0].y):.2f}"]
        for b in front[1:]:
            path.append(f"H{sx(b.x):.2f}V{sy(b.y):.2f}")
        out.append(f'<path class="frontier-line" {_attrs(d="".join(path), fill="none", stroke=FRONTIER, stroke_width=2, stroke_opacity=0.8)}/>')  # noqa: E501

    out.append('<g class="points">')
    for p in order:
        x, y = sx(p.x), sy(p.y)
        classes = " ".join(c for c, on in (("pt", True), ("frontier", p.frontier),
                                            ("baseline", p.baseline),
                                            ("stopped", p.stopped_early),
                                            ("chosen", p.chosen)) if on)
        out.append(f'<g class="{classes}" tabindex="0" data-trial="{p.trial}" '
                   f'data-tip="{escape(p.tip)}"><title>{escape(p.tip)}</title>')
        if p.chosen:
            out.append(f'<circle {_attrs(cx=x, cy=y, r=11.0, fill="none", stroke=CHOSEN, stroke_width=2.5)}/>')  # noqa: E501
        out.append(_marker(p, x, y))
        out.append("</g>")
    out.append("</g>")

    for p in points:
        if p.chosen:
            _label(out, sx(p.x), sy(p.y), f"recommended · trial {p.trial}", CHOSEN, sx, sy)
        elif p.baseline:
            _label(out, sx(p.x), sy(p.y), f"baseline · trial {p.trial}", BASELINE, sx, sy)
    _legend(out, width - right - 190, top + 6)
    out.append("</svg>")
    return Markup("\n".join(out))


def _label(out: list[str], x: float, y: float, text: str, colour: str, sx: Scale,
           sy: Scale) -> None:
    right_side = x < (sx.start + sx.end) / 2
    lx = x + 14 if right_side else x - 14
    ly = y - 12 if y > sy.end + 20 else y + 22
    anchor = "start" if right_side else "end"
    out.append(f'<text class="plot-label" {_attrs(x=lx, y=ly, text_anchor=anchor, fill=colour, font_weight="700", paint_order="stroke", stroke="#fff", stroke_width=3)}>'  # noqa: E501
               f"{escape(text)}</text>")


def _legend(out: list[str], x: float, y: float) -> None:
    rows = [
        (f'<circle {_attrs(cx=x + 8, cy=y + 8, r=4.5, fill=TRIAL)}/>', "trial"),
        (f'<circle {_attrs(cx=x + 8, cy=y + 26, r=6.0, fill=FRONTIER)}/>', "frontier (joined)"),
        (f'<polygon {_attrs(points=f"{x + 8},{y + 37} {x + 15},{y + 44} {x + 8},{y + 51} {x + 1},{y + 44}", fill=BASELINE)}/>',  # noqa: E501
         "baseline"),
        (f'<circle {_attrs(cx=x + 8, cy=y + 62, r=5.0, fill="#fff", stroke=AXIS, stroke_dasharray="2 2")}/>',  # noqa: E501
         "stopped early"),
        (f'<circle {_attrs(cx=x + 8, cy=y + 80, r=9.0, fill="none", stroke=CHOSEN, stroke_width=2.5)}/>',  # noqa: E501
         "recommended"),
    ]
    out.append(f'<rect {_attrs(x=x - 6, y=y - 6, width=196, height=104, rx=6, fill="#fff", fill_opacity=0.92, stroke=GRID)}/>')  # noqa: E501
    for i, (symbol, text) in enumerate(rows):
        out.append(symbol)
        out.append(f'<text {_attrs(x=x + 24, y=y + 12 + 18 * i, fill=INK)}>{escape(text)}</text>')
    out.append(f'<text {_attrs(x=x + 24, y=y + 100, fill=AXIS, font_size=10)}>'
               "whiskers: 95% Wilson intervals</text>")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]
    colour: str


def line_svg(xs: Sequence[int], series: Sequence[Series], *, title: str, x_title: str,
             y_title: str, y_format: str = "num", width: int = 370,
             height: int = 240) -> Markup:
    """A small step chart over trial numbers (progress of a study)."""
    left, right, top, bottom = 58, 12, 28, 48
    all_values = [v for s in series for v in s.values] or [0.0]
    ymax = max(all_values) or 1.0
    if y_format == "pct":
        ymax = rate_axis_max(all_values, floor=0.01)
    else:
        step = nice_step(ymax, 5)
        ymax = math.ceil(ymax / step) * step
    xmin, xmax = (min(xs), max(xs)) if xs else (0, 1)
    sx = Scale(xmin, max(xmax, xmin + 1), left, width - right)
    sy = Scale(0.0, ymax, height - bottom, top)
    out = _svg_open(width, height, title, "chart progress")
    out.append(f'<text {_attrs(x=left, y=16, fill=INK, font_weight="700")}>{escape(title)}</text>')
    _grid(out, sx, sy, [t for t in ticks(xmin, max(xmax, xmin + 1), 6) if t == int(t)],
          ticks(0, ymax, 5), "num", y_format)
    _axis_titles(out, sx, sy, x_title, y_title)
    for s in series:
        if not xs:
            continue
        d = [f"M{sx(xs[0]):.2f},{sy(s.values[0]):.2f}"]
        for x, v in zip(xs[1:], s.values[1:], strict=True):
            d.append(f"H{sx(x):.2f}V{sy(v):.2f}")
        out.append(f'<path class="series" {_attrs(d="".join(d), fill="none", stroke=s.colour, stroke_width=2)}/>')  # noqa: E501
        for x, v in zip(xs, s.values, strict=True):
            label = pct(v, 1) if y_format == "pct" else f"{v:,.0f}"
            tip = f"trial {x}: {s.name} {label}"
            out.append(f'<circle class="dot" data-tip="{escape(tip)}" '
                       f'{_attrs(cx=sx(x), cy=sy(v), r=2.5, fill=s.colour)}><title>'
                       f"{escape(tip)}</title></circle>")
    if len(series) > 1:
        for i, s in enumerate(series):
            lx = left + 8 + 150 * i
            out.append(f'<line {_attrs(x1=lx, x2=lx + 14, y1=top + 8, y2=top + 8, stroke=s.colour, stroke_width=2)}/>')  # noqa: E501
            out.append(f'<text {_attrs(x=lx + 18, y=top + 12, fill=INK, font_size=11)}>'
                       f"{escape(s.name)}</text>")
    out.append("</svg>")
    return Markup("\n".join(out))
