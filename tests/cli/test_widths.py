"""Every command's table output fits a 100-column terminal (DESIGN §10).

Each command runs as a user runs it, in a subprocess with ``COLUMNS=100`` and its output
piped, on one small demo workspace made once for this module. No line of stdout may be
wider than 100 characters, and no rate may be wrapped inside a table cell: a cell that
opens an interval (``[``) closes it on the same line.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

WIDTH = 100
SMALL = ["--set", "data.borderline=40", "--set", "data.unsafe=40"]


def framing(folder: Path, *args: str, stdin: str | None = None) -> tuple[str, str]:
    env = {**os.environ, "COLUMNS": str(WIDTH), "NO_COLOR": "1"}
    env.pop("LINES", None)
    proc = subprocess.run([sys.executable, "-m", "framing", *args], cwd=folder, env=env,
                          input=stdin, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, proc.stderr


@pytest.fixture(scope="module")
def workspace_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace (framing init) with a small searched, validated study."""
    folder = tmp_path_factory.mktemp("widths")
    framing(folder, "init", ".")
    return folder


@pytest.fixture(scope="module")
def searched(workspace_dir: Path) -> tuple[Path, str]:
    out, _ = framing(workspace_dir, "search", "--trials", "6", "--no-report", "-q", *SMALL)
    return workspace_dir, out


def assert_fits(out: str) -> None:
    assert out.strip(), "no output"
    for line in out.splitlines():
        assert len(line) <= WIDTH, f"{len(line)} columns: {line}"
        if line.startswith(("│", "┃")):
            for cell in line.strip("│┃").split("│"):
                assert cell.count("[") == cell.count("]"), f"a rate wrapped: {line}"


def test_search_end_lines_fit(searched: tuple[Path, str]) -> None:
    _, out = searched
    assert_fits(out)
    assert "recommended" in out


@pytest.mark.parametrize("args", [
    ["frontier"],
    ["frontier", "--by", "category"],
    ["frontier", "--by", "pattern"],
    ["frontier", "--judge", "second", "--set", "judge.compare.kind='rules'"],
    ["validate"],
    ["compare", "0", "1"],
    ["studies"],
    ["templates", "list"],
    ["data", "stats"],
    ["judge", "evaluate"],
    ["eval", "prompts/stance.j2", "--limit", "5"],
], ids=" ".join)
def test_tables_fit_100_columns(searched: tuple[Path, str], args: list[str]) -> None:
    folder, _ = searched
    out, _ = framing(folder, *args, *(SMALL if args[0] != "data" else []))
    assert_fits(out)


def test_label_summary_fits(searched: tuple[Path, str]) -> None:
    folder, _ = searched
    out, err = framing(folder, "label", *SMALL, stdin="r\nc\nr\np\nc\nr\nq\n")
    assert_fits(out)
    assert "sensitivity" in out
    # piped answers are echoed, so no prompt shares a line with what follows it
    assert not any(line.rstrip().endswith("[q]uit:") for line in err.splitlines()[:-1])


def test_compare_leads_with_missed_harm(searched: tuple[Path, str]) -> None:
    folder, _ = searched
    # the baseline against the first trial that disagrees with it (a trial the sampler
    # put next to the baseline can land on the same side of both rates everywhere)
    outs = (framing(folder, "compare", "0", str(trial), "--limit", "1", *SMALL)[0]
            for trial in range(1, 6))
    out = next((o for o in outs if "no disagreements: " not in o), "")
    lines = out.splitlines()
    verdicts = [line for line in lines if line.startswith(("under-refusal:", "over-blocking:"))]
    assert [v.split(":")[0] for v in verdicts] == ["under-refusal", "over-blocking"]
    for v in verdicts:
        assert " lower by " in v or "no difference" in v or "no shared samples" in v
    kinds = [i for i, line in enumerate(lines)
             if line.startswith(("missed harm on unsafe samples", "over-blocking on borderline"))]
    assert len(kinds) == 2 and lines[kinds[0]].startswith("missed harm")
