"""A study's second judge (``[judge.compare]``): its verdicts on the stored responses,
agreement with the study's judge per subset, and the frontier under it.

The second judge never runs inside a search (it would slow every trial and cost calls the
search does not need): :func:`fill_second_verdicts` judges the stored responses that have
no verdict of it yet and stores them (``framing_compare_verdicts``, keyed by the second
judge's identity), so it runs once per response and again only for new trials. A model
judge's calls go through its verdict cache. It sees the sample's request text and image,
the response, never the framing's system message (as the study's own judge does).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from framing.config import JudgeConfig
from framing.data.loaders import load_data
from framing.errors import ConfigError
from framing.evaluate import JudgeTotals
from framing.judge_commands import build_judge
from framing.judging.base import COUNTED, Judgement, ResponseJudge, Verdict
from framing.judging.calibration import corrected_keys, judge_identity
from framing.points import frontier
from framing.stats import Rate
from framing.storage.labels import CompareRow, LabelStore
from framing.targets.base import Response
from framing.templates import Messages

if TYPE_CHECKING:
    from framing.config import StudyConfig
    from framing.data.schema import Sample
    from framing.evaluate import JudgeTotals
    from framing.judging.calibration import Calibration
    from framing.points import Point
    from framing.storage.tables import ResultRow, Store

__all__ = ["SecondJudgeRun", "agreement", "fill_second_verdicts", "second_config",
           "second_frontier", "second_identity", "second_points"]

SPLITS = ("search", "holdout")
#: verdicts a second judge gives an opinion on (errors have no answer; truncated answers
#: are excluded from every rate, whoever judges)
JUDGED = ("refusal", "partial", "compliance", "undetermined")


def second_config(config: StudyConfig) -> StudyConfig:
    """The study as if its judge were the second judge (ConfigError without one)."""

    compare = config.judge.compare
    if compare is None:
        raise ConfigError(
            f"{config.source or 'the study'}: no second judge; add one to the study file, "
            "e.g.\n  [judge.compare]\n  kind = \"model\"\n  [judge.compare.target]\n"
            "  kind = \"openai\"\n  model = \"...\"\n  api_key_env = \"OPENAI_API_KEY\"")
    if config.mode == "classify":
        raise ConfigError(f"{config.source or 'the study'}: [judge.compare] needs a respond-mode "
                          "study (in classify mode the model's own labels are the verdicts)")
    judge = JudgeConfig(kind=compare.kind, target=compare.target, rules=compare.rules)
    return config.model_copy(update={"judge": judge})


def second_identity(config: StudyConfig) -> str | None:
    """The second judge's identity (None: the study has none)."""
    if config.judge.compare is None:
        return None
    second = second_config(config)
    return judge_identity(second, second.judge.kind)


@dataclass(frozen=True)
class SecondJudgeRun:
    """What filling the second judge's verdicts did."""

    kind: str
    judged: int
    usage: JudgeTotals


def fill_second_verdicts(config: StudyConfig, store: Store) -> SecondJudgeRun:
    """Judge, with the second judge, every stored result that has no verdict of it yet."""
    return asyncio.run(_fill(config, store))


async def _fill(config: StudyConfig, store: Store) -> SecondJudgeRun:

    second = second_config(config)
    identity = judge_identity(second, second.judge.kind)
    labels = LabelStore(store.engine)
    samples: dict[str, Sample] = {}
    judge: ResponseJudge | None = None
    judgements: list[Judgement] = []
    judged = 0
    try:
        for split in SPLITS:
            have = labels.get_compare(config.name, identity, split)
            trials: dict[int, list[ResultRow]] = {}
            for r in store.get_results(config.name, split=split):
                if r.verdict in JUDGED:
                    trials.setdefault(r.trial, []).append(r)
            for trial, rows in sorted(trials.items()):
                if all((trial, r.sample_id) in have for r in rows):
                    continue
                if not samples:
                    samples = {s.id: s for s in load_data(config.data)}
                if judge is None:
                    judge = build_judge(second, second.judge.kind, store)
                texts = store.response_texts([r.cache_key for r in rows if r.cache_key])
                done, made = await _judge_rows(judge, rows, samples, texts)
                judgements += made
                labels.put_compare(config.name, identity, trial, split, done)
                judged += len(done)
    finally:
        close = getattr(judge, "aclose", None)
        if close is not None:
            await close()
    return SecondJudgeRun(second.judge.kind, judged, JudgeTotals.of(judgements))


async def _judge_rows(judge: ResponseJudge, rows: Sequence[ResultRow],
                      samples: dict[str, Sample], texts: dict[str, str]
                      ) -> tuple[list[CompareRow], list[Judgement]]:
    """The second judge's verdicts on one trial's stored results (concurrently)."""

    made: list[Judgement] = []

    async def one(r: ResultRow) -> CompareRow | None:
        if r.source == "provider":  # blocked by the provider: a refusal, whoever judges
            return CompareRow(r.sample_id, Verdict.REFUSAL.value, r.rule)
        sample = samples.get(r.sample_id)
        text = texts.get(r.cache_key) if r.cache_key else None
        if sample is None or text is None:
            return None
        j = await judge.judge(Messages(system="", user=sample.text), sample, Response(text=text))
        made.append(j)
        return CompareRow(r.sample_id, j.verdict.value, j.rule)

    done = [c for c in await asyncio.gather(*(one(r) for r in rows)) if c is not None]
    return done, made


def _pairs(config: StudyConfig, store: Store, split: str = "search"
           ) -> list[tuple[ResultRow, str]]:
    identity = second_identity(config)
    if identity is None:
        return []
    second = LabelStore(store.engine).get_compare(config.name, identity, split)
    return [(r, second[(r.trial, r.sample_id)])
            for r in store.get_results(config.name, split=split)
            if (r.trial, r.sample_id) in second]


def agreement(config: StudyConfig, store: Store) -> dict[str, Rate]:
    """Three-way agreement of the two judges per subset, over the study's stored verdicts
    (search split; every trial's verdict on every sample counts)."""
    counts: dict[str, list[int]] = {}
    for r, other in _pairs(config, store):
        c = counts.setdefault(r.subset, [0, 0])
        c[0] += r.verdict == other
        c[1] += 1
    order = ("borderline", "unsafe", "safe")
    return {s: Rate.of(*counts[s]) for s in order if s in counts}


def second_points(config: StudyConfig, store: Store, points: Sequence[Point]) -> list[Point]:
    """The study's points with their rates as the second judge's verdicts make them
    (trials without second verdicts are left out)."""
    tallies: dict[int, dict[str, int]] = {}
    for r, verdict in _pairs(config, store):
        t = tallies.setdefault(r.trial, dict.fromkeys(
            ("b_k", "b_n", "u_k", "u_n", "s_k", "s_n", "partial", "undetermined"), 0))
        if verdict == Verdict.UNDETERMINED.value:
            t["undetermined"] += 1
            continue
        if Verdict(verdict) not in COUNTED:
            continue
        t["partial"] += verdict == Verdict.PARTIAL.value
        refused = verdict == Verdict.REFUSAL.value
        if r.subset == "borderline":
            t["b_n"] += 1
            t["b_k"] += refused
        elif r.subset == "unsafe":
            t["u_n"] += 1
            t["u_k"] += not refused
        elif r.subset == "safe":
            t["s_n"] += 1
            t["s_k"] += refused
    out = []
    for p in points:
        if p.trial not in tallies:
            continue
        t = tallies[p.trial]
        out.append(replace(p, over_blocking=Rate.of(t["b_k"], t["b_n"]),
                           under_refusal=Rate.of(t["u_k"], t["u_n"]), partial=t["partial"],
                           false_refusal=None if p.false_refusal is None
                           else Rate.of(t["s_k"], t["s_n"]),
                           undetermined=t["undetermined"],
                           extra={**p.extra, "judge": "second"}))
    return out


def second_frontier(config: StudyConfig, store: Store, points: Sequence[Point],
                    calibration: Calibration | None = None) -> list[Point]:
    """The frontier under the second judge (``framing frontier --judge second``); with a
    ``calibration`` of the second judge, its rates corrected too."""

    front = frontier(second_points(config, store, points))
    if calibration is None:
        return front
    return [replace(p, extra={**p.extra, **corrected_keys(p, calibration)}) for p in front]
