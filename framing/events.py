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
    point: Any  # framing.points.Point (kept as Any to keep this module dependency-free)
    calls: int
    cache_hits: int
    cost: float = 0.0


@dataclass(frozen=True, slots=True)
class Notice:
    """A diagnostic line for the user (warnings, plans, resumptions)."""

    message: str
    level: str = "info"


#: share of truncated answers above which a run warns (a few percent is noise; more
#: means the output budget is too small for the model)
TRUNCATION_WARN_SHARE = 0.03


@dataclass(frozen=True, slots=True)
class TruncationAlert(Notice):
    """Too many answers were cut off by the token budget (counted ``truncated``, never
    judged). A :class:`Notice` with the counts, so every front end that shows warnings
    shows this one too."""

    truncated: int = 0
    total: int = 0

    @property
    def share(self) -> float:
        return self.truncated / self.total if self.total else 0.0


def truncation_alert(truncated: int, total: int, max_tokens: int | None = None,
                     ) -> TruncationAlert | None:
    """The alert for ``truncated`` of ``total`` verdicts, or None below the threshold."""
    if not total or truncated / total <= TRUNCATION_WARN_SHARE:
        return None
    budget = f" (now {max_tokens})" if max_tokens is not None else ""
    message = (f"{truncated} of {total} answers ({truncated / total:.1%}) were cut off by "
               "the token budget: they are counted `truncated` and left out of both rates. "
               f"Raise target.max_tokens{budget}, or lower the model's reasoning budget "
               "(thinking tokens count against it: target.reasoning_effort = \"low\").")
    return TruncationAlert(message, "warning", truncated, total)


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


Event = (StudyStarted | TrialStarted | CallsProgress | TrialFinished | Notice | TruncationAlert
         | StudyFinished)
EventHandler = Callable[[Event], None]


def ignore(_: Event) -> None:
    """The default event handler."""
