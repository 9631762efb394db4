"""Retrying a database call through a connection loss, with backoff, for a bounded time.

A database restart or failover drops every connection for a few seconds; a study paid
for by the call must not end because of it. Only errors that say the connection or the
server is (temporarily) gone are retried: a bad statement or bad data fails at once.
"""

from __future__ import annotations

import asyncio
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
    """True for errors a lost connection or a restarting server gives (worth retrying)."""
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, (sa_exc.OperationalError, sa_exc.InterfaceError,
                              sa_exc.DisconnectionError, sa_exc.TimeoutError,
                              ConnectionError, TimeoutError))


def gave_up(what: str, backoff: Backoff, error: BaseException) -> StorageError:
    first = str(getattr(error, "orig", None) or error).strip().splitlines()
    reason = (first[0] if first else type(error).__name__)[:300]
    return StorageError(f"the study database stayed unreachable for {backoff.outage:g} s "
                        f"while {what} ({reason}); check that the database server is "
                        "running, or raise [storage] outage to wait longer")


async def retried(call: Callable[[], Awaitable[T]], what: str, backoff: Backoff,
                  notice: Callable[[str], None] | None = None) -> T:
    """``await call()``, retried on transient errors for up to ``backoff.outage`` seconds;
    then a :class:`StorageError` saying ``what`` failed. ``notice`` hears once per outage
    that the database is unreachable."""
    started: float | None = None
    wait = backoff.delays()
    while True:
        try:
            return await call()
        except Exception as error:
            if not transient(error):
                raise
            now = time.monotonic()
            if started is None:
                started = now
                if notice is not None:
                    notice(f"database unreachable, retrying for {backoff.outage:g} s")
            if now - started >= backoff.outage:
                raise gave_up(what, backoff, error) from error
            await asyncio.sleep(min(wait(), max(0.0, started + backoff.outage - now)))
