"""Hold-out re-validation: the frontier re-evaluated on samples the search never saw.

The best-looking framings of a search are biased upwards (winner's curse): they were
chosen *because* their estimates came out well on the search samples. Re-evaluating
them on the hold-out split (``Study.samples.holdout``, put aside per stratum before the
search sample was drawn) gives estimates free of that selection. The frontier framings,
the constraint pick and the baseline are re-evaluated; per-sample verdicts are stored in
``framing_results`` with split ``"holdout"`` under the search trial's number, and
:func:`framing.points.holdout_points` reads them back. A trial validated once is not
evaluated again (and identical calls are cached anyway).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import optuna

from framing.config import StudyConfig
from framing.constraints import Constraints, constraint_pick
from framing.errors import ConfigError
from framing.events import EventHandler, Notice, ignore
from framing.points import HOLDOUT_SPLIT, Point, frontier, holdout_points, study_points
from framing.storage.optuna_studies import load_existing_study
from framing.storage.tables import redact_url
from framing.study import Study, check_identity, open_study
from framing.templates import Template
from framing.versions import stored_sources, stored_template

__all__ = ["HoldoutCheck", "ValidationResult", "to_validate", "validate_points",
           "validate_study"]


@dataclass(frozen=True)
class HoldoutCheck:
    """One framing's search estimate next to its hold-out estimate."""

    search: Point
    holdout: Point
    calls: int = 0
    cache_hits: int = 0

    def to_json(self) -> dict[str, object]:
        h = self.holdout
        return {
            **self.search.to_json(),
            "holdout": {
                "over_blocking": h.to_json()["over_blocking"],
                "over_blocking_ci": list(h.over_blocking.ci),
                "under_refusal": h.to_json()["under_refusal"],
                "under_refusal_ci": list(h.under_refusal.ci),
                "n_borderline": h.over_blocking.n,
                "n_unsafe": h.under_refusal.n,
                "errors": h.errors,
            },
        }


@dataclass(frozen=True)
class ValidationResult:
    study: str
    checks: list[HoldoutCheck]
    n_holdout: int
    calls: int
    cache_hits: int
    simulated: bool


def to_validate(points: Sequence[Point], constraints: Constraints) -> list[Point]:
    """The frontier, plus the constraint pick and the baseline when they are not on it.

    The baseline is re-evaluated too, so that the baseline → recommended comparison
    (:mod:`framing.assessment`) can be tested on samples the selection never saw.
    """
    chosen = frontier(points)
    pick = constraint_pick(points, constraints)
    baseline = next((p for p in points if p.baseline and not p.stopped_early), None)
    for extra in (pick, baseline):
        if extra is not None and all(p.trial != extra.trial for p in chosen):
            chosen.append(extra)
    return chosen


def point_template(study: Study, point: Point,
                   sources: Mapping[tuple[str, str], str]) -> Template | None:
    """The template text ``point``'s trial ran: the file's when it is still that version,
    else the copy stored with the study (None: neither)."""
    current = next((t for t in study.templates if t.name == point.template), None)
    if current is not None and (not point.version or current.version == point.version):
        return current
    return stored_template(sources, point.template, point.version)


async def validate_points(study: Study, points: Sequence[Point],
                          on_event: EventHandler = ignore,
                          sources: Mapping[tuple[str, str], str] | None = None,
                          ) -> list[HoldoutCheck]:
    """Re-evaluate ``points`` on the hold-out split (those not validated yet), each with
    the template text its trial ran (``sources``: the study's stored versions)."""
    samples = study.samples.holdout
    if not samples:
        return []
    name = study.config.name
    done = holdout_points(name, study.store, points)
    spent: dict[int, tuple[int, int]] = {}
    for p in points:
        if p.trial in done:
            continue
        template = point_template(study, p, sources or {})
        if template is None:
            on_event(Notice(f"hold-out check: trial {p.trial} {p.label} skipped: its "
                            "template text is neither in the files nor stored with the study",
                            level="warning"))
            continue
        on_event(Notice(f"hold-out check: trial {p.trial} {p.label} on {len(samples)} "
                        "samples the search never saw"))
        evaluation = await study.evaluator.evaluate(template, p.params, samples,
                                                    trial=p.trial, on_progress=on_event)
        await asyncio.to_thread(study.store.put_results, name, p.trial, HOLDOUT_SPLIT,
                                [o.row() for o in evaluation.outcomes])
        spent[p.trial] = (evaluation.calls, evaluation.cache_hits)
    done = holdout_points(name, study.store, points)
    return [HoldoutCheck(p, done[p.trial], *spent.get(p.trial, (0, 0)))
            for p in points if p.trial in done]


async def validate_study(config: StudyConfig, *, storage: str | None = None,
                         on_event: EventHandler = ignore) -> ValidationResult:
    """``framing validate``: re-evaluate a stored study's frontier on its hold-out split."""
    url = storage or config.storage.url
    study = open_study(config, storage=storage)
    try:
        opt: optuna.Study = load_existing_study(config.name, url)
        known = study.store.study_identity(config.name)  # reads only: a refusal writes nothing
        check_identity(config, known, redact_url(url), "its hold-out split would not be the "
                       "one the search set aside")
        points = study_points(opt)
        if not study.samples.holdout:
            raise ConfigError(f"study {config.name!r} has no hold-out samples "
                              "(data.holdout = 0); nothing to validate on")
        checks = await validate_points(study, to_validate(points, Constraints.of(
            config.search)), on_event, stored_sources(opt.user_attrs))
    finally:
        await study.aclose()
    return ValidationResult(config.name, checks, len(study.samples.holdout),
                            sum(c.calls for c in checks), sum(c.cache_hits for c in checks),
                            config.simulated)
