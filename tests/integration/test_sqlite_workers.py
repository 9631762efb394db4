"""Two workers on one SQLite study (issue #13): made safe rather than refused.

SQLite lets one writer in at a time. framing opens it in WAL mode (readers never block
the writer) with a 60 s busy timeout, and a write that still finds the database locked
is retried like any connection error (framing.storage.retry). Two ``framing search``
workers on one machine then share a study like workers on a database server: every
trial counted once, every paid answer stored once.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from storage_backends import fresh_database
from test_workers import calls, env_for, races, stored_all, trials_of, worker

from framing.search.workers import ATTR_WORKER, counts_toward_budget

pytestmark = pytest.mark.integration


def test_two_workers_share_one_sqlite_study(tmp_path: Path) -> None:
    with fresh_database("sqlite", tmp_path) as url:
        procs = [subprocess.Popen(worker(url, "shared", 8), cwd=tmp_path, env=env_for(f"w{i}"),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for i in range(2)]
        outputs = [p.communicate(timeout=600) for p in procs]
        for p, (_, err) in zip(procs, outputs, strict=True):
            assert p.returncode == 0, err
        counted = [t for t in trials_of(url, "shared") if counts_toward_budget(t)]
        assert len(counted) == 8
        assert len({t.user_attrs[ATTR_WORKER] for t in counted}) == 2  # both took trials
        assert calls(counted) - races(counted) == stored_all(url)
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        engine.dispose()
