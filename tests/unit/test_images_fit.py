"""Images as each provider accepts them: sniffed type, transcoding, size limits."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image as PILImage

from framing.targets.base import CallFailed, Image
from framing.targets.images import RULES, ImagePrep, ImageRules, sniff


def encoded(fmt: str, size: tuple[int, int] = (40, 30), mode: str = "RGB", **kw: object) -> bytes:
    out = io.BytesIO()
    PILImage.new(mode, size, 90).save(out, format=fmt, **kw)
    return out.getvalue()


def noise(side: int) -> bytes:
    pic = PILImage.frombytes("RGB", (side, side), random.Random(0).randbytes(side * side * 3))
    out = io.BytesIO()
    pic.save(out, format="PNG", compress_level=1)
    return out.getvalue()


@pytest.mark.parametrize(("fmt", "mime"), [("PNG", "image/png"), ("JPEG", "image/jpeg"),
                                           ("GIF", "image/gif"), ("WEBP", "image/webp"),
                                           ("BMP", "image/bmp"), ("TIFF", "image/tiff")])
def test_sniff_reads_the_bytes_not_the_name(fmt: str, mime: str) -> None:
    assert sniff(encoded(fmt)) == mime


def test_sniff_knows_heic_and_heif_brands_and_nothing_else() -> None:
    assert sniff(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00") == "image/heic"
    assert sniff(b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00") == "image/heif"
    assert sniff(b"hello world") is None


def test_a_webp_labelled_png_goes_out_as_webp_unchanged() -> None:
    data = encoded("WEBP")
    for rules in RULES.values():
        sent = ImagePrep(rules=rules)(Image(data, "image/png"))
        assert sent.mime == "image/webp" and sent.data == data


def test_gif_becomes_png_for_gemini_and_stays_gif_for_anthropic() -> None:
    gif = Image(encoded("GIF"), "image/gif")
    to_gemini = ImagePrep(rules=RULES["gemini"])(gif)
    assert to_gemini.mime == "image/png" and sniff(to_gemini.data) == "image/png"
    assert ImagePrep(rules=RULES["anthropic"])(gif) is gif


def test_a_photo_over_the_limit_is_recompressed_and_shrunk_until_it_fits() -> None:
    big = Image(noise(600), "image/png")
    rules = ImageRules("tiny", frozenset({"image/png", "image/jpeg"}), 60_000)
    sent = ImagePrep(rules=rules)(big)
    assert len(sent.data) <= 60_000 and sent.mime == "image/jpeg"
    with PILImage.open(io.BytesIO(sent.data)) as pic:
        assert max(pic.size) < 600


def test_an_image_that_cannot_fit_or_be_read_fails_the_call_not_the_study() -> None:
    rules = ImageRules("tiny", frozenset({"image/png", "image/jpeg"}), 50)
    with pytest.raises(CallFailed, match="cannot be made to fit tiny"):
        ImagePrep(rules=rules)(Image(noise(200), "image/png"))
    with pytest.raises(CallFailed, match="cannot be read"):
        ImagePrep(rules=RULES["openai"])(Image(b"not an image", "image/png"))


def test_anthropic_pixel_limit() -> None:
    wide = Image(encoded("PNG", (8200, 10), mode="L"), "image/png")
    sent = ImagePrep(rules=RULES["anthropic"])(wide)
    with PILImage.open(io.BytesIO(sent.data)) as pic:
        assert max(pic.size) == 8000
