"""Optuna's storage is retried on every path that reaches the database, the private
methods its cache calls included, and a lost connection under Optuna's wrapper is named
by the driver's error."""

from __future__ import annotations

import inspect
import re

import optuna
import optuna.storages._cached_storage as cached_storage
from sqlalchemy import exc as sa_exc

from framing.storage.resilient import CALLED_BY_OPTUNA_CACHE, RetryingRDBStorage
from framing.storage.retry import driver_reason, transient


def test_every_private_method_the_optuna_cache_calls_is_retried() -> None:
    called = set(re.findall(r"self\._backend\.(_\w+)\(", inspect.getsource(cached_storage)))
    assert called, "Optuna's cache no longer calls private methods of its backend?"
    assert called <= CALLED_BY_OPTUNA_CACHE
    for name in called:
        assert getattr(RetryingRDBStorage, name) is not \
            getattr(optuna.storages.RDBStorage, name), name


def test_a_lost_connection_under_optunas_wrapper_is_transient_and_named() -> None:
    """What Optuna raised when MariaDB dropped the connection under a read: its own
    "invalid data" message, over SQLAlchemy's rollback error, over the driver's error."""
    lost = sa_exc.OperationalError("SELECT 1", {}, Exception(
        "(2013, 'Lost connection to MySQL server during query')"))
    pending = sa_exc.PendingRollbackError("Can't reconnect until invalid transaction is "
                                          "rolled back")
    pending.__context__ = lost
    wrapper = optuna.exceptions.StorageInternalError(
        "An exception is raised during the commit. This typically happens due to invalid "
        "data in the commit, e.g. exceeding max length.")
    wrapper.__cause__ = pending
    assert transient(wrapper)
    assert driver_reason(wrapper) == "(2013, 'Lost connection to MySQL server during query')"
