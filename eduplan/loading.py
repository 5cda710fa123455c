"""Loading a model file safely.

Loading a joblib file runs code. eduplan trusts only its shipped model; any
other file loads only when its card (``card.json`` beside it) records the
file's sha256, or when the caller passes ``trust=True``. Every model is also
checked for the scikit-learn version it was trained with and for the taxonomy
it predicts.
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from pathlib import Path

from . import taxonomy
from .errors import ModelError
from .persist import COMPACT_FILE, MODEL_FILE, MODEL_FORMAT, library_versions, model_paths, read_card, sha256_file
from .resources import model_dir

__all__ = ["load_model", "UntrustedModelWarning", "shipped_model_dir"]

RETRAIN = "run `eduplan train` to build a model that matches"


class UntrustedModelWarning(UserWarning):
    """Raised as a warning when a model other than the shipped one is loaded."""


def shipped_model_dir() -> Path:
    return model_dir()


def _is_shipped(path: Path) -> bool:
    try:
        return path.resolve().parent == model_dir().resolve()
    except OSError:
        return False


def load_model(path: str | Path | None = None, trust: bool = False, min_known_terms: int = 2):
    """Load a :class:`~eduplan.model.Classifier`; the shipped default model when ``path`` is ``None``.

    The default model is loaded once per process. Raises :class:`ModelError`
    with what to do when the file is missing, changed, from another
    scikit-learn version, not an eduplan model, or trained on another taxonomy.
    """
    if path is None:
        return _load_default(min_known_terms)
    return _load(Path(path), trust, min_known_terms)


@lru_cache(maxsize=4)
def _load_default(min_known_terms: int):
    return _load(model_dir(), False, min_known_terms)


def _load(path: Path, trust: bool, min_known_terms: int):
    model_file, card_file = model_paths(path)
    compact_file = model_file.with_name(COMPACT_FILE)
    if model_file.is_dir():
        raise ModelError(f"{model_file}: is a directory without {MODEL_FILE}")
    if not model_file.exists() and not compact_file.exists():
        hint = "train one with `eduplan train`" if _is_shipped(model_file) else "check the path"
        raise ModelError(f"{model_file}: no model file ({hint})")
    shipped = _is_shipped(model_file)
    card = read_card(card_file)
    if card is None and not trust:
        raise ModelError(
            f"{model_file}: no valid {card_file.name} beside it; joblib files run code when loaded, "
            "so eduplan loads a model only with its card (or with --trust if you made the file yourself)"
        )
    if card is not None:
        _check_card(card, compact_file if compact_file.exists() else model_file, trust)
    if not shipped:
        warnings.warn(
            f"loading {model_file}: joblib files run code when loaded; "
            + ("trusted on request (--trust)" if trust else "its card's sha256 matches"),
            UntrustedModelWarning,
            stacklevel=3,
        )
    from .model import Classifier

    def pipeline_loader():
        if card is not None and not trust:
            _check_sha(card, model_file, "model_sha256")
        return _unpickle(model_file)["pipeline"]

    if compact_file.exists():
        clf = Classifier(
            _read_compact(compact_file), card or {}, pipeline_loader=pipeline_loader, min_known_terms=min_known_terms
        )
    else:
        clf = Classifier.from_pipeline(pipeline_loader(), card or {}, min_known_terms=min_known_terms)
    clf.source = (str(path), trust)
    return clf


def _check_sha(card: dict, file: Path, key: str) -> None:
    actual = sha256_file(file)
    if card.get(key) != actual:
        raise ModelError(
            f"{file}: sha256 {actual[:12]}… does not match its card ({str(card.get(key))[:12]}…): "
            f"the file was changed, truncated or replaced; {RETRAIN}"
        )


def _check_card(card: dict, file: Path, trust: bool) -> None:
    """The card's checks: the file's sha256, the scikit-learn version, the taxonomy."""
    if not trust:
        _check_sha(card, file, "compact_sha256" if file.name == COMPACT_FILE else "model_sha256")
    installed = library_versions()["scikit-learn"]
    trained = card.get("versions", {}).get("scikit-learn")
    if trained != installed:
        message = f"{file}: trained with scikit-learn {trained}, but {installed} is installed; {RETRAIN}"
        if not trust:
            raise ModelError(message)
        warnings.warn(message, UntrustedModelWarning, stacklevel=4)
    themes = card.get("themes")
    if themes is not None and list(themes) != taxonomy.ids():
        raise ModelError(
            f"{file}: trained for another taxonomy than data/taxonomy.toml ({_theme_difference(themes)}); {RETRAIN}"
        )


def _theme_difference(themes: list) -> str:
    """How a model card's theme list differs from the taxonomy's, in a few words."""
    current = taxonomy.ids()
    extra = [str(t) for t in themes if t not in current]
    missing = [t for t in current if t not in themes]
    parts = ([f"not in the taxonomy: {', '.join(extra)}"] if extra else []) + (
        [f"missing: {', '.join(missing)}"] if missing else []
    )
    return "; ".join(parts) or "themes in another order"


def _read_compact(compact_file: Path):
    from .compact import CompactModel

    try:
        compact = CompactModel.load(compact_file)
    except Exception as exc:  # numpy raises several kinds for truncated or foreign files
        raise ModelError(
            f"{compact_file}: cannot load ({type(exc).__name__}): truncated or not an eduplan model; {RETRAIN}"
        ) from None
    unknown = [c for c in compact.classes if not taxonomy.is_theme(c)]
    if unknown:
        raise ModelError(
            f"{compact_file}: predicts themes data/taxonomy.toml does not have ({', '.join(unknown)}); {RETRAIN}"
        )
    return compact


def _unpickle(model_file: Path) -> dict:
    import joblib

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            payload = joblib.load(model_file)
    except Exception as exc:  # joblib raises many kinds for truncated or foreign files
        raise ModelError(
            f"{model_file}: cannot load ({type(exc).__name__}): truncated or not a joblib file; {RETRAIN}"
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != MODEL_FORMAT or "pipeline" not in payload:
        raise ModelError(f"{model_file}: not an eduplan model; {RETRAIN}")
    if not hasattr(payload["pipeline"], "predict_proba"):
        raise ModelError(f"{model_file}: not an eduplan model (no predict_proba); {RETRAIN}")
    return payload
