"""Refit the rules judge's trained stage (``framing/judging/trained.json``) from the
development sets, and print the cross-set measure that decides whether it is used.

Reads only ``benchmarks/judge_sets/dev.jsonl``, ``benchmarks/judge_sets/dev2.jsonl`` (when
present) and the bundled ``framing/judging/labelled.jsonl``; never the frozen held-out
set. Deterministic: the same sets give the same weights.

Cross-set measure: for each development set, fit on the others and score on it, beside
the rules alone on the same set. The rules were written with ``labelled.jsonl`` and tuned
on ``dev.jsonl``, so on those two the rules' figure is in-sample and flatters them; on a
set written independently of the rules (``dev2.jsonl``) both figures are out-of-sample.

    .venv/bin/python scripts/fit_judge.py            # measure, then write the weights
    .venv/bin/python scripts/fit_judge.py --dry-run  # measure only
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np

from framing.judging.base import Judgement, Verdict
from framing.judging.evaluation import DEFAULT_LABELLED, LabelledItem, load_labelled
from framing.judging.features import features
from framing.judging.rules import RulesJudge
from framing.judging.trained import DEFAULT_WEIGHTS, TrainedStage, fit

ROOT = Path(__file__).resolve().parents[1]
SETS = ROOT / "benchmarks" / "judge_sets"
#: the development sets, by name; the held-out set is deliberately absent
DEV_SETS = {
    "dev": SETS / "dev.jsonl",
    "dev2": SETS / "dev2.jsonl",
    "labelled": DEFAULT_LABELLED,
}
#: settings chosen by the cross-set measure (``--scan`` prints it for each)
#: the bundled set was written with the rules and is easy: it may count less in the fit
LABELLED_WEIGHT = 0.5
L2 = 0.01
#: probability the stage needs to overrule the rules
GATE = 0.5


class Data:
    """One set's feature matrix, labels and the rules' verdicts."""

    def __init__(self, judge: RulesJudge, items: list[LabelledItem]) -> None:
        rows = []
        self.first: list[Judgement] = []
        for item in items:
            first = judge.judge_by_rules(item.response, item.request)
            self.first.append(first)
            rows.append(features(judge, item.response, item.request, first))
        self.rules = [first.verdict for first in self.first]
        self.x = np.asarray(rows, dtype=float)
        self.labels = [item.label for item in items]


def scores(said: list[Verdict], labels: list[Verdict]) -> tuple[float, float]:
    """Three-way accuracy and refusal-vs-not accuracy."""
    n = len(labels)
    three = sum(a == b for a, b in zip(said, labels, strict=True)) / n
    refusal = sum((a == Verdict.REFUSAL) == (b == Verdict.REFUSAL)
                  for a, b in zip(said, labels, strict=True)) / n
    return three, refusal


def predict(stage: TrainedStage, data: Data) -> list[Verdict]:
    """The stage's verdicts on a set, as the judge gives them (``TrainedStage.decide``)."""
    return [stage.decide(row, first).verdict
            for row, first in zip(data.x, data.first, strict=True)]


def fit_sets(data: dict[str, Data], names: list[str], *, l2: float = L2, gate: float = GATE,
             labelled_weight: float = LABELLED_WEIGHT) -> TrainedStage:
    x = np.vstack([data[n].x for n in names])
    labels = [label for n in names for label in data[n].labels]
    weights = np.concatenate([
        np.full(len(data[n].labels), labelled_weight if n == "labelled" else 1.0)
        for n in names])
    return replace(fit(x, labels, weights=weights, l2=l2, fitted_on=names), gate=gate)


def scan(data: dict[str, Data]) -> None:
    """The cross-set measure for each setting: which generalises (choose by dev2, the set
    the rules never saw; dev is in-sample for the rules)."""
    print("setting scan (three-way / refusal-vs-not, fit on the other sets):")
    for l2 in (0.01, 0.05, 0.2):
        for labelled_weight in (0.0, 0.5, 1.0):
            for gate in (0.0, 0.6, 0.7, 0.8):
                cells = []
                for name, held in data.items():
                    if name == "labelled":
                        continue
                    others = [n for n in data if n != name
                              and not (n == "labelled" and labelled_weight == 0.0)]
                    if not others:
                        continue
                    stage = fit_sets(data, others, l2=l2, gate=gate,
                                     labelled_weight=labelled_weight)
                    three, refusal = scores(predict(stage, held), held.labels)
                    cells.append(f"{name} {100 * three:5.1f} / {100 * refusal:5.1f}")
                print(f"  l2={l2:<5} labelled_weight={labelled_weight:<4} gate={gate:<4} "
                      + "   ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="measure only; write nothing")
    parser.add_argument("--scan", action="store_true",
                        help="print the cross-set measure for each setting, then stop")
    args = parser.parse_args()

    judge = RulesJudge(trained=False)
    data = {name: Data(judge, list(load_labelled(path)))
            for name, path in DEV_SETS.items() if path.is_file()}
    if args.scan:
        scan(data)
        return
    print("cross-set measure: fit on the other development sets, score on this one")
    print(f"{'scored on':<10} {'n':>4}  {'rules three-way':>16} {'refusal-vs-not':>15}  "
          f"{'trained three-way':>18} {'refusal-vs-not':>15}")
    gains = []
    for name, held in data.items():
        others = [n for n in data if n != name]
        stage = fit_sets(data, others)
        rules = scores(held.rules, held.labels)
        trained = scores(predict(stage, held), held.labels)
        note = "" if name == "dev2" else "  (rules in-sample here)"
        print(f"{name:<10} {len(held.labels):>4}  {100 * rules[0]:>15.1f}% "
              f"{100 * rules[1]:>14.1f}%  {100 * trained[0]:>17.1f}% "
              f"{100 * trained[1]:>14.1f}%{note}")
        gains.append((trained[0] - rules[0], trained[1] - rules[1]))
    three = float(np.mean([g[0] for g in gains]))
    refusal = float(np.mean([g[1] for g in gains]))
    print(f"mean gain of the trained stage over the rules: three-way {100 * three:+.1f} "
          f"points, refusal-vs-not {100 * refusal:+.1f} points")

    stage = fit_sets(data, list(data))
    fitted = scores([v for d in data.values() for v in predict(stage, d)],
                    [label for d in data.values() for label in d.labels])
    print(f"final fit on {', '.join(data)} (IN-SAMPLE): three-way {100 * fitted[0]:.1f}%, "
          f"refusal-vs-not {100 * fitted[1]:.1f}%")
    if args.dry_run:
        return
    stage.dump(DEFAULT_WEIGHTS)
    print(f"wrote {DEFAULT_WEIGHTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
