"""The top line of every screen: the app's screens with their keys, the shown one in
brackets (the screen's title), and the study.

Putting the screen keys here, rather than in the key line at the bottom, leaves that line
for the screen's own keys, so both fit in 80 columns. One widget drawing one line of text,
like :mod:`framing.tui.widgets.keyline`, so showing a screen restyles nothing.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.widget import Widget

#: the app's actions that switch screens (``show('run')``)
SWITCH_ACTION = "show("


def is_screen_switch(node: DOMNode, binding: Binding) -> bool:
    """A binding of the app's that shows one of its screens (drawn by the screen bar)."""
    return isinstance(node, App) and binding.action.startswith(SWITCH_ACTION)


class ScreenBar(Widget):
    """``framing  [f1 Framings]  f2 Run  f3 Frontier  f4 Data      study demo``."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"screenbar--current", "screenbar--key",
                                             "screenbar--study"}
    DEFAULT_CSS = """
    ScreenBar {
        dock: top;
        height: 1;
        background: $panel;
        color: $foreground;
    }
    ScreenBar > .screenbar--current {
        background: $primary;
        color: $text;
        text-style: bold;
    }
    ScreenBar > .screenbar--key {
        color: $footer-key-foreground;
        text-style: bold;
    }
    ScreenBar > .screenbar--study {
        color: $text-muted;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._spans: list[tuple[int, int, str]] = []  # (start, end, key) of each screen

    def render(self) -> Text:
        current_style = self.get_component_rich_style("screenbar--current")
        key_style = self.get_component_rich_style("screenbar--key")
        study_style = self.get_component_rich_style("screenbar--study")
        current = f"{SWITCH_ACTION}'{self.app.current_mode}')"
        width = self.size.width
        study = self.app.sub_title
        screens = Text()
        spans = []
        for node, binding, _enabled, _tooltip in self.screen.active_bindings.values():
            if not is_screen_switch(node, binding):
                continue
            start = len(screens)
            key = self.app.get_key_display(binding)
            if binding.action == current:
                screens.append(f"[{key} {binding.description}]", style=current_style)
            else:
                screens.append(" ")
                screens.append(key, style=key_style)
                screens.append(f" {binding.description} ")
            spans.append((start, len(screens), binding.key))
            screens.append(" ")
        name = f" {self.app.title} "
        # the screens always; then the study, cut if it must be; the app's name if room
        lead = name if len(name) + len(screens) + len(study) + 1 <= width else " "
        room = max(0, width - len(lead) - len(screens) - 1)
        text = Text(lead, style="bold", no_wrap=True, overflow="ellipsis")
        self._spans = [(s + len(lead), e + len(lead), k) for s, e, k in spans]
        text.append_text(screens)
        if room >= 8:
            shown = study if len(study) <= room else study[: room - 1] + "…"
            text.append(" " * (room - len(shown)))
            text.append(shown, style=study_style)
        return text

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return
