"""Training a model: grouped cross-validation figures, then a fit on every labeled item, written atomically.

The labeled corpus is the shipped one (``data/items.csv``, also inside the
wheel) or a file the user names, plus the user's corrections (``add``):
their labels win over the corpus for the same text.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from . import taxonomy
from .config import TrainConfig
from .errors import UsageError

__all__ = ["train", "refuse_shipped_target", "summary"]

Progress = Callable[[str], None]


def refuse_shipped_target(out: str | Path, replace_shipped: bool = False) -> None:
    """Refuse to write into the shipped or installed model unless asked in so many words."""
    from .modeldir import is_shipped

    if is_shipped(out) and not replace_shipped:
        raise UsageError(
            f"{out} is the model eduplan ships; write your model elsewhere (e.g. --out mymodel)",
            option="--out",
        )


def train(
    data: str | Path | None = None,
    out: str | Path = "mymodel",
    config: TrainConfig | None = None,
    add: Sequence[str | Path] = (),
    n_splits: int = 5,
    cross_validation: bool = True,
    progress: Progress | None = None,
    replace_shipped: bool = False,
) -> dict:
    """Train on every labeled item of ``data`` (default: the shipped corpus) plus ``add``, and write ``out``.

    The user's corrections count ``config.correction_weight`` times as much as
    a corpus item, so the model follows them. Returns the card: theme ids,
    corpus sha256 and size, library versions, the
    :class:`TrainConfig`, grouped-CV figures (primary and secondary themes),
    creation time and the files' sha256. With ``cross_validation`` the
    secondary-theme threshold is chosen on the out-of-fold predictions.
    """
    from .corpus import training_frame
    from .estimator import export, fit_frame
    from .evaluation import cross_validate, score, score_secondary
    from .modeldir import library_versions, save_model
    from .persist import sha256_bytes

    refuse_shipped_target(out, replace_shipped)
    config = config or TrainConfig()
    frame = training_frame(data, add)
    Path(out).mkdir(parents=True, exist_ok=True)  # an --out that cannot be written fails now, not after training
    sources = [data or "shipped corpus", *map(str, add)]
    card: dict = {
        "themes": taxonomy.ids(),
        "corpus": {
            "sources": [str(s) for s in sources],
            "sha256": sha256_bytes(frame[["text", "label", "secondary"]].to_csv(index=False).encode("utf-8")),
            "items": int(len(frame)),
            "documents": int(frame["doc_id"].nunique()),
        },
        "versions": library_versions(),
        "params": config.to_dict(),
    }
    if cross_validation:
        started = time.perf_counter()
        result = cross_validate(frame, config, n_splits, progress)
        primary = score(frame["label"], result.proba)
        card["cv"] = {
            "method": f"GroupKFold({result.folds}) by doc_id",
            "accuracy": primary["accuracy"],
            "macro_f1": primary["macro_f1"],
            "top2": primary["top2"],
            "per_theme": primary["per_theme"],
            "seconds": round(time.perf_counter() - started, 1),
        }
        if result.covered is not None:
            secondary = score_secondary(frame, result)
            card["cv"]["secondary"] = secondary
            config = config.with_values({"secondary_threshold": secondary["threshold"]})
            card["params"] = config.to_dict()
    if progress:
        progress(f"fitting the final model on {len(frame)} items")
    started = time.perf_counter()
    weights = [config.correction_weight if c else 1.0 for c in frame["correction"]]
    pipeline = fit_frame(frame, config, weights)
    compact = export(pipeline, frame)
    card["fit_seconds"] = round(time.perf_counter() - started, 2)
    card["classes"] = [str(c) for c in pipeline.classes_]
    card["created"] = datetime.now(UTC).replace(microsecond=0).isoformat()
    if progress:
        progress(f"writing {Path(out)}")
    card = save_model(pipeline, compact, out, card)
    if replace_shipped:
        from .persist import atomic_write_text
        from .trust import shipped_trust_path

        atomic_write_text(shipped_trust_path(), f'{{\n  "{card["sha256"]["pipeline"]}": "the shipped model"\n}}\n')
    return card


def summary(card: dict, out: str | Path) -> str:
    """What ``eduplan train`` prints: the grouped-CV figures and where the model went."""
    from .writers import table_text

    lines = []
    if "cv" in card:
        cv = card["cv"]
        lines.append(
            f"grouped cross-validation ({cv['method']}): accuracy {cv['accuracy']:.3f}, macro-F1 {cv['macro_f1']:.3f}, "
            f"primary among the top 2 {cv['top2']:.3f}"
        )
        if "secondary" in cv:
            sec = cv["secondary"]
            lines.append(
                f"secondary themes: micro-F1 {sec['micro_f1']:.3f}, macro-F1 {sec['macro_f1']:.3f} "
                f"(threshold {sec['threshold']:.2f})"
            )
        lines.append(table_text(cv["per_theme"], ["theme", "precision", "recall", "f1", "support"]))
    lines.append(f"model written to {out} ({card['corpus']['items']} items, fit in {card['fit_seconds']} s)")
    return "\n".join(lines)
