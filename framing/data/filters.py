"""Study-file filters on samples: categories, patterns, compositional only."""

from __future__ import annotations

from collections.abc import Sequence

from framing.config import DataConfig
from framing.data.schema import CATEGORIES, Sample
from framing.errors import ConfigError, DataError


def apply_filters(samples: Sequence[Sample], config: DataConfig) -> list[Sample]:
    unknown = [c for c in config.categories if c.upper() not in CATEGORIES]
    if unknown:
        raise ConfigError(f"data.categories: unknown category {unknown[0]!r} (C1..C15)")
    categories = {c.upper() for c in config.categories}
    patterns = set(config.patterns)
    out = [
        s for s in samples
        if (not categories or s.category in categories)
        and (not patterns or s.pattern in patterns)
        and (not config.compositional_only or s.compositional)
    ]
    if not out:
        raise DataError(
            f"data: no sample of {config.source!r} passes the filters (categories, patterns, "
            "compositional_only)"
        )
    return out
