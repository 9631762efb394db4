from __future__ import annotations

from collections import Counter

from framing.data.sampling import select, split_holdout, stratified
from framing.data.schema import Grade, Sample


def make(n: int) -> list[Sample]:
    out = []
    patterns = [
        (Grade.SAFE, Grade.SAFE, Grade.UNSAFE),
        (Grade.UNSAFE, Grade.UNSAFE, Grade.UNSAFE),
        (Grade.SAFE, Grade.SAFE, Grade.BORDERLINE),
        (Grade.BORDERLINE, Grade.SAFE, Grade.BORDERLINE),
        (Grade.SAFE, Grade.SAFE, Grade.SAFE),
    ]
    for i in range(n):
        img, txt, joint = patterns[i % len(patterns)]
        out.append(Sample(f"s{i}", f"text {i}", None, img, txt, joint, "C1", "test"))
    return out


def test_holdout_is_disjoint_and_proportional() -> None:
    samples = make(500)
    split = split_holdout(samples, 0.3, seed=1)
    assert not {s.id for s in split.search} & {s.id for s in split.holdout}
    assert len(split.search) + len(split.holdout) == 500
    assert abs(len(split.holdout) - 150) <= 5


def test_selection_is_stratified_and_seeded() -> None:
    samples = make(500)
    chosen = select(samples, {Grade.BORDERLINE: 50, Grade.UNSAFE: 40}, seed=3)
    counts = Counter(s.joint_grade for s in chosen)
    assert counts == {Grade.BORDERLINE: 50, Grade.UNSAFE: 40}
    patterns = Counter(s.pattern for s in chosen if s.joint_grade is Grade.UNSAFE)
    assert patterns["safe_safe_unsafe"] == 20
    again = select(samples, {Grade.BORDERLINE: 50, Grade.UNSAFE: 40}, seed=3)
    assert [s.id for s in again] == [s.id for s in chosen]
    other = select(samples, {Grade.BORDERLINE: 50, Grade.UNSAFE: 40}, seed=4)
    assert [s.id for s in other] != [s.id for s in chosen]


def test_prefixes_are_roughly_stratified() -> None:
    unsafe = [s for s in make(1000) if s.joint_grade is Grade.UNSAFE]
    order = stratified(unsafe, 200, seed=0)
    first = Counter(s.pattern for s in order[:20])
    assert first["safe_safe_unsafe"] == 10


def test_all_when_fewer() -> None:
    samples = make(20)
    assert len(select(samples, {Grade.UNSAFE: 1000}, seed=0)) == 8
