"""One budget for the study: ``[search] max_cost`` is the study's total spend.

The spend is a row per study in ``framing_spend``, added to by every worker and every run
with one atomic ``UPDATE ... SET spent = spent + x`` (no read-modify-write race). It
counts every call paid for (search trials, failed or interrupted ones too, the hold-out
check, judge calls) because it is charged per call, as answers are committed, not per
finished trial.

:class:`Budget` is the in-process gate the evaluator asks before sending each call: the
study's spend as last read from the database plus this process's spend not yet
recorded. Other workers' spend is read at each write (at least every half second) and
whenever this process spent a tenth of what was left (:meth:`Budget.stale`), so the
study overshoots by at most the calls in flight plus one call per worker (the answer
whose spend one worker was recording while another checked the total it had last read).

Model-judge calls are checked against the same gate (:func:`before_call`) as target
calls. Spend not yet recorded when the database stayed away past ``[storage] outage``
goes to the local recovery file with the answers (:meth:`Budget.take_unrecorded`), and
the next run adds it to the study's spend when it imports that file.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from functools import partial

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from framing.storage import schema
from framing.storage import url as database
from framing.storage.retry import Backoff, retried

#: the share of the remaining budget a worker may spend before it records its spend and
#: reads everyone's again (see Budget.stale)
SYNC_FRACTION = 0.1

_metadata = sa.MetaData()

spend = schema.table(
    "framing_spend",
    _metadata,
    sa.Column("study", sa.String(200), primary_key=True),
    sa.Column("spent", sa.Double, nullable=False),
    sa.Column("calls", sa.Integer, nullable=False),
)


class BudgetReached(Exception):
    """The study's ``max_cost`` is spent: no further call is sent."""

    def __init__(self, limit: float, spent: float) -> None:
        super().__init__(f"max cost ${limit:,.2f} reached (the study spent ${spent:,.2f})")
        self.limit = limit
        self.spent = spent


class SpendLedger:
    """The study's total spend in the database."""

    def __init__(self, engine: Engine, study: str) -> None:
        self.engine = engine
        self.study = study
        schema.create_tables(engine, _metadata)
        database.creating_schema(self._ensure_row)

    def _ensure_row(self) -> None:
        with self.engine.begin() as conn:
            if conn.execute(sa.select(spend.c.study)
                            .where(spend.c.study == self.study)).first() is None:
                conn.execute(spend.insert().values(study=self.study, spent=0.0, calls=0))

    def add(self, cost: float, calls: int) -> tuple[float, int]:
        """Add to the study's spend (atomically); returns the new (spent, calls)."""
        with self.engine.begin() as conn:
            if cost or calls:
                conn.execute(spend.update().where(spend.c.study == self.study).values(
                    spent=spend.c.spent + cost, calls=spend.c.calls + calls))
            row = conn.execute(sa.select(spend.c.spent, spend.c.calls)
                               .where(spend.c.study == self.study)).one()
        return float(row.spent), int(row.calls)

    def total(self) -> tuple[float, int]:
        return self.add(0.0, 0)


class Budget:
    """The gate asked before each call; :meth:`record` (in a thread) writes this
    process's new spend and reads everyone's."""

    def __init__(self, limit: float, ledger: SpendLedger) -> None:
        self.limit = limit
        self.ledger = ledger
        self._lock = threading.Lock()
        self._unrecorded = 0.0
        self._unrecorded_calls = 0
        #: spend being written by :meth:`record` now (still counted by :attr:`total`)
        self._recording = 0.0
        self.spent, self.calls = ledger.total()

    @property
    def total(self) -> float:
        """The study's spend as this process knows it (recorded or not)."""
        with self._lock:
            return self.spent + self._recording + self._unrecorded

    def stale(self) -> bool:
        """This process's unrecorded spend reached a tenth of what was left of the budget
        when the study's spend was last read: record it and read the other workers'
        before the next call. Near the end every call does, so the workers together
        overshoot by about the calls in flight, however fast they spend."""
        with self._lock:
            return self._unrecorded >= (self.limit - self.spent) * SYNC_FRACTION

    def exhausted(self) -> bool:
        return self.total >= self.limit

    def check(self) -> None:
        """Raise :class:`BudgetReached` when no further call may be sent."""
        total = self.total
        if total >= self.limit:
            raise BudgetReached(self.limit, total)

    def charge(self, cost: float, calls: int = 1) -> None:
        with self._lock:
            self._unrecorded += cost
            self._unrecorded_calls += calls

    def take_unrecorded(self) -> tuple[float, int]:
        """This process's spend not recorded yet, removed from it (it is being saved
        elsewhere: the local recovery file)."""
        with self._lock:
            cost, calls = self._unrecorded, self._unrecorded_calls
            self._unrecorded, self._unrecorded_calls = 0.0, 0
            self.spent += cost  # still spent, as far as this process's gate is concerned
        return cost, calls

    def record(self) -> None:
        """Write the unrecorded spend to the study's row and read the study's total.
        On a failed write the spend stays unrecorded (the caller retries)."""
        with self._lock:
            cost, calls = self._unrecorded, self._unrecorded_calls
            self._unrecorded, self._unrecorded_calls = 0.0, 0
            self._recording += cost
        try:
            spent, total_calls = self.ledger.add(cost, calls)
        except BaseException:
            with self._lock:
                self._recording -= cost
                self._unrecorded += cost
                self._unrecorded_calls += calls
            raise
        with self._lock:
            self._recording -= cost
            # a concurrent record may have read an older total: keep the larger
            self.spent, self.calls = max(self.spent, spent), max(self.calls, total_calls)


async def before_call(budget: Budget, backoff: Backoff,
                      notice: Callable[[str], None] | None = None) -> None:
    """The check before a call is sent (target or model judge): record this process's
    spend and read the other workers' when it is due, then raise :class:`BudgetReached`
    when the study's ``max_cost`` is spent."""
    if budget.stale():
        await retried(partial(asyncio.to_thread, budget.record),
                      "recording the study's spend", backoff, notice)
    budget.check()


def open_budget(limit: float, engine: Engine, study: str) -> Budget:
    """The gate for ``study``'s ``max_cost``, reading what the study already spent."""
    return Budget(limit, SpendLedger(engine, study))
