"""The Optuna study: the search over framings, two objectives, samplers (DESIGN §3).

:func:`run_search` is the one library entry point; ``framing search`` and the TUI both
call it. It drives Optuna through ask/tell so that the async evaluator owns the loop.
The real study holds no distribution for the framing: each trial records its framing
(template name, content version, parameters) as user attributes, and the next framing
is proposed from the templates as they are now (:mod:`framing.search.space`), so the
space grows with the researcher's edits. Baselines are enqueued first. Every trial
evaluates the same samples, in the same order, so framings are compared pairwise.
Everything that can refuse a run is checked before the first write to the database.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import optuna
from optuna.trial import TrialState

from framing._version import __version__
from framing.compare import SampleOutcomes
from framing.config import StudyConfig
from framing.constraints import Constraints
from framing.errors import ConfigError
from framing.events import (
    EventHandler,
    Notice,
    StudyFinished,
    StudyStarted,
    TrialFinished,
    TrialStarted,
    ignore,
    truncation_alert,
)
from framing.judging import point_keys, trial_attrs
from framing.points import (
    ATTR_BASELINE,
    ATTR_CACHE_HITS,
    ATTR_CALLS,
    ATTR_CONSTRAINTS,
    ATTR_COST,
    ATTR_DUPLICATE_OF,
    ATTR_HYPERVOLUME,
    ATTR_PARAMS,
    ATTR_SAMPLES_PLANNED,
    ATTR_STOPPED_BY,
    ATTR_STOPPED_EARLY,
    ATTR_TALLY,
    ATTR_TEMPLATE_VERSION,
    ATTR_TOKENS,
    STUDY_ATTR_RUNS,
    Point,
    frontier,
    frontier_hypervolume,
    point_from_trial,
    study_points,
)
from framing.search.additive import AdditiveProposer
from framing.search.holdout import to_validate, validate_points
from framing.search.racing import RaceResult, race
from framing.search.screening import ATTR_SCREENING_ESTIMATE, Screening, screen
from framing.search.space import (
    Framing,
    FramingId,
    Proposer,
    TemplateSet,
    enqueue,
    grid,
    legacy_framing,
    remember_source,
    stored_framing,
)
from framing.search.workers import (
    ATTR_CACHE_RACES,
    RUN_ATTRS,
    Coordinator,
    PerTrialSeed,
    retry_stale_trial,
)
from framing.stats import Rate
from framing.storage import optuna_studies
from framing.storage.budget import BudgetReached, open_budget
from framing.storage.tables import redact_url
from framing.study import Study, check_identity, identity, open_study
from framing.targets.http import prompt_tokens
from framing.templates import lint_template, load_template
from framing.versions import legacy_versions, short, stored_sources, stored_template
from framing.wording import plural

optuna.logging.set_verbosity(optuna.logging.WARNING)

#: trial user attribute: which rule stopped a trial early (``racing`` or ``screening``)
ATTR_STOP_RULE = "stop_rule"
#: consecutive proposals of already-evaluated framings before the search gives up
MAX_REPEATS = 200


@dataclass(frozen=True)
class SearchResult:
    study: str
    storage: str
    points: list[Point]
    frontier: list[Point]
    calls: int = 0
    cache_hits: int = 0
    cost: float = 0.0
    trials_run: int = 0
    interrupted: bool = False
    stopped_reason: str | None = None
    simulated: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def make_sampler(config: StudyConfig, sampler: str | None = None,
                 seed: int | None = None) -> optuna.samplers.BaseSampler:
    name = sampler or config.search.sampler
    seed = config.search.seed if seed is None else seed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        if name == "tpe":
            return optuna.samplers.TPESampler(
                seed=seed,
                multivariate=True,
                group=True,
                constant_liar=True,
                n_startup_trials=max(4, min(10, config.search.trials // 4)),
            )
        if name == "nsga2":
            return optuna.samplers.NSGAIISampler(
                seed=seed, population_size=max(4, min(20, config.search.trials // 4))
            )
        if name in ("random", "grid", "additive"):
            # grid and additive choose framings themselves (framing.search.space,
            # framing.search.additive); this only keeps Optuna's ask() cheap
            return optuna.samplers.RandomSampler(seed=seed)
    raise ConfigError(f"search.sampler: unknown sampler {name!r} (tpe, nsga2, random, grid, "
                      "additive)")


def open_optuna_study(config: StudyConfig, storage_url: str,
                      sampler: optuna.samplers.BaseSampler) -> optuna.Study:
    """Create or join the study of ``config`` (heartbeats per ``[storage]``; the framings
    of dead workers are queued again by :func:`framing.search.workers.retry_stale_trial`)."""
    return optuna_studies.open_optuna_study(
        config.name, storage_url, sampler, heartbeat=config.storage.heartbeat,
        grace=config.storage.grace, stale_trial_callback=retry_stale_trial,
        outage=config.storage.outage)


StopCheck = Callable[[], bool]


class _GivenBack(Exception):
    """A trial was given back (failed) before it ran: ask for another."""


@dataclass(frozen=True, slots=True)
class _Recording:
    """A finished trial of this worker whose result is being stored (``task``) while
    its next trial starts."""

    number: int
    framing: FramingId
    task: asyncio.Future[None]


class _Search:
    """One run of a search; state that lives only while it runs."""

    def __init__(self, study: Study, optuna_study: optuna.Study, on_event: EventHandler,
                 trials: int, sampler_name: str, seed: int,
                 stop: StopCheck | threading.Event | None, max_cost: float | None) -> None:
        self.study = study
        self.opt = optuna_study
        self.on_event = on_event
        self.trials = trials
        self.sampler_name = sampler_name
        self.seed = seed
        self.stop = stop
        self.max_cost = max_cost
        self.calls = 0
        self.cache_hits = 0
        self.cost = 0.0
        #: a model judge's spending, counted apart; max_cost caps both together
        self.judge_cost = 0.0
        self.trials_run = 0
        #: calls this run paid for that another worker also paid for (see framing.search.workers)
        self.races = 0
        #: other workers' trials running when this worker last looked (framing.study's
        #: pace_with_others: a server's 429s then set a pace shared out by answers)
        self.others_running = 0
        #: the recording of this worker's last trial, still under way while the next one
        #: starts (only when other workers' trials run: see _run_trial)
        self._recording: _Recording | None = None
        #: verdicts this run recorded, and how many of them were ``truncated``
        self.verdicts = 0
        self.truncated = 0
        self.workers = Coordinator(optuna_study, study.store, study.config.name,
                                   heartbeat=study.config.storage.heartbeat,
                                   grace=study.config.storage.grace, on_event=on_event)
        self.search_config = study.config.search
        self.constraints = Constraints.of(study.config.search)
        #: per-sample outcomes of finished trials (they never change once stored)
        self._outcomes: dict[int, SampleOutcomes] = {}
        self.holdout_calls = 0
        self.proposer = Proposer(lambda s: make_sampler(study.config, sampler_name, s), seed,
                                 exhaustive=sampler_name == "random")
        self.additive = AdditiveProposer(seed, self.constraints.reference)
        #: the space as the template files are now (re-read before each proposal)
        self.space = TemplateSet(
            [*study.config.search.templates, *study.config.search.baselines],
            study.config.template_root, study.templates,
            lambda message: on_event(Notice(message, level="warning")))
        #: trials stored before template versions: the version each name is read as
        self.legacy = {**{t.name: t.version for t in study.templates},
                       **legacy_versions(optuna_study.user_attrs)}
        #: template sources already stored with the study (framing.versions)
        self.sources: set[str] = set()

    def _should_stop(self) -> bool:
        if self.stop is None:
            return False
        if isinstance(self.stop, threading.Event):
            return self.stop.is_set()
        return self.stop()

    def _framing_id_of(self, trial: optuna.trial.FrozenTrial) -> FramingId | None:
        """The framing a stored trial records (or, queued before versions, its fixed
        Optuna parameters); None when it has none yet."""
        fid = stored_framing(trial.user_attrs, self.legacy)
        if fid is not None:
            return fid
        fixed = trial.params or trial.system_attrs.get("fixed_params") or {}
        legacy = legacy_framing(fixed, self.study.templates)
        return legacy.id if legacy is not None else None

    def _finished_framings(self) -> dict[FramingId, optuna.trial.FrozenTrial]:
        done: dict[FramingId, optuna.trial.FrozenTrial] = {}
        for t in self.opt.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
            fid = stored_framing(t.user_attrs, self.legacy)
            if fid is not None and ATTR_DUPLICATE_OF not in t.user_attrs:
                done.setdefault(fid, t)
        return done

    def _fruitless(self) -> set[FramingId]:
        """Framings evaluated without a single counted verdict (every answer an error or
        cut off; the trial failed): asking again would only read the same cached answers,
        so they are taken like the framings with a result."""
        return {fid for t in self.opt.get_trials(deepcopy=False, states=(TrialState.FAIL,))
                if ATTR_TALLY in t.user_attrs
                and (fid := stored_framing(t.user_attrs, self.legacy)) is not None}

    def _enqueue_baselines(self) -> None:
        done = self._finished_framings()
        waiting = {self._framing_id_of(t)
                   for t in self.opt.get_trials(deepcopy=False, states=(TrialState.WAITING,))}
        for name in self.study.baselines:
            template = self.study.template(name)
            framing = Framing(template, template.defaults())
            if framing.id not in done and framing.id not in waiting:
                enqueue(self.opt, framing, known=self.sources)

    def _queued_framing(self, trial: optuna.Trial) -> Framing | None:
        """The framing a queued trial was given (a baseline, a dead worker's re-run, a
        framing added with :func:`framing.search.space.enqueue`); None for a new trial."""
        frozen = self.opt._storage.get_trial(trial._trial_id)
        fid = stored_framing(frozen.user_attrs, self.legacy)
        if fid is None:
            return legacy_framing(frozen.system_attrs.get("fixed_params") or {},
                                  self.study.templates)
        name, version, _ = fid
        params = dict(frozen.user_attrs.get(ATTR_PARAMS, {}))
        for t in self.space.templates:
            if (t.name, t.version) == (name, version):
                return Framing(t, params)
        stored = stored_template(stored_sources(self.opt.user_attrs), name, version)
        if stored is None:
            self.on_event(Notice(f"trial {trial.number} was queued with {name}@"
                                 f"{short(version)}, whose text this study did not store: "
                                 "given back", level="warning"))
            self.opt.tell(trial, state=TrialState.FAIL)
            raise _GivenBack
        return Framing(stored, params)

    def _completed(self) -> int:
        """Trials finished with a result (repeats of an evaluated framing not counted)."""
        return sum(ATTR_DUPLICATE_OF not in t.user_attrs
                   for t in self.opt.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)))

    def _claimed(self) -> int:
        """Trials finished or being run (by any worker): what counts against ``--trials``.
        Repeats of an evaluated framing cost nothing and do not count."""
        states = (TrialState.COMPLETE, TrialState.RUNNING, TrialState.PRUNED)
        trials = self.opt.get_trials(deepcopy=False, states=states)
        # read between this worker's trials: every running one is another worker's (but
        # the last one of this worker, while it is being recorded)
        mine = self._recording.number if self._recording is not None else None
        self.others_running = sum(t.state is TrialState.RUNNING and t.number != mine
                                  for t in trials)
        return sum(ATTR_DUPLICATE_OF not in t.user_attrs for t in trials)

    def _propose(self, done: Mapping[FramingId, optuna.trial.FrozenTrial]) -> Framing | None:
        """The next framing of the space as the templates are now, none evaluated or under
        way (None: every framing is taken)."""
        templates = self.space.refresh()
        busy = self.workers.busy_framings(self._framing_id_of) | self._fruitless()
        if self._recording is not None:  # being recorded: may be neither running nor done
            busy.add(self._recording.framing)
        number = len(self.opt.get_trials(deepcopy=False))
        if self.sampler_name == "grid":
            return next((f for f in grid(templates, self.seed)
                         if f.id not in done and f.id not in busy), None)
        if self.sampler_name == "additive":
            return self.additive.propose(templates, done, busy, number)
        return self.proposer.propose(templates, done, busy, number)

    async def run(self) -> SearchResult:
        await asyncio.to_thread(self.workers.fail_stale)
        await asyncio.to_thread(self._enqueue_baselines)
        try:
            stopped_reason = await self._loop()
        finally:
            await self._settle()  # the last trial's result is stored before anything else
        if stopped_reason is None and self.search_config.holdout_check:
            async with self.workers.lead("hold-out check") as leading:
                if leading:  # one worker at a time: others would pay for the same calls
                    await self._holdout_check()
        return self._result(stopped_reason)

    async def _loop(self) -> str | None:
        """Run trials until the budget is claimed (None) or the search stops (why)."""
        stopped_reason: str | None = None
        baselines = set(self.study.baselines)
        repeats = 0
        waiting = False
        while True:
            await self._settle(wait=False)
            if waiting or self.workers.stale_check_due():
                await asyncio.to_thread(self.workers.fail_stale)
            waiting = False
            if self._claimed() >= self.trials:
                if self._recording is not None:  # this worker's last trial is still running
                    await self._settle()
                    continue
                self.study.rest()  # nothing to send: a learnt server rate goes to the others
                if await self.workers.wait_for_others(self._should_stop):
                    waiting = True  # other workers' trials still run: they may fail and
                    continue  # free room (looked for at every turn)
                break
            if self._should_stop():
                stopped_reason = "stopped"
                break
            if self.max_cost is not None and self._spent() >= self.max_cost:
                stopped_reason = f"max cost ${self.max_cost:.2f} reached"
                break
            done_framings = self._finished_framings()
            nxt: Framing | None = None
            if not self.opt.get_trials(deepcopy=False, states=(TrialState.WAITING,)):
                # queued trials (baselines, re-runs of a dead worker's) go first; else the
                # next framing is chosen here, never one evaluated or under way
                nxt = await asyncio.to_thread(self._propose, done_framings)
                if nxt is None:
                    self.on_event(Notice("space exhausted: every framing has been evaluated"))
                    break
            trial = self._ask()
            try:
                if not self.workers.admit(trial, self.trials):
                    continue  # another worker took the last place first
                framing = await asyncio.to_thread(self._queued_framing, trial)
                if framing is None:
                    # a new trial (or the queued one another worker took first): ours
                    framing = nxt or await asyncio.to_thread(self._propose, done_framings)
                    if framing is None:
                        self.opt.tell(trial, state=TrialState.FAIL)
                        continue
                await asyncio.to_thread(self._assign, trial, framing)
                earlier = done_framings.get(framing.id)
                if earlier is None:  # is another worker evaluating this framing?
                    settled = await self.workers.settle(trial, framing.id)
                    if settled.action == "skip":
                        continue
                    earlier = settled.earlier
                if earlier is not None:
                    self._repeat(trial, earlier)
                    repeats += 1
                    if repeats >= MAX_REPEATS:
                        self.on_event(Notice("the sampler keeps proposing framings already "
                                             "evaluated: the space looks exhausted"))
                        break
                    continue
                repeats = 0
                await self._run_trial(trial, framing, framing.template.name in baselines)
            except _GivenBack:
                continue
            except optuna.exceptions.UpdateFinishedTrialError:
                # another worker failed this trial: no heartbeat got through for the grace
                # period (a network or database outage); it queued the framing again
                self.on_event(Notice(self.workers.declared_dead(trial.number), level="warning"))
                continue
            except BudgetReached as reached:  # the study's spend, all workers and runs
                self._fail_unfinished(trial, stopped_by="max_cost")
                stopped_reason = str(reached)
                break
            except BaseException:
                # Ctrl-C can land after a worker thread already told the trial complete
                self._fail_unfinished(trial)
                raise
        return stopped_reason

    def _assign(self, trial: optuna.Trial, framing: Framing) -> None:
        """Record the trial's framing unless it was queued with it (and store its
        template's text with the study, once per version)."""
        remember_source(self.opt, framing.template, self.sources)
        if ATTR_TEMPLATE_VERSION not in trial.user_attrs:
            for key, value in framing.attrs().items():
                trial.set_user_attr(key, value)

    def _spent(self) -> float:
        """The study's spend (every worker and run; this run's when no gate is set)."""
        budget = self.study.evaluator.budget
        return budget.total if budget is not None else self.cost + self.judge_cost

    async def _holdout_check(self) -> None:
        """Re-evaluate the frontier on the hold-out split the search never saw."""

        points = await asyncio.to_thread(study_points, self.opt)
        try:
            checks = await validate_points(self.study, to_validate(points, self.constraints),
                                           self.on_event, stored_sources(self.opt.user_attrs))
        except BudgetReached as reached:  # hold-out calls are paid from the same budget
            self.on_event(Notice(f"hold-out check stopped: {reached}", level="warning"))
            return
        self.holdout_calls = sum(c.calls for c in checks)
        self.calls += self.holdout_calls
        self.cache_hits += sum(c.cache_hits for c in checks)
        if self.holdout_calls:
            self.on_event(Notice(f"hold-out check: {plural(len(checks), 'framing')} on the "
                                 f"hold-out split, {self.holdout_calls:,} calls"))

    def _ask(self) -> optuna.Trial:
        # We record heartbeats ourselves (see _heartbeat), which Optuna does not expect
        # outside Study.optimize; its warning about that is noise here.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Heartbeat of storage")
            return self.opt.ask()

    def _repeat(self, trial: optuna.Trial, earlier: optuna.trial.FrozenTrial) -> None:
        """Tell the sampler the known result of a framing it proposed again (no call)."""
        for key, value in earlier.user_attrs.items():
            if key not in RUN_ATTRS:  # who ran the earlier trial, and how, stays there
                trial.set_user_attr(key, value)
        trial.set_user_attr(ATTR_DUPLICATE_OF, earlier.number)
        trial.set_user_attr(ATTR_CALLS, 0)
        point = point_from_trial(earlier)
        if point is not None:
            self._tell_constraints(trial, point.over_blocking, point.under_refusal)
        self.opt.tell(trial, earlier.values)

    def _tell_constraints(self, trial: optuna.Trial, over_blocking: Rate,
                          under_refusal: Rate) -> None:
        """Store the constraint values and tell them to Optuna (TPE and NSGA-II steer by
        them); nothing when the study has no constraint."""
        values = self.constraints.values(over_blocking, under_refusal)
        if values:
            trial.set_user_attr(ATTR_CONSTRAINTS, values)
            for key, value in values.items():
                trial.set_constraint(key, value)

    async def _run_trial(self, trial: optuna.Trial, framing: Framing, baseline: bool) -> None:
        template, params = framing.template, framing.params
        samples = self.study.search_samples
        self.on_event(TrialStarted(trial.number, template.name, dict(params), len(samples),
                                   baseline))
        heartbeat = asyncio.ensure_future(self._heartbeat(trial._trial_id))
        others = self.others_running > 0
        self.study.pace_with_others(others)
        races_before = self.study.evaluator.races
        try:
            cfg = self.search_config
            if cfg.screening:
                raced = await screen(
                    self.study.evaluator, template, params, samples, self._rivals,
                    Screening(cfg.screening_batch, cfg.screening_margin, cfg.screening_risk,
                              cfg.screening_order),
                    racing_confidence=cfg.racing_confidence if cfg.racing else None,
                    trial=trial.number, on_progress=self.on_event,
                )
            elif cfg.racing:
                raced = await race(
                    self.study.evaluator, template, params, samples, self._rivals,
                    batch=cfg.racing_batch, confidence=cfg.racing_confidence,
                    trial=trial.number, on_progress=self.on_event,
                )
            else:
                evaluation = await self.study.evaluator.evaluate(
                    template, params, samples, trial=trial.number, on_progress=self.on_event
                )
                raced = RaceResult(evaluation, len(samples))
        finally:
            heartbeat.cancel()
        races = self.study.evaluator.races - races_before
        self.races += races
        await self._settle()  # the previous trial is told first
        if not others:
            await self._finish(trial, framing, baseline, raced, races)
            return
        # Other workers send to the same server: recording this trial (its answers, a
        # dozen attributes, the tell: some tenths of a second of database round trips)
        # overlaps the next trial's proposal and first calls, else this worker's part of
        # the server's rate would go unused meanwhile. The next proposal then does not
        # see this result, as it does not see the other workers' running trials; alone,
        # the sampler sees every result before it proposes (a single worker's search is
        # the same as before).
        self._recording = _Recording(trial.number, framing.id, asyncio.ensure_future(
            self._finish_later(trial, framing, baseline, raced, races)))

    async def _finish(self, trial: optuna.Trial, framing: Framing, baseline: bool,
                      raced: RaceResult, races: int) -> None:
        """Store a trial's answers and result and tell it to Optuna."""
        await asyncio.to_thread(trial.set_user_attr, ATTR_CACHE_RACES, races)
        await asyncio.to_thread(self._record, trial, framing, baseline, raced)
        self.trials_run += 1

    async def _finish_later(self, trial: optuna.Trial, framing: Framing, baseline: bool,
                            raced: RaceResult, races: int) -> None:
        """:meth:`_finish` while the next trial runs: a trial that cannot be recorded
        is failed (unless another worker failed it first), as the search loop does."""
        try:
            await self._finish(trial, framing, baseline, raced, races)
        except optuna.exceptions.UpdateFinishedTrialError:
            raise
        except BaseException:
            self._fail_unfinished(trial)
            raise

    def _fail_unfinished(self, trial: optuna.Trial, stopped_by: str | None = None) -> None:
        """Tell Optuna the trial failed, unless it is finished already (a worker thread
        told it complete, or another worker failed it); ``stopped_by`` says why."""
        if self.opt._storage.get_trial(trial._trial_id).state.is_finished():
            return
        if stopped_by is not None:
            trial.set_user_attr(ATTR_STOPPED_BY, stopped_by)
        self.opt.tell(trial, state=TrialState.FAIL)

    async def _settle(self, wait: bool = True) -> None:
        """Wait for the recording of this worker's last trial, if one is under way
        (``wait=False``: only when it is over); its error is raised here."""
        recording = self._recording
        if recording is None or not (wait or recording.task.done()):
            return
        try:
            await asyncio.shield(recording.task)
        except optuna.exceptions.UpdateFinishedTrialError:
            # another worker failed it (no heartbeat got through for the grace period)
            self.on_event(Notice(self.workers.declared_dead(recording.number),
                                 level="warning"))
        finally:
            if recording.task.done():
                self._recording = None

    async def _rivals(self) -> dict[int, SampleOutcomes]:
        """The current frontier's per-sample outcomes (racing compares against them)."""
        return await asyncio.to_thread(self._frontier_outcomes)

    def _frontier_outcomes(self) -> dict[int, SampleOutcomes]:
        front = frontier(study_points(self.opt))
        name = self.study.config.name
        for p in front:
            if p.trial not in self._outcomes:
                rows = self.study.store.get_results(name, p.trial, "search")
                self._outcomes[p.trial] = SampleOutcomes.from_rows(rows)
        return {p.trial: self._outcomes[p.trial] for p in front}

    async def _heartbeat(self, trial_id: int) -> None:
        await self.workers.keep_alive(trial_id)

    def _record(self, trial: optuna.Trial, framing: Framing, baseline: bool,
                raced: RaceResult) -> None:
        evaluation = raced.evaluation
        tally = evaluation.tally
        self.study.store.put_results(self.study.config.name, trial.number, "search",
                                     [o.row() for o in evaluation.outcomes])
        attrs = {
            **framing.attrs(),
            ATTR_TALLY: {k: getattr(tally, k) for k in tally.__dataclass_fields__},
            ATTR_CALLS: evaluation.calls,
            ATTR_CACHE_HITS: evaluation.cache_hits,
            ATTR_COST: evaluation.cost,
            ATTR_TOKENS: [evaluation.input_tokens, evaluation.output_tokens],
            ATTR_BASELINE: baseline,
            ATTR_SAMPLES_PLANNED: raced.planned,
            **trial_attrs(self.study.config, evaluation),
        }
        values = [tally.over_blocking.value, tally.under_refusal.value]
        if raced.stopped_early:
            attrs[ATTR_STOPPED_EARLY] = True
            attrs[ATTR_STOPPED_BY] = raced.stopped_by
            attrs[ATTR_STOP_RULE] = raced.rule
        if not any(math.isnan(v) for v in values):
            attrs[ATTR_HYPERVOLUME] = self._hypervolume_with(
                None if raced.stopped_early else (tally.over_blocking, tally.under_refusal))
            self._tell_constraints(trial, tally.over_blocking, tally.under_refusal)
        for key, value in attrs.items():
            trial.set_user_attr(key, value)
        self.calls += evaluation.calls
        self.cache_hits += evaluation.cache_hits
        self.cost += evaluation.cost
        self.judge_cost += evaluation.judge_usage.cost
        self.verdicts += len(evaluation.outcomes)
        self.truncated += tally.truncated
        if any(math.isnan(v) for v in values):
            # a subset with no counted verdict (all errors): nothing to place on the plot
            self.opt.tell(trial, state=TrialState.FAIL)
            self.on_event(Notice(f"trial {trial.number}: no counted verdicts "
                                 f"({tally.errors} errors, {tally.truncated} truncated); "
                                 "marked failed", level="warning"))
            return
        told = values
        if raced.estimate is not None:  # screened: the samples asked were chosen
            told = [round(v, 6) for v in raced.estimate]
            trial.set_user_attr(ATTR_SCREENING_ESTIMATE, told)
        frozen = self.opt.tell(trial, told)
        point = point_from_trial(frozen)
        self.on_event(TrialFinished(point, evaluation.calls, evaluation.cache_hits,
                                    evaluation.cost))

    def _hypervolume_with(self, rates: tuple[Rate, Rate] | None) -> float:
        """Hypervolume of the study's frontier including a trial about to be told."""
        points = study_points(self.opt)
        if rates is not None:
            points.append(Point(trial=-1, template="", params={}, over_blocking=rates[0],
                                under_refusal=rates[1]))
        return frontier_hypervolume(points)

    def _result(self, stopped_reason: str | None, interrupted: bool = False) -> SearchResult:
        points = study_points(self.opt)
        front = frontier(points)
        alert = truncation_alert(self.truncated, self.verdicts,
                                 self.study.config.target.max_tokens)
        if alert is not None:
            self.on_event(alert)
        self.on_event(StudyFinished(self.study.config.name, front, len(points), self.calls,
                                    self.cache_hits, self.cost, interrupted, stopped_reason,
                                    races=self.races))
        return SearchResult(
            study=self.study.config.name,
            storage=redact_url(self.study.store.url),
            points=points,
            frontier=front,
            calls=self.calls,
            cache_hits=self.cache_hits,
            cost=self.cost,
            trials_run=self.trials_run,
            interrupted=interrupted,
            stopped_reason=stopped_reason,
            simulated=self.study.config.simulated,
        )


def plan_line(study: Study, remaining: int) -> str:
    n = len(study.search_samples)
    target = study.config.target
    what = f"{target.kind}:{target.model}" + (" (simulated)" if study.config.simulated else "")
    # everything that may be asked: classify mode's two single-modality calls per sample,
    # the hold-out re-check (at worst every trial is on the frontier, plus the baseline)
    # and a model judge's call per answer
    per_sample = 3 if study.config.mode == "classify" and study.config.classify.modalities \
        else 1
    search_calls = remaining * n * per_sample
    holdout_calls = 0
    if study.config.search.holdout_check and study.samples.holdout and remaining:
        holdout_calls = (remaining + 1) * len(study.samples.holdout) * per_sample
    target_calls = search_calls + holdout_calls
    judge = study.config.judge.target if study.config.judge.kind == "model" else None
    line = (f"plan: {plural(remaining, 'trial')} × {n} samples = at most {search_calls:,} calls "
            f"to {what}")
    if holdout_calls:
        line += f" (+ at most {holdout_calls:,} for the hold-out check)"
    if judge is not None:
        line += f", {target_calls:,} judge calls"
    line += "; cached calls are free"
    if target.price_input is not None and target.price_output is not None:
        prompt = _prompt_tokens(study)
        worst = target_calls * (prompt * target.price_input
                                + target.max_tokens * target.price_output) / 1e6
        if judge is not None and judge.price_input is not None \
                and judge.price_output is not None:
            # the judge reads the request and the answer (and its own instructions)
            judge_in = prompt + target.max_tokens + JUDGE_PROMPT_TOKENS
            worst += target_calls * (judge_in * judge.price_input
                                     + judge.max_tokens * judge.price_output) / 1e6
        line += f"; worst-case cost ≈ ${worst:,.2f}"
    if study.config.search.screening:
        line += ("; screening stops trials that cannot beat the frontier by more than "
                 "its margin")
    if study.config.search.racing:
        line += "; racing stops trials confidently dominated by the frontier"
    if study.config.search.holdout_check and study.samples.holdout:
        line += (f"; then the frontier is re-checked on {len(study.samples.holdout)} "
                 "hold-out samples")
    return line


#: a model judge's instructions, in tokens, on top of the request and answer it reads
JUDGE_PROMPT_TOKENS = 400


def _prompt_tokens(study: Study) -> float:
    """Input tokens of one call, estimated on the search samples for the wordiest
    template at its defaults (sim: a flat 600)."""
    if study.config.simulated or not study.search_samples or not study.templates:
        return 600.0

    samples = study.search_samples
    images = study.config.target.images
    return max(
        sum(prompt_tokens(study.config.target.kind,
                          study.evaluator.render(t, t.defaults(), s),
                          images and s.image is not None) for s in samples) / len(samples)
        for t in study.templates
    )


async def run_search_async(
    config: StudyConfig,
    on_event: EventHandler = ignore,
    *,
    trials: int | None = None,
    storage: str | None = None,
    sampler: str | None = None,
    seed: int | None = None,
    max_cost: float | None = None,
    stop: StopCheck | threading.Event | None = None,
) -> SearchResult:
    """Run (or continue) the study ``config`` describes until it has ``trials`` trials.

    Every input is checked before the first call. Ctrl-C (cancellation) marks the trial
    in flight as failed and keeps every stored answer; running again continues.
    """
    # everything that can refuse the run is checked before the first write (the study's
    # row, the Optuna study, a trial, a study attribute): a run that exits 2 changes nothing
    total = trials if trials is not None else config.search.trials
    if total < 0:
        raise ConfigError(f"--trials {total}: give a number of trials, 0 or more")
    sampler_name = sampler or config.search.sampler
    base_seed = config.search.seed if seed is None else seed
    make_sampler(config, sampler_name, base_seed)  # an unknown sampler is refused here
    limit = max_cost if max_cost is not None else config.search.max_cost
    if limit is not None and limit < 0:
        raise ConfigError(f"max cost {limit}: give an amount in dollars, 0 or more")
    study = open_study(config, storage=storage)  # templates, data, target: then the database
    url = storage or config.storage.url
    try:
        ident = identity(config)
        known = await asyncio.to_thread(study.store.study_identity, config.name)
        check_identity(config, known, redact_url(url), "give this one a new name (name = ... "
                       "in the study file, or --set name=...) or another storage")
        plan = plan_line(study, total)  # renders the templates on the study's samples
        await asyncio.to_thread(study.store.register_study, config.name, study.describe(),
                                ident)
        # the real study holds no distributions: each trial records its framing as user
        # attributes (framing.search.space), so the space can grow; its own sampler only
        # keeps Optuna's ask() cheap
        opt = open_optuna_study(config, url, PerTrialSeed(
            lambda s: make_sampler(config, "random", s), base_seed))
        search = _Search(study, opt, on_event, total, sampler_name, base_seed, stop, limit)
        # the study's spend is recorded whether or not it has a budget, so that a budget
        # set later counts what was spent before (framing.storage.budget)
        study.evaluator.budget = await asyncio.to_thread(
            open_budget, math.inf if search.max_cost is None else search.max_cost,
            study.store.engine, config.name)
        await study.share_limits()  # rate limits hold for all workers together
        done = search._completed()
        remaining = max(0, total - search._claimed())
        if remaining != total:
            plan = plan_line(study, remaining)
        on_event(StudyStarted(config.name, redact_url(url), total, done,
                              len(study.search_samples), config.simulated, plan))
        if remaining == 0:
            on_event(Notice(f"study {config.name!r} already has {plural(done, 'trial')}; "
                            "raise --trials to run more"))
        await asyncio.to_thread(search.workers.start, total)
        started = time.monotonic()
        try:
            result = await search.run()
        except (asyncio.CancelledError, KeyboardInterrupt):
            search._result("interrupted", interrupted=True)
            raise
        finally:
            _record_run(opt, search, time.monotonic() - started)
        result.extra["wall_time"] = time.monotonic() - started
        result.extra["races"] = search.races
        result.extra["holdout_calls"] = search.holdout_calls
        return result
    finally:
        await study.aclose()


def _record_run(opt: optuna.Study, search: _Search, wall_time: float) -> None:
    """Append this run (version, sampler, seed, wall time, calls) to the study's attrs.

    Best effort: it is metadata for the report, and must not mask the run's own outcome.
    """

    run = {"version": __version__, "sampler": search.sampler_name, "seed": search.seed,
           "wall_time": round(wall_time, 3), "trials_run": search.trials_run,
           "calls": search.calls, "cache_hits": search.cache_hits, "cost": search.cost,
           "finished": time.time()}
    try:
        runs = list(opt.user_attrs.get(STUDY_ATTR_RUNS, []))
        opt.set_user_attr(STUDY_ATTR_RUNS, [*runs, run])
    except Exception:  # the database went away: the run's own error says so
        pass


def run_search(config: StudyConfig, on_event: EventHandler = ignore,
               **kwargs: Any) -> SearchResult:
    """Synchronous twin of :func:`run_search_async`."""
    return asyncio.run(run_search_async(config, on_event, **kwargs))


@dataclass(frozen=True)
class FramingResult:
    """One framing evaluated outside a search (``framing eval``)."""

    point: Point
    calls: int
    cache_hits: int
    simulated: bool
    input_tokens: int = 0
    output_tokens: int = 0
    #: verdicts, and how many were cut off by the token budget (never judged)
    verdicts: int = 0
    truncated: int = 0


async def evaluate_framing(config: StudyConfig, template_name: str, params: Mapping[str, Any],
                           *, limit: int | None = None) -> FramingResult:
    """Evaluate one framing on the study's search samples (at most ``limit`` per subset).

    Answers go through the same cache as searches: an identical call is never repeated.
    """
    from pathlib import Path

    if Path(template_name).exists():
        template = load_template(template_name)
    else:
        template = load_template(template_name, root=config.template_root)
    lint_template(template)
    resolved = template.resolve_params(params)
    study = open_study(config)
    try:
        samples = list(study.search_samples)
        if limit is not None:
            per: dict[str, int] = {}
            kept = []
            for s in samples:
                g = s.joint_grade.value
                if per.get(g, 0) < limit:
                    per[g] = per.get(g, 0) + 1
                    kept.append(s)
            samples = kept
        evaluation = await study.evaluator.evaluate(template, resolved, samples)
    finally:
        await study.aclose()
    t = evaluation.tally
    point = Point(
        trial=-1,
        template=template.name,
        params=resolved,
        over_blocking=t.over_blocking,
        under_refusal=t.under_refusal,
        errors=t.errors,
        undetermined=t.undetermined,
        partial=t.partial,
        false_refusal=t.false_refusal if t.safe_n else None,
        calls=evaluation.calls,
        cache_hits=evaluation.cache_hits,
        cost=evaluation.cost,
        extra=point_keys(trial_attrs(config, evaluation)),
    )
    return FramingResult(point, evaluation.calls, evaluation.cache_hits, config.simulated,
                         evaluation.input_tokens, evaluation.output_tokens,
                         len(evaluation.outcomes), t.truncated)
