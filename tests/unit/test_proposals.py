"""No wasted proposals: a search never evaluates a framing twice, and its Optuna study
holds one trial per evaluated framing."""

from __future__ import annotations

from pathlib import Path

import optuna
import pytest

from framing.config import StudyConfig, load_study
from framing.events import Event, Notice
from framing.points import ATTR_DUPLICATE_OF
from framing.search.run import make_sampler, run_search
from framing.search.space import Proposer, framing_id, space
from framing.study import open_study

#: framings of the demo space (prompts/*.j2)
DEMO_SPACE = 78


def small(tmp: Path, sampler: str, name: str = "norepeat") -> StudyConfig:
    return load_study(None, [
        f"name='{name}'", f"storage.url='sqlite:///{tmp}/s.db'", "data.borderline=8",
        "data.unsafe=8", "data.holdout=0", "search.holdout_check=false",
        f"search.sampler='{sampler}'", "search.racing=false",
    ])


@pytest.mark.parametrize("sampler", ["tpe", "random", "nsga2", "additive"])
def test_no_framing_is_evaluated_twice_and_the_study_holds_one_trial_each(
        tmp_path: Path, sampler: str) -> None:
    notices: list[str] = []

    def on_event(e: Event) -> None:
        if isinstance(e, Notice):
            notices.append(e.message)

    config = small(tmp_path, sampler)
    result = run_search(config, on_event, trials=DEMO_SPACE + 5)
    framings = [framing_id(p.template, p.version, p.params) for p in result.points]
    assert len(framings) == len(set(framings)) == DEMO_SPACE
    assert result.trials_run == DEMO_SPACE
    assert any("space exhausted" in n for n in notices)
    trials = optuna.load_study(study_name="norepeat",
                               storage=f"sqlite:///{tmp_path}/s.db").trials
    assert len(trials) == DEMO_SPACE
    assert not [t for t in trials if ATTR_DUPLICATE_OF in t.user_attrs]


def test_trials_count_framings_evaluated_across_runs(tmp_path: Path) -> None:
    config = small(tmp_path, "tpe")
    first = run_search(config, trials=12)
    second = run_search(config, trials=20)
    assert (first.trials_run, second.trials_run) == (12, 8)
    framings = [framing_id(p.template, p.version, p.params) for p in second.points]
    assert len(framings) == len(set(framings)) == 20


def test_the_proposer_never_returns_a_taken_framing(tmp_path: Path) -> None:
    config = small(tmp_path, "tpe")
    study = open_study(config, storage="sqlite://")
    try:
        templates = study.templates
    finally:
        study.store.close()
    every = list(space(templates))
    proposer = Proposer(lambda s: make_sampler(config, "tpe", s), 0)
    busy: set[tuple[str, str, str]] = set()
    for number in range(len(every)):
        nxt = proposer.propose(templates, {}, busy, number)
        assert nxt is not None
        assert nxt.id not in busy
        busy.add(nxt.id)  # under way elsewhere: as good as taken
    assert proposer.propose(templates, {}, busy, len(every)) is None
