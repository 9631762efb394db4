"""What one model call carries: the image sent, and the response with its token usage.

These values sit at the bottom of the layers because the response cache
(:mod:`framing.storage`) stores them and the data loaders build images; the targets
(:mod:`framing.targets`) produce them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

__all__ = ["TRUNCATION_REASONS", "Image", "Response", "Usage"]


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
