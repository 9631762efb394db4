"""The search space: framings from the current templates, and proposals never wasted.

A framing is its content: one *version* of a template (a hash of its body,
:func:`framing.templates.source_version`) with values for its declared parameters.
Editing a template's text makes a new version, so a new framing; its old trials keep
the text they ran (:mod:`framing.versions`).

**The space grows.** The real Optuna study holds no distribution for the framing: each
trial records its framing as user attributes (template name, version, parameters; see
:meth:`Framing.attrs`). Optuna fixes a categorical parameter's choices at its first
trial, so a study whose space lived in distributions could never take a new template,
parameter or choice. Here the space is whatever the templates are *now*: the search
re-reads them before each proposal (:class:`TemplateSet`), so a template saved while a
search runs (the TUI's "new framing") joins it, and a resumed study simply continues
with the larger space. Finished trials whose framing is no longer in the space (a
template removed or edited, a choice dropped) keep their results; they just no longer
steer proposals.

**Proposals.** Optuna's samplers know nothing of framings: on a small space TPE proposes
a framing it has already evaluated again and again. So :meth:`Proposer.propose` asks the
configured sampler on a *shadow* study in memory, built for each proposal from the
current templates' distributions (:func:`suggest`) and the finished trials whose
framing is in the current space (:func:`shadow_trial`). A proposal of a framing already
evaluated (or under way on another worker) is told there with its known result (or
failed) and the sampler is asked again. After :data:`ATTEMPTS` such proposals, or at once
for the random sampler on a finite space, it falls back to a seeded random choice among
the framings not yet evaluated. The shadow sampler is rebuilt for each proposal with a
seed drawn from (seed, trial number, attempt), so workers sharing a seed diverge.

**Adding framings from outside** (proposers of new templates, issue #18): write the
template file where the study's ``search.templates`` patterns find it, and the next
proposal of every running worker sees it; or queue one exact framing with
:func:`enqueue` (it runs next, on whichever worker asks first).
"""

from __future__ import annotations

import hashlib
import random
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import optuna
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.trial import FrozenTrial, TrialState

from framing.errors import FramingError
from framing.storage.keys import (
    ATTR_PARAMS,
    ATTR_TEMPLATE,
    ATTR_TEMPLATE_VERSION,
)
from framing.templates import Param, Template, expand_paths, load_template
from framing.versions import source_key, trial_version

__all__ = ["ATTEMPTS", "TEMPLATE_PARAM", "Framing", "FramingId", "Proposer", "TemplateSet",
           "enqueue", "framing_id", "grid", "in_space", "legacy_framing", "param_key",
           "remember_source", "shadow_trial", "space", "stored_framing", "suggest"]

#: the shadow study's name for the template choice (and the real study's, before versions)
TEMPLATE_PARAM = "template"

#: proposals of taken framings before the fallback to a random untaken one
ATTEMPTS = 12

#: a framing's identity: template name, template version, parameters
FramingId = tuple[str, str, str]


def framing_id(name: str, version: str, params: Mapping[str, Any]) -> FramingId:
    """A framing's identity: its template's name and content version, its parameters."""
    return (name, version, repr(sorted(params.items())))


@dataclass(frozen=True)
class Framing:
    """One framing: a template (at its version) and values for all its parameters."""

    template: Template
    params: dict[str, Any] = field(hash=False)

    @property
    def id(self) -> FramingId:
        return framing_id(self.template.name, self.template.version, self.params)

    def attrs(self) -> dict[str, Any]:
        """The trial user attributes that record this framing in the real study."""
        return {ATTR_TEMPLATE: self.template.name,
                ATTR_TEMPLATE_VERSION: self.template.version,
                ATTR_PARAMS: dict(self.params)}


def stored_framing(attrs: Mapping[str, Any], legacy: Mapping[str, str]) -> FramingId | None:
    """The framing a trial's user attributes record (None: none recorded yet)."""
    if ATTR_TEMPLATE not in attrs:
        return None
    return framing_id(str(attrs[ATTR_TEMPLATE]), trial_version(attrs, legacy),
                      dict(attrs.get(ATTR_PARAMS, {})))


def legacy_framing(optuna_params: Mapping[str, Any],
                   templates: Sequence[Template]) -> Framing | None:
    """The framing of Optuna parameters written before versions (``template`` = the
    stem, ``STEM.PARAM`` = values): how studies of earlier framing queued trials. Read as
    the current version of that template; None when no current template has that stem."""
    stem = optuna_params.get(TEMPLATE_PARAM)
    template = next((t for t in templates if t.stem == stem), None)
    if template is None:
        return None
    prefix = f"{template.stem}."
    return Framing(template, {k[len(prefix):]: v for k, v in optuna_params.items()
                              if k.startswith(prefix)})


def space(templates: Iterable[Template]) -> Iterator[Framing]:
    """Every framing of the space (float parameters on a few grid points)."""
    for t in templates:
        for params in t.grid():
            yield Framing(t, dict(params))


def in_space(templates: Iterable[Template], name: str, version: str,
             params: Mapping[str, Any]) -> Framing | None:
    """The framing ``(name, version, params)`` if the current templates contain it: the
    same version of that template, and values its declarations still allow."""
    for t in templates:
        if t.name != name or t.version != version:
            continue
        if set(params) != {p.name for p in t.params}:
            return None
        if all(_allows(t.param(k), v) for k, v in params.items()):
            return Framing(t, dict(params))
        return None
    return None


def _allows(param: Param, value: Any) -> bool:
    if param.kind == "choices":
        return value in param.choices
    if param.kind == "bool":
        return isinstance(value, bool)
    if param.kind == "int":
        return isinstance(value, int) and not isinstance(value, bool) \
            and param.low <= value <= param.high
    return isinstance(value, int | float) and not isinstance(value, bool) \
        and param.low <= value <= param.high


def param_key(template: Template, param: Param) -> str:
    """The shadow study's name for a template's parameter (names are per template)."""
    return f"{template.stem}.{param.name}"


def _distribution(param: Param) -> BaseDistribution:
    if param.kind == "choices":
        return CategoricalDistribution(list(param.choices))
    if param.kind == "bool":
        return CategoricalDistribution([False, True])
    if param.kind == "int":
        return IntDistribution(int(param.low), int(param.high))
    return FloatDistribution(param.low, param.high, log=param.log)


def suggest(trial: optuna.Trial, templates: Sequence[Template]) -> Framing:
    """Sample a framing on a shadow study: the template, then its own parameters."""
    name = trial.suggest_categorical(TEMPLATE_PARAM, [t.name for t in templates])
    template = next(t for t in templates if t.name == name)
    params: dict[str, Any] = {}
    for p in template.params:
        key = param_key(template, p)
        if p.kind in ("choices", "bool"):
            params[p.name] = trial.suggest_categorical(key, list(p.grid()))
        elif p.kind == "int":
            params[p.name] = trial.suggest_int(key, int(p.low), int(p.high))
        else:
            params[p.name] = trial.suggest_float(key, p.low, p.high, log=p.log)
    return Framing(template, params)


def shadow_trial(framing: Framing, templates: Sequence[Template],
                 trial: FrozenTrial) -> FrozenTrial:
    """A finished real trial of ``framing`` as the shadow study sees it: the current
    space's distributions, the trial's values and constraints."""
    t = framing.template
    params: dict[str, Any] = {TEMPLATE_PARAM: t.name}
    distributions: dict[str, BaseDistribution] = {
        TEMPLATE_PARAM: CategoricalDistribution([x.name for x in templates])}
    for p in t.params:
        params[param_key(t, p)] = framing.params[p.name]
        distributions[param_key(t, p)] = _distribution(p)
    constraints = {k: v for k, v in trial.system_attrs.items() if k == "constraints"}
    return optuna.trial.create_trial(params=params, distributions=distributions,
                                     values=trial.values, system_attrs=constraints)


def grid(templates: Sequence[Template], seed: int) -> list[Framing]:
    """Every framing of the space, in a seeded order (the grid sampler's plan)."""
    framings = list(space(templates))
    random.Random(seed).shuffle(framings)
    return framings


def _seed(seed: int, number: int, attempt: int) -> int:
    digest = hashlib.sha256(f"{seed}:{number}:{attempt}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


class Proposer:
    """Chooses the framing of the next trial (one search run, one worker)."""

    def __init__(self, build: Callable[[int], Any], seed: int, *,
                 exhaustive: bool = False) -> None:
        self.build = build
        self.seed = seed
        #: random sampler on a finite space: draw uniformly from the untaken framings
        self.exhaustive = exhaustive
        self.fallbacks = 0

    def propose(self, templates: Sequence[Template], done: Mapping[FramingId, FrozenTrial],
                busy: Iterable[FramingId], number: int) -> Framing | None:
        """A framing of ``templates`` (the space now) neither ``done`` (evaluated: the
        trial with its result) nor ``busy`` (under way on some worker); None when every
        framing of the space is taken (for a space with float parameters: when no
        untaken framing turned up). ``number`` seeds the choice (the trial's number)."""
        taken: dict[FramingId, FrozenTrial | None] = {**dict.fromkeys(busy), **done}
        untaken = [f for f in space(templates) if f.id not in taken]
        finite = all(p.kind != "float" for t in templates for p in t.params)
        if finite and not untaken:
            return None
        rng = random.Random(_seed(self.seed, number, -1))
        if untaken and finite and (self.exhaustive or len(untaken) == 1):
            return rng.choice(untaken)
        shadow = self._shadow(templates, done, number)
        for _ in range(ATTEMPTS):
            trial = shadow.ask()
            framing = suggest(trial, templates)
            if framing.id not in taken:
                return framing
            earlier = taken[framing.id]
            if earlier is not None and earlier.values is not None:
                shadow.tell(trial, earlier.values)
            else:
                shadow.tell(trial, state=TrialState.FAIL)
        self.fallbacks += 1
        return rng.choice(untaken) if untaken else None

    def _shadow(self, templates: Sequence[Template], done: Mapping[FramingId, FrozenTrial],
                number: int) -> optuna.Study:
        """An in-memory study of the current space with the finished trials in it."""
        trials = []
        for (name, version, _), trial in done.items():
            framing = in_space(templates, name, version, _params(trial))
            if framing is not None and trial.values is not None:
                trials.append(shadow_trial(framing, templates, trial))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            shadow = optuna.create_study(directions=["minimize", "minimize"],
                                         sampler=self.build(_seed(self.seed, number, 0)))
            shadow.add_trials(trials)
        return shadow


def _params(trial: FrozenTrial) -> dict[str, Any]:
    return dict(trial.user_attrs.get(ATTR_PARAMS, {}))


class TemplateSet:
    """The study's templates as the files are now: re-read before each proposal.

    A file whose text did not change is not parsed again. A template that no longer
    loads or lints (a half-written edit, say) keeps the search on the last good set of
    templates and is reported once per text by ``on_problem``.
    """

    def __init__(self, patterns: Sequence[str], root: Path, initial: Sequence[Template],
                 on_problem: Callable[[str], None] = lambda _: None) -> None:
        self.patterns = list(patterns)
        self.root = root
        self.on_problem = on_problem
        self._known: dict[tuple[str, str], Template] = {(t.name, t.source): t
                                                        for t in initial}
        self._reported: set[str] = set()
        self.templates: list[Template] = list(initial)

    def refresh(self) -> list[Template]:
        from framing.templates import lint_template

        try:
            names = expand_paths(self.patterns, self.root)
        except FramingError as e:
            self._problem(str(e))
            return self.templates
        loaded: list[Template] = []
        for name in names:
            path = Path(name) if Path(name).is_absolute() else self.root / name
            try:
                source = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as e:
                self._problem(f"{name}: cannot read: {e}")
                return self.templates
            known = self._known.get((name, source))
            if known is not None:
                loaded.append(known)
                continue
            try:
                template = load_template(name, root=self.root)
                lint_template(template)
            except FramingError as e:
                self._problem(str(e))
                return self.templates
            self._known[(name, template.source)] = template
            loaded.append(template)
        stems = [t.stem for t in loaded]
        if len(stems) != len(set(stems)):
            self._problem("two templates share a file name; the search keeps its templates")
            return self.templates
        self.templates = loaded
        return loaded

    def _problem(self, message: str) -> None:
        if message not in self._reported:
            self._reported.add(message)
            self.on_problem(f"templates changed but do not load ({message}); the search "
                            "continues with the templates it had")


def remember_source(opt: optuna.Study, template: Template, known: set[str]) -> None:
    """Store ``template``'s source with the study (once per version; ``known`` holds the
    keys this process already stored or found)."""
    key = source_key(template.name, template.version)
    if key in known:
        return
    try:
        if key not in opt.user_attrs:
            opt.set_user_attr(key, template.source)
    except Exception:  # best effort: readers fall back to the file (a column too small)
        return
    known.add(key)


def enqueue(opt: optuna.Study, framing: Framing, user_attrs: Mapping[str, Any] | None = None,
            known: set[str] | None = None) -> None:
    """Queue ``framing`` in the real study: the next trial any worker asks for runs it.

    Its template's source is stored first, so the trial's text is known from the start.
    """
    remember_source(opt, framing.template, known if known is not None else set())
    opt.enqueue_trial({}, user_attrs={**framing.attrs(), **(user_attrs or {})})
