"""Boosted trees beside the trained stage's logistic regression: the same verdicts, read
from the structural and discourse features by gradient-boosted decision trees.

Why a second model. The logistic regression of ``framing.judging.trained`` weighs every
feature on its own; trees also read them together (a declining opening *and* little
content after it; a long answer *and* no step, no quantity, little of the request's
words). In the cross-set measure of ``scripts/fit_judge.py`` (fit on the other
development sets, score on the one left out, mean over the sets written independently
of the rules) the average of the two models' probabilities reads better than either
alone; the figures are in that script's docstring.

The trees are fitted by scikit-learn's ``HistGradientBoostingClassifier`` in
``scripts/fit_judge.py`` (a development tool: scikit-learn is in the ``dev`` extra, not
needed to judge) and shipped as plain arrays in ``boosted.json``; this module only walks
them: numpy, no scikit-learn at run time. They read the structural and discourse
features, not the hashed n-grams (:func:`dense_columns`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import numpy as np

from framing.errors import ConfigError
from framing.judging import discourse
from framing.judging.features import NAMES, NGRAM_DIMS, WIDTH
from framing.judging.softmax import softmax

__all__ = ["DEFAULT_TREES", "BoostedTrees", "Tree", "dense_columns"]

DEFAULT_TREES = Path(__file__).with_name("boosted.json")


def dense_columns() -> tuple[int, ...]:
    """The positions of the feature vector the trees read: the structural features and
    the discourse features (not the hashed n-grams of either)."""
    discourse_start = len(NAMES) + NGRAM_DIMS
    return (*range(len(NAMES)),
            *range(discourse_start, discourse_start + len(discourse.NAMES)))


@dataclass(frozen=True)
class Tree:
    """One regression tree as arrays over its nodes: a split node sends a vector left
    when its feature is at most the threshold; a leaf (``left`` = -1) holds the value."""

    feature: np.ndarray  # int, index into the trees' columns
    threshold: np.ndarray
    left: np.ndarray  # int, -1 at a leaf
    right: np.ndarray
    value: np.ndarray


@dataclass(frozen=True)
class _Forest:
    """Every tree padded to one node count and stacked, so that all of them are walked
    together, one numpy step per level (a few hundred trees cost a few dozen steps)."""

    feature: np.ndarray  # (trees, nodes)
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    verdict: np.ndarray  # (trees,): the verdict each tree scores

    @classmethod
    def of(cls, rounds: Sequence[Sequence[Tree]]) -> _Forest:
        trees = [(k, tree) for round_ in rounds for k, tree in enumerate(round_)]
        width = max((len(tree.left) for _, tree in trees), default=1)

        def stack(field: str, fill: float) -> np.ndarray:
            out = np.full((len(trees), width), fill)
            for i, (_, tree) in enumerate(trees):
                values = getattr(tree, field)
                out[i, :len(values)] = values
            return out

        return cls(stack("feature", 0).astype(int), stack("threshold", 0.0),
                   stack("left", -1).astype(int), stack("right", -1).astype(int),
                   stack("value", 0.0), np.array([k for k, _ in trees], dtype=int))

    @cached_property
    def _rows(self) -> np.ndarray:
        return np.arange(len(self.verdict))

    def scores(self, x: np.ndarray, verdicts: int) -> np.ndarray:
        rows = self._rows
        node = np.zeros(len(rows), dtype=int)
        while True:
            left = self.left[rows, node]
            inner = left >= 0
            if not inner.any():
                break
            go_left = x[self.feature[rows, node]] <= self.threshold[rows, node]
            node = np.where(inner, np.where(go_left, left, self.right[rows, node]), node)
        return np.bincount(self.verdict, weights=self.value[rows, node], minlength=verdicts)


@dataclass(frozen=True)
class BoostedTrees:
    """Per verdict, a baseline score plus the sum of its trees; softmax over verdicts."""

    columns: tuple[int, ...]
    baseline: np.ndarray  # (verdicts,)
    trees: tuple[tuple[Tree, ...], ...]  # per boosting round, one tree per verdict
    fitted_on: tuple[str, ...] = ()

    @classmethod
    def default(cls) -> BoostedTrees | None:
        """The bundled trees, or None when the package ships none."""
        return _default_trees()

    def probabilities(self, vector: Sequence[float] | np.ndarray) -> np.ndarray:
        """P(refusal), P(partial), P(compliance) for one feature vector (the full vector
        of ``framing.judging.features``)."""
        x = np.asarray(vector, dtype=float)[self._columns]
        return softmax(self.baseline + self._forest.scores(x, len(self.baseline)))

    @cached_property
    def _forest(self) -> _Forest:
        return _Forest.of(self.trees)

    @cached_property
    def _columns(self) -> np.ndarray:
        """:attr:`columns` as an index array, built once (read on every verdict)."""
        return np.asarray(self.columns, dtype=int)

    def dump(self, path: Path) -> None:
        """Write the trees as JSON (leaf values rounded; thresholds exact, so that a
        feature at a split goes the way it went in the fit)."""
        data = {
            "model": "gradient-boosted trees (scikit-learn HistGradientBoostingClassifier, "
                     "walked by framing.judging.boosted) over the structural and discourse "
                     "features of framing.judging.features",
            "fitted_on": list(self.fitted_on),
            "width": WIDTH,
            "columns": list(self.columns),
            "baseline": np.round(self.baseline, 9).tolist(),
            "trees": [[_tree_json(tree) for tree in round_] for round_ in self.trees],
        }
        path.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> BoostedTrees:
        """Read trees written by :meth:`dump`; they must read this version's features."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            trees = cls(
                columns=tuple(int(c) for c in data["columns"]),
                baseline=np.asarray(data["baseline"], dtype=float),
                trees=tuple(tuple(_tree(t) for t in round_) for round_ in data["trees"]),
                fitted_on=tuple(data.get("fitted_on", ())),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"{path}: cannot read the judge's boosted trees: {exc}") from exc
        if data.get("width") != WIDTH or trees.columns != dense_columns():
            raise ConfigError(
                f"{path}: the trees were fitted on other features than this version "
                "computes; refit them with: python scripts/fit_judge.py")
        return trees

    @classmethod
    def from_sklearn(cls, model: Any, columns: tuple[int, ...],
                     fitted_on: Sequence[str] = ()) -> BoostedTrees:
        """The trees of a fitted ``HistGradientBoostingClassifier`` (numeric features, no
        missing values: the judge's features are never missing)."""
        rounds = []
        for predictors in model._predictors:
            round_ = []
            for predictor in predictors:
                nodes = predictor.nodes
                leaf = nodes["is_leaf"].astype(bool)
                round_.append(Tree(
                    feature=nodes["feature_idx"].astype(int),
                    threshold=nodes["num_threshold"].astype(float),
                    left=np.where(leaf, -1, nodes["left"].astype(int)),
                    right=np.where(leaf, -1, nodes["right"].astype(int)),
                    value=nodes["value"].astype(float)))
            rounds.append(tuple(round_))
        baseline = np.asarray(model._baseline_prediction, dtype=float).reshape(-1)
        return cls(columns, baseline, tuple(rounds), tuple(fitted_on))


def _tree_json(tree: Tree) -> dict[str, list[Any]]:
    return {"f": tree.feature.tolist(), "t": tree.threshold.tolist(),
            "l": tree.left.tolist(), "r": tree.right.tolist(),
            "v": np.round(tree.value, 9).tolist()}


def _tree(data: dict[str, list[Any]]) -> Tree:
    return Tree(feature=np.asarray(data["f"], dtype=int),
                threshold=np.asarray(data["t"], dtype=float),
                left=np.asarray(data["l"], dtype=int), right=np.asarray(data["r"], dtype=int),
                value=np.asarray(data["v"], dtype=float))


@cache
def _default_trees() -> BoostedTrees | None:
    if not DEFAULT_TREES.exists():
        return None
    return BoostedTrees.load(DEFAULT_TREES)
