"""The studies in a database and how far each has got (``framing studies``).

Read-only: it lists what ``framing search`` workers stored (trials by state, calls,
races, the frontier's size, who is running what, the last activity), so progress of a
study shared by many machines can be watched from any of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState

from framing.errors import FramingError
from framing.points import frontier, study_points
from framing.storage import url as database
from framing.storage.keys import (
    ATTR_CACHE_HITS,
    ATTR_CACHE_RACES,
    ATTR_CALLS,
    ATTR_DUPLICATE_OF,
    ATTR_OVER_BUDGET,
    ATTR_SKIPPED_FOR,
    ATTR_WORKER,
    STUDY_ATTR_TRIALS_PLANNED,
)


@dataclass(frozen=True)
class StudyProgress:
    """One study's progress, as stored."""

    name: str
    #: the ``--trials`` the last worker started was given (None: not recorded)
    planned: int | None
    complete: int
    running: int
    waiting: int
    #: trials that ended without a result (errors, interrupted, dead workers)
    failed: int
    #: trials given back at once, without a call (over the budget, framing taken)
    given_back: int
    #: repeats of a framing evaluated before (no call)
    repeats: int
    calls: int
    cache_hits: int
    races: int
    frontier: int
    #: workers running a trial now
    workers: tuple[str, ...]
    last_activity: datetime | None

    def to_json(self) -> dict[str, Any]:
        return {
            "study": self.name,
            "trials_planned": self.planned,
            "complete": self.complete,
            "running": self.running,
            "waiting": self.waiting,
            "failed": self.failed,
            "given_back": self.given_back,
            "repeats": self.repeats,
            "calls": self.calls,
            "cache_hits": self.cache_hits,
            "races": self.races,
            "frontier": self.frontier,
            "workers": list(self.workers),
            "last_activity": (self.last_activity.isoformat(timespec="seconds")
                              if self.last_activity else None),
        }


def list_studies(url: str) -> list[StudyProgress]:
    """Every study stored at ``url``, by name; empty when there is no database yet."""
    database.check_url(url)
    if _missing_sqlite_file(url):
        return []
    database.require_driver(url)
    try:
        if not _has_studies_table(url):  # listing creates nothing
            return []
        storage = optuna.storages.RDBStorage(database.connect_url(url),
                                             engine_kwargs=database.engine_options(url))
        names = sorted(s.study_name for s in optuna.get_all_study_summaries(
            storage, include_best_trial=False))
        found = []
        for name in names:
            study = optuna.load_study(study_name=name, storage=storage)
            found.append(progress_of(study))
        return found
    except FramingError:
        raise
    except Exception as e:
        raise database.unusable(url, e, "cannot read the studies") from None


def progress_of(study: optuna.Study) -> StudyProgress:
    trials = study.get_trials(deepcopy=False)
    by_state: dict[TrialState, list[FrozenTrial]] = {s: [] for s in TrialState}
    for t in trials:
        by_state[t.state].append(t)
    failed = [t for t in by_state[TrialState.FAIL] if not _given_back(t)]
    paid = [t for t in trials if ATTR_DUPLICATE_OF not in t.user_attrs]
    repeats = sum(ATTR_DUPLICATE_OF in t.user_attrs for t in by_state[TrialState.COMPLETE])
    moments = [m for t in trials for m in (t.datetime_start, t.datetime_complete) if m]
    planned = study.user_attrs.get(STUDY_ATTR_TRIALS_PLANNED)
    return StudyProgress(
        name=study.study_name,
        planned=int(planned) if planned is not None else None,
        complete=len(by_state[TrialState.COMPLETE]) - repeats,
        running=len(by_state[TrialState.RUNNING]),
        waiting=len(by_state[TrialState.WAITING]),
        failed=len(failed),
        given_back=len(by_state[TrialState.FAIL]) - len(failed),
        repeats=repeats,
        calls=sum(int(t.user_attrs.get(ATTR_CALLS, 0)) for t in paid),
        cache_hits=sum(int(t.user_attrs.get(ATTR_CACHE_HITS, 0)) for t in paid),
        races=sum(int(t.user_attrs.get(ATTR_CACHE_RACES, 0)) for t in paid),
        frontier=len(frontier(study_points(study))),
        workers=tuple(sorted({str(t.user_attrs[ATTR_WORKER]) for t in
                              by_state[TrialState.RUNNING] if ATTR_WORKER in t.user_attrs})),
        last_activity=max(moments) if moments else None,
    )


def _given_back(trial: FrozenTrial) -> bool:
    return ATTR_OVER_BUDGET in trial.user_attrs or ATTR_SKIPPED_FOR in trial.user_attrs


def _has_studies_table(url: str) -> bool:
    import sqlalchemy as sa

    engine = sa.create_engine(database.connect_url(url), **database.engine_options(url))
    try:
        return sa.inspect(engine).has_table("studies")
    finally:
        engine.dispose()


def _missing_sqlite_file(url: str) -> bool:
    if not database.is_sqlite(url):
        return False
    from sqlalchemy.engine import make_url

    path = make_url(url).database
    return path not in (None, "", ":memory:") and not Path(str(path)).exists()
