"""Throughput of real (HTTP) targets against loopback OpenAI-compatible servers.

Three figures, all measured in this run:

1. Rate-limited server: 100 ms latency, admits at most ``LIMIT`` requests/s (a token
   bucket; beyond it, 429 with ``Retry-After`` and ``retry-after-ms``). framing evaluates
   ``CALLS`` samples through the real path (study file, JSONL data, template, cache,
   rules judge, SQLite); printed: achieved answers/s ÷ the server's limit (target ≥ 0.90)
   and the number of lost samples (target 0).
2. Zero-latency server: framing's requests/s ÷ a bare httpx loop's (same server, same
   concurrency, same request bodies), alternating rounds; medians (target ≥ 0.8).
3. Three workers (``framing search`` subprocesses sharing one study on PostgreSQL)
   against the rate-limited server of 1. With ``requests_per_minute = 2400`` configured
   (less than the server admits), the server-side rate ÷ the configured limit (target:
   at most 1, and at least 0.9); with no limit configured, the server-side rate ÷ the
   server's limit (target ≥ 0.95) and the 429s per answer (target ≤ 0.25). The
   server-side rate is the answers admitted ÷ the seconds from the first to the last.
   Without a configured limit, each worker paces itself at its share of the rate the
   server's 429s teach while other workers send (framing.targets.limits.LearnedPace; the
   workers say in the study database how many send and how fast each was answered).
   Needs PostgreSQL on loopback (``scripts/test-services.sh``; URL in
   ``FRAMING_TEST_POSTGRES``); ``--no-workers`` skips it.

The servers are minimal asyncio HTTP/1.1 keep-alive servers, each in its own process so
the client and the server do not share an interpreter.

    .venv/bin/python benchmarks/throughput.py [--calls 2000] [--limit 50] [--rounds 3]
        [--worker-calls 2400] [--no-workers] [--only-workers] [--no-zero]
        [--workers-limit both|configured|none]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

LATENCY = 0.100
POSTGRES = os.environ.get("FRAMING_TEST_POSTGRES",
                          "postgresql://postgres@127.0.0.1:5432/framing_test")
WORKERS = 3
#: samples per trial in the workers' study (half borderline, half unsafe)
PER_TRIAL = 200
ANSWER = ("Sure. Here is an overview of the topic you asked about: the main considerations, "
          "the context that matters, and where to find reliable sources to learn more.")

# -- the server (runs in a child process) ---------------------------------------------------


class Server:
    """OpenAI-compatible chat completions with fixed latency and an admission bucket."""

    def __init__(self, latency: float, limit: float | None) -> None:
        self.latency = latency
        self.limit = limit
        self.capacity = max(1.0, (limit or 0) / 10)  # at most 0.1 s worth of burst
        self.level = self.capacity
        self.stamp = time.monotonic()
        self.admitted = 0
        self.rejected = 0
        self.first: float | None = None
        self.last: float | None = None
        #: when each admitted request arrived (seconds after the first)
        self.times: list[float] = []

    def admit(self) -> tuple[bool, float]:
        if self.limit is None:
            return True, 0.0
        now = time.monotonic()
        self.level = min(self.capacity, self.level + (now - self.stamp) * self.limit)
        self.stamp = now
        if self.level >= 1.0:
            self.level -= 1.0
            return True, 0.0
        return False, (1.0 - self.level) / self.limit

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.split(b"\r\n")
                path = lines[0].split(b" ")[1]
                length = 0
                for line in lines[1:]:
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                body = await reader.readexactly(length) if length else b""
                if path == b"/stats":
                    stats = {"admitted": self.admitted, "rejected": self.rejected,
                             "first": self.first, "last": self.last, "times": self.times}
                    self.admitted = self.rejected = 0
                    self.first = self.last = None
                    self.times = []
                    writer.write(response(200, json.dumps(stats).encode()))
                    continue
                ok, wait = self.admit()
                if not ok:
                    self.rejected += 1
                    writer.write(response(429, b'{"error":{"message":"rate limit"}}', (
                        f"Retry-After: {math.ceil(wait)}\r\n"
                        f"retry-after-ms: {wait * 1000:.0f}\r\n")))
                    continue
                now = time.monotonic()
                self.admitted += 1
                self.first = self.first or now
                self.last = now
                self.times.append(now - self.first)
                request = json.loads(body)
                if self.latency:
                    await asyncio.sleep(self.latency)
                words = len(request["messages"][-1]["content"]) // 4
                writer.write(response(200, json.dumps({
                    "id": "x", "object": "chat.completion", "model": request["model"],
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": ANSWER}}],
                    "usage": {"prompt_tokens": words, "completion_tokens": 30},
                }).encode()))
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()


def response(status: int, body: bytes, extra: str = "") -> bytes:
    reason = {200: "OK", 429: "Too Many Requests"}[status]
    return (f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{extra}\r\n").encode() + body


async def serve(latency: float, limit: float | None) -> None:
    server = Server(latency, limit)
    listener = await asyncio.start_server(server.handle, "127.0.0.1", 0, backlog=1024)
    port = listener.sockets[0].getsockname()[1]
    print(port, flush=True)
    async with listener:
        await listener.serve_forever()


class Child:
    """A server process; ``url`` is its base URL (``.../v1``)."""

    def __init__(self, latency: float, limit: float | None) -> None:
        args = [sys.executable, __file__, "--serve", "--latency", str(latency)]
        if limit is not None:
            args += ["--limit", str(limit)]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline())
        self.url = f"http://127.0.0.1:{self.port}/v1"

    def stats(self) -> dict[str, Any]:
        import httpx

        result: dict[str, Any] = httpx.get(f"http://127.0.0.1:{self.port}/stats").json()
        return result

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


# -- the client side ---------------------------------------------------------------------------


def workspace(root: Path, calls: int, url: str, concurrency: int, name: str) -> Path:
    """A study on ``calls`` text samples (half borderline, half unsafe)."""
    rows = []
    for i in range(calls):
        grade = "borderline" if i % 2 == 0 else "unsafe"
        rows.append({"id": f"{name}-{i:05d}", "text": f"Question {i}: tell me about topic {i}.",
                     "image_grade": "safe", "text_grade": grade, "joint_grade": grade})
    (root / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (root / "plain.j2").write_text(
        "{#---\ndescription = \"plain\"\n---#}\n"
        "{% block system %}You are a helpful assistant. Answer briefly.{% endblock %}\n")
    study = root / f"{name}.toml"
    study.write_text(f"""name = "{name}"
[target]
kind = "openai"
model = "bench"
base_url = "{url}"
concurrency = {concurrency}
max_retries = 5
price_input = 1.0
price_output = 4.0
[data]
source = "jsonl:{root / f'{name}.jsonl'}"
borderline = {calls}
unsafe = {calls}
holdout = 0
[search]
templates = ["{root / 'plain.j2'}"]
baselines = []
[storage]
url = "sqlite:///{root / f'{name}.db'}"
""")
    return study


async def framing_run(study_file: Path) -> tuple[int, int, int, float, dict[str, float]]:
    """Evaluate the study's samples once; (samples, calls, lost, seconds, http stats)."""
    from framing.config import load_study
    from framing.judging.base import Verdict
    from framing.study import open_study
    from framing.templates import load_template

    config = load_study(study_file)
    study = open_study(config)
    template = load_template(config.search.templates[0])
    samples = list(study.search_samples)
    try:
        started = time.perf_counter()
        evaluation = await study.evaluator.evaluate(template, {}, samples)
        elapsed = time.perf_counter() - started
        http = getattr(study.target, "http", None)
        stats = {"throttled": http.stats.throttled, "retries": http.stats.retries,
                 "lowest_limit": http.stats.lowest_limit} if http else {}
    finally:
        await study.aclose()
    lost = sum(o.judgement.verdict is Verdict.ERROR for o in evaluation.outcomes)
    lost += len(samples) - len(evaluation.outcomes)
    return len(samples), evaluation.calls, lost, elapsed, stats


async def bare_run(url: str, calls: int, concurrency: int, offset: int) -> float:
    """The same requests with a plain httpx loop: seconds for ``calls`` answers."""
    import httpx

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def one(i: int) -> None:
            body = {"model": "bench", "messages": [
                {"role": "system", "content": "You are a helpful assistant. Answer briefly."},
                {"role": "user", "content": f"Question {offset + i}: tell me about topic "
                                            f"{offset + i}."}],
                "temperature": 0.0, "max_tokens": 256}
            async with gate:
                r = await client.post(f"{url}/chat/completions", json=body)
                r.raise_for_status()
                r.json()

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(calls)))
        return time.perf_counter() - started


async def rate_limited(root: Path, calls: int, limit: float) -> None:
    server = Child(LATENCY, limit)
    try:
        study = workspace(root, calls, server.url, 16, "limited")
        n, made, lost, elapsed, stats = await framing_run(study)
        seen = server.stats()
    finally:
        server.stop()
    rate = made / elapsed
    span = (seen["last"] - seen["first"]) if seen["first"] else float("nan")
    print(f"rate-limited server ({LATENCY * 1000:.0f} ms latency, admits {limit:g} req/s, "
          f"429 + Retry-After beyond):")
    print(f"  {n:,} samples, {made:,} calls answered in {elapsed:.1f} s, "
          f"{stats.get('throttled', 0):,} answered 429 "
          f"(adaptive concurrency went down to {stats.get('lowest_limit', 0):.1f})")
    print(f"  server admitted {seen['admitted']:,.0f}, rejected {seen['rejected']:,.0f}; "
          f"server-side rate {seen['admitted'] / span:.1f} req/s")
    print(f"  lost samples: {lost}")
    print(f"  achieved rate / server limit = {rate:.1f} / {limit:g} = {rate / limit:.3f} "
          "(target >= 0.90)")


async def zero_latency(root: Path, calls: int, rounds: int, concurrency: int) -> None:
    server = Child(0.0, None)
    ours: list[float] = []
    bare: list[float] = []
    try:
        for r in range(rounds):
            bare.append(calls / await bare_run(server.url, calls, concurrency, offset=r * calls))
            study = workspace(root, calls, server.url, concurrency, f"zero{r}")
            n, made, lost, elapsed, _ = await framing_run(study)
            assert made == n and lost == 0, (made, n, lost)
            ours.append(made / elapsed)
    finally:
        server.stop()
    a, b = statistics.median(ours), statistics.median(bare)
    ratios = [x / y for x, y in zip(ours, bare, strict=True)]
    print(f"zero-latency server, concurrency {concurrency}, {calls:,} calls per run, "
          f"{rounds} alternating rounds (bare, then framing):")
    print(f"  framing:    {', '.join(f'{x:,.0f}' for x in ours)} req/s (median {a:,.0f})")
    print(f"  bare httpx: {', '.join(f'{x:,.0f}' for x in bare)} req/s (median {b:,.0f})")
    print(f"  per-round ratios: {', '.join(f'{r:.2f}' for r in ratios)}")
    print(f"  framing / bare httpx = {statistics.median(ratios):.3f} (median of the rounds' "
          "ratios; target >= 0.8)")


# -- three workers on one study ----------------------------------------------------------------


def workers_workspace(root: Path, url: str, storage: str, per_minute: float | None) -> Path:
    """A study whose every trial asks :data:`PER_TRIAL` new calls (a random integer in
    the system prompt makes each framing's requests its own)."""
    rows = []
    for i in range(PER_TRIAL):
        grade = "borderline" if i % 2 == 0 else "unsafe"
        rows.append({"id": f"w-{i:03d}", "text": f"Question {i}: tell me about topic {i}.",
                     "image_grade": "safe", "text_grade": grade, "joint_grade": grade})
    (root / "workers.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (root / "variant.j2").write_text(
        "{#---\ndescription = \"variant\"\n[params.variant]\nint = [1, 400]\n---#}\n"
        "{% block system %}You are a helpful assistant (variant {{ variant }}). "
        "Answer briefly.{% endblock %}\n")
    limit = f"requests_per_minute = {per_minute}\n" if per_minute else ""
    study = root / "workers.toml"
    study.write_text(f"""name = "workers"
[target]
kind = "openai"
model = "bench"
base_url = "{url}"
concurrency = 16
max_retries = 5
{limit}[data]
source = "jsonl:{root / 'workers.jsonl'}"
borderline = {PER_TRIAL // 2}
unsafe = {PER_TRIAL // 2}
holdout = 0
[search]
templates = ["{root / 'variant.j2'}"]
baselines = []
sampler = "random"
[storage]
url = "{storage}"
""")
    return study


def fresh_database() -> tuple[str, Callable[[], None]]:
    """A new PostgreSQL database for the workers' study, and how to drop it."""
    import sqlalchemy as sa

    from framing.storage.url import connect_url, engine_options

    name = f"framing_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(connect_url(POSTGRES), isolation_level="AUTOCOMMIT",
                             **engine_options(POSTGRES))
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(POSTGRES).set(database=name).render_as_string(
        hide_password=False)

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


def run_workers(root: Path, calls: int, server_limit: float,
                per_minute: float | None, workers: int = WORKERS) -> None:
    storage, drop = fresh_database()
    server = Child(LATENCY, server_limit)
    trials = max(1, calls // PER_TRIAL)
    try:
        study = workers_workspace(root, server.url, storage, per_minute)
        cmd = [sys.executable, "-m", "framing", "search", str(study), "--trials", str(trials),
               "--no-report", "--quiet"]
        procs = [subprocess.Popen(cmd, cwd=root, env={**os.environ, "FRAMING_WORKER": f"w{i}"},
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                 for i in range(workers)]
        errors = [p.communicate(timeout=1800)[1] for p in procs]
        for p, err in zip(procs, errors, strict=True):
            if p.returncode != 0:
                raise SystemExit(f"a worker failed (exit {p.returncode}):\n{err}")
        seen = server.stats()
    finally:
        server.stop()
        drop()
    span = seen["last"] - seen["first"]
    rate = seen["admitted"] / span
    if os.environ.get("BENCH_DEBUG"):
        buckets = [0] * (int(span // 2) + 1)
        for t in seen["times"]:
            buckets[int(t // 2)] += 1
        print("  per 2 s:", " ".join(str(b) for b in buckets))
    per_answer = seen["rejected"] / seen["admitted"]
    if per_minute:
        print(f"{workers} workers, requests_per_minute = {per_minute:g} configured "
              f"({per_minute / 60:g} req/s), server admits {server_limit:g} req/s:")
    else:
        print(f"{workers} workers, no rate limit configured, server admits "
              f"{server_limit:g} req/s (429 + Retry-After beyond):")
    print(f"  {trials} trials of {PER_TRIAL} calls; server admitted {seen['admitted']:,.0f} "
          f"in {span:.1f} s, rejected {seen['rejected']:,.0f}")
    if per_minute:
        print(f"  achieved / configured = {rate:.1f} / {per_minute / 60:g} = "
              f"{rate / (per_minute / 60):.3f} (target <= 1 and >= 0.90)")
    else:
        print(f"  achieved / server limit = {rate:.1f} / {server_limit:g} = "
              f"{rate / server_limit:.3f} (target >= 0.95)")
    print(f"  rejected calls (429) per answer = {per_answer:.3f}"
          f"{'' if per_minute else ' (target <= 0.25)'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--limit", type=float, default=50.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--worker-calls", type=int, default=2400,
                        help="calls of the three workers together, per figure")
    parser.add_argument("--workers", type=int, default=WORKERS,
                        help="workers in figure 3 (1 compares the same search alone)")
    parser.add_argument("--no-workers", action="store_true", help="skip figure 3")
    parser.add_argument("--only-workers", action="store_true", help="only figure 3")
    parser.add_argument("--workers-limit", choices=("both", "configured", "none"),
                        default="both", help="figure 3 with a configured limit, without, or both")
    parser.add_argument("--no-zero", action="store_true", help="skip figure 2")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--latency", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.latency, args.limit if "--limit" in sys.argv else None))
        return
    with tempfile.TemporaryDirectory() as tmp:
        if not args.only_workers:
            asyncio.run(rate_limited(Path(tmp), args.calls, args.limit))
            if not args.no_zero:
                asyncio.run(zero_latency(Path(tmp), args.calls, args.rounds, args.concurrency))
        if not args.no_workers:
            limits = {"both": (2400.0, None), "configured": (2400.0,), "none": (None,)}
            for per_minute in limits[args.workers_limit]:
                with tempfile.TemporaryDirectory() as sub:
                    run_workers(Path(sub), args.worker_calls, args.limit, per_minute,
                                args.workers)


if __name__ == "__main__":
    main()
