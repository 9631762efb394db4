"""Many ``framing search`` workers on one study, and crash-safe resume, on real databases.

Workers are real ``framing search`` subprocesses on the built-in demo (simulated model
with latency, small samples). Every paid call is accounted for: the calls each trial
recorded, minus the races it counted (an answer another worker stored first), equal the
answers stored in the database.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import optuna
import pytest
from optuna.trial import FrozenTrial, TrialState
from storage_backends import KINDS, count_rows, fresh_database

from framing.points import (
    ATTR_CACHE_HITS,
    ATTR_CALLS,
    ATTR_DUPLICATE_OF,
    ATTR_PARAMS,
    ATTR_TEMPLATE,
    ATTR_TEMPLATE_VERSION,
)
from framing.search.workers import (
    ATTR_CACHE_RACES,
    ATTR_RETRY_OF,
    ATTR_WORKER,
    counts_toward_budget,
    retry_stale_trial,
)
from framing.storage.url import connect_url

pytestmark = pytest.mark.integration

#: 20 + 20 samples per trial, 50 ms per call, 2 at a time: about a second per trial
SETTINGS = ["--set", "data.borderline=20", "--set", "data.unsafe=20", "--set", "data.holdout=0",
            "--set", "target.latency=0.05", "--set", "target.concurrency=2",
            "--set", "storage.heartbeat=1", "--set", "storage.grace=3"]


def worker(url: str, study: str, trials: int) -> list[str]:
    return [sys.executable, "-m", "framing", "search", "--storage", url, "--trials",
            str(trials), "--no-report", "--set", f"name={study}", *SETTINGS]


def env_for(name: str) -> dict[str, str]:
    return {**os.environ, "FRAMING_WORKER": name, "PYTHONUNBUFFERED": "1"}


def trials_of(url: str, study: str) -> list[FrozenTrial]:
    storage = optuna.storages.RDBStorage(connect_url(url))
    try:
        return optuna.load_study(study_name=study, storage=storage).get_trials(deepcopy=False)
    finally:
        storage.engine.dispose()


def stored_all(url: str) -> int:
    return count_rows(url, "framing_responses")


def paid(trials: list[FrozenTrial]) -> list[FrozenTrial]:
    return [t for t in trials if t.state is TrialState.COMPLETE
            and ATTR_DUPLICATE_OF not in t.user_attrs]


def framing(trial: FrozenTrial) -> tuple[object, ...]:
    """A trial's framing: template, version, parameters (its user attributes)."""
    attrs = trial.user_attrs
    return (attrs.get(ATTR_TEMPLATE), attrs.get(ATTR_TEMPLATE_VERSION),
            json.dumps(attrs.get(ATTR_PARAMS), sort_keys=True))


def calls(trials: list[FrozenTrial]) -> int:
    return sum(int(t.user_attrs.get(ATTR_CALLS, 0)) for t in trials)


def races(trials: list[FrozenTrial]) -> int:
    return sum(int(t.user_attrs.get(ATTR_CACHE_RACES, 0)) for t in trials)


@pytest.mark.parametrize(("kind", "workers"), [("postgresql", 3), ("mysql", 3), ("sqlite", 1)])
def test_workers_share_one_study(kind: str, workers: int, tmp_path: Path) -> None:
    """Three workers on a database server; on SQLite (one machine), one worker."""
    with fresh_database(kind, tmp_path) as url:
        cmd = [*worker(url, "shared", 9), "--set", "data.holdout=0.3"]  # and a hold-out check
        procs = [subprocess.Popen(cmd, cwd=tmp_path, env=env_for(f"w{i}"),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for i in range(workers)]
        outputs = [p.communicate(timeout=600) for p in procs]
        for p, (_, err) in zip(procs, outputs, strict=True):
            assert p.returncode == 0, err

        trials = trials_of(url, "shared")
        counted = [t for t in trials if counts_toward_budget(t)]
        assert len(counted) == 9, [(t.number, t.state.name, t.user_attrs) for t in trials]
        assert all(t.state is TrialState.COMPLETE for t in counted)
        assert not [t for t in trials if t.state in (TrialState.RUNNING, TrialState.WAITING)]
        # trials were shared out
        assert len({t.user_attrs[ATTR_WORKER] for t in counted}) >= min(workers, 2)
        # no paid call beyond the counted races: every other answer is stored exactly once
        n_calls, n_races = calls(counted), races(counted)
        assert n_calls > 0
        assert n_races <= n_calls // 50, f"{n_races} races in {n_calls} calls"
        # the hold-out check ran once: what the workers say they paid for is what is stored
        assert sum("hold-out check:" in err and "another worker" not in err
                   for _, err in outputs) == 1
        paid_by_workers = sum(int(m.replace(",", "")) for _, err in outputs for m in
                              re.findall(r"(?:this run:|hold-out split,) ([\d,]+) calls", err))
        assert paid_by_workers - n_races == stored_all(url), (paid_by_workers, n_races)

        listed = subprocess.run([sys.executable, "-m", "framing", "studies", "--storage", url,
                                 "--format", "json"], cwd=tmp_path, capture_output=True,
                                text=True, timeout=120)
        assert listed.returncode == 0, listed.stderr
        (row,) = json.loads(listed.stdout)
        assert row["study"] == "shared" and row["trials_planned"] == 9
        assert row["complete"] == 9 and row["running"] == 0
        assert row["calls"] == n_calls and row["races"] == n_races
        assert row["frontier"] >= 1


@pytest.mark.parametrize("kind", KINDS)
def test_killed_worker_resumes_without_asking_again(kind: str, tmp_path: Path) -> None:
    with fresh_database(kind, tmp_path) as url:
        cmd = worker(url, "crash", 6)
        victim = subprocess.Popen(cmd, cwd=tmp_path, env=env_for("victim"),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        assert victim.stderr is not None
        seen = ""
        while "under-refusal" not in seen:  # a first trial finished (its answers stored)
            line = victim.stderr.readline()
            assert line, f"the worker ended early: {seen}"
            seen += line
        first = count_rows(url, "framing_responses")
        while count_rows(url, "framing_responses") < first + 6:  # mid-way through another
            assert victim.poll() is None, "the worker ended before it could be killed"
            time.sleep(0.05)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=60)
        victim.stderr.close()

        before = trials_of(url, "crash")
        stored_before = count_rows(url, "framing_responses")
        (killed,) = [t for t in before if t.state is TrialState.RUNNING]
        answered = stored_before - calls(paid(before))  # answers of the killed trial
        assert answered > 0

        rescue = subprocess.run(cmd, cwd=tmp_path, env=env_for("rescuer"), capture_output=True,
                                text=True, timeout=600)
        assert rescue.returncode == 0, rescue.stderr
        assert "resuming" in rescue.stderr
        assert "stopped sending heartbeats" in rescue.stderr

        after = trials_of(url, "crash")
        by_number = {t.number: t for t in after}
        assert by_number[killed.number].state is TrialState.FAIL  # not stuck
        assert len([t for t in after if counts_toward_budget(t)]) == 6
        assert not [t for t in after if t.state in (TrialState.RUNNING, TrialState.WAITING)]
        # the killed framing was evaluated again from the stored answers
        again = [t for t in paid(after) if framing(t) == framing(killed)]
        assert len(again) == 1 and again[0].user_attrs[ATTR_WORKER] == "rescuer"
        assert again[0].user_attrs.get(ATTR_RETRY_OF) in (killed.number, None)
        assert again[0].user_attrs[ATTR_CACHE_HITS] >= answered
        # nothing answered was asked again: every call of the rerun is a new answer
        rescued = [t for t in paid(after) if t.user_attrs[ATTR_WORKER] == "rescuer"]
        assert calls(rescued) == count_rows(url, "framing_responses") - stored_before
        assert races(paid(after)) == 0


async def test_a_trial_declared_dead_elsewhere_does_not_stop_the_worker(tmp_path: Path) -> None:
    """A worker cut off from the database longer than the grace period finds its trial
    failed by another worker: it says so and carries on; the framing is run again."""
    from framing.config import load_study
    from framing.events import Event, Notice, TrialStarted
    from framing.search import run_search_async

    url = f"sqlite:///{tmp_path / 'framing.db'}"
    config = load_study(None, ["data.borderline=10", "data.unsafe=10", "data.holdout=0",
                               "target.latency=0.05", "target.concurrency=2",
                               f"storage.url={json.dumps(url)}"])
    events: list[Event] = []

    def fail_first_trial(event: Event) -> None:
        events.append(event)
        if isinstance(event, TrialStarted) and event.trial == 0:
            storage = optuna.storages.RDBStorage(connect_url(url))
            study = optuna.load_study(study_name="demo", storage=storage)
            storage.set_trial_state_values(study.trials[0]._trial_id, TrialState.FAIL)
            retry_stale_trial(study, study.trials[0])  # as the stale-trial handler does
            storage.engine.dispose()

    result = await run_search_async(config, fail_first_trial, trials=3)
    notices = [e.message for e in events if isinstance(e, Notice)]
    assert any("declared it dead" in m for m in notices), notices
    trials = trials_of(url, "demo")
    assert trials[0].state is TrialState.FAIL
    assert len([t for t in trials if counts_toward_budget(t)]) == 3
    assert result.trials_run == 3
    # the baseline ran again from the answers the first attempt stored
    again = [t for t in paid(trials) if framing(t) == framing(trials[0])]
    assert len(again) == 1 and again[0].user_attrs[ATTR_CACHE_HITS] == 20
