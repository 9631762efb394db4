"""Every database call retried through an outage: framing's tables and Optuna's storage.

:class:`ResilientStore` is the :class:`~framing.storage.tables.Store` whose every call is
retried on connection errors (:mod:`framing.storage.retry`) for up to ``[storage] outage``
seconds; :class:`RetryingRDBStorage` does the same for Optuna's storage (ask, tell,
attributes, heartbeats, the stale-trial check). Framing's writes are idempotent (inserts
ignore duplicates, results replace a trial's rows), so a write retried after a commit
whose answer was lost stores nothing twice.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import optuna

from framing.storage.retry import Backoff, retried_sync
from framing.storage.tables import Store

#: Optuna storage methods that only read the storage's own settings: never retried
_OPTUNA_LOCAL = frozenset({"get_heartbeat_interval", "get_failed_trial_callback",
                           "get_heartbeat_stale_trial_callback", "remove_session", "upgrade",
                           "get_current_version", "get_head_version", "get_all_versions"})


class ResilientStore(Store):
    """A Store that rides out a database outage of up to ``backoff.outage`` seconds."""

    def __init__(self, url: str, backoff: Backoff | None = None,
                 notice: Callable[[str], None] | None = None) -> None:
        self.backoff = backoff or Backoff()
        self.notice = notice
        super().__init__(url)


def _retrying_store_method(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(self: ResilientStore, *args: Any, **kwargs: Any) -> Any:
        return retried_sync(lambda: method(self, *args, **kwargs),
                            f"{name.replace('_', ' ')} (framing's tables)",
                            self.backoff, self.notice)
    return call


for _name, _method in inspect.getmembers(Store, inspect.isfunction):
    if not _name.startswith("_") and _name != "close":
        setattr(ResilientStore, _name, _retrying_store_method(_name, _method))


class RetryingRDBStorage(optuna.storages.RDBStorage):
    """Optuna's RDB storage whose calls are retried on connection errors."""

    backoff: Backoff = Backoff()
    notice: Callable[[str], None] | None = None


def _retrying_optuna_method(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(self: RetryingRDBStorage, *args: Any, **kwargs: Any) -> Any:
        return retried_sync(lambda: method(self, *args, **kwargs),
                            f"{name.replace('_', ' ').strip()} (Optuna's tables)",
                            self.backoff, self.notice)
    return call


#: private methods of the RDB storage that Optuna's cache in front of it
#: (``optuna.storages._cached_storage``) calls directly: they reach the database too (a
#: search's frontier reads went through ``_get_trials`` unretried, and a MariaDB outage
#: ended the search); a test reads that module and checks this list covers it
CALLED_BY_OPTUNA_CACHE = frozenset({"_create_new_trial", "_set_trial_param",
                                    "_get_best_trial_id", "_get_trials",
                                    "_get_stale_trial_ids"})

for _name, _method in inspect.getmembers(optuna.storages.RDBStorage, inspect.isfunction):
    if (not _name.startswith("_") or _name in CALLED_BY_OPTUNA_CACHE) \
            and _name not in _OPTUNA_LOCAL:
        setattr(RetryingRDBStorage, _name, _retrying_optuna_method(_name, _method))
