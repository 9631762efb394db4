"""Rates per category or per pattern for evaluated framings (``framing frontier --by``).

After "where is the frontier?" a researcher asks "which categories and patterns drive
it?". The per-sample verdicts a trial stored (table ``framing_results``) are joined with
the study's samples and counted per group, with the same rules as the headline rates:
``error``, ``undetermined`` and ``truncated`` verdicts are left out of every rate and
counted;
``partial`` is not a refusal. Every rate keeps its sample size and Wilson interval:
groups are small, and the intervals say how small.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from framing.config import StudyConfig
from framing.data.loaders import load_data
from framing.data.schema import CATEGORIES, Sample
from framing.metrics import tally
from framing.points import Point
from framing.stats import Rate
from framing.storage.tables import ResultRow, Store

By = Literal["category", "pattern"]
BY: tuple[str, ...] = ("category", "pattern")
#: a sample with no category (VLSU leaves it empty on safe rows)
NO_CATEGORY = "none"
#: results whose sample is no longer in the study's data set
UNKNOWN = "unknown"


def group_of(sample: Sample | None, by: str) -> str:
    if sample is None:
        return UNKNOWN
    if by == "category":
        return sample.category or NO_CATEGORY
    return sample.pattern


def _order(by: str, name: str) -> tuple[int, str]:
    if by == "category":
        keys = [*CATEGORIES, NO_CATEGORY, UNKNOWN]
        return (keys.index(name) if name in keys else len(keys), name)
    return (1 if name == UNKNOWN else 0, name)


@dataclass(frozen=True)
class GroupRates:
    """The rates of one framing on one category or pattern."""

    name: str
    over_blocking: Rate
    under_refusal: Rate
    false_refusal: Rate
    errors: int = 0
    undetermined: int = 0
    truncated: int = 0

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"group": self.name}
        for key, rate, n_key in (("over_blocking", self.over_blocking, "n_borderline"),
                                 ("under_refusal", self.under_refusal, "n_unsafe"),
                                 ("false_refusal", self.false_refusal, "n_safe")):
            if key == "false_refusal" and not rate.n:
                continue
            out[key] = rate.value if rate.n else None
            out[f"{key}_ci"] = list(rate.ci)
            out[n_key] = rate.n
        out["errors"] = self.errors
        out["undetermined"] = self.undetermined
        out["truncated"] = self.truncated
        return out


@dataclass(frozen=True)
class Breakdown:
    """One evaluated framing, broken down ``by`` category or pattern."""

    point: Point
    by: str
    groups: tuple[GroupRates, ...]

    def to_json(self) -> dict[str, Any]:
        return {**self.point.to_json(),
                "breakdown": {"by": self.by, "groups": [g.to_json() for g in self.groups]}}


def break_down(rows: Iterable[ResultRow], samples: Mapping[str, Sample],
               by: str) -> list[GroupRates]:
    """Count stored result rows per group (by :mod:`framing.metrics`' rule)."""
    if by not in BY:
        raise ValueError(f"by must be one of {BY}, not {by!r}")
    grouped: dict[str, list[ResultRow]] = defaultdict(list)
    for row in rows:
        grouped[group_of(samples.get(row.sample_id), by)].append(row)
    out = []
    for name, members in sorted(grouped.items(), key=lambda item: _order(by, item[0])):
        t = tally(members)
        out.append(GroupRates(name, t.over_blocking, t.under_refusal, t.false_refusal, t.errors,
                         t.undetermined, t.truncated))
    return out


def breakdowns(config: StudyConfig, points: Sequence[Point], by: str,
               storage: str | None = None) -> list[Breakdown]:
    """Each point of a stored study broken down ``by`` category or pattern, from the
    per-sample results of its trial (search split) and the study's data set."""
    samples = {s.id: s for s in load_data(config.data)}
    store = Store(storage or config.storage.url)
    try:
        out = []
        for p in points:
            rows = store.get_results(config.name, p.trial)
            out.append(Breakdown(p, by, tuple(break_down(rows, samples, by))))
        return out
    finally:
        store.close()
