"""The one async interface every model backend implements (DESIGN §6).

A target only knows how to speak its wire format. Retries, rate limits, concurrency
and the response cache live once, around it (``framing.targets.http`` and
``framing.evaluate``), so every target gets them for free.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any, Protocol

# the values a call carries live below storage (which caches responses); targets re-export them
from framing.calls import TRUNCATION_REASONS as TRUNCATION_REASONS
from framing.calls import Image as Image
from framing.calls import Response as Response
from framing.calls import Usage as Usage

if TYPE_CHECKING:
    from framing.data.schema import Sample
    from framing.templates import Messages


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
