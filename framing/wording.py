"""Small helpers for messages people read."""

from __future__ import annotations


def plural(count: int, noun: str, plural_noun: str | None = None) -> str:
    """``count`` and the noun in the right number: "1 framing", "2 framings", "0 framings".

    Counts get thousands separators ("1,200 calls"); ``plural_noun`` is for nouns whose
    plural is not the singular plus "s".
    """
    word = noun if count == 1 else (plural_noun or noun + "s")
    return f"{count:,} {word}"
