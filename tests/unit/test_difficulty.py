"""Difficulty: the frontier's answers decide what a screened trial asks next, and the
certain bound that stops it (checked against full-sample answers on the sim)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from framing.compare import SampleOutcomes
from framing.config import load_study
from framing.data.schema import Grade, Sample
from framing.search.difficulty import (
    Difficulty,
    exact_bound,
    informative_order,
    settled_by,
    shortfall,
)
from framing.search.screening import Screening, screen
from framing.study import Study, open_study


def rate(outcomes: dict[str, bool]) -> float:
    return sum(outcomes.values()) / len(outcomes)


def test_the_exact_bound_holds_whatever_the_unanswered_samples_turn_out() -> None:
    rng = random.Random(7)
    for _ in range(200):
        n = rng.randint(1, 40)
        rival = {f"s{i}": rng.random() < 0.3 for i in range(n)}
        full = {sid: rng.random() < 0.3 for sid in rival}
        asked = {sid: full[sid] for sid in rival if rng.random() < 0.5}
        bound = exact_bound(asked, rival)
        assert bound <= rate(full) - rate(rival) + 1e-12
        # any other completion of the unanswered samples too: at best right everywhere
        best = {sid: asked.get(sid, False) for sid in rival}
        assert bound == pytest.approx(rate(best) - rate(rival))
    rival = {"a": True, "b": False}
    assert exact_bound(rival, rival) == 0.0  # everything answered: the exact difference


def test_difficulty_counts_frontier_points_wrong_and_the_order_puts_the_hardest_first() -> None:
    a = SampleOutcomes({"b0": True, "b1": False, "b2": True}, {"u0": False, "u1": True}, {})
    b = SampleOutcomes({"b0": True, "b1": False, "b2": False}, {"u0": False, "u1": True}, {})
    difficulty = Difficulty.of({1: a, 2: b})
    assert dict(difficulty.wrong) == {"b0": 2, "b1": 0, "b2": 1, "u0": 0, "u1": 2}
    assert difficulty.share("b2") == 0.5
    samples = [Sample(id=sid, text="t", image=None, joint_grade=Grade.BORDERLINE,
                      image_grade=Grade.SAFE, text_grade=Grade.SAFE, category=None,
                      source="test")
               for sid in ("b1", "u0", "b2", "u1", "b0")]
    # hardest first; ties keep the fixed order
    assert informative_order([0, 1, 2, 3, 4], samples, difficulty) == [3, 4, 2, 0, 1]


def test_a_framing_matching_a_rival_where_it_went_wrong_is_settled_before_the_rest() -> None:
    rival = SampleOutcomes({f"b{i}": i < 10 for i in range(100)},
                           {f"u{i}": i < 3 for i in range(100)}, {})
    asked = SampleOutcomes({f"b{i}": True for i in range(10)},
                           {f"u{i}": True for i in range(3)}, {})
    assert settled_by(asked, {4: rival}, lambda r: 0.0) == 4
    one_short = SampleOutcomes({f"b{i}": True for i in range(9)}, asked.under_refusal, {})
    assert settled_by(one_short, {4: rival}, lambda r: 0.0) is None
    # a margin of two samples on each rate lets it be two short
    assert settled_by(one_short, {4: rival}, lambda r: 0.02) == 4


def test_the_shortfall_counts_the_answers_still_needed_on_each_rate_short() -> None:
    rival = SampleOutcomes({f"b{i}": i < 10 for i in range(100)},
                           {f"u{i}": i < 3 for i in range(100)}, {})
    nothing = SampleOutcomes({}, {}, {})
    assert shortfall(nothing, rival, lambda r: 0.0) == 13
    asked = SampleOutcomes({f"b{i}": True for i in range(9)},
                           {f"u{i}": True for i in range(3)}, {})
    assert shortfall(asked, rival, lambda r: 0.0) == 1  # under-refusal already settled
    assert shortfall(asked, rival, lambda r: 0.01) == 0  # a one-sample margin
    # right where the rival went wrong (b9): made up only by being wrong where it was right
    better = SampleOutcomes({**asked.over_blocking, "b9": False}, asked.under_refusal, {})
    assert shortfall(better, rival, lambda r: 0.0) == 1
    assert settled_by(better, {1: rival}, lambda r: 0.0) is None
    # everything settled: nothing short, and the certain bound drops it
    settled = SampleOutcomes({f"b{i}": True for i in range(10)}, asked.under_refusal, {})
    assert shortfall(settled, rival, lambda r: 0.0) == 0
    assert settled_by(settled, {1: rival}, lambda r: 0.0) == 1


# ---------------------------------------------------------- on the sim target


@pytest.fixture(params=[0, 1, 2])
async def study(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Study]:
    config = load_study(None, [f"storage.url='sqlite:///{tmp_path}/difficulty.db'",
                               f"target.seed={request.param}"])
    s = open_study(config)
    yield s
    await s.aclose()


async def full(study: Study, name: str, params: dict[str, object]) -> SampleOutcomes:
    evaluation = await study.evaluator.evaluate(study.template(name), params,
                                                study.search_samples)
    return SampleOutcomes.from_rows(o.row() for o in evaluation.outcomes)


FRONTIER = {
    1: ("prompts/examples.j2", {"examples": 3, "joint_cue": True, "tone": "neutral"}),
    2: ("prompts/cautious.j2", {"level": 3}),
    3: ("prompts/engage.j2", {"strength": "strong", "joint_cue": True}),
}


@pytest.mark.parametrize(("framing", "dominated"), [
    (("prompts/cautious.j2", {"level": 1}), True),
    (("prompts/baseline.j2", {}), True),
    (("prompts/engage.j2", {"strength": "mild", "joint_cue": False}), False),
])
async def test_a_framing_dropped_by_the_exact_bound_cannot_beat_its_rival_in_full(
        study: Study, framing: tuple[str, dict[str, object]], dominated: bool) -> None:
    rivals = {t: await full(study, *f) for t, f in FRONTIER.items()}

    async def current() -> dict[int, SampleOutcomes]:
        return rivals

    # a first look that never screens (risk 1e-9): only the exact bound can drop
    raced = await screen(study.evaluator, study.template(framing[0]), framing[1],
                         study.search_samples, current, Screening(12, 0.0, 1e-9))
    whole = await full(study, *framing)  # cached: the answers it gave, and the rest
    # the two the frontier dominates on the sim are dropped, well before the full sample
    assert (raced.stopped_by is not None) is dominated
    if raced.stopped_by is None:
        assert len(raced.evaluation.outcomes) == len(study.search_samples)
        return
    rival = rivals[raced.stopped_by]
    assert raced.evaluation.calls <= 0.6 * len(study.search_samples)
    for name in ("over_blocking", "under_refusal"):
        assert rate(whole.objective(name)) >= rate(rival.objective(name))
