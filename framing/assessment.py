"""One assessment of a stored study: what every reader of a study says about it.

``framing frontier`` (table, JSON, CSV), ``framing search``'s closing lines, ``framing
report``, the TUI's Frontier screen and ``framing export`` all read a study through
:func:`assess`, so they name the same frontier, the same probably non-dominated set,
the same ties and the same **recommended framing**.

The recommended framing, by one rule:

1. **Constraint first.** When the study sets ``max_under_refusal`` and/or
   ``max_over_blocking``, the recommendation is the constraint pick
   (:func:`framing.constraints.constraint_pick`): among full trials whose 95% Wilson
   *upper* bounds meet every limit, the one with the lowest other rate.
2. **Best balance** otherwise (and when no trial meets the constraints yet): among the
   point-estimate frontier, the framing with the lowest sum of the two rates' 95%
   *upper* bounds; ties go to the lower sum of point estimates, then the lower
   under-refusal, then the earlier trial.

Intervals enter through upper bounds in both branches: a framing is recommended for
what it can be trusted to achieve, so a point whose good estimate rests on few counted
samples (errors, truncations) ranks below one that is as good on more evidence.

The baseline → recommended comparison (exact McNemar, paired on shared samples) is
measured on the **hold-out** samples when both trials were re-evaluated there: the
recommendation was made on the search samples, and testing it on the same samples
would overstate the change (winner's curse). Without hold-out verdicts it is measured
on the search samples and says so (``measured_on == "search"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from framing.compare import (
    ALPHA,
    OBJECTIVES,
    SampleOutcomes,
    assess_frontier,
    lower_text,
    p_text,
    paired,
    stored_outcomes,
)
from framing.config import StudyConfig
from framing.constraints import Constraints, constraint_pick
from framing.errors import ConfigError
from framing.points import (
    HOLDOUT_SPLIT,
    Point,
    frontier,
    full_points,
    holdout_points,
    study_points,
)
from framing.stats import PairedComparison, Rate
from framing.storage.optuna_studies import has_optuna_tables, load_existing_study
from framing.storage.tables import Store

__all__ = ["Assessment", "AxisChange", "BaselineComparison", "assess", "best_balance",
           "load_assessment", "recommend"]

MeasuredOn = Literal["holdout", "search"]


@dataclass(frozen=True)
class AxisChange:
    """One rate of the baseline → recommended comparison, paired on the same samples."""

    name: str  # "over-blocking" | "under-refusal"
    before: Rate
    after: Rate
    paired: PairedComparison | None
    alpha: float = ALPHA

    @property
    def delta_points(self) -> float:
        return 100 * (self.after.value - self.before.value)

    @property
    def better(self) -> bool:
        return self.after.value < self.before.value

    @property
    def significant(self) -> bool:
        return self.paired is not None and self.paired.n > 0 \
            and self.paired.p_value < self.alpha

    @property
    def p_text(self) -> str:
        if self.paired is None or self.paired.n == 0:
            return "no paired samples"
        return p_text(self.paired.p_value)

    @property
    def lower_text(self) -> str:
        """Which of baseline and recommended is lower, by how much, with its p
        (:func:`framing.compare.lower_text`: the one wording of the CLI, report and TUI)."""
        if self.paired is None or self.paired.n == 0:
            return "no paired samples"
        return lower_text(self.paired, "baseline", "recommended", self.alpha)


@dataclass(frozen=True)
class BaselineComparison:
    """Baseline → recommended framing on both rates, with where it was measured."""

    baseline: Point
    recommended: Point
    measured_on: MeasuredOn
    changes: tuple[AxisChange, ...]

    @property
    def where(self) -> str:
        """Which samples the comparison rests on, in words."""
        if self.measured_on == "holdout":
            return "hold-out samples (never seen by the search)"
        return "the search samples the framing was selected on (no hold-out check yet)"


@dataclass(frozen=True)
class Assessment:
    """A study's points and what follows from them (see the module docstring).

    ``frontier`` and ``probable`` are annotated through ``Point.extra`` (so
    ``to_json`` carries the keys): ``on_frontier``, ``probably_nondominated``,
    ``tied_with``, ``recommended``, ``constraint_pick`` (only when the study has a
    constraint) and ``holdout`` (validated trials only).
    """

    points: list[Point]
    frontier: list[Point]
    probable: list[Point]
    pick: Point | None
    recommended: Point | None
    rule: str
    constraints: Constraints
    holdout: dict[int, Point]
    baseline: Point | None
    comparison: BaselineComparison | None
    stopped_early: list[Point]
    alpha: float = ALPHA

    @property
    def recommended_trial(self) -> int | None:
        return None if self.recommended is None else self.recommended.trial

    def annotate(self, points: Sequence[Point]) -> list[Point]:
        """``points`` (e.g. with other extra keys added) with this assessment's keys."""
        by_trial = {p.trial: p.extra for p in [*self.probable, *self.frontier]}
        for p in (self.pick, self.recommended):
            if p is not None:
                by_trial.setdefault(p.trial, p.extra)
        return [replace(p, extra={**p.extra, **by_trial.get(p.trial, {})}) for p in points]

    def listing(self, points: Sequence[Point]) -> list[Point]:
        """``points`` annotated, with the recommended framing appended when it is not
        among them, so a listing always names it (exactly once)."""
        out = self.annotate(points)
        rec = self.recommended
        if rec is not None and all(p.trial != rec.trial for p in out):
            out.append(rec)
        return out


def best_balance(front: Sequence[Point]) -> Point | None:
    """The frontier framing with the lowest sum of the two 95% upper bounds."""
    if not front:
        return None
    return min(front, key=lambda p: (p.over_blocking.ci[1] + p.under_refusal.ci[1],
                                     p.over_blocking.value + p.under_refusal.value,
                                     p.under_refusal.value, p.trial))


def recommend(points: Sequence[Point], constraints: Constraints) -> tuple[Point | None, str]:
    """The recommended framing among ``points`` and the rule that chose it, in words."""
    balance = ("best balance: the frontier framing with the lowest sum of the two rates' "
               "95% upper bounds")
    if constraints.active:
        pick = constraint_pick(points, constraints)
        minimised = constraints.minimised.replace("_", "-")
        if pick is not None:
            return pick, (f"constraint first: {constraints.describe()}, then the lowest "
                          f"{minimised}")
        chosen = best_balance(frontier(points))
        if chosen is not None:
            return chosen, (f"no full trial meets {constraints.describe()} yet, so the "
                            f"{balance}")
        return None, f"constraint first: {constraints.describe()}"
    return best_balance(frontier(points)), balance


def assess(study_name: str, points: Sequence[Point], store: Store, constraints: Constraints,
           alpha: float = ALPHA) -> Assessment:
    """Assess a stored study's points (``results.study_points``) on its stored verdicts."""
    candidates = full_points(points)
    front = frontier(points)
    outcomes = stored_outcomes(store, study_name, [p.trial for p in candidates])
    found = assess_frontier([(p.trial, p.objectives) for p in candidates],
                            [p.trial for p in front], outcomes, alpha)
    pick = constraint_pick(points, constraints)
    recommended, rule = recommend(points, constraints)
    baselines = [p for p in points if p.baseline]
    baseline = baselines[0] if baselines else None
    holdout = holdout_points(study_name, store,
                             [*candidates, *([baseline] if baseline is not None else [])])
    on_front = {p.trial for p in front}

    def annotated(p: Point) -> Point:
        extra: dict[str, Any] = {
            "probably_nondominated": p.trial in found.tied_with,
            "on_frontier": p.trial in on_front,
            "tied_with": list(found.tied_with.get(p.trial, ())),
            "recommended": recommended is not None and p.trial == recommended.trial,
        }
        if constraints.active:
            extra["constraint_pick"] = pick is not None and p.trial == pick.trial
        if p.trial in holdout:
            extra["holdout"] = _holdout_json(holdout[p.trial])
        return replace(p, extra={**p.extra, **extra})

    comparison = None
    if baseline is not None and recommended is not None \
            and baseline.trial != recommended.trial:
        comparison = _compare(study_name, store, baseline, recommended, holdout, outcomes,
                              alpha)
    by_trial = {p.trial: p for p in candidates}
    return Assessment(
        points=list(points),
        frontier=[annotated(p) for p in front],
        probable=[annotated(by_trial[t]) for t in found.probable],
        pick=annotated(pick) if pick is not None else None,
        recommended=annotated(recommended) if recommended is not None else None,
        rule=rule,
        constraints=constraints,
        holdout=holdout,
        baseline=baseline,
        comparison=comparison,
        stopped_early=[p for p in points if p.stopped_early],
        alpha=alpha,
    )


def load_assessment(config: StudyConfig, storage: str | None = None) -> Assessment | None:
    """The assessment of the stored study ``config.name`` (at ``storage``, else the study
    file's URL); None when the study has no stored trial yet. Reading creates nothing."""
    url = storage or config.storage.url
    if not has_optuna_tables(url):
        return None
    try:
        opt = load_existing_study(config.name, url)
    except ConfigError:  # no such study yet
        return None
    points = study_points(opt)
    if not points:
        return None
    store = Store(url)
    try:
        return assess(config.name, points, store, Constraints.of(config.search))
    finally:
        store.close()


def _compare(study_name: str, store: Store, baseline: Point, recommended: Point,
             holdout: dict[int, Point], search: dict[int, SampleOutcomes],
             alpha: float) -> BaselineComparison:
    """Baseline → recommended, on hold-out verdicts when both trials have them."""
    pair = (baseline.trial, recommended.trial)
    measured_on: MeasuredOn = "search"
    before, after = baseline, recommended
    outcomes = search
    if all(t in holdout for t in pair):
        measured_on = "holdout"
        before, after = holdout[baseline.trial], holdout[recommended.trial]
        outcomes = stored_outcomes(store, study_name, pair, HOLDOUT_SPLIT)
    if baseline.trial not in outcomes:
        outcomes = {**outcomes, **stored_outcomes(store, study_name, [baseline.trial],
                                                  "search")}
    empty = SampleOutcomes()
    a, b = outcomes.get(baseline.trial, empty), outcomes.get(recommended.trial, empty)
    changes = []
    for objective in OBJECTIVES:
        cmp = paired(a, b, objective)
        rate = "over_blocking" if objective == "over_blocking" else "under_refusal"
        changes.append(AxisChange(objective.replace("_", "-"), getattr(before, rate),
                                  getattr(after, rate), cmp if cmp.n else None, alpha))
    return BaselineComparison(baseline, recommended, measured_on, tuple(changes))


def _holdout_json(h: Point) -> dict[str, Any]:
    j = h.to_json()
    return {key: j[key] for key in ("over_blocking", "over_blocking_ci", "under_refusal",
                                    "under_refusal_ci", "n_borderline", "n_unsafe", "errors",
                                    "undetermined", "truncated")}
