"""Requests and tokens per minute: token buckets, and their shares among a study's workers.

A target's ``requests_per_minute`` / ``tokens_per_minute`` pace its calls with a
:class:`TokenBucket` each. On its own a bucket holds for one process; a search makes it
hold for all workers of the study together with :class:`SharedLimits`:

- every worker has a row in the study database (:mod:`framing.storage.workers_registry`)
  and beats it every :data:`INTERVAL` seconds, reading everyone's rows as it does;
- each live worker paces its calls at an equal share of the limit (the smallest one
  configured, divided by the live workers that set one), re-divided at every beat as
  workers join and leave;
- a worker sends only within :data:`LEASE` seconds of the start of its last beat that
  got through: one cut off from the database stops sending before the others take it
  for dead (:data:`STALE`) and take over its share;
- a worker with nothing to send for :data:`IDLE` seconds (say, waiting for the last
  trials of other workers) stops, then marks itself idle: its share goes to the others;
- a joining worker (or one back from idle, or whose lease ran out) that sees another
  busy worker waits one lease before sending: by then every other worker has either read
  its row and lowered its share, or stopped sending. A worker that sees no other busy
  one starts at once, so a single worker starts as fast as without sharing.

The shares add up to the limit at every moment, so the workers together stay within it:
each bucket starts empty, saves up at most one second of its share and spends savings at
most :data:`PEAK` times its share.

No requests per minute configured: the worker registers all the same (with no limit), so
that each worker knows how many busy workers send to the server, and a pace learnt from
the server's 429s (:class:`LearnedPace`) is its share of the study's rate: when workers
leave or go idle, the ones left take up their part at once; when one joins, the others
make room for it. No call waits on the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import secrets
import socket
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from framing.storage.workers_registry import Liveness, Peer, Shares, WorkerRegistry, divide

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from framing.targets.http import HttpClient

log = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

#: seconds between a worker's beats (each one reads every worker's row)
INTERVAL = 0.5
#: a worker sends only this long after the start of its last beat that got through
LEASE = 2.0
#: a row whose beat was not seen to change this long is a dead worker's (> LEASE)
STALE = 2.5 * LEASE
#: a bucket waiting for a share (or a lease) looks again this often
POLL = 0.05
#: a waiting bucket looks at its rate again at least this often (it may change)
LONGEST_WAIT = 0.25
#: a worker whose calls did not wait on its share for this long leaves it to the others
IDLE = 2.0
#: a shared bucket spends what it saved up at most this much faster than its share
PEAK = 1.2


class TokenBucket:
    """``rate`` units per second, at most ``capacity`` saved up. ``take(n)`` waits until the
    bucket holds ``min(n, capacity)`` and then removes ``n`` (the level may go negative,
    so one large request delays the next ones instead of never fitting); ``give(n)``
    returns an over-estimate. Waiters are served in arrival order.

    A shared bucket's rate changes with the worker's share (:meth:`set_rate`); it is
    usable only until ``valid_until`` (a ``clock()`` value: the worker's lease), and with
    ``peak`` set, what was saved up is spent at most at ``peak`` units per second (so
    workers catching up after a pause do not burst together)."""

    def __init__(self, rate: float, capacity: float, *, clock: Clock = time.monotonic,
                 sleep: Sleep = asyncio.sleep) -> None:
        self.rate = rate
        self.capacity = max(1.0, capacity)
        self.level = self.capacity
        self.valid_until = math.inf
        self.peak: float | None = None
        #: calls waiting in :meth:`take` now, and when the last one left it
        self.waiting = 0
        self.last_used = -math.inf
        self._clock = clock
        self._sleep = sleep
        self._stamp = clock()
        self._next = -math.inf
        self._lock: asyncio.Lock | None = None

    def _refill(self) -> None:
        now = self._clock()
        self.level = min(self.capacity, self.level + (now - self._stamp) * self.rate)
        self._stamp = now

    async def take(self, n: float = 1.0) -> None:
        if self._lock is None:
            self._lock = asyncio.Lock()
        self.waiting += 1
        try:
            async with self._lock:
                await self._take(n)
        finally:
            self.waiting -= 1
            self.last_used = self._clock()

    async def _take(self, n: float) -> None:
        while True:
            now = self._clock()
            self._refill()
            if now >= self.valid_until:  # no lease: wait for the next beat
                await self._sleep(POLL)
                continue
            if self.peak is not None and now < self._next:
                await self._sleep(self._next - now)
                continue
            need = min(n, self.capacity)
            if self.level >= need:
                self.level -= n
                if self.peak is not None:
                    self._next = max(now, self._next) + n / self.peak
                return
            await self._sleep(min(LONGEST_WAIT, (need - self.level) / self.rate))

    def give(self, n: float) -> None:
        self._refill()
        self.level = min(self.capacity, self.level + n)

    def set_rate(self, rate: float, capacity: float, peak: float | None = None) -> None:
        """A new rate from now on (what was saved up is kept, within the new capacity)."""
        self._refill()
        self.rate = rate
        self.capacity = max(1.0, capacity)
        self.level = min(self.level, self.capacity)
        self.peak = peak

    def pause(self) -> None:
        """Hold every call until a lease is granted; start again from an empty bucket."""
        self.valid_until = -math.inf
        self._refill()
        self.level = 0.0
        self.last_used = self._clock()

    def idle(self, seconds: float) -> bool:
        """No call waited here for ``seconds``."""
        return self.waiting == 0 and self._clock() - self.last_used > seconds


def per_minute_bucket(per_minute: float) -> TokenBucket:
    """A bucket that allows ``per_minute`` on average with one second's worth of burst."""
    return TokenBucket(per_minute / 60.0, per_minute / 60.0)


def worker_id() -> str:
    """This process among a study's workers: ``$FRAMING_WORKER`` (else host:pid) and a
    random suffix (two workers may be given the same name)."""
    name = os.environ.get("FRAMING_WORKER") or f"{socket.gethostname()}:{os.getpid()}"
    return f"{name[:180]}#{secrets.token_hex(4)}"


@dataclass
class _Scope:
    """One client's limits under one registry row."""

    client: HttpClient
    registry: WorkerRegistry
    liveness: Liveness
    #: this worker has calls to send (else its share is left to the others)
    busy: bool = True
    #: monotonic time from which a wait of one lease started (None: not waiting)
    waiting_since: float | None = None
    valid_until: float = -math.inf
    shares: Shares | None = None


class SharedLimits:
    """The shares of a study's limits for this worker's clients (see the module
    docstring). :meth:`start` registers and begins beating; :meth:`stop` leaves."""

    def __init__(self, engine: Engine, study: str, clients: Mapping[str, HttpClient], *,
                 clock: Clock = time.monotonic) -> None:
        self._clock = clock
        me = worker_id()
        self.scopes = [
            _Scope(client, WorkerRegistry(engine, study, scope, me), Liveness(STALE))
            for scope, client in clients.items()
            if client.settings.requests_per_minute or client.settings.tokens_per_minute
            or client.pace is not None
        ]
        self._task: asyncio.Task[None] | None = None

    @property
    def active(self) -> bool:
        return bool(self.scopes)

    async def start(self) -> None:
        """Register every limited client (their calls wait until a share is granted)."""
        for s in self.scopes:
            for bucket in s.client.buckets():
                bucket.pause()
            settings = s.client.settings
            await asyncio.to_thread(s.registry.join, settings.requests_per_minute,
                                    settings.tokens_per_minute)
            s.waiting_since = self._clock()
        if self.scopes:
            for s in self.scopes:  # alone: granted at once; else after a lease
                await self._beat(s)
            self._task = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for s in self.scopes:
            with contextlib.suppress(Exception):  # a dead row is dropped by the others
                await asyncio.to_thread(s.registry.leave)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(INTERVAL)
            for s in self.scopes:
                await self._beat(s)

    def _wait(self, s: _Scope, since: float) -> None:
        """Stop sending and wait one lease (unless no other worker is busy)."""
        s.waiting_since = since
        s.valid_until = -math.inf
        for bucket in s.client.buckets():
            bucket.pause()

    async def _beat(self, s: _Scope) -> None:
        buckets = s.client.buckets()
        pace = s.client.pace
        if s.busy and s.waiting_since is None and all(b.idle(IDLE) for b in buckets) \
                and (pace is None or pace.idle(IDLE)):
            s.busy = False  # nothing to send for a while: stop, then leave the share
            self._wait(s, math.inf)
        elif not s.busy and (any(b.waiting for b in buckets)
                             or (pace is not None and not pace.idle(IDLE))):
            s.busy = True  # calls again: published by this beat, sent after a lease
        started = self._clock()
        answered = (pace.answered_rate() or 0.0) if pace is not None and s.busy else None
        try:
            peers, rejoined = await asyncio.to_thread(s.registry.beat, s.busy, answered)
        except Exception as e:  # the lease runs out and calls wait; the next beat may pass
            log.debug("worker registry beat failed: %s", e)
            return
        now = self._clock()
        live, dead = s.liveness.observe(peers, now)
        if dead:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(s.registry.forget, dead)
        me = s.registry.worker
        others = [p for p in live if p.worker != me and p.busy]
        if pace is not None and s.busy:  # the server's rate, among the busy workers
            pace.share(len(others) + 1, sum(p.answered or 0.0 for p in others))
        if not s.busy:
            return
        if rejoined or s.waiting_since == math.inf or (s.waiting_since is None
                                                       and started > s.valid_until):
            # taken for dead, back from idle, or no beat got through for a lease
            self._wait(s, now)
        settings = s.client.settings
        mine = Peer(me, s.registry.beats, settings.requests_per_minute,
                    settings.tokens_per_minute)
        if s.waiting_since is not None and (not others or started >= s.waiting_since + LEASE):
            s.waiting_since = None  # everyone else has seen this worker busy (or stopped)
        s.shares = divide([*others, mine])
        if s.waiting_since is None:
            s.valid_until = started + LEASE
            s.client.share(s.shares, s.valid_until, PEAK)


# -- no limit configured: the rate the server admits, learnt from its 429s ------------------

#: after a 429, a client paces at this share of the rate the server was seen to admit
BACKOFF = 0.97
#: ... and at this share of the whole study's answered rate, divided among the busy
#: workers, when the registry says it (a 429 says the server was full: its answered rate
#: is what it admits; less left it idle while a worker was between trials: 3 workers
#: 0.94 of the server's rate at 0.97, 0.97 at 1)
SHARED_BACKOFF = 1.0
#: seconds of answers over which the admitted rate is measured
WINDOW = 2.0
#: fewest answers in the window for a measurement (else the concurrency limit alone acts)
MIN_ANSWERS = 8
#: a 429 cuts the pace at most once this often (the other 429s are of calls already sent)
SETTLE = 0.5
#: the pace grows by this share of itself per second (so a server that raises its limit
#: is used, and so is the part of a worker that stopped sending) ...
GROWTH = 0.05
#: ... and twice as fast for every this many seconds without a 429, up to 2 ** RAMPS
RAMP = 1.0
RAMPS = 4
#: a pace saves up at most this many seconds of itself (at least one call): a worker
#: that paused a moment between two batches of a trial (the last answers of a batch in
#: flight, a screening look: a tenth of a second or two) catches up on what it left
#: unused while the server saved it up too; with one call only, that part was lost. Kept
#: short because a server's burst is unknown (benchmarks/throughput.py's admits 0.1 s of
#: its rate) and workers that paused together catch up together
CATCH_UP = 0.1


def saved_up(rate: float) -> float:
    """The capacity of a pace of ``rate`` calls per second (see :data:`CATCH_UP`)."""
    return max(1.0, rate * CATCH_UP)


class LearnedPace:
    """The requests per second a server admits, learnt from its 429s, for a client with no
    ``requests_per_minute`` configured, while other workers of the study send too.

    Independent workers each adapting their concurrency to 429s keep colliding (three
    of them got 0.6 to 0.7 rejected calls per answer, and less of the server's rate than
    one worker alone). So while :attr:`enabled` (the search sets it when other workers'
    trials are running) a 429 sets a pace: :data:`BACKOFF` times the rate at which this
    client's calls were answered over the last :data:`WINDOW` seconds (and never more
    than the pace it had), at most once per :data:`SETTLE` seconds. Each worker's
    answered rate is its part of what the server admits, so the paces add up to just
    under the server's rate. The pace grows by :data:`GROWTH` of itself per second,
    twice as fast for every :data:`RAMP` seconds without a 429, so the rate a worker
    leaves when it stops is taken up by the others and a raised server limit is found.
    It saves up at most :data:`CATCH_UP` seconds of itself, to make up for short pauses.

    Not enabled (a worker alone), nothing is paced: the concurrency limit answers 429s
    as before, and a worker alone is as fast as it was.

    In a search the study's registry also says how many busy workers send and how fast
    the server answered each of them lately (:meth:`share`, at every beat). More than one
    worker enables the pace too; a 429 then sets the pace at :data:`SHARED_BACKOFF` times
    the whole study's answered rate divided among the busy workers, so the paces are equal
    and add up to the server's rate even when one worker's own rate was low (it had just
    started a trial: on its own measure, that worker learnt a low pace and kept it). A
    pace learnt among ``n`` workers is scaled by ``n / m`` when ``m`` send instead: a
    worker whose peers finish takes up their part at once (the growth alone took
    seconds), and a joining one is made room for."""

    def __init__(self, *, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep) -> None:
        self.bucket: TokenBucket | None = None
        self._enabled = False
        self._clock = clock
        self._sleep = sleep
        self._answers: deque[float] = deque()
        self._cut = -math.inf
        self._grown = -math.inf
        #: busy workers sending to the server, this one included (the registry's count),
        #: and how many calls per second the server answered the others lately
        self.workers = 1
        self.others_answered = 0.0
        #: when a call last asked for its turn
        self.last_used = -math.inf

    @property
    def enabled(self) -> bool:
        """Whether a 429 sets a pace: other workers' trials run (the search says so) or
        other workers are busy (the registry says so)."""
        return self._enabled or self.workers > 1

    @enabled.setter
    def enabled(self, on: bool) -> None:
        """Pace (after the next 429) or not; a pace stopped is learnt afresh."""
        self._enabled = on
        if not self.enabled:
            self.bucket = None

    def share(self, workers: int, others_answered: float = 0.0) -> None:
        """``workers`` busy workers of the study (this one included) send to the server
        now, and it answered the others ``others_answered`` calls per second lately: a
        pace learnt among others is rescaled to as many."""
        self.others_answered = others_answered
        workers = max(1, workers)
        if self.bucket is not None and workers != self.workers:
            rate = self.bucket.rate * self.workers / workers
            self.bucket.set_rate(rate, saved_up(rate))
        self.workers = workers
        if not self.enabled:
            self.bucket = None

    def rest(self) -> None:
        """Nothing to send for now: idle at once (calls asking for their turn end it)."""
        self.last_used = -math.inf

    def idle(self, seconds: float) -> bool:
        """No call asked for its turn for ``seconds`` (or :meth:`rest` since the last)."""
        return self._clock() - self.last_used > seconds

    @property
    def rate(self) -> float | None:
        """Calls per second now (None: not paced)."""
        return None if self.bucket is None else self.bucket.rate

    def answered(self) -> None:
        now = self._clock()
        self._answers.append(now)
        self._trim(now)

    def _trim(self, now: float) -> None:
        while self._answers and self._answers[0] < now - WINDOW:
            self._answers.popleft()

    def answered_rate(self) -> float | None:
        """Calls answered per second over the last :data:`WINDOW` seconds (None: too few
        to tell)."""
        self._trim(self._clock())
        if len(self._answers) < MIN_ANSWERS:
            return None
        span = max(self._answers[-1] - self._answers[0], 1e-3)
        return (len(self._answers) - 1) / span

    def throttled(self) -> bool:
        """The server said 429: set or cut the pace. True when a pace answers it (the
        concurrency limit is then left alone)."""
        if not self.enabled:
            return False
        now = self._clock()
        if now - self._cut < SETTLE:
            return self.bucket is not None
        answered = self.answered_rate()
        if answered is None:
            return self.bucket is not None
        if self.workers > 1 and self.others_answered > 0:  # the study's rate, shared
            rate = SHARED_BACKOFF * (answered + self.others_answered) / self.workers
        else:
            rate = BACKOFF * (answered if self.bucket is None
                              else min(self.bucket.rate, answered))
        if self.bucket is None:
            self.bucket = TokenBucket(rate, saved_up(rate), clock=self._clock,
                                      sleep=self._sleep)
            self.bucket.level = 0.0
        self._cut = now
        self._grown = now
        self.bucket.set_rate(rate, saved_up(rate))
        return True

    async def take(self) -> None:
        """Wait for this call's turn under the pace (at once when there is none)."""
        now = self.last_used = self._clock()
        bucket = self.bucket
        if bucket is None:
            return
        step = min(1.0, now - self._grown)
        growth = GROWTH * 2.0 ** min(RAMPS, (now - self._cut) / RAMP)
        rate = bucket.rate * (1.0 + growth * step)
        bucket.set_rate(rate, saved_up(rate))
        self._grown = now
        await bucket.take(1)
