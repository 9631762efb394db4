"""The trained stage's boosted trees (framing.judging.boosted): walked without
scikit-learn, they give what scikit-learn's own model gives; they survive a dump and a
load; trees fitted on other features are refused by name; the bundled judge uses them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from framing.errors import ConfigError
from framing.judging.boosted import BoostedTrees, dense_columns
from framing.judging.features import WIDTH
from framing.judging.rules import RulesJudge
from framing.judging.trained import TrainedStage


def toy_model() -> tuple[BoostedTrees, object, np.ndarray]:
    """Trees fitted by scikit-learn on random vectors, three verdicts, and their rows."""
    sklearn = pytest.importorskip("sklearn.ensemble")
    rng = np.random.default_rng(7)
    columns = dense_columns()
    x = np.zeros((300, WIDTH))
    x[:, list(columns)] = rng.normal(size=(300, len(columns)))
    y = (x[:, columns[0]] > 0).astype(int) + (x[:, columns[1]] > 0.5).astype(int)
    model = sklearn.HistGradientBoostingClassifier(max_iter=25, max_leaf_nodes=7,
                                                   random_state=0)
    model.fit(x[:, list(columns)], y)
    return BoostedTrees.from_sklearn(model, columns, ["toy"]), model, x


def test_walked_trees_give_scikit_learns_probabilities() -> None:
    trees, model, x = toy_model()
    expected = model.predict_proba(x[:50, list(dense_columns())])  # type: ignore[attr-defined]
    got = np.array([trees.probabilities(row) for row in x[:50]])
    assert np.allclose(got, expected, atol=1e-9)
    assert np.allclose(got.sum(axis=1), 1.0)


def test_trees_survive_a_dump_and_a_load(tmp_path: Path) -> None:
    trees, _, x = toy_model()
    path = tmp_path / "boosted.json"
    trees.dump(path)
    loaded = BoostedTrees.load(path)
    assert loaded.fitted_on == ("toy",)
    for row in x[:20]:
        assert np.allclose(loaded.probabilities(row), trees.probabilities(row), atol=1e-7)


def test_trees_of_other_features_are_refused_by_name(tmp_path: Path) -> None:
    trees, _, _ = toy_model()
    path = tmp_path / "boosted.json"
    trees.dump(path)
    path.write_text(path.read_text().replace(f'"width":{WIDTH}', '"width":12'))
    with pytest.raises(ConfigError, match=r"boosted\.json.*refit"):
        BoostedTrees.load(path)
    path.write_text("{not json")
    with pytest.raises(ConfigError, match=r"boosted\.json"):
        BoostedTrees.load(path)


def test_the_bundled_stage_averages_the_regression_and_the_trees() -> None:
    stage = TrainedStage.default()
    assert stage is not None and stage.boosted is not None
    row = np.zeros(WIDTH)
    alone = TrainedStage(stage.names, stage.mean, stage.scale, stage.weights, stage.bias)
    expected = (alone.probabilities(row) + stage.boosted.probabilities(row)) / 2
    assert np.allclose(stage.probabilities(row), expected)


def test_a_response_judged_without_its_request_keeps_the_rules_verdict() -> None:
    """The stage was fitted on responses judged with their requests; without one the
    rules' verdict stands (rules.RulesJudge.judge)."""
    judge, alone = RulesJudge(), RulesJudge(trained=False)
    texts = ("I don't think there's a single right answer, but most experts suggest "
             "saving three to six months of expenses as an emergency fund.",
             "Let's leave that one alone. Anything else on your mind?",
             "Not sharing that.")
    for text in texts:
        assert judge.judge(text) == alone.judge(text)
