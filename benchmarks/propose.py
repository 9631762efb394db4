"""Does proposing new framings beat the hand-written space? The demo with the ``edit``
proposer, on the simulated model. Prints; asserts nothing. Every figure is SIMULATED:
it says nothing about any real model.

    .venv/bin/python benchmarks/propose.py [--rounds 3] [--parents 4] [--candidates 8]
        [--seed 0]

What it does (the selection of ``framing search --propose``, driven here directly so it
runs on the library alone):

1. Every framing of the hand-written demo space (``prompts/*.j2``, 78 framings) is
   evaluated on the search samples (120 borderline, 120 unsafe). Its *reported* frontier
   is the point-estimate frontier of those measured rates.
2. Each round, parents are chosen from the current frontier (``choose_parents``), the
   ``edit`` proposer writes candidates from them (sentence edits over the study's own
   templates; linted and de-duplicated), each candidate is evaluated on the same search
   samples, and a candidate a frontier framing paired-dominates (McNemar, alpha 0.05) is
   rejected (``rejected_by``); the others join the space.
3. Figures per stage: the **true** hypervolume (reference point (1, 1)) of the framings
   the search would report as its frontier, from the sim's exact expected rates
   (``SimTarget.expected_rates``) on the search samples; the same frontier's **hold-out**
   hypervolume, measured (sim answers, judged) on the hold-out samples the search never
   saw; and calls spent. The first line also gives the *true frontier* of the
   hand-written space: the best any search of it could report.

How the sim responds to new text (``framing/targets/sim.py``): it reads a documented
lexicon of cue phrases in the rendered prompt (caution, engagement, joint reading,
``Example:`` lines); sentences outside the lexicon change nothing. The edit proposer can
only move it by recombining cue-bearing sentences of the study's own templates, so what
this shows is that recombination beyond the hand-written combinations is found and kept
by the paired tests, and that the gain survives the hold-out re-check — not that a
proposer writes better *wording* (the sim cannot tell).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from framing.compare import SampleOutcomes
from framing.config import demo_dir, load_study
from framing.points import Point, frontier
from framing.propose.run import propose_from
from framing.propose.select import choose_parents, rejected_by
from framing.stats import hypervolume_2d, pareto_front
from framing.study import Study, open_study
from framing.templates import Template

REFERENCE = (1.0, 1.0)


@dataclass
class Evaluated:
    point: Point
    template: Template
    params: dict[str, Any]
    outcomes: SampleOutcomes
    true: tuple[float, float]


class Bench:
    def __init__(self, study: Study) -> None:
        self.study = study
        self.trial = 0
        self.calls = 0
        self.holdout_calls = 0
        self.space: list[Evaluated] = []

    async def evaluate(self, template: Template, params: dict[str, Any]) -> Evaluated:
        study = self.study
        evaluation = await study.evaluator.evaluate(template, params, study.search_samples)
        rows = [o.row() for o in evaluation.outcomes]
        study.store.put_results(study.config.name, self.trial, "search", rows)
        self.calls += evaluation.calls
        t = evaluation.tally
        point = Point(self.trial, template.name, dict(params), t.over_blocking,
                      t.under_refusal)
        self.trial += 1
        return Evaluated(point, template, dict(params), SampleOutcomes.from_rows(rows),
                         self.exact(template, params, study.search_samples))

    def exact(self, template: Template, params: dict[str, Any],
              samples: Sequence[Any]) -> tuple[float, float]:
        pairs = [(self.study.evaluator.render(template, params, s), s) for s in samples]
        rates = self.study.target.expected_rates(pairs)  # type: ignore[attr-defined]
        return rates["over_blocking"], rates["under_refusal"]

    def reported(self) -> list[Evaluated]:
        front = {p.trial for p in frontier([e.point for e in self.space])}
        return [e for e in self.space if e.point.trial in front]

    async def holdout_hv(self, front: Sequence[Evaluated]) -> float:
        points = []
        for e in front:
            evaluation = await self.study.evaluator.evaluate(e.template, e.params,
                                                             self.study.samples.holdout)
            self.holdout_calls += evaluation.calls
            points.append((evaluation.tally.over_blocking.value,
                           evaluation.tally.under_refusal.value))
        return hv(points)


def hv(points: Sequence[tuple[float, float]]) -> float:
    front = [points[i] for i in pareto_front(list(points))]
    return hypervolume_2d(front, REFERENCE)


def line(stage: str, bench: Bench, extra: str = "") -> None:
    front = bench.reported()
    true_hv = hv([e.true for e in front])
    holdout = asyncio.run(bench.holdout_hv(front))
    print(f"{stage:<22} true HV {true_hv:.4f}  hold-out HV {holdout:.4f}  "
          f"frontier {len(front):>2}  space {len(bench.space):>3}  "
          f"search calls {bench.calls:>6,}{extra}")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--parents", type=int, default=4)
    ap.add_argument("--candidates", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(demo_dir() / "prompts", root / "prompts")
        config = load_study(None, [
            "name='bench-propose'", f"storage.url='sqlite:///{root / 'bench.db'}'",
            f"target.seed={args.seed}", f"propose.seed={args.seed}",
            f"propose.candidates={args.candidates}", "search.holdout_check=false",
        ]).located("benchmarks/propose.py", root)
        study = open_study(config)
        try:
            run(study, args)
        finally:
            study.store.close()
    return 0


def run(study: Study, args: argparse.Namespace) -> None:
    bench = Bench(study)
    hand: list[Evaluated] = []
    for template in study.templates:
        for params in template.grid():
            hand.append(asyncio.run(bench.evaluate(template, dict(params))))
    bench.space = list(hand)
    true_best = hv([e.true for e in hand])
    print("SIMULATED (sim target): these figures say nothing about any real model.")
    print(f"hand-written space: {len(hand)} framings; its true frontier (the best any "
          f"search of it can report) has true HV {true_best:.4f}")
    line("hand-written, all", bench)
    for rnd in range(1, args.rounds + 1):
        parents = choose_parents([e.point for e in bench.space], args.parents)
        templates = [e.template for e in bench.space]
        results = asyncio.run(propose_from(
            study.config, parents, list(dict.fromkeys(templates)), study.store,
            study.search_samples, proposer="edit", n=args.candidates, round_=rnd))
        kept = dropped = rejected = 0
        front = bench.reported()
        by_trial = {e.point.trial: e.outcomes for e in front}
        for result in results:
            dropped += len(result.dropped)
            for candidate in result.kept:
                e = asyncio.run(bench.evaluate(candidate.template, {}))
                if rejected_by(e.point, e.outcomes, [f.point for f in front], by_trial):
                    rejected += 1
                    continue
                kept += 1
                bench.space.append(e)
        line(f"after round {rnd}", bench, f"  (kept {kept}, rejected by paired tests "
                                          f"{rejected}, dropped before evaluation {dropped})")
    print(f"hold-out re-check calls: {bench.holdout_calls:,} (sim calls; cached repeats free)")


if __name__ == "__main__":
    sys.exit(main())
