"""Data sources named in the study file: ``demo``, ``vlsu:PATH``, ``csv:PATH``, ``jsonl:PATH``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from framing.data.parsing import (
    EMPTY_CELLS,
    GRADE_HINT,
    Row,
    parse_category,
    parse_grade,
    read_csv_rows,
    read_jsonl_rows,
)
from framing.data.schema import Grade, Sample
from framing.data.vlsu import load_vlsu
from framing.errors import DataError

if TYPE_CHECKING:
    from framing.config import DataConfig

#: canonical field -> default column name for csv/jsonl sources
DEFAULT_COLUMNS: dict[str, str] = {
    "id": "id",
    "text": "text",
    "image": "image",
    "image_grade": "image_grade",
    "text_grade": "text_grade",
    "joint_grade": "joint_grade",
    "category": "category",
    "image_category": "image_category",
    "text_category": "text_category",
    "image_description": "image_description",
}
def demo_path() -> Path:
    return Path(str(resources.files("framing.data") / "demo"))


def load_source(
    source: str,
    columns: Mapping[str, str] | None = None,
    *,
    grade_map: Mapping[str, str] | None = None,
    grade: str | None = None,
) -> list[Sample]:
    """Load every sample of a source string as written in the study file.

    ``columns``, ``grade_map`` and ``grade`` apply to ``csv:`` and ``jsonl:`` sources;
    ``vlsu:`` reads the copy ``framing data import-vlsu`` made.
    """
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
        return load_vlsu(path)
    if kind == "jsonl":
        return load_records(read_jsonl_rows(path), path, columns or {}, source="jsonl",
                            grade_map=grade_map, grade=grade)
    if kind == "csv":
        return load_records(_read_csv(path), path, columns or {}, source="csv",
                            grade_map=grade_map, grade=grade)
    raise DataError(
        f"data.source: unknown source kind {kind!r} (expected demo, vlsu, csv or jsonl)"
    )


def load_data(config: DataConfig) -> list[Sample]:
    """The samples the ``[data]`` table of a study file names (before filters)."""
    return load_source(config.source, config.columns, grade_map=config.grade_map,
                       grade=config.grade)


def load_demo() -> list[Sample]:
    root = demo_path()
    return load_records(read_jsonl_rows(root / "samples.jsonl"), root / "samples.jsonl", {},
                        source="demo")


def _read_csv(path: Path) -> list[Row]:
    return read_csv_rows(path)[1]


def load_records(
    rows: Iterable[Row],
    path: Path,
    columns: Mapping[str, str],
    *,
    source: str,
    grade_map: Mapping[str, str] | None = None,
    grade: str | None = None,
) -> list[Sample]:
    """Map rows to samples through a column mapping; images resolve against the file's folder.

    A field mapped to ``""`` is absent from the file. Image and text grades default to
    the joint grade; the joint grade may come from ``grade`` for files that hold a single
    subset (e.g. OR-Bench's "hard" prompts are all borderline).
    """
    unknown = sorted(set(columns) - set(DEFAULT_COLUMNS))
    if unknown:
        raise DataError(
            f"data.columns: unknown field {unknown[0]!r} "
            f"(fields: {', '.join(DEFAULT_COLUMNS)})"
        )
    mapping = {**DEFAULT_COLUMNS, **columns}
    if not mapping["text"]:
        raise DataError('data.columns.text: the text column cannot be empty')
    constant = None
    if grade is not None:
        constant = parse_grade(grade, where="data.grade", column="data.grade")
    samples: list[Sample] = []
    seen: set[str] = set()
    present: set[str] = set()
    for number, where, row in rows:
        present.update(row)
        if mapping["text"] not in row:
            raise DataError(
                f"{where}: missing column {mapping['text']!r} for text "
                f"(map it with data.columns.text = \"...\")"
            )
        joint_col = mapping["joint_grade"]
        if joint_col and joint_col in row:
            joint = parse_grade(row[joint_col], where=where, column=joint_col,
                                grade_map=grade_map, hint=GRADE_HINT)
        elif constant is not None:
            joint = constant
        else:
            raise DataError(
                f"{where}: missing column {joint_col!r} for joint_grade (map it with "
                'data.columns.joint_grade = "...", or give every row one grade with '
                'data.grade = "borderline")'
            )

        def cell(field: str, row: Mapping[str, Any] = row) -> Any:
            col = mapping[field]
            if not col or col not in row:
                return None
            value = row[col]
            if isinstance(value, str) and value.strip().lower() in EMPTY_CELLS:
                return None
            return value

        def grade_of(field: str, fallback: Grade = joint, where: str = where) -> Grade:
            value = cell(field)
            if value is None:
                return fallback
            return parse_grade(value, where=where, column=mapping[field], grade_map=grade_map,
                               hint=GRADE_HINT)

        def category_of(field: str, where: str = where) -> str | None:
            return parse_category(cell(field), where=where, column=mapping[field])

        text = row[mapping["text"]]
        if text is None or not str(text).strip():
            raise DataError(f"{where}: column {mapping['text']!r} is empty (every sample "
                            "needs a text)")
        raw_id = cell("id")
        sid = str(raw_id).strip() if raw_id is not None else f"{source}-{number}"
        if sid in seen:
            raise DataError(f"{where}: duplicate id {sid!r}")
        seen.add(sid)
        image = cell("image")
        if image is not None:
            image = str(image).strip()
            if not image.startswith(("http://", "https://")) and not Path(image).is_absolute():
                image = str((path.parent / image).resolve())
        description = cell("image_description")
        samples.append(
            Sample(
                id=sid,
                text=str(text),
                image=image,
                image_grade=grade_of("image_grade"),
                text_grade=grade_of("text_grade"),
                joint_grade=joint,
                category=category_of("category"),
                source=source,
                image_description=str(description) if description is not None else None,
                image_category=category_of("image_category"),
                text_category=category_of("text_category"),
            )
        )
    if not samples:
        raise DataError(f"{path}: no samples")
    for field, col in columns.items():
        if col and col not in present:
            raise DataError(
                f"data.columns.{field} = {col!r}: no such column in {path} "
                f"(columns: {', '.join(sorted(present))})"
            )
    return samples
