"""Images as each provider accepts them: the real format, an accepted type, within limits.

A file's extension says little: a WebP saved as ``.png`` is still WebP, and Anthropic
rejects a ``media_type`` that does not match the bytes. So the format is sniffed from the
bytes, and the image is re-encoded only when the provider would refuse it as it is:

- a type the provider does not take (GIF for Gemini, an animated GIF for OpenAI, BMP,
  TIFF, HEIC/HEIF outside Gemini, AVIF...) becomes PNG (JPEG for photos: JPEG and HEIC
  sources), as far as Pillow can open it;
- an image over the provider's per-image (or per-request) byte limit, or over its pixel
  limit, is recompressed (JPEG) and then scaled down step by step until it fits.

The study may also ask for ``image_max_side`` / ``image_format`` in ``[target]``. The
prepared bytes are what the target sends *and* what the response cache hashes, so a
changed setting never serves an answer given for other pixels. An image that cannot be
read or made to fit raises :class:`CallFailed`: that sample is an ``error`` with the
reason, and the study goes on. Re-encoded results are memoised per image digest.

Limits (documented by the providers; base64 inflates bytes by 4/3):

- OpenAI chat completions: PNG, JPEG, WebP, non-animated GIF; up to 50 MB per request
  (https://platform.openai.com/docs/guides/images-vision, "Image input requirements");
  kept at 20 MB per image, the older documented per-image limit.
- Anthropic Messages: JPEG, PNG, GIF, WebP; 5 MB per image (measured on the base64
  data), at most 8000 x 8000 px, 32 MB per request
  (https://docs.anthropic.com/en/docs/build-with-claude/vision, "Basics and limits").
- Gemini ``generateContent``: PNG, JPEG, WebP, HEIC, HEIF; inline data up to 20 MB for
  the whole request (https://ai.google.dev/gemini-api/docs/image-understanding).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from framing.targets.base import CallFailed, Image

if TYPE_CHECKING:
    from PIL.Image import Image as Picture
    from PIL.Image import Resampling

MiB = 1024 * 1024
FORMATS = {"png": ("PNG", "image/png"), "jpeg": ("JPEG", "image/jpeg"),
           "webp": ("WEBP", "image/webp")}
#: Pillow format name -> MIME type
PIL_MIME = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif",
            "BMP": "image/bmp", "TIFF": "image/tiff", "HEIF": "image/heif",
            "AVIF": "image/avif"}
#: ISO-BMFF brands (bytes 8..12 after ``ftyp``) of HEIC, HEIF and AVIF files
_HEIC_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis"})
_HEIF_BRANDS = frozenset({b"mif1", b"msf1", b"heif"})
#: never scale below this many pixels on the long side to make an image fit
MIN_SIDE = 64
#: each shrinking step multiplies the sides by this
SHRINK = 0.75
#: re-encoded images remembered per target (a trial sends the same images again)
MEMO_SIZE = 256


@dataclass(frozen=True, slots=True)
class ImageRules:
    """What one provider accepts: MIME types, bytes per image (of the raw file; the base64
    overhead is already taken off), the longest side in pixels, and whether an animated
    GIF is refused."""

    provider: str
    accepts: frozenset[str]
    max_bytes: int
    max_side: int | None = None
    static_gif_only: bool = False

    def __str__(self) -> str:
        side = f", {self.max_side} px" if self.max_side else ""
        return f"{self.provider} ({self.max_bytes / MiB:.2f} MB per image{side})"


#: per provider, from the pages cited in the module docstring
RULES = {
    "openai": ImageRules("openai", frozenset({"image/png", "image/jpeg", "image/webp",
                                              "image/gif"}), 20 * MiB, static_gif_only=True),
    # 5 MB of base64 per image: 3.75 MB of file
    "anthropic": ImageRules("anthropic", frozenset({"image/png", "image/jpeg", "image/gif",
                                                    "image/webp"}), 5 * MiB * 3 // 4,
                            max_side=8000),
    # 20 MB for the whole request, base64 included, with room left for the text
    "gemini": ImageRules("gemini", frozenset({"image/png", "image/jpeg", "image/webp",
                                              "image/heic", "image/heif"}), 14 * MiB),
}
#: what any target takes when it has no rules of its own (an unknown OpenAI-compatible
#: server): the common ground of the three
COMMON = ImageRules("any", frozenset({"image/png", "image/jpeg", "image/webp"}), 20 * MiB)


def sniff(data: bytes) -> str | None:
    """The MIME type the bytes really are, from their magic numbers (None: unknown)."""
    head = data[:32]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"BM"):
        return "image/bmp"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIC_BRANDS:
            return "image/heic"
        if brand in _HEIF_BRANDS:
            return "image/heif"
        if brand in (b"avif", b"avis"):
            return "image/avif"
    return None


@dataclass(frozen=True)
class ImagePrep:
    """Prepares images for one provider (``rules``) and the study's own wishes:
    ``max_side`` in pixels (None: keep), ``format`` png | jpeg | webp (None: keep when
    accepted), ``quality`` for lossy formats."""

    max_side: int | None = None
    format: str | None = None
    quality: int = 85
    rules: ImageRules = COMMON
    _memo: dict[str, Image] = field(default_factory=dict, compare=False, repr=False)

    @property
    def active(self) -> bool:
        return self.max_side is not None or self.format is not None

    def __call__(self, image: Image) -> Image:
        """The image as it will be sent. Raises :class:`CallFailed` when it cannot be."""
        digest = image.digest
        done = self._memo.get(digest)
        if done is None:
            done = self._prepare(image)
            if done.data is not image.data:  # re-encoded: worth remembering (a few)
                if len(self._memo) >= MEMO_SIZE:
                    del self._memo[next(iter(self._memo))]
                self._memo[digest] = done
        return done

    def _prepare(self, image: Image) -> Image:
        rules = self.rules
        sniffed = sniff(image.data)
        actual = sniffed or image.mime
        if (sniffed is not None and not self.active and actual in rules.accepts
                and len(image.data) <= rules.max_bytes and rules.max_side is None
                and actual != "image/gif"):
            # accepted as it is: no decoding (the common case); only the type label fixed
            return image if actual == image.mime else Image(image.data, actual)
        pic, source = self._open(image, actual)  # unknown bytes: Pillow may still know
        actual = sniffed or PIL_MIME.get(source, actual)
        animated = bool(getattr(pic, "is_animated", False))
        too_wide = rules.max_side is not None and max(pic.size) > rules.max_side
        wanted = self.max_side is not None and max(pic.size) > self.max_side
        keep = (actual in rules.accepts and not (animated and rules.static_gif_only)
                and not too_wide and not wanted and self.format in (None, _short(actual))
                and len(image.data) <= rules.max_bytes)
        if keep:
            return image if actual == image.mime else Image(image.data, actual)
        pic = _first_frame(pic)
        sides = [s for s in (self.max_side, rules.max_side) if s is not None]
        if sides and max(pic.size) > min(sides):
            pic.thumbnail((min(sides), min(sides)), _lanczos())
        fmt, mime = self._target_format(actual, source)
        data = _encode(pic, fmt, self.quality)
        if len(data) > rules.max_bytes and fmt != "JPEG" and self.format is None:
            fmt, mime = "JPEG", "image/jpeg"  # a photo saved as PNG: JPEG is far smaller
            data = _encode(pic, fmt, self.quality)
        while len(data) > rules.max_bytes:
            side = int(max(pic.size) * SHRINK)
            if side < MIN_SIDE:
                raise CallFailed(
                    f"image ({actual}, {len(image.data):,} bytes) cannot be made to fit "
                    f"{rules} even at {max(pic.size)} px; use a smaller image")
            pic.thumbnail((side, side), _lanczos())
            data = _encode(pic, fmt, self.quality)
        return Image(data=data, mime=mime)

    def _target_format(self, actual: str, source: str) -> tuple[str, str]:
        if self.format is not None:
            return FORMATS[self.format]
        if actual in self.rules.accepts and actual in ("image/png", "image/jpeg",
                                                       "image/webp"):
            return source, actual
        if actual in ("image/jpeg", "image/heic", "image/heif"):
            return "JPEG", "image/jpeg"  # photos stay lossy
        return "PNG", "image/png"

    @staticmethod
    def _open(image: Image, actual: str) -> tuple[Picture, str]:
        from PIL import Image as PILImage  # Pillow only when an image needs work
        from PIL import UnidentifiedImageError

        try:
            opened = PILImage.open(io.BytesIO(image.data))
            source = (opened.format or "PNG").upper()
            opened.load()
        except (UnidentifiedImageError, OSError, ValueError) as e:
            hint = (" (HEIC/HEIF needs the pillow-heif plugin to be converted)"
                    if actual in ("image/heic", "image/heif") else "")
            raise CallFailed(f"image ({actual}, {len(image.data):,} bytes) cannot be read "
                             f"to convert it: {e}{hint}") from None
        return opened, source


def _short(mime: str) -> str:
    return mime.removeprefix("image/")


def _lanczos() -> Resampling:
    from PIL import Image as PILImage

    return PILImage.Resampling.LANCZOS


def _first_frame(pic: Picture) -> Picture:
    """A still copy (the first frame of an animation)."""
    if getattr(pic, "is_animated", False):
        pic.seek(0)
    return pic.copy()


def _encode(pic: Picture, fmt: str, quality: int) -> bytes:
    if fmt == "JPEG" and pic.mode not in ("RGB", "L"):
        pic = _flatten(pic)
    elif pic.mode == "P" or (fmt == "PNG" and pic.mode not in ("1", "L", "LA", "RGB", "RGBA",
                                                                 "I", "I;16")):
        pic = pic.convert("RGBA")
    out = io.BytesIO()
    # PNG's optimize pass is slow on large pictures and gains little there
    small = pic.size[0] * pic.size[1] <= 1_000_000
    options = ({"quality": quality} if fmt in ("JPEG", "WEBP")
               else {"optimize": fmt == "PNG" and small})
    pic.save(out, format=fmt, **options)
    return out.getvalue()


def _flatten(pic: Picture) -> Picture:
    """RGB on a white background (JPEG has no alpha)."""
    from PIL import Image as PILImage

    rgba = pic.convert("RGBA")
    background = PILImage.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background
