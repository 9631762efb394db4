"""The report's Judge section: the study's judge against the researcher's labels
(agreement, confusion matrix, sensitivity and specificity per subset, the disagreements),
the frontier raw and corrected for judge error on one plot, and a second judge's agreement
when the study ran one.

Model output (requests, responses) reaches the page only as plain strings, which the
template's autoescape escapes; the plot escapes every string it draws.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from framing.judging.calibration import Calibration, corrected_keys
from framing.labels import LabelledResponse, label_calibration, labelled_responses
from framing.report.plots import (
    AXIS,
    CHOSEN,
    FRONTIER,
    INK,
    Scale,
    _attrs,
    _axis_titles,
    _grid,
    _svg_open,
    rate_axis_max,
    ticks,
)
from framing.secondjudge import agreement
from framing.stats import Rate
from framing.storage.labels import LabelStore

if TYPE_CHECKING:
    from framing.config import StudyConfig
    from framing.points import Point
    from framing.storage.tables import Store

__all__ = ["JudgeSection", "corrected_svg", "judge_section"]

CORRECTED = "#862e9c"
LABEL_ROWS = ("refusal", "partial", "compliance")
VERDICT_COLUMNS = ("refusal", "partial", "compliance", "undetermined")
#: disagreements shown with their text
SHOWN_DISAGREEMENTS = 12


@dataclass(frozen=True)
class Disagreement:
    label: str
    verdict: str
    subset: str
    request: str
    response: str


@dataclass(frozen=True)
class SubsetRow:
    subset: str
    agreement: Rate
    sensitivity: Rate
    specificity: Rate


@dataclass(frozen=True)
class CorrectedRow:
    trial: int
    label: str
    over_blocking: Rate
    under_refusal: Rate
    ob_corrected: float | None
    ob_corrected_ci: tuple[float, float] | None
    ur_corrected: float | None
    ur_corrected_ci: tuple[float, float] | None


@dataclass(frozen=True)
class JudgeSection:
    judge_kind: str
    n_labels: int
    #: three-way agreement with the labels
    agreement: Rate | None
    #: ``confusion[label][verdict]`` counts
    confusion: tuple[tuple[str, tuple[int, ...]], ...]
    columns: tuple[str, ...]
    subsets: tuple[SubsetRow, ...]
    disagreements: tuple[Disagreement, ...]
    n_disagreements: int
    corrected: tuple[CorrectedRow, ...]
    plot: Markup
    #: the second judge (``[judge] compare``): agreement with the first, per subset
    second_kind: str | None = None
    judges_agree: tuple[tuple[str, Rate], ...] = ()
    second_agreement: Rate | None = None


def _confusion(labelled: Sequence[LabelledResponse]) -> tuple[tuple[str, tuple[int, ...]], ...]:
    rows = []
    for label in LABEL_ROWS:
        counts = [sum(1 for r in labelled if r.label.value == label and r.item.verdict == v)
                  for v in VERDICT_COLUMNS]
        rows.append((label, tuple(counts)))
    return tuple(rows)


def _agree(labelled: Sequence[LabelledResponse], second: bool = False) -> Rate:
    pairs = [(r.label.value, r.item.second_verdict if second else r.item.verdict)
             for r in labelled]
    pairs = [(a, b) for a, b in pairs if b is not None]
    return Rate.of(sum(a == b for a, b in pairs), len(pairs))


def _subset_rows(labelled: Sequence[LabelledResponse], cal: Calibration) -> list[SubsetRow]:
    return [SubsetRow(s.subset, _agree([r for r in labelled if r.item.subset == s.subset]),
                      s.sensitivity, s.specificity) for s in cal.subsets.values()]


def judge_section(config: StudyConfig, store: Store, front: Sequence[Point]) -> JudgeSection:
    """Everything the Judge section shows (a section with no labels says how to add them)."""

    # no labels anywhere in the database: nothing to read the study's responses for
    any_labels = LabelStore(store.engine).count_labels() > 0
    labelled = labelled_responses(config, store) if any_labels else []
    cal = label_calibration(config, store) if labelled else None
    second_kind = config.judge.compare.kind if config.judge.compare is not None else None
    # what the second judge has judged so far (framing frontier and framing label run it;
    # building a report never spends a call)
    judges_agree = list(agreement(config, store).items()) if second_kind else []
    disagreements = [Disagreement(r.label.value, r.item.verdict, r.item.subset, r.item.request,
                                  r.item.response)
                     for r in labelled if r.label.value != r.item.verdict]
    corrected: list[CorrectedRow] = []
    if cal is not None:
        for p in front:
            keys = corrected_keys(p, cal)
            corrected.append(CorrectedRow(
                p.trial, p.label, p.over_blocking, p.under_refusal,
                keys["over_blocking_corrected"], _pair(keys["over_blocking_corrected_ci"]),
                keys["under_refusal_corrected"], _pair(keys["under_refusal_corrected_ci"])))
    return JudgeSection(
        judge_kind=config.judge.kind,
        n_labels=len(labelled),
        agreement=_agree(labelled) if labelled else None,
        confusion=_confusion(labelled),
        columns=VERDICT_COLUMNS,
        subsets=tuple(_subset_rows(labelled, cal)) if cal is not None else (),
        disagreements=tuple(disagreements[:SHOWN_DISAGREEMENTS]),
        n_disagreements=len(disagreements),
        corrected=tuple(corrected),
        plot=corrected_svg(corrected) if any(c.ob_corrected is not None
                                             or c.ur_corrected is not None
                                             for c in corrected) else Markup(""),
        second_kind=second_kind,
        judges_agree=tuple(judges_agree),
        second_agreement=_agree(labelled, second=True) if second_kind and labelled else None,
    )


def _pair(ci: Sequence[float] | None) -> tuple[float, float] | None:
    return None if ci is None else (float(ci[0]), float(ci[1]))


def corrected_svg(rows: Sequence[CorrectedRow], *, width: int = 1000,
                  height: int = 520) -> Markup:
    """The frontier as judged and as corrected for judge error: each framing drawn twice,
    an arrow from its raw to its corrected point, corrected points with their 95% whiskers
    (which include the calibration's uncertainty). A rate that cannot be corrected keeps
    its raw value on that axis."""
    left, right, top, bottom = 64, 20, 16, 56
    pts = []
    for r in rows:
        raw = (r.over_blocking.value, r.under_refusal.value)
        cx = r.ob_corrected if r.ob_corrected is not None else raw[0]
        cy = r.ur_corrected if r.ur_corrected is not None else raw[1]
        xci = r.ob_corrected_ci or (cx, cx)
        yci = r.ur_corrected_ci or (cy, cy)
        pts.append((r, raw, (cx, cy), xci, yci))
    xs = [v for _, raw, c, xci, _ in pts for v in (raw[0], xci[1]) if not math.isnan(v)]
    ys = [v for _, raw, c, _, yci in pts for v in (raw[1], yci[1]) if not math.isnan(v)]
    xmax, ymax = rate_axis_max(xs or [0.0]), rate_axis_max(ys or [0.0])
    sx = Scale(0.0, xmax, left, width - right)
    sy = Scale(0.0, ymax, height - bottom, top)
    out = _svg_open(width, height, "Frontier as judged and corrected for judge error",
                    "chart corrected")
    _grid(out, sx, sy, ticks(0, xmax), ticks(0, ymax), "pct", "pct")
    _axis_titles(out, sx, sy, "over-blocking →", "under-refusal →")
    for staircase, colour, dash in ((sorted(p[1] for p in pts), FRONTIER, ""),
                                    (sorted(p[2] for p in pts), CORRECTED, "5 3")):
        if len(staircase) > 1:
            d = [f"M{sx(staircase[0][0]):.2f},{sy(staircase[0][1]):.2f}"]
            d += [f"L{sx(x):.2f},{sy(y):.2f}" for x, y in staircase[1:]]
            out.append(f'<path {_attrs(d="".join(d), fill="none", stroke=colour, stroke_width=1.5, stroke_opacity=0.6, stroke_dasharray=dash or None)}/>')  # noqa: E501
    for r, raw, c, xci, yci in pts:
        x0, y0, x1, y1 = sx(raw[0]), sy(raw[1]), sx(c[0]), sy(c[1])
        tip = (f"trial {r.trial} {r.label}: judged {100 * raw[0]:.1f}% / {100 * raw[1]:.1f}%, "
               f"corrected {100 * c[0]:.1f}% / {100 * c[1]:.1f}%")
        out.append(f'<g class="pt" tabindex="0" data-trial="{r.trial}" data-tip="{escape(tip)}">'
                   f"<title>{escape(tip)}</title>")
        out.append(f'<line {_attrs(x1=x0, y1=y0, x2=x1, y2=y1, stroke=AXIS, stroke_width=1)}/>')
        out.append(f'<line {_attrs(x1=sx(xci[0]), x2=sx(xci[1]), y1=y1, y2=y1, stroke=CORRECTED, stroke_opacity=0.7)}/>')  # noqa: E501
        out.append(f'<line {_attrs(x1=x1, x2=x1, y1=sy(yci[0]), y2=sy(yci[1]), stroke=CORRECTED, stroke_opacity=0.7)}/>')  # noqa: E501
        out.append(f'<circle {_attrs(cx=x0, cy=y0, r=5.0, fill=FRONTIER, stroke="#fff")}/>')
        out.append(f'<circle {_attrs(cx=x1, cy=y1, r=5.0, fill=CORRECTED, stroke="#fff")}/>')
        out.append("</g>")
    lx, ly = width - right - 230, top + 6
    out.append(f'<rect {_attrs(x=lx - 6, y=ly - 6, width=236, height=62, rx=6, fill="#fff", fill_opacity=0.92, stroke=AXIS, stroke_opacity=0.3)}/>')  # noqa: E501
    for i, (colour, text) in enumerate(((FRONTIER, "as judged"),
                                        (CORRECTED, "corrected by your labels"))):
        out.append(f'<circle {_attrs(cx=lx + 8, cy=ly + 8 + 18 * i, r=5.0, fill=colour)}/>')
        out.append(f'<text {_attrs(x=lx + 22, y=ly + 12 + 18 * i, fill=INK)}>{escape(text)}</text>')
    out.append(f'<text {_attrs(x=lx + 22, y=ly + 48, fill=CHOSEN, font_size=10)}>'
               "whiskers: 95%, calibration included</text>")
    out.append("</svg>")
    return Markup("\n".join(out))
