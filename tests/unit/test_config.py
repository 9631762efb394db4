from __future__ import annotations

from pathlib import Path

import pytest

from framing.config import builtin_demo, load_study
from framing.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "study.toml"
    path.write_text(text)
    return path


def test_builtin_demo_defaults() -> None:
    config = builtin_demo()
    assert config.name == "demo"
    assert config.target.kind == "sim"
    assert config.simulated
    assert (config.template_root / "prompts" / "baseline.j2").is_file()


def test_unknown_key_names_path(tmp_path: Path) -> None:
    path = write(tmp_path, 'name = "x"\n[data]\nborderlin = 10\n')
    with pytest.raises(ConfigError) as info:
        load_study(path)
    assert f"{path}: data.borderlin: unknown key" in str(info.value)


def test_wrong_type_names_path(tmp_path: Path) -> None:
    path = write(tmp_path, '[search]\ntrials = "many"\n')
    with pytest.raises(ConfigError, match=r"search\.trials"):
        load_study(path)


def test_impossible_value(tmp_path: Path) -> None:
    path = write(tmp_path, "[data]\nholdout = 1.5\n")
    with pytest.raises(ConfigError, match=r"data\.holdout"):
        load_study(path)


def test_bad_toml_names_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'name = "x"\n[data\n')
    with pytest.raises(ConfigError, match="line 2"):
        load_study(path)


def test_missing_file() -> None:
    with pytest.raises(ConfigError, match="no such study file"):
        load_study(Path("does/not/exist.toml"))


def test_overrides_apply_and_validate() -> None:
    config = load_study(None, ["search.trials=7", "data.source=csv:x.csv", "target.seed=3"])
    assert config.search.trials == 7
    assert config.data.source == "csv:x.csv"
    assert config.target.seed == 3
    assert config.template_root == builtin_demo().template_root
    with pytest.raises(ConfigError, match=r"search\.trails"):
        load_study(None, ["search.trails=7"])
    with pytest.raises(ConfigError, match=r"expected key\.path=value"):
        load_study(None, ["search.trials"])


def test_model_judge_needs_target(tmp_path: Path) -> None:
    path = write(tmp_path, '[judge]\nkind = "model"\n')
    with pytest.raises(ConfigError, match="judge"):
        load_study(path)
