"""Difficulty: what the frontier's answers say about each sample, used by screening to
choose what a trial asks next and when it stops (never what it reports).

Every framing answers the same samples in the same order, and the frontier points'
answers on *every* sample are stored. For a sample and its rate (over-blocking for a
borderline sample, under-refusal for an unsafe one), its *difficulty* is how many
frontier points had the bad outcome there (:class:`Difficulty`). A new framing F can
beat a frontier point P only on samples P got wrong; so a sample most of the frontier
got wrong is where F could beat the most of them, and a sample none of it got wrong is
one where F can only match or lose.

What it decides.

1. *What to ask next* (:func:`informative_order`). After the screen's first look (a fair
   stratified batch in the fixed order), a screened trial asks the remaining samples
   hardest first: those the most frontier points got wrong, ties in the fixed order.
   Every batch so completes, for as many frontier points as possible, the set of samples
   on which F could beat them. Screening puts first, before every batch, the unanswered
   wrong samples of the one point F is closest to being settled by (:func:`shortfall`;
   :func:`framing.search.screening.nearest_first`): they are what dropping F for that
   point takes, and with the points' wrong samples interleaved by difficulty a trial paid
   for many points' samples before completing any one's.
2. *When to stop* (:func:`exact_bound`, :func:`settled_by`). Against each frontier point
   P and on each rate, the lower bound on F's full-sample rate minus P's that counts
   the answered samples as they are and every unanswered one at F's best: right where
   P went wrong, right where P went right. F is dropped once, for some P, that bound
   reaches ``-margin(P)`` on *both* rates (the margin as in
   :mod:`framing.search.screening`).

The guarantee, plainly. The bound is not a statistical estimate: it is a worst case over
the samples not asked, so it holds whatever the order of asking, and a framing it drops
*cannot*, on the full sample (the same items every claimed point rests on), beat the
point that dropped it by more than the margin on either rate. No error probability
enters; the only statistical step left in a screened trial is the first look (the
fixed-order batch, :func:`framing.search.screening.screened_by`, at its stated risk).
The order depends only on answers already stored (the frontier's), never on F's own
answers, and the reported rates of every full trial stay the plain measured rates with
their Wilson intervals: the difficulty only decides what is asked, and when a trial that
cannot reach the frontier stops paying.

What it costs. To be dropped by P this way, F must have answered every sample P got
wrong where it is not already behind by more: about P's error count on each rate. On
a frontier with low under-refusal that is cheap on that rate; on over-blocking it is
P's over-blocking share of the borderline samples, which asking the hardest samples
first shares between frontier points.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from framing.compare import SampleOutcomes
from framing.data.schema import Sample

__all__ = ["EPSILON", "Difficulty", "Margin", "bad_rate", "exact_bound", "exact_slack",
           "informative_order", "settled_by", "short_rates", "shortfall"]

OBJECTIVES = ("over_blocking", "under_refusal")
#: rounding slack when a bound meets its threshold exactly (an identical framing)
EPSILON = 1e-9


@dataclass(frozen=True)
class Difficulty:
    """Per sample id: how many of the given framings had the bad outcome (either rate:
    a sample belongs to one subset, so to one rate)."""

    wrong: Mapping[str, int]
    framings: int

    @classmethod
    def of(cls, outcomes: Mapping[int, SampleOutcomes]) -> Difficulty:
        wrong: dict[str, int] = {}
        for o in outcomes.values():
            for name in OBJECTIVES:
                for sid, bad in o.objective(name).items():
                    wrong[sid] = wrong.get(sid, 0) + bad
        return cls(wrong, len(outcomes))

    def share(self, sample_id: str) -> float:
        """The share of the framings that got the sample wrong (0 when none given)."""
        return self.wrong.get(sample_id, 0) / self.framings if self.framings else 0.0


def informative_order(positions: Sequence[int], samples: Sequence[Sample],
                      difficulty: Difficulty) -> list[int]:
    """``positions`` hardest first (most frontier points wrong), ties in the given
    (fixed) order."""
    rank = {p: k for k, p in enumerate(positions)}
    return sorted(positions, key=lambda p: (-difficulty.wrong.get(samples[p].id, 0), rank[p]))


def bad_rate(outcomes: Mapping[str, bool]) -> float:
    """The share of bad outcomes (0 when there are none)."""
    return sum(outcomes.values()) / len(outcomes) if outcomes else 0.0


def exact_bound(current: Mapping[str, bool], rival: Mapping[str, bool]) -> float:
    """Lower bound, certain, on (current's rate − rival's rate) on the rival's full
    sample (``True`` = the bad outcome): answered samples count as they are, every
    unanswered one at current's best (right where the rival went wrong or right)."""
    n = len(rival)
    if n == 0:
        return -1.0
    worse = better = unanswered_wrong = 0
    for sid, theirs in rival.items():
        mine = current.get(sid)
        if mine is None:
            unanswered_wrong += theirs
        elif mine and not theirs:
            worse += 1
        elif theirs and not mine:
            better += 1
    return (worse - better - unanswered_wrong) / n


Margin = Callable[[float], float]
"""How far below a frontier point's rate the margin reaches (a rate -> a rate)."""


def exact_slack(current: SampleOutcomes, rival: SampleOutcomes, margin: Margin) -> float:
    """The smaller over both rates of (exact bound + margin); dropped once >= 0."""
    out = math.inf
    for name in OBJECTIVES:
        theirs = rival.objective(name)
        out = min(out, exact_bound(current.objective(name), theirs) + margin(bad_rate(theirs)))
    return out


def short_rates(current: SampleOutcomes, rival: SampleOutcomes,
                margin: Margin) -> dict[str, int]:
    """Per rate still short, how many more answers ``current`` must at least give there
    before the certain bound can drop it for ``rival``: each a bad outcome where the
    rival's was bad too, or where it was not (each lifts the bound by one sample's
    share)."""
    out = {}
    for name in OBJECTIVES:
        theirs = rival.objective(name)
        gap = -(exact_bound(current.objective(name), theirs) + margin(bad_rate(theirs)))
        if theirs and gap > EPSILON:
            out[name] = math.ceil(gap * len(theirs) - EPSILON)
    return out


def shortfall(current: SampleOutcomes, rival: SampleOutcomes, margin: Margin) -> int:
    """How many more answers ``current`` must at least give, over both rates, before the
    certain bound can drop it for ``rival`` (:func:`short_rates`)."""
    return sum(short_rates(current, rival, margin).values())


def settled_by(current: SampleOutcomes, rivals: Mapping[int, SampleOutcomes],
               margin: Margin) -> int | None:
    """The first frontier point that ``current`` certainly cannot beat by more than the
    margin on either rate, whatever it answers on the samples not asked yet."""
    for trial, rival in rivals.items():
        if exact_slack(current, rival, margin) >= -EPSILON:
            return trial
    return None
