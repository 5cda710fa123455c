"""Feature blocks: each one a scikit-learn transformer that exports its arrays and recomputes itself from them.

A block reads one column of the records (``text``, ``section`` or ``title``,
see :mod:`eduplan.records`) and turns it into l2-normalised TF-IDF values of
jieba word n-grams (:class:`WordBlock`) or character n-grams
(:class:`CharBlock`). Training fits it as a transformer inside the pipeline;
:meth:`Block.export` writes what it computes with (terms, idf, settings) as
plain arrays, and its runtime (:class:`WordRuntime`, :class:`CharRuntime`)
computes the same values from those arrays with numpy alone. Export checks the
runtime against the fitted vectorizer on the training records and refuses
settings the runtime cannot reproduce.

Adding a block is one registration (:func:`register_block`); a new kind of
block also registers its runtime (:func:`register_runtime`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from .records import Columns
from .runtime import prepare_function
from .tokens import word_tokens

__all__ = ["Block", "WordBlock", "CharBlock", "register_block", "registered_blocks", "make_block", "check_parity"]

PARITY_TOLERANCE = 1e-9


def _column(X: Any, name: str) -> list[str]:
    if isinstance(X, Columns):
        return X.get(name)
    if name != "text":
        return [""] * len(X)
    return ["" if t is None else str(t) for t in X]


# ------------------------------------------------------------------ fitted blocks


class Block(TransformerMixin, BaseEstimator):
    """A TF-IDF block over one column; subclasses give the vectorizer and the runtime ``kind``."""

    kind = ""

    def __init__(
        self,
        column: str = "text",
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int = 2,
        sublinear_tf: bool = True,
        mask_digits: bool = True,
        weight: float = 1.0,
    ):
        self.column = column
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf
        self.mask_digits = mask_digits
        self.weight = weight

    def _vectorizer(self):
        raise NotImplementedError

    def fit(self, X, y=None):  # noqa: N803 (scikit-learn's naming)
        texts = _column(X, self.column)
        vectorizer = self._vectorizer()
        try:
            vectorizer.fit(texts)
        except ValueError:  # empty vocabulary: a column without content (no context given)
            vectorizer = None
        self.vectorizer_ = vectorizer
        self.n_features_ = len(vectorizer.vocabulary_) if vectorizer is not None else 0
        return self

    def transform(self, X):  # noqa: N803
        from scipy.sparse import csr_matrix

        texts = _column(X, self.column)
        if self.vectorizer_ is None:
            return csr_matrix((len(texts), 0))
        values = self.vectorizer_.transform(texts)
        return values * self.weight if self.weight != 1.0 else values

    def terms(self) -> list[str]:
        """The fitted terms in column order."""
        if self.vectorizer_ is None:
            return []
        terms = [""] * len(self.vectorizer_.vocabulary_)
        for term, index in self.vectorizer_.vocabulary_.items():
            terms[index] = term
        return terms

    def export(self) -> dict[str, np.ndarray]:
        """The arrays the runtime computes with; raises ``ValueError`` for settings it cannot reproduce."""
        vectorizer = self.vectorizer_
        if vectorizer is not None:
            expected = self._vectorizer()
            for name in ("analyzer", "norm", "use_idf", "smooth_idf", "max_features", "binary", "ngram_range"):
                if getattr(vectorizer, name) != getattr(expected, name):
                    raise ValueError(f"block {self.kind}/{self.column}: {name}={getattr(vectorizer, name)!r} cannot be exported")
        return {
            "kind": np.array(self.kind),
            "column": np.array(self.column),
            "terms": np.array(self.terms(), dtype=str),
            "idf": np.asarray(vectorizer.idf_ if vectorizer is not None else np.zeros(0), dtype=np.float64),
            "ngram_range": np.array(self.ngram_range, dtype=np.int64),
            "sublinear": np.array(bool(self.sublinear_tf)),
            "mask_digits": np.array(bool(self.mask_digits)),
            "weight": np.array(float(self.weight)),
        }


class WordBlock(Block):
    """TF-IDF of jieba word n-grams (one-character words kept: ``园``, ``校``)."""

    kind = "words"

    def _vectorizer(self):
        from sklearn.feature_extraction.text import TfidfVectorizer

        return TfidfVectorizer(
            tokenizer=word_tokens,
            token_pattern=None,
            lowercase=False,
            preprocessor=prepare_function(self.mask_digits),
            ngram_range=tuple(self.ngram_range),
            min_df=self.min_df,
            sublinear_tf=self.sublinear_tf,
        )


class CharBlock(Block):
    """TF-IDF of character n-grams (white space runs collapsed, as scikit-learn's ``char`` analyzer does)."""

    kind = "chars"

    def _vectorizer(self):
        from sklearn.feature_extraction.text import TfidfVectorizer

        return TfidfVectorizer(
            analyzer="char",
            lowercase=False,
            preprocessor=prepare_function(self.mask_digits),
            ngram_range=tuple(self.ngram_range),
            min_df=self.min_df,
            sublinear_tf=self.sublinear_tf,
        )


# ------------------------------------------------------------------ registry

_BLOCKS: dict[str, Callable[[Any], Block]] = {}


def register_block(name: str, make: Callable[[Any], Block]) -> None:
    """Register a block under ``name``: ``make(config)`` returns the unfitted block (``TrainConfig.blocks`` names it).

    Its runtime is the one registered for the block's ``kind`` in :mod:`eduplan.runtime`.
    """
    _BLOCKS[name] = make


def registered_blocks() -> list[str]:
    """Names of the registered blocks, in registration order."""
    return list(_BLOCKS)


def make_block(name: str, config: Any) -> Block:
    """The unfitted block ``name`` for a :class:`~eduplan.config.TrainConfig`."""
    return _BLOCKS[name](config)


def check_parity(name: str, block: Block, runtime, records: Columns) -> float:
    """Largest difference between ``runtime`` and the fitted ``block`` on ``records``; ``ValueError`` above 1e-9."""
    from scipy.sparse import csr_matrix

    expected = block.transform(records)
    indptr, cols, data = runtime.transform(records)
    actual = csr_matrix((data, cols, indptr), shape=expected.shape)
    difference = abs(expected - actual).max() if expected.nnz or actual.nnz else 0.0
    if difference > PARITY_TOLERANCE:
        raise ValueError(
            f"feature block {name!r}: the runtime differs from the fitted vectorizer by {difference:.3g} "
            "on the training records; these settings cannot be exported"
        )
    return float(difference)


register_block(
    "words",
    lambda c: WordBlock("text", (c.word_ngram_min, c.word_ngram_max), c.min_df, c.sublinear_tf, c.mask_digits),
)
register_block(
    "chars",
    lambda c: CharBlock("text", (c.char_ngram_min, c.char_ngram_max), c.min_df, c.sublinear_tf, c.mask_digits),
)
register_block(
    "section",
    lambda c: WordBlock("section", (1, c.context_ngram_max), c.min_df, c.sublinear_tf, True, c.section_weight),
)
register_block(
    "title", lambda c: WordBlock("title", (1, c.context_ngram_max), c.min_df, c.sublinear_tf, True, c.title_weight)
)
