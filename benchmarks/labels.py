"""Figures for the researcher's labels. Prints; asserts nothing.

1. Coverage of the corrected rate's 95% interval (SIMULATED judge and labels): a judge of
   known sensitivity and specificity judges a subset whose true refusal rate is known; the
   researcher labels a sample. How often does the interval of ``framing frontier
   --corrected`` (observed rate and calibration uncertainty together) contain the true
   rate, against the raw Wilson interval of the judged rate? Pure simulation: it says how
   the statistics behave, nothing about any real judge.
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
from framing.labels import build_queue
from framing.stats import Rate, corrected_interval, wilson_interval
from framing.store import Store

TRUE_RATE = 0.30
SENSITIVITY = 0.60
SPECIFICITY = 0.95
N_OBSERVED = 120


def coverage(repeats: int, labels: int, seed: int = 0) -> tuple[float, float, float, float]:
    """(corrected coverage, mean corrected width, raw coverage, mean raw width)."""
    rng = np.random.default_rng(seed)
    hits = raw_hits = 0
    widths: list[float] = []
    raw_widths: list[float] = []
    for i in range(repeats):
        truth = rng.random(N_OBSERVED) < TRUE_RATE
        judged = np.where(truth, rng.random(N_OBSERVED) < SENSITIVITY,
                          rng.random(N_OBSERVED) >= SPECIFICITY)
        observed = Rate.of(int(judged.sum()), N_OBSERVED)
        # the researcher labels a random sample of the subset's responses
        picked = rng.choice(N_OBSERVED, size=min(labels, N_OBSERVED), replace=False)
        refusals = truth[picked]
        sens = Rate.of(int((judged[picked] & refusals).sum()), int(refusals.sum()))
        spec = Rate.of(int((~judged[picked] & ~refusals).sum()), int((~refusals).sum()))
        try:
            lo, hi = corrected_interval(observed, sens, spec, draws=4000, seed=i)
        except ValueError:
            lo, hi = 0.0, 1.0
        hits += lo <= TRUE_RATE <= hi
        widths.append(hi - lo)
        rlo, rhi = wilson_interval(observed.k, observed.n)
        raw_hits += rlo <= TRUE_RATE <= rhi
        raw_widths.append(rhi - rlo)
    return hits / repeats, float(np.mean(widths)), raw_hits / repeats, float(np.mean(raw_widths))


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
    print(f"{'labels':>7} {'corrected covers':>17} {'mean width':>11} "
          f"{'raw covers':>11} {'raw width':>10}")
    for labels in (20, 40, 80, 120):
        cov, width, raw, raw_width = coverage(args.repeats, labels)
        print(f"{labels:>7} {100 * cov:>16.1f}% {width:>11.3f} {100 * raw:>10.1f}% "
              f"{raw_width:>10.3f}")
    with tempfile.TemporaryDirectory() as tmp:
        total, elapsed = queue_speed(Path(tmp))
    print(f"label queue: {total} distinct stored responses in {elapsed:.2f} s "
          f"({1000 * elapsed / max(total, 1):.2f} s per 1,000 responses)")


if __name__ == "__main__":
    main()
