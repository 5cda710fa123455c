"""Text features: the normalising step, the word tokenizer and the TF-IDF union.

Tokenizers are module-level functions (never lambdas) so that saved pipelines
load in any process. Chinese one-character words matter (``园``, ``校``), so the
word vectorizer uses the tokenizer directly instead of ``token_pattern``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from .normalize import normalize

__all__ = ["TextNormalizer", "word_tokens", "mask_numbers", "make_features"]

_WORDLIKE = re.compile(r"[\w\u4e00-\u9fff]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def mask_numbers(text: str) -> str:
    """Lower-case ``text`` and replace every number by ``0``: figures (``5010个``) say nothing about the theme."""
    return _NUMBER.sub("0", text.lower())


class TextNormalizer(BaseEstimator, TransformerMixin):
    """Pipeline step applying :func:`eduplan.normalize.normalize` to every text."""

    def fit(self, X, y=None):  # noqa: N803 (scikit-learn's naming)
        return self

    def transform(self, X):  # noqa: N803
        return [normalize(str(text)) for text in X]


@lru_cache(maxsize=1)
def _jieba():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def word_tokens(text: str) -> list[str]:
    """Segment normalised ``text`` into words with jieba; punctuation and spaces are dropped."""
    return [tok.lower() for tok in _jieba().lcut(text) if _WORDLIKE.search(tok)]


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
    preprocessor = mask_numbers if mask_digits else None
    parts = []
    if words:
        parts.append(
            (
                "words",
                TfidfVectorizer(
                    tokenizer=word_tokens,
                    token_pattern=None,
                    lowercase=False,
                    preprocessor=preprocessor,
                    ngram_range=word_ngrams,
                    min_df=min_df,
                    sublinear_tf=sublinear_tf,
                    max_features=max_features,
                ),
            )
        )
    if chars:
        parts.append(
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char",
                    ngram_range=char_ngrams,
                    lowercase=True,
                    preprocessor=preprocessor,
                    min_df=min_df,
                    sublinear_tf=sublinear_tf,
                    max_features=max_features,
                ),
            )
        )
    if not parts:
        raise ValueError("at least one of words or chars must be used")
    return FeatureUnion(parts)
