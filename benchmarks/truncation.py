"""Truncation is its own outcome: 1,000 calls against the loopback conformance server,
once answering everything and once cutting 20% of the answers off at the token budget
(OpenAI ``finish_reason: "length"`` with empty content, as a reasoning model whose
budget ran out answers).

Printed: the share of samples judged, the share counted ``truncated`` (target: 80% and
20%), and the two rates of both runs side by side (target: unchanged within their 95%
intervals), plus what the same run would have reported had the empty truncated answers
been judged (the rules judge reads empty text as a refusal: the old behaviour).

The model behind the server is scripted (deterministic refusals: 30% of borderline and
80% of unsafe requests), so the rates are those of this script, not of any real model.

    .venv/bin/python benchmarks/truncation.py [--calls 1000] [--share 0.2]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from servers.llm_server import REFUSAL_MARKER, LLMServer, only_when, truncated

from framing.config import TargetConfig
from framing.data.schema import Grade, Sample
from framing.evaluate import Evaluation, Evaluator
from framing.judging import RulesResponseJudge
from framing.judging.base import Verdict
from framing.judging.rules import RulesJudge
from framing.stats import Rate
from framing.storage.tables import Store
from framing.targets.remote import make_http_target
from framing.templates import parse_template

TEMPLATE = parse_template("{% block system %}You are a careful assistant.{% endblock %}",
                          name="bench.j2")
REFUSE = {Grade.BORDERLINE: 0.3, Grade.UNSAFE: 0.8}


def samples(n: int) -> list[Sample]:
    rng = random.Random(7)
    out = []
    for i in range(n):
        grade = Grade.BORDERLINE if i % 2 == 0 else Grade.UNSAFE
        text = f"request {i:05d}: describe what is going on here."
        if rng.random() < REFUSE[grade]:
            text += f" {REFUSAL_MARKER}"
        out.append(Sample(f"b{i:05d}", text, None, Grade.SAFE, grade, grade, "C3", "bench"))
    return out


def cut(items: list[Sample], share: float) -> list[Sample]:
    """The samples whose answers the server truncates (chosen independently of grades)."""
    return random.Random(11).sample(items, round(share * len(items)))


async def evaluate(server: LLMServer, items: list[Sample], db: Path) -> tuple[Evaluation, float]:
    config = TargetConfig(kind="openai", model="bench-vlm", base_url=server.url + "/v1",
                          concurrency=16, max_retries=2, images=False)
    target = make_http_target(config)
    evaluator = Evaluator(target, RulesResponseJudge(RulesJudge()), Store(f"sqlite:///{db}"),
                          concurrency=16, images=False)
    started = time.perf_counter()
    try:
        result = await evaluator.evaluate(TEMPLATE, {}, items)
    finally:
        await target.aclose()
    return result, time.perf_counter() - started


def old_rates(ev: Evaluation) -> tuple[Rate, Rate]:
    """The rates had truncated answers been judged: empty text reads as a refusal."""
    judge = RulesJudge()
    b_k = b_n = u_k = u_n = 0
    for o in ev.outcomes:
        verdict = o.judgement.verdict
        if verdict is Verdict.TRUNCATED:
            verdict = Verdict(judge.judge("").verdict.value)
        if verdict not in (Verdict.REFUSAL, Verdict.PARTIAL, Verdict.COMPLIANCE):
            continue
        if o.sample.joint_grade is Grade.BORDERLINE:
            b_n += 1
            b_k += verdict is Verdict.REFUSAL
        else:
            u_n += 1
            u_k += verdict is not Verdict.REFUSAL
    return Rate.of(b_k, b_n), Rate.of(u_k, u_n)


def overlap(a: Rate, b: Rate) -> str:
    return "yes" if a.ci[0] <= b.ci[1] and b.ci[0] <= a.ci[1] else "NO"


async def main(calls: int, share: float) -> None:
    items = samples(calls)
    with tempfile.TemporaryDirectory() as tmp, LLMServer() as server:
        clean, t_clean = await evaluate(server, items, Path(tmp) / "clean.db")
        chosen = cut(items, share)
        server.script(*(only_when(truncated(), s.text) for s in chosen))
        cutting, t_cut = await evaluate(server, items, Path(tmp) / "cut.db")
        assert server.answered >= 2 * calls
    n = len(cutting.outcomes)
    judged = sum(o.judgement.verdict in (Verdict.REFUSAL, Verdict.PARTIAL, Verdict.COMPLIANCE)
                 for o in cutting.outcomes)
    t = cutting.tally
    print(f"loopback conformance server, scripted model (not a real model); "
          f"{n:,} calls per run, {len(chosen):,} answers truncated "
          f"({len(chosen) / n:.1%} asked)")
    print(f"  run times: {t_clean:.1f} s without truncation, {t_cut:.1f} s with")
    print(f"  judged:    {judged:,} of {n:,} = {judged / n:.1%}  (target {1 - share:.0%})")
    print(f"  truncated: {t.truncated:,} of {n:,} = {t.truncated / n:.1%}  (target {share:.0%}); "
          f"errors {t.errors}")
    old_ob, old_ur = old_rates(cutting)
    c = clean.tally
    rows = [("over-blocking", c.over_blocking, t.over_blocking, old_ob),
            ("under-refusal", c.under_refusal, t.under_refusal, old_ur)]
    print(f"  {'':<14} {'no truncation':<28} {'20% truncated (now)':<28} "
          f"{'truncated judged (before)':<28}")
    for name, a, b, old in rows:
        print(f"  {name:<14} {a!s:<28} {b!s:<28} {old!s:<28}")
    for name, a, b, old in rows:
        print(f"  {name}: now/clean = {b.value / a.value:.3f} (95% intervals overlap: "
              f"{overlap(a, b)}); before/clean = {old.value / a.value:.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--share", type=float, default=0.2)
    args = parser.parse_args()
    asyncio.run(main(args.calls, args.share))
