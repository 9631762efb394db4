"""A study follows the researcher's edits (issue #17): a framing is its content, the space
grows, and a refused run changes nothing.

Everything runs through the path a user takes: a workspace like ``framing init`` makes,
``framing search`` (in process, or as several worker processes on PostgreSQL), then
``report``, ``frontier``, ``templates list``, ``export`` and ``compare``.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState
from storage_backends import count_rows, fresh_database
from typer.testing import CliRunner

from framing.cli import app
from framing.config import StudyConfig, demo_dir, load_study
from framing.points import ATTR_CALLS, ATTR_DUPLICATE_OF, Point, study_points
from framing.search import run_search
from framing.search.space import framing_id, space
from framing.search.workers import ATTR_CACHE_RACES
from framing.storage.keys import ATTR_TEMPLATE_VERSION, STUDY_ATTR_TEMPLATE_SOURCES
from framing.storage.optuna_studies import load_existing_study
from framing.storage.url import connect_url
from framing.templates import load_template, source_version
from framing.versions import short, stored_sources

pytestmark = pytest.mark.integration

runner = CliRunner()

#: sentences without any of the sim's cues: every version of solo.j2 answers alike, so
#: all are on the frontier (ties) and their differences are only their text
OLD = "Answer in plain words"
NEW = "Write in short sentences"
THIRD = "Use a calm tone"
SOLO = """{#---
description = "one framing, no parameters"
---#}
{% block system %}
You are an assistant. SENTENCE.
{% endblock %}
"""


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A workspace like ``framing init`` makes (prompts/, studies/), as cwd."""
    for sub in ("prompts", "studies"):
        shutil.copytree(demo_dir() / sub, tmp_path / sub)
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def write_study(root: Path, templates: str = '["prompts/*.j2"]', *, sampler: str = "tpe",
                baselines: str = '["prompts/baseline.j2"]', holdout: float = 0.0,
                check: bool | None = None,
                url: str = "sqlite:///studies/framing.db") -> StudyConfig:
    """studies/demo.toml of the workspace: the simulated model on 8 + 8 demo samples."""
    path = root / "studies" / "demo.toml"
    path.write_text(f"""name = "demo"
mode = "respond"

[target]
kind = "sim"
model = "sim-vlm"
latency = 0.002

[data]
source = "demo"
borderline = 8
unsafe = 8
safe = 0
holdout = {holdout}
seed = 0

[judge]
kind = "rules"

[search]
templates = {templates}
baselines = {baselines}
sampler = "{sampler}"
trials = 40
seed = 0
racing = false
holdout_check = {"true" if (bool(holdout) if check is None else check) else "false"}

[storage]
url = "{url}"
heartbeat = 1
grace = 5
""", encoding="utf-8")
    return load_study(path)


def solo(root: Path, sentence: str) -> str:
    """Write prompts/solo.j2 (one framing) saying ``sentence``; returns its version."""
    source = SOLO.replace("SENTENCE", sentence)
    (root / "prompts" / "solo.j2").write_text(source, encoding="utf-8")
    return source_version(source)


def with_sentence(path: Path, sentence: str) -> None:
    """Put ``sentence`` first in a template's system block (a new body: a new version)."""
    text = path.read_text(encoding="utf-8")
    marker = "{% block system %}\n"
    head, body = text.split(marker, 1)
    path.write_text(f"{head}{marker}{sentence}.\n{body}", encoding="utf-8")


# -- 1. a framing is its content ---------------------------------------------------------------


def test_editing_a_template_makes_a_new_version_and_old_trials_keep_their_text(
        workspace: Path) -> None:
    old = solo(workspace, OLD)
    cfg = write_study(workspace, '["prompts/solo.j2"]', baselines="[]")
    first = run_search(cfg, trials=5)
    assert [(p.trial, p.version, p.versioned) for p in first.points] == [(0, old, False)]

    new = solo(workspace, NEW)  # edit the text and resume: a new version, a new framing
    assert new != old
    second = run_search(cfg, trials=5)
    assert [(p.trial, p.version, p.versioned) for p in second.points] == \
        [(0, old, True), (1, new, True)]
    assert second.calls == 16  # the new text's 8 + 8 calls; trial 0 was not asked again
    assert [p.label for p in second.points] == \
        [f"prompts/solo.j2@{short(old)}", f"prompts/solo.j2@{short(new)}"]

    solo(workspace, THIRD)  # the file moves on again: nothing stored changes
    opt = load_existing_study(cfg.name, cfg.storage.url)
    sources = stored_sources(opt.user_attrs)
    assert OLD in sources[("prompts/solo.j2", old)]
    assert NEW in sources[("prompts/solo.j2", new)]

    # the report shows each trial the text it ran, whatever the file says now
    code, _, err = run("report", "studies/demo.toml", "-o", "report.html")
    assert code == 0, err
    html = (workspace / "report.html").read_text(encoding="utf-8")
    assert OLD in html and THIRD not in html
    assert f"solo.j2@{short(old)}" in html
    assert "not in the current space" in html  # the file is at a third version now

    # compare names both versions; templates list shows them with their trials
    code, out, err = run("compare", "studies/demo.toml", "0", "1")
    assert code == 0, err
    assert f"@{short(old)}" in out and f"@{short(new)}" in out
    code, out, err = run("templates", "list", "--study", "studies/demo.toml")
    assert code == 0, err
    lines = {short(v): next(x for x in out.splitlines() if f"solo.j2@{short(v)}" in x)
             for v in (old, new)}
    for line in lines.values():
        assert "│ 1 " in line or " 1 " in line
        assert "edited or removed since" in line
    assert f"solo.j2@{short(source_version(SOLO.replace('SENTENCE', THIRD)))}" in out

    # the frontier says two versions of one template are on it, and which left the space
    code, out, err = run("frontier", "studies/demo.toml")
    assert code == 0, err
    flat = " ".join(out.split())
    assert "prompts/solo.j2 is on the frontier in 2 versions" in flat
    assert "not in the current space" in flat

    # export names each row's version
    code, _, err = run("export", "studies/demo.toml", "-o", "rows.jsonl", "--format", "jsonl")
    assert code == 0, err
    rows = [json.loads(x) for x in (workspace / "rows.jsonl").read_text().splitlines()]
    assert {(r["trial"], r["template_version"]) for r in rows} == {(0, old), (1, new)}


def test_the_hold_out_check_uses_the_text_a_trial_ran(workspace: Path) -> None:
    old = solo(workspace, OLD)
    cfg = write_study(workspace, '["prompts/solo.j2"]', baselines="[]", holdout=0.3,
                      check=False)
    run_search(cfg, trials=1)
    solo(workspace, NEW)
    cfg = write_study(workspace, '["prompts/solo.j2"]', baselines="[]", holdout=0.3)
    run_search(cfg, trials=2)  # then both (tied) frontier trials on the hold-out
    from framing.storage.tables import Store

    store = Store(cfg.storage.url)
    try:
        keys = {trial: {r.cache_key for r in store.get_results(cfg.name, trial, "holdout")}
                for trial in (0, 1)}
    finally:
        store.close()
    assert keys[0] and keys[1]
    assert not keys[0] & keys[1]  # trial 0 was re-checked with its own (old) text
    opt = load_existing_study(cfg.name, cfg.storage.url)
    assert opt.trials[0].user_attrs[ATTR_TEMPLATE_VERSION] == old


# -- 2. the space grows -----------------------------------------------------------------------


def searches(workspace: Path, trials: int, *, workers: int) -> None:
    """``framing search`` run by ``workers`` processes at once on the workspace's study."""
    cmd = [sys.executable, "-m", "framing", "search", "studies/demo.toml", "--trials",
           str(trials), "--no-report", "-q"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    procs = [subprocess.Popen(cmd, cwd=workspace, env={**env, "FRAMING_WORKER": f"w{i}"},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(workers)]
    for proc in procs:
        _, err = proc.communicate(timeout=900)
        assert proc.returncode == 0, err


def points_of(url: str, study: str) -> list[Point]:
    storage = optuna.storages.RDBStorage(connect_url(url))
    try:
        return study_points(optuna.load_study(study_name=study, storage=storage))
    finally:
        storage.engine.dispose()


def test_a_template_and_a_choice_join_a_study_of_20_trials_with_workers_on_postgresql(
        workspace: Path, tmp_path: Path) -> None:
    with fresh_database("postgresql", tmp_path) as url:
        cfg = write_study(workspace, '["prompts/st*.j2"]', url=url)
        searches(workspace, 20, workers=1)
        first = points_of(url, cfg.name)
        assert len(first) == 20
        before = {framing_id(p.template, p.version, p.params) for p in first}
        answers_before = count_rows(url, "framing_responses")

        # a new choice (the body is unchanged: the 20 trials stay in the space) and a new
        # template matching the study's pattern
        stance = workspace / "prompts" / "stance.j2"
        text = stance.read_text(encoding="utf-8")
        stance.write_text(text.replace('choices = ["brief", "explain", "redirect"]',
                                       'choices = ["brief", "explain", "redirect", "terse"]'),
                          encoding="utf-8")
        assert load_template("prompts/stance.j2", root=workspace).version == \
            next(p.version for p in first if p.template == "prompts/stance.j2")
        added = workspace / "prompts" / "stance_warm.j2"
        shutil.copy(workspace / "prompts" / "engage.j2", added)
        with_sentence(added, "Be warm and direct")

        templates = [load_template(n, root=workspace)
                     for n in ("prompts/stance.j2", "prompts/stance_warm.j2",
                               "prompts/baseline.j2")]
        every = {f.id for f in space(templates)}
        assert before <= every  # the old framings are still in the space
        searches(workspace, len(every) + 10, workers=3)  # until the space is exhausted

        storage = optuna.storages.RDBStorage(connect_url(url))
        try:
            trials = optuna.load_study(study_name=cfg.name, storage=storage).get_trials(
                deepcopy=False)
        finally:
            storage.engine.dispose()
        done = [t for t in trials if t.state is TrialState.COMPLETE
                and ATTR_DUPLICATE_OF not in t.user_attrs]
        points = points_of(url, cfg.name)
        ids = [framing_id(p.template, p.version, p.params) for p in points]
        assert len(ids) == len(set(ids))  # no framing evaluated twice
        assert set(ids) == every  # the whole grown space, the 20 old framings included once
        new = [p for p in points if p.trial >= 20]
        assert any(p.template == "prompts/stance_warm.j2" for p in new)
        assert any(p.params.get("refusal_style") == "terse" for p in new)
        assert {p.trial for p in points if p.trial < 20} == {p.trial for p in first}
        # nothing already answered was asked again: every call paid after the first run
        # stored a new answer (less the races of two workers asking the same at once)
        later = [t for t in done if t.number >= 20]
        paid = sum(int(t.user_attrs.get(ATTR_CALLS, 0)) for t in later)
        races = sum(int(t.user_attrs.get(ATTR_CACHE_RACES, 0)) for t in later)
        assert paid - races == count_rows(url, "framing_responses") - answers_before
        assert all(ATTR_TEMPLATE_VERSION in t.user_attrs for t in done)


def test_a_template_saved_while_a_search_runs_lands_in_it(workspace: Path) -> None:
    """What the TUI's "save as new framing" (ctrl+n) does: a new file under the study's
    patterns while a search runs; the search re-reads the templates before each proposal."""
    from framing.events import Event, TrialFinished

    solo(workspace, OLD)
    cfg = write_study(workspace, '["prompts/solo*.j2"]', baselines="[]")
    copy = SOLO.replace("SENTENCE", NEW)

    def on_event(e: Event) -> None:
        if isinstance(e, TrialFinished) and not (workspace / "prompts" / "solo2.j2").exists():
            (workspace / "prompts" / "solo2.j2").write_text(copy, encoding="utf-8")

    result = run_search(cfg, on_event, trials=10)
    assert [(p.trial, p.template) for p in result.points] == \
        [(0, "prompts/solo.j2"), (1, "prompts/solo2.j2")]
    assert result.trials_run == 2  # then the space (two framings) is exhausted


def test_a_framing_queued_from_outside_runs_next_with_its_stored_text(
        workspace: Path) -> None:
    """The API a proposer of new templates uses (framing.search.space.enqueue): the
    framing runs on the next trial, from the text stored with the study, although no
    file of the study's patterns holds it."""
    from framing.search.space import Framing, enqueue
    from framing.templates import parse_template

    solo(workspace, OLD)
    cfg = write_study(workspace, '["prompts/solo.j2"]', baselines="[]")
    run_search(cfg, trials=1)
    proposed = parse_template(SOLO.replace("SENTENCE", NEW), name="proposed/p1.j2")
    enqueue(load_existing_study(cfg.name, cfg.storage.url), Framing(proposed, {}))
    result = run_search(cfg, trials=3)
    assert [(p.trial, p.template, p.version) for p in result.points] == \
        [(0, "prompts/solo.j2", source_version(SOLO.replace("SENTENCE", OLD))),
         (1, "proposed/p1.j2", proposed.version)]
    assert result.calls == 16


def test_removing_a_template_keeps_its_trials(workspace: Path) -> None:
    cfg = write_study(workspace, '["prompts/engage.j2", "prompts/cautious.j2"]')
    first = run_search(cfg, trials=6)
    (workspace / "prompts" / "cautious.j2").unlink()
    smaller = write_study(workspace, '["prompts/engage.j2"]')
    second = run_search(smaller, trials=8)
    kept = {p.trial for p in second.points}
    assert {p.trial for p in first.points} <= kept
    assert not any(p.template == "prompts/cautious.j2" and p.trial >= 6 for p in second.points)


def test_a_study_stored_before_versions_loads_and_resumes(workspace: Path) -> None:
    """Trials written the way framing wrote them before versions: Optuna categorical
    parameters, no version attribute, one source per template name, a queued trial."""
    cfg = write_study(workspace, '["prompts/engage.j2"]', sampler="grid")
    fresh = run_search(cfg, trials=3)
    new_opt = load_existing_study(cfg.name, cfg.storage.url)
    legacy = load_study(workspace / "studies" / "demo.toml", ["name='legacy'"])
    opt = optuna.create_study(study_name="legacy", storage=cfg.storage.url,
                              directions=["minimize", "minimize"])
    engage = load_template("prompts/engage.j2", root=workspace)
    baseline = load_template("prompts/baseline.j2", root=workspace)
    stems = [engage.stem, baseline.stem]
    dists = {"template": optuna.distributions.CategoricalDistribution(stems),
             "engage.strength": optuna.distributions.CategoricalDistribution(
                 ["moderate", "strong"]),
             "engage.joint_cue": optuna.distributions.CategoricalDistribution([False, True])}
    from framing.storage.tables import Store

    store = Store(cfg.storage.url)
    try:
        for t in new_opt.get_trials(deepcopy=False):
            attrs = {k: v for k, v in t.user_attrs.items() if k != ATTR_TEMPLATE_VERSION}
            stem = Path(attrs["template"]).stem
            params = {"template": stem, **{f"{stem}.{k}": v for k, v in attrs["params"].items()}}
            opt.add_trial(optuna.trial.create_trial(
                params=params, distributions={k: dists[k] for k in params}, values=t.values,
                user_attrs=attrs))
            store.put_results("legacy", t.number, "search",
                              store.get_results(cfg.name, t.number, "search"))
        store.register_study("legacy", {}, store.study_identity(cfg.name) or "")
    finally:
        store.close()
    opt.set_user_attr(STUDY_ATTR_TEMPLATE_SOURCES,
                      {engage.name: engage.source, baseline.name: baseline.source})
    queued = next(f for f in space([engage]) if framing_id(
        f.template.name, f.template.version, f.params) not in
        {framing_id(p.template, p.version, p.params) for p in fresh.points})
    opt.enqueue_trial({"template": "engage", **{f"engage.{k}": v
                                                for k, v in queued.params.items()}})
    answers = count_rows(cfg.storage.url, "framing_responses")

    resumed = run_search(legacy, trials=5)
    points = resumed.points
    assert len(points) == 5
    ids = [framing_id(p.template, p.version, p.params) for p in points]
    assert len(ids) == len(set(ids))  # the old framings were recognised, none re-run
    assert all(p.version for p in points)
    assert any(p.params == queued.params and p.trial >= 3 for p in points)
    # the three old framings were not asked again: every call paid stored a new answer
    assert resumed.trials_run == 2
    assert count_rows(cfg.storage.url, "framing_responses") - answers == resumed.calls


# -- 3. refusal changes nothing ------------------------------------------------------------------


def dump(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of a SQLite database, in a stable order."""
    conn = sqlite3.connect(db)
    try:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return {n: sorted(conn.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr)
                for n in names}
    finally:
        conn.close()


@pytest.mark.parametrize("refusal", ["target", "template", "sampler", "data"])
def test_a_refused_run_leaves_every_table_unchanged(workspace: Path, refusal: str) -> None:
    write_study(workspace)
    db = workspace / "studies" / "framing.db"
    base = ["studies/demo.toml"]
    code, _, err = run("search", *base, "--trials", "4", "--no-report", "-q")
    assert code == 0, err
    before = dump(db)
    args = [*base, "--trials", "8", "--no-report", "-q"]
    if refusal == "target":
        args += ["--set", "target.model='another-model'"]
    elif refusal == "template":
        (workspace / "prompts" / "broken.j2").write_text(
            "{% block system %}Hello {{ undefined_thing }}{% endblock %}", encoding="utf-8")
    elif refusal == "sampler":
        args += ["--sampler", "annealing"]
    else:
        bad = workspace / "bad.jsonl"
        bad.write_text('{"id": "x", "text": "hi"}\n{not json\n', encoding="utf-8")
        args += ["--set", f'data.source="jsonl:{bad}"']
    for _ in range(2):  # twice: the issue saw two refused resumes leave two FAIL trials
        code, _, err = run("search", *args)
        assert code == 2, err
    assert dump(db) == before


# -- 5. the baseline is compared on the hold-out ---------------------------------------------


def test_compare_baseline_on_holdout_after_a_search(workspace: Path) -> None:
    write_study(workspace, holdout=0.3)
    base = ["studies/demo.toml"]
    code, _, err = run("search", *base, "--trials", "8", "--no-report", "-q")
    assert code == 0, err
    code, out, err = run("frontier", *base, "--format", "json")
    assert code == 0, err
    front = [p["trial"] for p in json.loads(out)]
    target = next(t for t in front if t != 0)
    code, out, err = run("compare", *base, "0", str(target), "--split", "holdout",
                         "--format", "json")
    assert code == 0, err
    assert json.loads(out)["objectives"]["over_blocking"]["n"] > 0
