"""Refusal judging: rules, model judge, classify mode (DESIGN §7)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from framing.judging.base import COUNTED, Judgement, JudgeUsage, ResponseJudge, Verdict

if TYPE_CHECKING:
    from framing.config import StudyConfig
    from framing.data.schema import Sample
    from framing.judging.rules import RulesJudge
    from framing.store import Store
    from framing.targets.base import Response
    from framing.templates import Messages

__all__ = ["COUNTED", "JudgeUsage", "Judgement", "ResponseJudge", "RulesResponseJudge",
           "Verdict", "make_judge"]


class RulesResponseJudge:
    """The rules judge in the evaluator's shape: it reads only the response text."""

    def __init__(self, rules: RulesJudge) -> None:
        self.rules = rules

    @property
    def fingerprint(self) -> dict[str, Any]:
        return {"kind": "rules"}

    async def judge(self, request: Messages, sample: Sample, response: Response) -> Judgement:
        return self.rules.judge(response.text)


def make_judge(config: StudyConfig, store: Store | None = None) -> ResponseJudge:
    """The judge a study file asks for."""
    from framing.judging.classify import ClassifyJudge
    from framing.judging.rules import RulesJudge

    if config.mode == "classify":
        return ClassifyJudge()
    if config.judge.kind == "rules":
        return RulesResponseJudge(RulesJudge.from_config(config.judge.rules or None))
    from framing.errors import ConfigError
    from framing.judging.model import ModelJudge

    if config.judge.target is None:
        raise ConfigError("judge.kind: 'model' needs a [judge.target] table")
    return ModelJudge.from_config(config.judge.target, store)


