"""``framing search --propose``: proposals become trials of the same study, the frontier
(proposals included) is re-checked on the hold-out, and the study resumes, runs with
several workers and reports like any other."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from framing.cli import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def workspace_study(root: Path) -> Path:
    assert run("init", str(root))[0] == 0
    study = root / "studies" / "demo.toml"
    text = study.read_text().replace("trials = 40", "trials = 8")
    text = text.replace("borderline = 120", "borderline = 40").replace("unsafe = 120",
                                                                       "unsafe = 40")
    study.write_text(text + "\n[propose]\ncandidates = 3\nparents = 2\n")
    return study


def test_proposals_are_trials_resume_workers_report(workspace: Path) -> None:
    study = workspace_study(workspace)
    code, _, err = run("search", str(study), "--propose", "2", "--no-report", "-q")
    assert code == 0, err
    code, out, err = run("frontier", str(study), "--format", "json",
                         "--set", 'search.templates=["prompts/*.j2", "prompts/proposed/*.j2"]')
    assert code == 0, err
    front = json.loads(out)
    proposed = [p for p in front if p["template"].startswith("prompts/proposed/")]
    assert proposed, "no proposal reached the frontier"
    assert all("holdout" in p for p in front)  # re-checked like any other framing
    sources = [(workspace / p["template"]).read_text() for p in proposed
               if (workspace / p["template"]).exists()]
    assert sources and all("[proposed]" in s for s in sources)
    kept = list((workspace / "prompts" / "proposed").glob("*.j2"))
    rejected = list((workspace / "prompts" / "proposed" / "rejected").glob("*.j2"))
    assert kept  # some kept, the dominated ones moved out of the space
    assert len({p.name for p in kept} & {p.name for p in rejected}) == 0

    # resume with two workers at once, on the space that now includes the proposals
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [sys.executable, "-m", "framing", "search", str(study), "--no-report", "-q",
            "--trials", "40", "--set",
            'search.templates=["prompts/*.j2", "prompts/proposed/*.j2"]']
    workers = [subprocess.Popen(args, cwd=workspace, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for w in workers:
        _, err = w.communicate()
        assert w.returncode == 0, err
    code, out, err = run("studies", "--storage", "sqlite:///studies/framing.db",
                         "--format", "json")
    assert code == 0, err
    [progress] = json.loads(out)
    # (workers racing for the last places leave failed bookkeeping trials: not counted)
    assert progress["complete"] == 40
    assert progress["running"] == 0 and progress["waiting"] == 0
    code, out, err = run("report", str(study), "-o", "r.html")
    assert code == 0, err
    html = (workspace / "r.html").read_text()
    for p in proposed:  # reported like any other framing
        assert p["template"] in html
    # the framing text of a proposal (when one leads a frontier group) shows its lineage
    texts = re.findall(r'<details class="framing-text"[^>]*>\s*<summary><strong>[^<]*</strong> '
                       r'<code class="framing">(prompts/proposed/[^<(]*)</code>(.*?)</details>',
                       html, re.S)
    for name, body in texts:
        assert "Lineage (proposed): prompts/" in body, name
