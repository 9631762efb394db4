"""The pace a client without a configured requests per minute learns from 429s while
other workers send to the same server (framing.targets.limits.LearnedPace)."""

from __future__ import annotations

import pytest

from framing.targets.limits import (
    BACKOFF,
    CATCH_UP,
    IDLE,
    SETTLE,
    SHARED_BACKOFF,
    LearnedPace,
    saved_up,
)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def answered_at(pace: LearnedPace, clock: Clock, per_second: float, seconds: float) -> None:
    for _ in range(int(per_second * seconds)):
        clock.now += 1.0 / per_second
        pace.answered()


def test_alone_nothing_is_paced() -> None:
    clock = Clock()
    pace = LearnedPace(clock=clock)
    answered_at(pace, clock, 20.0, 2.0)
    assert pace.throttled() is False  # the concurrency limit answers the 429
    assert pace.rate is None


def test_a_429_paces_at_just_under_the_answered_rate_and_cuts_once_per_settle() -> None:
    clock = Clock()
    pace = LearnedPace(clock=clock)
    pace.enabled = True
    answered_at(pace, clock, 20.0, 2.0)
    assert pace.throttled() is True
    assert pace.rate == pytest.approx(BACKOFF * 20.0, rel=0.02)
    first = pace.rate
    clock.now += SETTLE / 2
    assert pace.throttled() is True and pace.rate == first  # a 429 of a call already sent
    answered_at(pace, clock, 10.0, 2.0)  # the others took more of the server
    assert pace.throttled() is True
    assert pace.rate == pytest.approx(BACKOFF * 10.0, rel=0.02)
    pace.enabled = False  # alone again: no pace, learnt afresh next time
    assert pace.rate is None


def test_too_few_answers_to_tell_leave_the_429_to_the_concurrency_limit() -> None:
    clock = Clock()
    pace = LearnedPace(clock=clock)
    pace.enabled = True
    answered_at(pace, clock, 2.0, 2.0)
    assert pace.throttled() is False and pace.rate is None


def test_other_busy_workers_enable_the_pace_and_share_the_studys_answered_rate() -> None:
    clock = Clock()
    pace = LearnedPace(clock=clock)
    answered_at(pace, clock, 5.0, 2.0)  # this worker had just started a trial: slow
    pace.share(1)
    assert pace.throttled() is False  # alone (and the search did not say otherwise)
    pace.share(3, others_answered=40.0)  # the registry: two others, answered 40 a second
    assert pace.enabled
    assert pace.throttled() is True
    # a third of what the server answered all three, not this worker's own low rate
    assert pace.rate == pytest.approx(SHARED_BACKOFF * 45.0 / 3, rel=0.02)


def test_a_pace_is_rescaled_as_workers_leave_and_join() -> None:
    clock = Clock()
    pace = LearnedPace(clock=clock)
    pace.enabled = True  # the search: other workers' trials run
    pace.share(3, others_answered=30.0)
    answered_at(pace, clock, 15.0, 2.0)
    assert pace.throttled() is True
    rate = pace.rate
    assert rate is not None
    pace.share(1)  # the two others finished: their part at once, not by growth
    assert pace.rate == pytest.approx(3 * rate)
    pace.share(2, others_answered=0.0)  # one joins: room for it
    assert pace.rate == pytest.approx(1.5 * rate)
    pace.enabled = False  # the search: no other trial runs, but the registry sees one
    assert pace.rate == pytest.approx(1.5 * rate)
    pace.share(1)  # and then it does not either: alone, no pace
    assert pace.rate is None


async def test_a_pace_is_idle_when_no_call_asked_for_its_turn() -> None:
    clock = Clock()
    pace = LearnedPace(clock=clock)
    assert pace.idle(IDLE)
    await pace.take()  # not paced: at once, but the call is seen
    assert not pace.idle(IDLE)
    clock.now += IDLE + 0.1
    assert pace.idle(IDLE)


async def test_a_pace_saves_up_a_tenth_of_a_second_of_itself_and_at_least_one_call() -> None:
    """A worker that paused a moment (the end of a batch, a screening look) catches up on
    what it left unused, within :data:`CATCH_UP` seconds of its pace."""
    clock = Clock()
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.now += seconds

    async def at_once_after_a_pause(pace: LearnedPace) -> int:
        clock.now += 1.0  # nothing sent for a second
        slept.clear()
        calls = 0
        while not slept:
            await pace.take()
            calls += 1
        return calls - 1  # the last one waited

    fast = LearnedPace(clock=clock, sleep=sleep)
    fast.enabled = True
    answered_at(fast, clock, 30.0, 2.0)
    assert fast.throttled() is True and fast.rate is not None
    learnt = fast.rate  # BACKOFF × 30 a second: 2.9 calls saved up at most
    assert saved_up(learnt) == pytest.approx(CATCH_UP * learnt)
    assert await at_once_after_a_pause(fast) == int(CATCH_UP * learnt) == 2

    slow = LearnedPace(clock=clock, sleep=sleep)
    slow.enabled = True
    answered_at(slow, clock, 5.0, 2.0)
    assert slow.throttled() is True and slow.rate is not None
    assert saved_up(slow.rate) == 1.0
    assert await at_once_after_a_pause(slow) == 1
