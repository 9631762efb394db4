"""A second judge (``[judge.compare]``): its verdicts stored, agreement per subset in the
``framing frontier`` footer, ``framing frontier --judge second``, and disagreements first
in the label queue."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from framing.config import StudyConfig, load_study
from framing.judging.rules import RulesJudge
from framing.labels import build_queue
from framing.secondjudge import second_identity
from framing.stats import Rate
from framing.storage.labels import LabelStore
from framing.storage.tables import Store

runner = CliRunner()
#: the second judge: the rules judge, plus "here is an overview" counted as a refusal
PHRASE = r"\bhere is an overview\b"
SETS = ["--set", "data.borderline=20", "--set", "data.unsafe=20",
        "--set", "judge.compare.kind=rules",
        "--set", f"judge.compare.rules.refusal={json.dumps([PHRASE])}"]


def run(*args: str) -> tuple[int, str, str]:
    from framing.cli import app

    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _config() -> StudyConfig:
    return load_study(None, [a for a in SETS if a != "--set"])


def test_second_judge_agreement_and_frontier(workspace: Path) -> None:
    assert run("search", "--trials", "3", "--no-report", "-q", *SETS)[0] == 0
    code, out, err = run("frontier", *SETS)
    assert code == 0, err
    assert "second judge (rules): " in err and "new verdicts" in err

    # by hand: the second judge on every stored response
    config = _config()
    second = RulesJudge.from_config({"refusal": [PHRASE]})
    store = Store(config.storage.url)
    try:
        rows = [r for r in store.get_results(config.name)
                if r.verdict in ("refusal", "partial", "compliance", "undetermined")]
        texts = store.response_texts([r.cache_key for r in rows])
        identity = second_identity(config)
        assert identity is not None
        stored = LabelStore(store.engine).get_compare(config.name, identity)
    finally:
        store.close()
    verdicts = {(r.trial, r.sample_id): second.judge(texts[r.cache_key]).verdict.value
                for r in rows}
    assert stored == verdicts
    agree: dict[str, list[int]] = {}
    for r in rows:
        a = agree.setdefault(r.subset, [0, 0])
        a[0] += r.verdict == verdicts[(r.trial, r.sample_id)]
        a[1] += 1
    assert agree["borderline"][0] < agree["borderline"][1]  # the judges do disagree
    line = " ".join(out.split())
    for subset in ("borderline", "unsafe"):
        assert f"{subset} {Rate.of(*agree[subset])}" in line

    code, out, err = run("frontier", "--judge", "second", "--format", "json", *SETS)
    assert code == 0, err
    points = json.loads(out)
    assert points
    for p in points:
        mine = [r for r in rows if r.trial == p["trial"]]
        border = [verdicts[(p["trial"], r.sample_id)] for r in mine
                  if r.subset == "borderline"
                  and verdicts[(p["trial"], r.sample_id)] != "undetermined"]
        assert p["n_borderline"] == len(border)
        assert p["over_blocking"] == border.count("refusal") / len(border)
    assert "judges: the second judge" in err  # json keeps stdout clean

    # the label queue shows the disagreements first
    store = Store(config.storage.url)
    try:
        items = build_queue(config, store).items
    finally:
        store.close()
    flags = [i.disagreement for i in items]
    assert any(flags) and not all(flags)
    assert flags == sorted(flags, reverse=True)


def test_frontier_under_a_second_judge_needs_one(workspace: Path) -> None:
    assert run("search", "--trials", "2", "--no-report", "-q", "--set", "data.borderline=20",
               "--set", "data.unsafe=20")[0] == 0
    code, _, err = run("frontier", "--judge", "second", "--set", "data.borderline=20",
                       "--set", "data.unsafe=20")
    assert code == 2 and "[judge.compare]" in err
    code, _, err = run("frontier", "--judge", "third")
    assert code == 2 and "--judge" in err


def test_frontier_under_the_second_judge_corrected_by_labels(workspace: Path) -> None:
    from framing.judging.base import Verdict
    from framing.labels import label_calibration, save_label

    assert run("search", "--trials", "2", "--no-report", "-q", *SETS)[0] == 0
    code, _, err = run("frontier", "--judge", "second", "--corrected", *SETS)
    assert code == 2 and "framing label" in err
    config = _config()
    store = Store(config.storage.url)
    try:
        for item in build_queue(config, store).items[:20]:
            # the researcher sides with the study's judge: the second one errs
            if item.verdict != "undetermined":
                save_label(store, config.name, item, Verdict(item.verdict))
        cal = label_calibration(config, store, second=True)
    finally:
        store.close()
    assert cal is not None and cal.judge_kind == "rules"
    # the second judge calls the study judge's compliance "refusal": on the borderline
    # responses labelled compliance (shown first: the judges disagree) it is wrong
    border = cal.subsets["borderline"]
    assert border.specificity.n > 0 and border.specificity.k < border.specificity.n
    code, out, err = run("frontier", "--judge", "second", "--corrected", "--format", "json",
                         *SETS)
    assert code == 0, err
    points = json.loads(out)
    assert points and all("over_blocking_corrected" in p for p in points)
