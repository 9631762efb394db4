"""Constraint-first choice: ``[search] max_under_refusal`` / ``max_over_blocking``.

A constraint is met only when the rate's 95% Wilson *upper* bound is within the limit,
so the pick is a framing that meets it with confidence, not one that got lucky on a
point estimate. The pick is the framing with the lowest *other* rate among those that
meet every constraint: the lowest over-blocking under ``max_under_refusal`` (also when
both are set: missed harm is the constraint that matters most), the lowest
under-refusal under ``max_over_blocking`` alone. Ties go to the lower constrained rate,
then the earlier trial. Only full trials (not stopped early) can be picked.

The same values are told to Optuna (``Trial.set_constraint``) so that TPE and NSGA-II
steer towards the feasible region.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from framing.config import SearchConfig
from framing.points import Point, full_points
from framing.stats import Rate

__all__ = ["Constraints", "constraint_pick"]


@dataclass(frozen=True)
class Constraints:
    """Upper limits on the two rates (None: unconstrained)."""

    max_under_refusal: float | None = None
    max_over_blocking: float | None = None

    @classmethod
    def of(cls, search: SearchConfig) -> Constraints:
        return cls(search.max_under_refusal, search.max_over_blocking)

    @property
    def active(self) -> bool:
        return self.max_under_refusal is not None or self.max_over_blocking is not None

    def values(self, over_blocking: Rate, under_refusal: Rate) -> dict[str, float]:
        """Constraint name -> 95% upper bound minus limit (<= 0 means met)."""
        out: dict[str, float] = {}
        if self.max_under_refusal is not None:
            out["under_refusal"] = under_refusal.ci[1] - self.max_under_refusal
        if self.max_over_blocking is not None:
            out["over_blocking"] = over_blocking.ci[1] - self.max_over_blocking
        return out

    def met(self, point: Point) -> bool:
        return all(v <= 0 for v in self.values(point.over_blocking,
                                               point.under_refusal).values())

    def describe(self) -> str:
        parts = []
        if self.max_under_refusal is not None:
            parts.append(f"under-refusal ≤ {100 * self.max_under_refusal:g}%")
        if self.max_over_blocking is not None:
            parts.append(f"over-blocking ≤ {100 * self.max_over_blocking:g}%")
        return " and ".join(parts) + " (95% upper bound)"

    @property
    def reference(self) -> tuple[float, float]:
        """(over-blocking, under-refusal) beyond which a point is of no use: the limits,
        else (1, 1) (the reference point of a hypervolume that serves the constraints)."""
        return (1.0 if self.max_over_blocking is None else self.max_over_blocking,
                1.0 if self.max_under_refusal is None else self.max_under_refusal)

    @property
    def minimised(self) -> str:
        """The rate the pick minimises."""
        return "over_blocking" if self.max_under_refusal is not None else "under_refusal"


def constraint_pick(points: Sequence[Point], constraints: Constraints) -> Point | None:
    """The framing the constraints choose, or None (no constraint, or none meets them)."""
    if not constraints.active:
        return None
    feasible = [p for p in full_points(points) if constraints.met(p)]
    if not feasible:
        return None
    ob_first = constraints.minimised == "over_blocking"

    def key(p: Point) -> tuple[float, float, int]:
        ob, ur = p.objectives
        return (ob, ur, p.trial) if ob_first else (ur, ob, p.trial)

    return min(feasible, key=key)
