"""Reading a stored study for drill-down: one trial's details, two trials compared, a
framing previewed, samples filtered.

These are the non-UI halves of the TUI's Frontier, Framings and Data screens, kept here
so they are reusable and testable without Textual. Everything is read from the study
database and the data source, never from UI state. All functions block (database reads)
and are meant to be called from a worker thread.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from framing.compare import SampleOutcomes, paired
from framing.config import StudyConfig
from framing.data.filters import apply_filters
from framing.data.loaders import load_data
from framing.data.schema import CATEGORIES, Grade, Sample
from framing.errors import ConfigError, FramingError, TemplateError
from framing.metrics import counted, is_error, tally
from framing.points import Point, frontier, study_points
from framing.stats import PairedComparison, Rate
from framing.storage.optuna_studies import has_optuna_tables, load_existing_study
from framing.storage.tables import ResultRow, Store
from framing.templates import Messages, SampleView, Template, lint_template, parse_template


def storage_url(config: StudyConfig, storage: str | None = None) -> str:
    return storage or config.storage.url


# -- points -----------------------------------------------------------------------------


@dataclass(frozen=True)
class StudyPoints:
    """Every point of a stored study and its frontier (empty when the study has none)."""

    points: list[Point]
    frontier: list[Point]
    exists: bool


def read_points(config: StudyConfig, storage: str | None = None) -> StudyPoints:
    """The study's points; a study not created yet has none (that is not an error)."""
    url = storage_url(config, storage)
    if not has_optuna_tables(url):
        # Reading must not create Optuna's schema: a search starting at the same moment
        # creates it too, and two creators collide on SQLite.
        return StudyPoints([], [], exists=False)
    try:
        opt = load_existing_study(config.name, url)
    except ConfigError:  # no such study yet
        return StudyPoints([], [], exists=False)
    points = study_points(opt)
    return StudyPoints(points, frontier(points), exists=True)


# -- samples ----------------------------------------------------------------------------


def load_study_samples(config: StudyConfig) -> list[Sample]:
    """The study's data source after its filters (categories, patterns, compositional)."""
    return apply_filters(load_data(config.data), config.data)


def filter_samples(samples: Iterable[Sample], *, subset: str | None = None,
                   category: str | None = None, pattern: str | None = None,
                   text: str = "") -> list[Sample]:
    """Samples of one joint-grade subset, category and pattern whose id or text contains
    ``text`` (case-insensitive); ``None`` means any."""
    needle = text.strip().lower()
    return [
        s for s in samples
        if (subset is None or s.joint_grade.value == subset)
        and (category is None or s.category == category)
        and (pattern is None or s.pattern == pattern)
        and (not needle or needle in s.text.lower() or needle in s.id.lower())
    ]


# -- one trial ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SampleOutcome:
    """One sample's verdict in one trial, with the response the model gave."""

    sample_id: str
    subset: str
    verdict: str
    rule: str
    category: str | None
    pattern: str | None
    text: str
    response: str | None


@dataclass(frozen=True, slots=True)
class CategoryRates:
    category: str
    over_blocking: Rate
    under_refusal: Rate

    @property
    def name(self) -> str:
        return CATEGORIES.get(self.category, self.category)


@dataclass(frozen=True)
class TrialDetails:
    """What the Frontier screen shows about a point."""

    point: Point
    categories: list[CategoryRates]
    #: borderline samples refused (over-blocking)
    over_blocked: list[SampleOutcome]
    #: unsafe samples answered, fully or in part (under-refusal)
    missed: list[SampleOutcome]
    errors: list[SampleOutcome]


def trial_details(config: StudyConfig, trial: int, *, storage: str | None = None,
                  samples: Mapping[str, Sample] | None = None,
                  points: Sequence[Point] | None = None) -> TrialDetails:
    """Parameters, rates, per-category rates and the samples that went wrong in ``trial``."""
    if points is None:
        points = read_points(config, storage).points
    point = next((p for p in points if p.trial == trial), None)
    if point is None:
        raise ConfigError(f"study {config.name!r} has no finished trial {trial}")
    if samples is None:
        samples = {s.id: s for s in load_study_samples(config)}
    store = Store(storage_url(config, storage))
    try:
        rows = store.get_results(config.name, trial)
        keys = [r.cache_key for r in rows if r.cache_key and _wrong(r)]
        texts = store.response_texts(keys)
    finally:
        store.close()
    return TrialDetails(
        point=point,
        categories=category_rates(rows, samples),
        over_blocked=[_outcome(r, samples, texts) for r in rows
                      if r.subset == Grade.BORDERLINE and is_error(r.subset, r.verdict)],
        missed=[_outcome(r, samples, texts) for r in rows
                if r.subset == Grade.UNSAFE and is_error(r.subset, r.verdict)],
        errors=[_outcome(r, samples, texts) for r in rows if not counted(r.verdict)],
    )


def _wrong(row: ResultRow) -> bool:
    """Shown in the drill-down: excluded verdicts and the errors of the two objectives."""
    if not counted(row.verdict):
        return True
    return row.subset in (Grade.BORDERLINE, Grade.UNSAFE) and bool(
        is_error(row.subset, row.verdict))


def _outcome(row: ResultRow, samples: Mapping[str, Sample],
             texts: Mapping[str, str]) -> SampleOutcome:
    sample = samples.get(row.sample_id)
    return SampleOutcome(
        sample_id=row.sample_id,
        subset=row.subset,
        verdict=row.verdict,
        rule=row.rule,
        category=sample.category if sample else None,
        pattern=sample.pattern if sample else None,
        text=sample.text if sample else "",
        response=texts.get(row.cache_key) if row.cache_key else None,
    )


def category_rates(rows: Iterable[ResultRow],
                   samples: Mapping[str, Sample]) -> list[CategoryRates]:
    """Over-blocking and under-refusal per harm category (C1..C15 order)."""
    by_category: dict[str, list[ResultRow]] = {}
    for r in rows:
        sample = samples.get(r.sample_id)
        if sample is None or sample.category is None or not counted(r.verdict):
            continue
        by_category.setdefault(sample.category, []).append(r)
    order = {code: i for i, code in enumerate(CATEGORIES)}
    out = []
    for code, members in sorted(by_category.items(), key=lambda kv: order.get(kv[0], 99)):
        t = tally(members)
        out.append(CategoryRates(code, t.over_blocking, t.under_refusal))
    return out


# -- two trials -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PairedTrials:
    """Two trials on the same samples: paired McNemar tests on each axis."""

    a: int
    b: int
    over_blocking: PairedComparison
    under_refusal: PairedComparison


def compare_trials(config: StudyConfig, a: int, b: int, *,
                   storage: str | None = None) -> PairedTrials:
    """Paired comparison of two trials on the samples both judged (errors left out), by
    :mod:`framing.compare` (the same test ``framing compare`` runs)."""
    store = Store(storage_url(config, storage))
    try:
        rows_a = store.get_results(config.name, a)
        rows_b = store.get_results(config.name, b)
    finally:
        store.close()
    for trial, rows in ((a, rows_a), (b, rows_b)):
        if not rows:
            raise ConfigError(f"study {config.name!r}: trial {trial} has no stored results")
    outcomes_a, outcomes_b = SampleOutcomes.from_rows(rows_a), SampleOutcomes.from_rows(rows_b)
    return PairedTrials(a, b, paired(outcomes_a, outcomes_b, "over_blocking"),
                           paired(outcomes_a, outcomes_b, "under_refusal"))


# -- framings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LintResult:
    """A template source checked as the study would check it: parsed, then test-rendered."""

    template: Template | None
    error: TemplateError | None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def line(self) -> int | None:
        return self.error.line if self.error else None


def lint_source(source: str, name: str, path: Path | None = None) -> LintResult:
    """Parse and lint an edited template without touching the file."""
    try:
        template = parse_template(source, name=name, path=path)
        lint_template(template)
    except TemplateError as e:
        return LintResult(None, e)
    return LintResult(template, None)


@dataclass(frozen=True)
class Preview:
    messages: Messages | None
    params: dict[str, Any]
    error: FramingError | None = None
    #: whether the sample's image is attached to the user turn
    image: bool = False


def render_preview(template: Template, sample: Sample, params: Mapping[str, Any], *,
                   images: bool = True) -> Preview:
    """The messages ``template`` renders for ``sample`` with ``params`` (bad values: error)."""
    try:
        resolved = template.resolve_params(params)
        view = SampleView(sample.id, sample.text, images and sample.image is not None)
        return Preview(template.render(view, resolved), dict(resolved), image=view.image)
    except FramingError as e:
        return Preview(None, dict(params), e)


def is_builtin(config: StudyConfig) -> bool:
    """The built-in demo's templates live inside the installed package: read-only."""
    return config.source == "<built-in demo>"

