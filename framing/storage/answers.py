"""Answers paid for, kept in memory until the database has committed them.

The evaluator hands every new answer to an :class:`AnswerWriter`; one background task
writes them in batches. A batch leaves memory only after its insert committed: a failed
write is retried with backoff (:mod:`framing.storage.retry`) and, when the database stays
away too long, the writer stops with a :class:`StorageError` that the evaluation raises
(it never reports a call whose answer is not stored). The answers it could not write go
to the local recovery file, with the spend the study's budget had not recorded yet.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from framing.errors import StorageError
from framing.storage.recovery import recovery_path, spool
from framing.storage.retry import Backoff, retried
from framing.wording import plural

if TYPE_CHECKING:
    from framing.storage.budget import Budget
    from framing.storage.tables import Store
    from framing.targets.base import Response

#: answers are written in batches of at most this many, or at least this often (seconds)
FLUSH_EVERY = 32
FLUSH_SECONDS = 0.5


class AnswerWriter:
    """Writes answers in batches from one task; :meth:`close` writes what is left."""

    def __init__(self, store: Store, backoff: Backoff | None = None, *,
                 notice: Callable[[str], None] | None = None,
                 budget: Budget | None = None,
                 every: int = FLUSH_EVERY, seconds: float = FLUSH_SECONDS) -> None:
        self.store = store
        self.backoff = backoff or Backoff()
        self.notice = notice
        #: the study's budget: it records (in a thread, retried) the spend of what was
        #: stored after each commit and at close; what it could not record is spooled
        self.budget = budget
        self.after_commit: Callable[[], None] | None = budget.record if budget else None
        self.every = every
        self.seconds = seconds
        #: key -> (target hash, answer): paid for, not yet committed
        self.pending: dict[str, tuple[str, Response]] = {}
        #: answers that were already stored when written (another worker asked the same
        #: call at the same time)
        self.races = 0
        #: answers this writer committed
        self.written = 0
        #: answers saved to the local recovery file (the database would not take them)
        self.spooled = 0
        self._wake = asyncio.Event()
        self._closing = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> asyncio.Task[None]:
        """The writing task: it ends only by :meth:`close` or with a StorageError."""
        self._task = asyncio.ensure_future(self._run())
        return self._task

    def add(self, key: str, target: str, response: Response) -> None:
        self.pending[key] = (target, response)
        if len(self.pending) >= self.every:
            self._wake.set()

    async def close(self) -> None:
        """Write every pending answer (retrying), then stop. Raises the StorageError that
        stopped the writer, if any, after saving the answers it could not write to the
        local recovery file (:mod:`framing.storage.recovery`)."""
        self._closing = True
        self._wake.set()
        try:
            if self._task is None:
                await self._flush()
            else:
                await asyncio.shield(self._task)
        except StorageError as e:
            if self.pending:  # answers that arrived after the writer gave up
                self._spool()
            raise StorageError(f"{e}; {self.spooled_message()}") from e.__cause__

    def spooled_message(self) -> str:
        path = recovery_path(self.store.url)
        return (f"{plural(self.spooled, 'answer')} paid for saved in {path}; the next run "
                "stores them before it asks anything" if self.spooled else
                "no answer was lost")

    def _spool(self) -> None:
        batch = dict(self.pending)
        spend = None
        if self.budget is not None:
            cost, calls = self.budget.take_unrecorded()
            spend = (self.budget.ledger.study, cost, calls)
        if not batch and not (spend and (spend[1] or spend[2])):
            return
        path = spool(self.store.url, batch, spend)
        for key in batch:
            self.pending.pop(key, None)
        self.spooled += len(batch)
        if not batch:
            return
        print(f"{plural(len(batch), 'answer')} the database would not take saved in {path}; "
              "the next run stores them before it asks anything", file=sys.stderr,
              flush=True)

    async def _run(self) -> None:
        try:
            await self._loop()
        except StorageError:
            self._spool()  # the database stayed away too long: keep the answers locally
            raise

    async def _loop(self) -> None:
        while True:
            # answers of a slow target must not wait in memory for the next answer
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.seconds)
            self._wake.clear()
            closing = self._closing
            await self._flush()
            if closing:
                return

    async def _flush(self) -> None:
        wrote = await self._write()
        if self.after_commit is not None and (wrote or self._closing):
            await retried(partial(asyncio.to_thread, self.after_commit),
                          "recording the study's spend", self.backoff, self.notice)

    async def _write(self) -> bool:
        wrote = False
        while self.pending:
            batch = dict(self.pending)
            new = await retried(partial(asyncio.to_thread, self.store.put_responses, batch),
                                f"storing {plural(len(batch), 'answer')}", self.backoff,
                                self.notice)
            for key, value in batch.items():  # committed: now they may leave memory
                if self.pending.get(key) is value:
                    del self.pending[key]
            self.written += new
            self.races += len(batch) - new
            wrote = True
            if not self._closing:
                break
        return wrote
