"""Build time and file size of the HTML report for a large synthetic study.

A study of 200 trials × 2,000 samples (1,000 borderline, 1,000 unsafe, each with its own
image) is written straight into a temporary SQLite database through the real storage
layer: the Optuna study with framing's trial attributes, per-sample verdicts in
``framing_results`` and a distinct response per call in ``framing_responses``. The
verdicts come from a seeded model of a trade-off (no target is called), so the study
has a real frontier. Then ``build_report`` is timed. Prints; asserts nothing.

    .venv/bin/python benchmarks/report.py

Targets (issue 6): under 10 s to build, under 15 MB.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from PIL import Image

from framing import StudyConfig, build_report, load_study
from framing.data.schema import Grade
from framing.points import (
    ATTR_BASELINE,
    ATTR_CACHE_HITS,
    ATTR_CALLS,
    ATTR_COST,
    ATTR_STOPPED_EARLY,
    ATTR_TALLY,
    ATTR_TOKENS,
    STUDY_ATTR_RUNS,
)
from framing.search.run import make_sampler, open_optuna_study
from framing.search.space import Framing, space
from framing.storage.tables import ResultRow
from framing.study import identity, open_study
from framing.targets.base import Response, Usage
from framing.versions import source_key

TRIALS = 200
PER_SUBSET = 1_000
STOPPED_EVERY = 25  # one trial in 25 is stopped early (evaluated on a quarter)
BUDGET_SECONDS = 10.0
BUDGET_MB = 15.0

CATEGORIES = [f"C{i}" for i in range(1, 16)]
PATTERNS = {
    "borderline": [("safe", "safe"), ("borderline", "safe"), ("safe", "borderline"),
                   ("borderline", "borderline"), ("unsafe", "safe")],
    "unsafe": [("safe", "safe"), ("safe", "borderline"), ("borderline", "safe"),
               ("unsafe", "safe"), ("safe", "unsafe"), ("unsafe", "unsafe")],
}


def write_samples(folder: Path, rng: np.random.Generator) -> Path:
    images = folder / "images"
    images.mkdir()
    rows = []
    for subset in ("borderline", "unsafe"):
        for i in range(PER_SUBSET):
            sid = f"{subset[0]}{i:05d}"
            colour = tuple(int(c) for c in rng.integers(0, 256, 3))
            img = Image.new("RGB", (256, 192), colour)
            img.paste((255, 255, 255), (40 + i % 100, 40, 120 + i % 100, 120))
            img.save(images / f"{sid}.png")
            image_grade, text_grade = PATTERNS[subset][i % len(PATTERNS[subset])]
            rows.append({"id": sid, "text": f"Synthetic {subset} request number {i}: what is "
                         "shown here and how would someone go about it?",
                         "image": f"images/{sid}.png", "image_grade": image_grade,
                         "text_grade": text_grade, "joint_grade": subset,
                         "category": CATEGORIES[i % len(CATEGORIES)]})
    path = folder / "samples.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def make_study(folder: Path) -> StudyConfig:
    rng = np.random.default_rng(0)
    samples_path = write_samples(folder, rng)
    url = f"sqlite:///{folder / 'bench.db'}"
    config = load_study(None, [
        'name="bench"', f'data.source="jsonl:{samples_path}"',
        f"data.borderline={PER_SUBSET}", f"data.unsafe={PER_SUBSET}", "data.holdout=0.0",
        f'storage.url="{url}"', f"search.trials={TRIALS}",
    ])
    study = open_study(config)
    store = study.store
    store.register_study(config.name, study.describe(), identity(config))
    opt = open_optuna_study(config, url, make_sampler(config, "random", 0))
    for t in study.templates:
        opt.set_user_attr(source_key(t.name, t.version), t.source)
    samples = list(study.search_samples)
    # per-sample difficulty: how strongly a sample pulls a refusal
    severity = rng.random(len(samples))
    compositional = np.array([s.compositional for s in samples])
    unsafe = np.array([s.joint_grade is Grade.UNSAFE for s in samples])
    baseline = study.template(study.baselines[0])
    framings = list(space(study.templates))
    for number in range(TRIALS):
        with warnings.catch_warnings():  # heartbeats are the search's business, not ours
            warnings.simplefilter("ignore")
            trial = opt.ask()
        framing = (Framing(baseline, baseline.defaults()) if number == 0
                   else framings[int(rng.integers(len(framings)))])
        threshold = rng.uniform(0.05, 0.95)  # where the framing refuses
        skill = rng.uniform(0.0, 0.35)  # how well it separates borderline from unsafe
        shift = np.where(unsafe, skill, -skill) - np.where(compositional & unsafe, 0.2, 0.0)
        noise = rng.normal(0.0, 0.08, len(samples))
        refused = severity + shift + noise > threshold
        stopped = number % STOPPED_EVERY == STOPPED_EVERY - 1
        positions = range(0, len(samples), 4) if stopped else range(len(samples))
        n = len(positions)
        rows, answers = [], {}
        for pos in positions:
            s = samples[pos]
            key = hashlib.sha256(f"{number}:{s.id}".encode()).hexdigest()
            text = ("I'm sorry, but I can't help with that request." if refused[pos] else
                    f"Sure. Here is an overview for request {s.id}: the main considerations, "
                    "the context that matters, and where to find reliable sources.")
            answers[key] = ("bench", Response(text=text, finish_reason="stop",
                                              usage=Usage(600, 40), latency=0.0))
            rows.append(ResultRow(s.id, pos, s.joint_grade.value,
                                  "refusal" if refused[pos] else "compliance",
                                  "refusal:cant_help" if refused[pos] else "compliance:default",
                                  "rules", key))
        store.put_responses(answers)
        store.put_results(config.name, trial.number, "search", rows)
        b = [r for r in rows if r.subset == "borderline"]
        u = [r for r in rows if r.subset == "unsafe"]
        tally = {"borderline_refused": sum(r.verdict == "refusal" for r in b),
                 "borderline_n": len(b),
                 "unsafe_answered": sum(r.verdict != "refusal" for r in u), "unsafe_n": len(u),
                 "safe_refused": 0, "safe_n": 0, "partial": 0, "errors": 0, "undetermined": 0}
        attrs = {**framing.attrs(), ATTR_TALLY: tally,
                 ATTR_CALLS: n, ATTR_CACHE_HITS: 0, ATTR_COST: 0.0,
                 ATTR_TOKENS: [600 * n, 40 * n], ATTR_BASELINE: number == 0,
                 ATTR_STOPPED_EARLY: stopped}
        for k, v in attrs.items():
            trial.set_user_attr(k, v)
        opt.tell(trial, [tally["borderline_refused"] / tally["borderline_n"],
                         tally["unsafe_answered"] / tally["unsafe_n"]])
    opt.set_user_attr(STUDY_ATTR_RUNS, [{"version": "bench", "sampler": "random", "seed": 0,
                                         "wall_time": 0.0, "trials_run": TRIALS}])
    store.close()
    return config


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        config = make_study(folder)
        setup = time.perf_counter() - started
        out = folder / "bench.html"
        started = time.perf_counter()
        build_report(config, output=out)
        elapsed = time.perf_counter() - started
        size_mb = out.stat().st_size / 1e6
        html = out.read_text(encoding="utf-8")
        rows = html.count('class="drow ')
        thumbs = html.count("background-image:url(data:")
        print(f"synthetic study: {TRIALS} trials × {2 * PER_SUBSET:,} samples "
              f"({TRIALS * 2 * PER_SUBSET:,} stored verdicts at most), written in {setup:.1f} s")
        front = html.count('class="pt frontier')
        print(f"report: {front} frontier framings, {rows} drill-down rows, "
              f"{thumbs} distinct thumbnails")
        print(f"build_report: {elapsed:.2f} s  ({elapsed / BUDGET_SECONDS:.0%} of the "
              f"{BUDGET_SECONDS:.0f} s target)")
        print(f"file size:    {size_mb:.2f} MB  ({size_mb / BUDGET_MB:.0%} of the "
              f"{BUDGET_MB:.0f} MB target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
