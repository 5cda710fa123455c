"""Text features: the normalising step and the TF-IDF union of words and characters.

The tokenizer (:mod:`eduplan.tokens`) is a module-level function, never a
lambda, so saved pipelines load in any process. Chinese one-character words matter (``园``, ``校``), so the
word vectorizer uses the tokenizer directly instead of ``token_pattern``.
"""

from __future__ import annotations

from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from .normalizer import normalize
from .tokens import mask_numbers, word_tokens

__all__ = ["TextNormalizer", "make_features"]


class TextNormalizer(BaseEstimator, TransformerMixin):
    """Pipeline step applying :func:`eduplan.normalizer.normalize` to every text."""

    def fit(self, X, y=None):  # noqa: N803 (scikit-learn's naming)
        return self

    def transform(self, X):  # noqa: N803
        return [normalize(str(text)) for text in X]


def make_features(
    words: bool = True,
    chars: bool = True,
    word_ngrams: tuple[int, int] = (1, 2),
    char_ngrams: tuple[int, int] = (1, 3),
    min_df: int = 2,
    sublinear_tf: bool = True,
    max_features: int | None = None,
    mask_digits: bool = True,
) -> FeatureUnion:
    """The TF-IDF union of jieba word n-grams and character n-grams (either may be switched off).

    ``min_df=2`` keeps only n-grams seen in two items or more, and ``mask_digits``
    maps numbers to ``0``: both stop the model from memorising one item's wording.
    """
    shared = {
        "preprocessor": mask_numbers if mask_digits else None,
        "min_df": min_df,
        "sublinear_tf": sublinear_tf,
        "max_features": max_features,
    }
    parts = []
    if words:
        vectorizer = TfidfVectorizer(
            tokenizer=word_tokens, token_pattern=None, lowercase=False, ngram_range=word_ngrams, **shared
        )
        parts.append(("words", vectorizer))
    if chars:
        parts.append(("chars", TfidfVectorizer(analyzer="char", ngram_range=char_ngrams, lowercase=True, **shared)))
    if not parts:
        raise ValueError("at least one of words or chars must be used")
    return FeatureUnion(parts)
