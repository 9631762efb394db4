"""The shared HTTP layer: Retry-After, backoff, AIMD, token buckets, retries (mock transport)."""

from __future__ import annotations

import asyncio
import json
import math
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from framing.errors import TargetConfigError, TargetError
from framing.targets.base import CallFailed, Usage
from framing.targets.http import (
    DECREASE,
    AdaptiveLimit,
    HttpClient,
    HttpSettings,
    TokenBucket,
    backoff,
    error_message,
    redact_headers,
    retry_after,
)

URL = "http://model.test/v1/chat/completions"


# -- Retry-After -------------------------------------------------------------------------


def test_retry_after_seconds_date_and_ms() -> None:
    assert retry_after({"retry-after": "7"}) == 7.0
    assert retry_after({"retry-after": "0.25"}) == 0.25
    assert retry_after({"retry-after-ms": "120", "retry-after": "1"}) == pytest.approx(0.12)
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert retry_after({"retry-after": later}, now=now.timestamp()) == pytest.approx(30.0)
    earlier = format_datetime(now - timedelta(seconds=30), usegmt=True)
    assert retry_after({"retry-after": earlier}, now=now.timestamp()) == 0.0


def test_retry_after_absent_garbage_and_huge() -> None:
    assert retry_after({}) is None
    assert retry_after({"retry-after": "soon"}) is None
    assert retry_after({"retry-after": "-5"}) == 0.0
    assert retry_after({"retry-after": "99999"}) == 300.0


def test_backoff_grows_with_jitter_and_honours_the_server() -> None:
    s = HttpSettings(backoff_base=0.5, backoff_max=8.0)
    rng = random.Random(1)
    for attempt in range(8):
        ceiling = min(8.0, 0.5 * 2 ** attempt)
        delays = [backoff(attempt, s, rng) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1
    assert all(3.0 <= backoff(0, s, rng, server_says=3.0) <= 3.35 for _ in range(50))


# -- adaptive concurrency and token buckets ------------------------------------------------------


async def test_aimd_decreases_once_per_epoch_and_recovers() -> None:
    limit = AdaptiveLimit(16)
    epochs = [await limit.acquire() for _ in range(8)]
    for e in epochs[:4]:  # four 429s from calls that started together: one decrease
        limit.release(e, throttled=True)
    assert limit.limit == 16 * DECREASE
    limit.release(epochs[4], throttled=True)
    assert limit.limit == 16 * DECREASE
    fresh = await limit.acquire()
    limit.release(fresh, throttled=True)  # a call started after the decrease: decrease again
    assert limit.limit == 16 * DECREASE**2 and limit.lowest == limit.limit
    assert limit.slots == math.ceil(limit.limit)
    for _ in range(200):
        limit.release(await limit.acquire())
    assert limit.limit == 16.0


async def test_aimd_bounds_calls_in_flight() -> None:
    limit = AdaptiveLimit(3)
    busy = 0
    peak = 0

    async def call() -> None:
        nonlocal busy, peak
        epoch = await limit.acquire()
        busy += 1
        peak = max(peak, busy)
        await asyncio.sleep(0)
        busy -= 1
        limit.release(epoch)

    await asyncio.gather(*(call() for _ in range(30)))
    assert peak == 3 and limit.inflight == 0


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


async def test_token_bucket_paces_to_its_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=2.0, capacity=2.0, clock=clock, sleep=clock.sleep)
    for _ in range(10):
        await bucket.take(1)
    # two from the full bucket, then one every half second
    assert clock.now == pytest.approx(4.0)


async def test_token_bucket_large_request_borrows_and_refunds() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=100.0, capacity=100.0, clock=clock, sleep=clock.sleep)
    await bucket.take(250)  # more than the capacity: allowed, leaves a debt
    assert bucket.level == -150
    bucket.give(100)  # the call used fewer tokens than estimated
    await bucket.take(60)
    assert clock.now == pytest.approx(1.1)


# -- the client, on a mock transport -------------------------------------------------------------


def client(handler, **settings) -> tuple[HttpClient, list[float]]:  # type: ignore[no-untyped-def]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    c = HttpClient("openai target (model 'm' at http://model.test/v1)",
                   HttpSettings(**{"max_retries": 3, **settings}),
                   headers={"authorization": "Bearer sk-secret-123"}, secrets=["sk-secret-123"],
                   transport=httpx.MockTransport(handler), rng=random.Random(0), sleep=sleep)
    return c, slept


def ok(text: str = "fine") -> httpx.Response:
    return httpx.Response(200, json={"text": text, "usage": {"in": 10, "out": 3}})


def usage(data: dict) -> Usage:
    return Usage(data["usage"]["in"], data["usage"]["out"])


async def test_retries_5xx_drops_and_garbage_then_answers() -> None:
    answers = iter([httpx.Response(500, json={"error": {"message": "boom"}}),
                    "drop", httpx.Response(200, text="{not json"),
                    httpx.Response(503, text="busy"), ok()])

    def handler(request: httpx.Request) -> httpx.Response:
        nxt = next(answers)
        if nxt == "drop":
            raise httpx.RemoteProtocolError("Server disconnected", request=request)
        assert isinstance(nxt, httpx.Response)
        return nxt

    c, slept = client(handler, max_retries=4)
    reply = await c.post_json(URL, {"q": 1}, usage_of=usage)
    assert reply.ok and reply.data["text"] == "fine"
    assert c.stats.attempts == 5 and c.stats.retries == 4
    assert c.stats.input_tokens == 10 and c.stats.output_tokens == 3
    assert len(slept) == 4 and slept[3] > slept[0]  # exponential
    await c.aclose()


async def test_gives_up_after_the_last_retry_with_callfailed() -> None:
    c, slept = client(lambda r: httpx.Response(502, json={"error": {"message": "bad gateway"}}),
                      max_retries=2)
    with pytest.raises(CallFailed) as info:
        await c.post_json(URL, {})
    assert "HTTP 502" in info.value.reason and "3 tries" in info.value.reason
    assert info.value.status == 502
    assert len(slept) == 2


async def test_429_honours_retry_after_and_has_its_own_budget() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls <= 5:
            return httpx.Response(429, headers={"Retry-After": "2"})
        return ok()

    c, slept = client(handler, max_retries=1)  # 1 failure allowed, but 6 throttles
    reply = await c.post_json(URL, {})
    assert reply.ok and c.stats.throttled == 5
    assert all(2.0 <= s <= 2.3 for s in slept)
    assert c.limiter.limit < 16


async def test_client_errors_are_returned_not_retried() -> None:
    c, slept = client(lambda r: httpx.Response(400, json={"error": {"message": "bad"}}))
    reply = await c.post_json(URL, {})
    assert reply.status == 400 and not slept and c.stats.attempts == 1


async def test_connection_refused_before_any_answer_is_a_target_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    c, slept = client(handler)
    with pytest.raises(TargetError) as info:
        await c.post_json(URL, {})
    assert not isinstance(info.value, TargetConfigError)
    assert "connection refused" in str(info.value) and "model.test" in str(info.value)
    assert not slept


async def test_connection_lost_mid_study_is_retried_then_stops_the_study() -> None:
    state = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        state["n"] += 1
        if state["n"] == 1:
            return ok()
        raise httpx.ConnectError("Connection refused", request=request)

    c, slept = client(handler, max_retries=2)
    await c.post_json(URL, {})
    with pytest.raises(TargetError, match="still running"):
        await c.post_json(URL, {})
    assert len(slept) == 2


async def test_no_answer_ever_is_a_target_error_after_the_retries() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out", request=request)

    c, slept = client(handler, max_retries=2)
    with pytest.raises(TargetError, match=r"no answer from http://model\.test") as info:
        await c.post_json(URL, {})
    assert "target.timeout" in str(info.value) and len(slept) == 2


async def test_secrets_never_reach_messages() -> None:
    c, _ = client(lambda r: httpx.Response(
        500, json={"error": {"message": "key sk-secret-123 is over quota"}}), max_retries=0)
    with pytest.raises(CallFailed) as info:
        await c.post_json(URL, {})
    assert "sk-secret-123" not in str(info.value) and "***" in str(info.value)
    assert "sk-secret-123" not in str(c.fail("said sk-secret-123"))
    assert redact_headers({"Authorization": "Bearer x", "X-Api-Key": "y", "accept": "z"}) == {
        "Authorization": "<redacted>", "X-Api-Key": "<redacted>", "accept": "z"}


async def test_body_is_sent_as_json_with_the_headers() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return ok()

    c, _ = client(handler)
    await c.post_json(URL, {"model": "m", "text": "é"})
    assert json.loads(seen[0].content) == {"model": "m", "text": "é"}
    assert seen[0].headers["authorization"] == "Bearer sk-secret-123"
    assert seen[0].headers["content-type"] == "application/json"


async def test_requests_per_minute_paces_calls() -> None:
    c, _ = client(lambda r: ok(), requests_per_minute=60.0)
    clock = FakeClock()
    assert c._rpm is not None
    c._rpm = TokenBucket(1.0, 1.0, clock=clock, sleep=clock.sleep)
    for _ in range(4):
        await c.post_json(URL, {})
    assert clock.now == pytest.approx(3.0)


def test_error_message_reads_all_three_shapes() -> None:
    assert error_message({"error": {"message": "a"}}, "") == "a"
    assert error_message({"type": "error", "error": {"type": "x", "message": "b"}}, "") == "b"
    assert error_message({"error": "c"}, "") == "c"
    assert error_message(None, "  plain\n text ") == "plain text"

