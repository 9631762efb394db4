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
