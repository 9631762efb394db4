"""JSON objects embedded in free text: how model answers (verdicts, labels) are read."""

from __future__ import annotations

import json
from typing import Any

#: an answer holding more objects than this is not a structured answer worth reading
MAX_OBJECTS = 8


def json_objects(text: str) -> list[dict[str, Any]]:
    """Every JSON object that starts somewhere in ``text`` (outermost first), with its
    keys lower-cased: models wrap JSON in prose and code fences."""
    decoder = json.JSONDecoder()
    found: list[dict[str, Any]] = []
    start = text.find("{")
    while start != -1 and len(found) < MAX_OBJECTS:
        try:
            obj, end = decoder.raw_decode(text, start)
        except ValueError:
            start = text.find("{", start + 1)
            continue
        if isinstance(obj, dict):
            found.append({str(k).lower(): v for k, v in obj.items()})
        start = text.find("{", end)
    return found
