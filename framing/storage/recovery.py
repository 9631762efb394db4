"""The local recovery file: answers paid for that the database would not take.

When the database stays away longer than ``[storage] outage``, the answers still in
memory are appended to a JSON-lines file in ``studies/recovery/`` (one file per database,
named by a hash of its URL) before framing exits 1. The next run against that database
stores them (:func:`import_recovered`) before it asks anything, so none of those calls is
paid for again. The spend the study's budget had not recorded yet is saved with them (a
``{"spend": {"study", "spent", "calls"}}`` line) and added to the study's spend on import,
so the budget counts what those calls cost.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from framing.storage.budget import SpendLedger
from framing.storage.tables import Store, responses
from framing.storage.url import redact
from framing.wording import plural

if TYPE_CHECKING:
    from framing.targets.base import Response

#: the columns of ``framing_responses`` a recovered row holds
FIELDS = frozenset(c.name for c in responses.columns)

#: where recovery files live, relative to the folder framing runs in
RECOVERY_DIR = Path("studies") / "recovery"


def recovery_path(url: str) -> Path:
    digest = hashlib.sha256(redact(url).encode()).hexdigest()[:16]
    return RECOVERY_DIR / f"{digest}.jsonl"


def spool(url: str, items: Mapping[str, tuple[str, Response]],
          spend: tuple[str, float, int] | None = None) -> Path:
    """Append ``key -> (target hash, answer)`` to the database's recovery file, as rows of
    ``framing_responses``, and ``spend`` (study, USD, calls) not recorded in the study's
    spend yet (synced to disk before returning)."""
    path = recovery_path(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    now = time.time()
    with path.open("a", encoding="utf-8") as f:
        for key, (target, r) in items.items():
            f.write(json.dumps({
                "key": key, "target": target, "text": r.text,
                "finish_reason": r.finish_reason, "blocked": r.blocked,
                "input_tokens": r.usage.input_tokens, "output_tokens": r.usage.output_tokens,
                "latency": r.latency, "raw_status": r.raw_status, "created": now}) + "\n")
        if spend is not None and (spend[1] or spend[2]):
            study, spent, calls = spend
            f.write(json.dumps({"spend": {"study": study, "spent": spent,
                                          "calls": calls}}) + "\n")
        f.flush()
        os.fsync(f.fileno())
    return path


def import_recovered(store: Store) -> int:
    """Store the answers of the database's recovery file, then remove it; returns how
    many it held (0: no file)."""
    path = recovery_path(store.url)
    if not path.is_file():
        return 0
    rows: dict[str, dict[str, Any]] = {}
    spend: dict[str, tuple[float, int]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut short when the machine stopped mid-write
        if isinstance(row, dict) and set(row) == FIELDS:
            rows[row["key"]] = row
        elif isinstance(row, dict) and set(row) == {"spend"} and _spend_ok(row["spend"]):
            study = row["spend"]["study"]
            spent, calls = spend.get(study, (0.0, 0))
            spend[study] = (spent + float(row["spend"]["spent"]),
                            calls + int(row["spend"]["calls"]))
    if rows:  # duplicates ignored: an answer already stored is kept as it is
        store._insert_ignore(responses, list(rows.values()))
    for study, (spent, calls) in spend.items():  # then what they cost, once
        SpendLedger(store.engine, study).add(spent, calls)
    path.unlink()
    print(f"recovered {plural(len(rows), 'answer')} saved in {path} by an earlier run that lost "
          "its database; they are stored now", file=sys.stderr, flush=True)
    return len(rows)


def _spend_ok(spend: Any) -> bool:
    return (isinstance(spend, dict) and isinstance(spend.get("study"), str)
            and isinstance(spend.get("spent"), int | float)
            and isinstance(spend.get("calls"), int))
