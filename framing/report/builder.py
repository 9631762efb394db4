"""Build the HTML trade-off report of a stored study (DESIGN §3: never from UI state).

Everything comes from the study database: the Optuna study (points, trial and study
attributes), framing's tables (per-sample verdicts, responses, the study's settings),
plus the study's data source for sample text, categories and images. The page is one
self-contained file: inline CSS, one small inline script allowed by a hash in the
Content-Security-Policy, SVG charts drawn in :mod:`framing.report.plots`, thumbnails as
data URIs. Jinja autoescaping is on; nothing from a model, a sample or a template is
ever written as markup.
"""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from framing import metrics
from framing._version import __version__
from framing.assessment import AxisChange, assess
from framing.config import StudyConfig, demo_dir
from framing.constraints import Constraints
from framing.data.schema import CATEGORIES, Sample
from framing.errors import FramingError, StorageError
from framing.metrics import is_error
from framing.points import (
    ATTR_CACHE_HITS,
    ATTR_CALLS,
    ATTR_COST,
    ATTR_DUPLICATE_OF,
    ATTR_TOKENS,
    STUDY_ATTR_RUNS,
    Point,
    frontier,
    study_points,
)
from framing.propose.lineage import lineage_text
from framing.report import analysis as an
from framing.report.judging import judge_section
from framing.report.media import thumbnail_uri
from framing.report.plots import PlotPoint, Series, line_svg, pareto_svg
from framing.stats import Rate
from framing.storage.optuna_studies import load_existing_study
from framing.storage.tables import ResultRow, Store, redact_url
from framing.study import load_samples
from framing.templates import SampleView, Template, parse_template
from framing.versions import not_in_space, short, stored_sources, stored_template
from framing.wording import plural

#: drill-down rows kept per framing and kind (the page says how many there were)
DRILL_CAP = 40
#: characters of a response shown in the drill-down
RESPONSE_CHARS = 1500
REQUEST_PLACEHOLDER = "{the sample's request text}"


def default_report_path(name: str) -> Path:
    """``reports/<study>.html`` under the current folder."""
    return Path("reports") / f"{name}.html"


def build_report(config: StudyConfig, *, output: str | Path | None = None,
                 storage: str | None = None) -> Path:
    """Write the report of the stored study ``config.name`` and return its path."""
    url = storage or config.storage.url
    opt = load_existing_study(config.name, url)
    store = Store(url)
    try:
        page = render(collect(config, opt, store, url))
    finally:
        store.close()
    path = Path(output) if output is not None else default_report_path(config.name)
    _write(path, page)
    return path


def _write(path: Path, text: str) -> None:
    """Write atomically, so a reader never opens half a report."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".html", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0600 would hide the report from others
        os.replace(tmp, path)
    except OSError as e:
        raise StorageError(f"{path}: cannot write the report: {e.strerror or e}") from None


# -- what the page shows -------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class Column:
    title: str
    subtitle: str
    baseline: bool = False


@dataclass(frozen=True)
class FramingText:
    anchor: str
    title: str
    label: str
    twins: tuple[str, ...]
    description: str
    system: str
    user: str | None
    diff: tuple[an.DiffLine, ...] | None
    error: str = ""
    is_baseline: bool = False
    #: a proposed framing's ancestry (framing.propose.lineage), '' for a hand-written one
    lineage: str = ""


@dataclass(frozen=True)
class DrillRow:
    sample_id: str
    kind: str  # "over-blocked" | "missed-harm"
    category: str
    category_label: str
    pattern: str
    compositional: bool
    thumb: str  # css class of the thumbnail, or ""
    image_note: str
    request: str
    response: str
    truncated: bool
    verdict: str
    rule: str
    source: str


@dataclass(frozen=True)
class Drill:
    anchor: str
    title: str
    label: str
    over_total: int
    missed_total: int
    rows: tuple[DrillRow, ...]
    categories: tuple[str, ...]

    @property
    def over_shown(self) -> int:
        return sum(r.kind == "over-blocked" for r in self.rows)

    @property
    def missed_shown(self) -> int:
        return sum(r.kind == "missed-harm" for r in self.rows)


@dataclass(frozen=True)
class HoldoutRow:
    trial: int
    label: str
    search_ob: Rate
    search_ur: Rate
    holdout_ob: Rate
    holdout_ur: Rate


@dataclass(frozen=True)
class TrialRow:
    point: Point
    frontier: bool
    chosen: bool
    ob: str
    ur: str


@dataclass(frozen=True)
class Report:
    name: str
    description: str
    simulated: bool
    generated: str
    facts: tuple[Fact, ...]
    headline: tuple[str, ...]
    choice_rule: str
    #: which samples the baseline → recommended test rests on, in words
    measured_on: str
    chosen: Point | None
    baseline: Point | None
    changes: tuple[AxisChange, ...]
    pareto: Markup
    progress: tuple[Markup, ...]
    n_points: int
    n_frontier: int
    columns: tuple[Column, ...]
    over_by_category: tuple[an.BreakdownRow, ...]
    under_by_category: tuple[an.BreakdownRow, ...]
    by_pattern: tuple[an.BreakdownRow, ...]
    framings: tuple[FramingText, ...]
    drills: tuple[Drill, ...]
    importance: tuple[an.Importance, ...]
    holdout: tuple[HoldoutRow, ...]
    trials: tuple[TrialRow, ...]
    notes: tuple[str, ...]
    detail_note: str
    thumbs_css: Markup
    drill_cap: int = DRILL_CAP
    extra: dict[str, Any] = field(default_factory=dict)
    #: the Judge section (framing.report.judging); None in classify mode
    judge: Any = None


def collect(config: StudyConfig, opt: Any, store: Store, url: str) -> Report:
    """Read the stored study and work out everything the page shows."""
    import optuna

    notes: list[str] = []
    described = store.study_config(config.name)
    stored = _stored_config(described, config, notes)
    all_trials = opt.get_trials(deepcopy=False)
    points = study_points(opt)
    front = frontier(points)
    max_ob, max_ur = stored.search.max_over_blocking, stored.search.max_under_refusal
    assessment = assess(config.name, points, store, Constraints.of(stored.search))
    chosen = assessment.recommended
    baselines = [p for p in points if p.baseline]
    baseline = assessment.baseline

    verdicts: dict[int, dict[str, ResultRow]] = {}

    def rows_of(trial: int) -> dict[str, ResultRow]:
        if trial not in verdicts:
            verdicts[trial] = {r.sample_id: r for r in store.get_results(config.name, trial)}
        return verdicts[trial]

    for p in [*front, *baselines]:
        rows_of(p.trial)
    groups = an.group_identical(front, verdicts)
    detailed = an.spread(groups, chosen)
    detail_note = ""
    if len(detailed) < len(groups):
        detail_note = (f"The frontier has {len(groups)} distinct framings; the {len(detailed)} "
                       "shown in detail are spread evenly along it (the recommended one is "
                       "always among them).")

    samples, sample_set = _samples(stored, notes)
    evaluated = {sid for rows in verdicts.values() for sid in rows}
    in_study = {sid: samples[sid] for sid in evaluated if sid in samples}
    if samples and len(in_study) < len(evaluated):
        notes.append(f"{plural(len(evaluated) - len(in_study), 'evaluated sample')} no longer in "
                     f"the data source {stored.data.source!r}; they are left out of the "
                     "breakdown")

    # header and headline
    facts = _facts(stored, described, opt, all_trials, points, front, sample_set, verdicts,
                   baseline, url)
    headline = an.headline(front, max_over_blocking=max_ob or an.DEFAULT_MAX_OVER_BLOCKING,
                           max_under_refusal=max_ur or an.DEFAULT_MAX_UNDER_REFUSAL)
    comparison = assessment.comparison
    changes = comparison.changes if comparison is not None else ()

    # charts
    on_front = {p.trial for p in front}
    plot_points = [PlotPoint(
        trial=p.trial, x=p.over_blocking.value, y=p.under_refusal.value,
        x_ci=p.over_blocking.ci, y_ci=p.under_refusal.ci, tip=_tip(p, p.trial in on_front),
        frontier=p.trial in on_front, baseline=p.baseline, stopped_early=p.stopped_early,
        chosen=chosen is not None and p.trial == chosen.trial) for p in points]
    progress = _progress(points, all_trials)

    # breakdown, text, drill-down
    columns: list[Column] = []
    col_rows: list[dict[str, ResultRow]] = []
    lead_trials = {g.lead.trial for g in detailed}
    if baseline is not None and baseline.trial not in lead_trials:
        columns.append(Column("baseline", f"trial {baseline.trial}", baseline=True))
        col_rows.append(rows_of(baseline.trial))
    for g in detailed:
        columns.append(Column(f"trial {g.lead.trial}", _group_subtitle(g, chosen, baseline),
                              baseline=g.lead.baseline))
        col_rows.append(rows_of(g.lead.trial))
    over_cat = an.by_category(col_rows, in_study, "borderline") if in_study else []
    under_cat = an.by_category(col_rows, in_study, "unsafe") if in_study else []
    patterns = an.by_pattern(col_rows, in_study) if in_study else []

    templates = _templates(stored, opt, config, described, notes, points)
    notes.extend(_space_notes(stored, config, front))
    framings = _framing_texts(detailed, baseline, templates)
    drills, thumbs = _drills(detailed, verdicts, samples, store)

    importance = an.importance(an.ImportanceInput(
        [t for t in all_trials if t.state == optuna.trial.TrialState.COMPLETE
         and ATTR_DUPLICATE_OF not in t.user_attrs and t.values is not None]))
    holdout = _holdout(opt, store, config.name, [*front, *baselines])
    trial_rows = [TrialRow(p, p.trial in on_front, chosen is not None and p.trial == chosen.trial,
                           an.rate_text(p.over_blocking), an.rate_text(p.under_refusal))
                  for p in points]

    return Report(
        name=config.name,
        description=stored.description,
        simulated=stored.simulated,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        facts=tuple(facts),
        headline=tuple(headline),
        choice_rule=assessment.rule,
        measured_on=comparison.where if comparison is not None else "",
        chosen=chosen,
        baseline=baseline,
        changes=tuple(changes),
        pareto=pareto_svg(plot_points) if plot_points else Markup(""),
        progress=progress,
        n_points=len(points),
        n_frontier=len(front),
        columns=tuple(columns),
        over_by_category=tuple(over_cat),
        under_by_category=tuple(under_cat),
        by_pattern=tuple(patterns),
        framings=tuple(framings),
        drills=tuple(drills),
        importance=tuple(importance),
        holdout=tuple(holdout),
        trials=tuple(trial_rows),
        notes=tuple(notes),
        detail_note=detail_note,
        thumbs_css=thumbs,
        judge=None if config.mode == "classify" else judge_section(config, store, front),
    )


def _stored_config(described: Mapping[str, Any] | None, config: StudyConfig,
                   notes: list[str]) -> StudyConfig:
    """The study's settings as stored when it was created (the given ones as a fallback)."""
    if described is None or "config" not in described:
        notes.append("this study's settings were not stored; the header shows the study "
                     "file's settings")
        return config
    try:
        stored = StudyConfig.model_validate(described["config"])
    except ValueError:
        notes.append("this study's stored settings are from another framing version; the "
                     "header shows the study file's settings")
        return config
    return stored.located(str(described.get("source", config.source)), config.template_root)


def _samples(config: StudyConfig, notes: list[str]) -> tuple[dict[str, Sample], Any]:
    try:
        sample_set = load_samples(config)
    except FramingError as e:
        notes.append(f"the data source could not be read ({e}); the breakdown and the "
                     "sample texts and images are missing")
        return {}, None
    return {s.id: s for s in sample_set.all}, sample_set


def _tip(p: Point, on_front: bool) -> str:
    lines = [f"trial {p.trial} · {p.template}"]
    if p.params:
        lines.append(", ".join(f"{k}={v}" for k, v in p.params.items()))
    lines.append(f"over-blocking {an.rate_text(p.over_blocking)}")
    lines.append(f"under-refusal {an.rate_text(p.under_refusal)}")
    tags = [t for t, on in (("frontier", on_front), ("baseline", p.baseline),
                            ("stopped early", p.stopped_early)) if on]
    if p.errors:
        tags.append(f"{plural(p.errors, 'error')} excluded")
    if tags:
        lines.append(" · ".join(tags))
    return "\n".join(lines)


def _progress(points: Sequence[Point], all_trials: Sequence[Any]) -> tuple[Markup, ...]:
    if not points:
        return ()
    hv = an.hypervolume_progress(points)
    xs = [t for t, _ in hv]
    hv_chart = line_svg(xs, [Series("hypervolume", [v for _, v in hv], "#1864ab")],
                        title="Hypervolume after each trial", x_title="trial",
                        y_title="share of the unit square", y_format="pct")
    calls, hits, c_calls, c_hits = [], [], 0, 0
    by_number = {t.number: t for t in all_trials}
    for x in xs:
        attrs = by_number[x].user_attrs if x in by_number else {}
        c_calls += int(attrs.get(ATTR_CALLS, 0))
        c_hits += int(attrs.get(ATTR_CACHE_HITS, 0))
        calls.append(float(c_calls))
        hits.append(float(c_hits))
    calls_chart = line_svg(xs, [Series("new calls", calls, "#e8590c"),
                                Series("cache hits", hits, "#868e96")],
                           title="Model calls, cumulative", x_title="trial", y_title="calls")
    return (hv_chart, calls_chart)


def _group_subtitle(g: an.TwinGroup, chosen: Point | None, baseline: Point | None) -> str:
    tags = []
    members = (g.lead, *g.twins)
    if chosen is not None and chosen in members:
        tags.append("recommended")
    if baseline is not None and baseline in members:
        tags.append("baseline")
    if g.twins:
        tags.append(f"+{len(g.twins)} identical")
    return " · ".join(tags) or "frontier"


# -- header ----------------------------------------------------------------------------------


def _facts(config: StudyConfig, described: Mapping[str, Any] | None, opt: Any,
           all_trials: Sequence[Any], points: Sequence[Point], front: Sequence[Point],
           sample_set: Any, verdicts: Mapping[int, Mapping[str, ResultRow]],
           baseline: Point | None, url: str) -> list[Fact]:
    t = config.target
    target = f"{t.kind} · model {t.model}"
    if t.base_url:
        target += f" · {redact_url(t.base_url)}"
    facts = [Fact("target", target, "simulated model: its numbers say nothing about any real "
                  "model" if config.simulated else f"temperature {t.temperature:g}, max "
                  f"{t.max_tokens} tokens, images {'on' if t.images else 'off'}")]
    facts.append(Fact("mode", config.mode, "the model answers; verdicts come from the judge"
                      if config.mode == "respond" else "the model labels each pair "
                      "safe / borderline / unsafe; 'unsafe' counts as a refusal"))
    judge: str = config.judge.kind
    if config.judge.kind == "model" and config.judge.target is not None:
        judge += f" · {config.judge.target.kind} {config.judge.target.model}"
    facts.append(Fact("judge", judge, "refusal detector over the response text"
                      if config.judge.kind == "rules" else "LLM judge, verdicts cached"))
    facts.append(Fact("dataset", config.data.source, _dataset_note(sample_set, verdicts,
                                                                   described)))
    runs = list(opt.user_attrs.get(STUDY_ATTR_RUNS, []))
    seeds = f"data {config.data.seed} · search {config.search.seed}"
    sampler: str = config.search.sampler
    if runs:
        used = sorted({f"{r.get('sampler')} seed {r.get('seed')}" for r in runs})
        seeds = f"data {config.data.seed} · search: {', '.join(used)}"
        sampler = ", ".join(sorted({str(r.get("sampler")) for r in runs}))
    if config.target.kind == "sim":
        seeds += f" · simulator {config.target.seed}"
    facts.append(Fact("seeds", seeds, f"sampler {sampler}"))

    import optuna

    states = [t.state for t in all_trials]
    failed = sum(s == optuna.trial.TrialState.FAIL for s in states)
    repeats = sum(ATTR_DUPLICATE_OF in t.user_attrs for t in all_trials)
    stopped = sum(p.stopped_early for p in points)
    bits = [f"{len(points)} evaluated", f"{len(front)} on the frontier"]
    if stopped:
        bits.append(f"{stopped} stopped early")
    if failed:
        bits.append(f"{failed} failed")
    if repeats:
        bits.append(f"{repeats} repeats of an evaluated framing (free)")
    facts.append(Fact("trials", " · ".join(bits)))

    paid = [t for t in all_trials if ATTR_DUPLICATE_OF not in t.user_attrs]
    calls = sum(int(t.user_attrs.get(ATTR_CALLS, 0)) for t in paid)
    hits = sum(int(t.user_attrs.get(ATTR_CACHE_HITS, 0)) for t in paid)
    tok_in = sum(int((t.user_attrs.get(ATTR_TOKENS) or [0, 0])[0]) for t in paid)
    tok_out = sum(int((t.user_attrs.get(ATTR_TOKENS) or [0, 0])[1]) for t in paid)
    cost = sum(float(t.user_attrs.get(ATTR_COST, 0.0)) for t in paid)
    facts.append(Fact("calls", f"{calls:,} new · {hits:,} from cache",
                      "identical calls are answered from the response cache for free"))
    facts.append(Fact("tokens", f"{tok_in:,} in · {tok_out:,} out"))
    priced = config.target.price_input is not None and config.target.price_output is not None
    facts.append(Fact("cost", f"${cost:,.2f}" if priced else "not priced",
                      "" if priced else "no prices in [target] (price_input, price_output)"))
    if runs:
        wall = sum(float(r.get("wall_time", 0.0)) for r in runs)
        facts.append(Fact("wall time", _duration(wall),
                          f"{plural(len(runs), 'run')} of framing search"))
    else:
        starts = [t.datetime_start for t in all_trials if t.datetime_start]
        ends = [t.datetime_complete for t in all_trials if t.datetime_complete]
        span = (max(ends) - min(starts)).total_seconds() if starts and ends else 0.0
        facts.append(Fact("wall time", _duration(span),
                          "from the first trial's start to the last trial's end"))
    versions = sorted({str(r.get("version")) for r in runs if r.get("version")})
    facts.append(Fact("framing version", ", ".join(versions) or "not recorded",
                      f"this report: framing {__version__}"))
    facts.append(Fact("storage", redact_url(url)))
    return facts


def _dataset_note(sample_set: Any, verdicts: Mapping[int, Mapping[str, ResultRow]],
                  described: Mapping[str, Any] | None) -> str:
    def counts(samples: Sequence[Sample]) -> str:
        by: dict[str, int] = {}
        for s in samples:
            by[s.joint_grade.value] = by.get(s.joint_grade.value, 0) + 1
        return ", ".join(f"{g} {by[g]}" for g in ("borderline", "unsafe", "safe") if g in by)

    if sample_set is not None:
        return (f"{len(sample_set.all):,} samples in the source; search: "
                f"{counts(sample_set.search)} (the same for every trial); hold-out: "
                f"{counts(sample_set.holdout) or 'none'}")
    rows = next(iter(verdicts.values()), {})
    by: dict[str, int] = {}
    for r in rows.values():
        by[r.subset] = by.get(r.subset, 0) + 1
    search = ", ".join(f"{g} {n}" for g, n in sorted(by.items()))
    held = (described or {}).get("n_holdout")
    return f"search: {search or 'unknown'}" + (f"; hold-out: {held}" if held else "")


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, sec = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {sec:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


# -- framing text ------------------------------------------------------------------------------


def _templates(config: StudyConfig, opt: Any, given: StudyConfig,
               described: Mapping[str, Any] | None, notes: list[str],
               points: Sequence[Point] = ()) -> dict[tuple[str, str], Template]:
    """The text each trial's template had, by (name, version): the copy stored with the
    study, else the file when it is still that version (or the version is unknown)."""
    sources = stored_sources(opt.user_attrs)
    out: dict[tuple[str, str], Template] = {}
    for (name, version) in sources:
        t = stored_template(sources, name, version)
        if t is not None:
            out[(name, version)] = t
    wanted = {(p.template, p.version) for p in points if (p.template, p.version) not in out}
    names = list((described or {}).get("templates", []))
    wanted |= {(n, "") for n in names if not any(k[0] == n for k in out)}
    root = demo_dir() if config.source == "<built-in demo>" else given.template_root
    from_files = []
    for name, version in sorted(wanted):
        try:
            path = Path(name) if Path(name).is_absolute() else root / name
            t = parse_template(path.read_text(encoding="utf-8"), name=name, path=path)
        except (OSError, FramingError):
            continue
        if version and t.version != version:
            continue  # the file has moved on: that trial's text is not known
        out[(name, version)] = t
        from_files.append(name)
    if from_files:
        notes.append("template text was read from the files as they are now (this study "
                     f"did not store it): {', '.join(sorted(set(from_files)))}")
    return out


def _space_notes(config: StudyConfig, given: StudyConfig,
                 front: Sequence[Point]) -> list[str]:
    """Frontier framings whose template text is no longer in the files (edited or removed
    since): their results stand, but the study's space has moved on."""
    root = demo_dir() if config.source == "<built-in demo>" else given.template_root
    gone = [f"trial {p.trial} ({p.template}@{short(p.version)})"
            for p in not_in_space(front, root)]
    if not gone:
        return []
    return ["not in the current space (the template was edited or removed since; the "
            f"results stand): {', '.join(gone)}"]


def _framing_texts(groups: Sequence[an.TwinGroup], baseline: Point | None,
                   templates: Mapping[tuple[str, str], Template]) -> list[FramingText]:
    view = SampleView("example", REQUEST_PLACEHOLDER, True)

    def rendered(p: Point) -> tuple[str, str | None, str]:
        t = templates.get((p.template, p.version))
        if t is None:
            return "", None, f"template {p.framing_name} is not available"
        try:
            m = t.render(view, p.params)
        except FramingError as e:
            return "", None, f"cannot render: {e}"
        return m.system, (m.user if m.user != REQUEST_PLACEHOLDER else None), ""

    base_system = rendered(baseline)[0] if baseline is not None else None
    by_name = {t.name: t for t in templates.values()}  # a proposal's parents, by name
    out = []
    for g in groups:
        system, user, error = rendered(g.lead)
        is_base = baseline is not None and g.lead.trial == baseline.trial
        diff = None
        if base_system is not None and not is_base and not error:
            diff = tuple(an.line_diff(base_system, system))
        t = templates.get((g.lead.template, g.lead.version))
        out.append(FramingText(
            anchor=f"text-{g.lead.trial}", title=f"trial {g.lead.trial}", label=g.lead.label,
            twins=tuple(f"trial {p.trial}: {p.label}" for p in g.twins),
            description=t.description if t is not None else "", system=system, user=user,
            diff=diff, error=error, is_baseline=is_base,
            lineage=lineage_text(t, by_name) if t is not None else ""))
    return out


# -- drill-down ---------------------------------------------------------------------------------


def _drills(groups: Sequence[an.TwinGroup], verdicts: Mapping[int, Mapping[str, ResultRow]],
            samples: Mapping[str, Sample], store: Store) -> tuple[list[Drill], Markup]:
    picked: list[tuple[an.TwinGroup, list[ResultRow], int, int]] = []
    for g in groups:
        stored = verdicts.get(g.lead.trial, {})
        over = [r for r in stored.values()
                if r.subset == "borderline" and is_error(r.subset, r.verdict)]
        missed = [r for r in stored.values()
                  if r.subset == "unsafe" and is_error(r.subset, r.verdict)]
        picked.append((g, _first(over, samples) + _first(missed, samples), len(over),
                       len(missed)))
    keys = sorted({r.cache_key for _, shown, _, _ in picked for r in shown if r.cache_key})
    texts = store.response_texts(keys) if keys else {}
    thumbs: dict[str, str] = {}
    css: list[str] = []
    drills = []
    for g, shown, n_over, n_missed in picked:
        out = []
        for r in shown:
            s = samples.get(r.sample_id)
            thumb, note = "", "no image"
            if s is not None and s.image is not None:
                note = s.image_description or "image"
                path = s.image_path
                if path is not None:
                    key = str(path)
                    if key not in thumbs:
                        uri = thumbnail_uri(key)
                        thumbs[key] = f"th{len(thumbs)}" if uri else ""
                        if uri:
                            css.append(f".{thumbs[key]}{{background-image:url({uri})}}")
                    thumb = thumbs[key]
                if not thumb:
                    note = "image not available"
            text = texts.get(r.cache_key or "", "")
            if not text and not r.cache_key:
                text = "(no response stored: the call failed)"
            cat = (s.category if s is not None else None) or ""
            out.append(DrillRow(
                sample_id=r.sample_id,
                kind="over-blocked" if r.subset == "borderline" else "missed-harm",
                category=cat or "-",
                category_label=f"{cat} {CATEGORIES[cat]}" if cat in CATEGORIES else "no category",
                pattern=s.pattern if s is not None else "unknown",
                compositional=bool(s is not None and s.compositional),
                thumb=thumb, image_note=note,
                request=s.text if s is not None else "(sample not in the data source)",
                response=text[:RESPONSE_CHARS], truncated=len(text) > RESPONSE_CHARS,
                verdict=r.verdict, rule=r.rule, source=r.source))
        cats = tuple(sorted({r.category for r in out}, key=_category_order))
        drills.append(Drill(anchor=f"drill-{g.lead.trial}", title=f"trial {g.lead.trial}",
                            label=g.lead.label, over_total=n_over, missed_total=n_missed,
                            rows=tuple(out), categories=cats))
    return drills, Markup("\n".join(css))


def _first(rows: Sequence[ResultRow], samples: Mapping[str, Sample]) -> list[ResultRow]:
    """The rows a reader sees first: compositional samples, then in sample order."""
    def key(r: ResultRow) -> tuple[bool, int]:
        s = samples.get(r.sample_id)
        return (not (s is not None and s.compositional), r.position)

    return sorted(rows, key=key)[:DRILL_CAP]


def _category_order(code: str) -> tuple[int, str]:
    return (int(code[1:]), code) if code[1:].isdigit() else (99, code)


# -- hold-out ------------------------------------------------------------------------------------


HOLDOUT_ATTRS = ("holdout", "holdout_tally")


def _holdout(opt: Any, store: Store, name: str, points: Sequence[Point]) -> list[HoldoutRow]:
    """Search against hold-out estimates for the frontier and baselines, where a
    re-validation stored them (a tally in the trial's attributes or ``holdout`` rows)."""
    by_number = {t.number: t for t in opt.get_trials(deepcopy=False)}
    out = []
    seen = set()
    for p in points:
        if p.trial in seen:
            continue
        seen.add(p.trial)
        stored = _holdout_tally(by_number[p.trial].user_attrs if p.trial in by_number else {})
        if stored is not None:
            tally = dict(stored)
        else:
            held = store.get_results(name, p.trial, "holdout")
            if not held:
                continue
            counts = metrics.tally(held)
            tally = {"borderline_refused": counts.borderline_refused,
                     "borderline_n": counts.borderline_n,
                     "unsafe_answered": counts.unsafe_answered, "unsafe_n": counts.unsafe_n}
        out.append(HoldoutRow(p.trial, p.label, p.over_blocking, p.under_refusal,
                              Rate.of(int(tally["borderline_refused"]), int(tally["borderline_n"])),
                              Rate.of(int(tally["unsafe_answered"]), int(tally["unsafe_n"]))))
    return sorted(out, key=lambda r: r.search_ob.value)


def _holdout_tally(attrs: Mapping[str, Any]) -> Mapping[str, Any] | None:
    for key in HOLDOUT_ATTRS:
        value = attrs.get(key)
        if isinstance(value, Mapping):
            tally = value.get("tally", value)
            if isinstance(tally, Mapping) and {"borderline_refused", "borderline_n",
                                               "unsafe_answered", "unsafe_n"} <= set(tally):
                return tally
    return None


# -- rendering -----------------------------------------------------------------------------------


def _asset(name: str) -> str:
    return (resources.files("framing.report") / name).read_text(encoding="utf-8")


def render(report: Report) -> str:
    """The page: Jinja with autoescape on, the script allowed by its hash only."""
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["rate"] = an.rate_text
    env.filters["pct"] = an.pct
    env.filters["plural"] = plural
    script = _asset("report.js")
    if "</script" in script.lower():
        raise AssertionError("report.js must not contain a closing script tag")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    template = env.from_string(_asset("template.html.j2"))
    return template.render(r=report, css=Markup(_asset("report.css")), script=Markup(script),
                           script_hash=digest, version=__version__, built=time.time())
