"""Riding out database outages: seconds of outage ridden out, answers lost, calls paid
twice (issue #13; targets 0 and 0).

A real ``framing search`` (subprocess) on real PostgreSQL asks a loopback model server
(the test suite's, with a fixed latency per answer); meanwhile a side thread makes the
study database unreachable several times (new connections refused, every framing
connection terminated) for a few seconds each. Afterwards the server's request log is
compared with the stored answers, and a rerun must send nothing.

    python benchmarks/outage.py [--outages 3] [--seconds 3] [--samples 60]

Needs PostgreSQL on loopback (``scripts/test-services.sh``; URL in
``FRAMING_TEST_POSTGRES``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

TESTS = Path(__file__).resolve().parents[1] / "tests"
sys.path[:0] = [str(TESTS), str(TESTS / "integration")]

from helpers_targets import KEY_ENV, make_workspace  # noqa: E402
from outage_helpers import PostgresOutage, count_rows_or_zero  # noqa: E402
from servers.llm_server import LLMServer  # noqa: E402

POSTGRES = os.environ.get("FRAMING_TEST_POSTGRES",
                          "postgresql://postgres@127.0.0.1:5432/framing_test")


def fresh_database() -> tuple[str, sa.Engine, str]:
    from framing.storage.url import connect_url, engine_options

    name = f"framing_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(connect_url(POSTGRES), isolation_level="AUTOCOMMIT",
                             **engine_options(POSTGRES))
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(POSTGRES).set(database=name).render_as_string(
        hide_password=False)
    return url, admin, name


def search(study: Path, url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "framing", "search", str(study), "--storage", url,
         "--no-report", "--trials", "2", "--set", "storage.heartbeat=1",
         "--set", "storage.grace=60"],
        cwd=study.parent, env={**os.environ, KEY_ENV: "unused", "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def posts(server: LLMServer, answered_only: bool) -> list[str]:
    return [json.dumps(r.body, sort_keys=True) for r in server.requests
            if r.method == "POST" and (r.outcome == "answer" or not answered_only)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outages", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--samples", type=int, default=60)
    args = parser.parse_args()

    url, admin, name = fresh_database()
    try:
        with tempfile.TemporaryDirectory() as tmp, LLMServer(latency=0.25) as server:
            study = make_workspace(Path(tmp), server, n=args.samples, images=0, concurrency=4)
            outage = PostgresOutage(url)
            proc = search(study, url)
            started = time.monotonic()
            for _ in range(args.outages):
                while count_rows_or_zero(url, "framing_responses") < 4 and proc.poll() is None:
                    time.sleep(0.05)
                if proc.poll() is not None:
                    break
                outage.run(args.seconds)
                time.sleep(1.0)  # the database is back for a while between outages
            _, err = proc.communicate(timeout=900)
            wall = time.monotonic() - started
            outage.close()
            answered = posts(server, answered_only=True)
            stored = count_rows_or_zero(url, "framing_responses")
            before = len(server.requests)
            rerun = search(study, url)
            _, err2 = rerun.communicate(timeout=900)
            sent_by_rerun = sum(r.method == "POST" for r in server.requests[before:])
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    print("database outage benchmark (real PostgreSQL, loopback model server with "
          "0.25 s per answer; framing search in a subprocess)")
    print(f"  outages:                  {args.outages} × {args.seconds:g} s "
          f"({outage.terminated} connections terminated)")
    print(f"  search exit code:         {proc.returncode} (rerun: {rerun.returncode})")
    print(f"  seconds of outage ridden out: {outage.seconds:.1f} "
          f"(search wall time {wall:.1f} s)")
    print(f"  answers from the server:  {len(answered)}; stored: {stored}")
    print(f"  answers lost:             {len(set(answered)) - stored}  (target 0)")
    print(f"  calls paid twice:         {len(answered) - len(set(answered)) + sent_by_rerun}"
          "  (target 0; the rerun's calls included)")
    if proc.returncode != 0:
        print(err[-2000:], file=sys.stderr)
    if rerun.returncode != 0:
        print(err2[-2000:], file=sys.stderr)


if __name__ == "__main__":
    main()
