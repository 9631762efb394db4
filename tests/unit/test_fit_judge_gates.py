"""``scripts/fit_judge.py --gates``: the learned gates it measures (a threshold per rules
reading) group readings, gate and learn as documented. Toy rows only: the development
sets are read by the script itself, never by tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from framing.judging.base import Judgement, Verdict
from framing.judging.features import NAMES, WIDTH

REFUSAL, PARTIAL, COMPLIANCE = Verdict.REFUSAL, Verdict.PARTIAL, Verdict.COMPLIANCE


@pytest.fixture(scope="module")
def fit_judge() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "scripts" / "fit_judge.py"
    spec = importlib.util.spec_from_file_location("fit_judge_script", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_readings_group_what_the_rules_had_to_go_on(fit_judge: ModuleType) -> None:
    plain = np.zeros(WIDTH)
    plain[NAMES.index("letters_share")] = 1.0  # letters: no sign of declining
    signed = plain.copy()
    signed[NAMES.index("questions")] = 1.0
    reading = fit_judge.reading
    assert reading(Judgement(COMPLIANCE, "compliance:default"), plain) == "default"
    assert reading(Judgement(COMPLIANCE, "compliance:default"), signed) == "default+sign"
    assert reading(Judgement(COMPLIANCE, "compliance:idiom", confidence=0.9), plain) \
        == "explained"
    assert reading(Judgement(PARTIAL, "partial:late_refusal", confidence=0.65), plain) \
        == "partial?"
    assert reading(Judgement(REFUSAL, "refusal:cant_help", confidence=0.95), plain) \
        == "refusal"
    assert set(fit_judge.READINGS) >= {"default", "default+sign", "partial?", "refusal"}


def test_gated_overrules_only_above_the_readings_threshold(fit_judge: ModuleType) -> None:
    p = np.array([[0.7, 0.2, 0.1], [0.7, 0.2, 0.1], [0.3, 0.3, 0.4]])
    readings = ["default", "refusal", "default"]
    rules = [COMPLIANCE, REFUSAL, PARTIAL]
    said = fit_judge.gated(p, readings, rules, {"default": 0.6})
    # the first is overruled; a reading without a threshold stands; below it, too
    assert said == [REFUSAL, REFUSAL, PARTIAL]
    assert fit_judge.gated(p, readings, rules, {"default": 0.75}) == rules


def test_learnt_thresholds_follow_the_rows_and_prefer_the_rules_on_ties(
        fit_judge: ModuleType) -> None:
    # the stage is right when sure (0.9), wrong when unsure (0.5): learn a threshold between
    p = np.array([[0.9, 0.05, 0.05], [0.9, 0.05, 0.05], [0.5, 0.1, 0.4], [0.5, 0.1, 0.4]])
    rules = [COMPLIANCE] * 4
    labels = [REFUSAL, REFUSAL, COMPLIANCE, COMPLIANCE]
    rows = [(p, ["default"] * 4, rules, labels, 1.0)]
    learnt = fit_judge.learn_thresholds(rows, ("default", "partial"))
    assert 0.5 < learnt["default"] <= 0.9
    assert learnt["partial"] > 1.0  # no evidence: the rules stand
