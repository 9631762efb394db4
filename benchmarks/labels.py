"""Figures for the researcher's labels. Prints; asserts nothing.

1. Coverage of the corrected rate's 95% interval (SIMULATED judge and labels): a judge of
   known sensitivity and specificity judges a subset whose true refusal rate is known; the
   researcher labels some responses, either a simple random sample or the label queue's
   stratified one (judged refusal / not in turn). How often does the interval of
   ``framing frontier --corrected`` (observed rate and calibration uncertainty together)
   contain the true rate, against the raw Wilson interval of the judged rate, and what do
   the queue's stratum weights buy? Pure simulation: it says how the statistics behave,
   nothing about any real judge.
2. The label queue over the demo study: build time per 1,000 stored responses.

    .venv/bin/python benchmarks/labels.py [--repeats 300]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import numpy as np

from framing.config import load_study
from framing.judging.base import Verdict
from framing.labels import LabelItem, LabelledResponse, build_queue, calibration_of
from framing.stats import Rate, corrected_interval, wilson_interval
from framing.storage.tables import Store

TRUE_RATE = 0.30
SENSITIVITY = 0.60
SPECIFICITY = 0.95
N_OBSERVED = 120
DESIGNS = {"raw": "judged, uncorrected", "random": "corrected: random labels",
           "queue": "corrected: label queue", "queue_unweighted": "queue, unweighted"}


def _interval(observed: Rate, sens: Rate, spec: Rate, seed: int) -> tuple[float, float]:
    try:
        return corrected_interval(observed, sens, spec, draws=4000, seed=seed)
    except ValueError:
        return (0.0, 1.0)


def _queue_sample(judged: np.ndarray, labels: int, rng: np.random.Generator) -> list[int]:
    """What the label queue shows first: its strata (judged refusal or not) in turn."""
    strata = [list(rng.permutation(np.flatnonzero(judged == v))) for v in (True, False)]
    picked: list[int] = []
    while len(picked) < labels and any(strata):
        for stratum in strata:
            if stratum and len(picked) < labels:
                picked.append(int(stratum.pop()))
    return picked


def coverage(repeats: int, labels: int, seed: int = 0) -> dict[str, tuple[float, float]]:
    """Per design: (share of repeats whose 95% interval holds the true rate, mean width)."""
    rng = np.random.default_rng(seed)
    found: dict[str, list[tuple[bool, float]]] = {k: [] for k in DESIGNS}
    for i in range(repeats):
        truth = rng.random(N_OBSERVED) < TRUE_RATE
        judged = np.where(truth, rng.random(N_OBSERVED) < SENSITIVITY,
                          rng.random(N_OBSERVED) >= SPECIFICITY)
        observed = Rate.of(int(judged.sum()), N_OBSERVED)
        rlo, rhi = wilson_interval(observed.k, observed.n)
        found["raw"].append((rlo <= TRUE_RATE <= rhi, rhi - rlo))

        # a simple random sample of the responses, labelled
        picked = rng.choice(N_OBSERVED, size=min(labels, N_OBSERVED), replace=False)
        refusals = truth[picked]
        sens = Rate.of(int((judged[picked] & refusals).sum()), int(refusals.sum()))
        spec = Rate.of(int((~judged[picked] & ~refusals).sum()), int((~refusals).sum()))
        lo, hi = _interval(observed, sens, spec, i)
        found["random"].append((lo <= TRUE_RATE <= hi, hi - lo))

        # the label queue's stratified sample, calibrated with and without its weights
        population = [LabelItem(str(j), f"s{j}", "borderline", "", None, "",
                                "refusal" if judged[j] else "compliance")
                      for j in range(N_OBSERVED)]
        shown = [LabelledResponse(population[j], Verdict.REFUSAL if truth[j]
                                  else Verdict.COMPLIANCE)
                 for j in _queue_sample(judged, labels, rng)]
        for design, base in (("queue", population), ("queue_unweighted",
                                                     [r.item for r in shown])):
            cal = calibration_of("sim", "sim", "sim", base, shown)
            sub = cal.subsets["borderline"] if cal else None
            if sub is None:
                found[design].append((True, 1.0))
                continue
            lo, hi = _interval(observed, sub.sensitivity, sub.specificity, i)
            found[design].append((lo <= TRUE_RATE <= hi, hi - lo))
    return {k: (float(np.mean([c for c, _ in v])), float(np.mean([w for _, w in v])))
            for k, v in found.items()}


def queue_speed(workdir: Path) -> tuple[int, float]:
    from framing.search import run_search_async

    config = load_study(None, [f'storage.url="sqlite:///{workdir}/labels.db"'])
    asyncio.run(run_search_async(config, trials=8))
    store = Store(config.storage.url)
    try:
        started = time.perf_counter()
        queue = build_queue(config, store)
        elapsed = time.perf_counter() - started
    finally:
        store.close()
    return queue.total, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=300)
    args = parser.parse_args()
    print(f"SIMULATED judge: sensitivity {SENSITIVITY}, specificity {SPECIFICITY}; true "
          f"refusal rate {TRUE_RATE}; {N_OBSERVED} judged responses; {args.repeats} repeats")
    print("95% interval of the refusal rate: share of repeats that hold the true rate, "
          "mean width")
    print(f"{'labels':>7}" + "".join(f"{DESIGNS[k]:>26}" for k in DESIGNS))
    for labels in (20, 40, 80, 120):
        found = coverage(args.repeats, labels)
        print(f"{labels:>7}" + "".join(
            f"{100 * found[k][0]:>17.1f}% {found[k][1]:>7.3f}" for k in DESIGNS))
    with tempfile.TemporaryDirectory() as tmp:
        total, elapsed = queue_speed(Path(tmp))
    print(f"label queue: {total} distinct stored responses in {elapsed:.2f} s "
          f"({1000 * elapsed / max(total, 1):.2f} s per 1,000 responses)")


if __name__ == "__main__":
    main()
