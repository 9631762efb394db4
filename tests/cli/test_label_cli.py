"""``framing label`` driven through stdin, and ``framing frontier --corrected`` from the
stored labels, checked against a hand computation."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from framing.config import load_study
from framing.labels import LabelItem, build_queue
from framing.stats import Rate
from framing.storage.labels import LabelStore
from framing.storage.tables import Store

runner = CliRunner()
SETS = ["--set", "data.borderline=20", "--set", "data.unsafe=20"]
#: Monte Carlo error of two percentile intervals computed with different draws: with a
#: dozen labels the judge's Youden index is often drawn near zero, the corrected rate's
#: distribution has long tails, and its 97.5% quantile moves by up to ~0.02 between seeds
#: even at 200,000 draws (the intervals themselves are about 0.8 wide)
MC_ERROR = 0.03


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    from framing.cli import app

    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def _hand_interval(observed: Rate, sens: Rate, spec: Rate) -> tuple[float, float]:
    """The corrected rate's 95% interval computed here, independently: Jeffreys draws of
    the three proportions, Rogan–Gladen on each, percentiles."""
    rng = np.random.default_rng(12345)
    draws = 200_000

    def beta(r: Rate) -> np.ndarray:
        return rng.beta(r.k + 0.5, r.n - r.k + 0.5, size=draws)

    o, se, sp = beta(observed), beta(sens), beta(spec)
    j = se + sp - 1.0
    keep = j > 0
    true = np.clip((o[keep] + sp[keep] - 1.0) / j[keep], 0.0, 1.0)
    return float(np.quantile(true, 0.025)), float(np.quantile(true, 0.975))


def _by_hand(population: list[LabelItem], labelled: list[tuple[str, str, str]],
             subset: str) -> tuple[Rate, Rate]:
    """Sensitivity and specificity on ``subset`` as effective counts: each label weighted by
    (responses in its subset × verdict stratum) / (labels in that stratum); n is Kish's
    (Σw)² / Σw², k the weighted share of n, both rounded."""
    size = Counter((i.subset, i.verdict) for i in population)
    done = Counter((s, v) for s, v, _ in labelled)
    refusals = [(size[(s, v)] / done[(s, v)], v == "refusal")
                for s, v, lab in labelled if s == subset and lab == "refusal"]
    others = [(size[(s, v)] / done[(s, v)], v != "refusal")
              for s, v, lab in labelled if s == subset and lab != "refusal"]

    def effective(pairs: list[tuple[float, bool]]) -> Rate:
        total = sum(w for w, _ in pairs)
        n = round(total ** 2 / sum(w * w for w, _ in pairs))
        return Rate.of(round(sum(w for w, hit in pairs if hit) / total * n), n)

    return effective(refusals), effective(others)


def test_label_through_stdin_then_corrected_frontier(workspace: Path) -> None:
    assert run("search", "--trials", "3", "--no-report", "-q", *SETS)[0] == 0
    config = load_study(None, ["data.borderline=20", "data.unsafe=20"])
    store = Store(config.storage.url)
    try:
        population = build_queue(config, store).items  # nothing labelled yet: every response
    finally:
        store.close()
    items = population[:14]

    # the researcher agrees with the judge except on one borderline answer it called
    # compliance, which they call a refusal (a false negative); undetermined: skipped
    answers: list[str] = []
    labelled: list[tuple[str, str, str]] = []  # (subset, judge's verdict, label)
    flipped = False
    for item in items:
        if item.verdict == "undetermined":
            answers.append("s")
            continue
        label = item.verdict
        if not flipped and item.subset == "borderline" and item.verdict == "compliance":
            label, flipped = "refusal", True
        answers.append(label[0])
        labelled.append((item.subset, item.verdict, label))
    assert flipped
    # a wrong key first, then an undo of a label, then the real answer
    stdin = "x\np\nu\n" + "\n".join(answers) + "\nq\n"
    sens_b, spec_b = _by_hand(population, labelled, "borderline")
    sens_u, spec_u = _by_hand(population, labelled, "unsafe")
    # the strata are labelled at different rates here, so the weights matter
    size = Counter((i.subset, i.verdict) for i in population)
    done = Counter((s, v) for s, v, _ in labelled)
    assert len({round(size[k] / done[k], 6) for k in done}) > 1

    code, out, err = run("label", *SETS, stdin=stdin)
    assert code == 0, err
    assert "judge's verdict:" in err and "undone: label partial removed" in err
    assert "unknown key" in err
    assert f"{sum(a != 's' for a in answers)} labels stored this session" in err
    assert str(sens_b) in out and str(spec_b) in out
    assert "more labels" in out or "already under" in out or "not reachable" in out

    store = Store(config.storage.url)
    try:
        assert LabelStore(store.engine).count_labels() == sum(a != "s" for a in answers)
    finally:
        store.close()

    code, out, err = run("frontier", "--corrected", "--format", "json", *SETS)
    assert code == 0, err
    assert "researcher labels" in err
    points = json.loads(out)
    assert points
    assert sens_u.n and spec_u.n and sens_u.value + spec_u.value > 1  # unsafe is corrected
    for p in points:
        k = round(p["over_blocking"] * p["n_borderline"])
        # Rogan–Gladen by hand: (observed + spec - 1) / (sens + spec - 1), clipped
        expected = min(1.0, max(0.0, (k / p["n_borderline"] + spec_b.value - 1)
                                / (sens_b.value + spec_b.value - 1)))
        assert p["over_blocking_corrected"] == pytest.approx(expected, abs=1e-9)
        lo, hi = _hand_interval(Rate.of(k, p["n_borderline"]), sens_b, spec_b)
        assert p["over_blocking_corrected_ci"] == pytest.approx([lo, hi], abs=MC_ERROR)

        refused = p["n_unsafe"] - round(p["under_refusal"] * p["n_unsafe"])
        true = min(1.0, max(0.0, (refused / p["n_unsafe"] + spec_u.value - 1)
                            / (sens_u.value + spec_u.value - 1)))
        assert p["under_refusal_corrected"] == pytest.approx(1 - true, abs=1e-9)
        lo, hi = _hand_interval(Rate.of(refused, p["n_unsafe"]), sens_u, spec_u)
        assert p["under_refusal_corrected_ci"] == pytest.approx([1 - hi, 1 - lo], abs=MC_ERROR)


def test_label_a_study_without_responses_exits_2(workspace: Path) -> None:
    code, _, err = run("label", *SETS, stdin="r\n")
    assert code == 2
    assert "no stored responses to label" in err and "framing search" in err


def test_label_bad_target_width_exits_2(workspace: Path) -> None:
    code, _, err = run("label", "--target-width", "2", stdin="")
    assert code == 2 and "--target-width" in err


def test_label_a_classify_study_is_bad_input(workspace: Path) -> None:
    assert run("init", ".")[0] == 0
    code, _, err = run("label", "studies/classify.toml", stdin="")
    assert code == 2 and "classify mode" in err


def test_label_when_everything_is_labelled(workspace: Path) -> None:
    sets = ["--set", "data.borderline=5", "--set", "data.unsafe=5", "--set", "data.holdout=0"]
    assert run("search", "--trials", "1", "--no-report", "-q", *sets)[0] == 0
    code, _, err = run("label", *sets, stdin="c\n" * 40)
    assert code == 0, err
    assert "every response in the queue is labelled" in err
    code, out, err = run("label", *sets, stdin="")
    assert code == 0 and "every response of this study is labelled already" in err
    assert "sensitivity" in out


def test_corrected_prefers_labels_and_falls_back_to_a_calibrate_file(workspace: Path) -> None:
    from framing.judging.base import Verdict
    from framing.judging.evaluation import DEFAULT_LABELLED
    from framing.labels import save_label

    assert run("search", "--trials", "2", "--no-report", "-q", *SETS)[0] == 0
    assert run("judge", "calibrate", str(DEFAULT_LABELLED))[0] == 0
    config = load_study(None, ["data.borderline=20", "data.unsafe=20"])
    store = Store(config.storage.url)
    try:
        items = build_queue(config, store).items
        # one label calibrates nothing: the calibrate file is used
        save_label(store, config.name, items[0], Verdict(items[0].verdict))
    finally:
        store.close()
    code, _, err = run("frontier", "--corrected", "--format", "json", *SETS)
    assert code == 0, err
    assert "labelled.jsonl" in err and "researcher labels" not in err

    store = Store(config.storage.url)
    try:  # agree with the judge on a dozen more, one borderline refusal it missed
        flipped = False
        for item in items[1:16]:
            label = item.verdict
            if not flipped and item.subset == "borderline" and label == "compliance":
                label, flipped = "refusal", True
            if label != "undetermined":
                save_label(store, config.name, item, Verdict(label))
    finally:
        store.close()
    code, _, err = run("frontier", "--corrected", "--format", "json", *SETS)
    assert code == 0, err
    assert "researcher labels" in err
