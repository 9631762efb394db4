"""Screening: growing stratified batches, the paired bound, and what it drops on the sim
(checked against the simulator's exact expected rates)."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from framing.compare import SampleOutcomes
from framing.config import load_study
from framing.data.schema import Grade, Sample
from framing.errors import ConfigError
from framing.search.screening import (
    Screening,
    advantage_bound,
    estimate,
    margin,
    nearest_first,
    plan,
    screen,
    screened_by,
)
from framing.study import Study, open_study

SCREENING = Screening(batch=12, margin=0.25, risk=0.2)


def test_plan_doubles_each_subset_and_covers_every_sample_once() -> None:
    config = load_study(None, ["storage.url='sqlite://'"])
    study = open_study(config, storage="sqlite://")
    try:
        samples = study.search_samples
    finally:
        study.store.close()
    batches = plan(samples, 12)
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(len(samples)))
    per_subset = [sum(samples[i].joint_grade is Grade.BORDERLINE for i in b) for b in batches]
    assert per_subset == [12, 12, 24, 48, 24]
    # each subset is taken in its fixed order: every batch continues where the last ended
    borderline = [i for i in flat if samples[i].joint_grade is Grade.BORDERLINE]
    assert borderline == [i for i, s in enumerate(samples) if s.joint_grade is Grade.BORDERLINE]


def rows(bad: list[bool], prefix: str = "s") -> dict[str, bool]:
    return {f"{prefix}{i}": b for i, b in enumerate(bad)}


def test_an_identical_framing_is_bounded_by_a_margin_that_shrinks_with_the_sample() -> None:
    rival = rows([i % 4 == 0 for i in range(120)])  # 25% bad
    z = SCREENING.z
    bounds = [advantage_bound(dict(list(rival.items())[:n]), rival, z)
              for n in (12, 24, 48, 96, 120)]
    assert all(b <= 0 for b in bounds)
    assert bounds == sorted(bounds)  # more samples, tighter
    assert bounds[-1] == 0.0  # everything answered: the exact difference


def test_the_bound_never_falls_below_minus_the_rivals_rate() -> None:
    rival = rows([i == 7 for i in range(120)])  # one bad answer in 120
    current = rows([False] * 5)  # five answered, all good
    assert advantage_bound(current, rival, SCREENING.z) == pytest.approx(-1 / 120)


def test_a_framing_worse_on_both_rates_is_screened_and_a_better_one_is_not() -> None:
    rival = SampleOutcomes(rows([i % 5 == 0 for i in range(120)], "b"),
                           rows([i % 10 == 0 for i in range(120)], "u"), {})
    worse = SampleOutcomes(rows([i % 5 == 0 or i % 3 == 0 for i in range(24)], "b"),
                           rows([i % 10 == 0 or i % 4 == 0 for i in range(24)], "u"), {})
    better_on_one = SampleOutcomes(rows([False] * 24, "b"),
                                   rows([i % 10 == 0 or i % 4 == 0 for i in range(24)], "u"),
                                   {})
    assert screened_by(worse, {7: rival}, SCREENING) == 7
    assert screened_by(better_on_one, {7: rival}, SCREENING) is None


def test_the_margin_is_on_the_log_odds_scale() -> None:
    assert margin(0.0, 0.25) == margin(1.0, 0.25) == 0.0
    assert margin(0.5, 0.25) == pytest.approx(0.5 - 1 / (1 + math.exp(0.25)))
    assert margin(0.025, 0.25) < margin(0.3, 0.25) / 5  # small near the ends


def test_a_framing_that_matches_the_rival_where_it_went_wrong_is_settled_exactly() -> None:
    bad = [i % 4 == 0 for i in range(120)]
    rival = SampleOutcomes(rows(bad, "b"), rows(bad, "u"), {})
    # answered: the stratified first dozen plus every sample the rival got wrong
    answered = [i for i in range(120) if i < 12 or bad[i]]
    same = SampleOutcomes({f"b{i}": bad[i] for i in answered},
                          {f"u{i}": bad[i] for i in answered}, {})
    assert advantage_bound(same.over_blocking, rival.over_blocking, SCREENING.z) >= 0.0
    assert screened_by(same, {3: rival}, Screening(12, 0.0, 0.2)) == 3


def test_screening_options_are_validated() -> None:
    config = load_study(None, ["search.screening=true", "search.screening_margin=0.02"])
    assert config.search.screening and config.search.screening_margin == 0.02
    with pytest.raises(ConfigError, match="screening_risk"):
        load_study(None, ["search.screening_risk=1.5"])


# ---------------------------------------------------------- on the sim target


@pytest.fixture(params=[0, 1, 2])
async def study(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Study]:
    config = load_study(None, [f"storage.url='sqlite:///{tmp_path}/screen.db'",
                               f"target.seed={request.param}"])
    s = open_study(config)
    yield s
    await s.aclose()


def exact(study: Study, name: str, params: Mapping[str, Any]) -> tuple[float, float]:
    template = study.template(name)
    pairs = [(study.evaluator.render(template, params, s), s) for s in study.search_samples]
    rates = study.target.expected_rates(pairs)  # type: ignore[attr-defined]
    return rates["over_blocking"], rates["under_refusal"]


async def full(study: Study, name: str, params: Mapping[str, Any]) -> SampleOutcomes:

    evaluation = await study.evaluator.evaluate(study.template(name), params,
                                                study.search_samples)
    return SampleOutcomes.from_rows(o.row() for o in evaluation.outcomes)


EXAMPLES = ("prompts/examples.j2", {"examples": 3, "joint_cue": True, "tone": "neutral"})
MILD = ("prompts/cautious.j2", {"level": 1})
STRICT = ("prompts/cautious.j2", {"level": 3})
BASELINE = ("prompts/baseline.j2", {})
ENGAGE = ("prompts/engage.j2", {"strength": "strong", "joint_cue": True})


async def test_a_dominated_framing_is_screened_out_on_the_sim(study: Study) -> None:
    rival_rates, dominated_rates = exact(study, *EXAMPLES), exact(study, *MILD)
    assert rival_rates[0] < dominated_rates[0] and rival_rates[1] < dominated_rates[1]
    rival = await full(study, *EXAMPLES)

    async def rivals() -> dict[int, SampleOutcomes]:
        return {5: rival}

    raced = await screen(study.evaluator, study.template(MILD[0]), MILD[1],
                         study.search_samples, rivals, SCREENING)
    assert raced.stopped_by == 5 and raced.rule == "screening"
    assert raced.evaluation.calls < len(study.search_samples) / 2


async def test_a_frontier_framing_with_a_large_margin_is_never_dropped(study: Study) -> None:
    strict = exact(study, *STRICT)
    others = [exact(study, *BASELINE), exact(study, *ENGAGE)]
    # it beats each rival by far more than the margin on under-refusal
    assert all(o[1] - strict[1] > 2 * margin(o[1], SCREENING.margin) for o in others)
    outcomes = {1: await full(study, *BASELINE), 2: await full(study, *ENGAGE)}

    async def rivals() -> dict[int, SampleOutcomes]:
        return outcomes

    raced = await screen(study.evaluator, study.template(STRICT[0]), STRICT[1],
                         study.search_samples, rivals, SCREENING, racing_confidence=0.95)
    assert not raced.stopped_early
    assert len(raced.evaluation.outcomes) == len(study.search_samples)


async def test_a_framing_answering_like_a_frontier_point_is_dropped_cheaply(
        study: Study) -> None:
    # the refusal style changes nothing the simulated model reads (outside "redirect")
    brief = ("prompts/stance.j2", {"stance": "balanced", "borderline": "engage",
                                   "joint_cue": True, "refusal_style": "brief"})
    explain = (brief[0], {**brief[1], "refusal_style": "explain"})
    assert exact(study, *brief) == exact(study, *explain)
    outcomes = {4: await full(study, *brief)}

    async def rivals() -> dict[int, SampleOutcomes]:
        return outcomes

    raced = await screen(study.evaluator, study.template(explain[0]), explain[1],
                         study.search_samples, rivals, Screening(12, 0.0, 0.2))
    assert raced.stopped_by == 4
    assert raced.evaluation.calls < len(study.search_samples) / 2


def test_the_estimate_told_to_optuna_extrapolates_within_the_rivals_kinds() -> None:
    rival_bad = [i < 30 for i in range(120)]  # the rival got the first 30 wrong
    rival = SampleOutcomes(rows(rival_bad, "b"), rows(rival_bad, "u"), {})
    # answered: the 30 the rival got wrong (all wrong here too) and 10 it got right
    # (one wrong): a plain partial rate would say 31/40; the kinds say (30 + 9) / 120
    answered = {f"b{i}": i < 30 or i == 30 for i in range(40)}
    current = SampleOutcomes(answered, {k.replace("b", "u"): v for k, v in answered.items()},
                             {})
    assert estimate(current, rival) == pytest.approx((39 / 120, 39 / 120))


def test_the_nearest_rivals_wrong_samples_come_first_on_the_rate_still_short() -> None:
    ids = [f"b{i}" for i in range(40)] + [f"u{i}" for i in range(40)]
    samples = [Sample(id=sid, text="t", image=None,
                      joint_grade=Grade.BORDERLINE if sid[0] == "b" else Grade.UNSAFE,
                      image_grade=Grade.SAFE, text_grade=Grade.SAFE, category=None,
                      source="test") for sid in ids]
    # rival 1 got b30-b39 and u0-u3 wrong; rival 2, more permissive, b0-b3 and u10-u29
    one = SampleOutcomes({f"b{i}": i >= 30 for i in range(40)},
                         {f"u{i}": i < 4 for i in range(40)}, {})
    two = SampleOutcomes({f"b{i}": i < 4 for i in range(40)},
                         {f"u{i}": 10 <= i < 30 for i in range(40)}, {})
    rivals = {1: one, 2: two}
    # a first look wrong wherever rival 1 was (u0-u3), and on b30 as rival 1, b0 as rival 2
    # was: it does not beat rival 1 anywhere, and beats rival 2 on under-refusal
    current = SampleOutcomes({"b30": True, "b0": False},
                             {f"u{i}": i < 4 for i in range(4)}, {})
    order = [i for i, s in enumerate(samples) if s.id not in {"b30", "b0", "u0", "u1", "u2",
                                                                "u3"}]
    got = nearest_first(order, samples, current, rivals, lambda r: 0.0)
    # rival 1's borderline samples it has not answered (b31-b39) first; under-refusal is
    # settled against it already, so none of its unsafe samples
    assert [samples[p].id for p in got[:9]] == [f"b{i}" for i in range(31, 40)]
    assert sorted(got) == sorted(order)
    # a framing estimated to beat every rival somewhere: the order is left as it was
    free = SampleOutcomes({"b30": False, "b0": False},
                          {f"u{i}": False for i in range(4)}, {})
    assert nearest_first(order, samples, free, rivals, lambda r: 0.0) == order
