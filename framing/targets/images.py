"""Optional image preparation before sending: shrink to a maximum side, re-encode.

Large images cost input tokens (and some providers cap the size), so a study may set
``image_max_side`` and/or ``image_format`` in ``[target]``. The prepared bytes are what
the target sends *and* what the response cache hashes, so changing these settings never
serves an answer given for other pixels.

Formats a provider does not take (anything but PNG, JPEG, WebP and GIF) are re-encoded
to PNG even without settings. Results are memoised per image digest.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from framing.errors import DataError
from framing.targets.base import Image

if TYPE_CHECKING:
    from PIL.Image import Image as Picture

#: what every supported provider accepts as-is
SENDABLE = frozenset({"image/png", "image/jpeg", "image/webp", "image/gif"})
FORMATS = {"png": ("PNG", "image/png"), "jpeg": ("JPEG", "image/jpeg"),
           "webp": ("WEBP", "image/webp")}


@dataclass(frozen=True)
class ImagePrep:
    """``max_side`` in pixels (None: keep), ``format`` png | jpeg | webp (None: keep when
    sendable), ``quality`` for lossy formats."""

    max_side: int | None = None
    format: str | None = None
    quality: int = 85
    _memo: dict[str, Image] = field(default_factory=dict, compare=False, repr=False)

    @property
    def active(self) -> bool:
        return self.max_side is not None or self.format is not None

    def __call__(self, image: Image) -> Image:
        """The image as it will be sent."""
        if not self.active and image.mime in SENDABLE:
            return image
        digest = image.digest
        done = self._memo.get(digest)
        if done is None:
            done = self._prepare(image)
            self._memo[digest] = done
        return done

    def _prepare(self, image: Image) -> Image:
        from PIL import Image as PILImage  # Pillow only when preparation is asked for
        from PIL import UnidentifiedImageError

        try:
            with PILImage.open(io.BytesIO(image.data)) as opened:
                opened.load()
                pic = opened.copy()
                source_format = (opened.format or "PNG").upper()
        except (UnidentifiedImageError, OSError) as e:
            raise DataError(f"image ({image.mime}, {len(image.data)} bytes) cannot be "
                            f"read for preparation: {e}") from None
        resized = False
        if self.max_side is not None and max(pic.size) > self.max_side:
            pic.thumbnail((self.max_side, self.max_side), PILImage.Resampling.LANCZOS)
            resized = True
        if self.format is not None:
            fmt, mime = FORMATS[self.format]
        elif image.mime in SENDABLE and source_format in ("PNG", "JPEG", "WEBP"):
            fmt, mime = source_format, image.mime
            if not resized:
                return image
        else:
            fmt, mime = "PNG", "image/png"
        if fmt == "JPEG" and pic.mode not in ("RGB", "L"):
            pic = _flatten(pic)
        elif pic.mode == "P":
            pic = pic.convert("RGBA")
        out = io.BytesIO()
        options = {"quality": self.quality} if fmt in ("JPEG", "WEBP") else {"optimize": True}
        pic.save(out, format=fmt, **options)
        return Image(data=out.getvalue(), mime=mime)


def _flatten(pic: Picture) -> Picture:
    """RGB on a white background (JPEG has no alpha)."""
    from PIL import Image as PILImage

    rgba = pic.convert("RGBA")
    background = PILImage.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background
