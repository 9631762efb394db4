"""A sample's image drawn inline with half blocks (two pixels per cell, any colour terminal).

The image is loaded (file I/O) by a worker and handed down as a Pillow image; this widget
only scales and draws it.
"""

from __future__ import annotations

from typing import Any

from rich.console import RenderableType
from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


def half_blocks(image: Any, width: int, height: int) -> Text:
    """``image`` (Pillow) scaled to fit ``width`` cells × ``height`` rows, aspect kept."""
    img = image.convert("RGB")
    w, h = img.size
    # a cell is about twice as tall as wide, and holds two pixels stacked
    scale = min(width / w, (2 * height) / h)
    size = (max(1, int(w * scale)), max(2, int(h * scale) // 2 * 2))
    img = img.resize(size)
    pixels = img.load()
    text = Text(no_wrap=True, overflow="crop")
    for y in range(0, size[1] - 1, 2):
        for x in range(size[0]):
            top = "#{:02x}{:02x}{:02x}".format(*pixels[x, y])
            bottom = "#{:02x}{:02x}{:02x}".format(*pixels[x, y + 1])
            text.append("▀", Style(color=top, bgcolor=bottom))
        if y + 2 < size[1] - 1:
            text.append("\n")
    return text


class SampleImage(Widget):
    """Shows ``image`` (a Pillow image) or, without one, ``fallback`` text."""

    image: reactive[Any] = reactive(None)
    fallback: reactive[str] = reactive("")

    def render(self) -> RenderableType:
        if self.image is None:
            return Text(self.fallback)
        return half_blocks(self.image, self.content_size.width, self.content_size.height)
