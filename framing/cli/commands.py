"""The ``framing`` command line (DESIGN §10): parse, load the study, call the core, exit.

Data goes to stdout, progress and diagnostics to stderr. Exit codes: 0 success,
1 runtime failure, 2 bad input, 130 interrupted (everything finished is kept).

Commands import the core inside their bodies on purpose: start-up time matters for
``framing --help`` and ``framing judge TEXT``, which should not load Optuna, SQLAlchemy
or the report. How things are shown lives in :mod:`framing.cli.render`.
"""

from __future__ import annotations

import functools
import json
import shutil
import sys
from collections.abc import Callable, Sequence
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.markup import escape
from typer.core import TyperGroup

from framing._version import __version__
from framing.cli.render import (
    DownloadBar,
    err,
    judge_usage_note,
    out,
    print_answer,
    print_assessment,
    print_breakdowns,
    print_calibration,
    print_comparison,
    print_holdout_checks,
    print_points,
    print_proposals,
    print_studies,
    print_summary,
    print_template_versions,
    print_templates,
    share,
)
from framing.errors import ConfigError, FramingError
from framing.storage import secrets
from framing.wording import plural

if TYPE_CHECKING:
    from rich.console import Console

    from framing.assessment import Assessment
    from framing.config import StudyConfig
    from framing.judge_commands import JudgeRun
    from framing.points import Point
    from framing.templates import Template

app = typer.Typer(
    name="framing",
    help="Map the over-blocking / under-refusal trade-off of vision-language models "
    "across instruction framings.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
templates_app = typer.Typer(help="List, lint and render framing templates.", no_args_is_help=True)
data_app = typer.Typer(help="Inspect and import data sets.", no_args_is_help=True)
app.add_typer(templates_app, name="templates")
app.add_typer(data_app, name="data")



class Exit(IntEnum):
    OK = 0
    FAILURE = 1
    BAD_INPUT = 2
    INTERRUPTED = 130


F = TypeVar("F", bound=Callable[..., Any])


def handled(func: F) -> F:
    """Map framing's errors and Ctrl-C to messages on stderr and exit codes."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except FramingError as e:
            err.print(f"[bold red]error:[/] {escape(secrets.scrub(str(e)))}")
            raise typer.Exit(e.exit_code) from None
        except KeyboardInterrupt:
            err.print("interrupted: everything finished so far is stored; run the same "
                      "command again to continue")
            raise typer.Exit(Exit.INTERRUPTED) from None
        except Exception as e:
            if not _database_failure(e):
                raise
            # the driver's own error, not a wrapper's: Optuna's says "An exception is raised
            # during the commit ... invalid data", which after a lost connection is wrong
            # (imported here: SQLAlchemy is not loaded at the CLI's start)
            from framing.storage.retry import driver_reason

            err.print(f"[bold red]error:[/] the study database failed: "
                      f"{escape(secrets.scrub(driver_reason(e)))}; everything stored so far "
                      "is kept: run the same command again to continue")
            raise typer.Exit(Exit.FAILURE) from None

    return wrapper  # type: ignore[return-value]


def _database_failure(error: BaseException) -> bool:
    """An error of the database or its driver (say, the server went away mid-run)."""
    module = type(error).__module__.split(".")[0]
    return module in ("sqlalchemy", "psycopg", "pymysql", "sqlite3") or \
        type(error).__name__ == "StorageInternalError"


def _version(value: bool) -> None:
    if value:
        out.print(f"framing {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """framing: map the trade-off between over-blocking and missed harm."""


StudyArg = Annotated[str | None, typer.Argument(
    help="Study file, or a study name (studies/NAME.toml). Omit it for the workspace's "
    "studies/demo.toml, or the built-in demo (simulated model, offline) outside a workspace.",
    show_default=False)]
#: the old way to name a study (eval, templates, judge): still works, no longer shown
StudyAlias = Annotated[str | None, typer.Option(
    "--study", hidden=True, help="Deprecated: give STUDY as an argument.")]
StorageOpt = Annotated[str | None, typer.Option(
    "--storage", help="SQLAlchemy URL of the study database (overrides [storage] url).")]
SetOpt = Annotated[list[str] | None, typer.Option(
    "--set", help="Override a study-file key, e.g. --set search.trials=10 (repeatable).")]


def _load(study: str | Path | None, overrides: Sequence[str] | None = None,
          storage: str | None = None, *, alias: str | None = None,
          announce: bool = True) -> StudyConfig:
    """The study a command names (framing.workspace: a file, a name, the workspace's
    default or the built-in demo) with ``--set`` and ``--storage`` applied; says on
    stderr which study, templates and database it is unless ``announce`` is false."""
    from framing.workspace import open_study, study_line

    if alias is not None:
        if study is not None and str(study) != alias:
            raise ConfigError(f"two studies named: {study} and --study {alias}; give one "
                              "(as an argument: --study is deprecated)")
        study = alias
    extra = list(overrides or [])
    if storage:
        extra.append(f"storage.url={json.dumps(storage)}")
    config = open_study(study, extra)
    if announce:
        err.print(escape(study_line(config)), style="dim")
    return config


def _print_json(payload: Any) -> None:
    """Data for scripts (DESIGN §10): indented JSON on stdout."""
    sys.stdout.write(json.dumps(payload, indent=2) + "\n")


def _check_format(value: str, allowed: Sequence[str], option: str = "--format") -> str:
    if value not in allowed:
        raise ConfigError(f"{option}: {value!r} is not one of {', '.join(allowed)}")
    return value


# -- search ----------------------------------------------------------------------------


@app.command()
@handled
def search(
    study: StudyArg = None,
    trials: Annotated[int | None, typer.Option(
        "--trials", min=1, help="Total trials the study should have.")] = None,
    storage: StorageOpt = None,
    sampler: Annotated[str | None, typer.Option(
        "--sampler", help="tpe | nsga2 | random | grid | additive")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Sampler seed.")] = None,
    overrides: SetOpt = None,
    report: Annotated[bool, typer.Option(
        "--report/--no-report", help="Write reports/<study>.html at the end.")] = True,
    max_cost: Annotated[float | None, typer.Option(
        "--max-cost", min=0.0, help="Stop cleanly once this many USD were spent.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
    resume: Annotated[bool, typer.Option(
        "--resume", help="Continue the stored study of this name (always done: a study "
        "name that exists is resumed or joined; the flag only says so).")] = False,
    propose: Annotated[int | None, typer.Option(
        "--propose", min=0, help="Then this many rounds of new framings proposed from the "
        "frontier's failures (default: [propose] rounds).")] = None,
) -> None:
    """Run (or continue) a study and print its frontier.

    A study that exists (same name, same database) is resumed, or joined when other
    workers run it: start the same command on several machines to share the work."""
    from framing.progress import ProgressDisplay
    from framing.search.run import run_search

    extra = list(overrides or [])
    if sampler:
        extra.append(f"search.sampler={json.dumps(sampler)}")
    if seed is not None:
        extra.append(f"search.seed={seed}")
    if trials is not None:
        extra.append(f"search.trials={trials}")
    if max_cost is not None:
        extra.append(f"search.max_cost={max_cost}")
    if propose is not None:
        extra.append(f"propose.rounds={propose}")
    config = _load(study, extra, storage, announce=not quiet)
    with ProgressDisplay(err, quiet=quiet) as progress:
        if config.propose.rounds:
            import asyncio

            from framing.propose.loop import search_with_proposals

            result = asyncio.run(search_with_proposals(config, config.propose.rounds,
                                                       progress.handle))
        else:
            result = run_search(config, progress.handle)
    if result.simulated:
        err.print("[yellow]note:[/] target 'sim' is a simulated model; these numbers say "
                  "nothing about any real model")
    assessment = _assess(config, result.points)
    print_answer(assessment, title=f"Frontier of study '{result.study}'")
    if report:
        _maybe_report(config, quiet)


def _maybe_report(config: StudyConfig, quiet: bool) -> None:
    """Write reports/<study>.html after a search; its path goes to stderr.

    The study itself is stored either way: a report that cannot be written is an
    error (exit 1) that says how to retry, not a lost search. The path is printed even
    with ``--quiet``: it is where the result went, not progress.
    """
    from framing.report import build_report

    try:
        path = build_report(config)
    except FramingError as e:
        err.print(f"[bold red]error:[/] report: {escape(str(e))}; the study is stored, "
                  "run framing report to try again")
        raise typer.Exit(Exit.FAILURE) from None
    err.print(f"report: {escape(str(path))}")


# -- report ------------------------------------------------------------------------------


@app.command()
@handled
def report(
    study: StudyArg = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Where to write the HTML file (default reports/<study>.html).")]
    = None,
    storage: StorageOpt = None,
    overrides: SetOpt = None,
) -> None:
    """Write the HTML trade-off report of a stored study (one self-contained file)."""
    from framing.report import build_report

    config = _load(study, overrides, storage)
    path = build_report(config, output=output)
    out.print(escape(str(path)))
    if config.simulated:
        err.print("[yellow]note:[/] simulated model; the report carries a banner saying so")


# -- frontier ----------------------------------------------------------------------------


@app.command()
@handled
def frontier(
    study: StudyArg = None,
    fmt: Annotated[str, typer.Option("--format", help="table | csv | json")] = "table",
    by: Annotated[str | None, typer.Option(
        "--by", help="category | pattern: each frontier framing's rates per group.")] = None,
    storage: StorageOpt = None,
    corrected: Annotated[bool, typer.Option(
        "--corrected", help="Add rates corrected for judge error (needs framing judge "
        "calibrate first).")] = False,
    probable: Annotated[bool, typer.Option(
        "--probable", help="csv/json: list the probably non-dominated set instead of the "
        "point-estimate frontier (the table always shows both).")] = False,
    judge: Annotated[str, typer.Option(
        "--judge", help="first | second: the frontier under the study's judge or under its "
        "second judge ([judge.compare]).")] = "first",
    overrides: SetOpt = None,
) -> None:
    """Print the Pareto frontier of a stored study.

    The table shows the point-estimate frontier (●) and the probably non-dominated set
    (○: framings no other beats on both rates with paired significance), statistical
    ties, the constraint pick and hold-out estimates. JSON and CSV list the frontier's
    points with the same information as extra keys."""
    from framing.points import frontier as front
    from framing.points import study_points
    from framing.storage.optuna_studies import load_existing_study

    _check_format(fmt, ("table", "csv", "json"))
    _check_format(judge, ("first", "second"), "--judge")
    config = _load(study, overrides, storage)
    opt = load_existing_study(config.name, config.storage.url)
    every = study_points(opt)
    agreement = _second_judge(config, required=judge == "second")
    if judge == "second":
        _print_second_frontier(config, every, fmt, corrected, agreement)
        return
    points = front(every)
    if by is not None:
        from framing.breakdown import BY, breakdowns

        if by not in BY:
            raise ConfigError(f"--by: {by!r} is not one of {', '.join(BY)}")
        print_breakdowns(breakdowns(config, points, by), fmt)
        return
    assessment = _assess(config, every)
    if probable or fmt == "table":
        points = assessment.probable
    points = assessment.listing(points)
    if corrected:
        points = _corrected(config, points)
    if fmt == "table":
        print_assessment(points, assessment, title=f"Frontier of study '{config.name}'",
                          holdout_split=config.data.holdout > 0)
        for note in _version_notes(config, points):
            out.print(escape(note))
        _print_agreement(config, agreement, out)
        return
    print_points(points, fmt, title=f"Frontier of study '{config.name}'")
    _print_agreement(config, agreement, err)


def _version_notes(config: StudyConfig, points: Sequence[Point]) -> list[str]:
    """What the frontier holds of more than one template version, and of framings no
    longer in the study's space (a template removed or edited since)."""
    from framing.points import frontier_versions
    from framing.templates import load_templates
    from framing.versions import short

    notes = [f"{name} is on the frontier in {len(versions)} versions "
             f"({', '.join('@' + v for v in versions)}): its text was edited between "
             "trials; framing templates list --study FILE shows each version's trials"
             for name, versions in frontier_versions(points).items()]
    try:
        current = {(t.name, t.version) for t in load_templates(
            [*config.search.templates, *config.search.baselines], config.template_root)}
    except FramingError:
        return notes
    gone = [p for p in points if p.version and (p.template, p.version) not in current]
    if gone:
        notes.append("not in the current space (template removed or edited since): " + ", ".join(
            f"trial {p.trial} ({p.template}@{short(p.version)})" for p in gone))
    return notes


def _second_judge(config: StudyConfig, *, required: bool) -> dict[str, Any]:
    """Per-subset agreement of the study's two judges (empty without a second judge),
    after the second judge judged the responses it had not seen."""
    from framing.secondjudge import agreement, fill_second_verdicts, second_config
    from framing.storage.tables import Store

    if config.judge.compare is None:
        if required:
            second_config(config)  # raises: says how to add one
        return {}
    store = Store(config.storage.url)
    try:
        run = fill_second_verdicts(config, store)
        if run.judged:
            err.print(f"second judge ({run.kind}): {run.judged} new verdicts")
        judge_usage_note(run.usage)
        return agreement(config, store)
    finally:
        store.close()


def _print_agreement(config: StudyConfig, agreement: dict[str, Any], console: Console) -> None:
    if not agreement:
        return
    parts = "; ".join(f"{subset} {rate}" for subset, rate in agreement.items())
    second = config.judge.compare.kind if config.judge.compare else "second"
    console.print(f"judges: the second judge ({second}) agrees with the "
                  f"{config.judge.kind} judge on {parts} (three-way, every stored verdict)")


def _print_second_frontier(config: StudyConfig, every: Sequence[Any], fmt: str, corrected: bool,
                           agreement: dict[str, Any]) -> None:
    from framing.labels import label_calibration
    from framing.secondjudge import second_frontier
    from framing.storage.tables import Store

    store = Store(config.storage.url)
    try:
        cal = label_calibration(config, store, second=True) if corrected else None
        if corrected and cal is None:
            raise ConfigError(f"--corrected --judge second: study {config.name!r} has no "
                              "labels of its responses yet; run: framing label STUDY")
        points = second_frontier(config, store, every, cal)
    finally:
        store.close()
    second = config.judge.compare.kind if config.judge.compare else "second"
    print_points(points, fmt, title=f"Frontier of study '{config.name}' under its second "
                 f"judge ({second})")
    _print_agreement(config, agreement, out if fmt == "table" else err)


def _assess(config: StudyConfig, points: Sequence[Point]) -> Assessment:
    """The study's one assessment (framing.assessment.assess)."""
    from framing.assessment import assess
    from framing.constraints import Constraints
    from framing.storage.tables import Store

    store = Store(config.storage.url)
    try:
        return assess(config.name, points, store, Constraints.of(config.search))
    finally:
        store.close()


def _corrected(config: StudyConfig, points: list[Point]) -> list[Point]:
    """Points with Rogan–Gladen corrected rates (``*_corrected`` keys); the calibration
    used goes to stderr."""
    from framing.judging.calibration import CORRECTED_SUBSETS, correction_problems
    from framing.labels import corrected_points

    points, cal = corrected_points(config, points)
    rates = "; ".join(f"{s.subset}: sensitivity {s.sensitivity}, specificity {s.specificity}"
                      for s in cal.subsets.values() if s.subset in CORRECTED_SUBSETS)
    err.print(escape(f"corrected for the {cal.judge_kind} judge's error ({cal.labels}; "
                      f"{rates})"))
    for problem in correction_problems(cal):
        err.print(f"[yellow]warning:[/] cannot correct {escape(problem)}")
    return points


# -- compare / validate ----------------------------------------------------------------


@app.command()
@handled
def compare(
    args: Annotated[list[str], typer.Argument(
        metavar="[STUDY] TRIAL_A TRIAL_B",
        help="Two trial numbers, optionally after a study file or name; '-' or no study "
        "means the workspace's default study (the built-in demo outside a workspace).",
        show_default=False)],
    fmt: Annotated[str, typer.Option("--format", help="table | json")] = "table",
    storage: StorageOpt = None,
    split: Annotated[str, typer.Option(
        "--split", help="search | holdout (both trials must have been validated)")]
    = "search",
    limit: Annotated[int, typer.Option(
        "--limit", min=0, help="Disagreements listed in the table per kind: missed harm "
        "(unsafe samples) and over-blocking (borderline samples); JSON lists all.")] = 20,
    overrides: SetOpt = None,
) -> None:
    """Paired comparison of two framings on their shared samples (exact McNemar per rate),
    with the samples on which they disagree."""
    from framing.compare import compare_outcomes, resolve_trial, stored_outcomes
    from framing.storage.optuna_studies import load_existing_study
    from framing.storage.tables import Store

    _check_format(fmt, ("table", "json"))
    _check_format(split, ("search", "holdout"), "--split")
    study, numbers = _compare_args(args)
    config = _load(study, overrides, storage)
    opt = load_existing_study(config.name, config.storage.url)
    a, b = (resolve_trial(opt, n) for n in numbers)
    store = Store(config.storage.url)
    try:
        outcomes = stored_outcomes(store, config.name, {a, b}, split)
    finally:
        store.close()
    for number, trial in zip(numbers, (a, b), strict=True):
        if trial not in outcomes:
            raise ConfigError(f"trial {number}: no stored {split} verdicts in study "
                              f"{config.name!r}"
                              + (" (run framing validate first)" if split == "holdout"
                                 else ""))
    result = compare_outcomes(numbers[0], outcomes[a], numbers[1], outcomes[b],
                              _sample_texts(config))
    if fmt == "json":
        _print_json(result.to_json())
        return
    print_comparison(result, opt, limit)


def _compare_args(args: Sequence[str]) -> tuple[str | None, tuple[int, int]]:
    """``[STUDY] TRIAL_A TRIAL_B``: two trial numbers, after an optional study."""
    if len(args) not in (2, 3):
        raise ConfigError("compare: expected [STUDY] TRIAL_A TRIAL_B, e.g. framing compare "
                          "studies/demo.toml 3 12 (or framing compare 3 12 for the demo)")
    *head, first, second = args
    numbers = []
    for raw in (first, second):
        try:
            numbers.append(int(raw))
        except ValueError:
            raise ConfigError(f"compare: {raw!r} is not a trial number") from None
    study = None if not head or head[0] == "-" else head[0]
    return study, (numbers[0], numbers[1])


def _sample_texts(config: StudyConfig) -> dict[str, str]:
    """Sample id -> request text, for showing disagreements (empty if the data moved)."""
    from framing.data.loaders import load_source

    try:
        return {s.id: s.text for s in load_source(config.data.source, config.data.columns)}
    except FramingError as e:
        err.print(f"[yellow]note:[/] sample texts unavailable: {escape(str(e))}")
        return {}


@app.command()
@handled
def validate(
    study: StudyArg = None,
    fmt: Annotated[str, typer.Option("--format", help="table | json")] = "table",
    storage: StorageOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
    overrides: SetOpt = None,
) -> None:
    """Re-evaluate the frontier (and the constraint pick) on the hold-out split the search
    never saw; print search and hold-out estimates side by side."""
    import asyncio

    from framing.progress import ProgressDisplay
    from framing.search.holdout import validate_study

    _check_format(fmt, ("table", "json"))
    config = _load(study, overrides, storage, announce=not quiet)
    with ProgressDisplay(err, quiet=quiet) as progress:
        result = asyncio.run(validate_study(config, on_event=progress.handle))
    if fmt == "json":
        _print_json([c.to_json() for c in result.checks])
    else:
        print_holdout_checks(result)
    err.print(f"hold-out: {plural(len(result.checks), 'framing')}, "
              f"{plural(result.calls, 'new call')}, {result.cache_hits:,} from cache")
    if result.simulated:
        err.print("[yellow]note:[/] simulated model; numbers say nothing about real models")


# -- eval ----------------------------------------------------------------------------------


@app.command("eval")
@handled
def eval_(
    template: Annotated[str, typer.Argument(help="Template file, e.g. prompts/stance.j2.")],
    study: StudyArg = None,
    param: Annotated[list[str] | None, typer.Option(
        "-p", "--param", help="Parameter value name=value (repeatable).")] = None,
    study_alias: StudyAlias = None,
    limit: Annotated[int | None, typer.Option(
        "--limit", min=1, help="At most N samples per subset.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table | json")] = "table",
    storage: StorageOpt = None,
    overrides: SetOpt = None,
) -> None:
    """Evaluate one framing on the study's samples with its target, data and judge
    (cached calls are free)."""
    import asyncio

    from framing.search.run import evaluate_framing

    _check_format(fmt, ("table", "json"))
    config = _load(study, overrides, storage, alias=study_alias)
    params = _parse_params(param)
    result = asyncio.run(evaluate_framing(config, template, params, limit=limit))
    if fmt == "json":
        # a framing evaluated outside a search belongs to no trial
        payload = {**result.point.to_json(), "trial": None, "truncated": result.truncated,
                   "calls": result.calls, "cache_hits": result.cache_hits}
        _print_json(payload)
        _warn_truncation(result.truncated, result.verdicts, config.target.max_tokens)
        return
    p = result.point
    out.print(f"framing        {escape(p.label)}")
    out.print(f"over-blocking  {p.over_blocking}")
    out.print(f"under-refusal  {p.under_refusal}")
    if p.false_refusal is not None:
        out.print(f"false refusal  {p.false_refusal}")
    out.print(f"errors         {p.errors}   partial {p.partial}   undetermined {p.undetermined}"
              f"   truncated {result.truncated}")
    out.print(f"calls          {result.calls} new, {result.cache_hits} from cache")
    if result.calls and not config.simulated:
        priced = None not in (config.target.price_input, config.target.price_output)
        cost = f"   cost ${p.cost:.4f}" if priced else ""
        out.print(f"tokens         {result.input_tokens:,} in, {result.output_tokens:,} out{cost}")
    if "judge_calls" in p.extra:
        judge_cost = f", cost ${p.extra['judge_cost']:.4f}" if p.extra["judge_cost"] else ""
        out.print(f"judge calls    {p.extra['judge_calls']} new, "
                  f"{p.extra['judge_cache_hits']} from cache{judge_cost}")
    for key, title in (("joint_accuracy", "joint accuracy"),
                       ("compositional_error_share", "compositional error share")):
        if key in p.extra:
            out.print(f"{title:<14} {share(p.extra[key], p.extra.get(f'{key}_ci'))}")
    if config.simulated:
        err.print("[yellow]note:[/] simulated model; numbers say nothing about real models")
    _warn_truncation(result.truncated, result.verdicts, config.target.max_tokens)


def _warn_truncation(truncated: int, total: int, max_tokens: int) -> None:
    from framing.events import truncation_alert

    alert = truncation_alert(truncated, total, max_tokens)
    if alert is not None:
        err.print(f"[bold yellow]warning:[/] {escape(alert.message)}")


def _parse_params(items: Sequence[str] | None) -> dict[str, Any]:
    from framing.config import parse_value

    params: dict[str, Any] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ConfigError(f"-p {item!r}: expected name=value, e.g. -p stance=strict")
        params[name.strip()] = parse_value(value.strip())
    return params


# -- templates --------------------------------------------------------------------------


def _study_templates(study: str | None, overrides: Sequence[str] | None = None,
                     alias: str | None = None) -> tuple[list[str], Path]:
    """The template names of the study a command names, and the folder they start from.

    A folder with loose ``prompts/*.j2`` and no study file (not a workspace) lists those."""
    from framing.templates import expand_paths
    from framing.workspace import workspace_root

    loose = Path("prompts").is_dir() and any(Path("prompts").glob("*.j2"))
    if study is None and alias is None and not overrides and loose and workspace_root() is None:
        err.print("templates ./prompts/ (no study file here; framing init makes a workspace)",
                  style="dim")
        return expand_paths(["prompts/*.j2"], Path.cwd()), Path.cwd()
    config = _load(study, overrides, alias=alias)
    root = config.template_root
    return expand_paths([*config.search.templates, *config.search.baselines], root), root


@templates_app.command("list")
@handled
def templates_list(
    study: StudyArg = None,
    study_alias: StudyAlias = None,
    overrides: SetOpt = None,
) -> None:
    """List the study's templates with their parameters and number of framings, then each
    template version the stored study ran, with its trials."""
    from framing.templates import load_template
    from framing.workspace import workspace_root

    names, root = _study_templates(study, overrides, study_alias)
    templates = [load_template(name, root=root) for name in names]
    print_templates(templates)
    if study is not None or study_alias is not None or workspace_root() is not None:
        config = _load(study, overrides, alias=study_alias, announce=False)
        _print_study_versions(config, templates)


def _print_study_versions(config: StudyConfig, templates: Sequence[Template]) -> None:
    """The template versions a stored study ran (nothing when it has no trials yet)."""
    from framing.storage.optuna_studies import has_optuna_tables, load_existing_study
    from framing.versions import study_versions

    if config.storage.url.startswith("sqlite") and not has_optuna_tables(config.storage.url):
        return
    try:
        opt = load_existing_study(config.name, config.storage.url)
    except ConfigError:
        return
    trials = [t.user_attrs for t in opt.get_trials(deepcopy=False)
              if t.state.name == "COMPLETE"]
    print_template_versions(config.name, study_versions(opt.user_attrs, trials, templates))


@templates_app.command("lint")
@handled
def templates_lint(
    paths: Annotated[list[str] | None, typer.Argument(
        help="Template files; default: the templates of the study named by --study (the "
        "workspace's default study, prompts/*.j2 here, or the built-in demo's).")] = None,
    study_alias: Annotated[str | None, typer.Option(
        "--study", help="Study file or name whose templates to lint (when no PATH is given).")]
    = None,
    overrides: SetOpt = None,
) -> None:
    """Parse, check and test-render templates; report file, line and reason."""
    from framing.errors import TemplateError
    from framing.templates import lint_template, load_template

    names, root = (list(paths), Path.cwd()) if paths else \
        _study_templates(None, overrides, study_alias)
    failures = 0
    for name in names:
        try:
            lint_template(load_template(name, root=root))
        except TemplateError as e:
            failures += 1
            err.print(f"[red]FAIL[/] {escape(str(e))}")
        else:
            out.print(f"ok   {escape(name)}")
    if failures:
        err.print(f"{failures:,} of {plural(len(names), 'template')} failed lint")
        raise typer.Exit(Exit.BAD_INPUT)


@templates_app.command("render")
@handled
def templates_render(
    template: Annotated[str, typer.Argument(help="Template file.")],
    param: Annotated[list[str] | None, typer.Option("-p", "--param",
                                                    help="name=value (repeatable)")] = None,
    sample: Annotated[str | None, typer.Option("--sample", help="Sample id to render for.")]
    = None,
    study: StudyArg = None,
    study_alias: StudyAlias = None,
    overrides: SetOpt = None,
) -> None:
    """Render a template for one sample of the study's data and print the messages."""
    from framing.data.loaders import load_data
    from framing.errors import DataError
    from framing.templates import SampleView, lint_template

    config = _load(study, overrides, alias=study_alias)
    t = _resolve_template(template, config)
    lint_template(t)
    samples = load_data(config.data)
    if sample is None:
        chosen = samples[0]
    else:
        chosen = next((s for s in samples if s.id == sample), None)  # type: ignore[assignment]
        if chosen is None:
            raise DataError(f"--sample {sample!r}: no such sample in {config.data.source!r}")
    params = t.resolve_params(_parse_params(param))
    messages = t.render(SampleView(chosen.id, chosen.text, chosen.image is not None), params)
    out.print(f"[bold]# {escape(t.name)}[/] params={escape(json.dumps(params))} "
              f"sample={escape(chosen.id)}")
    out.print("[bold]--- system ---[/]")
    out.print(escape(messages.system))
    out.print("[bold]--- user ---[/]" + (" (+ image)" if chosen.image else ""))
    out.print(escape(messages.user))


def _resolve_template(name: str, config: StudyConfig) -> Template:
    """A template by path (relative to here), falling back to the study's template root."""
    from framing.templates import load_template

    if Path(name).exists():
        return load_template(name)
    return load_template(name, root=config.template_root)


# -- data ---------------------------------------------------------------------------------


@data_app.command("stats")
@handled
def data_stats(
    source: Annotated[str, typer.Argument(help="demo | vlsu:PATH | csv:PATH | jsonl:PATH")]
    = "demo",
    fmt: Annotated[str, typer.Option("--format", help="table | json")] = "table",
    column: Annotated[list[str] | None, typer.Option(
        "--column", "-c", help="csv/jsonl: field=column, as data.columns in a study file "
        "(repeatable), e.g. -c text=prompt")] = None,
) -> None:
    """Counts per subset, pattern and category."""
    from framing.data.loaders import load_source
    from framing.data.summary import summarize

    _check_format(fmt, ("table", "json"))
    columns = {}
    for item in column or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ConfigError(f"--column {item!r}: expected field=column, e.g. -c text=prompt")
        columns[name.strip()] = value.strip()
    summary = summarize(load_source(source, columns))
    if source.startswith("vlsu:"):
        from framing.data.vlsu import image_counts, read_manifest

        summary["images"] = image_counts(read_manifest(Path(source[5:]).expanduser()))
    if fmt == "json":
        _print_json(summary)
        return
    print_summary(summary)


@data_app.command("import-vlsu")
@handled
def data_import_vlsu(
    csv_path: Annotated[Path, typer.Argument(
        metavar="CSV", help="The official VLSU CSV (never committed: CC-BY-NC-ND).")],
    images: Annotated[Path | None, typer.Option(
        "--images", help="Import folder: the images, imported.jsonl and import.json "
        "(default: <CSV name>-images next to the CSV).")] = None,
    download: Annotated[bool, typer.Option(
        "--download", help="Fetch images not yet in the folder (a rerun fetches only "
        "what is missing).")] = False,
    retry_broken: Annotated[bool, typer.Option(
        "--retry-broken", help="With --download: retry links that failed for good "
        "before (404, not an image).")] = False,
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, max=256,
                                             help="Parallel downloads.")] = 16,
    timeout: Annotated[float, typer.Option("--timeout", min=0.1,
                                           help="Seconds per connect/read.")] = 20.0,
    retries: Annotated[int, typer.Option("--retries", min=0, max=10,
                                         help="Extra attempts on transient failures.")] = 2,
    fmt: Annotated[str, typer.Option("--format", help="table | json")] = "table",
) -> None:
    """Check the VLSU CSV, import it (optionally with its images) and print its counts.

    Studies then use data.source = "vlsu:FOLDER" (or "vlsu:CSV" for the default folder).
    """
    from collections import Counter

    from framing.data.download import DownloadOptions
    from framing.data.summary import summarize
    from framing.data.vlsu import import_vlsu

    _check_format(fmt, ("table", "json"))
    options = DownloadOptions(concurrency=concurrency, timeout=timeout, retries=retries)
    with DownloadBar(err) as bar:
        result = import_vlsu(csv_path, images, download=download, retry_broken=retry_broken,
                             options=options, on_progress=bar.update)
    summary = {**summarize(result.samples), "images": result.images}
    counts = result.images
    err.print(f"imported {len(result.records)} rows into {escape(str(result.folder))}; "
              f"images: {counts['ok']} ok, {counts['broken']} broken, {counts['missing']} "
              f"missing; downloaded {result.downloaded} of {result.attempted} tried")
    if counts["broken"] + counts["missing"]:
        hint = "" if download else " (add --download to fetch them)"
        err.print(f"{counts['broken'] + counts['missing']} samples without an image are left "
                  f"out of image studies{hint}")
    reasons = Counter(r.reason for r in result.records if r.status == "broken")
    if reasons:
        err.print("broken links: " + ", ".join(f"{n} {escape(str(why))}"
                                               for why, n in reasons.most_common(5)))
    err.print(escape(f'use it in a study file: [data] source = '
                      f'"vlsu:{result.folder.as_posix()}"'))
    if fmt == "json":
        _print_json(summary)
        return
    print_summary(summary)


# -- judge --------------------------------------------------------------------------------


class _JudgeGroup(TyperGroup):
    """``framing judge TEXT`` judges TEXT; ``evaluate`` and ``calibrate`` are subcommands.

    A first argument that names no subcommand goes to the hidden ``text`` command, so
    ``framing judge [--kind K] TEXT`` works as DESIGN §10 says. A response that is
    literally "evaluate" or "calibrate" is judged with ``framing judge -- evaluate``.
    """

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["text", *args]
        return super().parse_args(ctx, args)


judge_app = typer.Typer(
    cls=_JudgeGroup, no_args_is_help=True,
    help="Judge a response (framing judge [--kind rules|model] [--request R] [--image P] "
    "TEXT [STUDY]; see framing judge text --help), score a judge on labelled responses "
    "(evaluate), or calibrate it for a study (calibrate). A response that is literally "
    "'evaluate' or 'calibrate': framing judge -- evaluate.")
app.add_typer(judge_app, name="judge")

KindOpt = Annotated[str | None, typer.Option(
    "--kind", help="rules | model (default: the study's judge.kind)")]
FormatOpt = Annotated[str, typer.Option("--format", help="table | json")]


@judge_app.command("text", hidden=True)
@handled
def judge_text(
    text: Annotated[str, typer.Argument(help="A model response to judge.")],
    study: StudyArg = None,
    kind: KindOpt = None,
    study_alias: StudyAlias = None,
    request: Annotated[str, typer.Option(
        "--request", help="The request the response answers (the model judge reads it; "
        "the rules judge uses its words to tell on-topic content from explanation, and "
        "its trained stage runs only with it).")]
    = "",
    image: Annotated[Path | None, typer.Option(
        "--image", help="The request's image (the model judge sees it).")] = None,
    storage: StorageOpt = None,
    overrides: SetOpt = None,
) -> None:
    """Judge one response with the study's judge: prints the verdict first, then the rule
    or reason."""
    from framing.judge_commands import judge_one, resolve_kind

    config = _load(study, overrides, storage, alias=study_alias)
    chosen = resolve_kind(config, kind)
    judgement = judge_one(config, chosen, text, request=request, image=image)
    sure = "" if judgement.confidence is None else \
        f"; confidence {judgement.confidence:.2f}{', unsure' if judgement.unsure else ''}"
    out.print(escape(f"{judgement.verdict.value} ({judgement.rule}{sure})"))
    if judgement.verdict.value == "undetermined":
        raise typer.Exit(Exit.FAILURE)


def _judge_on_labels(action: Callable[[StudyConfig, str], JudgeRun], study: str | None,
                     kind: str | None, fmt: str, storage: str | None,
                     overrides: Sequence[str] | None, alias: str | None) -> JudgeRun:
    """What ``judge evaluate`` and ``judge calibrate`` share: check the format, load the
    study, run ``action`` with the chosen judge kind."""
    from framing.judge_commands import resolve_kind

    _check_format(fmt, ("table", "json"))
    config = _load(study, overrides, storage, alias=alias)
    return action(config, resolve_kind(config, kind))


@judge_app.command("evaluate")
@handled
def judge_evaluate(
    study: StudyArg = None,
    kind: KindOpt = None,
    labels: Annotated[Path | None, typer.Option(
        "--labels", help="Labelled JSONL (id, subset, request, response, label, case); "
        "default: the bundled set.")] = None,
    study_alias: StudyAlias = None,
    fmt: FormatOpt = "table",
    storage: StorageOpt = None,
    overrides: SetOpt = None,
) -> None:
    """Accuracy and confusion matrix of the study's judge on labelled responses."""
    from framing.judge_commands import evaluate_on_labels
    from framing.judging.evaluation import format_evaluation

    run = _judge_on_labels(lambda config, chosen: evaluate_on_labels(config, chosen, labels),
                           study, kind, fmt, storage, overrides, study_alias)
    if fmt == "json":
        _print_json({**run.evaluation.to_json(), "judge_usage": run.usage.to_json()})
    else:
        out.print(escape(format_evaluation(run.evaluation)))
    judge_usage_note(run.usage)


@judge_app.command("calibrate")
@handled
def judge_calibrate(
    labels: Annotated[Path, typer.Argument(
        help="Hand-labelled JSONL (id, subset, request, response, label, case).")],
    study: StudyArg = None,
    kind: KindOpt = None,
    study_alias: StudyAlias = None,
    fmt: FormatOpt = "table",
    storage: StorageOpt = None,
    overrides: SetOpt = None,
) -> None:
    """Estimate a judge's sensitivity and specificity per subset; store them with the study."""
    from framing.judge_commands import calibrate_judge
    from framing.judging.calibration import correction_problems

    run = _judge_on_labels(lambda config, chosen: calibrate_judge(config, chosen, labels),
                           study, kind, fmt, storage, overrides, study_alias)
    cal = run.calibration
    assert cal is not None
    if fmt == "json":
        _print_json({**cal.to_json(), "accuracy": run.evaluation.to_json()["accuracy"],
                     "judge_usage": run.usage.to_json()})
    else:
        print_calibration(cal, run.evaluation.correct, run.evaluation.n)
    for problem in correction_problems(cal):
        err.print(f"[yellow]warning:[/] cannot correct {escape(problem)}")
    err.print(f"stored with study '{escape(cal.study)}'; "
              "framing frontier --corrected now shows corrected rates")
    judge_usage_note(run.usage)


# -- label --------------------------------------------------------------------------------


@app.command()
@handled
def label(
    study: StudyArg = None,
    target_width: Annotated[float, typer.Option(
        "--target-width", help="Say how many more labels bring the corrected rates' 95% "
        "interval under this width.")] = 0.1,
    storage: StorageOpt = None,
    overrides: SetOpt = None,
) -> None:
    """Label the study's stored responses yourself: r refusal, p partial, c compliance,
    s skip, u undo, q quit (one answer per line).

    Labels are stored with the response, so every study with the same responses reuses
    them; they calibrate the study's judge for framing frontier --corrected."""
    from framing.labelling import print_summary, run_labelling
    from framing.labels import check_width
    from framing.storage.tables import Store

    check_width(target_width)
    config = _load(study, overrides, storage)
    store = Store(config.storage.url)
    try:
        run_labelling(config, store, _answer_line, err)
        print_summary(config, store, target_width, out, err)
    finally:
        store.close()


def _answer_line() -> str:
    """One answer from stdin. A piped answer is echoed, so the prompt's line ends before
    the next response is shown (typed answers end it with the user's Enter)."""
    line = sys.stdin.readline()
    if line and not sys.stdin.isatty():
        err.print(escape(line.strip()))
    return line


# -- tui ----------------------------------------------------------------------------------


@app.command()
@handled
def tui(
    study: StudyArg = None,
    storage: StorageOpt = None,
    overrides: SetOpt = None,
    screen: Annotated[str, typer.Option(
        "--screen", help="Screen to open first: framings | run | frontier | data | label")]
    = "run",
) -> None:
    """Open the terminal UI: write framings, run the study, drill into its frontier."""
    if screen not in ("framings", "run", "frontier", "data", "label"):
        raise ConfigError(f"--screen: {screen!r} is not one of framings, run, frontier, data, "
                          "label")
    config = _load(study, overrides, storage)
    # Textual is imported only here: `import framing.cli` and other commands stay light.
    from framing.tui import make_app

    make_app(config, initial=screen).run()


# -- export -------------------------------------------------------------------------------


@app.command()
@handled
def export(
    study: StudyArg = None,
    output: Annotated[str, typer.Option(
        "-o", "--output", help="File to write; - writes csv/jsonl to stdout.")] = "",
    fmt: Annotated[str | None, typer.Option(
        "--format", help="csv | jsonl | parquet (default: from the file name).")] = None,
    split: Annotated[list[str] | None, typer.Option(
        "--split", help="Only these splits: search, holdout (repeatable; default: all).")]
    = None,
    storage: StorageOpt = None,
    overrides: SetOpt = None,
) -> None:
    """Write one row per trial × sample (verdict, grades, category, pattern, response)."""
    from framing.export import export_study

    if not output:
        raise ConfigError("-o PATH: say where to write, e.g. -o results.parquet (- for stdout)")
    config = _load(study, overrides, storage)
    summary = export_study(config, output, fmt, split)
    where = "stdout" if output == "-" else output
    err.print(f"wrote {plural(summary.rows, 'row')} from {plural(summary.trials, 'trial')} "
              f"of study '{escape(config.name)}' to {escape(where)}")
    if summary.rows == 0:
        err.print("[yellow]warning:[/] no per-sample results are stored for this study yet")
    if summary.missing_samples:
        err.print(f"[yellow]warning:[/] {summary.missing_samples} rows name samples that are "
                  "no longer in the data set; their grades and category are empty")
    if summary.missing_responses:
        err.print(f"[yellow]warning:[/] {summary.missing_responses} rows have no stored "
                  "response text")


# -- propose ------------------------------------------------------------------------------


@app.command()
@handled
def propose(
    study: StudyArg = None,
    trial: Annotated[int | None, typer.Option(
        "--trial", help="Propose from this trial's framing (default: the recommended one).")]
    = None,
    proposer: Annotated[str | None, typer.Option(
        "--proposer", help="edit | model (default: [propose] proposer, else edit).")] = None,
    candidates: Annotated[int | None, typer.Option(
        "--candidates", "-n", min=1, help="How many candidates to ask for (default: "
        "[propose] candidates).")] = None,
    direction: Annotated[str | None, typer.Option(
        "--direction", help="over-blocking | missed-harm: which mistake to cut (default: "
        "half the candidates each).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table | json")] = "table",
    storage: StorageOpt = None,
    overrides: SetOpt = None,
) -> None:
    """Write new framing templates from a frontier framing's failures.

    The proposer sees the borderline requests the framing refused and the unsafe ones it
    answered (request text and response only, never grades or categories). Candidates are
    linted and de-duplicated, then saved under [propose] folder (prompts/proposed/) with
    their provenance in the front matter; nothing is evaluated here."""
    from framing.propose.run import propose_study

    _check_format(fmt, ("table", "json"))
    if proposer is not None:
        _check_format(proposer, ("edit", "model"), "--proposer")
    if direction is not None:
        _check_format(direction, ("over-blocking", "missed-harm"), "--direction")
    config = _load(study, overrides, storage)
    if config.source == "<built-in demo>":
        raise ConfigError("the built-in demo's templates belong to the package: make a "
                          "workspace (framing init DIR) and propose from its study file")
    if proposer == "model" and config.propose.target is None:
        raise ConfigError("--proposer model needs a [propose.target] table in the study file "
                          "(same keys as [target])")
    if trial is None:
        from framing.points import study_points
        from framing.storage.optuna_studies import load_existing_study

        assessment = _assess(config, study_points(load_existing_study(
            config.name, config.storage.url)))
        if assessment.recommended is None:
            raise ConfigError(f"study {config.name!r} has no recommended framing yet: run "
                              "framing search first, or give --trial N")
        trial = assessment.recommended.trial
    result = propose_study(config, trial, proposer=proposer, n=candidates,
                           direction=direction, storage=storage)  # type: ignore[arg-type]
    print_proposals(result, fmt)


# -- init ---------------------------------------------------------------------------------


@app.command()
@handled
def init(
    directory: Annotated[Path, typer.Argument(help="Folder for the new workspace.")],
) -> None:
    """Scaffold a workspace: prompts/, studies/ and reports/ with the demo files."""
    from framing.config import demo_dir

    if directory.exists() and not directory.is_dir():
        raise ConfigError(f"{directory}: exists and is not a folder")
    src = demo_dir()
    written, kept = [], []
    for sub in ("prompts", "studies"):
        for f in sorted(p for p in (src / sub).rglob("*") if p.is_file()):
            dest = directory / sub / f.relative_to(src / sub)
            if dest.exists():
                kept.append(dest)
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, dest)
            written.append(dest)
    (directory / "reports").mkdir(parents=True, exist_ok=True)
    for f in written:
        out.print(f"wrote {f}")
    for f in kept:
        out.print(f"kept  {f} (already there)")
    err.print(f"next: cd {directory} && framing search   (runs studies/demo.toml, the "
              "workspace's default study)")


# -- studies -------------------------------------------------------------------------------


@app.command()
@handled
def studies(
    study: Annotated[str | None, typer.Argument(
        help="Study file or name whose database to list (default: the workspace's default "
        "study, or the built-in demo's sqlite:///studies/framing.db).", show_default=False)]
    = None,
    storage: Annotated[str | None, typer.Option(
        "--storage", help="SQLAlchemy URL of the database (overrides the study's).")] = None,
    fmt: FormatOpt = "table",
    overrides: SetOpt = None,
) -> None:
    """List the studies in a database with their progress (all workers together)."""
    from framing.storage.url import redact
    from framing.study_progress import list_studies

    _check_format(fmt, ("table", "json"))
    url = _load(study, overrides, storage, announce=False).storage.url
    found = list_studies(url)
    if fmt == "json":
        _print_json([s.to_json() for s in found])
        return
    if not found:
        err.print(f"no studies in {escape(redact(url))} yet (framing search creates them)")
        return
    print_studies(found, redact(url))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
