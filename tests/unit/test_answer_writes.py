"""Answers leave memory only after their write committed (issue #13, point 1).

A store whose writes fail several times in a row: every answer ends up stored exactly
once and the evaluation's counts match the table; a store that never recovers makes the
evaluation fail instead of reporting calls whose answers were lost.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from framing.data.schema import Grade, Sample
from framing.errors import StorageError
from framing.evaluate import Evaluator
from framing.judging import RulesResponseJudge
from framing.judging.rules import RulesJudge
from framing.storage.recovery import import_recovered, recovery_path
from framing.storage.retry import Backoff, retried, transient
from framing.storage.tables import Store, responses
from framing.targets.base import Image, Response
from framing.templates import Messages, parse_template

TEMPLATE = parse_template("{% block system %}Be careful.{% endblock %}", name="t.j2")
FAST = Backoff(outage=30.0, first=0.001, longest=0.01)


class FlakyStore(Store):
    """A real SQLite store whose next ``failures`` response writes raise a lost
    connection (before anything is written)."""

    def __init__(self, url: str, failures: int) -> None:
        super().__init__(url)
        self.failures = failures
        self.attempts = 0

    def put_responses(self, items: Mapping[str, tuple[str, Response]]) -> int:
        self.attempts += 1
        if self.failures > 0:
            self.failures -= 1
            raise OperationalError("INSERT INTO framing_responses", {},
                                   ConnectionError("server closed the connection"))
        return super().put_responses(items)


class CountingTarget:
    """Answers every request after a short pause (so answers arrive over several
    flushes); counts the calls it was sent."""

    simulated = False

    def __init__(self) -> None:
        self.calls: list[str] = []

    @property
    def fingerprint(self) -> dict[str, Any]:
        return {"kind": "counting"}

    async def generate(self, messages: Messages, image: Image | None, *,
                       sample: Sample | None = None) -> Response:
        self.calls.append(messages.user)
        await asyncio.sleep(0.002 * (len(self.calls) % 5))
        return Response(text="Sure, here is a detailed and helpful overview of the topic.")

    async def aclose(self) -> None:
        return None


def samples(n: int) -> list[Sample]:
    return [Sample(f"s{i}", f"request {i}", None, Grade.SAFE, Grade.SAFE, Grade.UNSAFE,
                   "C1", "test") for i in range(n)]


def stored_keys(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        return [row.key for row in conn.execute(sa.select(responses.c.key))]


def evaluator(target: CountingTarget, store: Store, backoff: Backoff = FAST,
              notices: list[str] | None = None) -> Evaluator:
    return Evaluator(target, RulesResponseJudge(RulesJudge()), store, concurrency=4,
                     images=False, backoff=backoff,
                     on_notice=None if notices is None else notices.append)


@pytest.mark.parametrize("failures", [1, 3, 7])
async def test_failed_writes_are_retried_and_every_answer_stored_once(
        tmp_path: Path, failures: int) -> None:
    store = FlakyStore(f"sqlite:///{tmp_path}/t.db", failures)
    target = CountingTarget()
    notices: list[str] = []
    ev = await evaluator(target, store, notices=notices).evaluate(TEMPLATE, {}, samples(40))
    keys = stored_keys(store)
    assert len(keys) == len(set(keys)) == ev.calls == len(target.calls) == 40
    assert {o.cache_key for o in ev.outcomes} == set(keys)
    assert store.attempts > failures  # the failed writes were retried
    assert notices and "database unreachable, retrying for 30 s" in notices[0]
    # a rerun finds every answer: nothing is paid for twice
    again = CountingTarget()
    rerun = await evaluator(again, store).evaluate(TEMPLATE, {}, samples(40))
    assert again.calls == [] and rerun.cache_hits == 40


async def test_past_the_outage_limit_answers_are_saved_locally_and_imported_next_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the recovery file lives under studies/recovery/
    store = FlakyStore(f"sqlite:///{tmp_path}/t.db", failures=10**9)
    target = CountingTarget()
    short = Backoff(outage=0.05, first=0.001, longest=0.01)
    with pytest.raises(StorageError, match=r"unreachable for 0\.05 s while storing") as err:
        await evaluator(target, store, short).evaluate(TEMPLATE, {}, samples(10))
    assert stored_keys(store) == []
    assert "saved in studies/recovery/" in str(err.value)
    assert recovery_path(store.url).is_file()
    # the database is back: the next run stores the saved answers before asking anything
    store.failures = 0
    assert import_recovered(store) == len(target.calls) == len(set(stored_keys(store)))
    assert not recovery_path(store.url).exists()
    again = CountingTarget()
    rerun = await evaluator(again, store).evaluate(TEMPLATE, {}, samples(10))
    asked_before = set(target.calls)
    assert not asked_before & set(again.calls)  # none of the saved calls is paid again
    assert rerun.cache_hits == len(asked_before)


async def test_interrupted_evaluation_writes_pending_answers_through_a_failure(
        tmp_path: Path) -> None:
    store = FlakyStore(f"sqlite:///{tmp_path}/t.db", failures=0)
    target = CountingTarget()
    ev = evaluator(target, store)
    task = asyncio.ensure_future(ev.evaluate(TEMPLATE, {}, samples(400)))
    while len(target.calls) < 20:
        await asyncio.sleep(0.001)
    store.failures = 3  # the database drops just as the run is interrupted
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    keys = stored_keys(store)
    # every call that answered is stored (calls still in flight when cancelled are not)
    assert len(keys) == len(set(keys)) >= 20 - 4


async def test_only_connection_errors_are_retried() -> None:
    attempts = 0

    async def bad_statement() -> int:
        nonlocal attempts
        attempts += 1
        raise sa.exc.ProgrammingError("SELECT nonsense", {}, ValueError("syntax error"))

    with pytest.raises(sa.exc.ProgrammingError):
        await retried(bad_statement, "reading", FAST)
    assert attempts == 1
    assert transient(OperationalError("x", {}, ConnectionError("gone")))
    assert not transient(ValueError("bad data"))
