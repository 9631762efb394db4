"""One way to name a study, for every command (DESIGN §10): ``STUDY`` (a file or a name),
the workspace's default study file inside a workspace, the built-in demo outside one;
``--set`` wherever a study is read; one line on stderr saying what was used."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from framing.cli import app

runner = CliRunner()
SMALL = ["--set", "data.borderline=30", "--set", "data.unsafe=30"]


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def ws_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace whose default study is named 'mine' and searched (4 trials)."""
    folder = tmp_path_factory.mktemp("ws")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        assert run("init", ".")[0] == 0
        study = folder / "studies" / "demo.toml"
        study.write_text(study.read_text().replace('name = "demo"', 'name = "mine"', 1))
        code, _, err = run("search", "--trials", "4", "--no-report", *SMALL)
        assert code == 0, err
        # one line names the study, its templates and its database (not the progress too)
        named = [line for line in err.splitlines() if "mine" in line]
        assert len(named) == 1, err
        assert named[0].startswith("study 'mine' from studies/demo.toml; templates prompts/; "
                                   "database sqlite:///"), err
    return folder


@pytest.fixture
def ws(ws_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(ws_dir)
    return ws_dir


def stored_studies() -> set[str]:
    code, out, err = run("studies", "--format", "json")
    assert code == 0, err
    return {s["study"] for s in json.loads(out)}


def test_a_workspace_runs_its_own_study_not_the_demo(ws: Path) -> None:
    assert stored_studies() == {"mine"}
    # the same study by path, by name and by default
    answers = [run("frontier", *study, "--format", "json", *SMALL)
               for study in ([], ["studies/demo.toml"], ["demo"])]
    assert all(code == 0 for code, _, _ in answers), answers
    assert len({out for _, out, _ in answers}) == 1
    for _, _, err in answers:
        assert err.splitlines()[0].startswith("study 'mine' from studies/demo.toml; "
                                              "templates prompts/; database sqlite:///")


def test_every_study_reading_command_takes_set(ws: Path) -> None:
    code, _, err = run("search", "--trials", "2", "--no-report", "-q", "--set", "name=v2",
                       *SMALL)
    assert code == 0, err
    renamed = ["--set", "name=v2", *SMALL]
    for args in (["frontier"], ["report", "-o", "v2.html"], ["compare", "0", "1"],
                 ["validate", "-q"], ["export", "-o", "v2.csv"], ["templates", "list"],
                 ["eval", "prompts/baseline.j2", "--limit", "3"], ["label"],
                 ["judge", "evaluate"], ["judge", "Sorry, I can't help with that."],
                 ["studies"]):
        code, _, err = run(*args, *renamed)
        assert code == 0, (args, err)
        if args[0] not in ("studies", "validate"):
            assert "study 'v2' from studies/demo.toml" in err, (args, err)
    assert (ws / "v2.html").is_file() and (ws / "v2.csv").is_file()
    assert {"mine", "v2"} <= stored_studies()


def test_the_old_study_option_still_works_but_is_hidden(ws: Path) -> None:
    code, out, err = run("eval", "prompts/baseline.j2", "--study", "studies/demo.toml",
                         "--limit", "3", "--format", "json", *SMALL)
    assert code == 0, err
    assert "study 'mine' from studies/demo.toml" in err
    same = run("eval", "prompts/baseline.j2", "studies/demo.toml", "--limit", "3", "--format",
               "json", *SMALL)
    assert json.loads(out)["over_blocking"] == json.loads(same[1])["over_blocking"]
    assert run("templates", "list", "--study", "demo")[0] == 0
    assert "--study" not in run("eval", "--help")[1]
    code, _, err = run("eval", "prompts/baseline.j2", "demo", "--study", "studies/x.toml")
    assert code == 2 and "two studies named" in err


def test_an_unknown_study_lists_the_study_files(ws: Path) -> None:
    code, _, err = run("frontier", "nope")
    assert code == 2
    assert "no study file nope or studies/nope.toml" in err
    assert "studies/classify.toml, studies/demo.toml" in err
    code, _, err = run("report", "studies/missing.toml")
    assert code == 2 and "no such study file" in err


def test_outside_a_workspace_the_builtin_demo_says_so(workspace: Path) -> None:
    code, _, err = run("templates", "list")
    assert code == 0, err
    assert "study 'demo' from the built-in demo" in err and "the built-in prompts" in err
    code, _, err = run("frontier", "demo")
    assert code == 2 and "no study named 'demo'" in err  # the demo, not yet searched


def test_a_workspace_with_several_studies_and_no_default_asks_for_one(
        workspace: Path) -> None:
    (workspace / "prompts").mkdir()
    (workspace / "studies").mkdir()
    for name in ("a", "b"):
        (workspace / "studies" / f"{name}.toml").write_text(f'name = "{name}"\n')
    code, _, err = run("frontier")
    assert code == 2
    assert "several study files" in err and "studies/a.toml, studies/b.toml" in err
    code, _, err = run("frontier", "b")
    assert code == 2 and "no study named 'b'" in err
