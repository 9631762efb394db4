"""``framing search --propose ROUNDS``: search, then rounds of proposals from the frontier.

After the study's trials (``[search] trials``), each round

1. chooses parents on the current frontier (:func:`framing.propose.select.choose_parents`),
2. writes candidates from their failures (:func:`framing.propose.run.propose_from`) into
   ``[propose] folder``; bad candidates are dropped there with a reason, never evaluated,
3. evaluates every candidate as a trial of the **same study** on the same search samples:
   the folder is one of the study's template patterns, so the candidates join its space
   (the growing space of issue #17) and each one is queued as the next trial,
4. rejects the candidates a frontier framing paired-dominates
   (:func:`framing.propose.select.rejected_by`): their files move to ``rejected/`` under
   the folder (their trials and results stay in the study); the rest stay in the space.

Then the frontier, proposals included, is re-checked on the hold-out split like any
other: it was selected on the search samples twice over. A proposed framing is an
ordinary trial: the study resumes, runs on several workers and reports like any other.
"""

from __future__ import annotations

import asyncio
import shutil
from typing import Any

import optuna
from optuna.trial import TrialState

from framing.compare import SampleOutcomes, stored_outcomes
from framing.config import StudyConfig
from framing.errors import ConfigError
from framing.events import EventHandler, Notice, ignore
from framing.points import frontier, study_points
from framing.propose.candidates import REJECTED, Candidate
from framing.propose.run import next_round, propose_from
from framing.propose.select import choose_parents, rejected_by
from framing.search.run import SearchResult, run_search_async
from framing.search.space import Framing, enqueue
from framing.storage.keys import ATTR_DUPLICATE_OF
from framing.storage.optuna_studies import load_existing_study
from framing.storage.tables import Store
from framing.study import load_samples
from framing.templates import Template, load_templates
from framing.wording import plural


def with_proposals(config: StudyConfig) -> StudyConfig:
    """``config`` whose template patterns include the proposals folder (once it holds
    any: a pattern that matches nothing is an error)."""
    pattern = f"{config.propose.folder}/*.j2"
    if pattern in config.search.templates or \
            not any((config.template_root / config.propose.folder).glob("*.j2")):
        return config
    templates = [*config.search.templates, pattern]
    return config.with_overrides([f"search.templates={templates!r}"])


def queue_candidate(opt: optuna.Study, template: Template) -> None:
    """Queue ``template`` (no parameters) as the study's next trial, through the growing
    space (:func:`framing.search.space.enqueue` stores its text with the study)."""
    enqueue(opt, Framing(template, {}))


async def search_with_proposals(config: StudyConfig, rounds: int,
                                on_event: EventHandler = ignore,
                                **kwargs: Any) -> SearchResult:
    """Run the study, then ``rounds`` rounds of proposals; returns the last run's result
    (whose hold-out check covers the final frontier)."""
    if config.source == "<built-in demo>":
        raise ConfigError("--propose writes templates: make a workspace (framing init DIR) "
                          "and run its study file")
    config = with_proposals(config)
    quiet = config.with_overrides(["search.holdout_check=false"])
    url = kwargs.get("storage") or config.storage.url
    result = await run_search_async(quiet, on_event, **kwargs)
    if result.stopped_reason is not None or result.interrupted:
        return result
    samples = (await asyncio.to_thread(load_samples, config)).search
    for rnd in range(1, rounds + 1):
        opt = await asyncio.to_thread(load_existing_study, config.name, url)
        points = await asyncio.to_thread(study_points, opt)
        parents = choose_parents(points, config.propose.parents)
        templates = load_templates(config.search.templates, config.template_root)
        store = Store(url)
        try:
            made = await propose_from(config, parents, templates, store, samples,
                                      round_=_next_round(config, rnd))
        finally:
            store.close()
        kept = [c for r in made for c in r.kept]
        for r in made:
            for d in r.dropped:
                on_event(Notice(f"round {rnd}: dropped a proposal ({d.operator}): {d.reason}"))
        on_event(Notice(f"round {rnd}: {plural(len(kept), 'candidate')} from "
                        f"{plural(len(parents), 'frontier framing')}"))
        if not kept:
            continue
        config = with_proposals(config)
        quiet = config.with_overrides(["search.holdout_check=false"])
        front = frontier(points)
        trials = _claimed(opt) + len(kept)
        for c in kept:
            queue_candidate(opt, c.template)
        result = await run_search_async(quiet, on_event, **{**kwargs, "trials": trials})
        rejected = await asyncio.to_thread(_reject, config, url, kept, front)
        for name, by in rejected:
            on_event(Notice(f"round {rnd}: {name} rejected: trial {by} paired-dominates it"))
        if result.stopped_reason is not None or result.interrupted:
            return result
    final = await asyncio.to_thread(load_existing_study, config.name, url)
    return await run_search_async(config, on_event, **{**kwargs, "trials": _claimed(final)})


def _claimed(opt: optuna.Study) -> int:
    """Trials that count against ``--trials`` (finished or running, as the search counts)."""
    states = (TrialState.COMPLETE, TrialState.RUNNING, TrialState.PRUNED)
    return sum(ATTR_DUPLICATE_OF not in t.user_attrs
               for t in opt.get_trials(deepcopy=False, states=states))


def _next_round(config: StudyConfig, rnd: int) -> int:

    return max(rnd, next_round(config.template_root, config.propose.folder))


def _reject(config: StudyConfig, url: str, kept: list[Candidate],
            front: list[Any]) -> list[tuple[str, int]]:
    """Move the candidates a frontier framing paired-dominates out of the space."""
    opt = load_existing_study(config.name, url)
    by_name = {p.template: p for p in study_points(opt)}
    store = Store(url)
    try:
        trials = [p.trial for p in front] + [by_name[c.name].trial for c in kept
                                             if c.name in by_name]
        outcomes = stored_outcomes(store, config.name, trials)
    finally:
        store.close()
    front_outcomes = {p.trial: outcomes.get(p.trial, SampleOutcomes()) for p in front}
    out = []
    for c in kept:
        point = by_name.get(c.name)
        if point is None:
            continue
        by = rejected_by(point, outcomes.get(point.trial, SampleOutcomes()), front,
                         front_outcomes)
        if by is None:
            continue
        source = config.template_root / c.name
        dest = source.parent / REJECTED / source.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(source), dest)
        out.append((c.name, by.trial))
    return out
