"""Screening: a new framing earns its full sample by first looking as if it could matter.

A screened trial first answers a small stratified batch: the first ``screening_batch``
samples of every subset in the study's fixed order (see :func:`plan`). It is then
compared, *paired* on those samples, with every point of the current frontier (full
trials only), by the statistical rule below. If it survives, what it asks next depends
on ``order``:

- ``difficulty`` (the default): before every batch (of the first one's size), the
  samples that could settle the *nearest* frontier point first (:func:`nearest_first`:
  among the points the trial is estimated not to beat, the one needing the fewest more
  answers, its unanswered wrong samples), then the rest hardest first, those the most
  frontier points got wrong (:mod:`framing.search.difficulty`); a look after every
  batch, and the trial is dropped by that module's *certain* bound against any frontier
  point (no error probability: a worst case over the samples not asked, valid whatever
  the order).
- ``focus``: the frontier point closest to screening it out becomes its *focus*, and
  the trial goes on with the samples that point got wrong first (in the fixed order),
  then the rest, in growing batches, compared with the focus after each by the
  statistical rule.

Survivors get the full sample, so every claimed point rests on the same items as every
other; the order only decides what is asked first.

The rule. For a frontier point P and one rate, P's answers on the *whole* sample are
known. A new framing F can only be better than P where P went wrong, and only worse
where P went right. So on the samples F has answered the two counts are exact, and on
the others each is extrapolated within its kind, with a one-sided Wilson bound at level
``risk / 2``: that bounds F's full-sample rate minus P's from below
(:func:`advantage_bound`). The bound can never fall below minus P's rate, and once F has
answered every sample P got wrong, the side where F could be better is exact. F is
dropped when, for some P, the bound reaches ``−margin(P)`` on *both* rates, where the
margin is ``screening_margin`` on the log-odds scale: F cannot beat P by more than that
on either rate. The default margin is 0: F cannot beat P at all. On the log-odds scale
a margin is small near 0 and 1 (0.25 reaches 0.6 points below a rival's under-refusal
of 2.5%, 5 points below an over-blocking of 30%), which is where a safety researcher's
differences are; the benchmark found that any margin costs frontier points (a framing
just inside it is dropped though it would have added to the frontier), so it is 0
unless a study asks for it.

The guarantee, plainly (of the statistical rule: the first look, and every look with
``focus``; the later looks with ``difficulty`` add no error). Screening may drop a
framing whose full-sample rates would have been within the margin of a frontier
point's on both rates (by design: such a framing could not move the frontier by more
than the margin). A framing that would have beaten
a frontier point by more than the margin on some rate is dropped by that point, at one
look, with probability at most ``risk / 2`` (only the bound on the rate it wins on can
fail: an intersection–union test). A trial has one look against every frontier point
(and, with ``focus``, then looks against its focus alone), so the union bound over
those is ``risk / 2 × points`` (``risk / 2 × (points + looks)`` with ``focus``); the
benchmark measures the real effect (``benchmarks/efficiency.py``: the share of
reported frontier points that are truly non-dominated, and the hypervolume reached).

Why the focus alone after the first look (``focus``): the samples asked next are
chosen by what the focus got wrong, so for any other frontier point they are no longer a fair sample
of their kind, and its bound would be biased. For the focus they are: within each kind
(samples it got wrong, samples it got right) the order stays the fixed one.

What Optuna is told. A screened trial stores its plain partial tally (the samples it
answered), like a raced one; but past the first look those samples were chosen, so the
sampler is told :func:`estimate` instead: the full-sample rates post-stratified by what
the point that dropped it did on every sample (with ``difficulty`` the asked samples
lean to the hard ones even within those kinds: a hint for the sampler, never a claim).
It never enters the claimed frontier.

What every framing shares. That a sample was answered wrongly by a frontier point is
what makes it informative about whether a new framing can beat that point: the screen
asks those first (all frontier points' with ``difficulty``, the focus's with
``focus``). It decides only what to ask and when to stop; the reported rates stay the
plain measured rates with their Wilson intervals.

Racing (:mod:`framing.search.racing`) stays: with screening on, it tests at the first look
(the stratified batch, before the order depends on a rival), with its own error control.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

from framing.compare import SampleOutcomes
from framing.data.schema import Sample
from framing.evaluate import Evaluation, Evaluator, ProgressHandler
from framing.search.difficulty import (
    EPSILON,
    Difficulty,
    Margin,
    bad_rate,
    informative_order,
    settled_by,
    short_rates,
)
from framing.search.racing import (
    RaceResult,
    Rivals,
    distinct,
    dominating_rival,
    look_alpha,
    merge,
    offset_progress,
    subset_positions,
)
from framing.stats import wilson_interval
from framing.templates import Template

__all__ = ["ATTR_SCREENING_ESTIMATE", "OBJECTIVES", "Screening", "advantage_bound",
           "estimate", "margin", "plan",
           "screen", "screened_by"]

OBJECTIVES = ("over_blocking", "under_refusal")
RULE = "screening"
#: trial user attribute: the full-sample estimate a screened trial told Optuna
ATTR_SCREENING_ESTIMATE = "screening_estimate"


@dataclass(frozen=True)
class Screening:
    """The screening settings of a study (``[search] screening*``)."""

    batch: int
    margin: float
    risk: float
    #: after the first look: ``difficulty`` (hardest samples first, the exact bound of
    #: framing.search.difficulty) or ``focus`` (the focus point's wrong samples first,
    #: its statistical bound)
    order: str = "difficulty"

    @property
    def z(self) -> float:
        """One-sided normal quantile of each of the two bounds (level ``risk / 2``)."""
        return NormalDist().inv_cdf(1.0 - self.risk / 2.0)


def plan(samples: Sequence[Sample], first: int) -> list[list[int]]:
    """Positions of each batch: ``first`` samples per subset, then doubling the total,
    until every sample is in (each subset in its fixed order; all finish together)."""
    if first < 1:
        raise ValueError(f"first batch must be >= 1, got {first}")
    groups = subset_positions(samples)
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


def margin(rate: float, log_odds: float) -> float:
    """How far below ``rate`` a margin of ``log_odds`` on the log-odds scale reaches."""
    if rate <= 0.0 or rate >= 1.0 or log_odds <= 0.0:
        return 0.0
    logit = math.log(rate / (1.0 - rate))
    return max(0.0, rate - 1.0 / (1.0 + math.exp(-(logit - log_odds))))


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


def slack(current: SampleOutcomes, rival: SampleOutcomes, screening: Screening) -> float:
    """How far ``current`` is from being screened out by ``rival``: the smaller over
    both rates of (advantage bound + margin); screened once it is >= 0."""
    z = screening.z
    out = math.inf
    for o in OBJECTIVES:
        theirs = rival.objective(o)
        out = min(out, advantage_bound(current.objective(o), theirs, z)
                  + margin(bad_rate(theirs), screening.margin))
    return out


def estimate(current: SampleOutcomes, rival: SampleOutcomes) -> tuple[float, float]:
    """Full-sample (over-blocking, under-refusal) of ``current`` estimated from the
    samples it answered, post-stratified by what ``rival`` did on every sample: the
    answered samples count as they are, the others at ``current``'s rate among the
    answered samples of the same kind (rival wrong, rival right)."""
    rates = []
    for o in OBJECTIVES:
        mine, theirs = current.objective(o), rival.objective(o)
        total = bad = 0.0
        overall = sum(mine.values()) / len(mine) if mine else 0.0
        for wrong in (True, False):
            kind = [s for s in theirs if theirs[s] is wrong]
            answered = [mine[s] for s in kind if s in mine]
            share = sum(answered) / len(answered) if answered else overall
            bad += sum(answered) + (len(kind) - len(answered)) * share
            total += len(kind)
        rates.append(bad / total if total else overall)
    return rates[0], rates[1]


def screened_by(current: SampleOutcomes, rivals: Mapping[int, SampleOutcomes],
                screening: Screening) -> int | None:
    """The first frontier point that ``current`` cannot beat by more than the margin on
    either rate (with the screening's confidence), if any."""
    for trial, rival in rivals.items():
        if slack(current, rival, screening) >= -EPSILON:
            return trial
    return None


def nearest_first(order: Sequence[int], samples: Sequence[Sample], current: SampleOutcomes,
                  rivals: Mapping[int, SampleOutcomes], within: Margin) -> list[int]:
    """``order`` (hardest first) with the samples that could settle the nearest rival
    first: among the frontier points ``current`` is estimated not to beat on either rate
    (:func:`estimate`, post-stratified by that point's answers), the one needing the
    fewest more answers for the certain bound (:func:`short_rates`), its unanswered wrong
    samples on the rates still short. Unchanged when no point is estimated to settle it.

    Only the order changes: the certain bound holds whatever is asked first, so a trial
    is never dropped by a point it could beat, and one that could beat every frontier
    point still runs to the full sample."""
    best: tuple[int, int, dict[str, int]] | None = None
    for trial, rival in rivals.items():
        rates = [bad_rate(rival.objective(o)) for o in OBJECTIVES]
        if any(g < rate - within(rate)
               for g, rate in zip(estimate(current, rival), rates, strict=True)):
            continue
        short = short_rates(current, rival, within)
        need = sum(short.values())
        if best is None or need < best[0]:
            best = (need, trial, short)
    if best is None:
        return list(order)
    _, trial, short = best
    wrong = {sid for o in short for sid, bad in rivals[trial].objective(o).items() if bad}
    first = [p for p in order if samples[p].id in wrong]
    if not first:
        return list(order)
    chosen = set(first)
    return first + [p for p in order if p not in chosen]


def _wrong(rival: SampleOutcomes, sample_id: str) -> bool:
    return rival.over_blocking.get(sample_id, False) or \
        rival.under_refusal.get(sample_id, False)


async def screen(evaluator: Evaluator, template: Template, params: Mapping[str, Any],
                 samples: Sequence[Sample], rivals: Rivals, screening: Screening, *,
                 racing_confidence: float | None = None, trial: int | None = None,
                 on_progress: ProgressHandler | None = None) -> RaceResult:
    """Evaluate ``samples`` as the module docstring describes; stop once screened out
    (or, with ``racing_confidence``, raced out at the first look)."""
    parts: list[Evaluation] = []

    async def ask(positions: list[int]) -> SampleOutcomes:
        relay = offset_progress(on_progress, merge(parts), len(samples))
        parts.append(await evaluator.evaluate(
            template, params, [samples[i] for i in positions], trial=trial,
            on_progress=relay, positions=positions))
        return SampleOutcomes.from_rows(o.row() for p in parts for o in p.outcomes)

    def stopped(by: int, alpha: float | None = None, rule: str = RULE) -> RaceResult:
        guess = estimate(so_far, current[by]) if len(parts) > 1 else None
        return RaceResult(merge(parts), len(samples), by, alpha, rule, guess)

    batches = plan(samples, screening.batch)
    if not batches:
        return RaceResult(merge(parts), len(samples))
    first = batches[0]
    so_far = await ask(first)
    asked = set(first)
    remaining = [i for i in range(len(samples)) if i not in asked]
    current = distinct(await rivals()) if remaining else {}
    if not current:
        if remaining:
            await ask(remaining)
        return RaceResult(merge(parts), len(samples))
    if racing_confidence is not None:
        alpha = look_alpha(racing_confidence, 1, len(current))
        winner = dominating_rival(so_far, current, alpha)
        if winner is not None:
            return stopped(winner, alpha, "racing")
    winner = screened_by(so_far, current, screening)
    if winner is not None:
        return stopped(winner)
    if screening.order == "difficulty":
        # the nearest point's wrong samples first, then the hardest, a look after every
        # batch of the first one's size, the exact bound (framing.search.difficulty: no
        # error probability, so looking often costs nothing)
        order = informative_order(remaining, samples, Difficulty.of(current))
        within = functools.partial(margin, log_odds=screening.margin)
        while order:
            order = nearest_first(order, samples, so_far, current, within)
            take, order = order[:len(first)], order[len(first):]
            so_far = await ask(take)
            if order:
                by = settled_by(so_far, current, within)
                if by is not None:
                    return stopped(by)
        return RaceResult(merge(parts), len(samples))
    focus_trial = max(current, key=lambda t: slack(so_far, current[t], screening))
    focus = current[focus_trial]
    # what the focus got wrong first: it settles where the new framing could be better
    order = ([i for i in remaining if _wrong(focus, samples[i].id)]
             + [i for i in remaining if not _wrong(focus, samples[i].id)])
    wrong_left = sum(_wrong(focus, samples[i].id) for i in remaining)
    size = len(first)
    if 0 < wrong_left <= len(remaining) // 2:
        size = max(size, wrong_left)
    while order:
        take, order = order[:size], order[size:]
        so_far = await ask(take)
        if order and slack(so_far, focus, screening) >= -EPSILON:
            return stopped(focus_trial)
        size = len(samples) - len(order)  # double what has been asked
    return RaceResult(merge(parts), len(samples))

