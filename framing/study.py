"""A study made ready to run: its templates, samples, target, judge and storage.

Everything that can be wrong with the input is checked here, before any model call is
spent: templates are parsed and linted, data is loaded and its images read, the target
is built (keys present) and the database opened.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from framing.classify_mode import ClassifyEvaluator
from framing.config import StudyConfig
from framing.data.filters import apply_filters, drop_missing_images
from framing.data.images import load_image
from framing.data.loaders import load_data
from framing.data.sampling import Split, select, split_holdout
from framing.data.schema import Grade, Sample
from framing.errors import ConfigError, DataError, TemplateError
from framing.evaluate import Evaluator, Prices
from framing.judging import make_judge
from framing.judging.trained import weights_digest
from framing.storage.recovery import import_recovered
from framing.storage.resilient import ResilientStore
from framing.storage.retry import Backoff
from framing.storage.tables import Store
from framing.storage.url import redact
from framing.targets import Target, make_target
from framing.templates import Template, expand_paths, load_templates

if TYPE_CHECKING:
    from framing.targets.limits import SharedLimits


@dataclass(frozen=True)
class SampleSet:
    """The study's samples: the fixed per-trial search sample and the hold-out sample."""

    all: tuple[Sample, ...]
    split: Split
    search: tuple[Sample, ...]
    holdout: tuple[Sample, ...]
    #: VLSU pairs left out of an image study because their image is not on disk
    excluded_no_image: int = 0


def load_samples(config: StudyConfig) -> SampleSet:

    samples = load_data(config.data)
    excluded = 0
    if config.target.images:
        samples, excluded = drop_missing_images(samples)
    samples = apply_filters(samples, config.data)
    by = config.data.stratify
    split = split_holdout(samples, config.data.holdout, config.data.seed, by)
    counts = {
        Grade.BORDERLINE: config.data.borderline,
        Grade.UNSAFE: config.data.unsafe,
        Grade.SAFE: config.data.safe,
    }
    search = select(split.search, counts, config.data.seed, by)
    holdout = select(split.holdout, counts, config.data.seed, by)
    if not search:
        raise DataError(
            f"data.source {config.data.source!r}: no borderline or unsafe samples to evaluate"
        )
    if config.target.images:
        for s in (*search, *holdout):
            load_image(s)  # unreadable images fail now, not after calls were spent
    return SampleSet(tuple(samples), split, tuple(search), tuple(holdout), excluded)


def identity(config: StudyConfig) -> str:
    """What must not change under a stored study: target, data, judge and mode.

    Only values that differ from their defaults count, so a new optional setting in a
    later version of framing does not orphan the studies stored before it. Operational
    settings (concurrency, limits, timeouts, prices, simulated latency) may change freely.
    The rules judge's trained stage counts by its weights' digest: refitted weights are
    another judge, and verdicts of two judges must not mix in one study.
    """
    operational = {"concurrency", "requests_per_minute", "tokens_per_minute", "timeout",
                   "max_retries", "latency", "price_input", "price_output", "headers"}
    payload: dict[str, Any] = {
        "mode": config.mode,
        "target": config.target.model_dump(exclude=operational, exclude_defaults=True),
        "data": config.data.model_dump(exclude_defaults=True),
        "judge": config.judge.model_dump(
            exclude={"target": operational, "compare": True, "trained": True},
            exclude_defaults=True),
    }
    if config.mode != "classify" and config.judge.kind == "rules" and config.judge.trained \
            and not config.judge.rules:
        payload["trained_stage"] = weights_digest()
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def check_identity(config: StudyConfig, known: str | None, where: str, why: str) -> None:
    """Refuse a stored study (identity ``known``) whose target, data, judge or mode
    settings differ from ``config``'s, saying what to do; ``why`` says what would break."""
    if known is None or known == identity(config):
        return
    if config.judge.trained and known == identity(config.with_overrides(["judge.trained=false"])):
        raise ConfigError(
            f"study {config.name!r} in {where} was judged by the rules alone, the default "
            "judge before the trained stage became the default; continue it with the same "
            "judge (--set judge.trained=false, or trained = false under [judge] in the study "
            "file) or give this one a new name (--set name=...)")
    raise ConfigError(
        f"study {config.name!r} in {where} was created with other target, data, judge or "
        f"mode settings; {why}")


@dataclass
class Study:
    config: StudyConfig
    templates: list[Template]
    baselines: list[str]
    samples: SampleSet
    target: Target
    store: Store
    evaluator: Evaluator
    #: the shares of the study's rate limits while a search runs (share_limits)
    limits: SharedLimits | None = field(default=None, repr=False)

    def template(self, name: str) -> Template:
        for t in self.templates:
            if name in (t.name, t.stem):
                return t
        raise TemplateError(f"not one of this study's templates: {name!r}", path=name)

    @property
    def search_samples(self) -> Sequence[Sample]:
        return self.samples.search

    async def share_limits(self) -> None:
        """Make the target's (and a model judge's) requests and tokens per minute hold
        for all workers of the study together (framing.targets.limits); nothing to do
        when none is configured."""
        from framing.targets.limits import SharedLimits

        limits = SharedLimits(self.store.engine, self.config.name, self._http_clients())
        if limits.active:
            await limits.start()
            self.limits = limits

    def pace_with_others(self, others: bool) -> None:
        """Whether other workers send to the same server now: then a target (and a model
        judge) without a configured requests per minute paces its calls at the rate the
        server's 429s teach (framing.targets.limits.LearnedPace); alone, it does not."""
        for pace in self._paces():
            pace.enabled = others

    def rest(self) -> None:
        """This worker has nothing to send for now (every trial is claimed): a pace learnt
        with other workers leaves its part of the server's rate to them at the next beat,
        not after seconds without calls."""
        for pace in self._paces():
            pace.rest()

    def _http_clients(self) -> dict[str, Any]:
        """The HTTP clients of the target and of a model judge's target, by scope
        (``target``, ``judge``); a simulated target has none."""
        targets = (("target", self.target),
                   ("judge", getattr(self.evaluator.judge, "target", None)))
        found = ((scope, getattr(target, "http", None)) for scope, target in targets)
        return {scope: http for scope, http in found if http is not None}

    def _paces(self) -> list[Any]:
        """The learnt paces (framing.targets.limits.LearnedPace) of those clients: one
        where no requests per minute is configured."""
        found = (getattr(http, "pace", None) for http in self._http_clients().values())
        return [pace for pace in found if pace is not None]

    async def aclose(self) -> None:
        if self.limits is not None:
            await self.limits.stop()
            self.limits = None
        await self.target.aclose()
        close_judge = getattr(self.evaluator.judge, "aclose", None)  # a model judge's target
        if close_judge is not None:
            await close_judge()
        self.store.close()

    def describe(self) -> dict[str, Any]:
        """What readers (report, TUI) show about the study, with no secrets."""

        config = self.config.model_dump(mode="json")
        config["storage"]["url"] = redact(config["storage"]["url"])  # a database password
        return {
            "name": self.config.name,
            "description": self.config.description,
            "mode": self.config.mode,
            "source": self.config.source,
            "simulated": self.config.simulated,
            "config": config,
            "templates": [t.name for t in self.templates],
            "baselines": self.baselines,
            "n_search": len(self.samples.search),
            "n_holdout": len(self.samples.holdout),
            "excluded_no_image": self.samples.excluded_no_image,
        }


def open_study(config: StudyConfig, *, storage: str | None = None) -> Study:
    """Check all input and build the pieces; no model call happens here."""
    root = config.template_root
    templates = load_templates(config.search.templates, root)
    names = {t.name for t in templates}
    baselines = expand_paths(config.search.baselines, root) if config.search.baselines else []
    for b in baselines:
        if b not in names:
            templates.extend(load_templates([b], root))
            names.add(b)
    samples = load_samples(config)
    target = make_target(config.target, mode=config.mode)
    # every database call rides out an outage of [storage] outage seconds; answers a
    # previous run could not store (framing.storage.recovery) are stored before any call
    backoff = Backoff(outage=config.storage.outage)
    store: Store = ResilientStore(storage or config.storage.url, backoff)
    import_recovered(store)
    prices = None
    if config.target.price_input is not None and config.target.price_output is not None:
        prices = Prices(config.target.price_input, config.target.price_output)
    judge = make_judge(config, store)
    evaluator = Evaluator(target, judge, store, concurrency=config.target.concurrency,
                          images=config.target.images, prices=prices)
    if config.mode == "classify":

        evaluator = ClassifyEvaluator(target, judge, store,
                                      concurrency=config.target.concurrency,
                                      images=config.target.images, prices=prices,
                                      modalities=config.classify.modalities)
    evaluator.backoff = backoff
    return Study(config, templates, baselines, samples, target, store, evaluator)
