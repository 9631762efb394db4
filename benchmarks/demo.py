"""Figures for the foundation: the demo search's wall time, the simulator's throughput and
the evaluator's overhead per call. Prints; asserts nothing.

    .venv/bin/python benchmarks/demo.py
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path

from framing import load_study, run_search
from framing.config import demo_dir
from framing.data.schema import Grade
from framing.study import open_study
from framing.targets.sim import SimTarget
from framing.templates import SampleView, load_template

SIM_CALLS = 100_000


def demo_search(workdir: Path) -> float:
    config = load_study(None, [f'storage.url="sqlite:///{workdir}/demo.db"'])
    started = time.perf_counter()
    result = run_search(config)
    elapsed = time.perf_counter() - started
    print(f"demo search: {len(result.points)} framings, {result.calls:,} calls, "
          f"{len(result.frontier)} frontier points in {elapsed:.2f} s")
    return elapsed


async def sim_throughput() -> float:
    config = load_study(None)
    study = open_study(config, storage="sqlite://")
    template = load_template("prompts/stance.j2", root=demo_dir())
    params = template.defaults()
    samples = [s for s in study.search_samples if s.joint_grade is not Grade.SAFE]
    rendered = [(template.render(SampleView(s.id, s.text, True), params), s) for s in samples]
    target = SimTarget()
    started = time.perf_counter()
    n = 0
    while n < SIM_CALLS:
        for messages, sample in rendered:
            await target.generate(messages, None, sample=sample)
            n += 1
    elapsed = time.perf_counter() - started
    await study.aclose()
    rate = n / elapsed
    print(f"sim throughput: {rate:,.0f} calls/s in-process (target >= 20,000)")
    return rate


async def evaluator_overhead(workdir: Path) -> None:
    config = load_study(None, [f'storage.url="sqlite:///{workdir}/overhead.db"'])
    study = open_study(config)
    template = load_template("prompts/stance.j2", root=demo_dir())
    grid = list(template.grid())[:20]
    samples = study.search_samples
    started = time.perf_counter()
    calls = 0
    for params in grid:
        evaluation = await study.evaluator.evaluate(template, params, samples)
        calls += evaluation.calls
    fresh = time.perf_counter() - started
    started = time.perf_counter()
    hits = 0
    for params in grid:
        evaluation = await study.evaluator.evaluate(template, params, samples)
        hits += evaluation.cache_hits
    cached = time.perf_counter() - started
    await study.aclose()
    print(f"evaluator, new calls: {fresh / calls * 1e6:,.0f} µs per call "
          f"(render, sim, judge, SQLite write; {calls:,} calls)")
    print(f"evaluator, cache hits: {cached / hits * 1e6:,.0f} µs per sample "
          f"(render, cache read, judge; {hits:,} hits)")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        os.chdir(workdir)
        demo_search(workdir)
        asyncio.run(sim_throughput())
        asyncio.run(evaluator_overhead(workdir))


if __name__ == "__main__":
    main()
