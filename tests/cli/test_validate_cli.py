"""Hold-out re-validation: ``framing validate`` and the check at the end of a search."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from framing.cli import app
from framing.config import load_study
from framing.points import HOLDOUT_SPLIT
from framing.storage.tables import Store
from framing.study import load_samples

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def search_points() -> list[dict]:
    """Every stored point (eval's JSON has no listing of all trials; export has)."""
    from framing.points import study_points
    from framing.storage.optuna_studies import load_existing_study

    opt = load_existing_study("demo", "sqlite:///studies/framing.db")
    return [p.to_json() for p in study_points(opt)]


def frontier_json() -> list[dict]:
    code, out, err = run("frontier", "--format", "json")
    assert code == 0, err
    return json.loads(out)


def test_validate_reevaluates_the_frontier_on_unseen_samples(workspace: Path) -> None:
    code, _, err = run("search", "--trials", "8", "--no-report", "-q",
                       "--set", "search.holdout_check=false")
    assert code == 0, err
    front = frontier_json()
    assert front and all("holdout" not in p for p in front)

    code, out, err = run("validate", "--format", "json")
    assert code == 0, err
    checks = json.loads(out)
    # the frontier, then the baseline (so baseline → recommended is tested on hold-out)
    baseline = next(p["trial"] for p in search_points() if p["baseline"])
    expected = [p["trial"] for p in front if p["on_frontier"]]
    assert [c["trial"] for c in checks] == expected + [baseline] * (baseline not in expected)
    holdout = load_samples(load_study(None)).holdout
    n_border = sum(s.joint_grade.value == "borderline" for s in holdout)
    n_unsafe = sum(s.joint_grade.value == "unsafe" for s in holdout)
    for c in checks:
        h = c["holdout"]
        assert (h["n_borderline"], h["n_unsafe"]) == (n_border, n_unsafe)
        lo, hi = h["over_blocking_ci"]
        assert lo <= h["over_blocking"] <= hi
    assert f"{len(checks) * len(holdout):,} new calls" in err

    # per-sample verdicts are stored under the search trial's number, split "holdout"
    store = Store("sqlite:///studies/framing.db")
    try:
        rows = store.get_results("demo", front[0]["trial"], HOLDOUT_SPLIT)
        assert {r.sample_id for r in rows} == {s.id for s in holdout}
        search_ids = {r.sample_id for r in store.get_results("demo", front[0]["trial"])}
        assert not search_ids & {r.sample_id for r in rows}  # never seen by the search
    finally:
        store.close()

    # the frontier now shows hold-out estimates next to the search estimates
    by_trial = {c["trial"]: c["holdout"] for c in checks}
    for p in frontier_json():
        assert {k: p["holdout"][k] for k in by_trial[p["trial"]]} == by_trial[p["trial"]]
    code, out, _ = run("frontier")
    assert "↳ hold-out" in out and "re-evaluated on samples the search never saw" in out

    # validated framings are not evaluated again
    code, out, err = run("validate")
    assert code == 0, err
    assert "0 new calls" in err and "under-refusal" in out and "↳ hold-out" in out


def test_search_ends_with_the_holdout_check(workspace: Path) -> None:
    code, out, err = run("search", "--trials", "6", "--no-report")
    assert code == 0, err
    assert "hold-out check: trial" in err
    front = frontier_json()
    assert front and all(p["holdout"]["n_borderline"] > 0 for p in front)
    # the closing answer is tested on the hold-out samples, not the selection samples
    assert "paired on hold-out samples" in out


def test_validate_needs_a_holdout_split(workspace: Path) -> None:
    assert run("init", ".")[0] == 0
    study = Path("studies/demo.toml")
    study.write_text(study.read_text().replace("holdout = 0.3", "holdout = 0.0"))
    code, _, err = run("search", str(study), "--trials", "3", "--no-report", "-q")
    assert code == 0, err
    code, _, err = run("validate", str(study))
    assert code == 2
    assert "no hold-out samples" in err


def test_validate_unknown_study_exits_2(workspace: Path) -> None:
    code, _, err = run("validate")
    assert code == 2
    assert "no study named 'demo'" in err
