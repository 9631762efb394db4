"""One framing × its samples → verdicts, through the response cache and bounded concurrency.

The evaluator owns what every target shares: rendering, image loading, the cache
(an identical call is never paid for twice), concurrency, writing answers as they arrive
and judging. Targets only speak their wire format.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from framing.data.images import load_image
from framing.data.schema import Sample
from framing.errors import QuotaExhausted, StorageError
from framing.events import CallsProgress
from framing.judging.base import Judgement, ResponseJudge, Verdict
from framing.metrics import Tally
from framing.storage.answers import AnswerWriter
from framing.storage.budget import Budget, BudgetReached, before_call
from framing.storage.retry import Backoff
from framing.storage.tables import ResultRow, Store
from framing.targets.base import (
    CallFailed,
    Image,
    Response,
    Target,
    cache_key,
    fingerprint_hash,
    prepared,
)
from framing.templates import Messages, SampleView, Template

ProgressHandler = Callable[[CallsProgress], None]
PROGRESS_SECONDS = 0.1


@dataclass(frozen=True, slots=True)
class Prices:
    """USD per million input and output tokens."""

    input: float
    output: float

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return (input_tokens * self.input + output_tokens * self.output) / 1e6


@dataclass(frozen=True, slots=True)
class Outcome:
    """The verdict on one sample."""

    sample: Sample
    position: int
    judgement: Judgement
    cache_key: str | None
    cached: bool
    #: classify mode with ``classify.modalities``: the labels the model gave the image
    #: alone and the text alone (None: not asked, or no readable label)
    image_label: str | None = None
    text_label: str | None = None

    def row(self) -> ResultRow:
        return ResultRow(
            sample_id=self.sample.id,
            position=self.position,
            subset=self.sample.joint_grade.value,
            verdict=self.judgement.verdict.value,
            rule=self.judgement.rule,
            source=self.judgement.source,
            cache_key=self.cache_key,
            label=self.judgement.label,
        )


@dataclass(frozen=True)
class Evaluation:
    outcomes: tuple[Outcome, ...]
    calls: int = 0
    cache_hits: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0
    tally: Tally = field(default_factory=Tally)

    @classmethod
    def build(cls, outcomes: Sequence[Outcome], **counters: Any) -> Evaluation:
        ordered = tuple(sorted(outcomes, key=lambda o: o.position))
        verdicts = ((o.sample.joint_grade.value, o.judgement.verdict) for o in ordered)
        return cls(outcomes=ordered, tally=Tally.of(verdicts), **counters)

    @property
    def judge_usage(self) -> JudgeTotals:
        """What a model judge spent on these verdicts (zero for the rules judge)."""
        return JudgeTotals.of(o.judgement for o in self.outcomes)


@dataclass(frozen=True, slots=True)
class JudgeTotals:
    """A model judge's calls, cache hits, tokens and cost, counted apart from the target's."""

    calls: int = 0
    cache_hits: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0

    @classmethod
    def of(cls, judgements: Iterable[Judgement]) -> JudgeTotals:
        calls = hits = tokens_in = tokens_out = 0
        cost = 0.0
        for j in judgements:
            if j.usage is None:
                continue
            if j.usage.cached:
                hits += 1
                continue
            calls += 1
            tokens_in += j.usage.input_tokens
            tokens_out += j.usage.output_tokens
            cost += j.usage.cost
        return cls(calls, hits, tokens_in, tokens_out, cost)

    def to_json(self) -> dict[str, Any]:
        return {"calls": self.calls, "cache_hits": self.cache_hits,
                "tokens": [self.input_tokens, self.output_tokens], "cost": self.cost}


@dataclass
class _Counters:
    calls: int = 0
    cache_hits: int = 0
    errors: int = 0
    done: int = 0
    input_tokens: int = 0
    output_tokens: int = 0


class Evaluator:
    """Evaluates framings on samples for one target and one judge."""

    def __init__(
        self,
        target: Target,
        judge: ResponseJudge,
        store: Store,
        *,
        concurrency: int = 16,
        images: bool = True,
        prices: Prices | None = None,
        backoff: Backoff | None = None,
        on_notice: Callable[[str], None] | None = None,
    ) -> None:
        self.target = target
        self.judge = judge
        self.store = store
        self.images = images
        self.prices = prices
        #: how long writes are retried through a database outage, and who hears of it
        self.backoff = backoff or Backoff()
        self.on_notice = on_notice
        self._budget: Budget | None = None
        self._semaphore = asyncio.Semaphore(concurrency)
        self._target_hash = fingerprint_hash(target.fingerprint)
        #: answers paid for that were already stored when written: another worker asked
        #: the same call at the same time (counted over the evaluator's life)
        self.races = 0

    @property
    def budget(self) -> Budget | None:
        """The study's budget (``max_cost``): asked before each call, charged after it;
        a model judge asks it before each of its calls too."""
        return self._budget

    @budget.setter
    def budget(self, budget: Budget | None) -> None:
        self._budget = budget
        use_budget = getattr(self.judge, "use_budget", None)  # a model judge's calls
        if use_budget is not None:
            use_budget(budget, self.backoff, self.on_notice)

    def render(self, template: Template, params: Mapping[str, Any], sample: Sample) -> Messages:
        view = SampleView(id=sample.id, text=sample.text,
                          image=self.images and sample.image is not None)
        return template.render(view, params)

    async def evaluate(
        self,
        template: Template,
        params: Mapping[str, Any],
        samples: Sequence[Sample],
        *,
        trial: int | None = None,
        on_progress: ProgressHandler | None = None,
        positions: Sequence[int] | None = None,
    ) -> Evaluation:
        """Verdicts for every sample. Answers are stored as they arrive; a call that fails
        after retries gives an ``error`` verdict; a :class:`TargetError` stops everything
        (after storing what was answered). ``positions`` numbers the samples within the
        trial's full sample list (default 0, 1, ...), so a trial evaluated in batches
        (racing) keeps one numbering."""
        if positions is None:
            positions = range(len(samples))
        elif len(positions) != len(samples):
            raise ValueError("need one position per sample")
        requests = []
        #: samples whose image cannot be sent in any accepted form: ``error``, no call
        unsendable: dict[int, CallFailed] = {}
        for position, sample in zip(positions, samples, strict=True):
            messages = self.render(template, params, sample)
            image = None
            if self.images:
                try:
                    image = prepared(self.target, load_image(sample))
                except CallFailed as failure:
                    unsendable[position] = failure
            key = cache_key(self.target.fingerprint, messages, image)
            requests.append((position, sample, messages, image, key))

        cached = await asyncio.to_thread(self.store.get_responses, [r[4] for r in requests])
        counters = _Counters()
        # an answer leaves memory only after its write committed (framing.storage.answers)
        budget = self.budget
        writer = AnswerWriter(self.store, self.backoff, notice=self.on_notice, budget=budget)
        inflight: dict[str, asyncio.Task[Response | CallFailed]] = {}
        reached: list[BudgetReached] = []
        last_progress = 0.0

        def progress(force: bool = False) -> None:
            nonlocal last_progress
            now = time.monotonic()
            if on_progress and (force or now - last_progress >= PROGRESS_SECONDS):
                last_progress = now
                cost = (self.prices.cost(counters.input_tokens, counters.output_tokens)
                        if self.prices else 0.0)
                on_progress(CallsProgress(trial, counters.done, len(requests), counters.calls,
                                          counters.cache_hits, counters.errors,
                                          counters.input_tokens, counters.output_tokens, cost))

        async def call(messages: Messages, image: Image | None, sample: Sample,
                       key: str) -> Response | CallFailed:
            async with self._semaphore:
                if budget is not None:
                    try:  # the study's max_cost may be spent (by any worker)
                        await before_call(budget, self.backoff, self.on_notice)
                    except BudgetReached as stop:
                        # send nothing more, but let the calls in flight finish: they are
                        # paid for already; the evaluation raises once they are stored
                        reached.append(stop)
                        return CallFailed(str(stop))
                try:
                    response = await self.target.generate(messages, image, sample=sample)
                except CallFailed as failure:
                    return failure
            if budget is not None and self.prices is not None:
                budget.charge(self.prices.cost(response.usage.input_tokens,
                                               response.usage.output_tokens))
            counters.calls += 1
            counters.input_tokens += response.usage.input_tokens
            counters.output_tokens += response.usage.output_tokens
            writer.add(key, self._target_hash, response)
            return response

        async def one(position: int, sample: Sample, messages: Messages, image: Image | None,
                      key: str) -> Outcome:
            hit = None if position in unsendable else cached.get(key)
            if position in unsendable:
                response: Response | CallFailed = unsendable[position]
            elif hit is not None:
                counters.cache_hits += 1
                response = hit
            else:
                task = inflight.get(key)
                if task is None:  # identical requests within one evaluation: one call
                    task = asyncio.ensure_future(call(messages, image, sample, key))
                    inflight[key] = task
                else:
                    counters.cache_hits += 1
                response = await asyncio.shield(task)  # cancelled only on purpose
            try:
                judgement = await self._judge(messages, sample, response)
            except BudgetReached as stop:  # a model judge's call would pass max_cost
                reached.append(stop)
                judgement = Judgement(Verdict.ERROR, f"error:{stop}", "judge")
            if budget is not None and judgement.usage is not None and not judgement.usage.cached:
                budget.charge(judgement.usage.cost)
            if judgement.verdict is Verdict.ERROR:
                counters.errors += 1
            counters.done += 1
            progress()
            return Outcome(sample, position, judgement,
                           key if isinstance(response, Response) else None,
                           cached=hit is not None)

        tasks = [asyncio.ensure_future(one(*r)) for r in requests]
        flusher = writer.start()
        everything = asyncio.gather(*tasks)
        try:
            # the writer ends early only when it gave up: that error stops the evaluation
            waiting: list[asyncio.Future[Any]] = [everything, flusher]
            await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            if flusher.done():
                flusher.result()
            outcomes = everything.result()
            if reached:
                raise reached[0]
        except BaseException as error:
            if isinstance(error, QuotaExhausted):
                # calls already sent may still bring answers that are paid for: keep them
                await asyncio.gather(*inflight.values(), return_exceptions=True)
            # the database stayed away: the calls in flight are paid for, so let them
            # finish and let the writer save them locally; anything else cancels them
            lost_database = isinstance(error, StorageError)
            for t in [*tasks, *([] if lost_database else inflight.values())]:
                t.cancel()
            await asyncio.gather(everything, *tasks, *inflight.values(),
                                 return_exceptions=True)
            raise
        finally:
            try:  # keep every answer already paid for, even when interrupted
                await writer.close()
            finally:
                self.races += writer.races
        progress(force=True)
        cost = (self.prices.cost(counters.input_tokens, counters.output_tokens)
                if self.prices else 0.0)
        return Evaluation.build(
            outcomes,
            calls=counters.calls,
            cache_hits=counters.cache_hits,
            input_tokens=counters.input_tokens,
            output_tokens=counters.output_tokens,
            cost=cost,
        )

    async def _judge(self, messages: Messages, sample: Sample,
                     response: Response | CallFailed) -> Judgement:
        if isinstance(response, CallFailed):
            return Judgement(Verdict.ERROR, f"error:{response.reason}", "target")
        if response.blocked:
            return Judgement(Verdict.REFUSAL, f"provider:{response.blocked}", "provider")
        if response.truncated:  # what it would have said is unknown: never judged
            return Judgement(Verdict.TRUNCATED, f"truncated:{response.finish_reason}",
                             "target")
        if not self.images and sample.image is not None:
            sample = replace(sample, image=None)  # the judge sees what the target saw
        return await self.judge.judge(messages, sample, response)
