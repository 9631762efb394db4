"""One recommended framing: ``framing search``, ``framing frontier --format json``, the
report and the TUI Frontier screen name the same trial (framing.assessment's rule), with and
without constraints, with and without a hold-out check."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest
from textual.widgets import DataTable
from tui_helpers import make_workspace, wait_for
from typer.testing import CliRunner

from framing.answer import WIDTH
from framing.cli import app as cli
from framing.config import StudyConfig
from framing.report import build_report
from framing.tui import make_app

runner = CliRunner()

STUDIES = {
    "plain, no hold-out": ["data.holdout=0.0"],
    "plain, hold-out": ["data.holdout=0.3", "search.holdout_check=true"],
    "constraint, no hold-out": ["data.holdout=0.0", "search.max_under_refusal=0.15"],
    "constraint, hold-out": ["data.holdout=0.3", "search.holdout_check=true",
                             "search.max_under_refusal=0.15"],
    "unmeetable constraint": ["data.holdout=0.0", "search.max_over_blocking=0.001"],
}


async def tui_recommended(config: StudyConfig) -> int | None:
    """The trial the TUI Frontier screen marks as recommended."""
    tui = make_app(config, initial="frontier")
    async with tui.run_test(size=(120, 40)) as pilot:
        screen = tui.frontier_screen
        await wait_for(lambda: screen.recommended is not None, pilot)
        table = screen.query_one("#point-table", DataTable)
        marked = [int(str(row.value)) for row in table.rows
                  if "★" in str(table.get_cell(row, "trial"))]
        assert marked == [screen.recommended]
        return screen.recommended


@pytest.mark.parametrize("overrides", list(STUDIES.values()), ids=list(STUDIES))
def test_every_front_end_recommends_the_same_trial(workspace: Path,
                                                   overrides: list[str]) -> None:
    config = make_workspace(workspace, "search.trials=6", "data.borderline=60",
                            "data.unsafe=60", *overrides)
    study = str(workspace / "studies" / "demo.toml")
    sets = [arg for o in ["search.trials=6", "data.borderline=60", "data.unsafe=60",
                          f'storage.url="{config.storage.url}"', *overrides]
            for arg in ("--set", o)]

    searched = runner.invoke(cli, ["search", study, "--no-report", "-q", *sets])
    assert searched.exit_code == 0, searched.stderr
    lines = searched.stdout.splitlines()
    assert all(len(line) <= WIDTH for line in lines), max(lines, key=len)
    said = re.search(r"^recommended: trial (\d+) ", searched.stdout, re.MULTILINE)
    assert said is not None, searched.stdout
    recommended = int(said.group(1))

    shown = runner.invoke(cli, ["frontier", study, "--format", "json", *sets])
    assert shown.exit_code == 0, shown.stderr
    points = json.loads(shown.stdout)
    marked = [p["trial"] for p in points if p["recommended"] is True]
    assert marked == [recommended]

    html = build_report(config, output=workspace / "report.html").read_text()
    assert re.findall(r'data-recommended-trial="(\d+)"', html) == [str(recommended)]

    assert asyncio.run(tui_recommended(config)) == recommended

    holdout = "search.holdout_check=true" in overrides
    where = "paired on hold-out samples" if holdout else "selected on (no hold-out yet)"
    if "(the baseline itself" not in searched.stdout and "no baseline" not in searched.stdout:
        assert where in " ".join(lines)
