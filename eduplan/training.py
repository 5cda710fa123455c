"""Training the default model: grouped cross-validation figures, then a fit on every labeled item."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from . import taxonomy
from .corpus import training_items
from .persist import library_versions, save_model, sha256_file

__all__ = ["train"]


def train(
    data: str | Path = "data/items.csv",
    out: str | Path = "model",
    params: dict | None = None,
    n_splits: int = 5,
    cross_validation: bool = True,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Train on every labeled item of ``data`` (not ``skip``) and write the model and its card to ``out``.

    Returns the card: theme ids, corpus sha256 and size, library versions,
    parameters, grouped-CV accuracy and macro-F1, creation time, model sha256.
    """
    from .evaluation import cross_validate, score
    from .model import DEFAULT_PARAMS, fit_pipeline

    params = {**DEFAULT_PARAMS, **(params or {})}
    frame = training_items(data)
    Path(out).mkdir(parents=True, exist_ok=True)  # an --out that cannot be written fails now, not after training
    card: dict = {
        "themes": taxonomy.ids(),
        "corpus": {
            "file": Path(data).name,
            "sha256": sha256_file(data),
            "items": int(len(frame)),
            "documents": int(frame["doc_id"].nunique()),
        },
        "versions": library_versions(),
        "params": {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()},
    }
    if cross_validation:
        started = time.perf_counter()
        proba = cross_validate(frame, params, n_splits, progress)
        result = score(frame["label"], proba)
        card["cv"] = {
            "method": f"GroupKFold({min(n_splits, frame['doc_id'].nunique())}) by doc_id",
            "accuracy": result["accuracy"],
            "macro_f1": result["macro_f1"],
            "per_theme": result["per_theme"],
            "seconds": round(time.perf_counter() - started, 1),
        }
    if progress:
        progress(f"fitting the final model on {len(frame)} items")
    started = time.perf_counter()
    pipeline = fit_pipeline(frame["text"].tolist(), frame["label"].to_numpy(), params)
    card["fit_seconds"] = round(time.perf_counter() - started, 2)
    card["classes"] = [str(c) for c in pipeline.classes_]
    card["created"] = datetime.now(UTC).replace(microsecond=0).isoformat()
    if progress:
        progress(f"writing {Path(out)}")
    return save_model(pipeline, out, card)
