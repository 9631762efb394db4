"""Riding out a database outage (issue #13) on real PostgreSQL, with a loopback model
server: every framing connection is terminated and new ones refused for a few seconds in
the middle of a search.

Within ``[storage] outage``: exit 0, every answer the server gave stored exactly once, a
rerun sends nothing. Past it: exit 1, the unstored answers in the local recovery file,
and the next run stores them and sends none of those calls again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers_targets import KEY_ENV, make_workspace
from outage_helpers import PostgresOutage, count_rows_or_zero, outage_for
from servers.llm_server import LLMServer
from storage_backends import fresh_database

pytestmark = pytest.mark.integration


def search(study: Path, url: str, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "framing", "search", str(study), "--storage", url,
         "--no-report", "--set", "storage.heartbeat=1", "--set", "storage.grace=30", *extra],
        cwd=study.parent, env={**os.environ, KEY_ENV: "unused", "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def bodies(server: LLMServer, answered_only: bool = True) -> list[str]:
    return [json.dumps(r.body, sort_keys=True) for r in server.requests
            if r.method == "POST" and (r.outcome == "answer" or not answered_only)]


def wait_for_rows(url: str, n: int, proc: subprocess.Popen[str]) -> None:
    while count_rows_or_zero(url, "framing_responses") < n:
        assert proc.poll() is None, proc.communicate()[1]
        time.sleep(0.05)


@pytest.mark.parametrize("kind", ["postgresql", "mysql"])
def test_an_outage_within_the_limit_is_ridden_out(kind: str, tmp_path: Path) -> None:
    with fresh_database(kind, tmp_path) as url, LLMServer(latency=0.25) as server:
        study = make_workspace(tmp_path, server, n=60, images=0, concurrency=4)
        outage = outage_for(kind, url)
        try:
            proc = search(study, url)
            wait_for_rows(url, 8, proc)
            outage.run(3.0)  # mid-search: three seconds without the database
            _, err = proc.communicate(timeout=600)
        finally:
            outage.close()
        assert outage.terminated > 0
        assert proc.returncode == 0, err
        if kind == "postgresql":  # connections refused: the retries had to wait it out
            assert "database unreachable, retrying for 120 s" in err
        # (MariaDB: a connection killed between queries is replaced by the pool's
        # pre-ping without an error; one killed mid-query is retried like any other)
        answered = bodies(server)
        assert len(answered) == len(set(answered))  # no call paid for twice
        assert count_rows_or_zero(url, "framing_responses") == len(answered) > 8
        again = search(study, url)
        _, err2 = again.communicate(timeout=600)
        assert again.returncode == 0, err2
        assert len(bodies(server, answered_only=False)) == len(answered)  # nothing sent


def test_past_the_limit_answers_are_saved_and_the_next_run_stores_them(
        tmp_path: Path) -> None:
    with fresh_database("postgresql", tmp_path) as url, LLMServer(latency=0.25) as server:
        study = make_workspace(tmp_path, server, n=60, images=0, concurrency=4)
        outage = PostgresOutage(url)
        try:
            proc = search(study, url, "--set", "storage.outage=1")
            wait_for_rows(url, 8, proc)
            outage.run(6.0)
            _, err = proc.communicate(timeout=600)
        finally:
            outage.close()
        assert proc.returncode == 1, err
        assert "stayed unreachable for 1 s" in err
        assert err.count("error:") == 1 and "invalid data" not in err
        recovery = list((tmp_path / "studies" / "recovery").glob("*.jsonl"))
        assert len(recovery) == 1 and recovery[0].read_text().strip()
        first = set(bodies(server))
        stored_before = count_rows_or_zero(url, "framing_responses")
        assert stored_before < len(first)  # some answers were only in the recovery file

        sent_before = len(server.requests)
        rerun = search(study, url)
        _, err2 = rerun.communicate(timeout=600)
        assert rerun.returncode == 0, err2
        assert "recovered" in err2 and not recovery[0].exists()
        rerun_sent = [json.dumps(r.body, sort_keys=True)
                      for r in server.requests[sent_before:] if r.method == "POST"]
        asked_twice = [b for b in rerun_sent if b in first]
        assert asked_twice == [], f"{len(asked_twice)} calls paid twice"
        answered = bodies(server)
        assert len(answered) == len(set(answered))
        assert count_rows_or_zero(url, "framing_responses") == len(answered)
        print(err, err2, sep="\n----\n")  # shown with -s: what the user sees
