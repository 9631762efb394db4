"""Figures for judging: the rules judge's speed, what the model judge's verdict cache saves
against a loopback server, and the extra calls of classify mode's single-modality labels.
Prints; asserts nothing.

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

from framing.config import TargetConfig, load_study
from framing.judging.evaluation import load_labelled
from framing.judging.model import ModelJudge
from framing.judging.rules import RulesJudge
from framing.search import run_search
from framing.storage.tables import Store

VERDICTS = 400


def rules_speed() -> None:
    items = load_labelled()
    judge = RulesJudge()
    texts = [item.response for item in items] * 20
    started = time.perf_counter()
    for text in texts:
        judge.judge(text)
    elapsed = time.perf_counter() - started
    print(f"rules judge: {len(texts):,} verdicts in {elapsed:.2f} s = "
          f"{len(texts) / elapsed:,.0f} verdicts/s ({1e6 * elapsed / len(texts):.0f} µs each)")


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
    from framing.config import demo_dir

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
    rules_speed()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(model_cache(Path(tmp)))
        classify_calls(Path(tmp))


if __name__ == "__main__":
    main()
