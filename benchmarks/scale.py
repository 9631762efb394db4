"""Scaling out: trials per minute with 1 and with 4 ``framing search`` workers.

Both runs do the same work: the built-in demo study to ``--trials`` trials, on the same
PostgreSQL server, each on a fresh database of its own (so the second run finds no
cached answer), against a latency-bound target: the simulated model with 100 ms per call
and 4 calls at a time per worker. The ideal ratio is the number of workers.

Printed, from this run: wall time and trials per minute for each (process start-up
included, as a user sees it), their ratio (target ≥ 3×), and duplicated calls (target
0): the calls the trials recorded minus the answers stored, which counts every call paid
twice, whether or not the workers noticed the race.

    .venv/bin/python benchmarks/scale.py [--url postgresql://postgres@127.0.0.1/framing_test]
                                         [--workers 4] [--trials 40] [--samples 60]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import optuna
import sqlalchemy as sa

from framing.points import ATTR_CALLS
from framing.search.workers import ATTR_CACHE_RACES, ATTR_WORKER, counts_toward_budget
from framing.storage.url import connect_url, engine_options, redact


@dataclass(frozen=True)
class Run:
    workers: int
    trials: int
    wall: float
    calls: int
    stored: int
    races: int
    per_worker: dict[str, int]

    @property
    def per_minute(self) -> float:
        return self.trials / self.wall * 60

    @property
    def duplicated(self) -> int:
        return self.calls - self.stored


def settings(samples: int) -> list[str]:
    return ["--set", f"data.borderline={samples}", "--set", f"data.unsafe={samples}",
            "--set", "data.holdout=0", "--set", "target.latency=0.1",
            "--set", "target.concurrency=4"]


def admin(base: str) -> sa.Engine:
    return sa.create_engine(connect_url(base), isolation_level="AUTOCOMMIT",
                            **engine_options(base))


def run(base: str, workers: int, trials: int, samples: int, workdir: Path) -> Run:
    name = f"framing_bench_{uuid.uuid4().hex[:10]}"
    engine = admin(base)
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        cmd = [sys.executable, "-m", "framing", "search", "--storage", url, "--trials",
               str(trials), "--no-report", "--quiet", "--set", "name=scale", *settings(samples)]
        started = time.monotonic()
        procs = [subprocess.Popen(cmd, cwd=workdir, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True,
                                  env={**os.environ, "FRAMING_WORKER": f"w{i}"})
                 for i in range(workers)]
        for p in procs:
            _, err = p.communicate()
            if p.returncode != 0:
                raise SystemExit(f"a worker failed ({p.returncode}):\n{err}")
        wall = time.monotonic() - started

        storage = optuna.storages.RDBStorage(connect_url(url))
        study = optuna.load_study(study_name="scale", storage=storage)
        counted = [t for t in study.get_trials(deepcopy=False) if counts_toward_budget(t)]
        storage.engine.dispose()
        per_worker: dict[str, int] = {}
        for t in counted:
            w = str(t.user_attrs.get(ATTR_WORKER))
            per_worker[w] = per_worker.get(w, 0) + 1
        db = sa.create_engine(connect_url(url), **engine_options(url))
        with db.connect() as conn:
            stored = int(conn.execute(sa.text("SELECT COUNT(*) FROM framing_responses"))
                         .scalar_one())
        db.dispose()
        return Run(workers, len(counted), wall,
                   sum(int(t.user_attrs.get(ATTR_CALLS, 0)) for t in counted), stored,
                   sum(int(t.user_attrs.get(ATTR_CACHE_RACES, 0)) for t in counted),
                   dict(sorted(per_worker.items())))
    finally:
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get(
        "FRAMING_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/framing_test"),
        help="a PostgreSQL database whose user may create databases")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--trials", type=int, default=40, help="trials of each run")
    parser.add_argument("--samples", type=int, default=60,
                        help="samples per subset per trial (the demo study has 120)")
    args = parser.parse_args()

    print(f"scale: sim target, 100 ms per call, 4 calls at a time per worker, "
          f"{2 * args.samples} samples per trial, PostgreSQL at {redact(args.url)}")
    with tempfile.TemporaryDirectory() as tmp:
        one = run(args.url, 1, args.trials, args.samples, Path(tmp))
        many = run(args.url, args.workers, args.trials, args.samples, Path(tmp))
    for r in (one, many):
        print(f"{r.workers} worker(s): {r.trials} trials in {r.wall:.1f} s = "
              f"{r.per_minute:.1f} trials/min; calls {r.calls:,}, answers stored "
              f"{r.stored:,}, duplicated calls {r.duplicated} (races counted {r.races}); "
              f"trials per worker {r.per_worker}")
    ratio = many.per_minute / one.per_minute
    print(f"speed-up with {args.workers} workers: {ratio:.2f}x (target >= 3x)")
    print(f"duplicated calls with {args.workers} workers: {many.duplicated} (target 0)")


if __name__ == "__main__":
    main()
