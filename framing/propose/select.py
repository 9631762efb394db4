"""What the propose loop keeps: parents from the frontier, candidates the paired tests
do not reject.

Each round proposes from a few framings of the current (point-estimate) frontier, spread
along it (:func:`choose_parents`). A candidate evaluated on the same search samples is
**rejected** when a framing of the frontier it was measured against *paired-dominates*
it (:func:`paired_dominates`): no higher on either rate, and lower on at least one by an
exact McNemar test at ``alpha`` on the samples both answered. Anything else is kept: it
stays in the study's space and may be a parent next round. Selection on the search
samples twice over (the space, then the proposals) overstates the winners, which is why
the loop's frontier is re-checked on the hold-out split at the end.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from framing.compare import ALPHA, SampleOutcomes, significantly_lower
from framing.points import Point, frontier

__all__ = ["choose_parents", "paired_dominates", "rejected_by"]


def choose_parents(points: Sequence[Point], n: int) -> list[Point]:
    """Up to ``n`` framings of the frontier of ``points``, spread from the least
    over-blocking to the least under-refusing (the ends always included)."""
    front = frontier(points)
    if len(front) <= n:
        return front
    if n == 1:
        return [front[len(front) // 2]]
    step = (len(front) - 1) / (n - 1)
    picks = sorted({round(i * step) for i in range(n)})
    return [front[i] for i in picks]


def paired_dominates(a: Point, a_out: SampleOutcomes, b: Point, b_out: SampleOutcomes,
                     alpha: float = ALPHA) -> bool:
    """Does ``a`` dominate ``b`` by the paired tests: no higher on either rate (point
    estimates) and significantly lower on at least one?"""
    if a.over_blocking.value > b.over_blocking.value or \
            a.under_refusal.value > b.under_refusal.value:
        return False
    return any(significantly_lower(a_out, b_out, objective, alpha)
               for objective in ("over_blocking", "under_refusal"))


def rejected_by(candidate: Point, outcomes: SampleOutcomes, front: Sequence[Point],
                front_outcomes: Mapping[int, SampleOutcomes],
                alpha: float = ALPHA) -> Point | None:
    """The frontier framing that rejects ``candidate``, or None when it is kept."""
    for p in front:
        if p.trial == candidate.trial or p.trial not in front_outcomes:
            continue
        if paired_dominates(p, front_outcomes[p.trial], candidate, outcomes, alpha):
            return p
    return None
