"""Messages the TUI's workers and screens post upward.

Core events (``framing.events``) arrive from the search worker's thread wrapped in
:class:`SearchEvent`; the frequent per-call progress is a separate message whose
``can_replace`` lets the queue keep only the latest.
"""

from __future__ import annotations

from typing import Any

from textual.message import Message
from textual.widget import Widget

from framing.events import CallsProgress, Event
from framing.points import Point


class SearchEvent(Message):
    """A search event other than per-call progress (started, trial done, notice...)."""

    def __init__(self, event: Event) -> None:
        super().__init__()
        self.event = event


class SearchProgress(Message):
    """Per-call progress of the trial in flight; only the newest one matters."""

    def __init__(self, progress: CallsProgress) -> None:
        super().__init__()
        self.progress = progress

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SearchProgress)


class SearchEnded(Message):
    """The search worker returned (``error`` set when it failed)."""

    def __init__(self, result: Any = None, error: str | None = None) -> None:
        super().__init__()
        self.result = result
        self.error = error


class PointsLoaded(Message):
    """The stored study's points were (re)read."""

    def __init__(self, points: list[Point], frontier: list[Point]) -> None:
        super().__init__()
        self.points = points
        self.frontier = frontier


class ShowTrial(Message):
    """Ask the app to open the Frontier screen on a trial (e.g. from the Run table)."""

    def __init__(self, trial: int) -> None:
        super().__init__()
        self.trial = trial


def settle_cursor(root: Widget) -> None:
    """Stop the cursors under ``root`` blinking when the app asks (snapshots)."""
    if getattr(root.app, "cursor_blink", True):
        return
    for widget in root.query("Input, TextArea"):
        widget.cursor_blink = False  # type: ignore[attr-defined]
