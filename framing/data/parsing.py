"""Reading and parsing data files: JSON-lines and CSV rows with their locations, grade
and category cells. Shared by the loaders of every source (demo, VLSU, csv, jsonl) and
the judge's labelled sets; errors name the file, line and column."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from framing.data.schema import CATEGORIES, Grade
from framing.errors import DataError

__all__ = ["EMPTY_CELLS", "GRADE_HINT", "Row", "parse_category", "parse_grade", "read_csv_rows",
           "read_jsonl_rows"]

GRADE_HINT = "; or translate the file's words with data.grade_map"
EMPTY_CELLS = ("", "none", "nan", "null", "n/a", "na")
_CATEGORY = re.compile(r"^[Cc]\s*0*(\d{1,2})(?=$|[\s:.)\-–—])")


def parse_grade(value: Any, *, where: str, column: str,
                grade_map: Mapping[str, str] | None = None, hint: str = "") -> Grade:
    """Normalise a grade cell (case, whitespace, 'not sure' spellings).

    ``grade_map`` translates a file's own vocabulary first, e.g. ``{"safe": "borderline"}``
    for a set whose "safe" prompts only look harmful (XSTest).
    """
    text = "_".join(str(value if value is not None else "").strip().lower().split())
    text = text.replace("-", "_")
    if grade_map:
        text = _normalised_map(grade_map).get(text, text)
    if text in ("notsure", "unsure"):
        text = "not_sure"
    try:
        return Grade(text)
    except ValueError:
        raise DataError(
            f"{where}: column {column!r}: unknown grade {value!r} "
            f"(expected safe, borderline, unsafe or not_sure{hint})"
        ) from None


def _normalised_map(grade_map: Mapping[str, str]) -> dict[str, str]:
    return {"_".join(k.strip().lower().split()).replace("-", "_"): v.strip().lower()
            for k, v in grade_map.items()}


def parse_category(value: Any, *, where: str, column: str) -> str | None:
    """``C12``, ``c12`` or ``C12: Terrorism and Violent Extremism`` -> ``C12``; empty -> None."""
    text = str(value if value is not None else "").strip()
    if text.lower() in EMPTY_CELLS:
        return None
    match = _CATEGORY.match(text)
    code = f"C{int(match.group(1))}" if match else None
    if code not in CATEGORIES:
        raise DataError(
            f"{where}: column {column!r}: unknown category {value!r} "
            "(expected C1..C15, optionally followed by ': name', or empty)"
        )
    return code


def _missing(path: Path) -> DataError:
    return DataError(f"{path}: no such data file (check data.source in the study file)")


#: (row number, location for messages, the row's cells)
Row = tuple[int, str, Mapping[str, Any]]


def read_jsonl_rows(path: Path) -> list[Row]:
    """The objects of a JSON-lines file, each with its line number; errors name the line."""
    if not path.is_file():
        raise _missing(path)
    rows: list[Row] = []
    try:
        with path.open(encoding="utf-8-sig") as f:
            for lineno, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                where = f"{path}:{lineno}"
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as e:
                    raise DataError(f"{where}: not valid JSON: {e.msg}") from None
                if not isinstance(row, dict):
                    raise DataError(f"{where}: expected a JSON object per line")
                rows.append((lineno, where, row))
    except UnicodeDecodeError as e:
        raise DataError(f"{path}: not UTF-8 text (byte {e.start}); save it as UTF-8") from None
    return rows


def read_csv_rows(path: Path) -> tuple[list[str], list[Row]]:
    """The header and rows of a CSV file (UTF-8, optional BOM, quoted cells may hold
    commas and newlines). Row numbers are as a spreadsheet shows them (header = row 1);
    locations name the physical line too, since quoted newlines make them differ."""
    if not path.is_file():
        raise _missing(path)
    rows: list[Row] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            try:
                header = [h.strip() for h in next(reader)]
            except StopIteration:
                raise DataError(f"{path}: empty file (expected a header row)") from None
            dupes = sorted({h for h in header if header.count(h) > 1 and h})
            if dupes:
                raise DataError(f"{path}:1: column {dupes[0]!r} appears twice in the header")
            number = 1
            line = reader.line_num
            while True:
                start = line + 1
                try:
                    cells = next(reader)
                except StopIteration:
                    break
                except csv.Error as e:
                    raise DataError(f"{path}:{start} (row {number + 1}): not valid CSV: {e}"
                                    ) from None
                line = reader.line_num
                if not cells or all(not c.strip() for c in cells):
                    continue
                number += 1
                where = f"{path}:{start} (row {number})"
                if len(cells) != len(header):
                    raise DataError(
                        f"{where}: {len(cells)} cells but the header has {len(header)} "
                        "columns (an unquoted comma or a missing quote?)"
                    )
                rows.append((number, where, dict(zip(header, cells, strict=True))))
    except UnicodeDecodeError as e:
        raise DataError(f"{path}: not UTF-8 text (byte {e.start}); save it as UTF-8") from None
    return header, rows
