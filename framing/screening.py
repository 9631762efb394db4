"""Screening: a new framing earns its full sample by first looking as if it could matter.

A screened trial answers the study's fixed samples in growing batches: first
``screening_batch`` samples of every subset, then twice as many in all, and so on until
the full sample (every prefix is stratified: see :func:`framing.racing.batches`). After
each batch but the last, it is compared, *paired* on the samples it has answered, with
every point of the current frontier (full trials only). Survivors get the full sample,
so every claimed point rests on the same items as every other.

The rule. For a frontier point P and one rate, count on the shared samples ``worse``
(the new framing F gets it wrong, P right) and ``better`` (the other way round), out of
``n``. F's advantage over P on that rate, on the full sample, is bounded below by

    lower(worse / n) − upper(better / n)

(one-sided Wilson bounds, each at level ``risk / 2``). F is dropped when, for some P,
that bound exceeds ``−margin`` on *both* rates: with confidence, F cannot beat P by more
than ``margin`` on either rate, so it cannot move the frontier by more than ``margin``.

The guarantee, plainly. Screening may drop a framing whose full-sample rates would have
been within ``margin`` of a frontier point on both rates (it is ε-dominated, ε =
``margin``: by design, such a framing is not worth its calls). A framing that would have
beaten that frontier point by more than ``margin`` on one rate is dropped at one look
against that point with probability at most ``risk / 2`` (only the bound on the rate it
wins on can fail: an intersection–union test). Over a trial's looks and frontier points
the union bound multiplies that by looks × points; the benchmark measures the real rate
(``benchmarks/efficiency.py``: the share of reported frontier points truly non-dominated).

Why paired. Every framing answers the same samples, and a sample that one framing
refuses, a similar framing mostly refuses too: the discordant samples are few, so the
paired bound is far tighter than two separate intervals. This is the information every
framing shares, used only to decide when to stop asking; the reported rates stay the
plain measured rates with their Wilson intervals.

Racing (:mod:`framing.racing`) stays on at the same looks when it is enabled: it stops a
framing that is significantly dominated with error control over every look and rival.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

from framing.compare import SampleOutcomes
from framing.data.schema import SUBSETS, Sample
from framing.stats import wilson_interval

__all__ = ["OBJECTIVES", "Screening", "advantage_bound", "plan", "screened_by"]

OBJECTIVES = ("over_blocking", "under_refusal")


@dataclass(frozen=True)
class Screening:
    """The screening settings of a study (``[search] screening*``)."""

    batch: int
    margin: float
    risk: float

    @property
    def z(self) -> float:
        """One-sided normal quantile of each of the two bounds (level ``risk / 2``)."""
        return NormalDist().inv_cdf(1.0 - self.risk / 2.0)


def plan(samples: Sequence[Sample], first: int) -> list[list[int]]:
    """Positions of each batch: ``first`` samples per subset, then doubling the total,
    until every sample is in (each subset in its fixed order; all finish together)."""
    if first < 1:
        raise ValueError(f"first batch must be >= 1, got {first}")
    by_subset: dict[Any, list[int]] = {g: [] for g in SUBSETS}
    other: list[int] = []
    for i, s in enumerate(samples):
        by_subset.get(s.joint_grade, other).append(i)
    groups = [g for g in [*by_subset.values(), other] if g]
    if not groups:
        return []
    largest = max(len(g) for g in groups)
    cuts = [0]
    size = first
    while size < largest:
        cuts.append(size)
        size *= 2
    cuts.append(largest)
    batches: list[list[int]] = []
    for lo, hi in itertools.pairwise(cuts):
        # a subset smaller than the largest is cut in proportion
        chunk = [i for g in groups
                 for i in g[len(g) * lo // largest: len(g) * hi // largest]]
        if chunk:
            batches.append(sorted(chunk))
    return batches


def advantage_bound(current: Mapping[str, bool], rival: Mapping[str, bool],
                    z: float) -> float:
    """Lower confidence bound on (current's rate − rival's rate) over the shared samples
    (``True`` = the bad outcome); −1 when they share no sample."""
    shared = [sid for sid in current if sid in rival]
    n = len(shared)
    if n == 0:
        return -1.0
    worse = sum(current[s] and not rival[s] for s in shared)
    better = sum(rival[s] and not current[s] for s in shared)
    return wilson_interval(worse, n, z)[0] - wilson_interval(better, n, z)[1]


def screened_by(current: SampleOutcomes, rivals: Mapping[int, SampleOutcomes],
                screening: Screening) -> int | None:
    """The first frontier point that ``current`` cannot beat by more than the margin on
    either rate (with the screening's confidence), if any."""
    z = screening.z
    for trial, rival in rivals.items():
        if all(advantage_bound(current.objective(o), rival.objective(o), z)
               > -screening.margin for o in OBJECTIVES):
            return trial
    return None
