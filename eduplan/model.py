"""The classifier users hold: theme probabilities and the decisions around them, over strings or records.

:class:`Classifier` runs on a :class:`~eduplan.runtime.CompactModel` (numpy
only). ``predict`` / ``predict_proba`` follow scikit-learn; ``classify`` adds
what users see: the ``label`` (a theme id, ``uncertain`` under ``min_score``,
or ``out_of_scope`` for text with too few words the model knows), the top-k
themes, secondary themes and explanations. Every method takes plain strings
(no context), :class:`~eduplan.records.Item` records, mappings or a DataFrame
with ``text`` and optional ``section`` and ``title`` columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import taxonomy
from .errors import ModelError, UsageError
from .records import Columns, as_columns

__all__ = ["UNCERTAIN", "OUT_OF_SCOPE", "Classifier", "Prediction", "Scores"]

UNCERTAIN = "uncertain"
OUT_OF_SCOPE = "out_of_scope"
MAX_TEXT = 50_000
"""Characters of an item the model reads: a longer item (no corpus item has 1,000) is judged on its beginning,
so that one runaway item cannot take gigabytes."""


@dataclass
class Scores:
    """What one pass of the model gives for a batch: probabilities per theme (taxonomy order) and word counts."""

    proba: np.ndarray
    covered: np.ndarray | None  # per theme of the taxonomy: probability that the item covers it (secondary head)
    known: np.ndarray
    total: np.ndarray


@dataclass
class Prediction:
    """One classified text: its ``label`` (a theme id, ``uncertain`` or ``out_of_scope``), score and alternatives."""

    label: str
    score: float
    top: list[tuple[str, float]]
    secondary: list[str] = field(default_factory=list)
    explanation: list[tuple[str, float]] | None = None


class Classifier:
    """A trained eduplan model (see the module docstring)."""

    def __init__(
        self,
        compact,
        card: dict | None = None,
        pipeline_loader=None,
        min_known_terms: int = 2,
        min_known_share: float = 0.5,
    ):
        self.compact = compact
        self.card = card or {}
        self._pipeline = None
        self._pipeline_loader = pipeline_loader
        self.min_known_terms = min_known_terms
        self.min_known_share = min_known_share
        self._themes = taxonomy.ids()
        unknown = [c for c in compact.classes if c not in self._themes]
        if unknown:
            raise ModelError(
                f"the model predicts themes the taxonomy does not have ({', '.join(unknown)}): "
                "it was trained with another taxonomy; retrain it"
            )
        self._columns = np.array([self._themes.index(c) for c in compact.classes], dtype=np.int64)
        secondary = compact.secondary
        self._covered_columns = (
            np.array([self._themes.index(c) for c in secondary.classes], dtype=np.int64) if secondary else None
        )

    @classmethod
    def from_pipeline(cls, pipeline, records, card: dict | None = None, **kwargs) -> Classifier:
        """Wrap a fitted :func:`~eduplan.estimator.build_pipeline` estimator; its runtime is checked on ``records``."""
        from .estimator import export

        classifier = cls(export(pipeline, records), card, **kwargs)
        classifier._pipeline = pipeline
        return classifier

    @property
    def pipeline(self):
        """The scikit-learn pipeline this model was exported from; loading it unpickles, so it needs a trusted model."""
        if self._pipeline is None:
            if self._pipeline_loader is None:
                raise ModelError("this model has no scikit-learn pipeline to load")
            self._pipeline = self._pipeline_loader()
        return self._pipeline

    @property
    def classes_(self) -> list[str]:
        return list(self.compact.classes)

    @property
    def has_secondary(self) -> bool:
        return self.compact.secondary is not None

    # -- scores -------------------------------------------------------------------
    def scores(self, inputs, secondary: bool = True) -> Scores:
        """Probabilities in taxonomy order and known-word counts for any input (one pass of the model).

        ``secondary=False`` skips the secondary head (``covered`` is then ``None``).
        """
        from .normalizer import normalize_many

        columns = as_columns(inputs)
        n = len(columns)
        proba = np.zeros((n, len(self._themes)))
        covered = np.zeros((n, len(self._themes))) if self.has_secondary and secondary else None
        if not n:
            return Scores(proba, covered, np.zeros(0, dtype=int), np.zeros(0, dtype=int))
        if max(map(len, columns.text)) > MAX_TEXT:
            columns = Columns([t[:MAX_TEXT] for t in columns.text], columns.section, columns.title)
        primary, cover, known, total = self.compact.analyze(columns.map(normalize_many), secondary)
        proba[:, self._columns] = primary
        if covered is not None:
            covered[:, self._covered_columns] = cover
        return Scores(proba, covered, known, total)

    def predict_proba(self, inputs):
        """Probabilities, one row per input (input order), one column per theme id (taxonomy order)."""
        import pandas as pd

        return pd.DataFrame(self.scores(inputs, secondary=False).proba, columns=self._themes)

    def predict(self, inputs) -> list[str]:
        """The most probable theme of each input."""
        proba = self.scores(inputs, secondary=False).proba
        return [self._themes[j] for j in proba.argmax(axis=1)]

    # -- decisions ---------------------------------------------------------------
    def in_scope(self, text: str) -> bool:
        """Whether ``text`` reads like education work: enough known words, and enough of its words known.

        On held-out documents 99 % of corpus items pass (``min_known_terms=2``,
        ``min_known_share=0.5``); sports, finance or weather text does not.
        """
        scores = self.scores(text)
        return bool(self._in_scope(scores.known, scores.total)[0])

    def _in_scope(self, known: np.ndarray, total: np.ndarray) -> np.ndarray:
        return (known >= self.min_known_terms) & (known >= self.min_known_share * total)

    def labels(self, scores: Scores, min_score: float | None = None) -> list[str]:
        """The decided label of each row of ``scores``: a theme id, ``out_of_scope`` or ``uncertain``."""
        best = scores.proba.argmax(axis=1)
        n_themes = len(self._themes)
        if min_score is not None:
            best[scores.proba[np.arange(len(best)), best] < min_score] = n_themes + 1
        best[~self._in_scope(scores.known, scores.total)] = n_themes
        names = [*self._themes, OUT_OF_SCOPE, UNCERTAIN]
        return list(map(names.__getitem__, best.tolist()))

    def secondary(self, scores: Scores, labels: list[str]) -> list[list[str]]:
        """Secondary themes of each row: covering probability at or above the model's threshold, not the label."""
        if scores.covered is None:
            return [[] for _ in labels]
        from .runtime import secondary_themes

        primary = [self._themes[j] for j in scores.proba.argmax(axis=1)]
        return secondary_themes(scores.covered, self._themes, primary, self.compact.secondary.threshold)

    def prediction_rows(
        self, inputs, top_k: int = 1, min_score: float | None = None, explain: int = 0, scores: Scores | None = None
    ) -> list[dict[str, Any]]:
        """One output row per input, built straight from the score arrays: ``label``, ``theme_zh``, ``score``,
        ``secondary``, and ``top`` (with ``top_k`` > 1) and ``explain`` (with ``explain`` terms).

        ``scores`` may be given when they were computed already (by a worker process).
        """
        columns = self.prediction_columns(inputs, top_k, min_score, explain, scores)
        names = list(columns)
        return [dict(zip(names, values)) for values in zip(*columns.values())]

    def prediction_columns(
        self, inputs, top_k: int = 1, min_score: float | None = None, explain: int = 0, scores: Scores | None = None
    ) -> dict[str, list]:
        """:meth:`prediction_rows` as one list per output column (what the writers take in bulk)."""
        check_options(top_k, min_score, explain)
        columns = as_columns(inputs)
        scores = scores if scores is not None else self.scores(columns)
        labels = self.labels(scores, min_score)
        order = scores.proba.argmax(axis=1)[:, None] if top_k == 1 else np.argsort(-scores.proba, axis=1, kind="stable")[:, :top_k]
        best = np.round(np.take_along_axis(scores.proba, order, axis=1), 4)
        names = taxonomy._names("zh")
        out: dict[str, list] = {
            "label": labels,
            "theme_zh": [names.get(label, "") for label in labels],
            "score": best[:, 0].tolist(),
            "secondary": self.secondary(scores, labels),
        }
        if top_k > 1:
            themes = self._themes
            out["top"] = [[{"theme": themes[j], "score": p} for j, p in zip(js, b)] for js, b in zip(order.tolist(), best.tolist())]
        if explain:
            out["explain"] = [
                [{"term": t, "weight": round(w, 4)} for t, w in self.explain(columns.take([i]), explain, self._themes[int(order[i, 0])])]
                for i in range(len(columns))
            ]
        return out

    def classify(
        self, inputs, top_k: int = 1, min_score: float | None = None, explain: int = 0
    ) -> list[Prediction]:
        """Classify inputs: label, score, top-k themes, secondary themes and, with ``explain``, the deciding terms."""
        check_options(top_k, min_score, explain)
        columns = as_columns(inputs)
        scores = self.scores(columns)
        order = np.argsort(-scores.proba, axis=1, kind="stable")[:, :top_k]
        out = []
        for i, row in enumerate(self.prediction_rows(columns, 1, min_score, explain, scores)):
            top = [(self._themes[j], float(scores.proba[i, j])) for j in order[i]]
            terms = [(e["term"], e["weight"]) for e in row["explain"]] if explain else None
            out.append(Prediction(row["label"], top[0][1], top, row["secondary"], terms))
        return out

    # -- explanations ----------------------------------------------------------------
    def explain(self, inputs, k: int = 10, theme: str | None = None) -> list[tuple[str, float]]:
        """The ``k`` terms that pushed the (first) input most towards ``theme`` (default: its predicted theme).

        Each weight is the feature's coefficient for the theme times its TF-IDF
        value. A term is shown once, and a single character is left out where a
        longer shown term already contains it.
        """
        from .normalizer import normalize_many

        columns = as_columns(inputs).take([0])
        columns = Columns([columns.text[0][:MAX_TEXT]], columns.section, columns.title)
        theme = theme or self.predict(columns)[0]
        if theme not in self.compact.classes:
            return []
        rows, cols, values, _, _ = self.compact.features(columns.map(normalize_many))
        row = self.compact.primary.coefficients()[self.compact.classes.index(theme)]
        contributions = values * row[cols]
        best: dict[str, float] = {}
        for j in np.argsort(-contributions, kind="stable"):
            if contributions[j] <= 0:
                break
            name = self.compact.feature_name(int(cols[j]))
            best[name] = best.get(name, 0.0) + float(contributions[j])
        ranked = sorted(best.items(), key=lambda item: -item[1])
        shown: list[tuple[str, float]] = []
        for name, weight in ranked:
            if len(shown) >= k:
                break
            bare = name.split(":", 1)[-1].replace(" ", "")
            if len(bare) == 1 and any(bare in other.split(":", 1)[-1] for other, _ in ranked if other != name and len(other) > 1):
                continue
            shown.append((name, weight))
        return shown


def check_options(top_k: int, min_score: float | None, explain: int) -> None:
    """Refuse options that make no sense (the same checks for the library and the command line)."""
    n_themes = len(taxonomy.ids())
    if not 1 <= top_k <= n_themes:
        raise UsageError(f"top_k must be between 1 and {n_themes} (the number of themes), got {top_k}", option="--top-k")
    if min_score is not None and not 0 <= min_score <= 1:
        raise UsageError(f"min_score must be between 0 and 1, got {min_score}", option="--min-score")
    if explain < 0:
        raise UsageError(f"explain must be 0 or more terms, got {explain}", option="--explain")

