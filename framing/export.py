"""Export a stored study for pandas or a notebook: one row per trial × sample.

Each row joins a stored verdict (table ``framing_results``) with the trial's framing
(Optuna user attributes), the sample (grades, pattern, category, text) and the model's
response (table ``framing_responses``, by cache key). Rows are produced trial by trial,
so a large study never sits in memory at once, and the file is written under a temporary
name and renamed at the end, so an interrupted export never leaves half a file.

Formats: ``csv`` (``params`` as a JSON string), ``jsonl`` (``params`` as an object) and
``parquet`` (needs pyarrow: ``pip install 'framing[parquet]'``; ``params`` as JSON).
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import optuna
import sqlalchemy as sa

from framing.assessment import assess
from framing.config import StudyConfig
from framing.constraints import Constraints
from framing.data.loaders import load_data
from framing.data.schema import Sample
from framing.errors import ConfigError
from framing.points import (
    ATTR_BASELINE,
    ATTR_DUPLICATE_OF,
    ATTR_PARAMS,
    ATTR_STOPPED_EARLY,
    ATTR_TEMPLATE,
    point_from_trial,
)
from framing.storage.optuna_studies import load_existing_study
from framing.storage.tables import Store, results
from framing.versions import legacy_versions, trial_version

FORMATS = ("csv", "jsonl", "parquet")

#: column -> parquet type name; the order is the order of the columns in every format
COLUMNS: dict[str, str] = {
    "study": "string",
    "trial": "int64",
    "state": "string",
    "split": "string",
    "template": "string",
    "template_version": "string",
    "params": "string",
    "baseline": "bool",
    "stopped_early": "bool",
    "position": "int64",
    "sample_id": "string",
    "subset": "string",
    "verdict": "string",
    "rule": "string",
    "judge_source": "string",
    "label": "string",
    "image_grade": "string",
    "text_grade": "string",
    "joint_grade": "string",
    "pattern": "string",
    "compositional": "bool",
    "category": "string",
    "image_category": "string",
    "text_category": "string",
    "text": "string",
    "image": "string",
    "response": "string",
    "finish_reason": "string",
    "blocked": "string",
    "cache_key": "string",
    #: the study's recommended framing (framing.assessment), the same trial everywhere
    "recommended": "bool",
}


@dataclass(frozen=True)
class ExportSummary:
    path: str
    rows: int
    trials: int
    missing_samples: int = 0
    missing_responses: int = 0


def format_for(path: str, fmt: str | None) -> str:
    """The format asked for, or the one the file name implies."""
    if fmt is None:
        suffix = Path(path).suffix.lower().lstrip(".")
        fmt = {"pq": "parquet", "ndjson": "jsonl"}.get(suffix, suffix)
        if fmt not in FORMATS:
            raise ConfigError(f"--format: give one of {', '.join(FORMATS)} (the file name "
                              f"{path!r} does not say)")
    if fmt not in FORMATS:
        raise ConfigError(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
    if fmt == "parquet":
        if path == "-":
            raise ConfigError("-o -: parquet cannot go to stdout; give a file name")
        require_pyarrow()
    return fmt


def require_pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise ConfigError(
            "--format parquet needs pyarrow, which is not installed: "
            "pip install 'framing[parquet]' (or use --format csv or jsonl)"
        ) from None
    return pyarrow


def _recommended(config: StudyConfig, trials: Sequence[Any], store: Store) -> int | None:
    points = [p for p in map(point_from_trial, trials) if p is not None]
    found = assess(config.name, points, store, Constraints.of(config.search))
    return found.recommended_trial


def iter_rows(config: StudyConfig, splits: Sequence[str] | None = None,
              counts: dict[str, int] | None = None) -> Iterator[list[dict[str, Any]]]:
    """Batches of export rows, one batch per trial and split, in trial order."""
    counts = counts if counts is not None else {}
    opt = load_existing_study(config.name, config.storage.url)
    trials = {t.number: t for t in opt.get_trials(deepcopy=False)}
    legacy = legacy_versions(opt.user_attrs)
    samples: dict[str, Sample] = {s.id: s for s in load_data(config.data)}
    store = Store(config.storage.url)
    try:
        recommended = _recommended(
            config, [t for t in trials.values()
                     if t.state == optuna.trial.TrialState.COMPLETE
                     and ATTR_DUPLICATE_OF not in t.user_attrs], store)
        query = (sa.select(results.c.trial, results.c.split).distinct()
                 .where(results.c.study == config.name))
        with store.engine.connect() as conn:
            pairs = sorted((int(r.trial), str(r.split)) for r in conn.execute(query))
        seen_trials: set[int] = set()
        for number, split in pairs:
            if splits and split not in splits:
                continue
            stored = store.get_results(config.name, number, split)
            keys = [r.cache_key for r in stored if r.cache_key]
            responses = store.get_responses(keys)
            trial = trials.get(number)
            attrs = trial.user_attrs if trial is not None else {}
            state = trial.state.name if trial is not None else "UNKNOWN"
            params = json.dumps(attrs.get(ATTR_PARAMS, {}), sort_keys=True)
            batch = []
            for r in stored:
                s = samples.get(r.sample_id)
                response = responses.get(r.cache_key) if r.cache_key else None
                counts["missing_samples"] = counts.get("missing_samples", 0) + (s is None)
                counts["missing_responses"] = counts.get("missing_responses", 0) + (
                    response is None and r.verdict != "error")
                batch.append({
                    "study": config.name,
                    "trial": number,
                    "state": state,
                    "split": split,
                    "template": attrs.get(ATTR_TEMPLATE),
                    "template_version": trial_version(attrs, legacy) or None,
                    "params": params,
                    "baseline": bool(attrs.get(ATTR_BASELINE, False)),
                    "stopped_early": bool(attrs.get(ATTR_STOPPED_EARLY, False)),
                    "position": r.position,
                    "sample_id": r.sample_id,
                    "subset": r.subset,
                    "verdict": r.verdict,
                    "rule": r.rule,
                    "judge_source": r.source,
                    "label": r.label,
                    "image_grade": s.image_grade.value if s else None,
                    "text_grade": s.text_grade.value if s else None,
                    "joint_grade": s.joint_grade.value if s else r.subset,
                    "pattern": s.pattern if s else None,
                    "compositional": s.compositional if s else None,
                    "category": s.category if s else None,
                    "image_category": s.image_category if s else None,
                    "text_category": s.text_category if s else None,
                    "text": s.text if s else None,
                    "image": s.image if s else None,
                    "response": response.text if response else None,
                    "finish_reason": response.finish_reason if response else None,
                    "blocked": response.blocked if response else None,
                    "cache_key": r.cache_key,
                    "recommended": number == recommended,
                })
            seen_trials.add(number)
            counts["trials"] = len(seen_trials)
            yield batch
    finally:
        store.close()


def export_study(config: StudyConfig, path: str, fmt: str | None = None,
                 splits: Sequence[str] | None = None) -> ExportSummary:
    """Write every stored verdict of the study to ``path`` (``-``: stdout, csv/jsonl)."""
    fmt = format_for(path, fmt)
    counts: dict[str, int] = {}
    batches = iter_rows(config, splits, counts)
    if path == "-":
        n = _write_text(batches, sys.stdout, fmt)
    else:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_name(f".{target.name}.part")
        try:
            if fmt == "parquet":
                n = _write_parquet(batches, part)
            else:
                with part.open("w", encoding="utf-8", newline="") as f:
                    n = _write_text(batches, f, fmt)
            os.replace(part, target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                part.unlink()
    return ExportSummary(path, n, counts.get("trials", 0), counts.get("missing_samples", 0),
                         counts.get("missing_responses", 0))


def _write_text(batches: Iterator[list[dict[str, Any]]], f: IO[str], fmt: str) -> int:
    n = 0
    if fmt == "csv":
        writer = csv.DictWriter(f, fieldnames=list(COLUMNS))
        writer.writeheader()
        for batch in batches:
            writer.writerows(batch)
            n += len(batch)
        return n
    for batch in batches:
        for row in batch:
            f.write(json.dumps({**row, "params": json.loads(row["params"])},
                               ensure_ascii=False) + "\n")
        n += len(batch)
    return n


def _write_parquet(batches: Iterator[list[dict[str, Any]]], path: Path) -> int:
    pa = require_pyarrow()
    import pyarrow.parquet as pq

    types = {"string": pa.string(), "int64": pa.int64(), "bool": pa.bool_()}
    schema = pa.schema([(name, types[kind]) for name, kind in COLUMNS.items()])
    n = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        for batch in batches:
            if batch:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                n += len(batch)
    return n
