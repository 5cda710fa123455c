"""eduplan: split Chinese education work plans into items and classify them by theme.

The public functions are imported lazily, so ``import eduplan`` and
``eduplan --help`` stay fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "read_document": "readers",
    "normalize": "normalizer",
    "segment": "segmenter",
    "document_items": "documents",
    "Item": "records",
    "TrainConfig": "config",
    "load_model": "modeldir",
    "Classifier": "model",
    "build_pipeline": "estimator",
    "fit_pipeline": "estimator",
    "classify_document": "batch",
    "classify_frame": "batch",
    "train": "training",
    "evaluate": "evaluation",
    "taxonomy": None,
    "corpus": None,
    "profile": "profiling",
    "compare": "profiling",
    "report": "reporting",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'eduplan' has no attribute {name!r}")
    module = _EXPORTS[name]
    if module is None:
        return importlib.import_module(f".{name}", __name__)
    return getattr(importlib.import_module(f".{module}", __name__), name)
