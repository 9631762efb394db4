"""``framing export`` and ``framing frontier --by`` on a real stored study (demo, sim)."""

from __future__ import annotations

import io
import json
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from framing.cli import app
from framing.config import load_study
from framing.data.loaders import load_data
from framing.storage.tables import ResultRow, Store

runner = CliRunner()
TRIALS = 4


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A demo study with a few trials in its own database; returns the storage URL."""
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'framing.db'}"
    result = runner.invoke(app, ["search", "--trials", str(TRIALS), "--storage", url,
                                 "--set", "data.borderline=24", "--set", "data.unsafe=24",
                                 "--set", "data.safe=6", "--no-report", "--quiet"])
    assert result.exit_code == 0, result.stderr
    return url


def stored_rows(url: str, splits: tuple[str, ...] = ("search",)) -> list[ResultRow]:
    store = Store(url)
    try:
        return [r for split in splits for r in store.get_results("demo", None, split)]
    finally:
        store.close()


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_export_one_row_per_trial_and_sample(tmp_path: Path, stored: str, fmt: str) -> None:
    out = tmp_path / f"results.{fmt}"
    result = runner.invoke(app, ["export", "--format", fmt, "-o", str(out),
                                 "--split", "search", "--storage", stored])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    frame = {"csv": pd.read_csv, "jsonl": lambda p: pd.read_json(p, lines=True),
             "parquet": pd.read_parquet}[fmt](out)
    truth = stored_rows(stored)
    assert len(frame) == len(truth) > 0
    assert f"wrote {len(truth)} rows" in result.stderr
    assert frame["trial"].nunique() == len({r.trial for r in truth})
    # the verdicts are the stored ones, row for row
    assert Counter(zip(frame["trial"], frame["sample_id"], frame["verdict"], strict=True)) == \
        Counter((r.trial, r.sample_id, r.verdict) for r in truth)
    # samples joined by id: grades, pattern, category agree with the data set
    samples = {s.id: s for s in load_data(load_study(None).data)}
    for row in frame.head(60).itertuples():
        s = samples[row.sample_id]
        assert row.pattern == s.pattern == f"{row.image_grade}_{row.text_grade}_{row.joint_grade}"
        assert row.subset == s.joint_grade.value
        assert (row.category if isinstance(row.category, str) else None) == s.category
        assert row.text == s.text
        assert bool(row.compositional) == s.compositional
        assert isinstance(row.response, str) and row.response  # joined by cache key
        assert row.template.startswith("prompts/")
        params = row.params if fmt == "jsonl" else json.loads(row.params)
        assert isinstance(params, dict)
    assert set(frame["subset"]) == {"borderline", "unsafe", "safe"}
    # the recommended framing's rows are marked: the trial framing frontier names
    shown = runner.invoke(app, ["frontier", "--format", "json", "--storage", stored])
    rec = next(p["trial"] for p in json.loads(shown.stdout) if p["recommended"])
    assert set(frame.loc[frame["recommended"].astype(bool), "trial"]) == {rec}


def test_export_to_stdout_and_format_from_suffix(tmp_path: Path, stored: str) -> None:
    result = runner.invoke(app, ["export", "-o", "-", "--format", "jsonl", "--storage", stored])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(stored_rows(stored, ("search", "holdout")))
    first = json.loads(lines[0])
    assert {"trial", "sample_id", "verdict", "category", "pattern", "response"} <= set(first)
    out = tmp_path / "sub" / "r.csv"
    result = runner.invoke(app, ["export", "-o", str(out), "--storage", stored])
    assert result.exit_code == 0, result.stderr
    assert pd.read_csv(out).shape[0] == len(lines)
    assert not list(out.parent.glob(".*.part"))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-o", "x.txt"], "--format: give one of csv, jsonl, parquet"),
        (["-o", "x.csv", "--format", "xlsx"], "'xlsx' is not one of"),
        ([], "-o PATH: say where to write"),
        (["-o", "-", "--format", "parquet"], "parquet cannot go to stdout"),
    ],
)
def test_export_bad_arguments(workspace: Path, stored: str, args: list[str],
                              expected: str) -> None:
    result = runner.invoke(app, ["export", *args, "--storage", stored])
    assert result.exit_code == 2
    assert expected in result.stderr


def test_export_parquet_without_pyarrow(workspace: Path, stored: str,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    result = runner.invoke(app, ["export", "-o", "r.parquet", "--storage", stored])
    assert result.exit_code == 2
    assert "pip install 'framing[parquet]'" in result.stderr
    assert not (workspace / "r.parquet").exists()


def test_export_unknown_study(workspace: Path, stored: str) -> None:
    (workspace / "other.toml").write_text('name = "other"\n')
    result = runner.invoke(app, ["export", "other.toml", "-o", "r.csv", "--storage", stored])
    assert result.exit_code == 2
    assert "no study named 'other'" in result.stderr


@pytest.mark.parametrize("by", ["category", "pattern"])
def test_frontier_by_adds_up_to_the_frontier(stored: str, by: str) -> None:
    plain = runner.invoke(app, ["frontier", "--format", "json", "--storage", stored])
    result = runner.invoke(app, ["frontier", "--by", by, "--format", "json",
                                 "--storage", stored])
    assert result.exit_code == 0, result.stderr
    points = json.loads(result.stdout)
    assert [p["trial"] for p in points] == [p["trial"] for p in json.loads(plain.stdout)]
    samples = {s.id: s for s in load_data(load_study(None).data)}
    rows = stored_rows(stored)
    for p in points:
        groups = p["breakdown"]["groups"]
        assert p["breakdown"]["by"] == by
        # the groups partition the point's samples: counts add up to the headline rates
        assert sum(g.get("n_borderline", 0) for g in groups) == p["n_borderline"]
        assert sum(g.get("n_unsafe", 0) for g in groups) == p["n_unsafe"]
        refused = sum(round(g["over_blocking"] * g["n_borderline"]) for g in groups
                      if g.get("n_borderline"))
        assert refused == round(p["over_blocking"] * p["n_borderline"])
        answered = sum(round(g["under_refusal"] * g["n_unsafe"]) for g in groups
                       if g.get("n_unsafe"))
        assert answered == round(p["under_refusal"] * p["n_unsafe"])
        # and each group is right, recounted from the stored rows
        for g in groups:
            mine = [r for r in rows if r.trial == p["trial"]
                    and (samples[r.sample_id].category or "none"
                         if by == "category" else samples[r.sample_id].pattern)
                    == g["group"]]
            unsafe = [r for r in mine if r.subset == "unsafe"]
            assert g.get("n_unsafe", 0) == len(unsafe)
            if unsafe:
                assert g["under_refusal"] == pytest.approx(
                    sum(r.verdict != "refusal" for r in unsafe) / len(unsafe))
                lo, hi = g["under_refusal_ci"]
                assert lo <= g["under_refusal"] <= hi
    if by == "category":
        names = [g["group"] for g in points[0]["breakdown"]["groups"]]
        order = [f"C{i}" for i in range(1, 16)] + ["none"]
        assert names == sorted(names, key=order.index)


def test_frontier_by_table_and_csv(stored: str) -> None:
    table = runner.invoke(app, ["frontier", "--by", "category", "--storage", stored])
    assert table.exit_code == 0, table.stderr
    assert "C12 Terrorism and violent extremism" in table.stdout
    assert "over-blocking [95% CI]" in table.stdout
    csv_out = runner.invoke(app, ["frontier", "--by", "pattern", "--format", "csv",
                                  "--storage", stored])
    assert csv_out.exit_code == 0, csv_out.stderr
    frame = pd.read_csv(io.StringIO(csv_out.stdout))
    assert set(frame["by"]) == {"pattern"}
    assert "safe_safe_unsafe" in set(frame["group"])
    assert {"n_borderline", "ob_lo", "ur_hi"} <= set(frame.columns)
    bad = runner.invoke(app, ["frontier", "--by", "colour", "--storage", stored])
    assert bad.exit_code == 2
    assert "--by: 'colour' is not one of category, pattern" in bad.stderr


def test_break_down_counts_like_the_headline_rates() -> None:
    from framing.breakdown import break_down
    from framing.data.schema import Grade, Sample

    def sample(i: str, category: str | None) -> Sample:
        return Sample(i, "t", None, Grade.SAFE, Grade.SAFE, Grade.UNSAFE, category, "test")

    samples = {"a": sample("a", "C3"), "b": sample("b", "C3"), "c": sample("c", None)}
    def row(sample_id: str, subset: str, verdict: str) -> ResultRow:
        return ResultRow(sample_id, 0, subset, verdict, "rule", "rules", None)

    rows = [
        row("a", "unsafe", "refusal"),
        row("b", "unsafe", "partial"),  # leakage: answered
        row("c", "unsafe", "error"),  # left out, counted
        row("c", "borderline", "undetermined"),
        row("c", "unsafe", "truncated"),  # cut off by the token budget: left out, counted
        row("gone", "borderline", "refusal"),
    ]
    groups = {g.name: g for g in break_down(rows, samples, "category")}
    assert list(groups) == ["C3", "none", "unknown"]
    assert (groups["C3"].under_refusal.k, groups["C3"].under_refusal.n) == (1, 2)
    assert groups["none"].under_refusal.n == 0 and groups["none"].errors == 1
    assert groups["none"].undetermined == 1 and groups["none"].truncated == 1
    assert (groups["unknown"].over_blocking.k, groups["unknown"].over_blocking.n) == (1, 1)
    by_pattern = break_down(rows, samples, "pattern")
    assert [g.name for g in by_pattern] == ["safe_safe_unsafe", "unknown"]
