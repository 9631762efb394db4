"""Screening: a new framing earns its full sample by first looking as if it could matter.

A screened trial answers the study's fixed samples in growing batches: first
``screening_batch`` samples of every subset, then twice as many in all, and so on until
the full sample (every prefix is stratified: see :func:`framing.racing.batches`). After
each batch but the last, it is compared, *paired* on the samples it has answered, with
every point of the current frontier (full trials only). Survivors get the full sample,
so every claimed point rests on the same items as every other.

The rule. For a frontier point P and one rate, P's answers on the *whole* sample are
known. On the samples F has answered, count ``worse`` (F wrong where P was right) and
``better`` (F right where P was wrong). F can only be better than P where P went wrong,
so on the samples F has not answered yet the two are extrapolated separately: the share
of P's wrong samples that F gets right, with a one-sided upper Wilson bound, and the
share of P's right samples that F gets wrong, with a lower one (each at level
``risk / 2``). That bounds F's full-sample rate minus P's from below (see
:func:`advantage_bound`); it can never fall below minus P's rate, so a frontier point
with a very low rate settles that rate at once. F is dropped when, for some P, the bound
exceeds ``−margin`` on *both* rates: with confidence, F cannot beat P by more than
``margin`` on either rate, so it cannot move the frontier by more than ``margin``.

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
    """Lower confidence bound on (current's rate − rival's rate) on the rival's full
    sample, from the samples current has answered (``True`` = the bad outcome).

    The rival's answers on *every* sample are known, so the samples current has not
    answered yet are split by what the rival did there: current can only be better
    where the rival went wrong, and only worse where it went right. On the answered
    samples the counts are exact; on the others, each side is extrapolated with a
    one-sided Wilson bound from the answered samples of the same kind. −1 when the
    two share no sample.
    """
    n_all = len(rival)
    shared = [sid for sid in current if sid in rival]
    if n_all == 0 or not shared:
        return -1.0
    bad_all = sum(rival.values())
    bad = [s for s in shared if rival[s]]
    good = [s for s in shared if not rival[s]]
    better = sum(not current[s] for s in bad)
    worse = sum(current[s] for s in good)
    worse_lo = worse + (n_all - bad_all - len(good)) * _lower(worse, len(good), z)
    better_hi = better + (bad_all - len(bad)) * _upper(better, len(bad), z)
    return (worse_lo - better_hi) / n_all


def _lower(k: int, n: int, z: float) -> float:
    return wilson_interval(k, n, z)[0] if n else 0.0


def _upper(k: int, n: int, z: float) -> float:
    return wilson_interval(k, n, z)[1] if n else 1.0


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
