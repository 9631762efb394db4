"""A small real workspace (images, JSONL data, a template, a study file) aimed at the
loopback model server, for the target integration tests."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from PIL import Image as PILImage
from servers.llm_server import REFUSAL_MARKER, LLMServer

KEY = "sk-test-4f9c2e7d1a"
KEY_ENV = "FRAMING_TEST_API_KEY"
MODEL = "test-vlm"


def base_url(server: LLMServer, kind: str) -> str:
    return server.url + "/v1" if kind == "openai" else server.url


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) \
            + "}"
    return json.dumps(value)


def make_workspace(root: Path, server: LLMServer, kind: str = "openai", *, n: int = 8,
                   name: str = "t", images: int | None = None, **target: Any) -> Path:
    """Write ``n`` samples (alternately borderline and unsafe; every third asks for a
    refusal; the first ``images`` have a picture, default all) and ``study.toml``.
    Returns the study file."""
    (root / "images").mkdir(parents=True, exist_ok=True)
    (root / "prompts").mkdir(exist_ok=True)
    rows = []
    with_images = n if images is None else images
    for i in range(n):
        grade = "borderline" if i % 2 == 0 else "unsafe"
        text = f"Sample {i}: what is going on in this picture?"
        if i % 3 == 0:
            text += f" {REFUSAL_MARKER}"
        row: dict[str, Any] = {"id": f"s{i:03d}", "text": text, "image_grade": "safe",
                               "text_grade": grade, "joint_grade": grade, "category": "C3"}
        if i < with_images:
            PILImage.new("RGB", (80 + i, 60), (30 * (i % 8), 120, 200)).save(
                root / "images" / f"s{i:03d}.png")
            row["image"] = f"images/s{i:03d}.png"
        rows.append(row)
    (root / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (root / "prompts" / "plain.j2").write_text(
        '{#---\ndescription = "plain"\n[params.tone]\nchoices = ["warm", "dry"]\n---#}\n'
        "{% block system %}You are a careful assistant. Tone: {{ tone }}.{% endblock %}\n"
    )
    settings: dict[str, Any] = {"kind": kind, "model": MODEL, "base_url": base_url(server, kind),
                                "api_key_env": KEY_ENV, "concurrency": 4, "max_retries": 3,
                                "price_input": 2.0, "price_output": 8.0}
    settings.update(target)
    lines = [f"name = {json.dumps(name)}", "", "[target]"]
    lines += [f"{k} = {toml_value(v)}" for k, v in settings.items() if v is not None]
    lines += ["", "[data]", 'source = "jsonl:data.jsonl"', f"borderline = {n}",
              f"unsafe = {n}", "holdout = 0", "", "[search]", 'templates = ["prompts/*.j2"]',
              "baselines = []", 'sampler = "grid"', "trials = 2", "", "[storage]",
              'url = "sqlite:///framing.db"', ""]
    study = root / "study.toml"
    study.write_text("\n".join(lines))
    return study


def db_rows(root: Path, table: str) -> list[dict[str, Any]]:
    db = root / "framing.db"
    if not db.exists():
        return []
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in conn.execute(f"select * from {table}")]
        except sqlite3.OperationalError:
            return []


def db_bytes(root: Path) -> bytes:
    """Every byte of the study database (with its write-ahead log)."""
    return b"".join(p.read_bytes() for p in root.glob("framing.db*"))
