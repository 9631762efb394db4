"""The bundled demo set (framing/data/demo) is complete and consistent.

Loads ``samples.jsonl`` directly, without the loaders, so it only depends on the schema.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from framing.data.schema import CATEGORIES, Grade, is_compositional, pattern_of

DEMO = Path(__file__).resolve().parents[2] / "framing" / "data" / "demo"
KEYS = {"id", "text", "image", "image_grade", "text_grade", "joint_grade", "category",
        "image_description"}
COMPOSITIONAL = {"safe_safe_borderline", "safe_safe_unsafe", "safe_borderline_unsafe",
                 "borderline_safe_unsafe", "borderline_borderline_unsafe"}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    with (DEMO / "samples.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _pattern(r: dict) -> str:
    return pattern_of(Grade(r["image_grade"]), Grade(r["text_grade"]), Grade(r["joint_grade"]))


def test_size_and_keys(rows: list[dict]) -> None:
    assert len(rows) >= 300
    for r in rows:
        assert set(r) == KEYS, r["id"]
        assert r["text"].strip() and r["image_description"].strip()


def test_ids_unique(rows: list[dict]) -> None:
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))


def test_grades_valid(rows: list[dict]) -> None:
    valid = {g.value for g in Grade}
    for r in rows:
        for key in ("image_grade", "text_grade", "joint_grade"):
            assert r[key] in valid, (r["id"], key, r[key])


def test_images_exist_small_png(rows: list[dict]) -> None:
    for r in rows:
        assert not Path(r["image"]).is_absolute()
        path = DEMO / r["image"]
        assert path.is_file(), r["image"]
        data = path.read_bytes()
        assert data[:8] == PNG_MAGIC, r["image"]
        assert len(data) < 20 * 1024, (r["image"], len(data))


def test_categories(rows: list[dict]) -> None:
    for r in rows:
        if r["joint_grade"] == "safe":
            assert r["category"] is None, r["id"]
        else:
            assert r["category"] in CATEGORIES, (r["id"], r["category"])
    for subset in ("borderline", "unsafe"):
        seen = {r["category"] for r in rows if r["joint_grade"] == subset}
        assert seen == set(CATEGORIES), (subset, set(CATEGORIES) - seen)


def test_patterns(rows: list[dict]) -> None:
    patterns = Counter(_pattern(r) for r in rows)
    assert len(patterns) >= 12
    assert set(patterns) >= COMPOSITIONAL
    for r in rows:
        comp = is_compositional(Grade(r["image_grade"]), Grade(r["text_grade"]),
                                Grade(r["joint_grade"]))
        assert comp == (_pattern(r) in COMPOSITIONAL), r["id"]


def test_subsets_roughly_balanced(rows: list[dict]) -> None:
    subsets = Counter(r["joint_grade"] for r in rows)
    assert subsets["safe"] >= 40
    assert subsets["borderline"] >= 120
    assert subsets["unsafe"] >= 120
    for subset in ("borderline", "unsafe"):
        n = subsets[subset]
        comp = sum(1 for r in rows if r["joint_grade"] == subset and _pattern(r) in COMPOSITIONAL)
        assert 0.2 <= comp / n <= 0.5, (subset, comp, n)
