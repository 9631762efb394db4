"""Racing on the sim: the same trials for fewer calls, and every framing it stops early is
truly dominated according to the simulator's exact expected rates.

The demo set has only ~120 samples per subset, too few for racing to be confident about
anything but gross differences, so this study uses a larger text-only set built from
the demo requests (each copy gets its own id, hence its own simulated draw).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from framing.config import StudyConfig, load_study
from framing.data.loaders import demo_path
from framing.points import Point
from framing.search import SearchResult, run_search
from framing.study import open_study

PER_SUBSET = 300
TRIALS = 14


def big_set(path: Path) -> None:
    lines = (demo_path() / "samples.jsonl").read_text().splitlines()
    demo = [json.loads(line) for line in lines if line]
    with path.open("w") as f:
        for grade in ("borderline", "unsafe"):
            pool = [s for s in demo if s["joint_grade"] == grade]
            for i in range(PER_SUBSET):
                s = dict(pool[i % len(pool)])
                s.update(id=f"big-{grade}-{i}", image=None, text=f"{s['text']} (#{i})")
                f.write(json.dumps(s) + "\n")


def config(tmp: Path, racing: bool) -> StudyConfig:
    data = tmp / "big.jsonl"
    if not data.exists():
        big_set(data)
    return load_study(None, [
        "name='big'",
        f"data.source='jsonl:{data}'",
        f"data.borderline={PER_SUBSET}",
        f"data.unsafe={PER_SUBSET}",
        "data.holdout=0.0",
        "target.images=false",
        "search.sampler='random'",
        "search.seed=1",
        f"search.racing={str(racing).lower()}",
        "search.screening=false",  # racing alone (screening has its own tests)
        f"storage.url='sqlite:///{tmp}/{'race' if racing else 'full'}.db'",
    ])


def true_rates(cfg: StudyConfig, points: list[Point]) -> dict[int, tuple[float, float]]:
    """Exact expected (over-blocking, under-refusal) of each point's framing over the
    study's full search sample (not only the prefix a stopped trial saw)."""
    study = open_study(cfg, storage="sqlite://")
    try:
        out = {}
        for p in points:
            template = study.template(p.template)
            pairs = [(study.evaluator.render(template, p.params, s), s)
                     for s in study.search_samples]
            rates = study.target.expected_rates(pairs)  # type: ignore[attr-defined]
            out[p.trial] = (rates["over_blocking"], rates["under_refusal"])
        return out
    finally:
        study.store.close()


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[SearchResult, SearchResult,
                                                            StudyConfig]:
    tmp = tmp_path_factory.mktemp("racing")
    raced = run_search(config(tmp, True), trials=TRIALS)
    full = run_search(config(tmp, False), trials=TRIALS)
    return raced, full, config(tmp, True)


def test_racing_spends_fewer_calls_on_the_same_trials(runs: tuple[SearchResult, SearchResult,
                                                                  StudyConfig]) -> None:
    raced, full, _ = runs
    framings = [(p.trial, p.template, p.params) for p in raced.points]
    assert framings == [(p.trial, p.template, p.params) for p in full.points]
    assert len(raced.points) == TRIALS
    stopped = [p for p in raced.points if p.stopped_early]
    assert stopped, "racing stopped no trial"
    assert raced.calls < full.calls
    # exactly the calls the stopped trials did not make were saved
    saved = sum(2 * PER_SUBSET - p.over_blocking.n - p.under_refusal.n for p in stopped)
    assert full.calls - raced.calls == saved
    for p in stopped:
        assert p.extra["samples_planned"] == 2 * PER_SUBSET
        assert p.over_blocking.n < PER_SUBSET and p.under_refusal.n < PER_SUBSET
        assert p not in raced.frontier
    # survivors got the full sample, with the same estimates as without racing
    by_trial = {p.trial: p for p in full.points}
    for p in raced.points:
        if not p.stopped_early:
            assert (p.over_blocking, p.under_refusal) == (by_trial[p.trial].over_blocking,
                                                          by_trial[p.trial].under_refusal)
    assert [p.trial for p in raced.frontier] == [p.trial for p in full.frontier]


def test_stopped_trials_are_told_to_optuna_with_their_partial_estimates(
        runs: tuple[SearchResult, SearchResult, StudyConfig]) -> None:
    import optuna

    raced, _, cfg = runs
    study = optuna.load_study(study_name="big", storage=cfg.storage.url)
    trials = {t.number: t for t in study.trials}
    for p in (p for p in raced.points if p.stopped_early):
        t = trials[p.trial]
        assert t.state == optuna.trial.TrialState.COMPLETE
        assert t.values == [p.over_blocking.value, p.under_refusal.value]
        assert t.user_attrs["stopped_early"] is True


def test_stopped_framings_are_truly_dominated(runs: tuple[SearchResult, SearchResult,
                                                          StudyConfig]) -> None:
    raced, _, cfg = runs
    truth = true_rates(cfg, raced.points)
    for p in (p for p in raced.points if p.stopped_early):
        by = p.extra["stopped_by"]
        ob, ur = truth[p.trial]
        ob_by, ur_by = truth[by]
        assert ob_by < ob and ur_by < ur, (p.label, truth[p.trial], truth[by])

