"""The VLSU benchmark: check its CSV, import it with its images, load the imported copy.

VLSU (Apple, CC-BY-NC-ND) is never shipped with framing: a researcher imports it on
their own machine with ``framing data import-vlsu VLSU.csv``. The import writes an
*import folder* (``--images DIR``; default ``VLSU-images/`` next to ``VLSU.csv``):

- ``imported.jsonl``: one line per CSV row, the canonical sample (DESIGN §4) plus the
  image's URL and status (``ok``, ``broken`` with the reason, or ``missing``);
- ``import.json``: where the CSV was, its SHA-256, when, and the counts;
- the images, named ``<uuid>.<ext>`` (this folder is the download cache);
- ``.gitignore`` with ``*``, so the licensed copy is never committed by accident.

``vlsu:PATH`` in a study file reads that copy. PATH is the import folder (or its
``imported.jsonl``), or the CSV itself, which then means its default import folder and
must match the CSV that was imported.

Categories: VLSU labels each pair with an image, a text and a combined category. The
sample's ``category`` is the *combined* one, because the joint grade is the one the
subsets and rates use; ``image_category`` and ``text_category`` are kept beside it.
"""

from __future__ import annotations

import asyncio
import difflib
import hashlib
import json
import os
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from framing._version import __version__
from framing.data.download import (
    DownloadOptions,
    Fetched,
    ImageJob,
    ProgressHandler,
    cache_index,
    fetch_images,
    safe_stem,
)
from framing.data.parsing import parse_category, parse_grade, read_csv_rows
from framing.data.schema import Grade, Sample
from framing.errors import DataError

#: The official CSV's columns (DESIGN §4), and the canonical field each one becomes.
COLUMNS: dict[str, str] = {
    "uuid": "id",
    "web_path": "image",
    "prompt": "text",
    "image_grade": "image_grade",
    "consensus_text_grade": "text_grade",
    "consensus_combined_grade": "joint_grade",
    "image_category": "image_category",
    "text_category": "text_category",
    "combined_category": "category",
}
MANIFEST = "imported.jsonl"
INFO = "import.json"
MANIFEST_VERSION = 1
STATUSES = ("ok", "broken", "missing")


@dataclass(frozen=True, slots=True)
class VlsuRecord:
    """One imported row: the sample (image = the local file, if there is one) and where
    its image came from."""

    sample: Sample
    url: str | None
    status: str
    reason: str | None = None
    permanent: bool = False
    row: int = 0


@dataclass(frozen=True)
class ImportResult:
    folder: Path
    records: tuple[VlsuRecord, ...]
    downloaded: int = 0
    attempted: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def samples(self) -> list[Sample]:
        return [r.sample for r in self.records]

    @property
    def images(self) -> dict[str, int]:
        return image_counts(self.records)


def image_counts(records: Iterable[VlsuRecord]) -> dict[str, int]:
    counts = Counter(r.status for r in records)
    return {status: counts[status] for status in STATUSES}


def default_folder(csv_path: Path) -> Path:
    """The import folder ``import-vlsu`` uses when ``--images`` is not given."""
    return csv_path.parent / f"{csv_path.stem}-images"


# -- the CSV ----------------------------------------------------------------------------


def _header_map(path: Path, header: list[str]) -> dict[str, str]:
    """Official column -> the header cell naming it (case and spaces forgiven)."""
    by_lower = {h.strip().lower(): h for h in header}
    found: dict[str, str] = {}
    missing = []
    for column in COLUMNS:
        if column in by_lower:
            found[column] = by_lower[column]
        else:
            missing.append(column)
    if missing:
        column = missing[0]
        unknown = [h for h in header if h.strip().lower() not in COLUMNS]
        close = difflib.get_close_matches(column, unknown, n=1, cutoff=0.6)
        hint = f"; found {close[0]!r}: was it renamed?" if close else ""
        more = f" (and {len(missing) - 1} more: {', '.join(missing[1:])})" if missing[1:] else ""
        raise DataError(
            f"{path}:1: missing column {column!r}{more}{hint}. A VLSU CSV has the columns "
            f"{', '.join(COLUMNS)}"
        )
    return found


def read_vlsu_csv(path: Path) -> list[VlsuRecord]:
    """Check the CSV's schema and every row; samples carry the image URL for now.

    Raises one :class:`DataError` naming the file, line, row and column at the first
    problem: a missing or renamed column, an unknown grade or category, a duplicate or
    empty uuid, an empty prompt.
    """
    header, rows = read_csv_rows(path)
    cols = _header_map(path, header)
    records: list[VlsuRecord] = []
    seen: dict[str, int] = {}
    for number, where, row in rows:
        def cell(column: str, row: Mapping[str, Any] = row) -> str:
            return str(row[cols[column]] or "").strip()

        def grade(column: str, where: str = where) -> Grade:
            return parse_grade(cell(column), where=where, column=column)

        def category(column: str, where: str = where) -> str | None:
            return parse_category(cell(column), where=where, column=column)

        uid = cell("uuid")
        if not uid:
            raise DataError(f"{where}: column 'uuid' is empty")
        if uid in seen:
            raise DataError(f"{where}: duplicate uuid {uid!r} (first in row {seen[uid]})")
        seen[uid] = number
        text = str(row[cols["prompt"]] or "")
        if not text.strip():
            raise DataError(f"{where}: column 'prompt' is empty")
        url = cell("web_path") or None
        sample = Sample(
            id=uid,
            text=text,
            image=url,
            image_grade=grade("image_grade"),
            text_grade=grade("consensus_text_grade"),
            joint_grade=grade("consensus_combined_grade"),
            category=category("combined_category"),
            source="vlsu",
            image_category=category("image_category"),
            text_category=category("text_category"),
        )
        records.append(VlsuRecord(sample, url, "missing", row=number))
    if not records:
        raise DataError(f"{path}: no rows below the header")
    return records


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# -- import -----------------------------------------------------------------------------


def _with_image(record: VlsuRecord, path: Path | None, status: str, reason: str | None = None,
                permanent: bool = False) -> VlsuRecord:
    from dataclasses import replace

    image = str(path.resolve()) if path is not None else record.url
    return VlsuRecord(replace(record.sample, image=image), record.url, status, reason,
                      permanent, record.row)


def import_vlsu(
    csv_path: Path,
    folder: Path | None = None,
    *,
    download: bool = False,
    retry_broken: bool = False,
    options: DownloadOptions | None = None,
    on_progress: ProgressHandler | None = None,
) -> ImportResult:
    """Check ``csv_path``, find (and with ``download``, fetch) the images, write the
    import folder. Idempotent: images already in the folder are never fetched again, and
    links that failed for good (404, not an image) are only retried with ``retry_broken``.
    """
    records = read_vlsu_csv(csv_path)
    folder = folder if folder is not None else default_folder(csv_path)
    if folder.exists() and not folder.is_dir():
        raise DataError(f"--images {folder}: exists and is not a folder")
    previous = _previous_statuses(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _protect(folder)

    resolved: list[VlsuRecord | None] = []
    jobs: list[ImageJob] = []
    cached = cache_index(folder)
    for r in records:
        hit = cached.get(safe_stem(r.sample.id))
        before = previous.get((r.sample.id, r.url))
        if hit is not None:
            resolved.append(_with_image(r, hit, "ok"))
        elif r.url is None:
            resolved.append(_with_image(r, None, "missing", "no web_path in the CSV", True))
        elif download and (retry_broken or before is None or not before[2]):
            resolved.append(None)
            jobs.append(ImageJob(r.sample.id, r.url))
        elif before is not None and before[0] == "broken":
            resolved.append(_with_image(r, None, "broken", before[1], before[2]))
        else:
            resolved.append(_with_image(r, None, "missing"))
    fetched: dict[str, Fetched] = {}
    if jobs:
        results = asyncio.run(fetch_images(jobs, folder, options, on_progress=on_progress))
        fetched = {f.key: f for f in results}
    out: list[VlsuRecord] = []
    for r, done in zip(records, resolved, strict=True):
        if done is None:
            f = fetched[r.sample.id]
            done = _with_image(r, f.path, f.status, f.reason, f.permanent)
        out.append(done)
    result = ImportResult(folder, tuple(out),
                          downloaded=sum(f.downloaded for f in fetched.values()),
                          attempted=len(jobs))
    _write(folder, csv_path, result)
    return result


def _protect(folder: Path) -> None:
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# VLSU is CC-BY-NC-ND: never commit this import\n*\n")


def _previous_statuses(folder: Path) -> dict[tuple[str, str | None], tuple[str, str | None, bool]]:
    """(uuid, url) -> (status, reason, permanent) from an earlier import, if any."""
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return {}
    try:
        out = {}
        for line in manifest.read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                out[(d["id"], d.get("image_url"))] = (d.get("image_status", "missing"),
                                                       d.get("image_error"),
                                                       bool(d.get("permanent", False)))
        return out
    except (OSError, ValueError, KeyError, TypeError):
        return {}  # an unreadable old manifest only costs a retry of its broken links


def _record_json(r: VlsuRecord, folder: Path) -> dict[str, Any]:
    s = r.sample
    local = s.image_path
    image = None
    if local is not None:
        try:
            image = local.relative_to(folder.resolve()).as_posix()
        except ValueError:
            image = str(local)
    return {
        "id": s.id,
        "text": s.text,
        "image": image,
        "image_url": r.url,
        "image_status": r.status,
        "image_error": r.reason,
        "permanent": r.permanent,
        "image_grade": s.image_grade.value,
        "text_grade": s.text_grade.value,
        "joint_grade": s.joint_grade.value,
        "category": s.category,
        "image_category": s.image_category,
        "text_category": s.text_category,
        "row": r.row,
    }


def _write(folder: Path, csv_path: Path, result: ImportResult) -> None:
    """Write the manifest and its info file atomically (a reader never sees half)."""

    lines = [json.dumps(_record_json(r, folder), ensure_ascii=False) for r in result.records]
    _atomic(folder / MANIFEST, "\n".join(lines) + "\n")
    info = {
        "version": MANIFEST_VERSION,
        "csv": str(csv_path.resolve()),
        "csv_sha256": sha256_of(csv_path),
        "rows": len(result.records),
        "imported_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "framing": __version__,
        "images": result.images,
    }
    _atomic(folder / INFO, json.dumps(info, indent=2) + "\n")


def _atomic(path: Path, text: str) -> None:
    part = path.with_name(f".{path.name}.part")
    part.write_text(text, encoding="utf-8")
    os.replace(part, path)


# -- the imported copy ------------------------------------------------------------------


def manifest_path(path: Path) -> Path:
    """The ``imported.jsonl`` a ``vlsu:PATH`` source means (see the module docstring)."""
    if path.is_dir():
        manifest = path / MANIFEST
        if not manifest.is_file():
            raise DataError(
                f"vlsu:{path}: no {MANIFEST} in this folder; import the CSV first: "
                f"framing data import-vlsu VLSU.csv --images {path} --download"
            )
        return manifest
    if path.name == MANIFEST and path.is_file():
        return path
    if path.suffix.lower() == ".csv":
        if not path.is_file():
            raise DataError(f"vlsu:{path}: no such file")
        folder = default_folder(path)
        manifest = folder / MANIFEST
        if not manifest.is_file():
            raise DataError(
                f"vlsu:{path}: not imported yet (no {folder / MANIFEST}); run "
                f"framing data import-vlsu {path} --download, or point data.source at "
                "the import folder: vlsu:DIR"
            )
        _check_same_csv(path, folder)
        return manifest
    raise DataError(
        f"vlsu:{path}: no such import folder or CSV (give the folder import-vlsu wrote, "
        "or the VLSU CSV)"
    )


def _check_same_csv(csv_path: Path, folder: Path) -> None:
    try:
        info = json.loads((folder / INFO).read_text(encoding="utf-8"))
        recorded = info["csv_sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        return
    if recorded != sha256_of(csv_path):
        raise DataError(
            f"vlsu:{csv_path}: the CSV changed since it was imported into {folder}; run "
            f"framing data import-vlsu {csv_path} again (downloaded images are kept)"
        )


def read_manifest(path: Path) -> list[VlsuRecord]:
    """The records of an import; images whose file has gone count as missing."""
    manifest = manifest_path(path)
    folder = manifest.parent
    records: list[VlsuRecord] = []
    try:
        lines = manifest.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise DataError(f"{manifest}: cannot read: {e}") from None
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{manifest}:{lineno}"
        try:
            d = json.loads(line)
            sample = Sample(
                id=str(d["id"]),
                text=str(d["text"]),
                image=None,
                image_grade=Grade(d["image_grade"]),
                text_grade=Grade(d["text_grade"]),
                joint_grade=Grade(d["joint_grade"]),
                category=d.get("category"),
                source="vlsu",
                image_category=d.get("image_category"),
                text_category=d.get("text_category"),
            )
            url, status = d.get("image_url"), d.get("image_status", "missing")
        except (ValueError, KeyError, TypeError) as e:
            raise DataError(
                f"{where}: damaged import ({type(e).__name__}: {e}); run framing data "
                "import-vlsu again"
            ) from None
        record = VlsuRecord(sample, url, "missing", d.get("image_error"),
                            bool(d.get("permanent", False)), int(d.get("row", 0)))
        local = folder / d["image"] if d.get("image") else None
        if status == "ok" and local is not None and local.is_file():
            record = _with_image(record, local, "ok")
        else:
            record = _with_image(record, None, "broken" if status == "broken" else "missing",
                                 record.reason, record.permanent)
        records.append(record)
    if not records:
        raise DataError(f"{manifest}: empty import; run framing data import-vlsu again")
    return records


def load_vlsu(path: Path) -> list[Sample]:
    """The samples of an imported VLSU copy (``vlsu:PATH``).

    A sample whose image is on disk has ``image`` = that file; otherwise ``image`` is the
    original URL (or None), and image studies leave it out
    (:func:`framing.data.filters.drop_missing_images`).
    """
    return [r.sample for r in read_manifest(path)]
