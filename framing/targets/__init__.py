"""Model backends behind one async interface (see :mod:`framing.targets.base`)."""

from __future__ import annotations

from framing.config import TargetConfig
from framing.errors import ConfigError
from framing.targets.base import CallFailed, Image, Response, Target, Usage
from framing.targets.sim import SimTarget

__all__ = ["CallFailed", "Image", "Response", "SimTarget", "Target", "Usage", "make_target"]


def make_target(config: TargetConfig, *, mode: str = "respond") -> Target:
    """Build the target a study file describes.

    Real targets read their API key from the environment variable the study names (or
    the kind's default) here, before any call: a missing variable is a
    :class:`TargetConfigError` naming it. The key itself is never stored or printed.
    """
    if config.kind == "sim":
        return SimTarget(model=config.model, seed=config.seed, latency=config.latency, mode=mode)
    if config.kind in ("openai", "anthropic", "gemini"):
        from framing.targets.remote import make_http_target  # httpx only when needed

        return make_http_target(config)
    raise ConfigError(f"target.kind: {config.kind!r} is not available in this build")
