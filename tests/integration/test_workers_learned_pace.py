"""Workers with no configured rate limit share a server that admits only so many requests
a second (issue #13, point 4), measured on the loopback model server's request log.

Three real ``framing search`` workers on PostgreSQL, each able to send far faster than
the server admits. Each adapting its own concurrency to the 429s, they kept colliding:
about 0.6 to 1.4 rejected calls per answer. With the pace learnt from the 429s
(framing.targets.limits.LearnedPace, on while other workers' trials run) each worker
sends at its answered part of the server's rate, and the rejected calls stay few.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers_targets import KEY_ENV, make_workspace
from servers.llm_server import LLMServer
from storage_backends import fresh_database
from test_workers import trials_of

from framing.search.workers import counts_toward_budget

pytestmark = pytest.mark.integration

ADMIT = 40.0  # requests per second, for the three workers together
TEMPLATE = ('{#---\ndescription = "variant"\n[params.variant]\nint = [1, 400]\n---#}\n'
            "{% block system %}You are a careful assistant ({{ variant }}).{% endblock %}\n")


def test_three_unlimited_workers_learn_the_servers_rate(tmp_path: Path) -> None:
    with fresh_database("postgresql", tmp_path) as url, \
            LLMServer(latency=0.05, admit=ADMIT) as server:
        # 12 calls in flight per worker, 50 ms each: 240 requests/s alone, 6x the server
        study = make_workspace(tmp_path, server, n=120, images=0, concurrency=12,
                               max_retries=5)
        (tmp_path / "prompts" / "plain.j2").write_text(TEMPLATE)
        cmd = [sys.executable, "-m", "framing", "search", str(study), "--storage", url,
               "--trials", "9", "--no-report", "--set", 'search.sampler="random"',
               "--set", "search.screening=false", "--set", "search.racing=false"]
        procs = [subprocess.Popen(
            cmd, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            env={**os.environ, KEY_ENV: "unused", "FRAMING_WORKER": f"w{i}"})
            for i in range(3)]
        for p in procs:
            _, err = p.communicate(timeout=600)
            assert p.returncode == 0, err

        posts = [r for r in server.requests if r.method == "POST"]
        answered = sum(r.outcome == "answer" for r in posts)
        rejected = sum(r.outcome == "429" for r in posts)
        counted = [t for t in trials_of(url, "t") if counts_toward_budget(t)]
        assert len(counted) == 9 and answered == 9 * 120  # every sample answered once
        per_answer = rejected / answered
        print(f"{rejected} rejected calls for {answered} answers: {per_answer:.3f} per answer")
        # independent workers: 0.6 and more (measured); paced: about 0.15
        assert per_answer <= 0.45, per_answer  # independent workers: 0.6 or more
