"""The core of ``framing judge``: a study's judge of a chosen kind, judging one text,
scoring a judge on labelled responses, and calibrating it (the CLI only parses and prints).
"""

from __future__ import annotations

import asyncio
import mimetypes
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from framing.errors import ConfigError, DataError
from framing.evaluate import JudgeTotals
from framing.judging import RulesResponseJudge
from framing.judging.base import Judgement, ResponseJudge
from framing.judging.calibration import (
    Calibration,
    calibrate,
    corrected_keys,
    judge_identity,
    judge_labelled,
    labels_name,
    load_calibration,
    save_calibration,
)
from framing.judging.evaluation import JudgeEvaluation, load_labelled, score_judgements
from framing.judging.model import ModelJudge
from framing.judging.rules import RulesJudge
from framing.storage.tables import Store
from framing.targets.base import Image

if TYPE_CHECKING:
    from framing.config import StudyConfig
    from framing.points import Point

__all__ = ["JudgeRun", "build_judge", "calibrate_judge", "correct_points", "evaluate_on_labels",
           "judge_one", "resolve_kind"]

KINDS = ("rules", "model")


def resolve_kind(config: StudyConfig, kind: str | None) -> str:
    """``--kind`` as given, else the study's ``judge.kind``."""
    kind = kind or config.judge.kind
    if kind not in KINDS:
        raise ConfigError(f"--kind: {kind!r} is not one of {', '.join(KINDS)}")
    return kind


def build_judge(config: StudyConfig, kind: str, store: Store | None) -> ResponseJudge:
    """The study's judge of ``kind``: the rules judge with the study's ``[judge.rules]``, or
    the model judge on its ``[judge.target]`` (verdicts cached in ``store``)."""
    if kind == "rules":

        return RulesResponseJudge(RulesJudge.from_config(config.judge.rules or None,
                                                         trained=config.judge.trained))
    if config.judge.target is None:
        where = config.source
        raise ConfigError(
            f"{where}: --kind model needs a study file whose [judge.target] names the judge "
            "model, e.g.\n  [judge]\n  kind = \"model\"\n  [judge.target]\n  kind = \"openai\"\n"
            "  model = \"...\"\n  api_key_env = \"OPENAI_API_KEY\"\n"
            "then: framing judge --kind model --study STUDY ..."
        )

    return ModelJudge.from_config(config.judge.target, store)


async def _close(judge: ResponseJudge) -> None:
    close = getattr(judge, "aclose", None)
    if close is not None:
        await close()


def _store(config: StudyConfig) -> Store:

    return Store(config.storage.url)


def read_image(path: Path | None) -> Image | None:
    """An image file given on the command line."""
    if path is None:
        return None

    try:
        data = path.read_bytes()
    except OSError as e:
        raise DataError(f"--image {path}: cannot read: {e.strerror}") from None
    return Image(data=data, mime=mimetypes.guess_type(path.name)[0] or "image/png")


def judge_one(config: StudyConfig, kind: str, text: str, *, request: str = "",
              image: Path | None = None) -> Judgement:
    """One response judged by the study's judge of ``kind``."""
    if kind == "rules":

        judge = RulesJudge.from_config(config.judge.rules or None, trained=config.judge.trained)
        return judge.judge(text, request or None)
    picture = read_image(image)
    store = _store(config)

    async def run() -> Judgement:

        judge = build_judge(config, kind, store)
        assert isinstance(judge, ModelJudge)
        try:
            return await judge.judge_text(request, text, picture)
        finally:
            await _close(judge)

    try:
        return asyncio.run(run())
    finally:
        store.close()


@dataclass(frozen=True)
class JudgeRun:
    """A judge run over labelled responses: its score, and what a model judge spent."""

    evaluation: JudgeEvaluation
    usage: JudgeTotals
    calibration: Calibration | None = None


async def _judge_items(config: StudyConfig, kind: str, labels: Path | None,
                       store: Store | None) -> tuple[list, list[Judgement]]:
    items = list(load_labelled(labels))
    judge = build_judge(config, kind, store)
    try:
        judgements = await judge_labelled(judge, items)
    finally:
        await _close(judge)
    return items, judgements


def evaluate_on_labels(config: StudyConfig, kind: str, labels: Path | None = None) -> JudgeRun:
    """Score the study's judge of ``kind`` against labelled responses (the bundled set by
    default): accuracy, confusion matrix, per subset and hard case."""

    store = _store(config) if kind == "model" else None
    try:
        items, judgements = asyncio.run(_judge_items(config, kind, labels, store))
    finally:
        if store is not None:
            store.close()
    evaluation = score_judgements(kind, items, judgements)
    return JudgeRun(evaluation, JudgeTotals.of(judgements))


def calibrate_judge(config: StudyConfig, kind: str, labels: Path) -> JudgeRun:
    """Calibrate the study's judge of ``kind`` on hand labels and store the result with the
    study (replacing an earlier calibration of the same judge)."""

    if config.mode == "classify":
        raise ConfigError(
            f"{config.source}: study {config.name!r} is in classify mode: its verdicts are the "
            "model's own labels, not a refusal judge's; calibrate a respond-mode study"
        )
    store = _store(config)
    try:
        items, judgements = asyncio.run(_judge_items(config, kind, labels, store))
        calibration = calibrate(items, judgements, study=config.name,
                                judge=judge_identity(config, kind), judge_kind=kind,
                                labels=labels_name(labels))
        save_calibration(store, calibration)
    finally:
        store.close()
    evaluation = score_judgements(kind, items, judgements)
    return JudgeRun(evaluation, JudgeTotals.of(judgements), calibration)


def correct_points(config: StudyConfig, points: list[Point]) -> tuple[list[Point], Calibration]:
    """The points with Rogan–Gladen corrected rates added (``framing frontier
    --corrected``), using the stored calibration of the judge the study ran with."""
    if config.mode == "classify":
        raise ConfigError(
            f"--corrected: study {config.name!r} is in classify mode; its verdicts are the "
            "model's labels, there is no refusal judge to correct for"
        )
    kind = config.judge.kind
    store = _store(config)
    try:
        calibration = load_calibration(store, config.name, judge_identity(config, kind))
    finally:
        store.close()
    if calibration is None:
        raise ConfigError(
            f"--corrected: study {config.name!r} has no calibration of its {kind} judge "
            "(as configured now); run: framing judge calibrate LABELS.jsonl --study STUDY"
        )
    return [replace(p, extra={**p.extra, **corrected_keys(p, calibration)}) for p in points], \
        calibration
