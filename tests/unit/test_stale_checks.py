"""When a worker looks for dead workers' trials (framing.search.workers.Coordinator):
once per heartbeat interval, not before every trial."""

from __future__ import annotations

import optuna
import pytest

from framing.search import workers
from framing.search.workers import Coordinator


def test_dead_workers_trials_are_looked_for_once_per_heartbeat(
        monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(workers.time, "monotonic", lambda: now[0])
    coordinator = Coordinator(optuna.create_study(), None, "s",  # type: ignore[arg-type]
                              heartbeat=10, grace=60, on_event=lambda event: None)
    assert coordinator.stale_check_due()  # never looked
    coordinator.fail_stale()
    assert not coordinator.stale_check_due()
    now[0] += 9.9
    assert not coordinator.stale_check_due()  # a trial ending now does not look again
    now[0] += 0.2
    assert coordinator.stale_check_due()


def test_a_look_that_failed_is_due_again(monkeypatch: pytest.MonkeyPatch) -> None:
    coordinator = Coordinator(optuna.create_study(), None, "s",  # type: ignore[arg-type]
                              heartbeat=10, grace=60, on_event=lambda event: None)

    def broken(study: optuna.Study) -> None:
        raise RuntimeError("the database is gone")

    monkeypatch.setattr(workers.optuna.storages, "fail_stale_trials", broken)
    with pytest.raises(RuntimeError):
        coordinator.fail_stale()
    assert coordinator.stale_check_due()
