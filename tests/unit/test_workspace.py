"""Which study a command means (framing.workspace): files, names, the default."""

from __future__ import annotations

from pathlib import Path

import pytest

from framing.errors import ConfigError
from framing.workspace import find_study, workspace_root


def make(root: Path, *studies: str, prompts: bool = True) -> Path:
    (root / "studies").mkdir()
    if prompts:
        (root / "prompts").mkdir()
    for name in studies:
        (root / "studies" / f"{name}.toml").write_text(f'name = "{name}"\n')
    return root


def test_a_workspace_is_prompts_beside_study_files(tmp_path: Path) -> None:
    assert workspace_root(tmp_path) is None
    make(tmp_path, prompts=False)
    assert workspace_root(tmp_path) is None  # studies/ alone: only a database folder
    (tmp_path / "prompts").mkdir()
    assert workspace_root(tmp_path) is None  # no study file yet
    (tmp_path / "studies" / "demo.toml").write_text('name = "demo"\n')
    assert workspace_root(tmp_path) == tmp_path


def test_names_and_paths(tmp_path: Path) -> None:
    make(tmp_path, "demo", "v2.1", "other")
    assert find_study(None, tmp_path) == Path("studies/demo.toml")
    assert find_study("-", tmp_path) == Path("studies/demo.toml")
    assert find_study("v2.1", tmp_path) == Path("studies/v2.1.toml")
    assert find_study("other", tmp_path) == Path("studies/other.toml")
    assert find_study("studies/other.toml", tmp_path) == Path("studies/other.toml")
    with pytest.raises(ConfigError) as info:
        find_study("v3", tmp_path)
    assert str(info.value) == ("v3: no study file v3 or studies/v3.toml; study files here: "
                               "studies/demo.toml, studies/other.toml, studies/v2.1.toml")
    with pytest.raises(ConfigError, match="is a folder"):
        find_study("studies", tmp_path)


def test_the_only_study_file_is_the_default(tmp_path: Path) -> None:
    make(tmp_path, "mine")
    assert find_study(None, tmp_path) == Path("studies/mine.toml")


def test_outside_a_workspace_the_demo_is_the_builtin_one(tmp_path: Path) -> None:
    assert find_study(None, tmp_path) is None
    assert find_study("demo", tmp_path) is None
    with pytest.raises(ConfigError, match="omit it to run the built-in demo"):
        find_study("x.toml", tmp_path)
