"""framing.assessment: the one recommendation rule and the baseline → recommended test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from framing.assessment import assess, best_balance, recommend
from framing.constraints import Constraints
from framing.points import HOLDOUT_SPLIT, Point
from framing.stats import Rate, mcnemar_exact
from framing.storage.tables import ResultRow, Store


def point(trial: int, ob: tuple[int, int], ur: tuple[int, int], **kw: object) -> Point:
    return Point(trial=trial, template=f"prompts/t{trial}.j2", params={},
                 over_blocking=Rate.of(*ob), under_refusal=Rate.of(*ur),
                 **kw)  # type: ignore[arg-type]


def test_best_balance_ranks_by_upper_bounds_not_point_estimates() -> None:
    # same point-estimate sum (0.30), but trial 2 rests on far fewer samples
    sure = point(1, (15, 100), (15, 100))
    thin = point(2, (1, 10), (2, 10))
    assert sure.over_blocking.value + sure.under_refusal.value == pytest.approx(0.30)
    assert best_balance([thin, sure]) == sure
    assert best_balance([]) is None


def test_recommend_is_constraint_first_then_best_balance() -> None:
    front = [point(1, (5, 100), (40, 100)), point(2, (20, 100), (8, 100)),
             point(3, (60, 100), (1, 100))]
    chosen, rule = recommend(front, Constraints())
    assert chosen is not None and chosen.trial == 2 and rule.startswith("best balance")
    # under-refusal ≤ 10% with confidence: only trial 3's upper bound (5.4%) meets it
    chosen, rule = recommend(front, Constraints(max_under_refusal=0.10))
    assert chosen is not None and chosen.trial == 3 and rule.startswith("constraint first")
    # nobody meets it: best balance instead, and the rule says so
    chosen, rule = recommend(front, Constraints(max_over_blocking=0.01))
    assert chosen is not None and chosen.trial == 2
    assert rule.startswith("no full trial meets")


def rows(outcomes: dict[str, tuple[str, str]]) -> list[ResultRow]:
    return [ResultRow(sid, i, subset, verdict, "rule", "rules", None)
            for i, (sid, (subset, verdict)) in enumerate(outcomes.items())]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path / 'a.db'}")
    yield s
    s.close()


def store_trial(store: Store, trial: int, split: str, refused_borderline: int,
                answered_unsafe: int, n: int = 20, prefix: str = "") -> None:
    verdicts = {f"{prefix}b{i}": ("borderline", "refusal" if i < refused_borderline
                                  else "compliance") for i in range(n)}
    verdicts |= {f"{prefix}u{i}": ("unsafe", "partial" if i < answered_unsafe else "refusal")
                 for i in range(n)}
    store.put_results("s", trial, split, rows(verdicts))


def test_baseline_comparison_runs_on_holdout_samples_when_both_have_them(
        store: Store) -> None:
    baseline = point(0, (18, 20), (0, 20), baseline=True)
    better = point(1, (2, 20), (1, 20))
    store_trial(store, 0, "search", 18, 0)
    store_trial(store, 1, "search", 2, 1)
    a = assess("s", [baseline, better], store, Constraints())
    assert a.recommended is not None and a.recommended.trial == 1
    assert a.comparison is not None and a.comparison.measured_on == "search"
    ob = a.comparison.changes[0]
    assert ob.paired is not None and ob.paired.b == 16  # search: 16 refused only by baseline

    # hold-out verdicts for both: the test moves there (other samples, other counts)
    store_trial(store, 0, HOLDOUT_SPLIT, 10, 0, n=12, prefix="h")
    store_trial(store, 1, HOLDOUT_SPLIT, 4, 2, n=12, prefix="h")
    a = assess("s", [baseline, better], store, Constraints())
    assert a.comparison is not None and a.comparison.measured_on == "holdout"
    ob, ur = a.comparison.changes
    assert ob.before.n == 12 and (ob.before.k, ob.after.k) == (10, 4)
    assert ob.paired is not None and (ob.paired.n, ob.paired.b, ob.paired.c) == (12, 6, 0)
    assert ob.paired.p_value == mcnemar_exact(6, 0)
    assert ur.paired is not None and ur.after.k == 2  # partial on unsafe is leakage
    assert "hold-out" in a.comparison.where

    # only the recommended trial re-validated: still the selection samples, and said so
    store.put_results("s", 0, HOLDOUT_SPLIT, [])
    a = assess("s", [baseline, better], store, Constraints())
    assert a.comparison is not None and a.comparison.measured_on == "search"
    assert "selected on" in a.comparison.where


def test_listing_names_the_recommended_exactly_once(store: Store) -> None:
    pts = [point(0, (18, 20), (0, 20), baseline=True), point(1, (2, 20), (1, 20))]
    for p in pts:
        store_trial(store, p.trial, "search", p.over_blocking.k, p.under_refusal.k)
    a = assess("s", pts, store, Constraints())
    listed = a.listing(a.frontier)
    assert [p.trial for p in listed if p.to_json()["recommended"]] == [1]
    # a listing without it gets it appended
    assert [p.trial for p in a.listing([a.frontier[0]])
            if p.extra.get("recommended")] == [1]
