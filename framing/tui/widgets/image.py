"""A sample's image drawn inline with half blocks (two pixels per cell, any colour terminal).

The image is read (file I/O) by a worker with :func:`read_image`, which the screens showing
a sample share; the worker posts the result as an :class:`ImageLoaded` and the screen hands
it down (:meth:`SampleImage.show`). This widget only scales and draws it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import RenderableType
from rich.style import Style
from rich.text import Text
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget


class ImageLoaded(Message):
    """The image of the sample or response ``key`` (a Pillow image in RGB), or None and
    ``error`` saying why it is not shown."""

    def __init__(self, key: str, image: Any, error: str | None = None) -> None:
        super().__init__()
        self.key = key
        self.image = image
        self.error = error


def read_image(key: str, source: str | Path) -> ImageLoaded:
    """Read the image at ``source`` for ``key``: file I/O, so only in a worker. A remote
    image (an http(s) URL) is not fetched."""
    if str(source).startswith(("http://", "https://")):
        return ImageLoaded(key, None, f"remote image, not shown: {source}")
    from PIL import Image  # deferred: Pillow loads only once an image is shown

    try:
        with Image.open(Path(source)) as img:
            img.load()
            return ImageLoaded(key, img.convert("RGB"))
    except OSError as e:
        return ImageLoaded(key, None, f"cannot read the image: {e}")


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

    def show(self, loaded: ImageLoaded) -> None:
        """Show what a worker read (its error, when there is no image)."""
        self.fallback = loaded.error or ""
        self.image = loaded.image

    def render(self) -> RenderableType:
        if self.image is None:
            return Text(self.fallback)
        return half_blocks(self.image, self.content_size.width, self.content_size.height)
