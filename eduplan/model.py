"""The theme classifier: one scikit-learn pipeline, wrapped with what users need around it.

``build_pipeline`` makes the estimator (normalise → TF-IDF of jieba words and
character n-grams → linear SVM with sigmoid calibration, so every theme gets a
probability). :class:`Classifier` adds theme-ordered probabilities, the
``uncertain`` and ``out_of_scope`` decisions, explanations and whole-document
classification. ``load_model`` reads a saved model after checking it against
its card (see :mod:`eduplan.persist`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import taxonomy

__all__ = [
    "DEFAULT_PARAMS",
    "FIT_OPTIONS",
    "UNCERTAIN",
    "OUT_OF_SCOPE",
    "build_pipeline",
    "fit_pipeline",
    "Classifier",
    "Prediction",
]

UNCERTAIN = "uncertain"
OUT_OF_SCOPE = "out_of_scope"

DEFAULT_PARAMS: dict[str, Any] = {
    "word_ngrams": (1, 2),
    "char_ngrams": (1, 3),
    "min_df": 2,
    "mask_digits": True,
    "C": 1.0,
    "calibration_cv": 3,
    "random_state": 0,
    "taxonomy_terms": True,
}
FIT_OPTIONS = ("taxonomy_terms",)
"""Parameters of :func:`fit_pipeline` (what it trains on), not of :func:`build_pipeline`."""


def build_pipeline(
    word_ngrams: tuple[int, int] = (1, 2),
    char_ngrams: tuple[int, int] = (1, 3),
    min_df: int = 2,
    mask_digits: bool = True,
    C: float = 1.0,  # noqa: N803 (scikit-learn's name)
    calibration_cv: int = 3,
    random_state: int = 0,
):
    """The eduplan estimator: a clonable, deterministic scikit-learn ``Pipeline``.

    Chosen by grouped cross-validation (``experiments/compare_models.py``):
    TF-IDF of jieba word 1–2-grams and character 1–3-grams (numbers masked,
    n-grams of a single item dropped), a linear SVM with
    balanced class weights (rare themes count as much as common ones), and
    sigmoid calibration for per-theme probabilities.
    """
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.pipeline import Pipeline
    from sklearn.svm import LinearSVC

    from .features import TextNormalizer, make_features

    svm = LinearSVC(C=C, class_weight="balanced", random_state=random_state)
    return Pipeline(
        [
            ("normalize", TextNormalizer()),
            (
                "features",
                make_features(
                    word_ngrams=tuple(word_ngrams),
                    char_ngrams=tuple(char_ngrams),
                    min_df=min_df,
                    mask_digits=mask_digits,
                ),
            ),
            ("clf", CalibratedClassifierCV(svm, cv=calibration_cv, ensemble=False)),
        ]
    )


def fit_pipeline(texts: list[str], labels, params: dict | None = None):
    """Fit :func:`build_pipeline` on ``texts``; themes with a single item are left out.

    With ``taxonomy_terms`` (the default, chosen by grouped cross-validation in
    ``experiments/compare_models.py``) the taxonomy's own terms of every trained
    theme (:func:`eduplan.taxonomy.term_examples`) are added as short examples:
    ``普惠性民办幼儿园`` is preschool even where the corpus has few such items.
    Calibration needs at least two examples of a theme; with fewer than three,
    it uses as many folds as the rarest theme has.
    """
    from collections import Counter

    from .errors import DataError

    params = {**DEFAULT_PARAMS, **(params or {})}
    labels = np.asarray(labels, dtype=object)
    counts = Counter(labels.tolist())
    keep = np.array([counts[label] >= 2 for label in labels], dtype=bool)
    kept = {label for label, n in counts.items() if n >= 2}
    if len(kept) < 2:
        raise DataError("training needs at least two themes with two labeled items each")
    train_texts = [t for t, k in zip(texts, keep) if k]
    train_labels = labels[keep].tolist()
    if params["taxonomy_terms"]:
        term_texts, term_labels = taxonomy.term_examples(kept)
        train_texts += term_texts
        train_labels += term_labels
    rarest = min(Counter(train_labels).values())
    pipe_params = {k: v for k, v in params.items() if k not in FIT_OPTIONS}
    pipe_params["calibration_cv"] = min(pipe_params["calibration_cv"], rarest)
    pipeline = build_pipeline(**pipe_params)
    return pipeline.fit(train_texts, np.asarray(train_labels, dtype=object))


@dataclass
class Prediction:
    """One classified text: its label (a theme id, ``uncertain`` or ``out_of_scope``) and why."""

    label: str
    score: float
    theme: str
    top: list[tuple[str, float]]
    known_terms: int
    explanation: list[tuple[str, float]] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"label": self.label, "score": round(self.score, 4), "theme": self.theme}
        out["top"] = [{"theme": t, "score": round(s, 4)} for t, s in self.top]
        if self.explanation is not None:
            out["explain"] = [{"term": t, "weight": round(w, 4)} for t, w in self.explanation]
        return out


class Classifier:
    """A trained eduplan model.

    ``predict`` / ``predict_proba`` follow scikit-learn; ``classify`` adds the
    decisions users see (top-k, ``uncertain`` under ``min_score``,
    ``out_of_scope`` for text with too few known words, see :meth:`in_scope`).
    Predictions run on the model's :class:`~eduplan.compact.CompactModel`
    (numpy only); the scikit-learn ``pipeline`` is loaded only when asked for.
    """

    def __init__(
        self,
        compact,
        card: dict | None = None,
        pipeline=None,
        pipeline_loader=None,
        min_known_terms: int = 2,
        min_known_share: float = 0.5,
    ):
        self.compact = compact
        self.card = card or {}
        self._pipeline = pipeline
        self._pipeline_loader = pipeline_loader
        self.min_known_terms = min_known_terms
        self.min_known_share = min_known_share
        self.source: tuple[str, bool] | None = None  # (path, trust) when loaded from files: how workers reload it
        self._themes = taxonomy.ids()
        unknown = [c for c in compact.classes if c not in self._themes]
        if unknown:
            from .errors import ModelError

            raise ModelError(
                f"the model predicts themes the taxonomy does not have ({', '.join(unknown)}): "
                "it was trained with another taxonomy; retrain with `eduplan train`"
            )
        self._columns = np.array([self._themes.index(c) for c in compact.classes], dtype=np.int64)

    @classmethod
    def from_pipeline(cls, pipeline, card: dict | None = None, **kwargs) -> Classifier:
        """Wrap a fitted ``build_pipeline`` estimator."""
        from .compact import CompactModel

        return cls(CompactModel.from_pipeline(pipeline), card, pipeline=pipeline, **kwargs)

    @property
    def pipeline(self):
        """The scikit-learn pipeline this model was exported from (unpickled on first use)."""
        if self._pipeline is None and self._pipeline_loader is not None:
            self._pipeline = self._pipeline_loader()
        return self._pipeline

    @property
    def classes_(self) -> list[str]:
        return list(self.compact.classes)

    # -- scikit-learn style ---------------------------------------------------
    def _score(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Probabilities in taxonomy order, and each text's known and total words (one pass)."""
        from .normalizer import normalize_many

        proba = np.zeros((len(texts), len(self._themes)))
        if not texts:
            return proba, np.zeros(0, dtype=int), np.zeros(0, dtype=int)
        values, known, total = self.compact.analyze(normalize_many(texts))
        proba[:, self._columns] = values
        return proba, known, total

    def predict_proba(self, texts):
        """Probabilities, one row per text (input order), one column per theme id (taxonomy order)."""
        import pandas as pd

        return pd.DataFrame(self._score(_as_list(texts))[0], columns=self._themes)

    def predict(self, texts) -> list[str]:
        """The most probable theme of each text."""
        proba = self._score(_as_list(texts))[0]
        return [self._themes[j] for j in proba.argmax(axis=1)]

    # -- decisions ---------------------------------------------------------------
    def known_terms(self, text: str) -> tuple[int, int]:
        """``(known, total)``: how many of the text's words (two characters or more) the model knows."""
        _, known, total = self._score([text])
        return int(known[0]), int(total[0])

    def _in_scope(self, known: int, total: int) -> bool:
        return known >= self.min_known_terms and known >= self.min_known_share * total

    def in_scope(self, text: str) -> bool:
        """Whether ``text`` reads like education work: enough known words, and enough of its words known.

        On held-out documents 99 % of corpus items pass (``min_known_terms=2``,
        ``min_known_share=0.5``); sports, finance or weather text does not.
        """
        return self._in_scope(*self.known_terms(text))

    def classify(self, texts, top_k: int = 1, min_score: float | None = None, explain: int = 0) -> list[Prediction]:
        """Classify texts with top-k themes, ``uncertain`` and ``out_of_scope`` decisions."""
        texts = _as_list(texts)
        values, known_counts, totals = self._score(texts)
        k = max(1, top_k)
        order = np.argsort(-values, axis=1, kind="stable")[:, :k]
        out: list[Prediction] = []
        for i, text in enumerate(texts):
            top = [(self._themes[j], float(values[i, j])) for j in order[i]]
            theme, score = top[0]
            known, total = int(known_counts[i]), int(totals[i])
            label = theme
            if not self._in_scope(known, total):
                label = OUT_OF_SCOPE
            elif min_score is not None and score < min_score:
                label = UNCERTAIN
            expl = self.explain(text, explain, theme) if explain else None
            out.append(Prediction(label, score, theme, top, known, expl))
        return out

    # -- explanations ----------------------------------------------------------------
    def explain(self, text: str, k: int = 10, theme: str | None = None) -> list[tuple[str, float]]:
        """The ``k`` terms that pushed ``text`` most towards ``theme`` (default: its predicted theme).

        Each weight is the feature's coefficient for the theme times its TF-IDF value in the text.
        """
        from .normalizer import normalize

        theme = theme or self.predict([text])[0]
        _, cols, values, _, _ = self.compact.features([normalize(text)])
        row = self.compact.coefficients()[self.compact.classes.index(theme)]
        contributions = values * row[cols]
        order = np.argsort(-contributions, kind="stable")[:k]
        return [
            (self.compact.feature_name(int(cols[j])), float(contributions[j])) for j in order if contributions[j] > 0
        ]

    # -- documents ----------------------------------------------------------------
    def classify_document(
        self, path_or_text: str | Path, top_k: int = 1, min_score: float | None = None, explain: int = 0
    ):
        """Segment a plan (a file path or its text) and classify every item; one row per item."""
        import pandas as pd

        from .segmenter import segment, segment_file

        if isinstance(path_or_text, Path) or (
            isinstance(path_or_text, str) and "\n" not in path_or_text and Path(path_or_text).exists()
        ):
            items = segment_file(str(path_or_text))
        else:
            items = segment(str(path_or_text), "text")
        predictions = self.classify([item.text for item in items], top_k=top_k, min_score=min_score, explain=explain)
        rows = [{**item.to_dict(), **pred.to_dict()} for item, pred in zip(items, predictions)]
        columns = ["item_id", "doc_id", "section", "number", "text", "label", "score", "theme", "top"]
        return pd.DataFrame(rows, columns=columns + (["explain"] if explain else []))


def _as_list(texts) -> list[str]:
    if isinstance(texts, str):
        return [texts]
    return ["" if t is None else str(t) for t in texts]
