"""Subsets, the hold-out split and stratified sampling (DESIGN §4).

Every trial of a study evaluates the *same* samples in the *same* order, fixed by the
data seed, so framings are compared pairwise on identical items. Strata are
subset × pattern (``stratify = "pattern"``) or subset × pattern × category
(``"pattern+category"``); allocation within a subset is proportional (largest remainder).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from framing.data.schema import SUBSETS, Grade, Sample

#: what a stratum is keyed on besides the subset (``[data] stratify``)
STRATIFY = ("pattern", "pattern+category")


def _rank(seed: int, sample: Sample) -> str:
    return hashlib.sha256(f"{seed}:{sample.id}".encode()).hexdigest()


def by_subset(samples: Iterable[Sample]) -> dict[Grade, list[Sample]]:
    out: dict[Grade, list[Sample]] = {g: [] for g in SUBSETS}
    for s in samples:
        if s.joint_grade in out:
            out[s.joint_grade].append(s)
    return out


Stratum = tuple[Grade, str, str]


def _strata(samples: Iterable[Sample], seed: int,
            by: str = "pattern") -> dict[Stratum, list[Sample]]:
    if by not in STRATIFY:
        raise ValueError(f"stratify must be one of {STRATIFY}, not {by!r}")
    strata: dict[Stratum, list[Sample]] = defaultdict(list)
    for s in samples:
        category = (s.category or "") if by == "pattern+category" else ""
        strata[(s.joint_grade, s.pattern, category)].append(s)
    for members in strata.values():
        members.sort(key=lambda s: _rank(seed, s))
    return dict(sorted(strata.items()))


@dataclass(frozen=True)
class Split:
    search: tuple[Sample, ...]
    holdout: tuple[Sample, ...]


def split_holdout(samples: Sequence[Sample], share: float, seed: int,
                  by: str = "pattern") -> Split:
    """Put ``share`` of every stratum aside; the search never sees it."""
    search: list[Sample] = []
    holdout: list[Sample] = []
    for members in _strata(samples, seed, by).values():
        k = round(len(members) * share)
        holdout.extend(members[:k])
        search.extend(members[k:])
    return Split(tuple(search), tuple(holdout))


def stratified(samples: Sequence[Sample], n: int, seed: int,
               by: str = "pattern") -> list[Sample]:
    """``n`` samples (all, if fewer) allocated proportionally over strata, in a fixed
    interleaved order so that any prefix is itself roughly stratified (racing relies on
    prefixes)."""
    strata = _strata(samples, seed, by)
    total = sum(len(m) for m in strata.values())
    if n >= total:
        chosen = {k: list(m) for k, m in strata.items()}
    else:
        quotas = {k: n * len(m) / total for k, m in strata.items()}
        alloc = {k: int(q) for k, q in quotas.items()}
        rest = n - sum(alloc.values())
        for k in sorted(quotas, key=lambda k: (alloc[k] - quotas[k], k))[:rest]:
            alloc[k] += 1
        chosen = {k: strata[k][: alloc[k]] for k in strata}
    # interleave: order by position-within-stratum / stratum size, ties by hash
    keyed: list[tuple[float, str, Sample]] = []
    for members in chosen.values():
        size = len(members)
        keyed.extend(((i + 0.5) / size, _rank(seed, s), s) for i, s in enumerate(members))
    keyed.sort(key=lambda t: (t[0], t[1]))
    return [s for _, _, s in keyed]


def select(samples: Sequence[Sample], counts: Mapping[Grade, int], seed: int,
           by: str = "pattern") -> list[Sample]:
    """The per-trial sample: ``counts[grade]`` per subset, stratified by pattern (and
    category with ``by="pattern+category"``)."""
    subsets = by_subset(samples)
    out: list[Sample] = []
    for grade in SUBSETS:
        n = counts.get(grade, 0)
        if n:
            out.extend(stratified(subsets[grade], n, seed, by))
    return out
