"""The pace a client without a configured requests per minute learns from 429s while
other workers send to the same server (framing.targets.limits.LearnedPace)."""

from __future__ import annotations

import pytest

from framing.targets.limits import BACKOFF, SETTLE, LearnedPace


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
