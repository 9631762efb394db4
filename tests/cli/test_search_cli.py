"""``framing search`` / ``frontier`` / ``eval`` end to end on the built-in demo (sim)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from framing.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def frontier_json(*extra: str) -> list[dict]:
    code, out, err = run("frontier", "--format", "json", *extra)
    assert code == 0, err
    return json.loads(out)


def test_search_maps_a_frontier_and_stores_it(workspace: Path) -> None:
    code, _, err = run("search", "--trials", "12", "--no-report")
    assert code == 0, err
    assert (workspace / "studies" / "framing.db").is_file()
    assert "simulated" in err
    points = frontier_json()
    assert len(points) >= 3
    for p in points:
        assert set(p) >= {"trial", "template", "params", "over_blocking", "over_blocking_ci",
                          "under_refusal", "under_refusal_ci", "n_borderline", "n_unsafe",
                          "errors"}
        lo, hi = p["over_blocking_ci"]
        assert lo <= p["over_blocking"] <= hi
        assert p["n_borderline"] > 0 and p["n_unsafe"] > 0
    # a frontier trades one objective for the other
    obs = [p["over_blocking"] for p in points]
    urs = [p["under_refusal"] for p in points]
    assert obs == sorted(obs) and urs == sorted(urs, reverse=True)
    assert len(set(obs)) >= 3


def test_same_seed_same_frontier(workspace: Path) -> None:
    assert run("search", "--trials", "10", "--no-report", "--storage", "sqlite:///a.db")[0] == 0
    assert run("search", "--trials", "10", "--no-report", "--storage", "sqlite:///b.db")[0] == 0
    a = frontier_json("--storage", "sqlite:///a.db")
    b = frontier_json("--storage", "sqlite:///b.db")
    strip = [{k: v for k, v in p.items() if k not in ("calls", "cache_hits")} for p in a]
    assert strip == [{k: v for k, v in p.items() if k not in ("calls", "cache_hits")} for p in b]


def test_more_trials_reuse_cached_calls(workspace: Path) -> None:
    assert run("search", "--trials", "6", "--no-report")[0] == 0
    # a second study on the same database asks the same framings again: all cached
    code, _, err = run("search", "--trials", "6", "--no-report", "--set", "name=again")
    assert code == 0, err
    assert "this run: 0 calls" in err
    code, out, _ = run("eval", "prompts/baseline.j2", "--format", "json")
    assert code == 0
    result = json.loads(out)
    assert result["calls"] == 0 and result["cache_hits"] == 240


def test_eval_json_point(workspace: Path) -> None:
    code, out, err = run("eval", "prompts/stance.j2", "-p", "stance=helpful", "-p",
                         "joint_cue=true", "--limit", "20", "--format", "json")
    assert code == 0, err
    point = json.loads(out)
    assert point["template"] == "prompts/stance.j2"
    assert point["params"]["stance"] == "helpful" and point["params"]["joint_cue"] is True
    assert point["n_borderline"] == 20 and point["n_unsafe"] == 20
    assert point["calls"] == 40 and point["cache_hits"] == 0


def test_ctrl_c_exits_130_and_rerun_continues(workspace: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "framing", "search", "--trials", "8", "--no-report",
           "--set", "target.latency=0.02", "--set", "target.concurrency=4"]
    proc = subprocess.Popen(cmd, cwd=workspace, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    # wait until two trials finished (whatever their numbers), then interrupt
    seen = ""
    deadline = time.monotonic() + 120
    while seen.count("under-refusal") < 2 and time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        seen += line
    proc.send_signal(signal.SIGINT)
    _, rest = proc.communicate(timeout=60)
    assert proc.returncode == 130, seen + rest
    assert "interrupted" in rest
    done = frontier_json()
    assert done  # finished trials were kept
    code, _, err = run("search", "--trials", "8", "--no-report")
    assert code == 0, err
    assert "resuming" in err


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_frontier_formats(workspace: Path, fmt: str) -> None:
    assert run("search", "--trials", "5", "--no-report")[0] == 0
    code, out, _ = run("frontier", "--format", fmt)
    assert code == 0
    assert "prompts/" in out


def test_search_on_the_demo_ends_with_the_answer_within_100_columns(workspace: Path) -> None:
    code, out, err = run("search", "--trials", "8", "--no-report", "-q")
    assert code == 0, err
    lines = out.splitlines()
    assert lines and all(len(line) <= 100 for line in lines), max(lines, key=len)
    rec = next(p for p in frontier_json() if p["recommended"])
    baseline = next(i for i, line in enumerate(lines) if line.startswith("baseline "))
    # baseline and recommended on both rates with intervals, then the change and its test
    assert lines[baseline + 1].startswith(f"recommended  trial {rec['trial']} ")
    for line in lines[baseline:baseline + 2]:
        assert "over-blocking" in line and "under-refusal" in line and line.count("[") == 2
    change = " ".join(lines[baseline + 2:baseline + 4])
    assert change.startswith("change ") and "exact McNemar" in change
    # one sign convention everywhere: the lower one is named
    assert "over-blocking: " in change and ("lower by" in change or "no difference" in change)
    # then the frontier points only; the full table stays in framing frontier
    front = [p for p in frontier_json() if p["on_frontier"]]
    table = [line for line in lines[baseline:] if line.startswith("│")]
    trials = [int(line.split("│")[2]) for line in table if line.split("│")[2].strip()]
    assert trials == [p["trial"] for p in front]


def test_a_default_search_screens_and_claims_only_full_trials(workspace: Path) -> None:
    import optuna

    code, _, err = run("search", "--trials", "20", "--no-report")
    assert code == 0, err
    study = optuna.load_study(study_name="demo",
                              storage=f"sqlite:///{workspace / 'studies' / 'framing.db'}")
    trials = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    screened = [t for t in trials if t.user_attrs.get("stop_rule") == "screening"]
    assert screened, "screening (on by default) dropped no trial"

    def asked(t: optuna.trial.FrozenTrial) -> int:
        return int(t.user_attrs["calls"] + t.user_attrs["cache_hits"])

    assert all(asked(t) < t.user_attrs["samples_planned"] for t in screened)
    front = frontier_json()
    assert {p["trial"] for p in front}.isdisjoint(t.number for t in screened)
    # every claimed point rests on the same items: the full sample
    by_number = {t.number: t for t in trials}
    assert {asked(by_number[p["trial"]]) for p in front} == {240}
