"""The study's budget gate (issue #13): checked before each call, charged per call,
recorded atomically in the database so every process and run shares one total."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_answer_writes import TEMPLATE, CountingTarget, samples, stored_keys

from framing.evaluate import Evaluator, Prices
from framing.judging import RulesResponseJudge
from framing.judging.rules import RulesJudge
from framing.storage.budget import BudgetReached, open_budget
from framing.storage.tables import Store

PRICES = Prices(1000.0, 1000.0)




async def test_evaluation_stops_at_the_budget_and_everything_paid_is_recorded(
        tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path}/t.db")
    target = PricedTarget()
    budget = open_budget(0.5, store.engine, "s")
    ev = Evaluator(target, RulesResponseJudge(RulesJudge()), store, concurrency=4,
                   images=False, prices=PRICES)
    ev.budget = budget
    with pytest.raises(BudgetReached, match=r"max cost \$0\.50 reached"):
        await ev.evaluate(TEMPLATE, {}, samples(400))
    spent, calls = budget.ledger.total()
    call_cost = PRICES.cost(*PricedTarget.TOKENS)
    # stopped near the limit: at most the calls in flight (4) beyond it
    assert 0.5 <= spent <= 0.5 + 4 * call_cost
    assert calls == len(target.calls) == len(stored_keys(store)) < 400
    # a second process (or a resumed run) shares the total: it may not send a call
    again = open_budget(0.5, Store(f"sqlite:///{tmp_path}/t.db").engine, "s")
    assert again.exhausted()
    with pytest.raises(BudgetReached):
        again.check()
    # another study's budget is its own
    assert not open_budget(0.5, store.engine, "other").exhausted()


def test_the_ledger_adds_atomically_across_handles(tmp_path: Path) -> None:
    a = open_budget(10.0, Store(f"sqlite:///{tmp_path}/t.db").engine, "s")
    b = open_budget(10.0, Store(f"sqlite:///{tmp_path}/t.db").engine, "s")
    a.charge(1.25)
    b.charge(2.5, calls=3)
    a.record()
    b.record()
    assert b.spent == pytest.approx(3.75) and b.calls == 4
    assert not b.stale() and b.total == pytest.approx(3.75)
    b.charge(0.7)  # a tenth of what was left (6.25) is 0.625: time to read everyone's
    assert b.stale()


class PricedTarget(CountingTarget):
    """Every answer reports 100 input and 50 output tokens."""

    TOKENS = (100, 50)

    async def generate(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        from dataclasses import replace

        from framing.targets.base import Usage

        response = await super().generate(*args, **kwargs)
        return replace(response, usage=Usage(*self.TOKENS))


async def test_spooled_answers_bring_their_spend_to_the_next_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the outage limit the answers go to the recovery file with the spend the
    budget had not recorded; the next run's import adds it to the study's spend."""
    from test_answer_writes import FlakyStore

    from framing.errors import StorageError
    from framing.storage.recovery import import_recovered
    from framing.storage.retry import Backoff

    monkeypatch.chdir(tmp_path)  # the recovery file lives under studies/recovery/
    store = FlakyStore(f"sqlite:///{tmp_path}/t.db", failures=10**9)
    budget = open_budget(100.0, store.engine, "s")
    target = PricedTarget()
    ev = Evaluator(target, RulesResponseJudge(RulesJudge()), store, concurrency=4,
                   images=False, prices=PRICES,
                   backoff=Backoff(outage=0.05, first=0.001, longest=0.01))
    ev.budget = budget
    with pytest.raises(StorageError):
        await ev.evaluate(TEMPLATE, {}, samples(10))
    paid = len(target.calls) * PRICES.cost(*PricedTarget.TOKENS)
    assert budget.ledger.total() == (0.0, 0)  # the database took nothing
    assert budget.total == pytest.approx(paid)  # this process still counts it
    store.failures = 0
    assert import_recovered(store) == len(target.calls) > 0
    spent, calls = budget.ledger.total()
    assert spent == pytest.approx(paid) and calls == len(target.calls)


class JudgeTarget:
    """A judge model that says "refusal" to everything; counts its calls."""

    simulated = False

    def __init__(self) -> None:
        self.calls = 0
        self.fingerprint = {"kind": "judge-stub"}

    async def generate(self, messages, image, *, sample=None):  # type: ignore[no-untyped-def]
        from framing.targets.base import Response, Usage

        self.calls += 1
        return Response(text='{"verdict": "refusal", "reason": "r"}', usage=Usage(100, 50))

    async def aclose(self) -> None:
        return None


async def test_model_judge_calls_are_checked_against_the_budget(tmp_path: Path) -> None:
    from framing.judging.model import ModelJudge

    store = Store(f"sqlite:///{tmp_path}/t.db")
    judge_target = JudgeTarget()
    judge = ModelJudge(judge_target, store, images=False, prices=(1000.0, 1000.0),  # type: ignore[arg-type]
                       concurrency=2)
    target = PricedTarget()
    ev = Evaluator(target, judge, store, concurrency=2, images=False, prices=PRICES)
    budget = open_budget(0.5, store.engine, "s")
    ev.budget = budget
    assert judge.budget is budget
    with pytest.raises(BudgetReached):
        await ev.evaluate(TEMPLATE, {}, samples(200))
    call_cost = PRICES.cost(*PricedTarget.TOKENS)
    spent, calls = budget.ledger.total()
    # target and judge calls together stop near the budget: at most the calls in flight
    # (two target calls and two judge calls) beyond it
    assert 0.5 <= spent <= 0.5 + 4 * call_cost
    assert calls == len(target.calls) + judge_target.calls < 400
    # the budget is spent: a judge asked directly sends nothing
    before = judge_target.calls
    with pytest.raises(BudgetReached):
        await judge.judge_text("another request", "another answer")
    assert judge_target.calls == before
