"""Plain progress events that the core emits and front ends render.

Events are frozen dataclasses with no behaviour, so the CLI can print them, the TUI can
wrap them in Textual messages, and tests can collect them in a list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class StudyStarted:
    study: str
    storage: str
    trials_planned: int
    trials_done: int
    samples_per_trial: int
    simulated: bool
    plan: str


@dataclass(frozen=True, slots=True)
class TrialStarted:
    trial: int
    template: str
    params: dict[str, Any]
    n_samples: int
    baseline: bool = False


@dataclass(frozen=True, slots=True)
class CallsProgress:
    """Progress inside one evaluation; emitted often, so consumers keep only the latest."""

    trial: int | None
    done: int
    total: int
    calls: int
    cache_hits: int
    errors: int
    #: tokens and cost (USD, 0 when prices are unknown) of this evaluation's new calls
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0


@dataclass(frozen=True, slots=True)
class TrialFinished:
    point: Any  # framing.results.Point (kept as Any to keep this module dependency-free)
    calls: int
    cache_hits: int
    cost: float = 0.0


@dataclass(frozen=True, slots=True)
class Notice:
    """A diagnostic line for the user (warnings, plans, resumptions)."""

    message: str
    level: str = "info"


@dataclass(frozen=True, slots=True)
class StudyFinished:
    study: str
    frontier: list[Any] = field(default_factory=list)
    trials: int = 0
    calls: int = 0
    cache_hits: int = 0
    cost: float = 0.0
    interrupted: bool = False
    stopped_reason: str | None = None
    #: calls this run paid for that another worker paid for at the same moment
    races: int = 0


Event = StudyStarted | TrialStarted | CallsProgress | TrialFinished | Notice | StudyFinished
EventHandler = Callable[[Event], None]


def ignore(_: Event) -> None:
    """The default event handler."""
