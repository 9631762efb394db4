"""Key-press-to-screen-update latency of ``framing tui`` in a real terminal, while a search
with a latency-bound simulated model runs at full concurrency. Prints; asserts nothing.

Measured in tmux (a real pseudo-terminal, the app in its own process, exactly as a user
runs it): a key is sent with ``tmux send-keys`` and the pane is read with
``tmux capture-pane -e`` until the update shows. Two kinds of key:

- down/up in the Run screen's trial table: the highlighted row moves (the cursor's
  colours are found on the next line of the pane);
- F3/F2: a switch between the Run and Frontier screens (the whole screen is redrawn).

Each figure includes one capture (timed alone too). The same presses are timed with the
search paused, for a ratio. Other processes on the machine inflate these wall-clock
figures (a key waits for a free core), so the app's own CPU time per press is printed too
(read from ``/proc``, the UI process alone, not its search child): that figure does not
depend on the machine's load. The search's calls/s during the busy presses (read from the
Run screen's counters) is compared with the same search run headless, through
``framing.search.run_search`` in this process, for as long (target ratio >= 0.8). The
model is the simulated one (``target.kind = "sim"``): every figure is of a simulated
search.

    nice .venv/bin/python benchmarks/tui.py [--presses 40] [--latency 0.05]
        [--concurrency 64] [--size 100x30]
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

RUN_MARK = "trials (newest first"
FRONTIER_MARK = "points (● frontier"


class Terminal:
    def __init__(self, command: str, cwd: Path, width: int, height: int) -> None:
        self.socket = f"framing-bench-{uuid.uuid4().hex[:8]}"
        env = {**os.environ, "TERM": "xterm-256color",
               "LANG": os.environ.get("LANG") or "C.UTF-8"}
        subprocess.run(["tmux", "-u", "-L", self.socket, "new-session", "-d", "-s", "b", "-x",
                        str(width), "-y", str(height), "-c", str(cwd), command],
                       check=True, env=env)

    def text(self, escapes: bool = False) -> str:
        flags = ["-e"] if escapes else []
        return subprocess.run(["tmux", "-L", self.socket, "capture-pane", "-p", *flags,
                               "-t", "b"], capture_output=True, text=True).stdout

    def send(self, key: str) -> None:
        subprocess.run(["tmux", "-L", self.socket, "send-keys", "-t", "b", key], check=True)

    def wait_for(self, needle: str, timeout: float = 60.0) -> tuple[float, str]:
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            screen = self.text()
            if needle in screen:
                return time.perf_counter() - start, screen
        raise RuntimeError(f"{needle!r} did not appear within {timeout} s")

    def app_pid(self) -> int | None:
        """The app's process: the pane's process, or its one child when a shell runs it."""
        out = subprocess.run(["tmux", "-L", self.socket, "list-panes", "-t", "b", "-F",
                              "#{pane_pid}"], capture_output=True, text=True).stdout.split()
        if not out:
            return None
        pid = int(out[0])
        if Path(f"/proc/{pid}/comm").read_text().strip() in ("sh", "bash", "dash"):
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            pid = int(children[0]) if children else pid
        return pid

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def cpu_seconds(pid: int | None) -> float:
    """User and system CPU time of ``pid`` itself (not of its children), in seconds."""
    if pid is None or not Path(f"/proc/{pid}/stat").exists():
        return float("nan")
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cursor_line(term: Terminal, first_row: int, style: str) -> int | None:
    lines = term.text(escapes=True).split("\n")
    for i in (first_row, first_row + 1):
        if i < len(lines) and _row_style(lines[i]) == style:
            return i
    return None


def _row_style(line: str) -> str:
    """The colour codes a table row starts with (right after the table's left border)."""
    after = line.split("│", 1)[1] if "│" in line else ""
    return "".join(re.findall(r"\x1b\[[\d;]*m", after[: after.find(" ")]))


def cursor_latencies(term: Terminal, presses: int,
                     cpu: list[float] | None = None) -> list[float]:
    """Alternate down and up in the trial table; time each until the highlight moved
    (``cpu`` as for :func:`press_latencies`)."""
    pid = term.app_pid()
    before, began = cpu_seconds(pid), time.perf_counter()
    plain = term.text().split("\n")
    first = next(i for i, line in enumerate(plain) if "over-bl." in line) + 1
    style = _row_style(term.text(escapes=True).split("\n")[first])
    out = []
    for i in range(presses):
        key, target = ("down", first + 1) if i % 2 == 0 else ("up", first)
        started = time.perf_counter()
        term.send(key)
        deadline = started + 10
        while cursor_line(term, first, style) != target:
            if time.perf_counter() > deadline:
                raise RuntimeError("the highlighted row never moved")
        out.append(time.perf_counter() - started)
        time.sleep(0.05)
    if cpu is not None:
        cpu += [cpu_seconds(pid) - before, time.perf_counter() - began]
    return out


def press_latencies(term: Terminal, presses: int,
                    cpu: list[float] | None = None) -> list[float]:
    """Alternate F3 (Frontier) and F2 (Run); time each until its screen is drawn
    (``cpu``: the app's CPU seconds over the presses, pauses between them included, and
    the wall-clock seconds they took are appended)."""
    pid = term.app_pid()
    before, began = cpu_seconds(pid), time.perf_counter()
    out = []
    for i in range(presses):
        key, mark = ("F3", FRONTIER_MARK) if i % 2 == 0 else ("F2", RUN_MARK)
        started = time.perf_counter()
        term.send(key)
        term.wait_for(mark)
        out.append(time.perf_counter() - started)
        time.sleep(0.05)  # let the app go back to its steady state between presses
    if cpu is not None:
        cpu += [cpu_seconds(pid) - before, time.perf_counter() - began]
    return out


def calls_shown(screen: str) -> int:
    match = re.search(r"calls ([\d,]+)", screen)
    return int(match.group(1).replace(",", "")) if match else 0


def summary(name: str, xs: list[float]) -> str:
    ms = sorted(1000 * x for x in xs)
    return (f"{name}: n={len(ms)} median {statistics.median(ms):.1f} ms, "
            f"p95 {1000 * p95(xs):.1f} ms, max {ms[-1]:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=40)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--size", default="100x30", help="terminal COLUMNSxROWS")
    args = parser.parse_args()
    width, height = (int(x) for x in args.size.split("x"))
    if shutil.which("tmux") is None:
        sys.exit("tmux is needed (apt-get install tmux)")
    workdir = Path(tempfile.mkdtemp(prefix="framing-tui-bench-"))
    command = " ".join(shlex.quote(x) for x in [
        sys.executable, "-m", "framing", "tui",
        "--set", f"target.latency={args.latency}",
        "--set", f"target.concurrency={args.concurrency}",
        "--set", "search.trials=1000",
    ])
    term = Terminal(command, workdir, width, height)
    try:
        term.wait_for("s Start")
        time.sleep(0.5)
        captures = []
        for _ in range(20):
            t = time.perf_counter()
            term.text(escapes=True)
            captures.append(time.perf_counter() - t)
        # a few trials so the table has rows, then pause: the idle figures
        term.send("s")
        term.wait_for("trials 3/")
        term.send("p")
        term.wait_for("paused (s continues)", timeout=120)
        idle_cursor_cpu: list[float] = []
        idle_cursor = cursor_latencies(term, args.presses, idle_cursor_cpu)
        idle_cpu: list[float] = []
        idle_switch = press_latencies(term, args.presses, idle_cpu)
        term.send("F2")
        term.wait_for(RUN_MARK)
        # the search running at full concurrency: the busy figures
        term.send("s")
        _, before = term.wait_for("running trial")
        t0 = time.perf_counter()
        busy_cursor_cpu: list[float] = []
        busy_cursor = cursor_latencies(term, args.presses, busy_cursor_cpu)
        busy_cpu: list[float] = []
        busy_switch = press_latencies(term, args.presses, busy_cpu)
        term.send("F2")
        _, after = term.wait_for(RUN_MARK)
        elapsed = time.perf_counter() - t0
        rate = (calls_shown(after) - calls_shown(before)) / elapsed
        still_running = "running trial" in after
        term.send("C-q")
        time.sleep(1.0)
    finally:
        term.close()
        shutil.rmtree(workdir, ignore_errors=True)

    headless = headless_rate(args.latency, args.concurrency, elapsed)

    print(f"terminal: tmux {width}x{height}, measured from send-keys to the change in "
          f"capture-pane; search: SIMULATED model, latency {args.latency} s per call, "
          f"concurrency {args.concurrency}")
    print(summary("capture-pane alone (included in each figure)", captures))
    print(summary("trial table down/up, search paused   ", idle_cursor))
    print(summary("trial table down/up, search running  ", busy_cursor))
    print(summary("F2/F3 screen switch, search paused   ", idle_switch))
    print(summary("F2/F3 screen switch, search running  ", busy_switch))
    for name, xs, used in (("table down/up, search paused ", idle_cursor, idle_cursor_cpu),
                           ("table down/up, search running", busy_cursor, busy_cursor_cpu),
                           ("F2/F3 switch, search paused  ", idle_switch, idle_cpu),
                           ("F2/F3 switch, search running ", busy_switch, busy_cpu)):
        print(f"app CPU per press, {name}: {1000 * used[0] / len(xs):.1f} ms "
              f"(UI process only, its background work between presses included; "
              f"{len(xs)} presses in {used[1]:.1f} s: {100 * used[0] / used[1]:.0f}% of a core)")
    print(f"search during the busy presses: {rate:,.0f} calls/s in the TUI "
          f"({'still running' if still_running else 'FINISHED EARLY'}); the same search "
          f"headless: {headless:,.0f} calls/s")
    for name, xs, target in (("table cursor, search paused ", idle_cursor, 0.050),
                             ("table cursor, search running", busy_cursor, 0.050),
                             ("screen switch, search paused ", idle_switch, 0.100),
                             ("screen switch, search running", busy_switch, 0.100)):
        print(f"{name}: p95 {1000 * p95(xs):.1f} ms, target <= {1000 * target:.0f} ms: "
              f"{'met' if p95(xs) <= target else 'NOT met'}")
    ratio = rate / headless if headless else float("nan")
    print(f"search calls/s in the TUI / headless = {ratio:.2f}, target >= 0.8: "
          f"{'met' if ratio >= 0.8 else 'NOT met'}")


def headless_rate(latency: float, concurrency: int, seconds: float) -> float:
    """Calls/s of the same simulated search with no UI, from its first trial on, stopped
    after ``seconds`` (the same span as the busy presses)."""
    import threading

    from framing.config import load_study
    from framing.events import Event, TrialFinished, TrialStarted
    from framing.search import run_search

    workdir = Path(tempfile.mkdtemp(prefix="framing-tui-headless-"))
    old = Path.cwd()
    os.chdir(workdir)
    try:
        config = load_study(None, [f"target.latency={latency}",
                                   f"target.concurrency={concurrency}", "search.trials=1000"])
        stop = threading.Event()
        first: list[float] = []
        calls = [0]

        def on_event(event: Event) -> None:
            if isinstance(event, TrialStarted) and not first:
                first.append(time.perf_counter())
            elif isinstance(event, TrialFinished):
                calls[0] += event.calls
                if first and time.perf_counter() - first[0] >= seconds:
                    stop.set()

        run_search(config, on_event, stop=stop)
        return calls[0] / (time.perf_counter() - first[0]) if first else 0.0
    finally:
        os.chdir(old)
        shutil.rmtree(workdir, ignore_errors=True)


def p95(xs: list[float]) -> float:
    ordered = sorted(xs)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


if __name__ == "__main__":
    main()
