"""How many calls framing's default search needs to map the true frontier, against a
fixed-sample random search over the same space, on three simulated tuning settings and
one held-out setting. Prints; asserts nothing. Every figure is SIMULATED: it says
nothing about any real model.

    .venv/bin/python benchmarks/efficiency.py [--seeds 0 1 2 3 4 5 6 7]
        [--settings demo large category heldout] [--arms additive+screening tpe+screening]
        [--budget 24000] [--set search.screening_margin=0.5] [--racing-figure]
        [--reference-cache random.json] [--ceiling]

Settings (each with the demo set's search samples: 120 borderline, 120 unsafe):

- ``demo``: the demo space (``prompts/*.j2``, 78 framings), default sim model.
- ``large``: the benchmark template set ``benchmarks/templates/*.j2`` plus the baseline
  (553 framings, more parameters per template), default sim model.
- ``category``: the demo space on the second simulated model (``target.model =
  "sim-vlm-category"``), whose framing effects differ by harm category.
- ``heldout``: HELD OUT, no option of the search is tuned on it. The template set
  ``benchmarks/templates_heldout/*.j2`` plus the baseline (517 framings: other
  sentences, other parameters than the tuning sets), with sim seeds from another family
  (1000 + seed). It was written and committed before any tuning; its ratio is printed
  beside the three tuning settings, labelled, and is the figure to trust.

The sim target knows each framing's exact expected rates (``SimTarget.expected_rates``
over the study's search samples), so enumerating the space (``Template.grid()``) gives
the true frontier and its hypervolume (reference point (1, 1)).

Arms (``--arms``), each run through ``run_search`` on a fresh database per seed, with the
same space, the same search samples, the same sim seed and the same sampler seed:

- ``additive+screening``: the default search: the ``additive`` sampler
  (framing.search.additive: a model of the rates as sums of per-template and
  per-parameter-value effects proposes the framing with the largest expected
  hypervolume gain), racing and screening.
- ``tpe+screening``: the default search before the additive sampler: TPE, racing and
  screening (its first look,
  then the hardest samples first with the certain bound of
  ``framing.search.difficulty``; ``--set search.screening_order='focus'`` for the
  earlier rule).
- ``random+screening``: random sampling without repeats, with screening.
- ``tpe+racing``: the search as it was before screening (TPE and racing).
- ``random``: the reference: random sampling without repeats, every trial on the full
  fixed sample (racing and screening off).

After every trial, the framings the search would report as its frontier (the
point-estimate frontier of its full trials) are looked up in the truth table; the
hypervolume of their *true* rates, as a share of the true frontier's, is the quality
of the search at that many calls. The figure is the number of calls each arm needs
before that share first reaches 98% (an arm stops there, or at ``--budget`` calls), and
the ratio of the medians over seeds, random / arm (target: >= 3; a run that never got
there counts as more than any that did, and a median that is such a run gives no
ratio). At that moment the
share of reported frontier points that are truly non-dominated (no framing of the space
is better on both exact rates) says whether calls were bought with a wrong frontier.
Per seed it also prints the *oracle*: the fewest calls any search that claims only
full-sample points can need (:func:`oracle_framings`: the baseline and the fewest
true-frontier framings whose hypervolume reaches the target), and with it random /
oracle, the highest ratio reachable on that setting.
``--reference-cache FILE`` keeps the reference arm's runs (per setting, seed and budget)
in a JSON file and reads them back on the next run: the reference does not depend on
any search option, so comparing options needs it once per seed set.
``--ceiling`` also prints, per seed, the share a search reports once it has run every
framing of the space on the full fixed sample: the true hypervolume of their measured
frontier as a share of the true frontier's. The reported frontier is measured on that
one sample (the sim's draws are common random numbers: a sample's draw is the same for
every framing), so a framing truly on the frontier can measure as tied with, or
dominated by, a neighbour (two framings 3.5 points apart in true over-blocking that
refuse the same 10 of 120 samples), and running the neighbour takes it off the reported
frontier. A search that has run fewer framings can report more than the ceiling (a
point stays reported while what would measure-dominate it is not run), so it is not a
strict bound; but below 98%, a run that never reaches 98% is at least as much the
benchmark's sample as the search (large, seed 2: ceiling 96.3%; the default search
reported 97.6% at 4,872 calls and 96.2% once it ran that neighbour, at 8,616).
Hold-out re-validation is off in both arms (it does not change what is reported). The
sim seed changes per seed, and so does the truth.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import itertools
import json
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from framing.config import StudyConfig, load_study
from framing.data.loaders import demo_path
from framing.events import Event, TrialFinished
from framing.points import Point, frontier
from framing.search import run_search
from framing.stats import hypervolume_2d, pareto_front
from framing.study import open_study

TARGET_SHARE = 0.98
#: arms by name: the study overrides each runs with; ``random`` is the reference
ARMS = {
    "tpe+screening": ["search.sampler='tpe'", "search.racing=true", "search.screening=true"],
    "random+screening": ["search.sampler='random'", "search.racing=false",
                         "search.screening=true"],
    "additive+screening": ["search.sampler='additive'", "search.racing=true",
                           "search.screening=true"],
    "tpe+racing": ["search.sampler='tpe'", "search.racing=true", "search.screening=false"],
    "random": ["search.sampler='random'", "search.racing=false", "search.screening=false"],
}
REFERENCE = "random"
BENCH_TEMPLATES = Path(__file__).resolve().parent / "templates"
HELDOUT_TEMPLATES = Path(__file__).resolve().parent / "templates_heldout"
SETTINGS = {
    "demo": [],
    "large": [f"search.templates=['{BENCH_TEMPLATES.as_posix()}/*.j2']"],
    "category": ["target.model='sim-vlm-category'"],
    "heldout": [f"search.templates=['{HELDOUT_TEMPLATES.as_posix()}/*.j2']"],
}
#: settings no option of the search is tuned on (their figure is the honest one)
HELDOUT = {"heldout"}
#: the sim seed of a run is this plus the benchmark seed (the held-out setting draws
#: its sim seeds from a family no tuning run used)
SIM_SEED_OFFSET = {"heldout": 1000}

Key = tuple[str, str]


def key(template: str, params: Mapping[str, object]) -> Key:
    return (template, repr(sorted(params.items())))


def study_config(seed: int, db: Path, arm: str, budget_trials: int,
                 setting: str = "demo") -> StudyConfig:
    return load_study(None, [
        f"name='bench-{setting}-{arm.replace('+', '-')}-{seed}'",
        f"storage.url='sqlite:///{db}'",
        f"search.seed={seed}",
        f"target.seed={seed + SIM_SEED_OFFSET.get(setting, 0)}",
        f"search.trials={budget_trials}",
        "search.holdout_check=false",
        *SETTINGS[setting],
        *ARMS[arm],
    ])


Renders = dict[Key, list[tuple[object, object]]]


def truth(config: StudyConfig, renders: Renders | None = None
          ) -> dict[Key, tuple[float, float]]:
    """Exact expected (over-blocking, under-refusal) of every framing of the space.

    ``renders`` caches the rendered framings across seeds (they depend on the templates
    and the search samples, which the data seed fixes, not on the sim seed)."""
    study = open_study(config, storage="sqlite://")
    sim = study.target
    samples = study.search_samples
    cache: Renders = {} if renders is None else renders
    table: dict[Key, tuple[float, float]] = {}
    for template in study.templates:
        for params in template.grid():
            k = key(template.name, params)
            if k not in cache:
                cache[k] = [(study.evaluator.render(template, params, s), s) for s in samples]
            rates = sim.expected_rates(cache[k])  # type: ignore[attr-defined]
            table[k] = (rates["over_blocking"], rates["under_refusal"])
    study.store.close()
    return table


@dataclass
class Run:
    arm: str
    seed: int
    calls: list[int] = field(default_factory=list)  # cumulative calls after each trial
    share: list[float] = field(default_factory=list)  # true HV share of reported frontier
    trials: int = 0
    stopped_early: int = 0
    stopped_truly_dominated: int = 0
    #: reported frontier points when the target share was first reached: how many, and
    #: how many of them are truly non-dominated
    reported: int = 0
    reported_true: int = 0
    seconds: float = 0.0

    def calls_to(self, target: float) -> int | None:
        return next((c for c, s in zip(self.calls, self.share, strict=True) if s >= target),
                    None)

    def share_at(self, budget: int) -> float:
        best = 0.0
        for c, s in zip(self.calls, self.share, strict=True):
            if c > budget:
                break
            best = s
        return best


def ceiling(config: StudyConfig, table: dict[Key, tuple[float, float]],
            true_hv: float) -> float:
    """True hypervolume share of the measured frontier of *every* framing of the space
    on the full fixed sample: what a search reports once it has run them all (one that
    has run fewer can report more, see the module docstring)."""
    study = open_study(config)
    samples = study.search_samples

    async def every() -> list[Point]:
        out = []
        for template in study.templates:
            for params in template.grid():
                tally = (await study.evaluator.evaluate(template, params, samples)).tally
                out.append(Point(trial=len(out), template=template.name, params=dict(params),
                                 over_blocking=tally.over_blocking,
                                 under_refusal=tally.under_refusal))
        return out

    try:
        points = asyncio.run(every())
    finally:
        study.store.close()
    return hypervolume_2d([table[key(p.template, p.params)] for p in frontier(points)]) \
        / true_hv


def oracle_framings(table: dict[Key, tuple[float, float]], baseline: Key | None,
                    true_hv: float) -> int:
    """The fewest framings a search must run on the full sample, the baseline included,
    before the true rates of what it reports can reach the target share: a lower bound for
    every search that claims only full-sample points (as the issue requires).

    What a search reports is a subset of what it ran in full, so its true hypervolume is
    at most that of the true rates of everything it ran; a run set can be assumed to hold
    only truly non-dominated framings (a dominated one can be swapped for its dominator
    without losing hypervolume). So the bound is the smallest number of distinct points of
    the true frontier whose hypervolume, with the baseline's (which every search runs
    first), reaches the target share, found by trying every combination in growing size.
    """
    values = list(table.values())
    front = sorted({values[i] for i in pareto_front(values)})
    fixed = [table[baseline]] if baseline is not None else []
    for k in range(len(front) + 1):
        for chosen in itertools.combinations(front, k):
            if hypervolume_2d([*fixed, *chosen]) >= TARGET_SHARE * true_hv - 1e-12:
                return k + len(fixed)
    return len(front) + len(fixed)


def truly_dominated(rates: tuple[float, float], table: dict[Key, tuple[float, float]]) -> bool:
    x, y = rates
    return any(a <= x and b <= y and (a < x or b < y) for a, b in table.values())


def run_arm(arm: str, seed: int, workdir: Path, budget: int, setting: str,
            table: dict[Key, tuple[float, float]], true_hv: float) -> Run:
    config = study_config(seed, workdir / f"{setting}-{arm}-{seed}.db", arm,
                          budget // 24, setting)
    run = Run(arm, seed)
    points: list[Point] = []
    calls = 0

    stop = threading.Event()

    def on_event(event: Event) -> None:
        nonlocal calls
        if not isinstance(event, TrialFinished):
            return
        point: Point = event.point
        calls += event.calls
        points.append(point)
        if point.stopped_early:
            run.stopped_early += 1
            run.stopped_truly_dominated += truly_dominated(
                table[key(point.template, point.params)], table)
        reported = [table[key(p.template, p.params)] for p in frontier(points)]
        run.calls.append(calls)
        run.share.append(hypervolume_2d(reported) / true_hv)
        if run.share[-1] >= TARGET_SHARE:
            run.reported = len(reported)
            run.reported_true = sum(not truly_dominated(r, table) for r in reported)
            stop.set()
        if calls >= budget:
            stop.set()

    started = time.perf_counter()
    run_search(config, on_event, stop=stop)
    run.seconds = time.perf_counter() - started
    run.trials = len(points)
    return run


def fmt(x: float | None) -> str:
    return "never" if x is None else f"{x:,.0f}"


def share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({part / whole:.0%})" if whole else "-"


def median_calls(calls: Sequence[int | None]) -> float | None:
    """Median calls to the target, a run that never got there counting as more than any
    that did (None when the median itself is such a run)."""
    ranked = sorted(calls, key=lambda c: float("inf") if c is None else c)
    n = len(ranked)
    middle = ranked[(n - 1) // 2: n // 2 + 1]
    if any(c is None for c in middle):
        return None
    return statistics.mean(c for c in middle if c is not None)


def cached_reference(cache: dict[str, dict[str, object]] | None, setting: str, seed: int,
                     budget: int, make: Callable[[], Run]) -> Run:
    """The reference arm's run, read from ``cache`` when it holds it (else run, and
    kept there)."""
    if cache is None:
        return make()
    k = f"{setting}:{seed}:{budget}"
    if k in cache:
        return Run(**cache[k])  # type: ignore[arg-type]
    run = make()
    cache[k] = asdict(run)
    return run


def run_setting(setting: str, arms: Sequence[str], seeds: Sequence[int], budget: int,
                workdir: Path, cache: dict[str, dict[str, object]] | None = None,
                with_ceiling: bool = False) -> dict[str, object]:
    rows: list[dict[str, Run]] = []
    oracle: list[int] = []
    ceilings: list[float] = []
    renders: Renders = {}
    label = "HELD OUT: not tuned on" if setting in HELDOUT else "tuning setting"
    print(f"== setting {setting!r} ({label}; SIMULATED) ==", flush=True)
    for seed in seeds:
        config = study_config(seed, workdir / "truth.db", REFERENCE, 1, setting)
        table = truth(config, renders)
        values = list(table.values())
        true_front = [values[i] for i in pareto_front(values)]
        true_hv = hypervolume_2d(true_front)
        runs: dict[str, Run] = {}
        for arm in arms:
            go = functools.partial(run_arm, arm, seed, workdir, budget, setting, table,
                                   true_hv)
            runs[arm] = go() if arm != REFERENCE else cached_reference(
                cache, setting, seed, budget, go)
        rows.append(runs)
        base = [key(b, {}) for b in config.search.baselines if key(b, {}) in table]
        full = len(next(iter(renders.values())))  # calls of one full trial
        oracle.append(oracle_framings(table, base[0] if base else None, true_hv) * full)
        best = ""
        if with_ceiling:
            top = ceiling(study_config(seed, workdir / f"ceiling-{setting}-{seed}.db",
                                       REFERENCE, 1, setting), table, true_hv)
            ceilings.append(top)
            best = (f"; ceiling {100 * top:.1f}% (every framing on the full sample"
                    f"{'' if top >= TARGET_SHARE else ': below the target'})")
        print(f"seed {seed}: {len(table)} framings, true frontier {len(true_front)} "
              f"framings, HV {true_hv:.4f}{best}; fewest possible {oracle[-1]:,} calls "
              f"(oracle); calls to {TARGET_SHARE:.0%}:", flush=True)
        for arm, r in runs.items():
            print(f"    {arm:<17} {fmt(r.calls_to(TARGET_SHARE)):>7} calls ({r.trials} "
                  f"trials, {r.stopped_early} stopped early, {r.stopped_truly_dominated} "
                  f"of them truly dominated; reported frontier truly non-dominated "
                  f"{share(r.reported_true, r.reported)}; {r.seconds:.0f} s)", flush=True)

    budgets = [b for b in (500, 1_000, 1_500, 2_000, 3_000, 4_000, 6_000, 8_000, 12_000,
                           16_000, 24_000, 32_000) if b <= budget]
    print("mean share of the true hypervolume at equal call budgets (an arm stops once it "
          f"reaches {TARGET_SHARE:.0%}: later columns carry that value)")
    print("calls            " + "".join(f"{b:>9,}" for b in budgets))
    for arm in arms:
        shares = [statistics.mean(runs[arm].share_at(b) for runs in rows) for b in budgets]
        print(f"{arm:<17}" + "".join(f"{100 * x:>8.1f}%" for x in shares))
    summary: dict[str, object] = {"setting": setting, "seeds": list(seeds)}
    if ceilings:
        out = [s for s, c in zip(seeds, ceilings, strict=True) if c < TARGET_SHARE]
        print(f"ceiling below {TARGET_SHARE:.0%} (running every framing would not reach "
              "the target) on "
              f"{len(out)} of {len(seeds)} seeds" + (f": {' '.join(map(str, out))}" if out
                                                   else ""))
    for arm in arms:
        calls = [runs[arm].calls_to(TARGET_SHARE) for runs in rows]
        rep = sum(runs[arm].reported for runs in rows)
        ok = sum(runs[arm].reported_true for runs in rows)
        summary[arm] = {"calls": calls, "median": median_calls(calls),
                        "nondominated": (ok, rep)}
        print(f"{arm:<17} calls to {TARGET_SHARE:.0%}: " + ", ".join(fmt(v) for v in calls)
              + f"; median {fmt(median_calls(calls))}; reported frontier points truly "
              f"non-dominated {share(ok, rep)}")
    ref = median_calls([runs[REFERENCE].calls_to(TARGET_SHARE) for runs in rows])
    floor = statistics.median(oracle)
    summary["oracle"] = floor
    print(f"oracle (the fewest calls any search claiming full-sample points can need: the "
          f"baseline and the fewest true-frontier framings reaching {TARGET_SHARE:.0%}): "
          + ", ".join(f"{c:,}" for c in oracle) + f"; median {floor:,.0f}"
          + (f"; {REFERENCE}/oracle = {ref / floor:.2f}x, the highest ratio any search can "
             f"reach here (3x needs at most {ref / 3:,.0f} calls)" if ref is not None else ""))
    for arm in arms:
        if arm == REFERENCE:
            continue
        mine = median_calls([runs[arm].calls_to(TARGET_SHARE) for runs in rows])
        if ref is None and mine is not None:
            # the reference's median run did not get there within the budget: its median
            # is above the budget, so the ratio is above budget / arm's median
            bound = budget / mine
            summary[arm]["ratio_above"] = bound  # type: ignore[index]
            print(f"ratio {REFERENCE}/{arm} > {bound:.2f}x (the reference's median run did "
                  f"not reach {TARGET_SHARE:.0%} within {budget:,} calls; {arm} median "
                  f"{mine:,.0f}; target >= 3x: {'met' if bound >= 3 else 'unknown'})")
            continue
        if ref is None or mine is None:
            print(f"ratio {REFERENCE}/{arm}: no median (over half the runs did not reach "
                  f"{TARGET_SHARE:.0%} within {budget:,} calls)")
            continue
        ratio = ref / mine
        summary[arm]["ratio"] = ratio  # type: ignore[index]
        print(f"ratio {REFERENCE}/{arm} = {ratio:.2f}x (median {ref:,.0f} / {mine:,.0f} "
              f"calls; target >= 3x: {'met' if ratio >= 3 else 'NOT met'})")
        stopped = sum(runs[arm].stopped_early for runs in rows)
        truly = sum(runs[arm].stopped_truly_dominated for runs in rows)
        if stopped:
            print(f"    {arm}: {stopped} trial(s) stopped early over all seeds, {truly} of "
                  "them truly dominated (the others equal to or within the margin of a "
                  "frontier point)")
    print(flush=True)
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(8)))
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS),
                        choices=list(SETTINGS))
    parser.add_argument("--arms", nargs="+", default=["additive+screening", "tpe+screening",
                                                      REFERENCE], choices=list(ARMS))
    parser.add_argument("--budget", type=int, default=24_000,
                        help="calls per arm and seed at most")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        help="extra key.path=value for every arm but random (to compare "
                        "options)")
    parser.add_argument("--reference-cache", type=Path, default=None,
                        help="JSON file keeping the reference arm's runs (read back when "
                        "it holds them)")
    parser.add_argument("--ceiling", action="store_true",
                        help="also evaluate every framing on the full sample: the best "
                        "share any search can report, per seed")
    parser.add_argument("--racing-figure", action="store_true",
                        help="also run the racing-alone figure (larger samples)")
    args = parser.parse_args(argv)
    arms = list(dict.fromkeys([*args.arms, REFERENCE]))
    for arm in arms:
        if arm != REFERENCE:
            ARMS[arm] = [*ARMS[arm], *args.overrides]
    print("SIMULATED: every figure below comes from the sim target, not a real model")
    print(f"arms: {', '.join(arms)}; budget {args.budget:,} calls per run; seeds "
          f"{' '.join(map(str, args.seeds))}")
    if args.overrides:
        print(f"overrides: {' '.join(args.overrides)}")
    summaries = []
    cache: dict[str, dict[str, object]] | None = None
    if args.reference_cache is not None:
        cache = (json.loads(args.reference_cache.read_text())
                 if args.reference_cache.exists() else {})
        print(f"reference runs read from / kept in {args.reference_cache.name}")
    with tempfile.TemporaryDirectory() as tmp:
        for setting in args.settings:
            summaries.append(run_setting(setting, arms, args.seeds, args.budget, Path(tmp),
                                         cache, args.ceiling))
            if cache is not None:
                args.reference_cache.write_text(json.dumps(cache))
    print(f"summary (SIMULATED): median calls to {TARGET_SHARE:.0%} of the true hypervolume "
          f"over seeds {' '.join(map(str, args.seeds))}, and {REFERENCE}/arm")
    for summ in summaries:
        cells = []
        for arm in arms:
            data = summ[arm]
            assert isinstance(data, dict)
            ok, rep = data["nondominated"]
            ratio = f" = {data['ratio']:.2f}x" if "ratio" in data else ""
            if "ratio_above" in data:
                ratio = f" > {data['ratio_above']:.2f}x"
            cells.append(f"{arm} {fmt(data['median'])}{ratio} (non-dominated "
                         f"{share(ok, rep)})")
        cells.append(f"oracle {fmt(summ['oracle'])}")  # type: ignore[arg-type]
        tag = " [held out]" if summ["setting"] in HELDOUT else ""
        print(f"  {summ['setting'] + tag:<20} " + "; ".join(cells))
    if args.racing_figure:
        racing_figure(args.seeds[:3])
    return 0


# ----------------------------------------------------------- racing in isolation

RACING_PER_SUBSET = 300
RACING_TRIALS = 20


def big_set(path: Path) -> None:
    """Demo requests copied to 300 per subset, each copy with its own id (own draw)."""
    lines = (demo_path() / "samples.jsonl").read_text().splitlines()
    demo = [json.loads(line) for line in lines if line]
    with path.open("w") as f:
        for grade in ("borderline", "unsafe"):
            pool = [s for s in demo if s["joint_grade"] == grade]
            for i in range(RACING_PER_SUBSET):
                s = dict(pool[i % len(pool)])
                s.update(id=f"big-{grade}-{i}", image=None, text=f"{s['text']} (#{i})")
                f.write(json.dumps(s) + "\n")


def racing_figure(seeds: Sequence[int]) -> None:
    print(f"racing alone: {RACING_TRIALS} random-sampler trials, {RACING_PER_SUBSET} samples "
          "per subset, same trials with and without racing")
    total = {True: 0, False: 0}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "big.jsonl"
        big_set(data)
        for seed in seeds:
            results = {}
            for racing in (True, False):
                config = load_study(None, [
                    f"name='racing-{seed}'", f"data.source='jsonl:{data}'",
                    f"data.borderline={RACING_PER_SUBSET}", f"data.unsafe={RACING_PER_SUBSET}",
                    "data.holdout=0.0", "target.images=false", f"target.seed={seed}",
                    "search.sampler='random'", f"search.seed={seed}",
                    f"search.racing={str(racing).lower()}",
                    "search.screening=false",
                    f"storage.url='sqlite:///{tmp}/racing-{seed}-{racing}.db'",
                ])
                results[racing] = run_search(config, trials=RACING_TRIALS)
                total[racing] += results[racing].calls
            raced, full = results[True], results[False]
            same = [(p.template, p.params) for p in raced.points] == \
                [(p.template, p.params) for p in full.points]
            truth = racing_truth(config, raced.points)
            stopped = [p for p in raced.points if p.stopped_early]
            dominated = sum(
                truth[p.extra["stopped_by"]][0] < truth[p.trial][0]
                and truth[p.extra["stopped_by"]][1] < truth[p.trial][1] for p in stopped)
            print(f"  seed {seed}: calls {raced.calls:,} with racing, {full.calls:,} without "
                  f"({1 - raced.calls / full.calls:.0%} saved; same trials: {same}); "
                  f"{len(stopped)} stopped early, {dominated} of them truly dominated by the "
                  "trial that stopped them")
    print(f"  all seeds: {total[True]:,} calls with racing, {total[False]:,} without: "
          f"{1 - total[True] / total[False]:.0%} saved")


def racing_truth(config: StudyConfig, points: Sequence[Point]) -> dict[int, tuple[float, float]]:
    study = open_study(config, storage="sqlite://")
    out = {}
    for p in points:
        template = study.template(p.template)
        pairs = [(study.evaluator.render(template, p.params, s), s) for s in study.search_samples]
        rates = study.target.expected_rates(pairs)  # type: ignore[attr-defined]
        out[p.trial] = (rates["over_blocking"], rates["under_refusal"])
    study.store.close()
    return out


if __name__ == "__main__":
    sys.exit(main())
