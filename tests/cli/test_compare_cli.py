"""``framing compare`` and what ``framing frontier`` adds: paired tests, the probably
non-dominated set, ties, the constraint pick, stored hypervolume and constraints."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import optuna
import pytest
from typer.testing import CliRunner

from framing.cli import app
from framing.stats import Rate
from framing.storage.tables import Store

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def searched_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo search with a constraint, shared by the tests that only read it."""
    folder = tmp_path_factory.mktemp("searched")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        code, _, err = run("search", "--trials", "10", "--no-report", "-q",
                           "--set", "search.max_under_refusal=0.1")
    assert code == 0, err
    return folder


@pytest.fixture
def searched(searched_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(searched_dir)
    return searched_dir


def frontier_json(*extra: str) -> list[dict]:
    code, out, err = run("frontier", "--format", "json", *extra)
    assert code == 0, err
    return json.loads(out)


def test_compare_json_is_paired_on_the_shared_samples(searched: Path) -> None:
    front = frontier_json()
    a, b = front[0]["trial"], front[-1]["trial"]
    code, out, err = run("compare", str(a), str(b), "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["trial_a"], data["trial_b"]) == (a, b)
    ob, ur = data["objectives"]["over_blocking"], data["objectives"]["under_refusal"]
    assert ob["n"] == 120 and ur["n"] == 120
    assert ob["rate_a"] == front[0]["over_blocking"]
    assert ob["rate_b"] == front[-1]["over_blocking"]
    assert ob["rate_a_ci"] == front[0]["over_blocking_ci"]
    # the two ends of a frontier differ a lot in over-blocking
    assert ob["better"] == "a" and ob["p_value"] < 0.001
    # every discordant pair is listed, with the request text and both verdicts
    by_objective = {"over_blocking": 0, "under_refusal": 0}
    for d in data["disagreements"]:
        by_objective[d["objective"]] += 1
        assert d["text"] and d["verdict_a"] != d["verdict_b"]
        assert d["sample_id"].startswith("demo-")
    assert by_objective["over_blocking"] == ob["only_a"] + ob["only_b"]
    assert by_objective["under_refusal"] == ur["only_a"] + ur["only_b"]
    assert ob["difference"] == pytest.approx((ob["only_a"] - ob["only_b"]) / 120)


def test_compare_table_and_demo_placeholder(searched: Path) -> None:
    front = frontier_json()
    a, b = str(front[0]["trial"]), str(front[1]["trial"])
    code, out, err = run("compare", a, b)
    assert code == 0, err
    assert "over-blocking" in out and "under-refusal" in out and "McNemar" in out
    assert "disagreements" in out or "no disagreements" in out
    assert run("compare", "-", a, b, "--format", "json")[1] == \
        run("compare", a, b, "--format", "json")[1]


def test_compare_names_the_lower_one_and_limits_each_kind(searched: Path) -> None:
    front = frontier_json()
    a, b = str(front[0]["trial"]), str(front[-1]["trial"])
    code, out, err = run("compare", a, b, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    for name, cmp in data["objectives"].items():
        diff = cmp["difference"]
        lower = "A" if diff < 0 else "B"
        assert cmp["summary"].startswith(f"{lower} lower by {100 * abs(diff):.1f} points (p")
        assert data["disagreement_counts"][name] == cmp["only_a"] + cmp["only_b"]
    counts = data["disagreement_counts"]
    code, table, err = run("compare", a, b, "--limit", "1")
    assert code == 0, err
    lines = table.splitlines()
    # the same sentences lead the table, missed harm first
    assert lines[2] == f"under-refusal: {data['objectives']['under_refusal']['summary']}"
    assert lines[3] == f"over-blocking: {data['objectives']['over_blocking']['summary']}"
    unsafe = next(i for i, line in enumerate(lines) if line.startswith("missed harm"))
    borderline = next(i for i, line in enumerate(lines) if line.startswith("over-blocking on"))
    assert unsafe < borderline
    for line, (kind, n) in ((lines[unsafe], ("unsafe", counts["under_refusal"])),
                            (lines[borderline], ("borderline", counts["over_blocking"]))):
        assert f"{n} disagreement" in line
        if n > 1:
            assert f"(1 shown; {n - 1} more on {kind}: --limit {n})" in line


def test_compare_with_a_study_file(workspace: Path) -> None:
    assert run("init", ".")[0] == 0
    code, _, err = run("search", "studies/demo.toml", "--trials", "4", "--no-report", "-q")
    assert code == 0, err
    code, out, err = run("compare", "studies/demo.toml", "0", "1", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["objectives"]["over_blocking"]["n"] == 120


def test_compare_on_holdout_needs_both_trials_validated(searched: Path) -> None:
    store = Store("sqlite:///studies/framing.db")
    try:
        held = {r.trial for r in store.get_results("demo", None, "holdout")}
        unvalidated = next(r.trial for r in store.get_results("demo") if r.trial not in held)
    finally:
        store.close()
    code, _, err = run("compare", "0", str(unvalidated), "--split", "holdout")
    assert code == 2 and "run framing validate first" in err


@pytest.mark.parametrize(("args", "message"), [
    (["1"], "expected [STUDY] TRIAL_A TRIAL_B"),
    (["a", "b", "c", "d"], "expected [STUDY] TRIAL_A TRIAL_B"),
    (["0", "x"], "'x' is not a trial number"),
    (["0", "999"], "no finished trial 999"),
    (["0", "1", "--split", "train"], "--split"),
    (["0", "1", "--format", "csv"], "--format"),
])
def test_compare_bad_input_exits_2(searched: Path, args: list[str], message: str) -> None:
    code, _, err = run("compare", *args)
    assert code == 2
    assert message in err


def test_compare_unknown_study_exits_2(workspace: Path) -> None:
    code, _, err = run("compare", "0", "1")
    assert code == 2
    assert "no study named 'demo'" in err


# ------------------------------------------------------------------- frontier


def test_frontier_json_marks_the_believable_frontier(searched: Path) -> None:
    front = frontier_json()
    probable = frontier_json("--probable")
    assert {p["trial"] for p in front} <= {p["trial"] for p in probable}
    for p in front:
        assert set(p) >= {"trial", "template", "params", "over_blocking", "over_blocking_ci",
                          "under_refusal", "under_refusal_ci", "n_borderline", "n_unsafe",
                          "errors"}
        assert p["probably_nondominated"] is True and p["on_frontier"] is True
        assert all(isinstance(t, int) for t in p["tied_with"])
        assert 0 < p["hypervolume"] <= 1
        assert p["samples_planned"] == 240 and p["stopped_early"] is False
    for p in probable:
        assert p["probably_nondominated"] is True
        for other in p["tied_with"]:
            assert p["trial"] in next(q for q in probable if q["trial"] == other)["tied_with"]
    assert any(not p["on_frontier"] for p in probable) or len(probable) == len(front)


def test_frontier_names_the_constraint_pick(searched: Path) -> None:
    plain = frontier_json()
    assert all("constraint_pick" not in p for p in plain)  # no constraint in the demo file
    probable = frontier_json("--probable", "--set", "search.max_under_refusal=0.1")
    picks = [p for p in probable if p["constraint_pick"]]
    feasible = [p for p in probable if p["under_refusal_ci"][1] <= 0.1]
    assert len(picks) == (1 if feasible else 0)
    if picks:
        pick = picks[0]
        assert pick["over_blocking"] == min(p["over_blocking"] for p in feasible)
        assert pick["constraints"]["under_refusal"] == pytest.approx(
            pick["under_refusal_ci"][1] - 0.1)
        code, out, _ = run("frontier", "--set", "search.max_under_refusal=0.1")
        assert code == 0 and "← pick" in out and "pick for under-refusal ≤ 10%" in out


def test_constraints_are_told_to_optuna(searched: Path) -> None:
    storage = optuna.storages.RDBStorage("sqlite:///studies/framing.db")
    study = optuna.load_study(study_name="demo", storage=storage)
    done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert done
    for t in done:
        tally = t.user_attrs["tally"]
        upper = Rate(tally["unsafe_answered"], tally["unsafe_n"]).ci[1]
        assert t.constraints == {"under_refusal": pytest.approx(upper - 0.1)}
        assert t.user_attrs["constraints"]["under_refusal"] == pytest.approx(upper - 0.1)


def test_frontier_csv_has_the_assessment_columns(searched: Path) -> None:
    code, out, err = run("frontier", "--format", "csv")
    assert code == 0, err
    table = list(csv.DictReader(io.StringIO(out)))
    assert table
    for row in table:
        assert row["on_frontier"] == "true" and row["probably_nondominated"] == "true"
        assert float(row["ob_lo"]) <= float(row["over_blocking"]) <= float(row["ob_hi"])
        # the search checked the frontier on the hold-out split: rates with intervals
        assert float(row["holdout_ob_lo"]) <= float(row["holdout_over_blocking"]) \
            <= float(row["holdout_ob_hi"])
        assert int(row["holdout_n_borderline"]) > 0


def test_frontier_table_legend(searched: Path) -> None:
    code, out, err = run("frontier")
    assert code == 0, err
    assert "● point-estimate frontier" in out and "○ probably non-dominated" in out
    assert "hold-out" in out and "tied with" in out


def test_each_trial_stores_the_hypervolume_after_it(searched: Path) -> None:
    from framing.points import frontier_hypervolume, study_points

    storage = optuna.storages.RDBStorage("sqlite:///studies/framing.db")
    study = optuna.load_study(study_name="demo", storage=storage)
    points = study_points(study)
    assert points
    for p in points:
        upto = [q for q in points if q.trial <= p.trial]
        assert p.extra["hypervolume"] == pytest.approx(frontier_hypervolume(upto))
    # it never decreases as trials are added
    volumes = [p.extra["hypervolume"] for p in points]
    assert volumes == sorted(volumes)
