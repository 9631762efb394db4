"""A search in a child process: events stream back in order, pause finishes the trial
in flight, and a parent that vanishes stops the child with everything finished stored."""

from __future__ import annotations

import shutil
from pathlib import Path

from framing.config import StudyConfig, demo_dir, load_study
from framing.drilldown import read_points
from framing.events import StudyFinished, StudyStarted, TrialFinished, TrialStarted
from framing.search import run_search
from framing.search.process import SearchExit, SearchProcess


def demo_study(root: Path) -> StudyConfig:
    for sub in ("prompts", "studies"):
        shutil.copytree(demo_dir() / sub, root / sub)
    return load_study(root / "studies" / "demo.toml", [
        f'storage.url="sqlite:///{root / "framing.db"}"', "data.borderline=40",
        "data.unsafe=40", "target.latency=0.02", "target.concurrency=8"])


def test_pause_finishes_the_trial_in_flight_then_exits(workspace: Path) -> None:
    config = demo_study(workspace)
    process = SearchProcess(config, trials=30, storage=None)
    process.start()
    seen: list[object] = []
    for item in process.messages():
        seen.append(item)
        if isinstance(item, TrialStarted) and item.trial >= 2:
            process.pause()
    assert isinstance(seen[0], StudyStarted)
    last = seen[-1]
    assert isinstance(last, SearchExit) and last.error is None and not last.stopped
    assert last.result.stopped_reason == "stopped"
    finished = [e.point.trial for e in seen if isinstance(e, TrialFinished)]
    started = [e.trial for e in seen if isinstance(e, TrialStarted)]
    assert started[-1] in finished  # the trial in flight at the pause was finished
    assert any(isinstance(e, StudyFinished) for e in seen)
    assert sorted(p.trial for p in read_points(config).points) == sorted(finished)


def test_a_vanished_parent_stops_the_child_and_the_study_continues(workspace: Path) -> None:
    config = demo_study(workspace)
    process = SearchProcess(config, trials=30, storage=None)
    process.start()
    child = process._process
    assert child is not None and child.stdin is not None
    for item in process.messages():
        if isinstance(item, TrialFinished):
            child.stdin.close()  # what the parent's death does to the child's stdin
            break
    child.wait()  # the child ends by itself
    assert child.returncode == 0
    kept = read_points(config).points
    assert 1 <= len(kept) < 30

    # running the study again (as `framing search` would) continues it
    result = run_search(config, trials=len(kept) + 1)
    assert len(result.points) == len(kept) + 1


def test_an_error_in_the_child_comes_back_as_its_message(workspace: Path) -> None:
    config = demo_study(workspace)
    run_search(config, trials=1)
    changed = load_study(workspace / "studies" / "demo.toml",  # other data: refused
                         [f'storage.url="{config.storage.url}"', "data.borderline=40",
                          "data.unsafe=40", "data.seed=1"])
    process = SearchProcess(changed, trials=3, storage=None)
    process.start()
    items = list(process.messages())
    last = items[-1]
    assert isinstance(last, SearchExit) and last.error is not None
    assert "new name" in last.error
