"""Measuring accuracy on documents the model has not seen.

Cross-validation keeps every item of a document on one side (GroupKFold by
``doc_id``): items of one plan share wording, so mixing them would overstate
accuracy. Reports accuracy and macro-F1 together with per-theme figures, the
confusion matrix and the worst errors.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from . import taxonomy

__all__ = ["cross_validate", "score", "evaluate", "write_report"]

Progress = Callable[[str], None]


def cross_validate(frame, params: dict | None = None, n_splits: int = 5, progress: Progress | None = None):
    """Out-of-fold probabilities for every item of ``frame`` (columns: taxonomy ids), grouped by document."""
    import pandas as pd
    from sklearn.model_selection import GroupKFold

    from .model import fit_pipeline

    texts = frame["text"].tolist()
    labels = frame["label"].to_numpy()
    groups = frame["doc_id"].to_numpy()
    n_splits = min(n_splits, len(set(groups)))
    if n_splits < 2:
        from .errors import DataError

        raise DataError("cross-validation needs items from at least two documents")
    themes = taxonomy.ids()
    proba = pd.DataFrame(0.0, index=range(len(texts)), columns=themes)
    for fold, (train_idx, test_idx) in enumerate(GroupKFold(n_splits=n_splits).split(texts, labels, groups), start=1):
        if progress:
            progress(f"cross-validation fold {fold}/{n_splits} ({len(test_idx)} held-out items)")
        pipe = fit_pipeline([texts[i] for i in train_idx], labels[train_idx], params)
        fold_proba = pipe.predict_proba([texts[i] for i in test_idx])
        for j, cls in enumerate(pipe.classes_):
            proba.loc[test_idx, cls] = fold_proba[:, j]
    return proba


def score(
    y_true, proba, texts: list[str] | None = None, item_ids: list[str] | None = None, worst: int = 20
) -> dict[str, Any]:
    """Accuracy, macro-F1, per-theme precision/recall/F1/support, confusion matrix and worst errors."""
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

    y_true = np.asarray(y_true, dtype=object)
    y_pred = proba.idxmax(axis=1).to_numpy(dtype=object)
    labels = [t for t in taxonomy.ids() if t in set(y_true) | set(y_pred)]
    precision, recall, f1, support = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    per_theme = [
        {
            "theme": t,
            "precision": round(float(p), 4),
            "recall": round(float(r), 4),
            "f1": round(float(f), 4),
            "support": int(s),
        }
        for t, p, r, f, s in zip(labels, precision, recall, f1, support)
    ]
    matrix = confusion_matrix(y_true, y_pred, labels=labels)
    confidence = proba.max(axis=1).to_numpy()
    wrong = np.flatnonzero(y_true != y_pred)
    wrong = wrong[np.argsort(-confidence[wrong])][:worst]
    errors = [
        {
            "item_id": item_ids[i] if item_ids else str(i),
            "label": str(y_true[i]),
            "predicted": str(y_pred[i]),
            "score": round(float(confidence[i]), 4),
            "text": texts[i] if texts else "",
        }
        for i in wrong
    ]
    return {
        "items": int(len(y_true)),
        "accuracy": round(float(accuracy_score(y_true, y_pred)), 4),
        "macro_f1": round(float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)), 4),
        "per_theme": per_theme,
        "confusion": {"labels": labels, "matrix": matrix.tolist()},
        "errors": errors,
    }


def evaluate(
    data: str | Path = "data/items.csv",
    test: str | Path | None = None,
    n_splits: int = 5,
    params: dict | None = None,
    report_dir: str | Path | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Score eduplan on unseen documents.

    With ``test`` (a CSV with ``text`` and ``label``), train on ``data`` and
    score the test file; otherwise cross-validate on ``data`` grouped by
    ``doc_id``. Returns the metrics dict (``accuracy``, ``macro_f1``, …).
    """
    from .corpus import training_items
    from .errors import DataError

    frame = training_items(data)
    if test is None:
        proba = cross_validate(frame, params, n_splits, progress)
        result = score(frame["label"], proba, frame["text"].tolist(), frame["item_id"].tolist())
        result["method"] = f"GroupKFold({min(n_splits, frame['doc_id'].nunique())}) by doc_id"
    else:
        from .model import fit_pipeline
        from .tables import read_table

        test_frame = read_table(test)
        missing = [c for c in ("text", "label") if c not in test_frame.columns]
        if missing:
            raise DataError(f"{test}: missing column(s) {', '.join(missing)} (needs text and label)")
        test_frame = test_frame[test_frame["text"].astype(str).str.strip() != ""]
        unknown = sorted(set(test_frame["label"]) - set(taxonomy.ids()))
        if unknown:
            raise DataError(f"{test}: unknown theme id(s) in label: {', '.join(map(str, unknown))}")
        if progress:
            progress(f"training on {len(frame)} items of {data}")
        pipe = fit_pipeline(frame["text"].tolist(), frame["label"].to_numpy(), params)
        import pandas as pd

        texts = test_frame["text"].astype(str).tolist()
        proba = pd.DataFrame(pipe.predict_proba(texts), columns=pipe.classes_).reindex(
            columns=taxonomy.ids(), fill_value=0.0
        )
        ids = test_frame["item_id"].astype(str).tolist() if "item_id" in test_frame.columns else None
        result = score(test_frame["label"].tolist(), proba, texts, ids)
        result["method"] = f"trained on {data}, tested on {test}"
    if report_dir is not None:
        write_report(result, report_dir)
    return result


def write_report(result: dict[str, Any], report_dir: str | Path) -> list[Path]:
    """Write metrics.json, per_theme.csv, errors.csv and confusion.png into ``report_dir``."""
    import json

    import pandas as pd

    from .persist import atomic_path, atomic_write_text

    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    written = []
    metrics = {k: v for k, v in result.items() if k != "errors"}
    atomic_write_text(report_dir / "metrics.json", json.dumps(metrics, ensure_ascii=False, indent=2) + "\n")
    atomic_write_text(
        report_dir / "per_theme.csv", pd.DataFrame(result["per_theme"]).to_csv(index=False, lineterminator="\n")
    )
    atomic_write_text(
        report_dir / "errors.csv",
        pd.DataFrame(result["errors"], columns=["item_id", "label", "predicted", "score", "text"]).to_csv(
            index=False, lineterminator="\n"
        ),
    )
    written += [report_dir / n for n in ("metrics.json", "per_theme.csv", "errors.csv")]
    from .charts import confusion_figure

    figure = confusion_figure(result["confusion"]["labels"], result["confusion"]["matrix"])
    with atomic_path(report_dir / "confusion.png") as tmp:
        figure.savefig(tmp, format="png", dpi=120, bbox_inches="tight")
    written.append(report_dir / "confusion.png")
    return written
