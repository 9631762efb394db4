"""How many calls framing's default search needs to map the true frontier, against a
fixed-sample random search over the same space. Prints; asserts nothing.

    .venv/bin/python benchmarks/efficiency.py [--seeds 0 1 2 3 4 5 6 7] [--budget 12000]

The sim target knows each framing's exact expected rates (``SimTarget.expected_rates``
over the study's search samples), so enumerating the demo space (``Template.grid()``,
78 framings) gives the true frontier and its hypervolume (reference point (1, 1)).

Two arms, each run through ``run_search`` on a fresh database per seed, with the same
space, the same search samples (240: 120 borderline, 120 unsafe), the same sim seed and
the same sampler seed:

- ``framing``: the default search (TPE, racing on, baseline first).
- ``random``: random sampling, every trial on the full fixed sample (racing off).

After every trial, the framings the search would report as its frontier (the
point-estimate frontier of its full trials) are looked up in the truth table; the
hypervolume of their *true* rates, as a share of the true frontier's, is the quality
of the search at that many calls. The figure is the number of calls each arm needs
before that share first reaches 98%, and the ratio random / framing (target: >= 3).
Hold-out re-validation is turned off in both arms (it does not change what is
reported). The sim seed changes per seed, and so does the truth.

A second figure isolates racing: the same random-sampler trials with and without it, on
a larger text-only set built from the demo requests (300 per subset; the demo's ~120 is
too few for racing to be confident about most framings), and whether each framing it
stopped is truly dominated by the framing that stopped it (exact expected rates).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from framing.config import StudyConfig, load_study
from framing.data.loaders import demo_path
from framing.events import Event, TrialFinished
from framing.results import Point, frontier
from framing.search import run_search
from framing.stats import hypervolume_2d, pareto_front
from framing.study import open_study

TARGET_SHARE = 0.98
ARMS = {
    "framing": ["search.sampler='tpe'", "search.racing=true"],
    "random": ["search.sampler='random'", "search.racing=false"],
}

Key = tuple[str, str]


def key(template: str, params: Mapping[str, object]) -> Key:
    return (template, repr(sorted(params.items())))


def study_config(seed: int, db: Path, arm: str, budget_trials: int) -> StudyConfig:
    return load_study(None, [
        f"name='bench-{arm}-{seed}'",
        f"storage.url='sqlite:///{db}'",
        f"search.seed={seed}",
        f"target.seed={seed}",
        f"search.trials={budget_trials}",
        "search.holdout_check=false",
        *ARMS[arm],
    ])


def truth(config: StudyConfig) -> dict[Key, tuple[float, float]]:
    """Exact expected (over-blocking, under-refusal) of every framing of the space."""
    study = open_study(config, storage="sqlite://")
    sim = study.target
    samples = study.search_samples
    table: dict[Key, tuple[float, float]] = {}
    for template in study.templates:
        for params in template.grid():
            rendered = [(study.evaluator.render(template, params, s), s) for s in samples]
            rates = sim.expected_rates(rendered)  # type: ignore[attr-defined]
            table[key(template.name, params)] = (rates["over_blocking"],
                                                 rates["under_refusal"])
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


def truly_dominated(rates: tuple[float, float], table: dict[Key, tuple[float, float]]) -> bool:
    x, y = rates
    return any(a <= x and b <= y and (a < x or b < y) for a, b in table.values())


def run_arm(arm: str, seed: int, workdir: Path, budget: int,
            table: dict[Key, tuple[float, float]], true_hv: float) -> Run:
    config = study_config(seed, workdir / f"{arm}-{seed}.db", arm, budget // 24)
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
        if calls >= budget:
            stop.set()

    started = time.perf_counter()
    run_search(config, on_event, stop=stop)
    run.seconds = time.perf_counter() - started
    run.trials = len(points)
    return run


def fmt(x: int | None) -> str:
    return "never" if x is None else f"{x:,}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(8)))
    parser.add_argument("--budget", type=int, default=12_000,
                        help="calls per arm and seed at most")
    args = parser.parse_args(argv)

    rows: list[tuple[Run, Run]] = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for seed in args.seeds:
            table = truth(study_config(seed, workdir / "truth.db", "framing", 1))
            values = list(table.values())
            true_front = [values[i] for i in pareto_front(values)]
            true_hv = hypervolume_2d(true_front)
            runs = tuple(run_arm(arm, seed, workdir, args.budget, table, true_hv)
                         for arm in ARMS)
            rows.append(runs)  # type: ignore[arg-type]
            f, r = runs
            print(f"seed {seed}: true frontier {len(true_front)} framings, HV {true_hv:.4f}; "
                  f"calls to {TARGET_SHARE:.0%}: framing {fmt(f.calls_to(TARGET_SHARE))} "
                  f"({f.trials} trials, {f.stopped_early} stopped early, "
                  f"{f.stopped_truly_dominated} of them truly dominated; {f.seconds:.0f} s), "
                  f"random {fmt(r.calls_to(TARGET_SHARE))} ({r.trials} trials; "
                  f"{r.seconds:.0f} s)", flush=True)

    print()
    budgets = [1_000, 2_000, 3_000, 4_000, 6_000, 8_000, 12_000, 16_000, 24_000]
    budgets = [b for b in budgets if b <= args.budget]
    print("mean share of the true hypervolume at equal call budgets")
    print("calls     " + "".join(f"{b:>9,}" for b in budgets))
    for i, arm in enumerate(ARMS):
        shares = [statistics.mean(runs[i].share_at(b) for runs in rows) for b in budgets]
        print(f"{arm:<10}" + "".join(f"{100 * s:>8.1f}%" for s in shares))
    print()
    needed = {arm: [runs[i].calls_to(TARGET_SHARE) for runs in rows]
              for i, arm in enumerate(ARMS)}
    for arm, calls in needed.items():
        print(f"calls to reach {TARGET_SHARE:.0%} of the true hypervolume, {arm:<8}: "
              + ", ".join(fmt(v) for v in calls))
    f_ok = [v for v in needed["framing"] if v is not None]
    r_ok = [v for v in needed["random"] if v is not None]
    if len(f_ok) == len(rows) and len(r_ok) == len(rows):
        f_med, r_med = statistics.median(f_ok), statistics.median(r_ok)
        ratio = r_med / f_med
        print(f"mean: framing {statistics.mean(f_ok):,.0f} calls, random "
              f"{statistics.mean(r_ok):,.0f} calls; ratio of means "
              f"{statistics.mean(r_ok) / statistics.mean(f_ok):.2f}x")
        print(f"median: framing {f_med:,.0f} calls, random {r_med:,.0f} calls; "
              f"ratio random/framing = {ratio:.2f}x (target >= 3x: "
              f"{'met' if ratio >= 3 else 'NOT met'})")
    else:
        print(f"not every run reached {TARGET_SHARE:.0%} within {args.budget:,} calls: "
              f"framing {len(f_ok)}/{len(rows)}, random {len(r_ok)}/{len(rows)}; "
              "no ratio (raise --budget)")
    stopped = sum(runs[0].stopped_early for runs in rows)
    truly = sum(runs[0].stopped_truly_dominated for runs in rows)
    print(f"racing in the framing arm: {stopped} trial(s) stopped early over all seeds, "
          f"{truly} of them truly dominated by the exact expected rates")
    print()
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
