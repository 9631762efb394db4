"""Shares of a study's rate limits among its workers (framing.targets.limits), on a real
SQLite registry with a fake clock: who may send at what rate, and when."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from framing.storage.tables import Store
from framing.storage.workers_registry import Liveness, Peer, divide
from framing.targets import limits
from framing.targets.http import HttpClient, HttpSettings
from framing.targets.limits import LEASE, STALE, SharedLimits


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def worker(tmp_path: Path, clock: Clock, name: str, per_minute: float | None = 600.0,
           monkeypatch: pytest.MonkeyPatch | None = None) -> SharedLimits:
    assert monkeypatch is not None
    monkeypatch.setenv("FRAMING_WORKER", name)
    client = HttpClient("t", HttpSettings(requests_per_minute=per_minute))
    shared = SharedLimits(Store(f"sqlite:///{tmp_path}/t.db").engine, "s", {"target": client},
                          clock=clock)
    for bucket in client.buckets():
        bucket._clock = clock
    return shared


def sending(shared: SharedLimits, clock: Clock) -> float | None:
    """Requests per minute this worker may send now (None: it may not send)."""
    (scope,) = shared.scopes
    (bucket,) = scope.client.buckets()
    return round(bucket.rate * 60, 6) if clock() < bucket.valid_until else None


async def start(shared: SharedLimits) -> None:
    """Register and take the first beat; later beats are the test's (no timer)."""
    await shared.start()
    assert shared._task is not None
    shared._task.cancel()


async def beat(shared: SharedLimits, clock: Clock, seconds: float = 0.5) -> None:
    clock.now += seconds
    for s in shared.scopes:
        s.client.buckets()[0].last_used = clock.now  # busy: calls keep waiting on it
        await shared._beat(s)


def test_divide_takes_the_smallest_limit_among_busy_workers() -> None:
    peers = [Peer("a", 1, 600.0, None), Peer("b", 1, 900.0, 1e5), Peer("c", 1, None, None),
             Peer("d", 1, 600.0, None, busy=False)]
    shares = divide(peers)
    assert shares.requests_per_minute == 300.0 and shares.tokens_per_minute == 1e5
    assert divide([]).requests_per_minute is None


def test_liveness_needs_a_changing_beat() -> None:
    live = Liveness(stale=5.0)
    assert live.observe([Peer("a", 1, 1.0, None)], now=0.0) == ([Peer("a", 1, 1.0, None)], [])
    assert live.observe([Peer("a", 1, 1.0, None)], now=4.0)[1] == []
    assert live.observe([Peer("a", 1, 1.0, None)], now=5.5)[1] == [Peer("a", 1, 1.0, None)]
    assert live.observe([Peer("a", 2, 1.0, None)], now=6.0)[1] == []  # it beat again


async def test_shares_are_redivided_as_workers_join_idle_and_leave(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    a = worker(tmp_path, clock, "a", monkeypatch=monkeypatch)
    await start(a)
    assert sending(a, clock) == 600.0  # alone: the whole limit at once
    b = worker(tmp_path, clock, "b", monkeypatch=monkeypatch)
    await start(b)
    assert sending(b, clock) is None  # someone else is busy: wait one lease
    await beat(a, clock)
    assert sending(a, clock) == 300.0  # a saw b: half
    for _ in range(int(LEASE / 0.5)):
        await beat(a, clock, 0)
        await beat(b, clock)
    assert sending(a, clock) == sending(b, clock) == 300.0
    # b has nothing to send for a while: it stops first, then its share goes to a
    b.scopes[0].client.buckets()[0].last_used = -math.inf
    await b._beat(b.scopes[0])
    assert sending(b, clock) is None
    await beat(a, clock)
    assert sending(a, clock) == 600.0
    # a worker whose beats stop getting through stops sending once its lease is over
    clock.now += LEASE
    assert sending(a, clock) is None
    # b leaves; a worker killed without leaving is dropped once its beat stays still
    await b.stop()
    await a.stop()
    c = worker(tmp_path, clock, "c", monkeypatch=monkeypatch)
    await start(c)
    assert sending(c, clock) == 600.0  # nobody else registered
    z = worker(tmp_path, clock, "z", monkeypatch=monkeypatch)
    await start(z)  # then killed: never beats again
    await beat(c, clock)
    assert sending(c, clock) == 300.0
    for _ in range(int(STALE / 0.5) + 2):
        await beat(c, clock)
    assert sending(c, clock) == 600.0
    await c.stop()


async def test_without_a_configured_limit_the_workers_share_the_servers_rate(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Registered with no limit: no call waits on the database, and each worker's learnt
    pace hears how many busy workers send and how fast the others were answered."""
    clock = Clock()
    a = worker(tmp_path, clock, "a", per_minute=None, monkeypatch=monkeypatch)
    assert limits.worker_id().startswith("a#")
    b = worker(tmp_path, clock, "b", per_minute=None, monkeypatch=monkeypatch)
    assert a.active and b.active
    paces = [w.scopes[0].client.pace for w in (a, b)]
    assert all(w.scopes[0].client.buckets() == [] for w in (a, b))  # nothing to wait on
    for pace in paces:
        assert pace is not None
        pace._clock = clock
        pace.bucket = None
    pa, pb = paces
    assert pa is not None and pb is not None
    await start(a)
    await start(b)
    assert pa.workers == 1 and not pa.enabled  # a alone when it started
    for _ in range(4):  # both send: 20 and 10 answers a second
        for second in range(10):
            clock.now += 0.05
            pa.answered()
            if second % 2:
                pb.answered()
        await pace_beat(a, clock)
        await pace_beat(b, clock)
    assert pa.workers == pb.workers == 2 and pa.enabled and pb.enabled
    assert pa.others_answered == pytest.approx(10.0, rel=0.1)
    assert pb.others_answered == pytest.approx(20.0, rel=0.1)
    assert pb.throttled()  # b's 429: half of what the server answered both of them
    assert pb.rate == pytest.approx(15.0 * limits.SHARED_BACKOFF, rel=0.1)
    before = pb.rate
    pb.enabled = True  # the search: a's trial was running when b's started
    await a.stop()  # a finished: b takes up its part at once
    await pace_beat(b, clock)
    assert pb.workers == 1 and pb.rate == pytest.approx(2 * before)
    pb.enabled = False  # b's next trial, alone: not paced, as a worker alone never was
    assert pb.rate is None
    await b.stop()


async def pace_beat(shared: SharedLimits, clock: Clock) -> None:
    for s in shared.scopes:
        assert s.client.pace is not None
        s.client.pace.last_used = clock.now  # busy: calls keep asking for their turn
        await shared._beat(s)
