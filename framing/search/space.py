"""The search space: framings from templates, and proposals that are never wasted.

A framing is a template with values for its declared parameters; Optuna sees the template
as a categorical choice (:data:`TEMPLATE_PARAM`) and each template's parameters as
conditional on it (:func:`suggest`).

The next framing to evaluate is one nobody has.

Optuna's samplers know nothing of framings: on a small space TPE proposes a framing it
has already evaluated again and again (the demo study once held 99 trials for 40
framings). Each repeat cost no call, but it was a proposal spent and a trial in the study.

So the search no longer asks the study's sampler directly. :func:`propose` asks the
configured sampler on a *shadow* study in memory that holds a copy of the finished
trials; a proposal of a framing already evaluated (or being evaluated by another worker)
is told there with its known result (or failed) and the sampler is asked again. After
:data:`ATTEMPTS` such proposals, or at once for the random sampler once most of the space
is taken, it falls back to a seeded random choice among the framings not yet evaluated
(the space enumerated with ``Template.grid``). The chosen framing is then queued in the
real study with its parameters fixed, so the real study holds one trial per framing.

The shadow sampler is rebuilt for each proposal with a seed drawn from (seed, trial
number, attempt), as :class:`framing.search.workers.PerTrialSeed` does for the study's own.
"""

from __future__ import annotations

import hashlib
import random
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState

from framing.errors import ConfigError
from framing.points import ATTR_DUPLICATE_OF
from framing.templates import Param, ParamValue, Template

__all__ = ["ATTEMPTS", "TEMPLATE_PARAM", "FramingId", "Proposer", "fixed_params", "framing_id",
           "grid", "param_key", "space", "suggest"]

TEMPLATE_PARAM = "template"

#: proposals of taken framings before the fallback to a random untaken one
ATTEMPTS = 12

FramingId = tuple[str, str]
Suggest = Callable[[optuna.Trial, list[Template]], tuple[Template, dict[str, Any]]]


def framing_id(template: Template | str, params: Mapping[str, Any]) -> FramingId:
    """A framing's identity: its template and its parameters."""
    name = template if isinstance(template, str) else template.name
    return (name, repr(sorted(params.items())))


def space(templates: Iterable[Template]) -> Iterator[tuple[Template, dict[str, Any]]]:
    """Every framing of the space (float parameters on a few grid points)."""
    for t in templates:
        for params in t.grid():
            yield t, dict(params)


def param_key(template: Template, param: Param) -> str:
    """Optuna's name for a template's parameter (names are per template)."""
    return f"{template.stem}.{param.name}"


def suggest(trial: optuna.Trial, templates: list[Template]) -> tuple[Template, dict[str, Any]]:
    """Sample a framing: the template, then its own parameters.

    Optuna fixes a parameter's choices at its first trial; a study whose set of templates
    or parameter declarations changed since is refused with a clear message.
    """
    try:
        return _suggest(trial, templates)
    except ValueError as e:
        if "dynamic value space" not in str(e) and "does not support" not in str(e):
            raise
        raise ConfigError(
            f"the templates or their parameters changed since this study's first trial "
            f"(Optuna: {e}); give the study a new name (--set name=...) to search the new "
            "space, or restore the templates"
        ) from None


def _suggest(trial: optuna.Trial, templates: list[Template]) -> tuple[Template, dict[str, Any]]:
    stem = trial.suggest_categorical(TEMPLATE_PARAM, [t.stem for t in templates])
    template = next(t for t in templates if t.stem == stem)
    params: dict[str, Any] = {}
    for p in template.params:
        key = param_key(template, p)
        if p.kind == "choices":
            params[p.name] = trial.suggest_categorical(key, list(p.choices))
        elif p.kind == "bool":
            params[p.name] = trial.suggest_categorical(key, [False, True])
        elif p.kind == "int":
            params[p.name] = trial.suggest_int(key, int(p.low), int(p.high))
        else:
            params[p.name] = trial.suggest_float(key, p.low, p.high, log=p.log)
    return template, params


def fixed_params(template: Template, params: Mapping[str, ParamValue]) -> dict[str, Any]:
    """Optuna parameters that pin a trial to one framing (for enqueueing)."""
    return {TEMPLATE_PARAM: template.stem,
            **{param_key(template, template.param(k)): v for k, v in params.items()}}


def grid(templates: list[Template], seed: int) -> Iterator[tuple[Template, dict[str, Any]]]:
    """Every framing of the space, in a seeded order (the grid sampler's plan)."""
    framings = [(t, params) for t in templates for params in t.grid()]
    random.Random(seed).shuffle(framings)
    return iter(framings)


def _seed(seed: int, number: int, attempt: int) -> int:
    digest = hashlib.sha256(f"{seed}:{number}:{attempt}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


class Proposer:
    """Chooses the framing of the next trial (one search run, one worker)."""

    def __init__(self, templates: list[Template], build: Callable[[int], Any], seed: int,
                 suggest: Suggest, *, exhaustive: bool = False) -> None:
        self.templates = templates
        self.build = build
        self.seed = seed
        self.suggest = suggest
        #: random sampler on a finite space: draw uniformly from the untaken framings
        self.exhaustive = exhaustive
        self.fallbacks = 0

    def propose(self, opt: optuna.Study, taken: Mapping[FramingId, FrozenTrial | None],
                number: int) -> tuple[Template, dict[str, Any]] | None:
        """A framing not in ``taken`` (evaluated ones map to their trial, busy ones to
        None); None when every framing of the space is taken (for a space with float parameters:
        when no untaken framing turned up)."""
        untaken = [(t, p) for t, p in space(self.templates)
                   if framing_id(t, p) not in taken]
        finite = all(p.kind != "float" for t in self.templates for p in t.params)
        if finite and not untaken:
            return None
        rng = random.Random(_seed(self.seed, number, -1))
        if untaken and finite and (self.exhaustive or len(untaken) == 1):
            return rng.choice(untaken)
        shadow = self._shadow(opt, number)
        for _ in range(ATTEMPTS):
            trial = shadow.ask()
            template, params = self.suggest(trial, self.templates)
            fid = framing_id(template, params)
            if fid not in taken:
                return template, params
            earlier = taken[fid]
            if earlier is not None and earlier.values is not None:
                shadow.tell(trial, earlier.values)
            else:
                shadow.tell(trial, state=TrialState.FAIL)
        self.fallbacks += 1
        return rng.choice(untaken) if untaken else None

    def _shadow(self, opt: optuna.Study, number: int) -> optuna.Study:
        """An in-memory study with the real one's finished trials (repeats left out)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            shadow = optuna.create_study(directions=opt.directions,
                                         sampler=self.build(_seed(self.seed, number, 0)))
            shadow.add_trials([
                t for t in opt.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
                if ATTR_DUPLICATE_OF not in t.user_attrs and t.values is not None
            ])
        return shadow
