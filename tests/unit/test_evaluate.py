"""The evaluator: cache, dedupe, errors, provider blocks, answers kept on interruption."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from framing.data.schema import Grade, Sample
from framing.evaluate import Evaluator
from framing.judging import RulesResponseJudge
from framing.judging.base import Verdict
from framing.judging.rules import RulesJudge
from framing.storage.tables import Store
from framing.targets.base import CallFailed, Image, Response
from framing.templates import Messages, parse_template

TEMPLATE = parse_template("{% block system %}Be careful.{% endblock %}", name="t.j2")


def sample(i: int, grade: Grade, text: str | None = None) -> Sample:
    return Sample(f"s{i}", text or f"request {i}", None, Grade.SAFE, Grade.SAFE, grade, "C1",
                  "test")


class ScriptedTarget:
    """Answers by request text: 'fail' → CallFailed, 'block' → provider block,
    'slow' → waits, 'no' → refusal, else compliance."""

    simulated = False

    def __init__(self) -> None:
        self.calls: list[str] = []

    @property
    def fingerprint(self) -> dict[str, Any]:
        return {"kind": "scripted"}

    async def generate(self, messages: Messages, image: Image | None, *,
                       sample: Sample | None = None) -> Response:
        self.calls.append(messages.user)
        if "fail" in messages.user:
            raise CallFailed("HTTP 500 after 5 retries", status=500)
        if "block" in messages.user:
            return Response(text="", finish_reason="content_filter", blocked="content_filter")
        if "slow" in messages.user:
            await asyncio.sleep(10)
        if "no" in messages.user:
            return Response(text="I can't help with that.")
        return Response(text="Sure, here is a detailed and helpful overview of the topic.")

    async def aclose(self) -> None:
        return None


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path}/t.db")


def evaluator(target: ScriptedTarget, store: Store) -> Evaluator:
    return Evaluator(target, RulesResponseJudge(RulesJudge()), store, concurrency=4,
                     images=False)


async def test_verdicts_errors_and_blocks(store: Store) -> None:
    target = ScriptedTarget()
    samples = [
        sample(1, Grade.BORDERLINE, "no thanks"),
        sample(2, Grade.BORDERLINE, "tell me"),
        sample(3, Grade.UNSAFE, "fail please"),
        sample(4, Grade.UNSAFE, "block this"),
        sample(5, Grade.UNSAFE, "tell me more"),
    ]
    ev = await evaluator(target, store).evaluate(TEMPLATE, {}, samples)
    verdicts = {o.sample.id: o.judgement for o in ev.outcomes}
    assert verdicts["s1"].verdict is Verdict.REFUSAL
    assert verdicts["s2"].verdict is Verdict.COMPLIANCE
    assert verdicts["s3"].verdict is Verdict.ERROR
    assert verdicts["s4"].verdict is Verdict.REFUSAL and verdicts["s4"].source == "provider"
    assert ev.tally.errors == 1
    assert (ev.tally.borderline_refused, ev.tally.borderline_n) == (1, 2)
    # the error is excluded from the unsafe denominator
    assert (ev.tally.unsafe_answered, ev.tally.unsafe_n) == (1, 2)


async def test_cache_and_dedupe(store: Store) -> None:
    target = ScriptedTarget()
    same = [sample(1, Grade.UNSAFE, "identical"), sample(2, Grade.UNSAFE, "identical")]
    first = await evaluator(target, store).evaluate(TEMPLATE, {}, same)
    assert len(target.calls) == 1 and first.calls == 1
    second = await evaluator(target, store).evaluate(TEMPLATE, {}, same)
    assert len(target.calls) == 1 and second.calls == 0 and second.cache_hits == 2
    # failed calls are not cached: they are asked again next time
    failing = [sample(3, Grade.UNSAFE, "fail")]
    await evaluator(target, store).evaluate(TEMPLATE, {}, failing)
    await evaluator(target, store).evaluate(TEMPLATE, {}, failing)
    assert target.calls.count("fail") == 2


async def test_interrupted_evaluation_keeps_answers(store: Store) -> None:
    target = ScriptedTarget()
    samples = [sample(i, Grade.UNSAFE, f"quick {i}") for i in range(6)]
    samples.append(sample(99, Grade.UNSAFE, "slow one"))
    task = asyncio.ensure_future(evaluator(target, store).evaluate(TEMPLATE, {}, samples))
    while len(target.calls) < 7:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    target2 = ScriptedTarget()
    again = await evaluator(target2, store).evaluate(TEMPLATE, {}, samples[:6])
    assert again.calls == 0 and again.cache_hits == 6
    assert target2.calls == []


async def test_answers_are_stored_while_a_slow_call_is_pending(store: Store) -> None:
    target = ScriptedTarget()
    samples = [sample(1, Grade.UNSAFE, "quick"), sample(2, Grade.UNSAFE, "slow")]
    task = asyncio.ensure_future(evaluator(target, store).evaluate(TEMPLATE, {}, samples))
    stored: dict = {}
    for _ in range(300):  # the periodic flush writes the quick answer; no new answer needed
        await asyncio.sleep(0.02)
        stored = store.get_responses(_keys(store))
        if stored:
            break
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(stored) == 1


def _keys(store: Store) -> list[str]:
    import sqlalchemy as sa

    from framing.storage.tables import responses

    with store.engine.connect() as conn:
        return [row.key for row in conn.execute(sa.select(responses.c.key))]
