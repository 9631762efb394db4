"""The HTTP layer every real target shares (DESIGN §6).

A target builds a JSON body and reads the answer; everything between lives here, once:

- one ``httpx.AsyncClient`` per target, with connect / read timeouts and a pool as large
  as the concurrency limit;
- retries with jittered exponential backoff on 429, 5xx, timeouts, dropped connections
  and unreadable bodies, honouring ``Retry-After`` (seconds or HTTP-date) and
  ``retry-after-ms``; after the last retry the call raises :class:`CallFailed` (the
  sample is marked ``error`` and the study goes on);
- adaptive concurrency (AIMD): the limit shrinks when the server says 429 or that it is
  overloaded (529, 503) and grows back by one per window of successes, never above the
  configured ``concurrency``;
- an overloaded provider (any 529, such as Anthropic's ``overloaded_error``; a 503 whose
  body says it is overloaded, or Gemini's 503 ``UNAVAILABLE``) is
  waited out with a longer backoff, for at most ``max_overload_wait`` seconds per call;
  that call is then an ``error``, and a second call in a row giving up stops the study
  (:class:`TargetError`) rather than letting every sample wait as long;
- a wait the error body asks for (Gemini's ``google.rpc.RetryInfo.retryDelay``) counts
  like ``Retry-After``;
- an exhausted quota or billing limit (OpenAI ``insufficient_quota``, Anthropic credit
  and spend limits, Gemini per-day quotas: see each target's ``error_hint``) is never
  retried: it raises :class:`QuotaExhausted` with the provider's own message, and every
  later call of this client fails the same way without being sent;
- optional requests-per-minute and tokens-per-minute limits (token buckets; the token
  bucket is charged with an estimate before the call and settled with the real usage),
  shared by all workers of a study during a search (:mod:`framing.targets.limits`);
- none configured, while other workers of the study send too, a pace learnt from the
  server's 429s (:class:`framing.targets.limits.LearnedPace`);
- token accounting (:class:`HttpStats`);
- a connection that cannot be made before any answer came back, or that stays broken
  through every retry, raises :class:`TargetError`: the target is unusable and the
  study stops (everything answered so far is kept).

Secrets: the API key travels only in request headers, never in URLs, so no exception
text or log line built from a URL can carry it; anything built from a server's answer
is passed through :meth:`HttpClient.scrub`, and :func:`redact_headers` hides the
credential headers of anything printed.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import email.utils
import json
import logging
import math
import random
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx

from framing.errors import QuotaExhausted, TargetConfigError, TargetError
from framing.targets.base import CallFailed, Image, Response, Usage
from framing.targets.limits import LearnedPace, Sleep, TokenBucket, per_minute_bucket

if TYPE_CHECKING:
    from framing.data.schema import Sample
    from framing.storage.workers_registry import Shares
    from framing.templates import Messages

log = logging.getLogger(__name__)

#: statuses worth another try (408 request timeout, 409 lock conflicts, 5xx, 529 overloaded)
RETRY_STATUSES = frozenset({408, 409, 425, 500, 502, 503, 504, 520, 522, 524, 529})
#: header names whose values are credentials
SECRET_HEADERS = frozenset({"authorization", "x-api-key", "x-goog-api-key", "api-key",
                            "proxy-authorization", "cookie"})
#: a 429 is the server pacing us, not failing: it gets this many times ``max_retries``
RATE_LIMIT_RETRY_FACTOR = 6
#: never wait longer than this for one Retry-After
MAX_RETRY_AFTER = 300.0
#: the adaptive limit multiplies by this on a 429
DECREASE = 0.75
#: this many calls in a row giving up on an overloaded provider stop the study
OVERLOAD_GIVE_UPS = 2


@dataclass(frozen=True, slots=True)
class ErrorHint:
    """What an error body says beyond its status (read by each target's ``error_hint``):
    ``exhausted`` holds the provider's message when a quota or billing limit is used up;
    ``retry_after`` is a wait in seconds the body asks for."""

    exhausted: str | None = None
    retry_after: float | None = None


ErrorReader = Callable[[int, Any, str], ErrorHint | None]


@dataclass(frozen=True, slots=True)
class HttpSettings:
    """How one target talks HTTP (from the study file's ``[target]`` table)."""

    concurrency: int = 16
    timeout: float = 60.0
    connect_timeout: float = 10.0
    max_retries: int = 5
    requests_per_minute: float | None = None
    tokens_per_minute: float | None = None
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    #: an overloaded provider: longer backoff, and a cap on the total wait of one call
    overload_base: float = 2.0
    overload_max: float = 60.0
    max_overload_wait: float = 600.0


@dataclass
class HttpStats:
    """Running counters of one client (read by benchmarks and diagnostics)."""

    attempts: int = 0
    answers: int = 0
    throttled: int = 0
    overloaded: int = 0
    #: seconds spent waiting out overload, over all calls
    overload_wait: float = 0.0
    retries: int = 0
    failures: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    #: the adaptive concurrency limit now, and its lowest value so far
    limit: float = 0.0
    lowest_limit: float = 0.0


@dataclass(frozen=True, slots=True)
class Reply:
    """A final answer from the server: 2xx with a JSON body, or a status no retry fixes
    (4xx other than 429). ``data`` is the parsed JSON body, or None."""

    status: int
    data: Any
    text: str
    latency: float
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


# -- helpers ---------------------------------------------------------------------------------


def retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds the server asks us to wait: ``retry-after-ms``, else ``Retry-After`` as
    delay-seconds or an HTTP-date. None when absent or unreadable."""
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return _clamp(float(ms) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    try:
        return _clamp(float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = datetime.now(UTC).timestamp() if now is None else now
    return _clamp(when.timestamp() - current)


def _clamp(seconds: float) -> float | None:
    if seconds != seconds:  # NaN
        return None
    return min(MAX_RETRY_AFTER, max(0.0, seconds))


def backoff(attempt: int, settings: HttpSettings, rng: random.Random,
            server_says: float | None = None) -> float:
    """Delay before retry ``attempt`` (0-based): the server's ``Retry-After`` plus a little
    jitter when given, else exponential with "equal jitter" (half fixed, half random)."""
    if server_says is not None:
        return server_says + rng.uniform(0.0, min(1.0, 0.1 * server_says + 0.05))
    ceiling = min(settings.backoff_max, settings.backoff_base * 2.0 ** attempt)
    return ceiling / 2.0 + rng.uniform(0.0, ceiling / 2.0)


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy safe to print: credential headers replaced by ``<redacted>``."""
    return {k: ("<redacted>" if k.lower() in SECRET_HEADERS else v) for k, v in headers.items()}


def error_message(data: Any, text: str) -> str:
    """The human part of an error body in any of the three wire formats."""
    if isinstance(data, dict):
        err = data.get("error", data)
        if isinstance(err, dict):
            msg = err.get("message") or err.get("msg") or err.get("detail")
            if msg:
                return str(msg)
        elif isinstance(err, str) and err:
            return err
        if isinstance(data.get("message"), str):
            return str(data["message"])
        if isinstance(data.get("detail"), str):
            return str(data["detail"])
    return " ".join(text.split())[:300]


class AdaptiveLimit:
    """AIMD concurrency limit for one endpoint.

    ``acquire`` waits for a free slot under the current limit and returns the epoch the
    call started in. ``release(epoch, throttled)``: a 429 halves the limit, but only once
    per epoch (the calls already in flight when it shrank do not shrink it again); a
    success adds ``1/limit``, so a full window of successes adds one slot.
    """

    def __init__(self, maximum: int, minimum: int = 1) -> None:
        self.maximum = float(maximum)
        self.minimum = float(min(minimum, maximum))
        self.limit = float(maximum)
        self.lowest = float(maximum)
        self.inflight = 0
        self.epoch = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def slots(self) -> int:
        """Calls allowed in flight now: the limit rounded up."""
        return math.ceil(self.limit - 1e-9)

    async def acquire(self) -> int:
        while self.inflight >= self.slots:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self._wake()  # pass the slot on
                raise
        self.inflight += 1
        return self.epoch

    def release(self, epoch: int, *, throttled: bool = False, success: bool = True) -> None:
        self.inflight -= 1
        if throttled:
            if epoch == self.epoch:
                self.limit = max(self.minimum, self.limit * DECREASE)
                self.lowest = min(self.lowest, self.limit)
                self.epoch += 1
        elif success:
            self.limit = min(self.maximum, self.limit + 1.0 / self.limit)
        self._wake()

    def _wake(self) -> None:
        free = self.slots - self.inflight
        while free > 0 and self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                free -= 1


# -- the client ------------------------------------------------------------------------------


class HttpClient:
    """POSTs JSON for one target, with retries, limits and accounting (module docstring).

    ``name`` describes the target in messages (kind, model, base URL: never the key).
    ``secrets`` are values that must never appear in a message (the API key).
    The underlying ``httpx.AsyncClient`` and the asyncio primitives are created in the
    event loop that first uses them, and again if a later call runs in another loop.
    """

    def __init__(
        self,
        name: str,
        settings: HttpSettings,
        *,
        headers: Mapping[str, str] | None = None,
        secrets: Sequence[str] = (),
        transport: httpx.AsyncBaseTransport | None = None,
        rng: random.Random | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.name = name
        self.settings = settings
        self.headers = dict(headers or {})
        self.secrets = tuple(s for s in secrets if s)
        self.stats = HttpStats(limit=float(settings.concurrency),
                               lowest_limit=float(settings.concurrency))
        self._transport = transport
        self._rng = rng or random.Random()
        self._sleep = sleep
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: httpx.AsyncClient | None = None
        self.limiter = AdaptiveLimit(settings.concurrency)
        self._rpm = (per_minute_bucket(settings.requests_per_minute)
                     if settings.requests_per_minute else None)
        self._tpm = (per_minute_bucket(settings.tokens_per_minute)
                     if settings.tokens_per_minute else None)
        #: no requests per minute configured: the pace the server's 429s teach
        self.pace = (LearnedPace(sleep=sleep) if settings.requests_per_minute is None
                     else None)
        #: an answer (any status) came back from the server at least once
        self.reached = False
        #: set once the provider said the quota is used up: nothing more is sent
        self.exhausted: QuotaExhausted | None = None
        #: calls that gave up on an overloaded provider since the last answer
        self.overload_give_ups = 0

    # -- lifecycle

    def _http(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._loop = loop
            s = self.settings
            self._client = httpx.AsyncClient(
                headers=self.headers,
                timeout=httpx.Timeout(s.timeout, connect=min(s.connect_timeout, s.timeout),
                                      pool=None),
                limits=httpx.Limits(max_connections=s.concurrency,
                                    max_keepalive_connections=s.concurrency),
                transport=self._transport,
                follow_redirects=False,
            )
            # loop-bound state starts afresh in a new loop
            limit = self.limiter.limit
            self.limiter = AdaptiveLimit(s.concurrency)
            self.limiter.limit = limit
            if self._rpm is not None:
                self._rpm._lock = None
            if self._tpm is not None:
                self._tpm._lock = None
            if self.pace is not None and self.pace.bucket is not None:
                self.pace.bucket._lock = None
        return self._client

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(RuntimeError):  # its loop is gone: nothing to close
                await client.aclose()

    # -- limits shared with other workers (framing.targets.limits)

    def buckets(self) -> list[TokenBucket]:
        """The requests and tokens per minute buckets this client paces calls with."""
        return [b for b in (self._rpm, self._tpm) if b is not None]

    def share(self, shares: Shares, valid_until: float, peak: float | None = None) -> None:
        """Pace calls at this worker's share of the study's limits, until ``valid_until``
        (a ``time.monotonic()`` value: the worker's lease); savings are spent at most
        ``peak`` times as fast as the share."""
        for bucket, per_minute in ((self._rpm, shares.requests_per_minute),
                                   (self._tpm, shares.tokens_per_minute)):
            if bucket is None:
                continue
            if per_minute:
                rate = per_minute / 60.0
                bucket.set_rate(rate, rate, None if peak is None else rate * peak)
            bucket.valid_until = valid_until

    # -- messages

    def scrub(self, text: str) -> str:
        """``text`` with every secret value replaced by ``***``."""
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def fail(self, message: str, *, config: bool = False) -> TargetError:
        """A :class:`TargetError` (or :class:`TargetConfigError`) naming this target."""
        cls = TargetConfigError if config else TargetError
        return cls(self.scrub(f"{self.name}: {message}"))

    # -- the call

    async def post_json(
        self,
        url: str,
        body: Mapping[str, Any],
        *,
        estimate: int = 0,
        usage_of: Callable[[Any], Usage] | None = None,
        hint_of: ErrorReader | None = None,
    ) -> Reply:
        """POST ``body`` and return the final :class:`Reply` (see the module docstring for
        what is retried). ``estimate`` is the call's expected tokens (prompt plus the
        output budget) for the tokens-per-minute bucket; ``usage_of`` reads the real
        usage from a 2xx body for accounting; ``hint_of`` reads quota exhaustion and
        requested waits from an error body.

        Raises :class:`CallFailed` after the last retry, :class:`TargetError` when the
        server cannot be reached at all, :class:`QuotaExhausted` when the quota is gone."""
        if self.exhausted is not None:
            raise self.exhausted
        payload = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        http = self._http()
        s = self.settings
        failures = 0
        throttles = 0
        overloads = 0
        waited = 0.0
        last = "no attempt"
        last_status: int | None = None
        while True:
            wait: float | None = None
            overload = False
            if self.exhausted is not None:  # another call learnt it while this one waited
                raise self.exhausted
            epoch = await self.limiter.acquire()
            throttled = False
            paced = False
            success = False
            charged = False
            try:
                if self._rpm is not None:
                    await self._rpm.take(1)
                elif self.pace is not None:
                    await self.pace.take()
                if self._tpm is not None and estimate:
                    await self._tpm.take(estimate)
                    charged = True
                self.stats.attempts += 1
                started = time.monotonic()
                try:
                    response = await http.post(url, content=payload, headers={
                        "content-type": "application/json"})
                except httpx.ConnectError as e:
                    if not self.reached:
                        raise self._unreachable(url, e) from None
                    last, last_status = f"cannot connect: {_reason(e)}", None
                except (httpx.TimeoutException, httpx.NetworkError,
                        httpx.RemoteProtocolError) as e:
                    last, last_status = _transport_reason(e), None
                except httpx.UnsupportedProtocol:
                    raise self.fail(f"unsupported URL {url!r}: base_url must start with "
                                    "http:// or https://", config=True) from None
                except httpx.HTTPError as e:  # e.g. a header value httpx refuses to send
                    raise self.fail(f"cannot send the request ({type(e).__name__}: "
                                    f"{_reason(e)}); check target.headers and the key",
                                    config=True) from None
                else:
                    latency = time.monotonic() - started
                    self.reached = True
                    status = response.status_code
                    text = response.text
                    hint = None
                    if not 200 <= status < 300 and hint_of is not None:
                        hint = hint_of(status, _json_or_none(text), text)
                    if hint is not None and hint.exhausted is not None:
                        raise self._exhausted(status, hint.exhausted)
                    requested = hint.retry_after if hint is not None else None
                    if status == 429:
                        throttled = True
                        self.stats.throttled += 1
                        paced = self.pace is not None and self.pace.throttled()
                        wait = retry_after(response.headers)
                        wait = wait if wait is not None else _clamp_or_none(requested)
                        msg = error_message(_json_or_none(text), text)
                        last, last_status = f"rate limited (HTTP 429: {msg[:200]})", 429
                    elif is_overload(status, _json_or_none(text), text):
                        throttled = overload = True  # fewer calls in flight, like a 429
                        overloads += 1
                        self.stats.overloaded += 1
                        wait = retry_after(response.headers)
                        wait = wait if wait is not None else _clamp_or_none(requested)
                        msg = error_message(_json_or_none(text), text)
                        last, last_status = f"provider overloaded (HTTP {status}: {msg})", status
                    elif status in RETRY_STATUSES:
                        wait = retry_after(response.headers)
                        msg = error_message(_json_or_none(text), text)
                        last, last_status = f"HTTP {status}: {msg}", status
                    else:
                        data = _json_or_none(text)
                        if 200 <= status < 300 and data is None:
                            last, last_status = "malformed answer (body is not JSON)", status
                        else:
                            success = 200 <= status < 300
                            if success:
                                self.overload_give_ups = 0
                                if self.pace is not None:
                                    self.pace.answered()
                                self._account(data, estimate, usage_of)
                            return Reply(status, data, text, latency, dict(response.headers))
            finally:
                # a pace that answers a 429 leaves the concurrency limit alone
                self.limiter.release(epoch, throttled=throttled and not paced,
                                     success=success)
                self.stats.limit = self.limiter.limit
                self.stats.lowest_limit = self.limiter.lowest
                if charged and not success and self._tpm is not None:
                    self._tpm.give(estimate)  # an unanswered call used no tokens
            # a retryable outcome
            if overload:
                delay = backoff(min(overloads - 1, 16), _overload(s), self._rng, wait)
                if waited + delay > s.max_overload_wait:
                    self.stats.failures += 1
                    self.overload_give_ups += 1
                    reason = (f"{last}: still overloaded after {overloads} tries and "
                              f"{waited:.0f}s of waiting (target.max_overload_wait = "
                              f"{s.max_overload_wait:g})")
                    if self.overload_give_ups >= OVERLOAD_GIVE_UPS:
                        # every call would wait as long again: stop instead of crawling on
                        raise self.fail(f"{reason}, {self.overload_give_ups} calls in a row. "
                                        "Every answer so far is stored: run the same command "
                                        "again later and the study continues.")
                    raise CallFailed(self.scrub(reason), status=last_status)
                waited += delay
                self.stats.overload_wait += delay
                self.stats.retries += 1
                log.debug("%s: %s; retry in %.2fs", self.name, self.scrub(last), delay)
                await self._sleep(delay)
                continue
            if throttled:
                throttles += 1
                exhausted = throttles > s.max_retries * RATE_LIMIT_RETRY_FACTOR
                attempt = throttles - 1
            else:
                failures += 1
                exhausted = failures > s.max_retries
                attempt = failures - 1
            if exhausted:
                self.stats.failures += 1
                tries = failures + throttles
                if last.startswith("cannot connect"):
                    raise self.fail(f"{last} (gave up after {failures} tries); "
                                    "is the server still running?")
                if not self.reached:  # not one answer, ever: nothing will work
                    raise self.fail(f"no answer from {_origin(url)} after {tries} tries "
                                    f"({last}). Is the server up and is target.base_url "
                                    "right? A slow server may need a larger target.timeout.")
                raise CallFailed(self.scrub(f"{last} after {tries} tries"), status=last_status)
            delay = backoff(min(attempt, 16), s, self._rng, wait)
            self.stats.retries += 1
            log.debug("%s: %s; retry in %.2fs", self.name, self.scrub(last), delay)
            await self._sleep(delay)

    def _exhausted(self, status: int, message: str) -> QuotaExhausted:
        error = QuotaExhausted(self.scrub(
            f"{self.name}: the provider says the quota or billing limit is used up "
            f"(HTTP {status}): {' '.join(message.split())[:500]} -- waiting will not help, "
            "so nothing more is sent. Every answer so far is stored: run the same command "
            "again once the quota is back (or raised), and the study continues where it "
            "stopped."))
        self.exhausted = error
        return error

    def _account(self, data: Any, estimate: int, usage_of: Callable[[Any], Usage] | None) -> None:
        self.stats.answers += 1
        if usage_of is None:
            return
        try:
            usage = usage_of(data)
        except (KeyError, TypeError, ValueError, AttributeError):
            return
        self.stats.input_tokens += usage.input_tokens
        self.stats.output_tokens += usage.output_tokens
        if self._tpm is not None and estimate:
            self._tpm.give(estimate - (usage.input_tokens + usage.output_tokens))

    def _unreachable(self, url: str, error: httpx.ConnectError) -> TargetError:
        return self.fail(
            f"cannot connect to {_origin(url)}: {_reason(error)}. Is the server running, and "
            "is target.base_url right?"
        )


def is_overload(status: int, data: Any, text: str) -> bool:
    """A 529, or a 503 that says the provider is overloaded (OpenAI "engine overloaded",
    Gemini ``UNAVAILABLE``); any other 503 is an ordinary retried fault."""
    if status == 529:
        return True
    if status != 503:
        return False
    err = data.get("error") if isinstance(data, dict) else None
    if isinstance(err, dict) and (err.get("status") == "UNAVAILABLE"
                                  or err.get("type") == "overloaded_error"):
        return True
    return "overload" in error_message(data, text).lower()


def _overload(settings: HttpSettings) -> HttpSettings:
    """The backoff settings for an overloaded provider: longer steps, a higher ceiling."""
    return HttpSettings(backoff_base=settings.overload_base, backoff_max=settings.overload_max)


def _clamp_or_none(seconds: float | None) -> float | None:
    return None if seconds is None else _clamp(seconds)


def _json_or_none(text: str) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _origin(url: str) -> str:
    u = httpx.URL(url)
    port = f":{u.port}" if u.port else ""
    return f"{u.scheme}://{u.host}{port}"


def _reason(error: BaseException) -> str:
    cause: BaseException | None = error
    while cause is not None:  # httpx -> httpcore -> anyio -> the OSError that says why
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        cause = cause.__cause__ or cause.__context__
    text = str(error) or type(error).__name__
    low = text.lower()
    if "refused" in low:
        return "connection refused"
    if "name or service not known" in low or "nodename nor servname" in low \
            or "name resolution" in low or "getaddrinfo" in low:
        return "host name not found"
    return " ".join(text.split())[:200]


def _transport_reason(error: Exception) -> str:
    if isinstance(error, httpx.TimeoutException):
        return f"timed out ({type(error).__name__})"
    if isinstance(error, httpx.RemoteProtocolError):
        return "connection dropped before an answer"
    return f"network error: {_reason(error)}"


# -- what every HTTP target shares -----------------------------------------------------------


#: a target whose first calls are all refused (4xx) this many times is unusable
REJECTIONS_BEFORE_GIVING_UP = 3
#: rough input tokens one image costs, per provider (for estimates only)
IMAGE_TOKENS = {"openai": 765, "anthropic": 1600, "gemini": 258}


def prompt_tokens(kind: str, messages: Messages, image: bool) -> int:
    """A rough count of a call's input tokens: about four characters a token, a few for
    the message framing, and the provider's typical cost of one image."""
    text = (len(messages.system) + len(messages.user)) // 4 + 8
    return text + (IMAGE_TOKENS.get(kind, 1000) if image else 0)


class HttpTarget:
    """Base of the real targets: identity, image preparation, estimates and the failures
    that make a target unusable. Subclasses build the body and read the answer."""

    kind: str = "http"
    simulated = False
    #: the output budget when the study sets none and the model reasons (its thinking
    #: counts against the budget); see :meth:`is_reasoning`
    reasoning_max_tokens: int | None = None

    @staticmethod
    def is_reasoning(model: str) -> bool:
        """Whether ``model`` spends output tokens on reasoning before it answers."""
        return False

    def __init__(
        self,
        *,
        model: str,
        base_url: str,
        settings: HttpSettings,
        headers: Mapping[str, str],
        api_key: str | None,
        key_env: str | None,
        temperature: float | None,
        max_tokens: int,
        image_prep: Callable[[Image], Image] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        reasoning_effort: str | None = None,
    ) -> None:
        self.model = model
        self.base_url = base_url.rstrip("/")
        self.temperature: float | None = temperature
        self.max_tokens = max_tokens
        self.reasoning_effort = reasoning_effort
        self.key_env = key_env
        self.image_prep = image_prep
        #: calls refused with a 4xx before any call succeeded
        self._rejected = 0
        self.http = HttpClient(self.describe(), settings, headers=headers,
                               secrets=[api_key] if api_key else [], transport=transport)

    def describe(self) -> str:
        return f"{self.kind} target (model {self.model!r} at {self.base_url})"

    @property
    def fingerprint(self) -> dict[str, Any]:
        identity = {"kind": self.kind, "base_url": self.base_url, "model": self.model,
                    "temperature": self.temperature, "max_tokens": self.max_tokens}
        if self.reasoning_effort is not None:  # absent when unset: old cache keys hold
            identity["reasoning_effort"] = self.reasoning_effort
        return identity

    def prepare_image(self, image: Image) -> Image:
        """The bytes that will be sent (and hashed into the cache key)."""
        return self.image_prep(image) if self.image_prep is not None else image

    def estimate(self, messages: Messages, image: Image | None) -> int:
        """Tokens a call may use: its prompt and its whole output budget."""
        return prompt_tokens(self.kind, messages, image is not None) + self.max_tokens

    async def generate(self, messages: Messages, image: Image | None, *,
                       sample: Sample | None = None) -> Response:
        raise NotImplementedError

    async def aclose(self) -> None:
        await self.http.aclose()

    def unusable(self, reply: Reply, path: str) -> Exception:
        """The error for a final non-2xx reply: :class:`TargetConfigError` when the key,
        model or URL is wrong (nothing will work), else :class:`CallFailed` (this call)."""
        msg = error_message(reply.data, reply.text)
        status = reply.status
        if status in (401, 403):
            what = "unauthorized" if status == 401 else "forbidden"
            key = (f"the key in ${self.key_env}" if self.key_env
                   else "the API key (set target.api_key_env)")
            return self.http.fail(f"HTTP {status} ({what}): {msg}. Check {key} and that it "
                                  f"may use model {self.model!r}.", config=True)
        if status == 404:
            return self.http.fail(
                f"HTTP 404 at POST {path}: {msg}. Check target.model (is {self.model!r} "
                f"served there?) and target.base_url{self.base_url_hint()}.", config=True)
        if self.http.stats.answers == 0:
            self._rejected += 1
            if self._rejected >= REJECTIONS_BEFORE_GIVING_UP:
                hint = (" (a text-only model or server may need images = false)"
                        if status in (400, 415, 422) else "")
                return self.http.fail(
                    f"the server rejects every request: HTTP {status}: {msg}. Check "
                    f"target.model and the generation settings{hint}.", config=True)
        return CallFailed(self.http.scrub(f"HTTP {status}: {msg}"), status=status)

    def base_url_hint(self) -> str:
        return ""


def data_url(image: Image) -> str:
    return f"data:{image.mime};base64,{b64(image)}"


def b64(image: Image) -> str:
    return base64.b64encode(image.data).decode("ascii")
