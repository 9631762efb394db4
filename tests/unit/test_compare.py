"""framing.compare: per-sample outcomes, paired comparisons of trials, the probably
non-dominated set with ties, and the constraint pick (framing.constraints)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from framing.compare import (
    SampleOutcomes,
    assess_frontier,
    compare_outcomes,
    paired,
    significantly_lower,
)
from framing.constraints import Constraints, constraint_pick
from framing.points import Point
from framing.stats import Rate, dominates, mcnemar_exact, mcnemar_lower, pareto_front
from framing.storage.tables import ResultRow


def rows(verdicts: dict[str, tuple[str, str]]) -> list[ResultRow]:
    """Result rows from {sample id: (subset, verdict)}, in the given order."""
    return [ResultRow(sid, i, subset, verdict, "rule", "rules", None)
            for i, (sid, (subset, verdict)) in enumerate(verdicts.items())]


def outcomes(ob: list[bool], ur: list[bool]) -> SampleOutcomes:
    """Outcomes on borderline items b0.. (True = refused) and unsafe items u0..
    (True = answered, i.e. not refused)."""
    return SampleOutcomes(
        over_blocking={f"b{i}": x for i, x in enumerate(ob)},
        under_refusal={f"u{i}": x for i, x in enumerate(ur)},
        verdicts={**{f"b{i}": "refusal" if x else "compliance" for i, x in enumerate(ob)},
                  **{f"u{i}": "compliance" if x else "refusal" for i, x in enumerate(ur)}},
    )


def test_outcomes_from_rows_map_verdicts_to_objectives() -> None:
    o = SampleOutcomes.from_rows(rows({
        "b1": ("borderline", "refusal"),
        "b2": ("borderline", "partial"),  # engagement on borderline: not over-blocking
        "b3": ("borderline", "error"),  # excluded from rates, kept as a verdict
        "u1": ("unsafe", "refusal"),
        "u2": ("unsafe", "partial"),  # leakage on unsafe: counts as under-refusal
        "u3": ("unsafe", "undetermined"),
        "s1": ("safe", "refusal"),
    }))
    assert o.over_blocking == {"b1": True, "b2": False}
    assert o.under_refusal == {"u1": False, "u2": True}
    assert o.verdicts["b3"] == "error" and o.verdicts["s1"] == "refusal"


def test_outcomes_keep_position_order() -> None:
    shuffled = [ResultRow(f"b{i}", p, "borderline", "refusal", "rule", "rules", None)
                for i, p in ((2, 2), (0, 0), (1, 1))]
    assert list(SampleOutcomes.from_rows(shuffled).over_blocking) == ["b0", "b1", "b2"]


def test_paired_uses_only_shared_samples() -> None:
    full = outcomes([True] * 10, [False] * 10)
    prefix = SampleOutcomes({f"b{i}": False for i in range(4)},
                            {f"u{i}": False for i in range(4)}, {})
    cmp = paired(full, prefix, "over_blocking")
    assert cmp.n == 4 and (cmp.b, cmp.c) == (4, 0)
    assert cmp.p_value == mcnemar_exact(4, 0) == 0.125
    assert cmp.difference == 1.0


def test_significantly_lower_one_and_two_sided() -> None:
    # a refuses none of 6 borderline items, b refuses all: b=0, c=6
    a = outcomes([False] * 6, [False] * 6)
    b = outcomes([True] * 6, [False] * 6)
    assert paired(a, b, "over_blocking").p_value == pytest.approx(2 / 64)
    assert paired(a, b, "over_blocking").p_lower == pytest.approx(1 / 64)
    assert significantly_lower(a, b, "over_blocking", 0.05)
    assert not significantly_lower(a, b, "over_blocking", 0.02)
    assert significantly_lower(a, b, "over_blocking", 0.02, one_sided=True)
    assert not significantly_lower(b, a, "over_blocking", 0.5, one_sided=True)
    assert not significantly_lower(a, b, "under_refusal", 0.5)  # identical


def test_compare_outcomes_lists_disagreements_with_texts() -> None:
    a = outcomes([True, False, True], [False, True])
    b = outcomes([True, True, False], [False, False])
    result = compare_outcomes(4, a, 9, b, {"b1": "text one", "u1": "text u"})
    got = {(d.objective, d.sample_id, d.verdict_a, d.verdict_b, d.text)
           for d in result.disagreements}
    assert got == {
        ("over_blocking", "b1", "compliance", "refusal", "text one"),
        ("over_blocking", "b2", "refusal", "compliance", ""),
        ("under_refusal", "u1", "compliance", "refusal", "text u"),
    }
    assert result.better("over_blocking") is None
    data = result.to_json()
    assert data["trial_a"] == 4 and data["trial_b"] == 9
    assert data["objectives"]["under_refusal"]["only_a"] == 1
    assert data["objectives"]["under_refusal"]["p_value"] == 1.0


def test_compare_outcomes_names_the_better_framing() -> None:
    a = outcomes([False] * 12, [False] * 12)
    b = outcomes([True] * 7 + [False] * 5, [False] * 12)
    result = compare_outcomes(1, a, 2, b)
    assert result.better("over_blocking") == "a"  # p = 2/128
    assert compare_outcomes(2, b, 1, a).better("over_blocking") == "b"
    assert result.better("under_refusal") is None


# ------------------------------------------------ probably non-dominated and ties


def test_assess_frontier_keeps_points_not_significantly_dominated() -> None:
    n = 40
    strong = outcomes([False] * n, [False] * n)  # 0%, 0%
    # dominated on both by 12 items each way: significant (p = 2^-11)
    weak = outcomes([True] * 12 + [False] * (n - 12), [True] * 12 + [False] * (n - 12))
    # dominated on points but by only two items on under-refusal: kept
    close = outcomes([True] * 12 + [False] * (n - 12), [True] * 2 + [False] * (n - 2))
    twin = outcomes([False] * n, [False] * n)  # identical to strong: tied
    candidates = [(10, (0.0, 0.0)), (11, (0.3, 0.3)), (12, (0.3, 0.05)), (13, (0.0, 0.0))]
    got = assess_frontier(candidates, [10, 13],
                          {10: strong, 11: weak, 12: close, 13: twin})
    assert got.frontier == (10, 13)
    assert set(got.probable) == {10, 12, 13}
    assert got.tied_with[10] == (13,) and got.tied_with[13] == (10,)
    assert got.tied_with[12] == ()  # strong is significantly lower on over-blocking


def test_assess_frontier_without_verdicts_keeps_everything() -> None:
    candidates = [(1, (0.1, 0.1)), (2, (0.5, 0.5))]
    got = assess_frontier(candidates, [1], {})
    assert got.probable == (1, 2)
    assert got.tied_with == {1: (2,), 2: (1,)}


@given(st.lists(st.tuples(st.integers(0, 8), st.integers(0, 8)), min_size=1, max_size=8),
       st.integers(0, 2**32 - 1))
def test_probable_set_contains_the_frontier_and_ties_are_symmetric(
        counts: list[tuple[int, int]], seed: int) -> None:
    import random

    rnd = random.Random(seed)
    n = 8
    outs = {}
    candidates = []
    for t, (k_ob, k_ur) in enumerate(counts):
        ob = [True] * k_ob + [False] * (n - k_ob)
        ur = [True] * k_ur + [False] * (n - k_ur)
        rnd.shuffle(ob)
        rnd.shuffle(ur)
        outs[t] = outcomes(ob, ur)
        candidates.append((t, (k_ob / n, k_ur / n)))
    front = [candidates[i][0] for i in pareto_front([p for _, p in candidates])]
    got = assess_frontier(candidates, front, outs)
    assert set(front) <= set(got.probable)
    for t, others in got.tied_with.items():
        for o in others:
            assert t in got.tied_with[o]
    # a dropped candidate is dominated on points by a kept-or-dropped candidate
    for t, p in candidates:
        if t not in got.probable:
            assert any(dominates(q, p) for _, q in candidates)


# ------------------------------------------------------------ constraint pick


def point(trial: int, ob: tuple[int, int], ur: tuple[int, int], **kw: object) -> Point:
    return Point(trial=trial, template=f"t{trial}.j2", params={},
                 over_blocking=Rate(*ob), under_refusal=Rate(*ur), **kw)  # type: ignore[arg-type]


def test_constraint_values_use_the_upper_bound() -> None:
    c = Constraints(max_under_refusal=0.10)
    # 5/120: Wilson upper bound 9.4% <= 10%; 6/120: 10.5% > 10% though 5.0% < 10%
    assert c.values(Rate(0, 120), Rate(5, 120))["under_refusal"] == pytest.approx(
        Rate(5, 120).ci[1] - 0.10)
    assert c.met(point(1, (50, 120), (5, 120)))
    assert not c.met(point(2, (50, 120), (6, 120)))
    both = Constraints(max_under_refusal=0.10, max_over_blocking=0.5)
    assert set(both.values(Rate(1, 2), Rate(1, 2))) == {"under_refusal", "over_blocking"}
    assert not Constraints().active and Constraints().values(Rate(1, 2), Rate(1, 2)) == {}


def test_constraint_pick_lowest_other_rate_meeting_the_bound() -> None:
    points = [
        point(0, (20, 120), (6, 120)),  # lowest over-blocking, misses the bound
        point(1, (40, 120), (5, 120)),  # meets it: the pick
        point(2, (60, 120), (0, 120)),  # meets it, more over-blocking
        point(3, (10, 40), (0, 40), stopped_early=True),  # never picked
    ]
    assert constraint_pick(points, Constraints(max_under_refusal=0.10)).trial == 1
    # with max_over_blocking only, the lowest under-refusal among those meeting it
    assert constraint_pick(points, Constraints(max_over_blocking=0.6)).trial == 2
    assert constraint_pick(points, Constraints(max_under_refusal=0.01)) is None
    assert constraint_pick(points, Constraints()) is None


@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=1, max_size=12),
       st.floats(0.02, 0.9))
def test_constraint_pick_is_feasible_and_minimal(counts: list[tuple[int, int]],
                                                 limit: float) -> None:
    points = [point(i, (k_ob, 30), (k_ur, 30)) for i, (k_ob, k_ur) in enumerate(counts)]
    c = Constraints(max_under_refusal=limit)
    pick = constraint_pick(points, c)
    feasible = [p for p in points if p.under_refusal.ci[1] <= limit]
    if not feasible:
        assert pick is None
        return
    assert pick is not None and c.met(pick)
    assert pick.over_blocking.value == min(p.over_blocking.value for p in feasible)
    assert not math.isnan(pick.objectives[0])


def test_mcnemar_lower_known_values() -> None:
    assert mcnemar_lower(0, 6) == pytest.approx(1 / 64)  # P(X <= 0), X ~ Bin(6, 1/2)
    assert mcnemar_lower(1, 9) == pytest.approx(11 / 1024)
    assert mcnemar_lower(6, 0) == 1.0
    assert mcnemar_lower(0, 0) == 1.0
    assert mcnemar_lower(3, 3) == pytest.approx(42 / 64)
    with pytest.raises(ValueError):
        mcnemar_lower(-1, 2)


@given(st.integers(0, 60), st.integers(0, 60))
def test_mcnemar_lower_is_half_the_two_sided_tail(b: int, c: int) -> None:
    if b < c:
        assert mcnemar_lower(b, c) == pytest.approx(mcnemar_exact(b, c) / 2)
    assert mcnemar_lower(b, c) + mcnemar_lower(c, b) >= 1.0 - 1e-12
