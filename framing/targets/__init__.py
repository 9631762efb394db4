"""Model backends behind one async interface (see :mod:`framing.targets.base`)."""

from __future__ import annotations

from framing.config import TargetConfig
from framing.errors import ConfigError
from framing.targets.base import CallFailed, Image, Response, Target, Usage
from framing.targets.sim import SimTarget

__all__ = ["CallFailed", "Image", "Response", "SimTarget", "Target", "Usage", "make_target"]


def make_target(config: TargetConfig, *, mode: str = "respond") -> Target:
    """Build the target a study file describes."""
    if config.kind == "sim":
        return SimTarget(model=config.model, seed=config.seed, latency=config.latency, mode=mode)
    raise ConfigError(f"target.kind: {config.kind!r} is not available in this build")
