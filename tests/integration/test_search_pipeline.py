"""While other workers' trials run, a worker records its trial as the next one starts.

In-process searches of the built-in demo (simulated model) on SQLite. "Another worker"
is a trial that the test starts in the study and leaves running: marked as a free repeat,
it takes no place in the budget and nobody waits for it, but it makes the worker see
other workers' trials running. The recording of each trial (framing.search.run's
``_Search._finish``) is held until the next trial has started, or until the search loop
itself waits for it: so the tests know, without any clock, that the two overlapped.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import optuna
import pytest
from optuna.trial import FrozenTrial, TrialState

from framing.config import load_study
from framing.events import Event, Notice, StudyStarted, TrialStarted
from framing.points import ATTR_DUPLICATE_OF, ATTR_PARAMS, ATTR_TEMPLATE
from framing.search import run as run_module
from framing.search import run_search_async
from framing.search.workers import ATTR_WORKER, counts_toward_budget, retry_stale_trial
from framing.storage.url import connect_url

pytestmark = pytest.mark.integration

SETTINGS = ["data.borderline=6", "data.unsafe=6", "data.holdout=0", "target.latency=0",
            "target.concurrency=2"]


def config_for(tmp_path: Path) -> Any:
    url = f"sqlite:///{tmp_path / 'framing.db'}"
    return load_study(None, [*SETTINGS, f"storage.url={json.dumps(url)}"]), url


def with_study(url: str, act: Any) -> None:
    storage = optuna.storages.RDBStorage(connect_url(url))
    try:
        act(storage, optuna.load_study(study_name="demo", storage=storage))
    finally:
        storage.engine.dispose()


def start_elsewhere(storage: optuna.storages.RDBStorage, study: optuna.Study) -> None:
    """A trial of "another worker", left running."""
    trial = study.ask()
    trial.set_user_attr(ATTR_WORKER, "elsewhere")
    trial.set_user_attr(ATTR_DUPLICATE_OF, -1)


def trials_of(url: str) -> list[FrozenTrial]:
    found: list[FrozenTrial] = []
    with_study(url, lambda _, study: found.extend(study.get_trials(deepcopy=False)))
    return [t for t in found if t.user_attrs.get(ATTR_WORKER) != "elsewhere"]


class Held:
    """Holds each pipelined recording until a later trial started (or the loop waits)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch,
                 before: Any = None) -> None:
        self.log: list[tuple[str, int]] = []
        self.released: dict[int, asyncio.Event] = defaultdict(asyncio.Event)
        finish, settle = run_module._Search._finish, run_module._Search._settle
        held = self

        async def held_finish(search: Any, trial: optuna.Trial, *args: Any) -> None:
            recording = search._recording
            pipelined = recording is not None and recording.number == trial.number
            held.log.append(("record pipelined" if pipelined else "record", trial.number))
            if pipelined:
                await held.released[trial.number].wait()
            if before is not None:
                before(search, trial)
            await finish(search, trial, *args)
            held.log.append(("recorded", trial.number))

        async def held_settle(search: Any, wait: bool = True) -> None:
            recording = search._recording
            if wait and recording is not None and not recording.task.done():
                held.log.append(("loop waits", recording.number))
                held.released[recording.number].set()
            await settle(search, wait)

        monkeypatch.setattr(run_module._Search, "_finish", held_finish)
        monkeypatch.setattr(run_module._Search, "_settle", held_settle)

    def on_event(self, event: Event) -> None:
        if isinstance(event, TrialStarted):
            self.log.append(("started", event.trial))
            for number in list(self.released):
                if number < event.trial:
                    self.released[number].set()

    def index(self, what: str, number: int) -> int:
        return self.log.index((what, number))


def paid(trials: list[FrozenTrial]) -> list[FrozenTrial]:
    return [t for t in trials if t.state is TrialState.COMPLETE
            and ATTR_DUPLICATE_OF not in t.user_attrs]


def framings(trials: list[FrozenTrial]) -> list[str]:
    return [json.dumps([t.user_attrs.get(ATTR_TEMPLATE), t.user_attrs.get(ATTR_PARAMS)],
                       sort_keys=True) for t in trials]


async def test_with_other_workers_the_next_trial_starts_before_the_last_is_recorded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config, url = config_for(tmp_path)
    held = Held(monkeypatch)

    def on_event(event: Event) -> None:
        if isinstance(event, StudyStarted):
            with_study(url, start_elsewhere)
        held.on_event(event)

    result = await run_search_async(config, on_event, trials=4)

    trials = trials_of(url)
    counted = [t for t in trials if counts_toward_budget(t)]
    assert len(counted) == 4 and all(t.state is TrialState.COMPLETE for t in counted)
    assert result.trials_run == 4
    assert len(set(framings(paid(trials)))) == len(paid(trials))  # none evaluated twice
    numbers = sorted(t.number for t in counted)
    for number in numbers:  # every trial was recorded in the background ...
        assert ("record pipelined", number) in held.log, held.log
    for number, later in itertools.pairwise(numbers):
        # ... and the next one started before that recording ended
        assert held.index("started", later) < held.index("recorded", number), held.log
    # the last one was waited for before the search ended
    assert held.index("loop waits", numbers[-1]) < held.index("recorded", numbers[-1])


async def test_alone_each_trial_is_recorded_before_the_next_is_proposed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config, url = config_for(tmp_path)
    held = Held(monkeypatch)

    result = await run_search_async(config, held.on_event, trials=3)

    assert result.trials_run == 3
    numbers = sorted(t.number for t in trials_of(url) if counts_toward_budget(t))
    assert all(("record", n) in held.log for n in numbers), held.log
    for number, later in itertools.pairwise(numbers):
        assert held.index("recorded", number) < held.index("started", later), held.log


async def test_a_trial_declared_dead_while_it_is_recorded_is_run_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config, url = config_for(tmp_path)

    declared: list[int] = []

    def declare_dead(search: Any, trial: optuna.Trial) -> None:
        if declared:  # the first trial only
            return
        declared.append(trial.number)

        def fail(storage: optuna.storages.RDBStorage, study: optuna.Study) -> None:
            (mine,) = [t for t in study.trials if t.number == trial.number]
            storage.set_trial_state_values(mine._trial_id, TrialState.FAIL)
            retry_stale_trial(study, mine)  # as the stale-trial handler does

        with_study(url, fail)

    held = Held(monkeypatch, before=declare_dead)
    events: list[Event] = []

    def on_event(event: Event) -> None:
        if isinstance(event, StudyStarted):
            with_study(url, start_elsewhere)
        events.append(event)
        held.on_event(event)

    result = await run_search_async(config, on_event, trials=3)

    notices = [e.message for e in events if isinstance(e, Notice)]
    assert any(f"trial {declared[0]}: another worker declared it dead" in m
               for m in notices), notices
    trials = trials_of(url)
    assert trials[0].number == declared[0] and trials[0].state is TrialState.FAIL
    counted = [t for t in trials if counts_toward_budget(t)]
    assert len(counted) == 3 and all(t.state is TrialState.COMPLETE for t in counted)
    assert result.trials_run == 3
    # its framing ran again (from the answers stored: the cache)
    assert framings([trials[0]])[0] in framings(paid(trials))


async def test_a_recording_that_fails_fails_its_trial_and_stops_the_search(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config, url = config_for(tmp_path)

    recorded: list[int] = []

    def broken(search: Any, trial: optuna.Trial) -> None:
        recorded.append(trial.number)
        if len(recorded) == 2:  # the second trial's recording fails
            raise RuntimeError("the database is gone")

    held = Held(monkeypatch, before=broken)

    def on_event(event: Event) -> None:
        if isinstance(event, StudyStarted):
            with_study(url, start_elsewhere)
        held.on_event(event)

    with pytest.raises(RuntimeError, match="the database is gone"):
        await run_search_async(config, on_event, trials=4)

    by_number = {t.number: t for t in trials_of(url)}
    first, second = recorded
    assert by_number[first].state is TrialState.COMPLETE
    assert by_number[second].state is TrialState.FAIL
    assert not [t for t in by_number.values() if t.state is TrialState.RUNNING]
