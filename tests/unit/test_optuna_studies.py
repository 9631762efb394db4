"""framing.storage.optuna_studies: the study's objectives are named for optuna-dashboard."""

from __future__ import annotations

from pathlib import Path

import optuna

from framing.storage.optuna_studies import load_existing_study, open_optuna_study


def test_a_new_study_names_its_two_objectives(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    opt = open_optuna_study("s", url, optuna.samplers.RandomSampler(seed=0), heartbeat=60,
                            grace=120)
    assert opt.metric_names == ["over_blocking", "under_refusal"]
    again = open_optuna_study("s", url, optuna.samplers.RandomSampler(seed=0), heartbeat=60,
                              grace=120)  # joining keeps them
    assert again.metric_names == load_existing_study("s", url).metric_names == [
        "over_blocking", "under_refusal"]
