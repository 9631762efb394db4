"""Judge calibration: sensitivity and specificity per subset, storage with the study, and
Rogan–Gladen corrected rates whose intervals carry the calibration's uncertainty."""

from __future__ import annotations

from pathlib import Path

import pytest

from framing.config import load_study
from framing.judging import RulesResponseJudge
from framing.judging.base import Judgement, Verdict
from framing.judging.calibration import (
    Calibration,
    SubsetCalibration,
    calibrate,
    correct_refusal_rate,
    corrected_keys,
    correction_problems,
    judge_identity,
    judge_labelled,
    load_calibration,
    save_calibration,
)
from framing.judging.evaluation import LabelledItem, load_labelled
from framing.judging.rules import RulesJudge
from framing.points import Point
from framing.stats import Rate
from framing.storage.tables import Store

R, P, C = Verdict.REFUSAL, Verdict.PARTIAL, Verdict.COMPLIANCE


def item(i: int, subset: str, label: Verdict) -> LabelledItem:
    return LabelledItem(f"x{i}", subset, "request", "response", label, "case")


def judged(v: Verdict) -> Judgement:
    return Judgement(v, "test")


def test_calibrate_counts_per_subset() -> None:
    pairs = [
        # borderline: 3 labelled refusals (2 caught), 3 others (1 called a refusal)
        ("borderline", R, R), ("borderline", R, R), ("borderline", R, C),
        ("borderline", P, P), ("borderline", C, R), ("borderline", C, C),
        # unsafe: undetermined and error verdicts are excluded and counted
        ("unsafe", R, R), ("unsafe", C, C), ("unsafe", R, Verdict.UNDETERMINED),
        ("unsafe", C, Verdict.ERROR),
    ]
    items = [item(i, s, label) for i, (s, label, _) in enumerate(pairs)]
    cal = calibrate(items, [judged(v) for *_, v in pairs], study="st", judge="j",
                    judge_kind="rules", labels="l.jsonl")
    assert list(cal.subsets) == ["borderline", "unsafe"]
    b = cal.subsets["borderline"]
    assert (b.sensitivity.k, b.sensitivity.n, b.specificity.k, b.specificity.n) == (2, 3, 2, 3)
    u = cal.subsets["unsafe"]
    assert (u.sensitivity.k, u.sensitivity.n, u.specificity.k, u.specificity.n) == (1, 1, 1, 1)
    assert u.undetermined == 2
    assert cal.n == 10
    assert b.usable and u.usable


async def test_rules_judge_on_the_bundled_set_per_subset() -> None:
    items = load_labelled()
    judgements = await judge_labelled(RulesResponseJudge(RulesJudge()), items)
    cal = calibrate(items, judgements, study="s", judge="j", judge_kind="rules", labels="b")
    assert set(cal.subsets) == {"borderline", "unsafe", "safe"}
    unsafe = cal.subsets["unsafe"]
    # in-sample (the rules were written with this set): no unsafe refusal is missed
    assert unsafe.sensitivity.k == unsafe.sensitivity.n
    assert unsafe.specificity.k == unsafe.specificity.n
    assert cal.subsets["borderline"].sensitivity.value == 1.0
    assert not correction_problems(cal)


def test_store_round_trip_and_replace(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path}/c.db")
    try:
        assert load_calibration(store, "st", "j") is None
        first = Calibration("st", "j", "rules", "a.jsonl", {
            "borderline": SubsetCalibration("borderline", Rate(9, 10), Rate(18, 20), 1),
            "unsafe": SubsetCalibration("unsafe", Rate(30, 31), Rate(5, 6)),
        }, 123.0)
        save_calibration(store, first)
        loaded = load_calibration(store, "st", "j")
        assert loaded is not None
        assert dict(loaded.subsets) == dict(first.subsets)
        assert (loaded.judge_kind, loaded.labels, loaded.created) == ("rules", "a.jsonl", 123.0)
        second = Calibration("st", "j", "rules", "b.jsonl", {
            "unsafe": SubsetCalibration("unsafe", Rate(1, 2), Rate(2, 2))}, 124.0)
        save_calibration(store, second)
        replaced = load_calibration(store, "st", "j")
        assert replaced is not None and list(replaced.subsets) == ["unsafe"]
        assert load_calibration(store, "other-study", "j") is None
    finally:
        store.close()


def test_perfect_judge_changes_nothing() -> None:
    perfect = SubsetCalibration("borderline", Rate(50, 50), Rate(50, 50))
    fixed = correct_refusal_rate(Rate(30, 100), perfect)
    assert fixed.value == pytest.approx(0.30)
    assert fixed.ci is not None
    lo, hi = fixed.ci
    assert lo < 0.30 < hi


def test_rogan_gladen_value_and_a_wider_interval() -> None:
    observed = Rate(40, 100)
    cal = SubsetCalibration("borderline", Rate(45, 50), Rate(45, 50))  # sens = spec = 0.9
    fixed = correct_refusal_rate(observed, cal)
    # (0.40 + 0.9 - 1) / (0.9 + 0.9 - 1) = 0.375
    assert fixed.value == pytest.approx(0.375)
    assert fixed.ci is not None
    lo, hi = fixed.ci
    assert lo < 0.375 < hi
    wilson_lo, wilson_hi = observed.ci
    assert hi - lo > wilson_hi - wilson_lo  # the calibration's uncertainty widens it
    tight = correct_refusal_rate(observed, SubsetCalibration("b", Rate(4500, 5000),
                                                             Rate(4500, 5000)))
    assert tight.ci is not None and tight.ci[1] - tight.ci[0] < hi - lo


def test_uncorrectable_subsets_give_null() -> None:
    assert correct_refusal_rate(Rate(1, 10), None).value is None
    chance = SubsetCalibration("unsafe", Rate(5, 10), Rate(5, 10))
    assert not chance.usable
    assert correct_refusal_rate(Rate(1, 10), chance).ci is None
    no_refusals = SubsetCalibration("unsafe", Rate(0, 0), Rate(10, 10))
    assert not no_refusals.usable


def test_corrected_keys_on_a_point() -> None:
    point = Point(trial=3, template="prompts/x.j2", params={}, over_blocking=Rate(40, 100),
                  under_refusal=Rate(20, 100))
    cal = Calibration("st", "j", "rules", "l", {
        "borderline": SubsetCalibration("borderline", Rate(45, 50), Rate(45, 50)),
        "unsafe": SubsetCalibration("unsafe", Rate(90, 100), Rate(50, 50)),
    })
    keys = corrected_keys(point, cal)
    assert keys["over_blocking_corrected"] == pytest.approx(0.375)
    # unsafe refusal observed 0.8, corrected (0.8 + 1 - 1) / (0.9 + 1 - 1) = 0.888..
    assert keys["under_refusal_corrected"] == pytest.approx(1 - 0.8 / 0.9)
    lo, hi = keys["under_refusal_corrected_ci"]
    assert lo < keys["under_refusal_corrected"] < hi
    missing = corrected_keys(point, Calibration("st", "j", "rules", "l", {}))
    assert missing == {"over_blocking_corrected": None, "over_blocking_corrected_ci": None,
                       "under_refusal_corrected": None, "under_refusal_corrected_ci": None}
    assert len(correction_problems(Calibration("st", "j", "rules", "l", {}))) == 2


def test_judge_identity_follows_the_judge() -> None:
    demo = load_study(None)
    extended = load_study(None, ['judge.rules.refusal=["no way"]'])
    assert judge_identity(demo, "rules") == judge_identity(load_study(None), "rules")
    assert judge_identity(demo, "rules") != judge_identity(extended, "rules")
    a = load_study(None, ['judge.kind="model"', 'judge.target.kind="openai"',
                          'judge.target.model="judge-a"'])
    b = load_study(None, ['judge.kind="model"', 'judge.target.kind="openai"',
                          'judge.target.model="judge-b"'])
    c = load_study(None, ['judge.kind="model"', 'judge.target.kind="openai"',
                          'judge.target.model="judge-a"', "judge.target.concurrency=2"])
    assert judge_identity(a, "model") != judge_identity(b, "model")
    assert judge_identity(a, "model") == judge_identity(c, "model")  # pace is not identity
    assert judge_identity(a, "model") != judge_identity(a, "rules")


def test_judge_pace_and_prices_are_not_study_identity() -> None:
    from framing.study import identity

    base = ['judge.kind="model"', 'judge.target.kind="openai"', 'judge.target.model="j"']
    same = identity(load_study(None, base))
    assert identity(load_study(None, [*base, "judge.target.concurrency=2",
                                      "judge.target.price_input=1.0"])) == same
    assert identity(load_study(None, [*base[:2], 'judge.target.model="other"'])) != same
    assert identity(load_study(None)) != same
