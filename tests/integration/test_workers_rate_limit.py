"""A configured ``requests_per_minute`` holds for all workers of a study together
(issue #13, point 4), measured on the loopback model server's request log.

Three real ``framing search`` workers on PostgreSQL, started a second apart (so shares
are re-divided as they join, and again as they finish), each able to send far faster
than the limit on its own. Without sharing they would send three times the limit.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers_targets import KEY_ENV, make_workspace
from servers.llm_server import LLMServer
from storage_backends import count_rows, fresh_database
from test_workers import trials_of

from framing.search.workers import ATTR_WORKER, counts_toward_budget

pytestmark = pytest.mark.integration

PER_MINUTE = 900.0  # 15 requests/s for the three workers together
RATE = PER_MINUTE / 60
#: a worker alone: 4 calls in flight, 20 ms each, about 200 requests/s: never the limit
TEMPLATE = ('{#---\ndescription = "variant"\n[params.variant]\nint = [1, 400]\n---#}\n'
            "{% block system %}You are a careful assistant ({{ variant }}).{% endblock %}\n")


def window_counts(times: list[float], seconds: float) -> int:
    """The most requests in any window of ``seconds``."""
    most, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] > seconds:
            start += 1
        most = max(most, end - start + 1)
    return most


def test_three_workers_together_stay_within_the_configured_limit(tmp_path: Path) -> None:
    with fresh_database("postgresql", tmp_path) as url, LLMServer(latency=0.02) as server:
        study = make_workspace(tmp_path, server, n=40, images=0, concurrency=4,
                               requests_per_minute=PER_MINUTE)
        (tmp_path / "prompts" / "plain.j2").write_text(TEMPLATE)
        cmd = [sys.executable, "-m", "framing", "search", str(study), "--storage", url,
               "--trials", "9", "--no-report", "--set", 'search.sampler="random"',
               "--set", "storage.heartbeat=1", "--set", "storage.grace=30"]
        procs = []
        for i in range(3):
            procs.append(subprocess.Popen(
                cmd, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                text=True, env={**os.environ, KEY_ENV: "unused", "FRAMING_WORKER": f"w{i}"}))
            time.sleep(1.0)
        for p in procs:
            _, err = p.communicate(timeout=600)
            assert p.returncode == 0, err

        sent = sorted(r.received for r in server.requests if r.method == "POST")
        counted = [t for t in trials_of(url, "t") if counts_toward_budget(t)]
        assert len(counted) == 9 and len(sent) == 9 * 40  # 40 samples, 9 new framings
        assert len({t.user_attrs[ATTR_WORKER] for t in counted}) >= 2  # the work was shared
        span = sent[-1] - sent[0]
        achieved = (len(sent) - 1) / span
        # within the limit (10% for timing), where three unshared workers would send 3x it
        assert achieved <= RATE * 1.1, (achieved, RATE)
        # and no burst beyond it: over any 3 s, the limit plus the one second of it
        # that the workers' buckets may hold saved up between them
        assert window_counts(sent, 3.0) <= RATE * (3.0 + 1.0) + 2, window_counts(sent, 3.0)
        # the share of a worker that finished went to the others: the limit was used
        assert achieved >= RATE * 0.6, (achieved, RATE)
        print(f"{achieved:.2f} requests/s of {RATE:g}; most in 3 s: {window_counts(sent, 3.0)}")
        # every worker left the registry on its way out
        assert count_rows(url, "framing_workers") == 0
