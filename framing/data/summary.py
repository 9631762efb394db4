"""Counts per subset, pattern and category: the shape of a data set at a glance."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from framing.data.schema import CATEGORIES, Grade, Sample


def summarize(samples: Sequence[Sample]) -> dict[str, Any]:
    """``{"total", "subsets", "patterns", "categories"}`` as DESIGN §10 fixes it."""
    subsets = Counter(s.joint_grade.value for s in samples)
    patterns = Counter(s.pattern for s in samples)
    categories = Counter(s.category or "none" for s in samples)
    order = [g.value for g in Grade]
    cat_order = [*CATEGORIES, "none"]
    return {
        "total": len(samples),
        "subsets": {g: subsets[g] for g in order if subsets[g]},
        "patterns": dict(sorted(patterns.items())),
        "categories": {c: categories[c] for c in cat_order if categories[c]},
    }
