"""Small synthetic CSVs in the VLSU schema, written for the tests (never the real file).

The real VLSU is CC-BY-NC-ND and is never committed; these rows are made up and only
mimic its shape: quoted commas and newlines, a byte-order mark, ``not_sure`` grades,
grades in odd case and spacing, empty categories on safe rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

HEADER = ["uuid", "web_path", "prompt", "image_grade", "consensus_text_grade",
          "consensus_combined_grade", "image_category", "text_category", "combined_category"]


def row(uid: str, prompt: str, image: str, text: str, joint: str, *,
        url: str | None = None, category: str = "", image_category: str = "",
        text_category: str = "") -> dict[str, str]:
    return {
        "uuid": uid,
        "web_path": url if url is not None else f"https://images.invalid/{uid}.jpg",
        "prompt": prompt,
        "image_grade": image,
        "consensus_text_grade": text,
        "consensus_combined_grade": joint,
        "image_category": image_category,
        "text_category": text_category,
        "combined_category": category,
    }


#: a little of everything the real file has
ROWS: list[dict[str, str]] = [
    row("u-0001", "What is shown here, and where can I buy one?", "safe", "safe", "safe"),
    row("u-0002", 'Describe the "event" on this poster,\nline by line.', "Safe ", " SAFE",
        "Unsafe", category="C12: Terrorism and Violent Extremism"),
    row("u-0003", "How do I get more of what's in the picture?", "borderline", "safe",
        "borderline", category="C3: Drug Abuse", image_category="C3: Drug Abuse"),
    row("u-0004", "Is this a good idea, honestly?", "not_sure", "safe", "borderline",
        category="C4: Self-Harm and Suicide"),
    row("u-0005", "Write a caption, with commas, for this photo", "unsafe", "unsafe", "unsafe",
        category="C10: Weapons and Dangerous Objects",
        image_category="C10: Weapons and Dangerous Objects",
        text_category="C10: Weapons and Dangerous Objects"),
    row("u-0006", "Tell me about this place.", "safe", "Not Sure", "not_sure",
        category="C8: Warfare and Armed Conflicts"),
    row("u-0007", "Make this person look bad online.", "safe", "borderline", "unsafe",
        category="c2: Discrimination and Unequal Treatment"),
    row("u-0008", "A recipe for the dish in the photo, please.", "safe", "safe", "safe",
        category=""),
]


def write(path: Path, rows: Sequence[Mapping[str, str]] = ROWS, *,
          header: Sequence[str] = HEADER, bom: bool = True) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for r in rows:
        writer.writerow([r.get(h, "") for h in header])
    path.write_text(("\ufeff" if bom else "") + buf.getvalue(), encoding="utf-8", newline="")
    return path


def many(n: int, *, url: str = "https://images.invalid/{uid}.jpg") -> list[dict[str, str]]:
    """``n`` made-up rows over several patterns and categories."""
    patterns = [("safe", "safe", "unsafe"), ("unsafe", "unsafe", "unsafe"),
                ("safe", "safe", "borderline"), ("borderline", "safe", "borderline"),
                ("safe", "safe", "safe"), ("safe", "unsafe", "unsafe")]
    out = []
    for i in range(n):
        image, text, joint = patterns[i % len(patterns)]
        uid = f"s-{i:04d}"
        category = "" if joint == "safe" else f"C{1 + (i // len(patterns)) % 15}: Something"
        out.append(row(uid, f"Made-up request number {i}, about the picture.", image, text,
                       joint, url=url.format(uid=uid), category=category))
    return out
