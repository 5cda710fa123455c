"""Heads: what the model predicts from the feature matrix, each fitted with scikit-learn and decoded with numpy.

- :class:`PrimaryHead`: one theme per item. A linear SVM with balanced class
  weights and sigmoid calibration, so every theme gets a probability.
- :class:`SecondaryHead`: the themes an item substantially covers (its primary
  and secondary themes of the corpus), one-vs-rest logistic regressions. A
  theme other than the primary whose probability reaches ``threshold`` is a
  secondary theme.
- :class:`ThemeHeads`: the last step of the pipeline, holding both.

Each head exports its arrays (:meth:`export`); its runtime in
:mod:`eduplan.runtime` (``PrimaryRuntime``, ``SecondaryRuntime``) computes the
same probabilities from them with numpy alone.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone

__all__ = ["PrimaryHead", "SecondaryHead", "ThemeHeads"]


class PrimaryHead(ClassifierMixin, BaseEstimator):
    """Calibrated linear SVM over the feature blocks: one theme per item, a probability for every theme."""

    def __init__(self, C: float = 1.0, calibration_cv: int = 3, random_state: int = 0):  # noqa: N803
        self.C = C
        self.calibration_cv = calibration_cv
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None):  # noqa: N803
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.svm import LinearSVC

        y = np.asarray(y, dtype=object)
        folds = max(2, min(self.calibration_cv, min(Counter(y.tolist()).values())))
        svm = LinearSVC(C=self.C, class_weight="balanced", random_state=self.random_state)
        self.model_ = CalibratedClassifierCV(svm, cv=folds, ensemble=False).fit(X, y, sample_weight=sample_weight)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):  # noqa: N803
        return self.model_.predict_proba(X)

    def predict(self, X):  # noqa: N803
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def export(self) -> dict[str, np.ndarray]:
        calibrated = self.model_.calibrated_classifiers_[0]
        svm = calibrated.estimator
        return {
            "classes": np.array([str(c) for c in self.classes_]),
            "coef": np.asarray(svm.coef_, dtype=np.float64),
            "intercept": np.asarray(svm.intercept_, dtype=np.float64),
            "calib_a": np.array([c.a_ for c in calibrated.calibrators], dtype=np.float64),
            "calib_b": np.array([c.b_ for c in calibrated.calibrators], dtype=np.float64),
        }


class SecondaryHead(BaseEstimator):
    """One-vs-rest logistic regressions: the probability that an item substantially covers each theme."""

    def __init__(self, C: float = 4.0, threshold: float = 0.35, random_state: int = 0):  # noqa: N803
        self.C = C
        self.threshold = threshold
        self.random_state = random_state

    def fit(self, X, covered, sample_weight=None):  # noqa: N803
        """``covered``: for each row, the set of themes it covers (its primary and secondary themes)."""
        from sklearn.linear_model import LogisticRegression

        counts = Counter(theme for themes in covered for theme in themes)
        n = X.shape[0]
        self.classes_ = np.array(sorted(t for t, c in counts.items() if 2 <= c <= n - 2))
        coefs, intercepts = [], []
        for theme in self.classes_:
            target = np.array([theme in themes for themes in covered], dtype=int)
            model = LogisticRegression(
                C=self.C, class_weight="balanced", solver="liblinear", random_state=self.random_state
            ).fit(X, target, sample_weight=sample_weight)
            coefs.append(model.coef_[0])
            intercepts.append(model.intercept_[0])
        width = X.shape[1]
        self.coef_ = np.array(coefs, dtype=np.float64).reshape(len(self.classes_), width)
        self.intercept_ = np.array(intercepts, dtype=np.float64)
        return self

    def predict_proba(self, X):  # noqa: N803
        decision = np.asarray(X @ self.coef_.T) + self.intercept_
        return 1.0 / (1.0 + np.exp(-decision))

    def export(self) -> dict[str, np.ndarray]:
        return {
            "classes": np.array([str(c) for c in self.classes_], dtype=str),
            "coef": self.coef_,
            "intercept": self.intercept_,
            "threshold": np.array(float(self.threshold)),
        }


class ThemeHeads(ClassifierMixin, BaseEstimator):
    """The pipeline's last step: the primary head, and the secondary head when the corpus gives secondary themes."""

    def __init__(self, primary=None, secondary=None):
        self.primary = primary
        self.secondary = secondary

    def fit(self, X, y, secondary=None, sample_weight=None):  # noqa: N803
        """Fit on labels ``y``; ``secondary`` (one list of theme ids per row) trains the secondary head;
        ``sample_weight`` makes some rows (a user's corrections) count more."""
        primary = clone(self.primary if self.primary is not None else PrimaryHead())
        self.primary_ = primary.fit(X, y, sample_weight=sample_weight)
        self.classes_ = self.primary_.classes_
        self.secondary_ = None
        if self.secondary is not None and secondary is not None:
            covered = [{str(label), *extra} for label, extra in zip(y, secondary)]
            self.secondary_ = clone(self.secondary).fit(X, covered, sample_weight=sample_weight)
        return self

    def predict_proba(self, X):  # noqa: N803
        return self.primary_.predict_proba(X)

    def predict(self, X):  # noqa: N803
        return self.primary_.predict(X)

    def secondary_proba(self, X):  # noqa: N803
        """Probabilities of covering each theme of ``secondary_.classes_`` (``None`` without a secondary head)."""
        return None if self.secondary_ is None else self.secondary_.predict_proba(X)
