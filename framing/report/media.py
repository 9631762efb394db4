"""Image thumbnails for the report: small, inline, and read from local files only."""

from __future__ import annotations

import base64
import io
from functools import lru_cache
from pathlib import Path

#: longest side of a thumbnail in pixels; WebP keeps one at a few kB
THUMB_PX = 96
THUMB_QUALITY = 70


@lru_cache(maxsize=8192)
def thumbnail_uri(path: str) -> str | None:
    """A ``data:image/webp;base64,...`` URI of the downscaled image, or None if unreadable.

    A report must open offline and never reach out, so only local files are used; the
    base64 alphabet cannot break out of the CSS rule it is written into.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(Path(path)) as opened:
            opened.thumbnail((THUMB_PX, THUMB_PX))
            img = opened if opened.mode in ("RGB", "RGBA") else opened.convert(
                "RGBA" if "transparency" in opened.info else "RGB")
            buf = io.BytesIO()
            img.save(buf, format="WEBP", quality=THUMB_QUALITY, method=4)
    except (OSError, UnidentifiedImageError, ValueError):
        return None
    return "data:image/webp;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
