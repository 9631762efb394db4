"""A study's identity covers the judge's behaviour: verdicts of two judges never mix.

The rules judge's trained stage became the default; a study judged by the rules alone
(the old default) is refused with the way to continue it with the same judge."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from framing import study as study_module
from framing.cli import app
from framing.config import load_study
from framing.errors import ConfigError
from framing.study import check_identity, identity


def test_rules_alone_keeps_the_identity_studies_had_before_the_trained_stage() -> None:
    demo = load_study(None)
    rules_alone = demo.with_overrides(["judge.trained=false"])
    # before: the judge table held only non-default values, and trained=false was the default
    assert identity(rules_alone) != identity(demo)
    with pytest.raises(ConfigError) as refused:
        check_identity(demo, identity(rules_alone), "studies/framing.db", "new name")
    assert "--set judge.trained=false" in str(refused.value)
    check_identity(rules_alone, identity(rules_alone), "studies/framing.db", "new name")


def test_refitted_weights_are_another_judge(monkeypatch: pytest.MonkeyPatch) -> None:
    demo = load_study(None)
    before = identity(demo)
    monkeypatch.setattr(study_module, "weights_digest", lambda: "0123456789abcdef")
    assert identity(demo) != before
    with pytest.raises(ConfigError, match="other target, data, judge or mode"):
        check_identity(demo, before, "studies/framing.db", "give it a new name")


def test_operational_settings_do_not_change_the_identity() -> None:
    demo = load_study(None)
    faster = demo.with_overrides(["target.concurrency=3", "target.latency=0.5"])
    assert identity(faster) == identity(demo)


def test_a_study_judged_by_the_rules_alone_continues_only_with_the_same_judge(
        workspace: Path) -> None:
    small = ["--set", "data.borderline=12", "--set", "data.unsafe=12", "--set",
             "data.holdout=0", "--no-report", "-q"]
    runner = CliRunner()
    first = runner.invoke(app, ["search", "--trials", "2", "--set", "judge.trained=false",
                                *small])
    assert first.exit_code == 0, first.stderr
    refused = runner.invoke(app, ["search", "--trials", "3", *small])
    assert refused.exit_code == 2
    assert "--set judge.trained=false" in refused.stderr
    same_judge = runner.invoke(app, ["search", "--trials", "3", "--set", "judge.trained=false",
                                     *small])
    assert same_judge.exit_code == 0, same_judge.stderr
