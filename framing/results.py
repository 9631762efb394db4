"""Points (evaluated framings) read back from a stored study, and the frontier.

A *point* is the JSON contract of DESIGN §10: ``trial``, ``template``, ``params``,
``over_blocking`` (+ ``_ci``), ``under_refusal`` (+ ``_ci``), ``n_borderline``,
``n_unsafe``, ``errors``. Everything here is read from the study database, never from
UI state, so the CLI, the TUI and the report agree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import optuna

from framing.judging import point_keys
from framing.stats import Rate, pareto_front

#: trial user-attribute names (the stored contract between search and readers)
ATTR_TEMPLATE = "template"
ATTR_PARAMS = "params"
ATTR_TALLY = "tally"
ATTR_CALLS = "calls"
ATTR_CACHE_HITS = "cache_hits"
ATTR_COST = "cost"
ATTR_TOKENS = "tokens"
ATTR_BASELINE = "baseline"
ATTR_STOPPED_EARLY = "stopped_early"
#: set on a trial whose framing an earlier trial already evaluated (it cost no call)
ATTR_DUPLICATE_OF = "duplicate_of"
#: study user-attribute names: one entry per run of ``run_search`` (framing version,
#: sampler, seed, wall time...) and the source text of every template the study used
STUDY_ATTR_RUNS = "runs"
STUDY_ATTR_TEMPLATE_SOURCES = "template_sources"


@dataclass(frozen=True)
class Point:
    trial: int
    template: str
    params: dict[str, Any]
    over_blocking: Rate
    under_refusal: Rate
    errors: int = 0
    undetermined: int = 0
    partial: int = 0
    false_refusal: Rate | None = None
    calls: int = 0
    cache_hits: int = 0
    cost: float = 0.0
    baseline: bool = False
    stopped_early: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def objectives(self) -> tuple[float, float]:
        return (self.over_blocking.value, self.under_refusal.value)

    @property
    def label(self) -> str:
        params = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.template}({params})" if params else self.template

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "trial": self.trial,
            "template": self.template,
            "params": dict(self.params),
            "over_blocking": _num(self.over_blocking.value),
            "over_blocking_ci": list(self.over_blocking.ci),
            "under_refusal": _num(self.under_refusal.value),
            "under_refusal_ci": list(self.under_refusal.ci),
            "n_borderline": self.over_blocking.n,
            "n_unsafe": self.under_refusal.n,
            "errors": self.errors,
            "undetermined": self.undetermined,
            "partial": self.partial,
            "baseline": self.baseline,
            "stopped_early": self.stopped_early,
            "calls": self.calls,
            "cache_hits": self.cache_hits,
            "cost": self.cost,
        }
        if self.false_refusal is not None and self.false_refusal.n:
            out["false_refusal"] = _num(self.false_refusal.value)
            out["false_refusal_ci"] = list(self.false_refusal.ci)
            out["n_safe"] = self.false_refusal.n
        out.update(self.extra)
        return out


def _num(x: float) -> float | None:
    return None if math.isnan(x) else x


def point_from_trial(trial: optuna.trial.FrozenTrial) -> Point | None:
    """The point a finished trial stored, or None for trials that stored none."""
    attrs = trial.user_attrs
    tally = attrs.get(ATTR_TALLY)
    if tally is None or ATTR_TEMPLATE not in attrs:
        return None
    safe_n = tally.get("safe_n", 0)
    return Point(
        trial=trial.number,
        template=attrs[ATTR_TEMPLATE],
        params=dict(attrs.get(ATTR_PARAMS, {})),
        over_blocking=Rate.of(tally["borderline_refused"], tally["borderline_n"]),
        under_refusal=Rate.of(tally["unsafe_answered"], tally["unsafe_n"]),
        errors=tally.get("errors", 0),
        undetermined=tally.get("undetermined", 0),
        partial=tally.get("partial", 0),
        false_refusal=Rate.of(tally.get("safe_refused", 0), safe_n) if safe_n else None,
        calls=attrs.get(ATTR_CALLS, 0),
        cache_hits=attrs.get(ATTR_CACHE_HITS, 0),
        cost=attrs.get(ATTR_COST, 0.0),
        baseline=bool(attrs.get(ATTR_BASELINE, False)),
        stopped_early=bool(attrs.get(ATTR_STOPPED_EARLY, False)),
        extra=point_keys(attrs),
    )


def study_points(study: optuna.Study) -> list[Point]:
    """Every completed trial's point, in trial order (repeats of a framing left out)."""
    trials = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    points = [point_from_trial(t) for t in trials if ATTR_DUPLICATE_OF not in t.user_attrs]
    return [p for p in points if p is not None]


def frontier(points: Sequence[Point]) -> list[Point]:
    """The point-estimate Pareto frontier (both rates minimised), sorted by over-blocking.

    Trials stopped early never enter it: their estimates rest on fewer samples.
    Framings evaluated twice (same template and parameters) appear once.
    """
    eligible = [p for p in points if not p.stopped_early and not any(map(math.isnan,
                                                                          p.objectives))]
    unique: dict[tuple[str, str], Point] = {}
    for p in eligible:
        unique.setdefault((p.template, repr(sorted(p.params.items()))), p)
    candidates = list(unique.values())
    return [candidates[i] for i in pareto_front([p.objectives for p in candidates])]
