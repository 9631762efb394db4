"""Retrying a database call through a connection loss, with backoff, for a bounded time.

A database restart or failover drops every connection for a few seconds; a study paid
for by the call must not end because of it. Only errors that say the connection or the
server is (temporarily) gone are retried: a bad statement or bad data fails at once.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import exc as sa_exc

from framing.errors import StorageError

T = TypeVar("T")

#: how long a database may be unreachable before framing gives up (``[storage] outage``)
DEFAULT_OUTAGE = 120.0


@dataclass(frozen=True, slots=True)
class Backoff:
    """Waits of ``first``, ``first * factor``, ... (at most ``longest``) between attempts,
    until ``outage`` seconds have passed since the first failure."""

    outage: float = DEFAULT_OUTAGE
    first: float = 0.05
    factor: float = 2.0
    longest: float = 5.0

    def delays(self) -> Callable[[], float]:
        """A fresh sequence of waits: each call returns the next one."""
        current = self.first / self.factor

        def following() -> float:
            nonlocal current
            current = min(self.longest, current * self.factor)
            return current

        return following


def transient(error: BaseException) -> bool:
    """True for errors a lost connection or a restarting server gives (worth retrying),
    also when wrapped: Optuna reports them as a StorageInternalError that blames the
    data ("An exception is raised during the commit...") with the driver's error as its
    cause."""
    seen: BaseException | None = error
    for _ in range(5):
        if seen is None or isinstance(seen, StorageError):
            return False
        if isinstance(seen, sa_exc.DBAPIError) and seen.connection_invalidated:
            return True
        if isinstance(seen, (sa_exc.OperationalError, sa_exc.InterfaceError,
                             sa_exc.DisconnectionError, sa_exc.TimeoutError,
                             ConnectionError, TimeoutError)):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class _Outage:
    """The process's view of the database's availability: one line on stderr when it
    goes away, one when it is back, and the seconds ridden out (for the figures)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.started: float | None = None
        #: seconds of outage ridden out (the database came back) in this process
        self.ridden_out = 0.0
        self.outages = 0

    def failed(self, backoff: Backoff, notice: Callable[[str], None] | None) -> None:
        with self._lock:
            if self.started is not None:
                return
            self.started = time.monotonic()
            self.outages += 1
        (notice or _stderr)(f"database unreachable, retrying for {backoff.outage:g} s")

    def recovered(self, notice: Callable[[str], None] | None) -> None:
        with self._lock:
            if self.started is None:
                return
            seconds = time.monotonic() - self.started
            self.started = None
            self.ridden_out += seconds
        (notice or _stderr)(f"database reachable again after {seconds:.1f} s; carrying on")


    def ended(self) -> None:
        """Given up: the next failure is a new outage."""
        with self._lock:
            self.started = None


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


#: this process's outages (framing.storage.retry.outage.ridden_out)
outage = _Outage()


def driver_reason(error: BaseException) -> str:
    """The first line of the driver's own error under ``error`` (Optuna's wrapper says
    the data was invalid, which after a lost connection it never is)."""
    seen: BaseException | None = error
    deepest = error
    for _ in range(5):
        if seen is None:
            break
        deepest = seen
        if isinstance(seen, sa_exc.DBAPIError):
            deepest = seen.orig or seen
            break
        seen = seen.__cause__ or seen.__context__
    lines = [line.strip() for line in str(deepest).splitlines() if line.strip()]
    return (lines[0] if lines else type(deepest).__name__)[:300]


def gave_up(what: str, backoff: Backoff, error: BaseException) -> StorageError:
    reason = driver_reason(error)
    return StorageError(f"the study database stayed unreachable for {backoff.outage:g} s "
                        f"while {what} ({reason}); check that the database server is "
                        "running, or raise [storage] outage to wait longer")


class _Attempts:
    """The bookkeeping :func:`retried` and :func:`retried_sync` share: when the outage
    started, what the researcher was told, and how long to wait before the next try."""

    def __init__(self, what: str, backoff: Backoff,
                 notice: Callable[[str], None] | None) -> None:
        self.what, self.backoff, self.notice = what, backoff, notice
        self.started: float | None = None
        self.wait = backoff.delays()

    def failed(self, error: Exception) -> float:
        """Seconds to wait before the next try; raises when ``error`` is not transient or
        the outage lasted ``backoff.outage`` seconds."""
        if not transient(error):
            raise error
        now = time.monotonic()
        if self.started is None:
            self.started = now
            outage.failed(self.backoff, self.notice)
        if now - self.started >= self.backoff.outage:
            outage.ended()
            raise gave_up(self.what, self.backoff, error) from error
        return min(self.wait(), max(0.0, self.started + self.backoff.outage - now))

    def succeeded(self) -> None:
        if self.started is not None:
            outage.recovered(self.notice)


async def retried(call: Callable[[], Awaitable[T]], what: str, backoff: Backoff,
                  notice: Callable[[str], None] | None = None) -> T:
    """``await call()``, retried on transient errors for up to ``backoff.outage`` seconds;
    then a :class:`StorageError` saying ``what`` failed. ``notice`` (default: stderr)
    hears once per outage that the database is unreachable, and when it is back."""
    attempts = _Attempts(what, backoff, notice)
    while True:
        try:
            result = await call()
        except Exception as error:
            await asyncio.sleep(attempts.failed(error))
        else:
            attempts.succeeded()
            return result


def retried_sync(call: Callable[[], T], what: str, backoff: Backoff,
                 notice: Callable[[str], None] | None = None) -> T:
    """:func:`retried` for blocking code (run in worker threads)."""
    attempts = _Attempts(what, backoff, notice)
    while True:
        try:
            result = call()
        except Exception as error:
            time.sleep(attempts.failed(error))
        else:
            attempts.succeeded()
            return result
