"""One budget for the study (issue #13): ``--max-cost`` is the study's total spend,
stored in the database, across workers and resumed runs, hold-out calls included.

Workers are real ``framing search`` subprocesses on the built-in demo (simulated model,
priced so that every call costs about $0.0015). The spend the database records is
compared with the cost of every answer stored and with the budget.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from storage_backends import fresh_database

from framing.storage.url import connect_url, engine_options

pytestmark = pytest.mark.integration

PRICE = 10.0  # USD per million tokens, input and output
SETTINGS = ["--set", "data.borderline=20", "--set", "data.unsafe=20",
            "--set", "target.latency=0.05", "--set", "target.concurrency=2",
            "--set", f"target.price_input={PRICE}", "--set", f"target.price_output={PRICE}",
            "--set", "storage.heartbeat=1", "--set", "storage.grace=3"]


def search(url: str, trials: int, max_cost: float, *extra: str) -> list[str]:
    return [sys.executable, "-m", "framing", "search", "--storage", url, "--trials",
            str(trials), "--max-cost", str(max_cost), "--no-report", "--set", "name=budget",
            *SETTINGS, *extra]


def env_for(name: str) -> dict[str, str]:
    return {**os.environ, "FRAMING_WORKER": name, "PYTHONUNBUFFERED": "1"}


def ledger(url: str) -> tuple[float, int, float, float, int]:
    """(recorded spend, recorded calls, cost of the stored answers, the dearest stored
    answer, stored answers)."""
    engine = sa.create_engine(connect_url(url), **engine_options(url))
    try:
        with engine.connect() as conn:
            spent, calls = conn.execute(sa.text(
                "SELECT spent, calls FROM framing_spend WHERE study = 'budget'")).one()
            stored, dearest, n = conn.execute(sa.text(
                "SELECT SUM(input_tokens + output_tokens), MAX(input_tokens + output_tokens),"
                " COUNT(*) FROM framing_responses")).one()
    finally:
        engine.dispose()
    return (float(spent), int(calls), float(stored or 0) * PRICE / 1e6,
            float(dearest or 0) * PRICE / 1e6, int(n))


def test_holdout_calls_are_paid_from_the_budget(tmp_path: Path) -> None:
    with fresh_database("sqlite", tmp_path) as url:
        done = subprocess.run(search(url, 3, 100.0, "--set", "data.holdout=0.3"),
                              cwd=tmp_path, env=env_for("w"), capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, done.stderr
        assert "hold-out check:" in done.stderr and "for the hold-out check" in done.stderr
        spent, calls, stored_cost, _, stored = ledger(url)
        # every answer paid for, search and hold-out, is in the study's spend
        assert calls == stored > 0
        assert spent == pytest.approx(stored_cost)


@pytest.mark.parametrize("kind", ["postgresql", "mysql"])
def test_two_workers_and_a_resumed_run_stop_at_the_study_budget(kind: str,
                                                                 tmp_path: Path) -> None:
    limit = 0.02  # about a third of 40 trials × 40 calls
    with fresh_database(kind, tmp_path) as url:
        procs = [subprocess.Popen(search(url, 40, limit, "--set", "data.holdout=0"),
                                  cwd=tmp_path, env=env_for(f"w{i}"), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for i in range(2)]
        outputs = [p.communicate(timeout=600) for p in procs]
        for p, (_, err) in zip(procs, outputs, strict=True):
            assert p.returncode == 0, err
        assert any("max cost $0.02 reached" in err for _, err in outputs)
        spent, calls, stored_cost, dearest, stored = ledger(url)
        in_flight = 2 * 2  # two workers, two calls at a time each
        # plus, per worker, the one answer whose spend was being recorded (in a thread)
        # while the other worker checked the budget with the total it had last read
        recording = 2
        assert limit <= spent <= limit + (in_flight + recording) * dearest, (spent, dearest)
        assert spent >= stored_cost - 1e-9 and calls >= stored

        # the same budget again: the study has spent it, so nothing is asked
        again = subprocess.run(search(url, 40, limit, "--set", "data.holdout=0"),
                               cwd=tmp_path, env=env_for("w2"), capture_output=True,
                               text=True, timeout=600)
        assert again.returncode == 0, again.stderr
        assert "max cost" in again.stderr
        assert ledger(url)[1] == calls and ledger(url)[4] == stored

        # a larger budget continues from what the study spent, not from zero
        more = subprocess.run(search(url, 40, limit * 1.5, "--set", "data.holdout=0"),
                              cwd=tmp_path, env=env_for("w3"), capture_output=True,
                              text=True, timeout=600)
        assert more.returncode == 0, more.stderr
        spent2, _, stored_cost2, dearest2, _ = ledger(url)
        assert limit * 1.5 <= spent2 <= limit * 1.5 + 2 * dearest2, (spent2, dearest2)
        assert spent2 >= stored_cost2 - 1e-9
