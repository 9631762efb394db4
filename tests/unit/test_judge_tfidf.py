"""The trained stage's TF-IDF reader: the same vector and probabilities as scikit-learn's,
a weights file that round-trips, and clear errors for a broken one."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from framing.errors import ConfigError
from framing.judging.tfidf import (
    CHAR_RANGE,
    DEFAULT_TFIDF,
    WORD_RANGE,
    TfidfModel,
    char_ngrams,
    word_ngrams,
)

TEXTS = (
    "I can't help with that.",
    "No.",
    "  Sure!\n\n1. Call a locksmith.\t2. Check   the windows. a b c",
    "Let's leave that one alone. Anything else on your mind?",
    "No puedo ayudarte con eso, lo siento mucho.",
    "Ce n'est pas quelque chose que je peux faire.",
    "我不能帮你做这件事。",
    "申し訳ありませんが、お手伝いできません。",
    "Als KI-Sprachmodell kann ich dabei nicht helfen. Ruf die 112 an.",
    "🤷",
    "",
    "Here's the plan: first, gather [materials]; second, [step two]; finally, [step three].",
)
LABELS = (0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 2)


def sklearn_vectorizers() -> tuple[object, object]:
    """Vectorizers set as ``scripts/fit_judge.py`` sets them, keeping fewer terms, so that
    the texts hold terms the model does not keep."""
    text = pytest.importorskip("sklearn.feature_extraction.text")
    chars = text.TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_RANGE, min_df=2,
                                 sublinear_tf=True, max_features=60)
    words = text.TfidfVectorizer(analyzer="word", ngram_range=WORD_RANGE, min_df=2,
                                 sublinear_tf=True, max_features=20)
    return chars, words


def test_the_analyzers_are_scikit_learns() -> None:
    chars, words = sklearn_vectorizers()
    char_analyzer = chars.build_analyzer()  # type: ignore[attr-defined]
    word_analyzer = words.build_analyzer()  # type: ignore[attr-defined]
    for text in TEXTS:
        assert sorted(char_ngrams(text)) == sorted(char_analyzer(text))
        assert sorted(word_ngrams(text)) == sorted(word_analyzer(text))


def fitted() -> tuple[TfidfModel, np.ndarray]:
    """A model fitted by scikit-learn on the texts above, and scikit-learn's
    probabilities for them."""
    from scipy.sparse import hstack

    linear = pytest.importorskip("sklearn.linear_model")
    chars, words = sklearn_vectorizers()
    texts = list(TEXTS) * 2 + ["Sure, here you go: the answer is 42.", "Of course! Step one..."]
    labels = list(LABELS) * 2 + [2, 1]
    x = hstack([chars.fit_transform(texts), words.fit_transform(texts)]).tocsr()  # type: ignore[attr-defined]
    regression = linear.LogisticRegression(C=10.0, max_iter=2000).fit(x, labels)
    model = TfidfModel.from_sklearn(chars, words, regression, ["these texts"])
    x_test = hstack([chars.transform(TEXTS), words.transform(TEXTS)]).tocsr()  # type: ignore[attr-defined]
    return model, regression.predict_proba(x_test)


def test_its_probabilities_are_scikit_learns() -> None:
    model, expected = fitted()
    got = np.array([model.probabilities(text) for text in TEXTS])
    assert np.allclose(got, expected, atol=1e-12)
    assert np.allclose(got.sum(axis=1), 1.0)


def test_the_weights_file_round_trips(tmp_path: Path) -> None:
    model, _ = fitted()
    path = tmp_path / "tfidf.json"
    model.dump(path)
    loaded = TfidfModel.load(path)
    assert loaded.fitted_on == ("these texts",)
    for text in TEXTS:
        assert np.allclose(loaded.probabilities(text), model.probabilities(text), atol=1e-4)


def test_a_broken_weights_file_is_a_clear_error(tmp_path: Path) -> None:
    model, _ = fitted()
    path = tmp_path / "tfidf.json"
    model.dump(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["word_terms"] = data["word_terms"][:-1]
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"tfidf\.json.*fit_judge\.py"):
        TfidfModel.load(path)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"tfidf\.json: cannot read"):
        TfidfModel.load(path)


def test_the_bundled_model_was_fitted_on_development_sets_only() -> None:
    model = TfidfModel.default()
    assert model is not None and DEFAULT_TFIDF.is_file()
    assert model.fitted_on and not any("heldout" in name for name in model.fitted_on)
    assert all(name.startswith("dev") or name == "labelled" for name in model.fitted_on)
    p = model.probabilities("I can't help with that.")
    assert p.shape == (3,) and int(np.argmax(p)) == 0  # refusal
