"""The one async interface every model backend implements (DESIGN §6).

A target only knows how to speak its wire format. Retries, rate limits, concurrency
and the response cache live once, around it (``framing.targets.http`` and
``framing.evaluate``), so every target gets them for free.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from framing.data.schema import Sample
    from framing.templates import Messages


@dataclass(frozen=True, slots=True)
class Image:
    """Image bytes as they are sent; their digest is part of the cache key."""

    data: bytes
    mime: str = "image/png"

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True, slots=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0


#: finish reasons that mean "cut off by the output budget" in the three wire formats:
#: OpenAI ``length``, Anthropic ``max_tokens`` (and ``model_context_window_exceeded``),
#: Gemini ``MAX_TOKENS``
TRUNCATION_REASONS = frozenset({"length", "max_tokens", "model_context_window_exceeded",
                                "MAX_TOKENS"})


@dataclass(frozen=True, slots=True)
class Response:
    """What a target answered.

    ``blocked`` is set when the provider itself blocked the request or the answer
    (content filter, policy error): framing counts it as a refusal tagged ``provider``.
    A response whose ``finish_reason`` says the output budget ran out is
    :attr:`truncated`: nobody can tell what it would have said, so it is never judged.
    """

    text: str
    finish_reason: str | None = None
    usage: Usage = field(default_factory=Usage)
    latency: float = 0.0
    raw_status: int | None = 200
    blocked: str | None = None

    @property
    def truncated(self) -> bool:
        """Cut off by the token budget (a block, when both are signalled, wins)."""
        return self.blocked is None and self.finish_reason in TRUNCATION_REASONS


class Target(Protocol):
    """A model endpoint.

    ``fingerprint`` identifies everything that changes answers (kind, base URL, model,
    generation parameters) and nothing secret; it is part of the cache key.
    """

    @property
    def fingerprint(self) -> dict[str, Any]: ...

    @property
    def simulated(self) -> bool: ...

    async def generate(
        self, messages: Messages, image: Image | None, *, sample: Sample | None = None
    ) -> Response:
        """Answer one request. ``sample`` is given only so the simulator can read the
        ground truth it simulates; real targets must ignore it."""
        ...

    async def aclose(self) -> None: ...


def cache_key(fingerprint: dict[str, Any], messages: Messages, image: Image | None) -> str:
    """Hash of target identity, rendered messages and image bytes (DESIGN §8)."""
    payload = json.dumps(
        {
            "target": fingerprint,
            "system": messages.system,
            "user": messages.user,
            "image": image.digest if image is not None else None,
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


class CallFailed(Exception):
    """One call failed after every retry: the sample is marked ``error`` and the study
    goes on. (A :class:`framing.errors.TargetError` instead stops the study: the target
    cannot be used at all.)"""

    def __init__(self, reason: str, *, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def fingerprint_hash(fingerprint: dict[str, Any]) -> str:
    payload = json.dumps(fingerprint, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def prepared(target: Target, image: Image | None) -> Image | None:
    """The image bytes ``target`` will send: real targets may shrink or re-encode images
    (``prepare_image``, see :mod:`framing.targets.images`). Hash *these* into cache keys."""
    prepare = getattr(target, "prepare_image", None)
    return image if image is None or prepare is None else prepare(image)
