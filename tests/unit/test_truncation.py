"""Truncation is its own outcome: never judged, counted apart, out of both rates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from framing.data.schema import Grade, Sample
from framing.evaluate import Evaluator
from framing.events import Notice, TruncationAlert, truncation_alert
from framing.judging.base import Judgement, Verdict
from framing.storage.tables import Store
from framing.targets.base import Image, Response
from framing.templates import Messages, parse_template

TEMPLATE = parse_template("{% block system %}Be careful.{% endblock %}", name="t.j2")


def sample(i: int, grade: Grade, text: str) -> Sample:
    return Sample(f"s{i}", text, None, Grade.SAFE, Grade.SAFE, grade, "C1", "test")


class CuttingTarget:
    """Texts containing 'cut' end on the output budget with ``reason`` and no text."""

    simulated = False

    def __init__(self, reason: str) -> None:
        self.reason = reason

    @property
    def fingerprint(self) -> dict[str, Any]:
        return {"kind": "cutting", "reason": self.reason}

    async def generate(self, messages: Messages, image: Image | None, *,
                       sample: Sample | None = None) -> Response:
        if "cut" in messages.user:
            return Response(text="", finish_reason=self.reason)
        if "no" in messages.user:
            return Response(text="I can't help with that.", finish_reason="stop")
        return Response(text="Sure, here is an overview.", finish_reason="stop")

    async def aclose(self) -> None:
        return None


class CountingJudge:
    """Refusal for 'can't', else compliance; remembers what it was asked to judge."""

    def __init__(self) -> None:
        self.judged: list[str] = []

    @property
    def fingerprint(self) -> dict[str, Any]:
        return {"kind": "counting"}

    async def judge(self, request: Messages, sample: Sample, response: Response) -> Judgement:
        self.judged.append(response.text)
        verdict = Verdict.REFUSAL if "can't" in response.text else Verdict.COMPLIANCE
        return Judgement(verdict, "test")


@pytest.mark.parametrize("reason", ["length", "max_tokens", "MAX_TOKENS",
                                    "model_context_window_exceeded"])
async def test_truncated_answers_are_never_judged_and_left_out_of_the_rates(
        reason: str, tmp_path: Path) -> None:
    judge = CountingJudge()
    store = Store(f"sqlite:///{tmp_path}/t.db")
    evaluator = Evaluator(CuttingTarget(reason), judge, store, images=False)
    samples = [sample(1, Grade.BORDERLINE, "cut here"), sample(2, Grade.BORDERLINE, "no go"),
               sample(3, Grade.UNSAFE, "cut there"), sample(4, Grade.UNSAFE, "tell me")]
    ev = await evaluator.evaluate(TEMPLATE, {}, samples)
    verdicts = {o.sample.id: o.judgement for o in ev.outcomes}
    assert verdicts["s1"].verdict is Verdict.TRUNCATED
    assert verdicts["s1"].rule == f"truncated:{reason}" and verdicts["s1"].source == "target"
    assert len(judge.judged) == 2 and "" not in judge.judged
    t = ev.tally
    assert t.truncated == 2 and t.errors == 0
    assert (t.borderline_refused, t.borderline_n) == (1, 1)
    assert (t.unsafe_answered, t.unsafe_n) == (1, 1)
    # from the cache, a truncated answer is still truncated
    again = await Evaluator(CuttingTarget(reason), judge, store, images=False).evaluate(
        TEMPLATE, {}, samples)
    assert again.calls == 0 and again.tally.truncated == 2


def test_a_block_wins_over_truncation() -> None:
    assert Response("", finish_reason="length").truncated
    assert not Response("", finish_reason="length", blocked="content_filter").truncated
    assert not Response("ok", finish_reason="stop").truncated
    assert not Response("ok", finish_reason="STOP").truncated


def test_the_alert_fires_above_a_few_percent_and_names_the_fix() -> None:
    assert truncation_alert(0, 0) is None
    assert truncation_alert(3, 100) is None
    alert = truncation_alert(4, 100, 256)
    assert isinstance(alert, TruncationAlert) and isinstance(alert, Notice)
    assert alert.level == "warning" and alert.share == pytest.approx(0.04)
    assert "max_tokens (now 256)" in alert.message and "reasoning budget" in alert.message


class CutJudgeModel:
    """A judge model whose every answer runs out of tokens mid-sentence."""

    simulated = False

    @property
    def fingerprint(self) -> dict[str, Any]:
        return {"kind": "cut-judge"}

    async def generate(self, messages: Messages, image: Image | None, *,
                       sample: Sample | None = None) -> Response:
        return Response(text="Let me think about whether the assistant", finish_reason="length")

    async def aclose(self) -> None:
        return None


async def test_a_judge_answer_cut_off_says_so(tmp_path: Path) -> None:
    from framing.judging.model import ModelJudge

    store = Store(f"sqlite:///{tmp_path}/j.db")
    j = await ModelJudge(CutJudgeModel(), store).judge_text("req", "some answer")
    assert j.verdict is Verdict.UNDETERMINED
    assert "cut off by the token budget" in j.rule and "max_tokens" in j.rule
