"""Measuring accuracy on documents the model has not seen.

Cross-validation keeps every item of a document on one side (GroupKFold by
``doc_id``): items of one plan share wording, so mixing them would overstate
accuracy. Reports accuracy and macro-F1 together with per-theme figures,
"primary among the top 2", the secondary themes' micro/macro-F1, the
confusion matrix and the worst errors. With ``documents=True`` each held-out
document goes through the real path (read the file, segment, classify with
its context) and its produced items are matched to its labeled items by text.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import taxonomy
from .config import TrainConfig

__all__ = [
    "CVResult",
    "cross_validate",
    "score",
    "score_secondary",
    "evaluate",
    "evaluate_documents",
    "write_report",
    "summary",
]

Progress = Callable[[str], None]
THRESHOLDS = np.round(np.arange(0.10, 0.91, 0.05), 2)


@dataclass
class CVResult:
    """Out-of-fold predictions: primary probabilities and covering probabilities (taxonomy columns)."""

    proba: Any
    covered: Any
    folds: int


def _splits(frame, n_splits: int):
    from sklearn.model_selection import GroupKFold

    from .errors import DataError

    groups = frame["doc_id"].to_numpy()
    n_splits = min(n_splits, len(set(groups)))
    if n_splits < 2:
        raise DataError("cross-validation needs items from at least two documents")
    return n_splits, list(GroupKFold(n_splits=n_splits).split(frame, frame["label"], groups))


def cross_validate(frame, config: TrainConfig | None = None, n_splits: int = 5, progress: Progress | None = None) -> CVResult:
    """Out-of-fold predictions for every item of ``frame`` (records with labels), grouped by document."""
    import pandas as pd

    from .estimator import fit_frame

    config = config or TrainConfig()
    folds, splits = _splits(frame, n_splits)
    themes = taxonomy.ids()
    proba = pd.DataFrame(0.0, index=range(len(frame)), columns=themes)
    covered = pd.DataFrame(0.0, index=range(len(frame)), columns=themes) if config.secondary else None
    for fold, (train_idx, test_idx) in enumerate(splits, start=1):
        if progress:
            progress(f"cross-validation fold {fold}/{folds} ({len(test_idx)} held-out items)")
        pipe = fit_frame(frame.iloc[train_idx], config)
        test = frame.iloc[test_idx]
        proba.loc[test_idx, list(pipe.classes_)] = pipe.predict_proba(test)
        heads = pipe.named_steps["heads"]
        if covered is not None and heads.secondary_ is not None:
            values = heads.secondary_proba(pipe[:-1].transform(test))
            covered.loc[test_idx, list(heads.secondary_.classes_)] = values
    return CVResult(proba, covered, folds)


def score(
    y_true, proba, texts: list[str] | None = None, item_ids: list[str] | None = None, worst: int = 20
) -> dict[str, Any]:
    """Accuracy, macro-F1, top-2 accuracy, per-theme precision/recall/F1/support, confusion matrix and worst errors."""
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

    y_true = np.asarray(y_true, dtype=object)
    values = np.asarray(proba, dtype=float)
    columns = list(proba.columns)
    y_pred = np.array([columns[j] for j in values.argmax(axis=1)], dtype=object)
    top2 = np.argsort(-values, axis=1, kind="stable")[:, :2]
    in_top2 = [columns.index(t) in row if t in columns else False for t, row in zip(y_true, top2)]
    labels = [t for t in taxonomy.ids() if t in set(y_true) | set(y_pred)]
    with warnings.catch_warnings():  # a test table of one theme is scored as given, without scikit-learn's advice
        warnings.simplefilter("ignore", UserWarning)
        precision, recall, f1, support = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
        matrix = confusion_matrix(y_true, y_pred, labels=labels).tolist()
    per_theme = [
        {"theme": t, "precision": round(float(p), 4), "recall": round(float(r), 4), "f1": round(float(f), 4), "support": int(s)}
        for t, p, r, f, s in zip(labels, precision, recall, f1, support)
    ]
    confidence = values.max(axis=1)
    wrong = np.flatnonzero(y_true != y_pred)
    wrong = wrong[np.argsort(-confidence[wrong], kind="stable")][:worst]
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
        "top2": round(float(np.mean(in_top2)) if len(in_top2) else 0.0, 4),
        "per_theme": per_theme,
        "confusion": {"labels": labels, "matrix": matrix},
        "errors": errors,
    }


def _secondary_sets(covered: np.ndarray, primary: list[str], threshold: float) -> list[set[str]]:
    from .runtime import secondary_themes

    return [set(s) for s in secondary_themes(covered, taxonomy.ids(), primary, threshold)]


def _set_f1(truth: list[set[str]], predicted: list[set[str]]) -> tuple[float, float]:
    """Micro-F1 over (item, theme) pairs and macro-F1 over the themes that occur."""
    tp = sum(len(t & p) for t, p in zip(truth, predicted))
    fp = sum(len(p - t) for t, p in zip(truth, predicted))
    fn = sum(len(t - p) for t, p in zip(truth, predicted))
    micro = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
    scores = []
    for theme in taxonomy.ids():
        t_ = sum(theme in t and theme in p for t, p in zip(truth, predicted))
        f_ = sum(theme not in t and theme in p for t, p in zip(truth, predicted))
        n_ = sum(theme in t and theme not in p for t, p in zip(truth, predicted))
        if t_ + f_ + n_:
            scores.append(2 * t_ / (2 * t_ + f_ + n_))
    return micro, float(np.mean(scores)) if scores else 1.0


def score_secondary(frame, result: CVResult, threshold: float | None = None) -> dict[str, Any]:
    """Secondary themes out of fold: the threshold (chosen by micro-F1 when not given), micro- and macro-F1."""
    from .estimator import secondary_lists

    truth = [set(s) for s in secondary_lists(frame["secondary"])]
    primary = [str(c) for c in result.proba.idxmax(axis=1)]
    covered = result.covered.to_numpy()
    candidates = [threshold] if threshold is not None else list(THRESHOLDS)
    best = max(candidates, key=lambda t: (_set_f1(truth, _secondary_sets(covered, primary, t))[0], -t))
    micro, macro = _set_f1(truth, _secondary_sets(covered, primary, best))
    return {
        "threshold": float(best),
        "micro_f1": round(micro, 4),
        "macro_f1": round(macro, 4),
        "items_with_secondary": int(sum(bool(t) for t in truth)),
    }


def evaluate(
    data: str | Path | None = None,
    test: str | Path | None = None,
    model: str | Path | None = None,
    n_splits: int = 5,
    config: TrainConfig | None = None,
    documents: bool = False,
    seeds: str | Path | None = None,
    report_dir: str | Path | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Score eduplan on unseen documents.

    - ``model`` and ``test``: score the saved model on the test table (``text``,
      ``label``, optional ``section``/``title``/``item_id``) without retraining;
    - ``test`` alone: train on ``data`` (default: the shipped corpus), score the test table;
    - otherwise cross-validate on ``data`` grouped by document; with
      ``documents`` also through the real path on the seed files (``seeds``).
    """
    from .corpus import training_frame
    from .estimator import fit_frame

    if model is not None and test is None:
        from .errors import UsageError

        raise UsageError("scoring a saved model needs a labeled test table", option="--test")
    if test is not None:
        test_frame = _test_frame(test)
        if model is not None:
            from .modeldir import load_model

            classifier = load_model(model)
            method = f"model {model}, tested on {test}"
        else:
            frame = training_frame(data)
            if progress:
                progress(f"training on {len(frame)} items")
            from .model import Classifier

            pipe = fit_frame(frame, config)
            classifier = Classifier.from_pipeline(pipe, frame)
            method = f"trained on {data or 'the shipped corpus'}, tested on {test}"
        import pandas as pd

        proba = pd.DataFrame(classifier.scores(test_frame).proba, columns=taxonomy.ids())
        ids = test_frame["item_id"].tolist() if "item_id" in test_frame.columns else None
        result = score(test_frame["label"].tolist(), proba, test_frame["text"].tolist(), ids)
        result["method"] = method
    else:
        frame = training_frame(data)
        cv = cross_validate(frame, config, n_splits, progress)
        result = score(frame["label"], cv.proba, frame["text"].tolist(), frame["item_id"].tolist())
        result["method"] = f"GroupKFold({cv.folds}) by doc_id"
        if cv.covered is not None:
            result["secondary"] = score_secondary(frame, cv)
        if documents:
            result["documents"] = evaluate_documents(frame, seeds, config, n_splits, progress)
    if report_dir is not None:
        write_report(result, report_dir)
    return result


def _test_frame(test: str | Path):
    from .errors import DataError
    from .tables import read_table

    frame = read_table(test).fillna("")
    missing = [c for c in ("text", "label") if c not in frame.columns]
    if missing:
        raise DataError(f"{test}: missing column(s) {', '.join(missing)} (needs text and label)", path=str(test))
    frame = frame[frame["text"].astype(str).str.strip() != ""].reset_index(drop=True)
    unknown = sorted(set(frame["label"]) - set(taxonomy.ids()))
    if unknown:
        raise DataError(f"{test}: unknown theme id(s) in label: {', '.join(map(str, unknown))}", path=str(test))
    return frame


def evaluate_documents(
    frame, seeds: str | Path | None = None, config: TrainConfig | None = None, n_splits: int = 5, progress: Progress | None = None
) -> dict[str, Any]:
    """Whole held-out documents through the real path, matched to their labeled items by text.

    An item the segmenter lost, merged or changed counts as an error. Returns
    accuracy, macro-F1 and per-theme figures over the labeled items, and the
    share of labeled items found.
    """
    import pandas as pd

    from .corpus import read_index
    from .documents import document_items
    from .errors import DataError
    from .estimator import fit_frame
    from .model import Classifier
    from .resources import seeds_dir

    seeds = Path(seeds) if seeds is not None else seeds_dir()
    if seeds is None or not Path(seeds).is_dir():
        raise DataError("whole-document evaluation needs the seed documents (run it in a clone of eduplan)", path=str(seeds))
    files = {row["doc_id"]: Path(seeds) / row["file"] for row in read_index(seeds)}
    folds, splits = _splits(frame, n_splits)
    truth, predicted, found = [], [], 0
    for fold, (train_idx, test_idx) in enumerate(splits, start=1):
        if progress:
            progress(f"documents fold {fold}/{folds}")
        train = frame.iloc[train_idx]
        pipe = fit_frame(train, config)
        classifier = Classifier.from_pipeline(pipe, train)
        held = frame.iloc[test_idx]
        for doc_id, labeled in held.groupby("doc_id", sort=False):
            produced = document_items(files[doc_id], doc_id) if doc_id in files else []
            labels = classifier.predict(produced) if produced else []
            by_text = {item.text: label for item, label in zip(produced, labels)}
            for text, label in zip(labeled["text"], labeled["label"]):
                truth.append(label)
                predicted.append(by_text.get(text, "lost"))
                found += text in by_text
    proba = pd.DataFrame(0.0, index=range(len(truth)), columns=taxonomy.ids() + ["lost"])
    for i, label in enumerate(predicted):
        proba.loc[i, label] = 1.0
    result = score(truth, proba)
    return {
        "method": f"GroupKFold({folds}) by doc_id: read, segment and classify each held-out seed document",
        "items": len(truth),
        "found": round(found / len(truth), 4) if truth else 0.0,
        "accuracy": result["accuracy"],
        "macro_f1": result["macro_f1"],
        "per_theme": result["per_theme"],
    }


def write_report(result: dict[str, Any], report_dir: str | Path) -> list[Path]:
    """Write metrics.json, per_theme.csv, errors.csv and confusion.png into ``report_dir``."""
    import json

    import pandas as pd

    from .persist import atomic_path, atomic_write_text

    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    metrics = {k: v for k, v in result.items() if k != "errors"}
    atomic_write_text(report_dir / "metrics.json", json.dumps(metrics, ensure_ascii=False, indent=2) + "\n")
    atomic_write_text(report_dir / "per_theme.csv", pd.DataFrame(result["per_theme"]).to_csv(index=False, lineterminator="\n"))
    atomic_write_text(
        report_dir / "errors.csv",
        pd.DataFrame(result["errors"], columns=["item_id", "label", "predicted", "score", "text"]).to_csv(
            index=False, lineterminator="\n"
        ),
    )
    written = [report_dir / n for n in ("metrics.json", "per_theme.csv", "errors.csv")]
    from .charts import confusion_figure

    figure = confusion_figure(result["confusion"]["labels"], result["confusion"]["matrix"])
    with atomic_path(report_dir / "confusion.png") as tmp:
        figure.savefig(tmp, format="png", dpi=120, bbox_inches="tight")
    written.append(report_dir / "confusion.png")
    return written


def summary(result: dict[str, Any], worst: int = 10, fmt: str = "table") -> str:
    """What ``eduplan evaluate`` prints: the figures as text (``fmt="table"``) or as one JSON object."""
    import json

    from .writers import table_text

    if fmt == "json":
        return json.dumps(result, ensure_ascii=False)
    lines = [
        f"{result['method']}: {result['items']} items",
        f"accuracy {result['accuracy']:.3f}   macro-F1 {result['macro_f1']:.3f}   primary among the top 2 {result['top2']:.3f}",
    ]
    if "secondary" in result:
        sec = result["secondary"]
        lines.append(f"secondary themes: micro-F1 {sec['micro_f1']:.3f}, macro-F1 {sec['macro_f1']:.3f} (threshold {sec['threshold']:.2f})")
    if "documents" in result:
        doc = result["documents"]
        lines.append(
            f"whole documents ({doc['items']} labeled items): accuracy {doc['accuracy']:.3f}, macro-F1 {doc['macro_f1']:.3f}, "
            f"{doc['found']:.1%} of labeled items found"
        )
    lines += ["", table_text(result["per_theme"], ["theme", "precision", "recall", "f1", "support"])]
    labels, matrix = result["confusion"]["labels"], result["confusion"]["matrix"]
    short = [label[:6] for label in labels]
    lines += ["", "confusion matrix (rows: true, columns: predicted)"]
    lines.append(table_text([{"true": lab, **dict(zip(short, row))} for lab, row in zip(labels, matrix)], ["true", *short]))
    lines += ["", f"worst {min(worst, len(result['errors']))} errors (most confident wrong predictions)"]
    lines.append(table_text(result["errors"][:worst], ["item_id", "label", "predicted", "score", "text"], {"text": 50}))
    return "\n".join(lines)
