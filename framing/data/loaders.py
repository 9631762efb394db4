"""Data sources named in the study file: ``demo``, ``vlsu:PATH``, ``csv:PATH``, ``jsonl:PATH``."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from framing.data.schema import CATEGORIES, Grade, Sample
from framing.errors import DataError

#: canonical field -> default column name for csv/jsonl sources
DEFAULT_COLUMNS: dict[str, str] = {
    "id": "id",
    "text": "text",
    "image": "image",
    "image_grade": "image_grade",
    "text_grade": "text_grade",
    "joint_grade": "joint_grade",
    "category": "category",
}
_REQUIRED = ("text", "joint_grade")


def demo_path() -> Path:
    return Path(str(resources.files("framing.data") / "demo"))


def parse_grade(value: Any, *, where: str, column: str) -> Grade:
    """Normalise a grade cell (case, whitespace, 'not sure' spellings)."""
    text = str(value if value is not None else "").strip().lower().replace(" ", "_")
    text = text.replace("-", "_")
    if text in ("notsure", "unsure"):
        text = "not_sure"
    try:
        return Grade(text)
    except ValueError:
        raise DataError(
            f"{where}: column {column!r}: unknown grade {value!r} "
            "(expected safe, borderline, unsafe or not_sure)"
        ) from None


def parse_category(value: Any, *, where: str, column: str) -> str | None:
    """``C12``, ``c12`` or ``C12: Terrorism and Violent Extremism`` -> ``C12``; empty -> None."""
    text = str(value if value is not None else "").strip()
    if not text or text.lower() in ("none", "nan", "null", "n/a"):
        return None
    code = text.split(":", 1)[0].strip().upper()
    if code not in CATEGORIES:
        raise DataError(
            f"{where}: column {column!r}: unknown category {value!r} "
            "(expected C1..C15, optionally followed by ': name')"
        )
    return code


def load_source(source: str, columns: Mapping[str, str] | None = None) -> list[Sample]:
    """Load every sample of a source string as written in the study file."""
    kind, sep, arg = source.partition(":")
    if source == "demo":
        return load_demo()
    if not sep or not arg:
        raise DataError(
            f"data.source: unknown source {source!r} "
            "(expected demo, vlsu:PATH, csv:PATH or jsonl:PATH)"
        )
    path = Path(arg).expanduser()
    if kind == "vlsu":
        from framing.data.vlsu import load_vlsu

        return load_vlsu(path)
    if kind == "jsonl":
        return load_records(_read_jsonl(path), path, columns or {}, source="jsonl")
    if kind == "csv":
        return load_records(_read_csv(path), path, columns or {}, source="csv")
    raise DataError(
        f"data.source: unknown source kind {kind!r} (expected demo, vlsu, csv or jsonl)"
    )


def load_demo() -> list[Sample]:
    root = demo_path()
    return load_records(_read_jsonl(root / "samples.jsonl"), root / "samples.jsonl", {},
                        source="demo")


def _missing(path: Path) -> DataError:
    return DataError(f"{path}: no such data file (check data.source in the study file)")


def _read_jsonl(path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
    if not path.is_file():
        raise _missing(path)
    rows = []
    with path.open(encoding="utf-8-sig") as f:
        for lineno, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise DataError(f"{path}:{lineno}: not valid JSON: {e.msg}") from None
            if not isinstance(row, dict):
                raise DataError(f"{path}:{lineno}: expected a JSON object per line")
            rows.append((lineno, row))
    return rows


def _read_csv(path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
    if not path.is_file():
        raise _missing(path)
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        # row numbers as a spreadsheet shows them: the header is row 1
        return [(i, dict(row)) for i, row in enumerate(reader, start=2)]


def load_records(
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    path: Path,
    columns: Mapping[str, str],
    *,
    source: str,
) -> list[Sample]:
    """Map rows to samples through a column mapping; images resolve against the file's folder."""
    unknown = sorted(set(columns) - set(DEFAULT_COLUMNS) - {"image_description"})
    if unknown:
        raise DataError(
            f"data.columns: unknown field {unknown[0]!r} "
            f"(fields: {', '.join(sorted(DEFAULT_COLUMNS))}, image_description)"
        )
    mapping = {**DEFAULT_COLUMNS, "image_description": "image_description", **columns}
    samples: list[Sample] = []
    seen: set[str] = set()
    for lineno, row in rows:
        where = f"{path}:{lineno}"
        for field in _REQUIRED:
            if mapping[field] not in row:
                raise DataError(
                    f"{where}: missing column {mapping[field]!r} for {field} "
                    f"(map it with data.columns.{field} = \"...\")"
                )
        joint = parse_grade(row[mapping["joint_grade"]], where=where, column=mapping["joint_grade"])

        def grade(field: str, row: Mapping[str, Any] = row, fallback: Grade = joint,
                  where: str = where) -> Grade:
            col = mapping[field]
            if col not in row or row[col] in (None, ""):
                return fallback
            return parse_grade(row[col], where=where, column=col)

        sid = str(row.get(mapping["id"]) or f"{source}-{lineno}")
        if sid in seen:
            raise DataError(f"{where}: duplicate id {sid!r}")
        seen.add(sid)
        image = row.get(mapping["image"]) or None
        if image is not None:
            image = str(image)
            if not image.startswith(("http://", "https://")) and not Path(image).is_absolute():
                image = str((path.parent / image).resolve())
        samples.append(
            Sample(
                id=sid,
                text=str(row[mapping["text"]]),
                image=image,
                image_grade=grade("image_grade"),
                text_grade=grade("text_grade"),
                joint_grade=joint,
                category=parse_category(row.get(mapping["category"]), where=where,
                                        column=mapping["category"]),
                source=source,
                image_description=row.get(mapping["image_description"]) or None,
            )
        )
    if not samples:
        raise DataError(f"{path}: no samples")
    return samples
