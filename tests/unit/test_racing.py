"""framing.search.racing: batches in the fixed sample order, the stopping rule and a raced
evaluation on the sim target."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from framing.compare import SampleOutcomes
from framing.config import load_study
from framing.data.schema import Grade, Sample
from framing.search.racing import (
    batch_size,
    batches,
    distinct,
    dominating_rival,
    look_alpha,
    race,
)
from framing.study import Study, open_study


def sample(i: int, grade: Grade) -> Sample:
    return Sample(id=f"s{i}", text="t", image=None, image_grade=Grade.SAFE,
                  text_grade=Grade.SAFE, joint_grade=grade, category=None, source="test")


def subset_block(n_border: int, n_unsafe: int, n_safe: int = 0) -> list[Sample]:
    """Samples in the order framing.data.sampling.select gives: subset by subset."""
    grades = [Grade.SAFE] * n_safe + [Grade.BORDERLINE] * n_border + [Grade.UNSAFE] * n_unsafe
    return [sample(i, g) for i, g in enumerate(grades)]


def test_batches_interleave_subsets_and_finish_them_together() -> None:
    samples = subset_block(10, 5)
    plan = batches(samples, 4)
    # ceil(10 / 4) = 3 batches; borderline 3 + 3 + 4, unsafe 1 + 2 + 2
    assert [len(b) for b in plan] == [4, 5, 6]
    assert plan[0] == [0, 1, 2, 10]  # the first 3 borderline and the first unsafe sample
    # every batch takes from both subsets, in proportion
    for b in plan:
        grades = {samples[i].joint_grade for i in b}
        assert grades == {Grade.BORDERLINE, Grade.UNSAFE}


@given(st.integers(0, 60), st.integers(0, 60), st.integers(0, 20), st.integers(1, 30))
def test_batches_partition_positions_in_subset_order(n_b: int, n_u: int, n_s: int,
                                                     batch: int) -> None:
    samples = subset_block(n_b, n_u, n_s)
    plan = batches(samples, batch)
    flat = [i for b in plan for i in b]
    assert sorted(flat) == list(range(len(samples)))  # every sample exactly once
    assert all(b for b in plan)
    largest = max(n_b, n_u, n_s)
    if largest:
        assert len(plan) == -(-largest // batch)
    for grade in (Grade.SAFE, Grade.BORDERLINE, Grade.UNSAFE):
        order = [i for i in flat if samples[i].joint_grade is grade]
        assert order == sorted(order)  # prefixes of each subset's fixed order
        # no batch holds more than its proportional share (rounded up) of a subset
        total = sum(s.joint_grade is grade for s in samples)
        for b in plan:
            share = sum(samples[i].joint_grade is grade for i in b)
            assert share <= -(-total // len(plan)) + 1


def test_batch_size_default_is_a_fifth_of_the_largest_subset() -> None:
    assert batch_size(subset_block(400, 300), None) == 80
    assert batch_size(subset_block(120, 120), None) == 24
    assert batch_size(subset_block(30, 30), None) == 20  # never below 20
    assert batch_size(subset_block(30, 30), 7) == 7


def test_look_alpha_is_bonferroni_over_looks_and_rivals() -> None:
    assert look_alpha(0.95, 4, 5) == pytest.approx(0.05 / 20)
    assert look_alpha(0.9, 0, 0) == pytest.approx(0.1)


def outcomes(ob: list[bool], ur: list[bool]) -> SampleOutcomes:
    return SampleOutcomes({f"b{i}": x for i, x in enumerate(ob)},
                          {f"u{i}": x for i, x in enumerate(ur)}, {})


def test_dominating_rival_needs_both_rates() -> None:
    current = outcomes([True] * 10 + [False] * 10, [True] * 10 + [False] * 10)
    better_both = outcomes([False] * 20, [False] * 20)
    better_one = outcomes([False] * 20, [True] * 10 + [False] * 10)
    alpha = 0.002  # one-sided: 10 discordant pairs one way give 2^-10 < 0.002
    assert dominating_rival(current, {7: better_one, 8: better_both}, alpha) == 8
    assert dominating_rival(current, {7: better_one}, alpha) is None
    assert dominating_rival(current, {8: better_both}, 2**-11) is None
    assert dominating_rival(better_both, {1: current}, 0.5) is None


def test_distinct_collapses_identical_rivals() -> None:
    a = outcomes([True, False], [False, False])
    b = outcomes([True, False], [False, False])
    c = outcomes([False, False], [False, False])
    assert list(distinct({3: a, 5: b, 6: c})) == [3, 6]


# ---------------------------------------------------------- on the sim target


@pytest.fixture
async def study(tmp_path: Path) -> AsyncIterator[Study]:
    config = load_study(None, [f"storage.url='sqlite:///{tmp_path}/race.db'"])
    s = open_study(config)
    yield s
    await s.aclose()


async def test_race_without_rivals_evaluates_everything_like_one_evaluation(
        study: Study) -> None:
    template = study.template("prompts/baseline.j2")
    samples = study.search_samples

    async def no_rivals() -> dict[int, SampleOutcomes]:
        return {}

    raced = await race(study.evaluator, template, {}, samples, no_rivals, batch=None,
                       confidence=0.95)
    assert not raced.stopped_early and raced.planned == len(samples)
    assert [o.position for o in raced.evaluation.outcomes] == list(range(len(samples)))
    assert [o.sample.id for o in raced.evaluation.outcomes] == [s.id for s in samples]
    plain = await study.evaluator.evaluate(template, {}, samples)
    assert plain.calls == 0  # every answer came from the cache the race filled
    assert [o.judgement.verdict for o in plain.outcomes] == \
        [o.judgement.verdict for o in raced.evaluation.outcomes]
    assert raced.evaluation.tally == plain.tally
    assert raced.evaluation.calls == len(samples)


async def test_race_stops_once_a_rival_dominates_and_spends_no_more(study: Study) -> None:
    template = study.template("prompts/baseline.j2")
    samples = study.search_samples
    # an ideal rival: refuses no borderline sample, refuses every unsafe one
    ideal = SampleOutcomes(
        {s.id: False for s in samples if s.joint_grade is Grade.BORDERLINE},
        {s.id: False for s in samples if s.joint_grade is Grade.UNSAFE}, {})
    asked = 0

    async def rivals() -> dict[int, SampleOutcomes]:
        nonlocal asked
        asked += 1
        return {42: ideal}

    seen: list[int] = []
    raced = await race(study.evaluator, template, {}, samples, rivals, batch=60,
                       confidence=0.95, trial=3, on_progress=lambda e: seen.append(e.done))
    assert raced.stopped_by == 42 and raced.stopped_early
    assert asked == 1  # one look after the first of two batches
    assert raced.evaluation.calls == 120 and len(raced.evaluation.outcomes) == 120
    tally = raced.evaluation.tally
    assert tally.borderline_n == 60 and tally.unsafe_n == 60
    assert raced.alpha == pytest.approx(0.05)
    # progress counts the trial, not the batch
    assert max(seen) == 120
