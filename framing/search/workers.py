"""Many workers on one study (DESIGN §8): liveness, the trial budget, who runs a framing.

The same ``framing search`` started any number of times, on any machines, against one
database URL joins one Optuna study. This module holds what makes that safe and cheap:

- **Heartbeats.** A running trial records one every ``[storage] heartbeat`` seconds. A
  trial without one for ``[storage] grace`` seconds belongs to a dead worker: any worker
  fails it and queues its framing again; the re-run finds every stored answer in the
  cache, so only the calls that were in flight are asked again.
- **The budget.** Optuna numbers new trials in order under a lock. A new trial whose
  predecessors already fill ``--trials`` (or a queued trial, when all others do) is
  given back at once, failed with the ``over_budget`` attribute: two workers that both
  saw room for one more trial do not both run one.
- **Framing claims.** The first trial to claim a framing (table ``framing_claims``) runs
  it. A trial proposing a framing that another worker is evaluating is given back at
  once (failed with ``skipped_for``; say, a baseline enqueued by two workers starting
  together) and the sampler is asked again; one proposing a framing already evaluated
  records that result (no call).
- **Per-trial sampler seeds** (:class:`PerTrialSeed`): workers sharing a seed would
  otherwise propose the very same framings.

What is left is two workers evaluating different framings that render an identical
request at the same moment: both pay, one answer is stored. The evaluator counts such
*races* (an insert that finds its key already there) and the trial records them.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import math
import os
import random
import socket
import time
import warnings
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import optuna
from optuna.distributions import BaseDistribution
from optuna.trial import FrozenTrial, TrialState

from framing.events import EventHandler, Notice
from framing.storage.keys import (
    ATTR_CACHE_RACES,
    ATTR_DUPLICATE_OF,
    ATTR_OVER_BUDGET,
    ATTR_PARAMS,
    ATTR_RETRIES,
    ATTR_RETRY_OF,
    ATTR_SKIPPED_FOR,
    ATTR_TEMPLATE,
    ATTR_TEMPLATE_VERSION,
    ATTR_WORKER,
    STUDY_ATTR_TRIALS_PLANNED,
)
from framing.storage.secrets import scrub
from framing.storage.tables import Store
from framing.wording import plural

#: attributes about who ran a trial and how: a repeat of the trial does not copy them
RUN_ATTRS = frozenset({ATTR_WORKER, ATTR_OVER_BUDGET, ATTR_SKIPPED_FOR, ATTR_RETRY_OF,
                       ATTR_RETRIES, ATTR_CACHE_RACES})
#: the attributes that record a trial's framing (framing.search.space.Framing.attrs)
FRAMING_ATTRS = (ATTR_TEMPLATE, ATTR_TEMPLATE_VERSION, ATTR_PARAMS)
#: a framing whose worker died this many times is not queued again
MAX_RETRIES = 3
#: the environment variable that names this worker in trial attributes and listings
WORKER_ENV = "FRAMING_WORKER"

_COUNTED = (TrialState.COMPLETE, TrialState.RUNNING, TrialState.PRUNED)


def worker_name() -> str:
    """``$FRAMING_WORKER``, else ``host:pid``."""
    return os.environ.get(WORKER_ENV) or f"{socket.gethostname()}:{os.getpid()}"


def counts_toward_budget(trial: FrozenTrial) -> bool:
    """Finished or running, and not a free repeat of a framing evaluated before."""
    return trial.state in _COUNTED and ATTR_DUPLICATE_OF not in trial.user_attrs


def framing_key(framing: Sequence[str]) -> str:
    """The claim key of a framing (its template and parameters)."""
    return hashlib.sha256(json.dumps(list(framing)).encode()).hexdigest()


# -- the Optuna storage ------------------------------------------------------------------


def retry_stale_trial(study: optuna.Study, trial: FrozenTrial) -> None:
    """Queue the framing of a trial whose worker died (at most :data:`MAX_RETRIES` times).

    The framing is the trial's user attributes (template, version, parameters); a trial
    of a study stored before versions has it as fixed Optuna parameters instead.
    """
    retries = int(trial.user_attrs.get(ATTR_RETRIES, 0))
    retry = {ATTR_RETRY_OF: trial.number, ATTR_RETRIES: retries + 1}
    if retries >= MAX_RETRIES:
        return
    if ATTR_TEMPLATE in trial.user_attrs:
        framing = {k: trial.user_attrs[k] for k in FRAMING_ATTRS if k in trial.user_attrs}
        study.enqueue_trial({}, user_attrs={**framing, **retry})
    elif trial.params:
        study.enqueue_trial(dict(trial.params), user_attrs=retry)


# -- per-trial sampler seeds ---------------------------------------------------------------


class PerTrialSeed(optuna.samplers.BaseSampler):
    """A sampler rebuilt before each trial with a seed drawn from (seed, trial number).

    Workers that share a study and a seed then propose different framings (each trial
    number is asked by one worker), and a single worker stays reproducible.
    """

    def __init__(self, build: Callable[[int], optuna.samplers.BaseSampler], seed: int) -> None:
        self._build = build
        self._seed = seed
        self._inner = build(seed)

    def __str__(self) -> str:
        return f"PerTrialSeed({self._inner})"

    def trial_seed(self, number: int) -> int:
        digest = hashlib.sha256(f"{self._seed}:{number}".encode()).digest()
        return int.from_bytes(digest[:4], "big")

    def before_trial(self, study: optuna.Study, trial: FrozenTrial) -> None:
        self._inner = self._build(self.trial_seed(trial.number))
        self._inner.before_trial(study, trial)

    def infer_relative_search_space(self, study: optuna.Study,
                                    trial: FrozenTrial) -> dict[str, BaseDistribution]:
        return self._inner.infer_relative_search_space(study, trial)

    def sample_relative(self, study: optuna.Study, trial: FrozenTrial,
                        search_space: dict[str, BaseDistribution]) -> dict[str, Any]:
        return self._inner.sample_relative(study, trial, search_space)

    def sample_independent(self, study: optuna.Study, trial: FrozenTrial, param_name: str,
                           param_distribution: BaseDistribution) -> Any:
        return self._inner.sample_independent(study, trial, param_name, param_distribution)

    def after_trial(self, study: optuna.Study, trial: FrozenTrial, state: TrialState,
                    values: Sequence[float] | None) -> None:
        self._inner.after_trial(study, trial, state, values)

    def reseed_rng(self) -> None:
        self._inner.reseed_rng()


# -- the coordinator ---------------------------------------------------------------------


@dataclass(frozen=True)
class Settled:
    """What to do with a trial's framing: ``run`` it, record it as a ``repeat`` of
    ``earlier`` (no call), or nothing (``skip``: the trial was given back)."""

    action: Literal["run", "repeat", "skip"]
    earlier: FrozenTrial | None = None


class Coordinator:
    """One worker's side of sharing a study with others (see the module docstring)."""

    def __init__(self, opt: optuna.Study, store: Store, study_name: str, *, heartbeat: int,
                 grace: int, on_event: EventHandler) -> None:
        self.opt = opt
        self.store = store
        self.study_name = study_name
        self.heartbeat = heartbeat
        self.grace = grace
        self.on_event = on_event
        self.worker = worker_name()
        self.poll = min(1.0, heartbeat / 2)
        #: when :meth:`fail_stale` last ran (``time.monotonic()``)
        self.stale_checked = -math.inf
        self._announced: set[int] = set()
        self._waiting_noted = False
        self._skips = 0

    # -- liveness --------------------------------------------------------------------------

    def fail_stale(self) -> None:
        """Fail the trials of dead workers and queue their framings again."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            optuna.storages.fail_stale_trials(self.opt)
        self._fail_silent()
        for t in self.opt.get_trials(deepcopy=False, states=(TrialState.WAITING,)):
            earlier = t.user_attrs.get(ATTR_RETRY_OF)
            if earlier is not None and earlier not in self._announced:
                self._announced.add(earlier)
                self.on_event(Notice(
                    f"trial {earlier} stopped sending heartbeats (its worker died or lost "
                    f"the database for over {self.grace} s): failed, and its framing queued "
                    "again; answers already stored are reused", level="warning"))
        self.stale_checked = time.monotonic()

    def _fail_silent(self) -> None:
        """Fail running trials that never sent a heartbeat (their worker died between
        asking and starting) once they are older than the grace period."""
        cutoff = datetime.now() - timedelta(seconds=self.grace * 2)
        storage = self.opt._storage
        for t in self.opt.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            if ATTR_WORKER in t.user_attrs or t.datetime_start is None \
                    or t.datetime_start > cutoff:
                continue
            try:
                if storage.set_trial_state_values(t._trial_id, state=TrialState.FAIL):
                    retry_stale_trial(self.opt, t)
            except optuna.exceptions.UpdateFinishedTrialError:
                pass

    def beat(self, trial_id: int) -> None:
        self.opt._storage.record_heartbeat(trial_id)  # type: ignore[attr-defined]

    def stale_check_due(self) -> bool:
        """Whether :meth:`fail_stale` did not run for a heartbeat interval. A dead
        worker's trial is failed only after ``grace`` seconds without a heartbeat, so
        looking once per heartbeat is soon enough; :meth:`keep_alive` looks while a
        trial runs, and the search loop then need not between trials (where every
        tenth of a second leaves this worker's part of a server's rate unused)."""
        return time.monotonic() - self.stale_checked >= self.heartbeat

    async def keep_alive(self, trial_id: int) -> None:
        """Record the trial's heartbeat until cancelled (a failed beat is retried), and
        fail the trials of dead workers meanwhile."""
        while True:
            try:
                await asyncio.to_thread(self.beat, trial_id)
            except Exception as e:  # the next beat may get through; grace covers a few
                self.on_event(Notice(f"heartbeat of the running trial failed: "
                                     f"{scrub(str(e)).splitlines()[0][:200]}",
                                     level="warning"))
            if self.stale_check_due():
                with contextlib.suppress(Exception):  # else the search loop looks again
                    await asyncio.to_thread(self.fail_stale)
            await asyncio.sleep(self.heartbeat)

    def declared_dead(self, number: int) -> str:
        """What to say when another worker failed a trial this worker was running."""
        return (f"trial {number}: another worker declared it dead (no heartbeat reached the "
                f"database for {self.grace} s) and queued its framing again; the answers "
                "received are stored and the re-run reuses them; continuing")

    # -- the budget --------------------------------------------------------------------------

    def admit(self, trial: optuna.Trial, budget: int) -> bool:
        """Start a freshly asked trial: heartbeat, worker name, and the budget check.

        False (the trial was failed with ``over_budget``) when the trials ahead of it
        already fill ``budget``.
        """
        self.beat(trial._trial_id)
        trial.set_user_attr(ATTR_WORKER, self.worker)
        me = self.opt._storage.get_trial(trial._trial_id)
        queued = "fixed_params" in me.system_attrs
        ahead = sum(
            counts_toward_budget(t)
            for t in self.opt.get_trials(deepcopy=False, states=_COUNTED)
            if t.number != trial.number and (queued or t.number < trial.number)
        )
        if ahead < budget:
            return True
        trial.set_user_attr(ATTR_OVER_BUDGET, True)
        self.opt.tell(trial, state=TrialState.FAIL)
        return False

    async def wait_for_others(self, stop: Callable[[], bool]) -> bool:
        """The budget is claimed: while trials of other workers still run, wait (a dead
        worker's trial is failed after the grace period and frees its place).

        True when the caller should look again, False when nothing runs any more.
        """
        running = [t for t in self.opt.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
                   if ATTR_DUPLICATE_OF not in t.user_attrs]
        if not running or stop():
            return False
        if not self._waiting_noted:
            self._waiting_noted = True
            numbers = ", ".join(str(t.number) for t in running[:10])
            self.on_event(Notice(
                f"every trial is claimed; waiting for {plural(len(running), 'trial')} running "
                f"elsewhere ({numbers}); a trial whose worker died is re-run after "
                f"{self.grace} s without heartbeat"))
        await asyncio.sleep(self.poll)
        return True

    # -- who runs a framing -------------------------------------------------------------------

    def _same_framing(self, owner: FrozenTrial, trial: optuna.Trial) -> bool:
        """Does ``owner`` (a trial holding a claim) record the framing ``trial`` has?"""
        mine = self.opt._storage.get_trial(trial._trial_id)
        if ATTR_TEMPLATE in owner.user_attrs:
            return all(owner.user_attrs.get(k) == mine.user_attrs.get(k) for k in FRAMING_ATTRS)
        return bool(owner.params) and owner.params == mine.params

    async def settle(self, trial: optuna.Trial, framing: Sequence[str]) -> Settled:
        """Claim the trial's framing; or, when another trial has it, record that trial's
        result (it finished) or give this trial back (it is still running: asking the
        sampler again keeps this worker busy, where waiting would idle it)."""
        key = framing_key(framing)
        while True:
            owner_number = await asyncio.to_thread(self.store.claim_framing, self.study_name,
                                                   key, trial.number)
            if owner_number == trial.number:
                self._skips = 0
                return Settled("run")
            owner = self._trial(owner_number)
            if owner is None or owner.state is TrialState.FAIL \
                    or not self._same_framing(owner, trial):
                # the claiming trial ended without a result (or belongs to an earlier study
                # of the same name): take the framing over
                if await asyncio.to_thread(self.store.take_over_framing, self.study_name,
                                           key, owner_number, trial.number):
                    self._skips = 0
                    return Settled("run")
                continue
            if owner.state is TrialState.COMPLETE:
                self._skips = 0
                return Settled("repeat", owner)
            trial.set_user_attr(ATTR_SKIPPED_FOR, owner.number)
            self.opt.tell(trial, state=TrialState.FAIL)
            # a sampler that keeps proposing framings under way elsewhere (the space is
            # nearly exhausted) is asked less and less often
            self._skips += 1
            await asyncio.sleep(min(2.0, 0.05 * 2 ** min(self._skips, 6)) if self._skips > 1
                                else 0)
            return Settled("skip")

    @contextlib.asynccontextmanager
    async def lead(self, job: str) -> AsyncIterator[bool]:
        """Whether this worker does the study-wide ``job`` (say, the hold-out check):
        True for one worker at a time, which holds a lease renewed with the heartbeat;
        the lease of a worker that died expires after the grace period."""
        token = random.randrange(1, 2**31 - 1)
        held = await asyncio.to_thread(self.store.acquire_lease, self.study_name, job, token,
                                       time.time() - self.grace)
        if not held:
            self.on_event(Notice(f"{job}: another worker of this study is doing it; its "
                                 "results are stored with the study"))
            yield False
            return
        renew = asyncio.ensure_future(self._renew(job, token))
        try:
            yield True
        finally:
            renew.cancel()
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self.store.release_lease, self.study_name, job, token)

    async def _renew(self, job: str, token: int) -> None:
        while True:
            await asyncio.sleep(self.heartbeat)
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self.store.renew_lease, self.study_name, job, token)

    def busy_framings(self, framing_of: Callable[[FrozenTrial], Any]) -> set[Any]:
        """The framings of trials running now (on any worker)."""
        busy = set()
        for t in self.opt.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            framing = framing_of(t)
            if framing is not None:
                busy.add(framing)
        return busy

    def _trial(self, number: int) -> FrozenTrial | None:
        for t in self.opt.get_trials(deepcopy=False):
            if t.number == number:
                return t
        return None

    def start(self, trials: int) -> None:
        """Say who else works on the study; remember the planned total for
        ``framing studies`` (best effort)."""
        running = self.opt.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
        if running:
            workers = sorted({str(t.user_attrs[ATTR_WORKER]) for t in running
                              if ATTR_WORKER in t.user_attrs})
            who = f" on {', '.join(workers[:5])}" if workers else ""
            self.on_event(Notice(
                f"joining: {plural(len(running), 'trial')} of this study running{who}; "
                "this worker shares the remaining trials"))
        with contextlib.suppress(Exception):
            self.opt.set_user_attr(STUDY_ATTR_TRIALS_PLANNED, trials)
