"""Optuna studies in the study database: create or join one, open one for reading.

Both objectives are minimised and named (``Study.set_metric_names``) so that
optuna-dashboard labels its axes. Reading never creates a schema: a search starting at
the same moment creates it too, and two creators collide on SQLite.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import optuna
import sqlalchemy as sa
from optuna.trial import FrozenTrial

from framing.errors import ConfigError
from framing.storage.keys import OBJECTIVES
from framing.storage.resilient import RetryingRDBStorage
from framing.storage.retry import DEFAULT_OUTAGE, Backoff
from framing.storage.tables import make_engine, prepare_sqlite_path, redact_url
from framing.storage.url import (
    connect_url,
    creating_schema,
    engine_options,
    require_driver,
    unusable,
)

__all__ = ["StaleTrialCallback", "has_optuna_tables", "load_existing_study", "make_storage",
           "open_optuna_study"]

#: what to do with a trial whose worker stopped sending heartbeats
StaleTrialCallback = Callable[[optuna.Study, FrozenTrial], None]


def make_storage(url: str, *, heartbeat: int, grace: int, engine_kwargs: dict[str, Any],
                 stale_trial_callback: StaleTrialCallback | None = None,
                 outage: float = DEFAULT_OUTAGE) -> optuna.storages.RDBStorage:
    """Optuna's storage with heartbeats on (``stale_trial_callback`` runs for the trials
    of dead workers)."""
    def build() -> RetryingRDBStorage:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            # every call retried through a database outage (framing.storage.resilient)
            return RetryingRDBStorage(
                url,
                heartbeat_interval=heartbeat,
                grace_period=grace,
                heartbeat_stale_trial_callback=stale_trial_callback,
                engine_kwargs=engine_kwargs,
            )

    storage = creating_schema(build)
    storage.backoff = Backoff(outage=outage)
    return storage


def open_optuna_study(name: str, storage_url: str, sampler: optuna.samplers.BaseSampler, *,
                      heartbeat: int, grace: int,
                      stale_trial_callback: StaleTrialCallback | None = None,
                      outage: float = DEFAULT_OUTAGE) -> optuna.Study:
    """Create or join the named study, both objectives minimised and named."""
    require_driver(storage_url)
    try:
        storage = make_storage(connect_url(storage_url), heartbeat=heartbeat, grace=grace,
                               engine_kwargs=engine_options(storage_url),
                               stale_trial_callback=stale_trial_callback, outage=outage)
        study = optuna.create_study(study_name=name, storage=storage, sampler=sampler,
                                    directions=["minimize", "minimize"], load_if_exists=True)
        if study.metric_names != list(OBJECTIVES):
            with warnings.catch_warnings():  # experimental in Optuna 5; stable in use
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                study.set_metric_names(list(OBJECTIVES))
        return study
    except Exception as e:
        raise unusable(storage_url, e, "cannot open the study") from None


def load_existing_study(name: str, storage_url: str) -> optuna.Study:
    """Open a stored study for reading (frontier, report, export); ConfigError when the
    database holds no study of that name."""
    require_driver(storage_url)
    prepare_sqlite_path(storage_url)
    try:
        storage = optuna.storages.RDBStorage(connect_url(storage_url),
                                             engine_kwargs=engine_options(storage_url))
        return optuna.load_study(study_name=name, storage=storage)
    except KeyError:
        raise ConfigError(
            f"no study named {name!r} in {redact_url(storage_url)} (run framing search first)"
        ) from None
    except Exception as e:
        raise unusable(storage_url, e, "cannot read the study") from None


def has_optuna_tables(url: str) -> bool:
    """Does the database hold Optuna's schema yet (checked without creating it)?"""
    engine = make_engine(url)
    try:
        return sa.inspect(engine).has_table("trials")
    except sa.exc.SQLAlchemyError:
        return False
    finally:
        engine.dispose()
