"""The softmax every trained reader of the judge ends with (the regression, the trees and
the TF-IDF reader each turn one score per verdict into probabilities)."""

from __future__ import annotations

import numpy as np

__all__ = ["softmax"]


def softmax(scores: np.ndarray) -> np.ndarray:
    """Probabilities along the last axis (shifted by the largest score: no overflow)."""
    shifted = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)
