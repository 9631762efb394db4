"""The base of every screen: failed workers started by a screen become notifications, and
showing a kept screen again does not restyle all of it and paints at once."""

from __future__ import annotations

from textual import events
from textual.screen import Screen
from textual.worker import Worker

from framing.tui.failures import report_failure

#: terminal columns below which screens take their narrow layout (class ``-narrow``):
#: 80×24 is the most common default terminal
NARROW = 100


class FramingScreen(Screen[None]):
    """A screen whose failed workers are reported like the app's (see
    :mod:`framing.tui.failures`): ``Worker.StateChanged`` does not bubble to the app."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        report_failure(self.app, event)

    def on_mount(self) -> None:
        self._fit_width()

    def on_resize(self) -> None:
        self._fit_width()

    def _fit_width(self) -> None:
        """``-narrow`` below :data:`NARROW` columns (a no-op when it does not change; also
        run on resume, since a hidden screen misses the terminal's resizes)."""
        self.set_class(self.app.size.width < NARROW, "-narrow")

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        """Show a kept screen again: no full restyle, and painted now, not a frame later.

        Profiled, re-applying the stylesheet to every widget of the screen was about a
        third of an F2/F3 switch. It is only needed when the app's CSS changed (theme,
        variables) while the screen was hidden, and ``App.switch_mode`` already restyles
        the screen in that case (its CSS update count is behind the app's); a class or
        state changed on a hidden widget restyles that widget at the time. So when the
        counts agree the resume goes on without ``refresh_styles``.

        Textual then paints the screen on its next update tick (up to a frame, 17 ms,
        later, and one more wake-up of the process, which on a busy machine waits for a
        free core); the screen is painted here instead, in the same turn as the key.
        """
        self._fit_width()
        current = self._css_update_count == self.app._css_update_count
        event.prevent_default()  # Screen's own handler runs here, once
        super()._on_screen_resume(
            events.ScreenResume(refresh_styles=event.refresh_styles and not current))
        if self.is_current:
            self._on_timer_update()  # what the update tick would do: lay out, paint
