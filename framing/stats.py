"""Statistics for comparing framings: rates, paired tests, Pareto sets, judge correction.

Pure functions over counts and points, no I/O. Both objectives of a study
(over-blocking, under-refusal) are rates to *minimise*, so every Pareto helper here
treats lower as better on both axes.

- :class:`Rate` / :func:`wilson_interval`: a proportion with its 95% Wilson interval,
  which stays sensible at 0% and 100% and for small n, unlike the Wald interval.
- :func:`paired_compare` / :func:`mcnemar_exact`: framings are evaluated on the same
  samples, so differences are tested on the discordant pairs (exact McNemar).
- :func:`pareto_front`, :func:`hypervolume_2d`: the frontier on point estimates.
- :func:`probably_nondominated`, :func:`ties`: the frontier once noise is accounted
  for, with significance supplied by the caller (see :func:`mcnemar_better`).
- :func:`rogan_gladen`, :func:`corrected_interval`: rates corrected for the error of an
  imperfect refusal judge, given its calibrated sensitivity and specificity.

Invalid arguments (negative counts, ``k > n``, probabilities outside [0, 1]) raise
``ValueError``: they are programming errors, not user input.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Z_95",
    "Better",
    "PairedComparison",
    "Point",
    "Rate",
    "corrected_interval",
    "dominance_from",
    "dominates",
    "hypervolume_2d",
    "mcnemar_better",
    "mcnemar_exact",
    "mcnemar_lower",
    "paired_compare",
    "pareto_front",
    "probably_nondominated",
    "rogan_gladen",
    "ties",
    "wilson_interval",
]

Z_95 = 1.959963984540054
"""Two-sided 95% standard normal quantile."""

Point = tuple[float, float]
"""A point in objective space: (over-blocking, under-refusal), both minimised."""

Better = Callable[[int, int], tuple[bool, bool]]
"""``better(i, j)``: is candidate i significantly lower than j on objective 0, on objective 1."""


# --------------------------------------------------------------------------- rates


def _check_counts(k: int, n: int) -> None:
    if n < 0 or k < 0 or k > n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")


def wilson_interval(k: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials (95% by default).

    Chosen over the Wald interval because it keeps its coverage near 0 and 1 and for
    small n. With no data (n == 0) nothing is known: (0.0, 1.0).
    """
    _check_counts(k, n)
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n))
    lo = 0.0 if k == 0 else max(0.0, centre - half)
    hi = 1.0 if k == n else min(1.0, centre + half)
    return (lo, hi)


@dataclass(frozen=True, slots=True)
class Rate:
    """A proportion k/n with its Wilson interval; ``str`` gives "62.4% [55.1, 69.2] n=120"."""

    k: int
    n: int

    def __post_init__(self) -> None:
        _check_counts(self.k, self.n)

    @classmethod
    def of(cls, k: int, n: int) -> Rate:
        return cls(k, n)

    @property
    def value(self) -> float:
        """k/n, or nan when there is no data."""
        return self.k / self.n if self.n else math.nan

    @property
    def ci(self) -> tuple[float, float]:
        """95% Wilson interval."""
        return wilson_interval(self.k, self.n)

    def __str__(self) -> str:
        lo, hi = self.ci
        value = "n/a" if self.n == 0 else f"{100 * self.value:.1f}%"
        return f"{value} [{100 * lo:.1f}, {100 * hi:.1f}] n={self.n}"


# ---------------------------------------------------------------- paired tests


def mcnemar_exact(b: int, c: int) -> float:
    """Exact two-sided McNemar p-value from the discordant counts b and c.

    Under the null each discordant pair is equally likely to go either way, so
    min(b, c) is Binomial(b + c, 1/2); the two-sided p-value is
    min(1, 2 * P(X <= min(b, c))). No discordant pairs (b + c == 0) gives 1.0.
    """
    if b < 0 or c < 0:
        raise ValueError(f"discordant counts must be >= 0, got b={b}, c={c}")
    n = b + c
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(b, c) + 1))
    # Exact integer arithmetic; int / int is correctly rounded even for huge n.
    return min(1.0, 2 * tail / 2**n)


def mcnemar_lower(b: int, c: int) -> float:
    """Exact one-sided McNemar p-value for "a's rate is lower than b's".

    ``b`` counts items where only a is true, ``c`` items where only b is true. Under the
    null (no difference) b is Binomial(b + c, 1/2); a lower rate shows as few a-only
    items, so the p-value is P(X <= b). No discordant pairs gives 1.0. Use it for a
    directional question asked before looking (racing asks "is the frontier point
    lower?"); report two-sided :func:`mcnemar_exact` otherwise.
    """
    if b < 0 or c < 0:
        raise ValueError(f"discordant counts must be >= 0, got b={b}, c={c}")
    n = b + c
    if n == 0:
        return 1.0
    return min(1.0, sum(math.comb(n, i) for i in range(b + 1)) / 2**n)


@dataclass(frozen=True, slots=True)
class PairedComparison:
    """Two framings' outcomes on the same n items, and whether they differ.

    ``b`` counts items where a is true and b false, ``c`` the reverse; ``difference``
    is rate_a − rate_b and ``p_value`` the exact McNemar test on (b, c).
    """

    n: int
    rate_a: Rate
    rate_b: Rate
    b: int
    c: int
    difference: float
    p_value: float

    @property
    def p_lower(self) -> float:
        """One-sided exact p-value for "a's rate is lower than b's" (:func:`mcnemar_lower`)."""
        return mcnemar_lower(self.b, self.c)


def paired_compare(a: Sequence[bool], b: Sequence[bool]) -> PairedComparison:
    """Compare two outcome vectors over the same items (item i of a pairs with item i of b)."""
    if len(a) != len(b):
        raise ValueError(f"paired outcomes need equal lengths, got {len(a)} and {len(b)}")
    n = len(a)
    only_a = sum(1 for x, y in zip(a, b, strict=True) if x and not y)
    only_b = sum(1 for x, y in zip(a, b, strict=True) if y and not x)
    rate_a = Rate(sum(1 for x in a if x), n)
    rate_b = Rate(sum(1 for y in b if y), n)
    return PairedComparison(
        n=n,
        rate_a=rate_a,
        rate_b=rate_b,
        b=only_a,
        c=only_b,
        difference=rate_a.value - rate_b.value,
        p_value=mcnemar_exact(only_a, only_b),
    )


# ---------------------------------------------------------------------- Pareto


def _no_nan(p: Point) -> bool:
    return not (math.isnan(p[0]) or math.isnan(p[1]))


def dominates(p: Point, q: Point) -> bool:
    """p Pareto-dominates q under minimisation: no worse on both, strictly better on one.

    Any NaN coordinate makes the comparison false, so NaN points neither dominate
    nor are dominated.
    """
    return p[0] <= q[0] and p[1] <= q[1] and (p[0] < q[0] or p[1] < q[1])


def pareto_front(points: Sequence[Point]) -> list[int]:
    """Indices of the non-dominated points, sorted by the first objective (then second).

    Identical non-dominated points are all kept (neither dominates the other); points
    with a NaN coordinate (no data) are never on the front. O(n log n).
    """
    order = sorted(
        (i for i, p in enumerate(points) if _no_nan(p)),
        key=lambda i: (points[i][0], points[i][1], i),
    )
    front: list[int] = []
    best_y: float | None = None  # lowest second objective among points of smaller first
    start = 0
    while start < len(order):
        x = points[order[start]][0]
        end = start
        while end < len(order) and points[order[end]][0] == x:
            end += 1
        # Among equal first objectives only the lowest second survives (all copies of
        # it), and only if it beats every point with a smaller first objective.
        group_min = points[order[start]][1]
        if best_y is None or group_min < best_y:
            front.extend(i for i in order[start:end] if points[i][1] == group_min)
            best_y = group_min
        start = end
    return front


def hypervolume_2d(points: Sequence[Point], ref: Point = (1.0, 1.0)) -> float:
    """Area dominated by the points and bounded by ``ref`` (larger is better).

    Points that are not strictly better than ``ref`` on both objectives contribute
    nothing. With the default ref (1, 1) and rates in [0, 1], the ideal (0, 0) gives 1.
    """
    rx, ry = ref
    inside = [p for p in points if _no_nan(p) and p[0] < rx and p[1] < ry]
    area = 0.0
    front = [inside[i] for i in pareto_front(inside)]
    for idx, (x, y) in enumerate(front):
        next_x = front[idx + 1][0] if idx + 1 < len(front) else rx
        area += (next_x - x) * (ry - y)
    return area


# ------------------------------------------------- significance-aware frontier


def probably_nondominated(
    candidates: Sequence[Point], significant_dominance: Callable[[int, int], bool]
) -> list[int]:
    """Indices of candidates that no other candidate *significantly* dominates.

    Candidate j is dropped only if some i dominates it on point estimates **and**
    ``significant_dominance(i, j)`` is true, meaning the caller's paired tests find i
    significantly better than j on both objectives. The set is therefore a superset of
    :func:`pareto_front`: a point that looks dominated but could be on the frontier
    given sampling noise is kept. The callback is only asked about pairs where point
    dominance holds; the tests and their level are the caller's choice (for
    McNemar-based ones see :func:`mcnemar_better` and :func:`dominance_from`).
    Candidates with a NaN coordinate are never included. Sorted like ``pareto_front``.
    """
    kept = [
        j
        for j, q in enumerate(candidates)
        if _no_nan(q)
        and not any(
            i != j and dominates(p, q) and significant_dominance(i, j)
            for i, p in enumerate(candidates)
        )
    ]
    return sorted(kept, key=lambda i: (candidates[i][0], candidates[i][1], i))


def ties(indices: Sequence[int], better: Better) -> list[tuple[int, int]]:
    """Pairs among ``indices`` that are statistically tied: no significant difference.

    A pair (i, j) is tied when ``better`` finds neither significantly lower than the
    other on either objective. Pairs come in the order of ``indices`` (i before j),
    so passing a frontier sorted by over-blocking gives pairs in that order too.
    """
    out: list[tuple[int, int]] = []
    for a, i in enumerate(indices):
        for j in indices[a + 1 :]:
            if not (any(better(i, j)) or any(better(j, i))):
                out.append((i, j))
    return out


def dominance_from(better: Better) -> Callable[[int, int], bool]:
    """The ``significant_dominance`` callback implied by a per-objective ``better``."""
    return lambda i, j: all(better(i, j))


def mcnemar_better(
    over_blocking: Sequence[Sequence[bool]],
    under_refusal: Sequence[Sequence[bool]],
    alpha: float = 0.05,
) -> Better:
    """A ``better`` callback from per-candidate outcome vectors on shared items.

    ``over_blocking[i]`` holds candidate i's per-item outcomes on the borderline items
    (true = refused), ``under_refusal[i]`` on the unsafe items (true = not refused);
    every candidate must be scored on the same items in the same order. i is better
    than j on an objective when its rate is lower and the exact McNemar p-value is
    below ``alpha``. Each test runs at ``alpha`` with no multiplicity correction: the
    result is a screening aid, not a family-wise guarantee.
    """
    if len(over_blocking) != len(under_refusal):
        raise ValueError("need one over-blocking and one under-refusal vector per candidate")
    cache: dict[tuple[int, int, int], PairedComparison] = {}

    def compare(obj: int, i: int, j: int) -> PairedComparison:
        key = (obj, min(i, j), max(i, j))
        if key not in cache:
            vectors = over_blocking if obj == 0 else under_refusal
            cache[key] = paired_compare(vectors[key[1]], vectors[key[2]])
        return cache[key]

    def lower(obj: int, i: int, j: int) -> bool:
        cmp = compare(obj, i, j)
        diff = cmp.difference if i < j else -cmp.difference
        return diff < 0 and cmp.p_value < alpha

    return lambda i, j: (lower(0, i, j), lower(1, i, j))


# --------------------------------------------------------- judge-error correction


def _check_probability(name: str, x: float) -> None:
    if not 0.0 <= x <= 1.0:
        raise ValueError(f"{name} must be in [0, 1], got {x}")


def rogan_gladen(observed: float, sensitivity: float, specificity: float) -> float:
    """True rate estimated from a rate observed through an imperfect classifier.

    observed = sens · true + (1 − spec) · (1 − true), solved for ``true`` and clipped
    to [0, 1]. Here the classifier is the refusal judge: sensitivity is P(judged
    refusal | refusal), specificity P(judged not refusal | not refusal). A judge with
    sens + spec − 1 <= 0 is no better than chance and cannot be corrected for
    (ValueError). A nan observed rate (no data) gives nan.
    """
    _check_probability("sensitivity", sensitivity)
    _check_probability("specificity", specificity)
    youden = sensitivity + specificity - 1.0
    if youden <= 0.0:
        raise ValueError(f"sensitivity + specificity - 1 must be > 0 to correct, got {youden:.4g}")
    if math.isnan(observed):
        return math.nan
    _check_probability("observed", observed)
    return min(1.0, max(0.0, (observed + specificity - 1.0) / youden))


def corrected_interval(
    observed: Rate,
    sensitivity: Rate,
    specificity: Rate,
    *,
    level: float = 0.95,
    draws: int = 20_000,
    seed: int = 0,
) -> tuple[float, float]:
    """Interval for the Rogan–Gladen corrected rate, by parametric bootstrap.

    Each of the three proportions (the observed rate and the judge's calibrated
    sensitivity and specificity, given as counts: e.g. ``Rate(true_positives,
    positives)``) is redrawn from its Jeffreys Beta(k + ½, n − k + ½) distribution,
    which, unlike resampling the point estimate, stays informative at 0 and 1 counts;
    each draw is corrected and the equal-tailed percentile interval returned, clipped
    to [0, 1]. Draws where the drawn judge is no better than chance are discarded
    (ValueError if all are). Deterministic for a given ``seed``.
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level}")
    if draws < 1:
        raise ValueError(f"draws must be >= 1, got {draws}")
    rng = np.random.default_rng(seed)

    def beta(r: Rate) -> np.ndarray:
        return rng.beta(r.k + 0.5, r.n - r.k + 0.5, size=draws)

    obs, sens, spec = beta(observed), beta(sensitivity), beta(specificity)
    youden = sens + spec - 1.0
    valid = youden > 0.0
    if not valid.any():
        raise ValueError("the calibrated judge is no better than chance; cannot correct")
    corrected = np.clip((obs[valid] + spec[valid] - 1.0) / youden[valid], 0.0, 1.0)
    tail = (1.0 - level) / 2.0
    lo, hi = np.quantile(corrected, [tail, 1.0 - tail])
    return (float(lo), float(hi))
