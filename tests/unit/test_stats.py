"""Tests for framing.stats: known values checked by hand, properties checked by hypothesis."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from framing.stats import (
    Rate,
    corrected_interval,
    dominance_from,
    dominates,
    hypervolume_2d,
    mcnemar_better,
    mcnemar_exact,
    paired_compare,
    pareto_front,
    probably_nondominated,
    rogan_gladen,
    ties,
    wilson_interval,
)

NAN = math.nan
Z = 1.959963984540054


def wilson_by_quadratic(k: int, n: int) -> tuple[float, float]:
    """Independent check: the Wilson bounds are the roots p of (p̂ − p)² = z² p(1 − p) / n,
    i.e. (1 + z²/n) p² − (2p̂ + z²/n) p + p̂² = 0."""
    ph = k / n
    a, b, c = 1 + Z * Z / n, -(2 * ph + Z * Z / n), ph * ph
    d = math.sqrt(b * b - 4 * a * c)
    return ((-b - d) / (2 * a), (-b + d) / (2 * a))


# ---------------------------------------------------------------------- Wilson


@pytest.mark.parametrize(
    ("k", "n", "expected"),
    [
        # k=0: lower 0; upper = z²/n / (1 + z²/n) = 0.38415/1.38415 = 0.27753.
        (0, 10, (0.0, 0.2775)),
        # k=5, n=10: centre 0.5, half = z/(1.38415) * sqrt(0.025 + 0.0096037) = 0.26341.
        (5, 10, (0.2366, 0.7634)),
        # k=62, n=100: centre (0.62 + 0.019208)/1.038415 = 0.615561, half = 0.093463.
        # (The often-quoted 0.7081 upper bound is a typo; both formulas give 0.70902.)
        (62, 100, (0.5221, 0.7090)),
        # k=n=10: mirror of k=0.
        (10, 10, (0.7225, 1.0)),
    ],
)
def test_wilson_known_values(k: int, n: int, expected: tuple[float, float]) -> None:
    assert wilson_interval(k, n) == pytest.approx(expected, abs=1e-4)
    assert wilson_interval(k, n) == pytest.approx(wilson_by_quadratic(k, n), abs=1e-12)


@given(st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_matches_quadratic_and_contains_estimate(kn: tuple[int, int]) -> None:
    k, n = kn
    lo, hi = wilson_interval(k, n)
    assert 0.0 <= lo <= k / n <= hi <= 1.0
    assert (lo, hi) == pytest.approx(wilson_by_quadratic(k, n), abs=1e-9)


def test_wilson_edges() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert wilson_interval(0, 7)[0] == 0.0
    assert wilson_interval(7, 7)[1] == 1.0
    with pytest.raises(ValueError):
        wilson_interval(3, 2)
    with pytest.raises(ValueError):
        wilson_interval(-1, 2)


def test_rate() -> None:
    r = Rate.of(62, 100)
    assert r.value == 0.62
    assert r.ci == wilson_interval(62, 100)
    assert str(r) == "62.0% [52.2, 70.9] n=100"
    assert str(Rate.of(75, 120)) == "62.5% [53.6, 70.6] n=120"
    empty = Rate.of(0, 0)
    assert math.isnan(empty.value)
    assert empty.ci == (0.0, 1.0)
    assert str(empty) == "n/a [0.0, 100.0] n=0"
    with pytest.raises(ValueError):
        Rate(5, 4)
    with pytest.raises(AttributeError):
        r.k = 1  # type: ignore[misc]


# ------------------------------------------------------------- McNemar, paired


@pytest.mark.parametrize(
    ("b", "c", "expected"),
    [
        (0, 5, 0.0625),  # 2 · (1/2)^5 = 2/32
        (5, 0, 0.0625),
        (1, 9, 0.021484375),  # 2 · (1 + 10)/2^10 = 22/1024
        (2, 10, 0.03857421875),  # 2 · (1 + 12 + 66)/2^12 = 158/4096
        (0, 1, 1.0),  # 2 · 1/2 = 1
        (4, 4, 1.0),
        (0, 0, 1.0),
    ],
)
def test_mcnemar_known_values(b: int, c: int, expected: float) -> None:
    assert mcnemar_exact(b, c) == pytest.approx(expected, rel=1e-12)


def test_mcnemar_large_and_invalid() -> None:
    assert mcnemar_exact(5000, 5000) == 1.0
    assert 0.0 <= mcnemar_exact(0, 5000) < 1e-300
    with pytest.raises(ValueError):
        mcnemar_exact(-1, 3)


@given(st.integers(0, 60), st.integers(0, 60))
def test_mcnemar_symmetric_and_bounded(b: int, c: int) -> None:
    p = mcnemar_exact(b, c)
    assert p == mcnemar_exact(c, b)
    assert 0.0 < p <= 1.0


def test_paired_compare() -> None:
    a = [True, True, True, False, False, True]
    b = [True, False, False, False, True, False]
    cmp = paired_compare(a, b)
    assert cmp.n == 6
    assert cmp.rate_a == Rate(4, 6)
    assert cmp.rate_b == Rate(2, 6)
    assert (cmp.b, cmp.c) == (3, 1)
    assert cmp.difference == pytest.approx(2 / 6)
    assert cmp.p_value == mcnemar_exact(3, 1)
    with pytest.raises(ValueError):
        paired_compare([True], [True, False])


def test_paired_compare_empty() -> None:
    cmp = paired_compare([], [])
    assert cmp.n == 0 and cmp.p_value == 1.0 and math.isnan(cmp.difference)


# ---------------------------------------------------------------------- Pareto


def test_dominates_with_ties() -> None:
    assert dominates((0.1, 0.2), (0.2, 0.3))
    assert dominates((0.1, 0.2), (0.1, 0.3))  # tie on one, better on the other
    assert dominates((0.1, 0.2), (0.2, 0.2))
    assert not dominates((0.1, 0.2), (0.1, 0.2))  # identical: no dominance
    assert not dominates((0.1, 0.3), (0.2, 0.2))  # trade-off
    assert not dominates((0.2, 0.3), (0.1, 0.2))
    assert not dominates((NAN, 0.0), (1.0, 1.0))
    assert not dominates((0.0, 0.0), (NAN, 1.0))


def test_pareto_front_small() -> None:
    pts = [
        (0.1, 0.5),  # 0 front
        (0.1, 0.5),  # 1 front (duplicate of 0)
        (0.2, 0.4),  # 2 front
        (0.2, 0.6),  # 3 dominated by 2 (same x)
        (NAN, 0.0),  # 4 never on front
        (0.05, 0.9),  # 5 front
        (0.3, 0.4),  # 6 dominated by 2 (same y)
        (0.5, 0.0),  # 7 front
    ]
    assert pareto_front(pts) == [5, 0, 1, 2, 7]
    assert pareto_front([]) == []
    assert pareto_front([(NAN, NAN)]) == []
    assert pareto_front([(0.0, math.inf), (1.0, math.inf)]) == [0]


def test_hypervolume_by_hand() -> None:
    assert hypervolume_2d([]) == 0.0
    assert hypervolume_2d([(0.0, 0.0)]) == 1.0
    assert hypervolume_2d([(0.5, 0.5)]) == 0.25
    # Staircase: (0.2, 0.6) covers [0.2, 0.5) × [0.6, 1] = 0.3 · 0.4 = 0.12;
    # (0.5, 0.2) covers [0.5, 1] × [0.2, 1] = 0.5 · 0.8 = 0.40. Total 0.52.
    assert hypervolume_2d([(0.2, 0.6), (0.5, 0.2)]) == pytest.approx(0.52)
    # A dominated point, a duplicate and a NaN point add nothing.
    assert hypervolume_2d(
        [(0.2, 0.6), (0.5, 0.2), (0.6, 0.7), (0.5, 0.2), (NAN, 0.0)]
    ) == pytest.approx(0.52)
    # Points on or beyond the reference contribute nothing.
    assert hypervolume_2d([(1.0, 0.0), (0.0, 1.0), (1.2, 1.2)]) == 0.0
    # Custom reference: (1, 1) against ref (2, 3) covers 1 · 2.
    assert hypervolume_2d([(1.0, 1.0)], ref=(2.0, 3.0)) == pytest.approx(2.0)


grid = st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.75, 1.0])  # coarse grid: many ties
coord = st.one_of(grid, st.floats(0.0, 1.0))
point = st.tuples(coord, coord)
points_st = st.lists(st.one_of(point, point, point, st.just((NAN, 0.5))), max_size=30)


@given(points_st)
def test_front_points_are_not_dominated(points: list[tuple[float, float]]) -> None:
    front = pareto_front(points)
    for i in front:
        assert not any(dominates(q, points[i]) for q in points)


@given(points_st)
def test_non_front_points_are_dominated_by_a_front_point(
    points: list[tuple[float, float]],
) -> None:
    front = set(pareto_front(points))
    for j, q in enumerate(points):
        if j in front:
            continue
        if math.isnan(q[0]) or math.isnan(q[1]):
            continue
        assert any(dominates(points[i], q) for i in front)


@given(points_st)
def test_front_matches_brute_force_and_is_sorted(points: list[tuple[float, float]]) -> None:
    front = pareto_front(points)
    brute = {
        j
        for j, q in enumerate(points)
        if not math.isnan(q[0] + q[1]) and not any(dominates(p, q) for p in points)
    }
    assert set(front) == brute
    assert [points[i] for i in front] == sorted(points[i] for i in front)


@given(points_st, st.randoms(use_true_random=False))
def test_front_invariant_under_permutation(points: list[tuple[float, float]], rnd) -> None:
    perm = list(range(len(points)))
    rnd.shuffle(perm)
    shuffled = [points[i] for i in perm]
    assert {perm[i] for i in pareto_front(shuffled)} == set(pareto_front(points))
    assert hypervolume_2d(shuffled) == pytest.approx(hypervolume_2d(points), abs=1e-12)


@given(points_st, point)
def test_hypervolume_monotone_when_adding_a_point(
    points: list[tuple[float, float]], extra: tuple[float, float]
) -> None:
    before = hypervolume_2d(points)
    assert 0.0 <= before <= 1.0
    assert hypervolume_2d([*points, extra]) >= before - 1e-12


@given(points_st)
def test_hypervolume_equals_grid_free_union_of_boxes(points: list[tuple[float, float]]) -> None:
    # Independent computation: inclusion over the elementary cells cut by all coordinates.
    inside = [p for p in points if not math.isnan(p[0] + p[1]) and p[0] < 1 and p[1] < 1]
    xs = sorted({p[0] for p in inside} | {1.0})
    ys = sorted({p[1] for p in inside} | {1.0})
    area = 0.0
    for x0, x1 in itertools.pairwise(xs):
        for y0, y1 in itertools.pairwise(ys):
            if any(p[0] <= x0 and p[1] <= y0 for p in inside):
                area += (x1 - x0) * (y1 - y0)
    assert hypervolume_2d(points) == pytest.approx(area, abs=1e-9)


# ------------------------------------------------- significance-aware frontier


def test_probably_nondominated_keeps_insignificantly_dominated() -> None:
    pts = [(0.1, 0.1), (0.2, 0.2), (0.3, 0.3), (0.05, 0.9), (NAN, 0.0)]
    # Only 0 vs 2 is significant (both objectives).
    sig = {(0, 2)}
    kept = probably_nondominated(pts, lambda i, j: (i, j) in sig)
    assert kept == [3, 0, 1]
    # With nothing significant, every non-NaN point stays; with everything, it is the front.
    assert probably_nondominated(pts, lambda i, j: False) == [3, 0, 1, 2]
    assert probably_nondominated(pts, lambda i, j: True) == pareto_front(pts)


def test_probably_nondominated_asks_only_about_dominated_pairs() -> None:
    pts = [(0.1, 0.9), (0.9, 0.1), (0.1, 0.9)]
    asked: list[tuple[int, int]] = []

    def sig(i: int, j: int) -> bool:
        asked.append((i, j))
        return True

    assert probably_nondominated(pts, sig) == [0, 2, 1]
    assert asked == []


@given(points_st, st.randoms(use_true_random=False))
def test_probably_nondominated_is_superset_of_front(points: list[tuple[float, float]], rnd) -> None:
    verdicts: dict[tuple[int, int], bool] = {}

    def sig(i: int, j: int) -> bool:
        return verdicts.setdefault((i, j), rnd.random() < 0.5)

    assert set(pareto_front(points)) <= set(probably_nondominated(points, sig))


def test_ties_and_dominance_from() -> None:
    better_table = {(0, 1): (True, False), (2, 1): (True, True)}

    def better(i: int, j: int) -> tuple[bool, bool]:
        return better_table.get((i, j), (False, False))

    assert ties([0, 1, 2], better) == [(0, 2)]
    sig = dominance_from(better)
    assert sig(2, 1) and not sig(0, 1) and not sig(1, 2)


def test_mcnemar_better() -> None:
    n = 40
    # Candidate 0 refuses 2/40 borderline, 1 refuses 20/40, 2 refuses 3/40.
    ob = [[i < 2 for i in range(n)], [i < 20 for i in range(n)], [i < 3 for i in range(n)]]
    # Under-refusal: 0 misses 10/40, 1 misses 10/40 (same items), 2 misses 30/40.
    ur = [[i < 10 for i in range(n)], [i < 10 for i in range(n)], [i < 30 for i in range(n)]]
    better = mcnemar_better(ob, ur)
    assert better(0, 1) == (True, False)  # 18 discordant, all one way: p = 2^-17
    assert better(1, 0) == (False, False)
    assert better(0, 2) == (False, True)  # 2 vs 3 not significant; 10 vs 30 is
    assert better(2, 0) == (False, False)
    assert ties([0, 1, 2], better) == []
    pts = [(sum(o) / n, sum(u) / n) for o, u in zip(ob, ur, strict=True)]
    # 0 dominates 1 on point estimates but is significantly better on one objective
    # only (identical on the other), so 1 is kept; 2 dominates nothing.
    assert probably_nondominated(pts, dominance_from(better)) == [0, 2, 1]
    with pytest.raises(ValueError):
        mcnemar_better(ob, ur[:2])


# -------------------------------------------------------------- Rogan–Gladen


@pytest.mark.parametrize(
    ("observed", "sens", "spec", "expected"),
    [
        (0.3, 0.9, 0.95, 0.25 / 0.85),  # (0.3 + 0.95 − 1) / (0.9 + 0.95 − 1)
        (0.5, 0.8, 0.8, 0.5),  # symmetric judge leaves 0.5 alone
        (0.2, 1.0, 1.0, 0.2),  # perfect judge: no correction
        (0.02, 0.9, 0.95, 0.0),  # (0.02 − 0.05)/0.85 < 0: clipped
        (0.99, 0.9, 0.95, 1.0),  # (0.94)/0.85 > 1: clipped
        (0.14, 0.7, 0.9, 0.04 / 0.6),
    ],
)
def test_rogan_gladen_known_values(observed: float, sens: float, spec: float, expected: float):
    assert rogan_gladen(observed, sens, spec) == pytest.approx(expected, abs=1e-12)


def test_rogan_gladen_invalid() -> None:
    with pytest.raises(ValueError, match="sensitivity \\+ specificity"):
        rogan_gladen(0.3, 0.5, 0.5)
    with pytest.raises(ValueError):
        rogan_gladen(0.3, 0.4, 0.5)
    with pytest.raises(ValueError):
        rogan_gladen(1.3, 0.9, 0.9)
    assert math.isnan(rogan_gladen(NAN, 0.9, 0.9))


def test_corrected_interval() -> None:
    obs, sens, spec = Rate(30, 100), Rate(90, 100), Rate(95, 100)
    lo, hi = corrected_interval(obs, sens, spec)
    point = rogan_gladen(obs.value, sens.value, spec.value)
    assert 0.0 <= lo < point < hi <= 1.0
    # Judge uncertainty widens the interval beyond the rescaled Wilson interval.
    wlo, whi = obs.ci
    assert hi - lo > (whi - wlo) / (sens.value + spec.value - 1) * 0.9
    # Deterministic for a seed; a different seed moves it only a little.
    assert corrected_interval(obs, sens, spec) == (lo, hi)
    other = corrected_interval(obs, sens, spec, seed=1)
    assert other == pytest.approx((lo, hi), abs=0.01)
    # Larger calibration sets give a narrower interval.
    lo2, hi2 = corrected_interval(obs, Rate(900, 1000), Rate(950, 1000))
    assert hi2 - lo2 < hi - lo


def test_corrected_interval_edges() -> None:
    lo, hi = corrected_interval(Rate(0, 50), Rate(20, 20), Rate(20, 20))
    assert lo == 0.0 and 0.0 < hi < 0.15
    assert corrected_interval(Rate(0, 0), Rate(20, 20), Rate(20, 20))[1] > 0.9
    with pytest.raises(ValueError):
        corrected_interval(Rate(5, 10), Rate(0, 1000), Rate(0, 1000))
    with pytest.raises(ValueError):
        corrected_interval(Rate(5, 10), Rate(9, 10), Rate(9, 10), level=1.0)
