"""The trainable model: one scikit-learn pipeline from records to themes.

``records`` (normalise the text and its context) → ``features`` (the union of
the registered blocks :class:`TrainConfig` names) → ``heads`` (primary and
secondary themes). :func:`fit_pipeline` trains it on labeled records and
:func:`export` turns the fitted pipeline into the numpy-only
:class:`~eduplan.runtime.CompactModel` that classifying uses, after checking
every block's runtime against its fitted vectorizer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from . import taxonomy
from .config import TrainConfig
from .records import Columns, as_columns

__all__ = ["RecordNormalizer", "build_pipeline", "fit_pipeline", "fit_frame", "export", "secondary_lists"]


class RecordNormalizer(TransformerMixin, BaseEstimator):
    """Pipeline step: any input (strings, records, a frame) as :class:`Columns` of normalised text."""

    def fit(self, X, y=None):  # noqa: N803 (scikit-learn's naming)
        return self

    def transform(self, X) -> Columns:  # noqa: N803
        from .normalizer import normalize_many

        return as_columns(X).map(normalize_many)


def build_pipeline(config: TrainConfig | None = None):
    """The eduplan estimator for ``config``: a clonable, deterministic scikit-learn ``Pipeline``."""
    from sklearn.pipeline import FeatureUnion, Pipeline

    from .features import make_block
    from .heads import PrimaryHead, SecondaryHead, ThemeHeads

    config = config or TrainConfig()
    blocks = [(name, make_block(name, config)) for name in config.blocks]
    primary = PrimaryHead(C=config.C, calibration_cv=config.calibration_cv, random_state=config.random_state)
    secondary = (
        SecondaryHead(C=config.secondary_C, threshold=config.secondary_threshold, random_state=config.random_state)
        if config.secondary
        else None
    )
    return Pipeline(
        [
            ("records", RecordNormalizer()),
            ("features", FeatureUnion(blocks)),
            ("heads", ThemeHeads(primary=primary, secondary=secondary)),
        ]
    )


def secondary_lists(values: Sequence[str]) -> list[list[str]]:
    """The corpus's ``secondary`` cells (``"teachers;safety"``) as lists of theme ids."""
    from .corpus import secondary_ids

    return [secondary_ids(v) for v in values]


def fit_pipeline(
    records: Any,
    labels: Sequence[str],
    secondary: Sequence[Sequence[str]] | None = None,
    config: TrainConfig | None = None,
    sample_weight: Sequence[float] | None = None,
):
    """Fit :func:`build_pipeline` on ``records`` (strings, records or a frame) and their labels.

    Themes with a single item are left out. With ``taxonomy_terms`` the
    taxonomy's own terms of every trained theme are added as short examples
    (no context): ``普惠性民办幼儿园`` is preschool even where the corpus has few
    such items. ``secondary`` (a list of theme ids per record) trains the
    secondary head; ``sample_weight`` (one per record) makes some records count more.
    """
    from .errors import DataError

    config = config or TrainConfig()
    columns = as_columns(records)
    labels = [str(label) for label in labels]
    extra = [list(s) for s in secondary] if secondary is not None else [[] for _ in labels]
    weights = [float(w) for w in sample_weight] if sample_weight is not None else [1.0] * len(labels)
    counts = Counter(labels)
    kept = {label for label, n in counts.items() if n >= 2}
    if len(kept) < 2:
        raise DataError("training needs at least two themes with two labeled items each")
    keep = [i for i, label in enumerate(labels) if label in kept]
    columns = columns.take(keep)
    labels = [labels[i] for i in keep]
    extra = [[s for s in extra[i] if s in kept] for i in keep]
    weights = [weights[i] for i in keep]
    if config.taxonomy_terms:
        term_texts, term_labels = taxonomy.term_examples(kept)
        columns = Columns(
            columns.text + term_texts,
            columns.section + [""] * len(term_texts),
            columns.title + [""] * len(term_texts),
        )
        labels += term_labels
        extra += [[] for _ in term_labels]
        weights += [1.0] * len(term_labels)
    pipeline = build_pipeline(config)
    weight = None if all(w == 1.0 for w in weights) else np.asarray(weights)
    return pipeline.fit(columns, np.asarray(labels, dtype=object), heads__secondary=extra, heads__sample_weight=weight)


def fit_frame(frame, config: TrainConfig | None = None, sample_weight: Sequence[float] | None = None):
    """:func:`fit_pipeline` on a labeled frame: ``text``, ``label``, optional ``section``, ``title`` and ``secondary``."""
    secondary = secondary_lists(frame["secondary"]) if "secondary" in frame else None
    return fit_pipeline(frame, frame["label"], secondary, config, sample_weight)


def export(pipeline, check: Any):
    """The fitted ``pipeline`` as a :class:`~eduplan.runtime.CompactModel`.

    Every block's runtime is checked against the fitted vectorizer on the
    records ``check`` (the training records): a pipeline whose settings the
    runtime cannot reproduce is refused with ``ValueError``.
    """
    from .features import check_parity
    from .runtime import CompactModel, runtime_from_arrays

    union = pipeline.named_steps["features"]
    heads = pipeline.named_steps["heads"]
    if union.transformer_weights:
        raise ValueError("feature blocks with transformer weights cannot be exported")
    normalized = pipeline.named_steps["records"].transform(check)
    blocks = []
    for name, block in union.transformer_list:
        arrays = block.export()
        check_parity(name, block, runtime_from_arrays(arrays), normalized)
        blocks.append((name, arrays))
    secondary = heads.secondary_.export() if heads.secondary_ is not None else None
    return CompactModel.from_parts(blocks, heads.primary_.export(), secondary)
