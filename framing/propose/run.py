"""One round of proposals from one framing of a stored study (``framing propose``).

The parent is a trial of the study (the CLI defaults to the recommended framing, which it
reads through :mod:`framing.assessment`); its failures on the search samples are shown
to the proposer, the proposals are vetted (:func:`framing.propose.candidates.vet`) and
the kept ones written under ``[propose] folder``. Nothing is evaluated here: the search
(``framing search --propose``, or a study whose templates include the folder) does that.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from framing.config import StudyConfig
from framing.errors import ConfigError, TemplateError
from framing.points import Point, study_points
from framing.propose.candidates import (
    REJECTED,
    Candidate,
    Dropped,
    Proposal,
    existing_keys,
    vet,
    write,
)
from framing.propose.edit import EditProposer, donors_of, sentence_pool
from framing.propose.failures import (
    DIRECTIONS,
    Direction,
    Failure,
    Parent,
    ProposalInput,
    extract_failures,
    rendered_system,
)
from framing.propose.model import ModelProposer, Spend
from framing.storage.budget import open_budget
from framing.storage.optuna_studies import load_existing_study
from framing.storage.tables import Store
from framing.study import load_samples
from framing.templates import Template, load_template, load_templates


@dataclass(frozen=True)
class RoundResult:
    """What one round from one parent wrote and dropped."""

    parent: Parent
    failures: tuple[Failure, ...]
    kept: list[Candidate]
    dropped: list[Dropped]
    paths: list[Path] = field(default_factory=list)
    spend: Spend = field(default_factory=Spend)
    round: int = 1


def find_template(name: str, templates: Sequence[Template], root: Path) -> Template:
    """The study's template called ``name``, else the file (a proposal, a removed one)."""
    for t in templates:
        if name in (t.name, t.stem):
            return t
    return load_template(name, root=root)


def next_round(root: Path, folder: str) -> int:
    """One more than the highest round among the proposals already in ``folder``."""
    rounds = [0]
    for path in sorted((root / folder).glob("*.j2")):
        try:
            t = load_template(path)
        except TemplateError:
            continue
        value = t.provenance.get("round")
        if isinstance(value, int):
            rounds.append(value)
    return max(rounds) + 1


def proposed_templates(root: Path, folder: str) -> list[Template]:
    """The proposals in ``folder`` that parse (their names relative to ``root``)."""
    out = []
    for path in sorted((root / folder).glob("*.j2")):
        try:
            out.append(load_template(str(path.relative_to(root)), root=root))
        except TemplateError:
            continue
    return out


def inputs_for(parent: Parent, failures: tuple[Failure, ...], n: int,
               direction: Direction | None, round_: int) -> list[tuple[ProposalInput, int]]:
    """How many proposals to ask for in each direction (both, split, unless one is given)."""
    directions = [direction] if direction is not None else list(DIRECTIONS)
    per = math.ceil(n / len(directions))
    out, left = [], n
    for d in directions:
        k = min(per, left)
        if k:
            out.append((ProposalInput(parent, failures, d, round_), k))
        left -= k
    return out


async def propose_from(
    config: StudyConfig, parents: Sequence[Point], templates: Sequence[Template],
    store: Store, samples: Sequence[Any], *, proposer: str | None = None,
    n: int | None = None, direction: Direction | None = None, round_: int | None = None,
    extra_known: Sequence[tuple[Template, dict[str, Any]]] = (),
    write_files: bool = True,
) -> list[RoundResult]:
    """Propose ``n`` candidates from each of ``parents`` (points of the stored study)."""
    cfg = config.propose
    root = config.template_root
    kind = proposer or cfg.proposer
    n = n if n is not None else cfg.candidates
    round_ = round_ if round_ is not None else next_round(root, cfg.folder)
    proposed = proposed_templates(root, cfg.folder)
    everything = [*templates, *[p for p in proposed if p.name not in
                                {t.name for t in templates}]]
    rejected = proposed_templates(root, f"{cfg.folder}/{REJECTED}")
    known = existing_keys([(t, dict(p)) for t in [*everything, *rejected] for p in _grid(t)])
    known.update(existing_keys(extra_known))
    parent_templates = {p.template: find_template(p.template, everything, root)
                        for p in parents}
    model: ModelProposer | None = None
    edit: EditProposer | None = None
    if kind == "model":
        if cfg.target is None:
            raise ConfigError("propose.proposer = 'model' needs a [propose.target] table")
        budget = open_budget(math.inf if config.search.max_cost is None
                             else config.search.max_cost, store.engine, config.name)
        model = ModelProposer.from_config(cfg.target, store, budget)
    else:
        edit = EditProposer(sentence_pool(everything),
                            donors_of((parent_templates[p.template], p.params)
                                      for p in parents),
                            seed=cfg.seed)
    results = []
    try:
        for point in parents:
            template = parent_templates[point.template]
            parent = Parent(point.template, dict(point.params),
                            rendered_system(template, point.params), point.trial)
            failures = extract_failures(store, config.name, point.trial, samples,
                                        per_kind=cfg.failures, seed=cfg.seed)
            proposals: list[tuple[ProposalInput, Proposal]] = []
            for given, k in inputs_for(parent, failures, n, direction, round_):
                if model is not None:
                    made = await model.propose(given, k)
                else:
                    assert edit is not None
                    made = edit.propose(given, k)
                proposals += [(given, p) for p in made]
            vetted = vet(proposals, {point.template: template}, known, round_=round_,
                         folder=cfg.folder)
            paths = write(vetted.kept, root) if write_files else []
            results.append(RoundResult(parent, failures, vetted.kept, vetted.dropped, paths,
                                       model.spend if model is not None else Spend(),
                                       round_))
    finally:
        if model is not None:
            await model.aclose()
    return results


def _grid(t: Template) -> list[dict[str, Any]]:
    out = []
    for i, params in enumerate(t.grid()):
        if i >= 256:
            break
        out.append(dict(params))
    return out


def propose_study(config: StudyConfig, trial: int, *, proposer: str | None = None,
                  n: int | None = None, direction: Direction | None = None,
                  storage: str | None = None) -> RoundResult:
    """``framing propose``: one round from ``trial`` of the stored study."""

    url = storage or config.storage.url
    opt = load_existing_study(config.name, url)
    points = {p.trial: p for p in study_points(opt)}
    if trial not in points:
        raise ConfigError(f"--trial {trial}: study {config.name!r} has no finished trial "
                          f"{trial} (trials: {', '.join(map(str, sorted(points))) or 'none'})")
    templates = load_templates(config.search.templates, config.template_root)
    samples = load_samples(config).search
    store = Store(url)
    try:
        [result] = asyncio.run(propose_from(config, [points[trial]], templates, store,
                                            samples, proposer=proposer, n=n,
                                            direction=direction))
    finally:
        store.close()
    return result
