"""Study-file filters on samples: categories, patterns, compositional only; and the rule
that image studies only use samples whose image is on disk."""

from __future__ import annotations

from collections.abc import Sequence

from framing.config import DataConfig
from framing.data.parsing import parse_category
from framing.data.schema import Grade, Sample
from framing.errors import ConfigError, DataError, FramingError

_GRADES = {g.value for g in Grade}


def _pattern_ok(name: str) -> bool:
    parts = name.split("_")
    # grades may themselves contain "_" (not_sure): rebuild greedily
    grades: list[str] = []
    i = 0
    while i < len(parts):
        if parts[i] == "not" and i + 1 < len(parts) and parts[i + 1] == "sure":
            grades.append("not_sure")
            i += 2
        else:
            grades.append(parts[i])
            i += 1
    return len(grades) == 3 and all(g in _GRADES for g in grades)


def apply_filters(samples: Sequence[Sample], config: DataConfig) -> list[Sample]:
    """The samples that pass ``data.categories``, ``data.patterns`` and
    ``data.compositional_only`` (each empty/false = no filter)."""
    categories: set[str] = set()
    for i, c in enumerate(config.categories):
        try:
            code = parse_category(c, where=f"data.categories[{i}]", column="categories")
        except FramingError:
            code = None
        if code is None:
            raise ConfigError(f"data.categories[{i}]: unknown category {c!r} (C1..C15)")
        categories.add(code)
    patterns = {p.strip().lower() for p in config.patterns}
    for p in sorted(patterns):
        if not _pattern_ok(p):
            raise ConfigError(
                f"data.patterns: {p!r} is not a pattern (image_text_joint grades, e.g. "
                "safe_safe_unsafe)"
            )
    out = [
        s for s in samples
        if (not categories or s.category in categories)
        and (not patterns or s.pattern in patterns)
        and (not config.compositional_only or s.compositional)
    ]
    if not out:
        raise DataError(
            f"data: none of the {len(samples)} samples of {config.source!r} passes the "
            "filters (data.categories, data.patterns, data.compositional_only)"
        )
    return out


def needs_missing_image(sample: Sample) -> bool:
    """A VLSU pair whose image was not downloaded (broken link, or never fetched)."""
    return sample.source == "vlsu" and sample.image_path is None


def drop_missing_images(samples: Sequence[Sample]) -> tuple[list[Sample], int]:
    """For image studies: the samples usable with their image, and how many were left out.

    VLSU's grades describe the image+text pair, so a pair without its image is not the
    same item; it is excluded (and counted) rather than sent as text only.
    """
    kept = [s for s in samples if not needs_missing_image(s)]
    if samples and not kept:
        raise DataError(
            "data: no sample has its image on disk; download them with framing data "
            "import-vlsu CSV --download, or set target.images = false for a text-only study"
        )
    return kept, len(samples) - len(kept)
