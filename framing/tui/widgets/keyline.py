"""The key line at the bottom of every screen: one widget drawing one line of text.

Textual's ``Footer`` recomposes itself (unmounts and mounts one widget per key, each
restyled) whenever the screen's bindings change, which includes every screen switch and
focus change. Profiled in this app, that was about a third of an F2/F3 switch. This line
draws the same keys as text and redraws only when the shown keys actually differ; a click
on a key presses it, as with the footer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

from framing.tui.widgets.screenbar import is_screen_switch


@dataclass(frozen=True)
class ShownKey:
    key: str  # the key to simulate on a click
    display: str  # how the key is written (``f2``, ``^q``)
    description: str
    enabled: bool


class KeyLine(Widget):
    """The screen's shown bindings as ``key description`` pairs on one line."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"keyline--key", "keyline--disabled"}
    DEFAULT_CSS = """
    KeyLine {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
    }
    KeyLine > .keyline--key {
        color: $footer-key-foreground;
        text-style: bold;
    }
    KeyLine > .keyline--disabled {
        color: $text-disabled;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.keys: tuple[ShownKey, ...] = ()
        self._spans: list[tuple[int, int, str]] = []  # (start, end, key) of each pair

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if not self.is_attached or screen is not self.screen:
            return
        keys = shown_keys(screen)
        if keys != self.keys:  # most switches and focus moves change nothing shown
            self.keys = keys
            self.refresh()

    def render(self) -> Text:
        key_style = self.get_component_rich_style("keyline--key")
        off_style = self.get_component_rich_style("keyline--disabled")
        text = Text(no_wrap=True, overflow="ellipsis")
        self._spans = []
        for k in self.keys:
            start = len(text)
            text.append(f" {k.display}", style=key_style if k.enabled else off_style)
            text.append(f" {k.description} ", style="" if k.enabled else off_style)
            self._spans.append((start, len(text), k.key))
        return text

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return


def shown_keys(screen: Screen[object]) -> tuple[ShownKey, ...]:
    """The bindings a footer would show for ``screen``, one per action, in order, less the
    screen switches (the screen bar at the top shows those)."""
    seen: set[str] = set()
    out: list[ShownKey] = []
    for _node, binding, enabled, _tooltip in screen.active_bindings.values():
        if not binding.show or binding.action in seen or is_screen_switch(_node, binding):
            continue
        seen.add(binding.action)
        out.append(ShownKey(binding.key, screen.app.get_key_display(binding),
                            binding.description, enabled))
    palette = screen.app.COMMAND_PALETTE_BINDING
    if screen.app.ENABLE_COMMAND_PALETTE and palette in screen.active_bindings:
        _node, binding, enabled, _tooltip = screen.active_bindings[palette]
        out.append(ShownKey(binding.key, screen.app.get_key_display(binding), "palette",
                            enabled))
    return tuple(out)
