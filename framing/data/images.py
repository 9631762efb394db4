"""Image bytes for samples, read once per path."""

from __future__ import annotations

import mimetypes
from functools import lru_cache
from pathlib import Path

from framing.calls import Image
from framing.data.schema import Sample
from framing.errors import DataError


@lru_cache(maxsize=4096)
def _read(path: str) -> Image:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise DataError(f"{path}: cannot read image: {e.strerror}") from None
    mime = mimetypes.guess_type(p.name)[0] or "image/png"
    return Image(data=data, mime=mime)


def load_image(sample: Sample) -> Image | None:
    """The sample's image, or None for text-only samples. URLs must be imported first."""
    if sample.image is None:
        return None
    if sample.image_path is None:
        raise DataError(
            f"sample {sample.id}: image {sample.image} is a URL; download it first "
            "(framing data import-vlsu --download)"
        )
    return _read(str(sample.image_path))
