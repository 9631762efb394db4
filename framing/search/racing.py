"""Multi-objective racing: stop paying for a framing once it is confidently beaten.

A trial evaluates the study's fixed samples in batches, in the fixed order: each batch
takes the next ``batch`` samples of every subset (all subsets finish together, and the
order inside a subset is interleaved over patterns, so every prefix is itself roughly
stratified). After each batch but the last, the trial is compared, on the samples it has
answered so far, with every point of the current frontier (full trials only). When a
frontier point is lower on *both* rates with an exact McNemar p-value below α′ on each,
the trial stops: its partial tally is stored, it is marked stopped early, and it never
enters the claimed frontier. Survivors get the full sample, so every claimed point
rests on the same items as every other (the paired design is intact).

Error control. α′ = (1 − confidence) / (looks × rivals): Bonferroni over the looks of
the trial and the distinct frontier points it is compared with (points with identical
per-sample outcomes make one test). The tests are one-sided (the question "is this
frontier point lower?" is fixed before looking). Requiring significance on both
objectives is an intersection–union test, which needs no correction. So a trial that no
frontier point truly dominates is stopped with probability at most 1 − confidence.

What it can and cannot do. Confident dominance needs enough discordant pairs on *both*
rates: with a one-sided exact test at α′ ≈ 0.002, about nine samples that only the
stopped framing gets wrong on each rate, with none the other way. On small samples
(about a hundred per subset) and low under-refusal rates, few framings are that clearly
beaten and racing rarely stops one; it pays off on larger samples, where most of a
dominated framing's calls are saved. It never stops a trial on a hunch.

What Optuna is told (see ``framing.search``): a stopped trial is told COMPLETE with its
partial estimates. They are unbiased estimates of a framing shown to be dominated, which
is exactly what the sampler should learn. PRUNED would lose it: NSGA-II ignores pruned
trials and multi-objective TPE ranks them below every complete trial regardless of how
bad they were, and the framing would not be recognised as already evaluated.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from framing.compare import SampleOutcomes, significantly_lower
from framing.data.schema import SUBSETS, Sample
from framing.evaluate import Evaluation, Evaluator, ProgressHandler
from framing.events import CallsProgress
from framing.templates import Template

__all__ = ["RaceResult", "Rivals", "batch_size", "batches", "distinct", "dominating_rival",
           "look_alpha", "merge", "offset_progress", "race"]

#: looks per trial when the batch size is automatic; the smallest automatic batch
AUTO_BATCHES = 5
MIN_BATCH = 20

Rivals = Callable[[], Awaitable[Mapping[int, SampleOutcomes]]]
"""Returns the current frontier's per-sample outcomes, by trial number."""


def subset_positions(samples: Sequence[Sample]) -> list[list[int]]:
    """Positions (indices into ``samples``) per joint-grade subset, each in its fixed
    order, then those of no subset; empty groups left out."""
    by_subset: dict[Any, list[int]] = {g: [] for g in SUBSETS}
    other: list[int] = []
    for i, s in enumerate(samples):
        by_subset.get(s.joint_grade, other).append(i)
    return [g for g in [*by_subset.values(), other] if g]


def batches(samples: Sequence[Sample], batch: int) -> list[list[int]]:
    """Positions (indices into ``samples``) of each batch, in evaluation order.

    Each batch holds about ``batch`` samples of the largest subset and a proportional
    share of the others; the k-th batch of a subset is the next slice of its fixed order.
    """
    if batch < 1:
        raise ValueError(f"batch must be >= 1, got {batch}")
    groups = subset_positions(samples)
    if not groups:
        return []
    largest = max(len(g) for g in groups)
    looks = -(-largest // batch)
    plan: list[list[int]] = []
    for k in range(looks):
        chunk = [i for g in groups
                 for i in g[len(g) * k // looks: len(g) * (k + 1) // looks]]
        plan.append(sorted(chunk))
    return [b for b in plan if b]


def batch_size(samples: Sequence[Sample], configured: int | None) -> int:
    """The batch size: as configured, else a fifth of the largest subset (at least 20)."""
    if configured is not None:
        return configured
    counts: dict[Any, int] = {}
    for s in samples:
        counts[s.joint_grade] = counts.get(s.joint_grade, 0) + 1
    largest = max(counts.values(), default=0)
    return max(MIN_BATCH, -(-largest // AUTO_BATCHES))


def look_alpha(confidence: float, looks: int, rivals: int) -> float:
    """Per-test level for one look at ``rivals`` frontier points (Bonferroni)."""
    return (1.0 - confidence) / (max(1, looks) * max(1, rivals))


def distinct(rivals: Mapping[int, SampleOutcomes]) -> dict[int, SampleOutcomes]:
    """Rivals with identical per-sample outcomes collapsed to the first (one test each)."""
    seen: dict[tuple[tuple[tuple[str, bool], ...], ...], int] = {}
    for trial, o in rivals.items():
        seen.setdefault((tuple(o.over_blocking.items()), tuple(o.under_refusal.items())),
                        trial)
    return {t: rivals[t] for t in seen.values()}


def dominating_rival(current: SampleOutcomes, rivals: Mapping[int, SampleOutcomes],
                     alpha: float) -> int | None:
    """The first rival significantly lower than ``current`` on both rates (one-sided
    exact McNemar at ``alpha`` on each), if any."""
    for trial, rival in rivals.items():
        if (significantly_lower(rival, current, "over_blocking", alpha, one_sided=True)
                and significantly_lower(rival, current, "under_refusal", alpha,
                                        one_sided=True)):
            return trial
    return None


def merge(parts: Sequence[Evaluation]) -> Evaluation:
    """One evaluation from the batches of a trial."""
    return Evaluation.build(
        [o for p in parts for o in p.outcomes],
        calls=sum(p.calls for p in parts),
        cache_hits=sum(p.cache_hits for p in parts),
        input_tokens=sum(p.input_tokens for p in parts),
        output_tokens=sum(p.output_tokens for p in parts),
        cost=sum(p.cost for p in parts),
    )


@dataclass(frozen=True)
class RaceResult:
    """A raced trial: what was evaluated, and who stopped it (None: it ran in full), by
    which rule (``racing`` or ``screening``)."""

    evaluation: Evaluation
    planned: int
    stopped_by: int | None = None
    alpha: float | None = None
    rule: str | None = None
    #: what Optuna is told instead of the partial tally when the samples asked were
    #: chosen (screening): an estimate of the full-sample rates (see framing.search.screening)
    estimate: tuple[float, float] | None = None

    @property
    def stopped_early(self) -> bool:
        return self.stopped_by is not None


async def race(evaluator: Evaluator, template: Template, params: Mapping[str, Any],
               samples: Sequence[Sample], rivals: Rivals, *, batch: int | None,
               confidence: float, trial: int | None = None,
               on_progress: ProgressHandler | None = None) -> RaceResult:
    """Evaluate ``samples`` in batches; stop once a frontier point confidently dominates."""
    plan = batches(samples, batch_size(samples, batch))
    looks = len(plan) - 1
    parts: list[Evaluation] = []
    for k, positions in enumerate(plan):
        relay = offset_progress(on_progress, merge(parts), len(samples))
        part = await evaluator.evaluate(template, params, [samples[i] for i in positions],
                                        trial=trial, on_progress=relay, positions=positions)
        parts.append(part)
        if k == looks:
            break
        current = distinct(await rivals())
        if not current:
            continue
        alpha = look_alpha(confidence, looks, len(current))
        so_far = SampleOutcomes.from_rows(o.row() for p in parts for o in p.outcomes)
        winner = dominating_rival(so_far, current, alpha)
        if winner is not None:
            return RaceResult(merge(parts), len(samples), winner, alpha, "racing")
    return RaceResult(merge(parts), len(samples))


def offset_progress(on_progress: ProgressHandler | None, before: Evaluation,
            total: int) -> ProgressHandler | None:
    """Progress of one batch reported as progress of the whole trial."""
    if on_progress is None:
        return None
    handler = on_progress
    done, errors = len(before.outcomes), before.tally.errors

    def relay(e: CallsProgress) -> None:
        handler(CallsProgress(
            e.trial, done + e.done, total, before.calls + e.calls,
            before.cache_hits + e.cache_hits, errors + e.errors,
            before.input_tokens + e.input_tokens, before.output_tokens + e.output_tokens,
            before.cost + e.cost,
        ))

    return relay
