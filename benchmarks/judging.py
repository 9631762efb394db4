"""Figures for judging. Prints; asserts nothing.

- The default judge's accuracy on the frozen held-out sets ``benchmarks/judge_sets/
  heldout.jsonl``, ``heldout2.jsonl``, ``heldout3.jsonl`` and ``heldout4.jsonl`` (each
  written from DESIGN §2 by someone who had not read the rules; never used to fit: this
  script only reads aggregate figures from them, never their items), with the confusion
  matrix, and pooled over the four; beside it, labelled in-sample, the same on the
  development sets.
  The default judge is the rules with their trained stage (fitted by
  ``scripts/fit_judge.py`` on the development sets, so every set but the held-out one is
  in-sample for it); the rules alone (``[judge] trained = false``) are shown too, for
  which only ``dev6.jsonl`` and ``dev8``-``dev12`` are out-of-sample (the rules were
  tuned on the errors of ``dev2``-``dev4`` and, for one rule group, of ``dev5`` and
  ``dev7``).
- CPU seconds per 1,000 verdicts of the default judge and of the rules alone, on responses
  new to the judge and on repeated ones.
- The rules judge's true error on the simulated demo (the sim knows what it meant).
- What the model judge's verdict cache saves against a loopback server, and the extra
  calls of classify mode's single-modality labels.

    .venv/bin/python benchmarks/judging.py
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from servers.llm_server import LLMServer

from framing.config import TargetConfig, demo_dir, load_study
from framing.data.schema import Grade
from framing.errors import FramingError
from framing.judging.evaluation import (
    DEFAULT_LABELLED,
    JudgeEvaluation,
    evaluate_judge,
    load_labelled,
)
from framing.judging.model import ModelJudge
from framing.judging.rules import RulesJudge
from framing.search import run_search
from framing.storage.tables import Store
from framing.study import load_samples
from framing.targets.sim import SimTarget
from framing.templates import SampleView, load_template

VERDICTS = 400


SETS = Path(__file__).resolve().parent / "judge_sets"
SECOND = "second held-out (never used to fit; written by someone else, after the boosted trees)"
THIRD = ("third held-out (never used to fit; written by a third hand, before session 9's "
         "judge changes)")
FOURTH = ("fourth held-out (never used to fit; written by a fourth hand, before session 10's "
          "TF-IDF reader)")
#: (title for the rules alone, title for rules + trained stage, file)
JUDGE_SETS = (
    ("held-out (never used to fit)", "held-out (never used to fit)", SETS / "heldout.jsonl"),
    (SECOND, SECOND, SETS / "heldout2.jsonl"),
    (THIRD, THIRD, SETS / "heldout3.jsonl"),
    (FOURTH, FOURTH, SETS / "heldout4.jsonl"),
    ("dev (IN-SAMPLE: the rules were developed on it)",
     "dev (IN-SAMPLE: rules developed and stage fitted on it)", SETS / "dev.jsonl"),
    ("dev2 (IN-SAMPLE: written independently, the rules tuned on its errors since)",
     "dev2 (IN-SAMPLE: the stage was fitted on it)", SETS / "dev2.jsonl"),
    ("dev3 (IN-SAMPLE: written independently, the rules tuned on its errors since)",
     "dev3 (IN-SAMPLE: the stage was fitted on it)", SETS / "dev3.jsonl"),
    ("dev4 (IN-SAMPLE: written independently, the rules tuned on its errors since)",
     "dev4 (IN-SAMPLE: the stage was fitted on it)", SETS / "dev4.jsonl"),
    ("dev5 (written independently; partly in-sample: one rule group was written after "
     "reading its errors)", "dev5 (IN-SAMPLE: the stage was fitted on it)", SETS / "dev5.jsonl"),
    ("dev7 (written independently; partly in-sample: one rule group was written after "
     "reading its errors)", "dev7 (IN-SAMPLE: the stage was fitted on it)", SETS / "dev7.jsonl"),
    ("dev6 (written independently; the rules were not developed on it)",
     "dev6 (IN-SAMPLE: the stage was fitted on it)", SETS / "dev6.jsonl"),
    ("dev8 (written independently; the rules were not developed on it)",
     "dev8 (IN-SAMPLE: the stage was fitted on it)", SETS / "dev8.jsonl"),
    ("dev9 (written independently; the rules were not developed on it)",
     "dev9 (IN-SAMPLE: the stage was fitted on it)", SETS / "dev9.jsonl"),
    ("dev10 (written independently; the rules were not developed on it)",
     "dev10 (IN-SAMPLE: the stage was fitted on it)", SETS / "dev10.jsonl"),
    ("dev11 (written independently; the rules were not developed on it)",
     "dev11 (IN-SAMPLE: the stage was fitted on it)", SETS / "dev11.jsonl"),
    ("dev12 (written independently; the rules were not developed on it)",
     "dev12 (IN-SAMPLE: the stage was fitted on it)", SETS / "dev12.jsonl"),
    ("bundled labelled set (IN-SAMPLE: written with the rules)",
     "bundled labelled set (IN-SAMPLE: written with the rules, stage fitted on it)",
     DEFAULT_LABELLED),
)


def _pct(value: float) -> str:
    return "n/a" if value != value else f"{100 * value:.1f}%"


def print_evaluation(title: str, ev: JudgeEvaluation) -> None:
    """Aggregate figures and the confusion matrix; never an item."""
    sure_n = ev.n - ev.unsure
    sure = (ev.correct - ev.unsure_correct) / sure_n if sure_n else float("nan")
    print(f"{title}: n={ev.n}  three-way {_pct(ev.accuracy)}  refusal vs not "
          f"{_pct(ev.refusal_accuracy)}  (refusal sensitivity {_pct(ev.refusal_sensitivity)}, "
          f"specificity {_pct(ev.refusal_specificity)})")
    print(f"  unsure verdicts {ev.unsure} ({_pct(ev.unsure / ev.n if ev.n else float('nan'))}"
          f" of all; {ev.unsure_correct} of them right); three-way on the sure ones "
          f"{_pct(sure)} (n={sure_n})")
    columns = list(next(iter(ev.confusion.values()), {}))
    print("  label \\ verdict " + "".join(c.rjust(13) for c in columns))
    for label, row in ev.confusion.items():
        print(f"  {label:<16}" + "".join(str(row[c]).rjust(13) for c in columns))


def judge_sets() -> None:
    """The default judge (the rules with their trained stage), then the rules alone
    (``[judge] trained = false``), on every set."""
    judges = (("default judge: rules + trained stage", RulesJudge(), 1),
              ("rules alone ([judge] trained = false)", RulesJudge(trained=False), 0))
    for name, judge, column in judges:
        if column and judge.stage is None:
            print(f"{name}: no trained weights shipped")
            continue
        print(f"{name} accuracy (targets on the held-out set: >= 90% three-way, "
              ">= 95% refusal vs not)")
        held_out = []
        for *titles, path in JUDGE_SETS:
            title = titles[column]
            if not path.is_file():
                print(f"{title}: {path.name} not found")
                continue
            try:
                items = load_labelled(path)
            except FramingError as e:
                print(f"{title}: cannot read: {e}")
                continue
            print_evaluation(title, evaluate_judge(judge, items))
            if path.name.startswith("heldout"):
                held_out += items
        print_evaluation(f"the held-out sets pooled (never used to fit; {len(held_out)} rows)",
                         evaluate_judge(judge, held_out))
        print()


def rules_speed() -> None:
    """Seconds per 1,000 verdicts, on responses new to the judge (every response of the
    development sets and the bundled labelled set, once, by a new judge: the judge
    remembers the reading of the responses it judged last) and on repeated ones (the
    labelled set 20 times: a study's identical answers). CPU time of this process, so that
    other work on the machine does not count."""
    sets = [path for *_, path in JUDGE_SETS if not path.name.startswith("heldout")]
    fresh = [(item.response, item.request) for path in sets for item in load_labelled(path)]
    again = [(item.response, item.request) for item in load_labelled()] * 20
    for name, make in (("default judge (rules + trained stage)", RulesJudge),
                       ("rules alone", lambda: RulesJudge(trained=False))):
        for what, pairs in (("new", fresh), ("repeated", again)):
            judge = make()
            started = time.process_time()
            for text, request in pairs:
                judge.judge(text, request)
            elapsed = time.process_time() - started
            print(f"{name} speed: {len(pairs):,} verdicts of {what} responses (with their "
                  f"requests) in {elapsed:.2f} CPU s = {1000 * elapsed / len(pairs):.3f} s per "
                  f"1,000 verdicts ({len(pairs) / elapsed:,.0f} verdicts/s)")


def sim_demo_error() -> None:
    """The demo study's judge against what the simulated model meant, on the demo set's search
    samples under the baseline and the engagement framing (SIMULATED)."""
    config = load_study(None, ["target.images=false"])
    samples = [s for s in load_samples(config).search
               if s.joint_grade in (Grade.BORDERLINE, Grade.UNSAFE)]
    # the demo study's own judge ([judge] in the demo study file)
    judge = RulesJudge.from_config(config.judge.rules or None, trained=config.judge.trained)
    print(f"(the demo study judges with the rules "
          f"{'and their trained stage' if judge.stage is not None else 'alone'})")
    sim = SimTarget()
    framings = (("baseline", {}), ("engage", {"strength": "strong", "joint_cue": False}))
    for name, params in framings:
        template = load_template(f"prompts/{name}.j2", root=demo_dir())
        agree = agree_refusal = 0
        refused = {Grade.BORDERLINE: [0, 0, 0], Grade.UNSAFE: [0, 0, 0]}  # judged, meant, n
        for sample in samples:
            messages = template.render(SampleView(sample.id, sample.text, True), params)
            text = asyncio.run(sim.generate(messages, None, sample=sample)).text
            meant = sim.intended(messages, sample)
            said = judge.judge(text, sample.text).verdict.value
            agree += said == meant
            agree_refusal += (said == "refusal") == (meant == "refusal")
            counts = refused[sample.joint_grade]
            counts[0] += said == "refusal"
            counts[1] += meant == "refusal"
            counts[2] += 1
        (bj, bm, nb), (uj, um, nu) = refused[Grade.BORDERLINE], refused[Grade.UNSAFE]
        print(f"SIMULATED demo, {name} framing, {len(samples)} samples: default judge vs what "
              f"the sim meant: three-way {_pct(agree / len(samples))}, refusal vs not "
              f"{_pct(agree_refusal / len(samples))}; over-blocking judged {_pct(bj / nb)} "
              f"(true {_pct(bm / nb)}), under-refusal judged {_pct(1 - uj / nu)} "
              f"(true {_pct(1 - um / nu)})")


async def model_cache(workdir: Path) -> None:
    def respond(_: object) -> str:
        return '{"verdict": "refusal", "reason": "declines"}'

    with LLMServer(responder=respond) as server:
        config = TargetConfig(kind="openai", model="judge", base_url=server.url + "/v1",
                              concurrency=16, max_retries=3)
        store = Store(f"sqlite:///{workdir}/judge.db")
        texts = [f"I can't help with request number {i}." for i in range(VERDICTS)]

        async def run_once() -> tuple[float, int]:
            judge = ModelJudge.from_config(config, store)
            started = time.perf_counter()
            found = await asyncio.gather(*(judge.judge_text("request", t) for t in texts))
            elapsed = time.perf_counter() - started
            await judge.aclose()
            return elapsed, sum(j.verdict.value == "undetermined" for j in found)

        fresh, lost = await run_once()
        calls = len(server.requests)
        cached, lost_again = await run_once()
        store.close()
    print(f"model judge, {VERDICTS} verdicts against a loopback server (no latency): "
          f"{fresh:.2f} s with {calls} requests ({lost} undetermined), {cached:.2f} s from "
          f"the verdict cache ({len(server.requests) - calls} requests, {lost_again} "
          f"undetermined); cached/fresh = {cached / fresh:.3f}")


def classify_calls(workdir: Path) -> None:
    os.chdir(demo_dir())  # the classify study's template paths start here
    base = ["search.trials=3", "search.racing=false", "search.holdout_check=false"]
    calls = {}
    for modalities in (False, True):
        flag = str(modalities).lower()
        # separate databases: the response cache is shared by every study of a database
        config = load_study("studies/classify.toml",
                            [*base, f"classify.modalities={flag}",
                             f'storage.url="sqlite:///{workdir}/classify-{flag}.db"'])
        result = run_search(config)
        calls[modalities] = (result.calls, result.cache_hits)
    (plain, _), (both, hits) = calls[False], calls[True]
    print(f"classify mode, 3 trials x 280 samples of the demo set (sim): {plain:,} calls; "
          f"with modalities {both:,} calls (+ {hits} identical requests sent once): "
          f"x{both / plain:.2f} calls")


def main() -> None:
    judge_sets()
    rules_speed()
    sim_demo_error()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(model_cache(Path(tmp)))
        classify_calls(Path(tmp))


if __name__ == "__main__":
    main()
