"""A third reader beside the trained stage's two: the response's words and character
n-grams, weighted by TF-IDF, read by a multinomial logistic regression.

Why. The regression and trees of ``framing.judging.trained`` read structure: how the
response opens, how much content follows a declination, steps, quantities, the
request's words. They miss what the wording alone says: "let's leave that one alone",
"ce n'est pas quelque chose que", "私にはお手伝いできません", a warm paragraph that
never gets to the point. A bag of character n-grams (within words, 2 to 5 characters,
so across scripts and inflections) and of words and word pairs reads that, and reads it
differently from the structural models: in the cross-set measure of
``scripts/fit_judge.py`` it alone scores about as well as the stage, and the mean of
the two better than either (the figures are in that script's docstring).

The model is fitted by scikit-learn (``TfidfVectorizer`` twice, then
``LogisticRegression``) in ``scripts/fit_judge.py`` and shipped as plain arrays in
``tfidf.json``: the kept terms (the most frequent of each analyzer), their inverse
document frequencies and the regression's weights. This module computes the same
vector without scikit-learn (a unit test checks it gives scikit-learn's probabilities):
lower-cased text; character n-grams of each whitespace-separated word padded with one
space on each side; words of two or more word characters and their adjacent pairs; per
analyzer, sublinear term frequency (1 + ln count) times the idf, scaled to unit length.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from framing.errors import ConfigError
from framing.judging.softmax import softmax

__all__ = ["CHAR_RANGE", "DEFAULT_TFIDF", "WORD_RANGE", "TfidfModel", "Vocabulary",
           "char_ngrams", "word_ngrams"]

DEFAULT_TFIDF = Path(__file__).with_name("tfidf.json")
#: n-gram lengths of the character analyzer (within words) and of the word analyzer
CHAR_RANGE = (2, 5)
WORD_RANGE = (1, 2)
_SPACES = re.compile(r"\s\s+")
_WORD = re.compile(r"(?u)\b\w\w+\b")


def char_ngrams(text: str) -> list[str]:
    """Character n-grams of each word, padded with a space on each side (a word shorter
    than an n-gram counts once, whole)."""
    out = []
    low, high = CHAR_RANGE
    for word in _SPACES.sub(" ", text.lower()).split():
        padded = f" {word} "
        for n in range(low, high + 1):
            if len(padded) <= n:
                out.append(padded)
                break
            out.extend(padded[i:i + n] for i in range(len(padded) - n + 1))
    return out


def word_ngrams(text: str) -> list[str]:
    """Words of two or more word characters, and adjacent pairs of them."""
    words = _WORD.findall(text.lower())
    low, high = WORD_RANGE
    out: list[str] = []
    for n in range(low, high + 1):
        out.extend(" ".join(words[i:i + n]) for i in range(len(words) - n + 1))
    return out


@dataclass(frozen=True)
class Vocabulary:
    """One analyzer's kept terms (term -> column) and their idf."""

    terms: dict[str, int]
    idf: np.ndarray

    def vector(self, grams: Sequence[str]) -> np.ndarray:
        """Sublinear term frequency times idf, scaled to unit length (terms not kept
        count for nothing)."""
        columns = [j for j in map(self.terms.get, grams) if j is not None]
        counts = np.bincount(np.asarray(columns, dtype=int), minlength=len(self.idf))
        seen = counts > 0
        out = np.zeros(len(self.idf))
        out[seen] = (1.0 + np.log(counts[seen])) * self.idf[seen]
        norm = float(np.linalg.norm(out))
        return out / norm if norm > 0.0 else out


@dataclass(frozen=True)
class TfidfModel:
    """TF-IDF over character and word n-grams, then one linear score per verdict
    (refusal, partial, compliance, the order of ``framing.judging.trained.CLASSES``)."""

    chars: Vocabulary
    words: Vocabulary
    weights: np.ndarray  # (verdicts, char terms + word terms)
    bias: np.ndarray  # (verdicts,)
    fitted_on: tuple[str, ...] = ()

    @classmethod
    def default(cls) -> TfidfModel | None:
        """The bundled model, or None when the package ships none."""
        return _default_model()

    def vector(self, text: str) -> np.ndarray:
        """The response's TF-IDF vector: the character analyzer's columns, then the
        word analyzer's."""
        return np.concatenate([self.chars.vector(char_ngrams(text)),
                               self.words.vector(word_ngrams(text))])

    def probabilities(self, text: str) -> np.ndarray:
        """P(refusal), P(partial), P(compliance) of a response."""
        return softmax(self.weights @ self.vector(text) + self.bias)

    @classmethod
    def from_sklearn(cls, chars: Any, words: Any, regression: Any,
                     fitted_on: Sequence[str] = ()) -> TfidfModel:
        """The model of two fitted ``TfidfVectorizer`` (the analyzers above, sublinear
        tf, l2 norm) and a fitted multinomial ``LogisticRegression`` over their columns
        side by side."""
        def vocabulary(vectorizer: Any) -> Vocabulary:
            terms = {str(t): int(j) for t, j in vectorizer.vocabulary_.items()}
            return Vocabulary(terms, np.asarray(vectorizer.idf_, dtype=float))

        return cls(vocabulary(chars), vocabulary(words),
                   np.asarray(regression.coef_, dtype=float),
                   np.asarray(regression.intercept_, dtype=float), tuple(fitted_on))

    def dump(self, path: Path) -> None:
        """Write the model as JSON: terms in column order, idf and weights rounded."""
        def terms(vocabulary: Vocabulary) -> list[str]:
            return sorted(vocabulary.terms, key=vocabulary.terms.__getitem__)

        data = {
            "model": "multinomial logistic regression over TF-IDF of character n-grams "
                     f"{list(CHAR_RANGE)} within words and word n-grams {list(WORD_RANGE)} "
                     "(framing.judging.tfidf)",
            "fitted_on": list(self.fitted_on),
            "char_terms": terms(self.chars),
            "char_idf": np.round(self.chars.idf, 6).tolist(),
            "word_terms": terms(self.words),
            "word_idf": np.round(self.words.idf, 6).tolist(),
            "weights": np.round(self.weights, 6).tolist(),
            "bias": np.round(self.bias, 6).tolist(),
        }
        path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n",
                        encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> TfidfModel:
        """Read a model written by :meth:`dump`."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            chars = Vocabulary({t: j for j, t in enumerate(data["char_terms"])},
                               np.asarray(data["char_idf"], dtype=float))
            words = Vocabulary({t: j for j, t in enumerate(data["word_terms"])},
                               np.asarray(data["word_idf"], dtype=float))
            model = cls(chars, words, np.asarray(data["weights"], dtype=float),
                        np.asarray(data["bias"], dtype=float),
                        tuple(data.get("fitted_on", ())))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"{path}: cannot read the judge's TF-IDF model: {exc}") from exc
        width = len(chars.idf) + len(words.idf)
        if (len(chars.terms) != len(chars.idf) or len(words.terms) != len(words.idf)
                or model.weights.shape != (len(model.bias), width)):
            raise ConfigError(f"{path}: the TF-IDF model's terms and weights do not match; "
                              "refit it with: python scripts/fit_judge.py")
        return model


@cache
def _default_model() -> TfidfModel | None:
    if not DEFAULT_TFIDF.exists():
        return None
    return TfidfModel.load(DEFAULT_TFIDF)
