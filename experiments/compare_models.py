"""Choose eduplan's features and classifier by grouped cross-validation.

Every variant is scored on the same GroupKFold splits of data/items.csv (all
items of a document on one side), and the table is written to
experiments/model_selection.md (and .json). Run: python experiments/compare_models.py

Variants marked "+ taxonomy terms" also train on the taxonomy's own terms of
each theme in the training fold (eduplan.taxonomy.term_examples); "heading
repeated" doubles each item's first sentence (the taxonomy decides by it).
Only corpus items of held-out documents are scored.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from eduplan import taxonomy  # noqa: E402
from eduplan.corpus import training_items  # noqa: E402
from eduplan.features import TextNormalizer, make_features  # noqa: E402

N_SPLITS = 5


def logreg(C: float = 30.0):
    return LogisticRegression(C=C, class_weight="balanced", max_iter=3000, random_state=0)


def svc(C: float = 1.0):
    return CalibratedClassifierCV(LinearSVC(C=C, class_weight="balanced", random_state=0), cv=3, ensemble=False)


def sgd():
    return SGDClassifier(
        loss="modified_huber", alpha=1e-4, class_weight="balanced", max_iter=50, tol=None, random_state=0
    )


RAW = dict(min_df=1, mask_digits=False)
TERMS = {"terms": True}
VARIANTS = {
    "words(1,1) + LR": (dict(RAW, chars=False, word_ngrams=(1, 1)), logreg, {}),
    "chars(1,3) + LR": (dict(RAW, words=False), logreg, {}),
    "words(1,2)+chars(1,3) + LR": (dict(RAW), logreg, {}),
    "words(1,2)+chars(1,3) + SGD modified_huber": (dict(RAW), sgd, {}),
    "words(1,2)+chars(1,3) + LinearSVC (calibrated)": (dict(RAW), svc, {}),
    "words(1,2)+chars(1,3), numbers masked + LinearSVC": (dict(min_df=1), svc, {}),
    "words(1,2)+chars(1,3), masked, min_df=2 + LR": (dict(), logreg, {}),
    "words(1,2)+chars(1,3), masked, min_df=2 + LinearSVC C=0.3": (dict(), lambda: svc(0.3), {}),
    "words(1,2)+chars(1,3), masked, min_df=2 + LinearSVC C=1": (dict(), svc, {}),
    "words(1,2)+chars(2,4), masked, min_df=2 + LinearSVC C=1": (dict(char_ngrams=(2, 4)), svc, {}),
    "words(1,2)+chars(1,3), masked, min_df=2 + LinearSVC C=1, heading repeated": (dict(), svc, {"heading": True}),
    "words(1,2)+chars(1,3), masked, min_df=2 + LR + taxonomy terms": (dict(), logreg, TERMS),
    "words(1,2)+chars(2,4), masked, min_df=2 + LinearSVC C=1 + taxonomy terms": (dict(char_ngrams=(2, 4)), svc, TERMS),
    "words(1,2)+chars(1,3), masked, min_df=2 + LinearSVC C=1 + taxonomy terms, heading repeated": (
        dict(),
        svc,
        dict(TERMS, heading=True),
    ),
    "words(1,2)+chars(1,3), masked, min_df=2 + LinearSVC C=1 + taxonomy terms (shipped)": (dict(), svc, TERMS),
}
_HEADING = re.compile(r"^(.+?[。;；!！?？:：])")


def with_heading(text: str) -> str:
    """The item with its first sentence (its heading) written twice."""
    found = _HEADING.match(text)
    heading = found.group(1) if found and len(found.group(1)) < 60 else text[:40]
    return heading + "。" + text


def main() -> None:
    frame = training_items(ROOT / "data" / "items.csv")
    texts, labels, groups = frame["text"].tolist(), frame["label"].to_numpy(), frame["doc_id"].to_numpy()
    splits = list(GroupKFold(n_splits=N_SPLITS).split(texts, labels, groups))
    results = []
    for name, (feature_args, make_clf, options) in VARIANTS.items():
        predicted = np.empty(len(texts), dtype=object)
        started = time.perf_counter()
        shown = [with_heading(t) for t in texts] if options.get("heading") else texts
        for train_idx, test_idx in splits:
            pipe = Pipeline(
                [("normalize", TextNormalizer()), ("features", make_features(**feature_args)), ("clf", make_clf())]
            )
            train_texts, train_labels = [shown[i] for i in train_idx], labels[train_idx].tolist()
            if options.get("terms"):
                term_texts, term_labels = taxonomy.term_examples(set(train_labels))
                train_texts, train_labels = train_texts + term_texts, train_labels + term_labels
            pipe.fit(train_texts, np.asarray(train_labels, dtype=object))
            predicted[test_idx] = pipe.predict([shown[i] for i in test_idx])
        seconds = time.perf_counter() - started
        row = {
            "variant": name,
            "accuracy": round(accuracy_score(labels, predicted), 4),
            "macro_f1": round(f1_score(labels, predicted, average="macro"), 4),
            "seconds": round(seconds, 1),
        }
        results.append(row)
        print(f"{name:90s} acc={row['accuracy']:.3f} macroF1={row['macro_f1']:.3f} ({seconds:.0f}s)", flush=True)
    out = ROOT / "experiments" / "model_selection.json"
    out.write_text(
        json.dumps(
            {
                "items": len(texts),
                "documents": int(len(set(groups))),
                "splits": f"GroupKFold({N_SPLITS}) by doc_id",
                "results": results,
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    lines = [
        "# Model selection (grouped cross-validation)",
        "",
        f"{len(texts)} labeled items (not `skip`) from {len(set(groups))} documents, GroupKFold({N_SPLITS}) by `doc_id`:",
        "every variant sees the same splits. Regenerate with `python experiments/compare_models.py`.",
        "",
        "| variant | accuracy | macro-F1 | CV time (s) |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {r['variant']} | {r['accuracy']:.3f} | {r['macro_f1']:.3f} | {r['seconds']} |"
        for r in sorted(results, key=lambda r: -r["macro_f1"])
    ]
    (ROOT / "experiments" / "model_selection.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
