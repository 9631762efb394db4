"""Verdicts per second of the default judge (rules + trained stage) and of the rules
alone, on the development sets' responses.

Reads only the development sets (``benchmarks/judge_sets/dev*.jsonl``), never the frozen
held-out set. Each round judges every response once with a fresh judge (so nothing a
judge remembers from an earlier round helps); the figure is responses judged / CPU
seconds, the median over the rounds. CPU time, so other work on the machine disturbs it
less than wall-clock time would; it still varies by a few per cent between runs.

    .venv/bin/python benchmarks/judge_speed.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace
from pathlib import Path

from framing.judging.evaluation import LabelledItem, load_labelled
from framing.judging.rules import RulesJudge

SETS = Path(__file__).resolve().parent / "judge_sets"
#: the development sets; the held-out set is deliberately absent
DEV_SETS = ("dev.jsonl", "dev2.jsonl", "dev3.jsonl", "dev4.jsonl")


def rate(items: list[LabelledItem], *, trained: bool, words: bool = True) -> float:
    """Verdicts per CPU second, one fresh judge judging every item once (``words``
    false: the trained stage without its TF-IDF reader, for its cost)."""
    judge = RulesJudge(trained=trained)
    if judge.stage is not None and not words:
        judge.stage = replace(judge.stage, tfidf=None)
    start = time.process_time()
    for item in items:
        judge.judge(item.response, item.request)
    return len(items) / (time.process_time() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    items = [item for name in DEV_SETS if (SETS / name).is_file()
             for item in load_labelled(SETS / name)]
    rate(items[:50], trained=True)  # warm up: weights loaded, patterns compiled
    print(f"{len(items)} development-set responses, median of {args.rounds} rounds "
          "(CPU time):")
    judges = (("rules + trained stage (default)", True, True),
              ("the same without its TF-IDF reader", True, False),
              ("rules alone", False, True))
    for title, trained, words in judges:
        found = statistics.median(rate(items, trained=trained, words=words)
                                  for _ in range(args.rounds))
        print(f"  {title:<36} {found:8.0f} verdicts/s  ({1000 / found:.2f} ms each)")


if __name__ == "__main__":
    main()
