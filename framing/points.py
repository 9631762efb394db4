"""Points (evaluated framings) read back from a stored study, and the frontier.

A *point* is the JSON contract of DESIGN §10: ``trial``, ``template``, ``params``,
``over_blocking`` (+ ``_ci``), ``under_refusal`` (+ ``_ci``), ``n_borderline``,
``n_unsafe``, ``errors`` (plus, additively, ``undetermined``, ``truncated`` and more).
Everything here is read from the study database, never from
UI state, so the CLI, the TUI and the report agree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import optuna

from framing.judging import point_keys
from framing.metrics import Tally, tally
from framing.stats import Rate, hypervolume_2d, pareto_front

# the attribute keys are defined in framing.storage.keys; re-exported for readers of points
from framing.storage.keys import (
    ATTR_BASELINE as ATTR_BASELINE,
)
from framing.storage.keys import (
    ATTR_CACHE_HITS as ATTR_CACHE_HITS,
)
from framing.storage.keys import (
    ATTR_CALLS as ATTR_CALLS,
)
from framing.storage.keys import (
    ATTR_CONSTRAINTS as ATTR_CONSTRAINTS,
)
from framing.storage.keys import (
    ATTR_COST as ATTR_COST,
)
from framing.storage.keys import (
    ATTR_DUPLICATE_OF as ATTR_DUPLICATE_OF,
)
from framing.storage.keys import (
    ATTR_HYPERVOLUME as ATTR_HYPERVOLUME,
)
from framing.storage.keys import (
    ATTR_PARAMS as ATTR_PARAMS,
)
from framing.storage.keys import (
    ATTR_SAMPLES_PLANNED as ATTR_SAMPLES_PLANNED,
)
from framing.storage.keys import (
    ATTR_STOPPED_BY as ATTR_STOPPED_BY,
)
from framing.storage.keys import (
    ATTR_STOPPED_EARLY as ATTR_STOPPED_EARLY,
)
from framing.storage.keys import (
    ATTR_TALLY as ATTR_TALLY,
)
from framing.storage.keys import (
    ATTR_TEMPLATE as ATTR_TEMPLATE,
)
from framing.storage.keys import (
    ATTR_TEMPLATE_VERSION as ATTR_TEMPLATE_VERSION,
)
from framing.storage.keys import (
    ATTR_TOKENS as ATTR_TOKENS,
)
from framing.storage.keys import (
    HOLDOUT_SPLIT as HOLDOUT_SPLIT,
)
from framing.storage.keys import (
    STUDY_ATTR_RUNS as STUDY_ATTR_RUNS,
)
from framing.storage.keys import (
    STUDY_ATTR_TEMPLATE_SOURCES as STUDY_ATTR_TEMPLATE_SOURCES,
)
from framing.versions import legacy_versions, short, trial_version

if TYPE_CHECKING:
    from framing.storage.tables import ResultRow, Store

#: extra point keys read from these attributes when a trial has them
_EXTRA_ATTRS = (ATTR_STOPPED_BY, ATTR_SAMPLES_PLANNED, ATTR_HYPERVOLUME, ATTR_CONSTRAINTS)
REFERENCE_POINT = (1.0, 1.0)


@dataclass(frozen=True)
class Point:
    trial: int
    template: str
    params: dict[str, Any]
    over_blocking: Rate
    under_refusal: Rate
    errors: int = 0
    undetermined: int = 0
    truncated: int = 0
    partial: int = 0
    false_refusal: Rate | None = None
    calls: int = 0
    cache_hits: int = 0
    cost: float = 0.0
    baseline: bool = False
    stopped_early: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    #: the content version of the template the trial ran (framing.versions; "" unknown)
    version: str = ""
    #: the study holds trials of more than one version of this template: labels name it
    versioned: bool = False

    @property
    def objectives(self) -> tuple[float, float]:
        return (self.over_blocking.value, self.under_refusal.value)

    @property
    def framing_name(self) -> str:
        """The template's name, with its short version where versions coexist."""
        if self.versioned and self.version:
            return f"{self.template}@{short(self.version)}"
        return self.template

    @property
    def label(self) -> str:
        params = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.framing_name}({params})" if params else self.framing_name

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "trial": self.trial,
            "template": self.template,
            "template_version": self.version,
            "params": dict(self.params),
            "over_blocking": _num(self.over_blocking.value),
            "over_blocking_ci": list(self.over_blocking.ci),
            "under_refusal": _num(self.under_refusal.value),
            "under_refusal_ci": list(self.under_refusal.ci),
            "n_borderline": self.over_blocking.n,
            "n_unsafe": self.under_refusal.n,
            "errors": self.errors,
            "undetermined": self.undetermined,
            "truncated": self.truncated,
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


def point_from_trial(trial: optuna.trial.FrozenTrial,
                     legacy: Mapping[str, str] | None = None) -> Point | None:
    """The point a finished trial stored, or None for trials that stored none
    (``legacy``: the template versions of a study stored before versions, by name)."""
    attrs = trial.user_attrs
    stored = attrs.get(ATTR_TALLY)
    if stored is None or ATTR_TEMPLATE not in attrs:
        return None
    return Point(
        version=trial_version(attrs, legacy or {}),
        trial=trial.number,
        template=attrs[ATTR_TEMPLATE],
        params=dict(attrs.get(ATTR_PARAMS, {})),
        **_counts(Tally.from_attrs(stored)),
        calls=attrs.get(ATTR_CALLS, 0),
        cache_hits=attrs.get(ATTR_CACHE_HITS, 0),
        cost=attrs.get(ATTR_COST, 0.0),
        baseline=bool(attrs.get(ATTR_BASELINE, False)),
        stopped_early=bool(attrs.get(ATTR_STOPPED_EARLY, False)),
        extra={**{k: attrs[k] for k in _EXTRA_ATTRS if k in attrs}, **point_keys(attrs)},
    )


def study_points(study: optuna.Study) -> list[Point]:
    """Every completed trial's point, in trial order (repeats of a framing left out).

    Points of a template the study ran in more than one version are marked
    ``versioned`` (their labels then name the version: ``stance.j2@3f2a1c``)."""
    legacy = legacy_versions(study.user_attrs)
    trials = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    points = [point_from_trial(t, legacy) for t in trials
              if ATTR_DUPLICATE_OF not in t.user_attrs]
    return mark_versions([p for p in points if p is not None])


def mark_versions(points: Sequence[Point]) -> list[Point]:
    """``points`` with ``versioned`` set on those whose template has several versions
    among them."""
    versions: dict[str, set[str]] = {}
    for p in points:
        versions.setdefault(p.template, set()).add(p.version)
    return [replace(p, versioned=True) if len(versions[p.template]) > 1 else p
            for p in points]


def frontier_versions(front: Sequence[Point]) -> dict[str, list[str]]:
    """Templates with more than one version on ``front``: name → short versions."""
    versions: dict[str, list[str]] = {}
    for p in front:
        shown = short(p.version) if p.version else "?"
        if shown not in versions.setdefault(p.template, []):
            versions[p.template].append(shown)
    return {name: v for name, v in versions.items() if len(v) > 1}


def frontier(points: Sequence[Point]) -> list[Point]:
    """The point-estimate Pareto frontier (both rates minimised), sorted by over-blocking.

    Trials stopped early never enter it: their estimates rest on fewer samples.
    Framings evaluated twice (same template and parameters) appear once.
    """
    candidates = full_points(points)
    return [candidates[i] for i in pareto_front([p.objectives for p in candidates])]


def full_points(points: Sequence[Point]) -> list[Point]:
    """The points that may be claimed: evaluated on the full sample (not stopped early),
    with both rates known, one per framing (the first trial of a framing wins)."""
    eligible = [p for p in points if not p.stopped_early and not any(map(math.isnan,
                                                                          p.objectives))]
    unique: dict[tuple[str, str, str], Point] = {}
    for p in eligible:
        unique.setdefault((p.template, p.version, repr(sorted(p.params.items()))), p)
    return list(unique.values())


def frontier_hypervolume(points: Sequence[Point]) -> float:
    """Hypervolume of the frontier of ``points`` with the fixed reference point (1, 1)."""
    return hypervolume_2d([p.objectives for p in frontier(points)], REFERENCE_POINT)


def holdout_points(study_name: str, store: Store, points: Sequence[Point]) -> dict[int, Point]:
    """Hold-out estimates of the trials among ``points`` that were re-validated, by trial.

    Read from the per-sample results stored with split ``"holdout"`` (``framing validate``
    and the end of a search write them). Each hold-out point copies its search point's
    template, parameters and flags; its rates rest on the hold-out samples only.
    """
    by_trial: dict[int, list[ResultRow]] = {}
    for row in store.get_results(study_name, None, HOLDOUT_SPLIT):
        by_trial.setdefault(row.trial, []).append(row)
    out: dict[int, Point] = {}
    for p in points:
        rows = by_trial.get(p.trial)
        if not rows:
            continue
        out[p.trial] = replace(
            p,
            **_counts(tally(rows)),
            calls=0,
            cache_hits=0,
            cost=0.0,
            extra={"split": HOLDOUT_SPLIT},
        )
    return out


def _counts(t: Tally) -> dict[str, Any]:
    """A point's rate and count fields from a tally (DESIGN §2 via framing.metrics)."""
    return {
        "over_blocking": t.over_blocking,
        "under_refusal": t.under_refusal,
        "errors": t.errors,
        "undetermined": t.undetermined,
        "truncated": t.truncated,
        "partial": t.partial,
        "false_refusal": t.false_refusal if t.safe_n else None,
    }
