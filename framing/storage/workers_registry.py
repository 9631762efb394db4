"""Who is sending calls for a study now: one row per live worker (``framing_workers``).

A configured ``requests_per_minute`` / ``tokens_per_minute`` holds for all workers of a
study together: each live worker takes an equal share of it, re-divided as workers join
and leave (:mod:`framing.targets.limits` does the dividing and the pacing). This module
holds the table and what a worker does with it:

- :meth:`WorkerRegistry.join` inserts the worker's row with the limits it was configured
  with (workers may set different ones: the smallest holds);
- :meth:`WorkerRegistry.beat` increments the row's ``beat`` counter and reads every row
  of the study; a row that is gone (another worker took it for dead) is inserted again,
  and the caller is told so (it must wait as a joining worker does);
- :meth:`WorkerRegistry.leave` deletes the row on a clean exit;
- a worker with nothing to send for a while (waiting for other workers' trials) marks
  its row not ``busy``: its share goes to the others until it has calls again;
- a worker with no requests per minute configured also says, at every beat, how many of
  its calls the server answered per second lately (``framing_paces``, a table of its own
  so that databases made before it need no migration): together the workers know the
  rate the server admits (:class:`framing.targets.limits.LearnedPace`).

Liveness is judged without comparing clocks across machines (:class:`Liveness`): a row
is live while its ``beat`` keeps changing, as seen on the observer's own monotonic
clock. A row not seen to change for ``stale`` seconds belongs to a dead worker; it is
ignored and deleted (only if its beat is still the one observed). Rows whose wall-clock
``updated`` is far in the past (a worker killed long ago) are dropped at once.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from framing.storage import schema

_metadata = sa.MetaData()

workers = schema.table(
    "framing_workers",
    _metadata,
    sa.Column("study", sa.String(200), primary_key=True),
    #: which client's limits: ``target`` or ``judge``
    sa.Column("scope", sa.String(16), primary_key=True),
    sa.Column("worker", sa.String(200), primary_key=True),
    sa.Column("beat", sa.Integer, nullable=False),
    #: false while the worker has nothing to send (its share goes to the others)
    sa.Column("busy", sa.Boolean, nullable=False),
    sa.Column("requests_per_minute", sa.Double),
    sa.Column("tokens_per_minute", sa.Double),
    #: time.time() of the last beat (only to drop rows of workers dead for long)
    sa.Column("updated", sa.Double, nullable=False),
)

#: calls the server answered per second lately, per worker without a configured limit
paces = schema.table(
    "framing_paces",
    _metadata,
    sa.Column("study", sa.String(200), primary_key=True),
    sa.Column("scope", sa.String(16), primary_key=True),
    sa.Column("worker", sa.String(200), primary_key=True),
    sa.Column("answered", sa.Double, nullable=False),
)

#: a row not updated for this many seconds (wall clock) is dead, whatever the clocks say
LONG_DEAD = 600.0


@dataclass(frozen=True, slots=True)
class Peer:
    """One worker's row."""

    worker: str
    beat: int
    requests_per_minute: float | None
    tokens_per_minute: float | None
    busy: bool = True
    #: calls the server answered this worker per second lately (None: not said)
    answered: float | None = None


@dataclass(frozen=True, slots=True)
class Shares:
    """What one worker may send: its share of the study's limits (None: no limit), and
    how many live workers set each."""

    requests_per_minute: float | None
    tokens_per_minute: float | None
    workers: int


def divide(live: Iterable[Peer]) -> Shares:
    """Equal shares of the smallest limit the live busy workers set, among those that
    set it."""
    rows = [p for p in live if p.busy]

    def share(values: list[float]) -> float | None:
        return min(values) / len(values) if values else None

    rpm = [p.requests_per_minute for p in rows if p.requests_per_minute]
    tpm = [p.tokens_per_minute for p in rows if p.tokens_per_minute]
    return Shares(share(rpm), share(tpm), len(rows))


class Liveness:
    """Which rows are live, judged on this process's clock: a row whose beat did not
    change for ``stale`` seconds (since this observer first saw it) is dead."""

    def __init__(self, stale: float) -> None:
        self.stale = stale
        self._seen: dict[str, tuple[int, float]] = {}

    def observe(self, peers: Iterable[Peer], now: float) -> tuple[list[Peer], list[Peer]]:
        """(live, dead) among ``peers``, read at monotonic time ``now``."""
        live: list[Peer] = []
        dead: list[Peer] = []
        current: dict[str, tuple[int, float]] = {}
        for p in peers:
            beat, since = self._seen.get(p.worker, (p.beat, now))
            if beat != p.beat:
                beat, since = p.beat, now
            current[p.worker] = (beat, since)
            (dead if now - since > self.stale else live).append(p)
        self._seen = current
        return live, dead


class WorkerRegistry:
    """This worker's row in ``framing_workers`` for one study and scope."""

    def __init__(self, engine: Engine, study: str, scope: str, worker: str) -> None:
        self.engine = engine
        self.study = study
        self.scope = scope
        self.worker = worker
        self.beats = 0
        self.rpm: float | None = None
        self.tpm: float | None = None
        schema.create_tables(engine, _metadata)

    def _mine(self) -> sa.ColumnElement[bool]:
        return ((workers.c.study == self.study) & (workers.c.scope == self.scope)
                & (workers.c.worker == self.worker))

    def _study(self) -> sa.ColumnElement[bool]:
        return (workers.c.study == self.study) & (workers.c.scope == self.scope)

    def join(self, requests_per_minute: float | None, tokens_per_minute: float | None,
             busy: bool = True) -> None:
        """Insert (or replace) this worker's row; drop rows dead for long."""
        self.rpm, self.tpm = requests_per_minute, tokens_per_minute
        now = time.time()
        with self.engine.begin() as conn:
            conn.execute(workers.delete().where(
                self._mine() | (self._study() & (workers.c.updated < now - LONG_DEAD))))
            conn.execute(workers.insert().values(
                study=self.study, scope=self.scope, worker=self.worker, beat=self.beats,
                busy=busy,
                requests_per_minute=requests_per_minute, tokens_per_minute=tokens_per_minute,
                updated=now))

    def beat(self, busy: bool = True, answered: float | None = None) -> tuple[list[Peer], bool]:
        """Advance this worker's beat (saying whether it is ``busy`` and, if known, how
        many calls the server ``answered`` it per second lately) and read every row of
        the study. The flag says the row had gone (taken for dead) and was inserted
        again: a fresh join."""
        self.beats += 1
        with self.engine.begin() as conn:
            updated = conn.execute(workers.update().where(self._mine()).values(
                beat=self.beats, busy=busy, updated=time.time())).rowcount
            if answered is not None:
                mine = self._paces_of(self.worker)
                if not conn.execute(paces.update().where(mine).values(
                        answered=answered)).rowcount:
                    conn.execute(paces.insert().values(
                        study=self.study, scope=self.scope, worker=self.worker,
                        answered=answered))
        rejoined = updated == 0
        if rejoined:
            self.join(self.rpm, self.tpm, busy)
        return self.peers(), rejoined

    def peers(self) -> list[Peer]:
        joined = workers.outerjoin(paces, (paces.c.study == workers.c.study)
                                   & (paces.c.scope == workers.c.scope)
                                   & (paces.c.worker == workers.c.worker))
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(workers, paces.c.answered).select_from(joined)
                                .where(self._study())).all()
        return [Peer(r.worker, int(r.beat), r.requests_per_minute, r.tokens_per_minute,
                     bool(r.busy), r.answered) for r in rows]

    def forget(self, dead: Iterable[Peer]) -> None:
        """Delete rows of dead workers (only while their beat is the one seen dead)."""
        with self.engine.begin() as conn:
            for p in dead:
                gone = conn.execute(workers.delete().where(
                    self._study() & (workers.c.worker == p.worker)
                    & (workers.c.beat == p.beat))).rowcount
                if gone:
                    conn.execute(paces.delete().where(self._paces_of(p.worker)))

    def leave(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(workers.delete().where(self._mine()))
            conn.execute(paces.delete().where(self._paces_of(self.worker)))

    def _paces_of(self, worker: str) -> sa.ColumnElement[bool]:
        return ((paces.c.study == self.study) & (paces.c.scope == self.scope)
                & (paces.c.worker == worker))
