"""The base of every screen: failed workers started by a screen become notifications."""

from __future__ import annotations

from textual.screen import Screen
from textual.worker import Worker

from framing.tui.failures import report_failure


class FramingScreen(Screen[None]):
    """A screen whose failed workers are reported like the app's (see
    :mod:`framing.tui.failures`): ``Worker.StateChanged`` does not bubble to the app."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        report_failure(self.app, event)
