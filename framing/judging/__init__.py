"""Refusal judging: rules, model judge, classify mode (DESIGN §7)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from framing.errors import ConfigError
from framing.judging.base import COUNTED, Judgement, JudgeUsage, ResponseJudge, Verdict
from framing.judging.classify import ClassifyCounts, ClassifyJudge
from framing.judging.model import ModelJudge
from framing.judging.rules import RulesJudge
from framing.storage.keys import ATTR_CLASSIFY, ATTR_JUDGE

if TYPE_CHECKING:
    from framing.config import StudyConfig
    from framing.data.schema import Sample
    from framing.evaluate import Evaluation
    from framing.judging.rules import RulesJudge
    from framing.storage.tables import Store
    from framing.targets.base import Response
    from framing.templates import Messages

__all__ = ["ATTR_CLASSIFY", "ATTR_JUDGE", "COUNTED", "JudgeUsage", "Judgement", "ResponseJudge",
           "RulesResponseJudge", "Verdict", "make_judge", "point_keys", "trial_attrs"]


class RulesResponseJudge:
    """The rules judge in the evaluator's shape: it reads the response text, and the
    sample's request text to tell on-topic content from explanation."""

    def __init__(self, rules: RulesJudge) -> None:
        self.rules = rules

    @property
    def fingerprint(self) -> dict[str, Any]:
        return {"kind": "rules", "trained": self.rules.stage is not None}

    async def judge(self, request: Messages, sample: Sample, response: Response) -> Judgement:
        return self.rules.judge(response.text, sample.text)


def make_judge(config: StudyConfig, store: Store | None = None) -> ResponseJudge:
    """The judge a study file asks for."""

    if config.mode == "classify":
        return ClassifyJudge()
    if config.judge.kind == "rules":
        return RulesResponseJudge(RulesJudge.from_config(config.judge.rules or None,
                                                         trained=config.judge.trained))

    if config.judge.target is None:
        raise ConfigError("judge.kind: 'model' needs a [judge.target] table")
    return ModelJudge.from_config(config.judge.target, store)






def trial_attrs(config: StudyConfig, evaluation: Evaluation) -> dict[str, Any]:
    """What a trial stores about its judging: a model judge's calls, cache hits, tokens
    and cost (apart from the target's), and a classify study's label counts."""
    attrs: dict[str, Any] = {}
    usage = evaluation.judge_usage
    if (config.mode != "classify" and config.judge.kind == "model") or usage.calls:
        attrs[ATTR_JUDGE] = usage.to_json()
    if config.mode == "classify":

        attrs[ATTR_CLASSIFY] = ClassifyCounts.of(
            evaluation.outcomes, modalities=config.classify.modalities).to_attr()
    return attrs


def point_keys(attrs: Mapping[str, Any]) -> dict[str, Any]:
    """The point keys (``framing frontier --format json``) a trial's judging attributes
    add: ``judge_calls``, ``judge_cache_hits``, ``judge_cost`` and, in classify mode,
    ``joint_accuracy``, ``accuracy_by_pattern``, ``compositional_error_share``..."""
    keys: dict[str, Any] = {}
    judge = attrs.get(ATTR_JUDGE)
    if isinstance(judge, Mapping):
        keys.update(judge_calls=judge.get("calls", 0), judge_cache_hits=judge.get("cache_hits", 0),
                    judge_cost=judge.get("cost", 0.0))
    counts = attrs.get(ATTR_CLASSIFY)
    if isinstance(counts, Mapping):

        keys.update(ClassifyCounts.from_attr(counts).to_json())
    return keys
