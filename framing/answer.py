"""The answer a search ends with, as terminal text: baseline → recommended framing.

A few lines (each within :data:`WIDTH` columns) say what the study found: the
recommended framing and why, both framings on both rates with 95% intervals, and the
change with its paired test and the samples it was measured on. A compact table of the
frontier points follows. Everything comes from one :class:`framing.assessment.Assessment`,
so it names the same framing as ``framing frontier``, the report and the TUI.
"""

from __future__ import annotations

import textwrap

from rich.table import Table
from rich.text import Text

from framing.assessment import Assessment, AxisChange
from framing.points import Point
from framing.stats import Rate

__all__ = ["WIDTH", "answer_lines", "compact_frontier", "short_rate"]

#: the answer and the compact frontier fit this many columns
WIDTH = 100


def short_rate(rate: Rate) -> str:
    """``10.0% [5.8–16.7]``: estimate and 95% Wilson interval, in percent."""
    if rate.n == 0:
        return "n/a"
    lo, hi = rate.ci
    return f"{100 * rate.value:.1f}% [{100 * lo:.1f}–{100 * hi:.1f}]"


def _rates(role: str, p: Point, measured: Point) -> str:
    return (f"{role:<12} trial {p.trial:<4} over-blocking {short_rate(measured.over_blocking):<19}"
            f"  under-refusal {short_rate(measured.under_refusal)}")


def _change(c: AxisChange) -> str:
    return f"{c.name}: {c.lower_text}"


def answer_lines(a: Assessment) -> list[str]:
    """The closing lines of ``framing search`` (none wider than :data:`WIDTH`)."""
    rec = a.recommended
    if rec is None:
        return ["No framing has a full result yet: nothing to recommend."]
    lines = textwrap.wrap(f"recommended: trial {rec.trial} {rec.label} ({a.rule})",
                          WIDTH, subsequent_indent="  ", break_on_hyphens=False)
    cmp = a.comparison
    if a.baseline is None:
        lines.append(_rates("recommended", rec, rec))
        lines.append("no baseline trial to compare with")
        return lines
    if cmp is None:
        lines.append(_rates("recommended", rec, rec))
        lines.append("the baseline itself is the recommended framing")
        return lines
    held = cmp.measured_on == "holdout"
    before_point = a.holdout.get(cmp.baseline.trial, cmp.baseline) if held else cmp.baseline
    after_point = a.holdout.get(rec.trial, rec) if held else rec
    lines.append(_rates("baseline", cmp.baseline, before_point))
    lines.append(_rates("recommended", rec, after_point))
    where = "hold-out samples" if held else "the samples it was selected on (no hold-out yet)"
    lines.append(f"change       exact McNemar, paired on {where}:")
    lines += [" " * 13 + _change(c) for c in cmp.changes]
    return lines


def compact_frontier(a: Assessment, *, title: str) -> Table | None:
    """The frontier points only (★ recommended, ◆ baseline), for :data:`WIDTH` columns."""
    if not a.frontier:
        return None
    table = Table(title=title, title_justify="left", width=WIDTH)
    table.add_column("", width=1, no_wrap=True)
    table.add_column("trial", justify="right", no_wrap=True)
    table.add_column("framing", ratio=1, overflow="fold")
    table.add_column("over-blocking", justify="right", no_wrap=True)
    table.add_column("under-refusal", justify="right", no_wrap=True)
    for p in a.frontier:
        mark = "★" if p.extra.get("recommended") else "◆" if p.baseline else ""
        table.add_row(mark, str(p.trial), Text(p.label), short_rate(p.over_blocking),
                      short_rate(p.under_refusal))
    table.caption = "★ recommended  ◆ baseline  (95% Wilson intervals)"
    table.caption_justify = "left"
    return table
