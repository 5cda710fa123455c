"""The model directory: save, load, card, hashes and versions, in one module.

A model directory holds a card and the files it names::

    card.json                   what the model is, and the name and sha256 of each file
    eduplan-<sha12>.npz         the compact model: plain arrays, what classifying uses (loading runs no code)
    eduplan-<sha12>.joblib      the scikit-learn pipeline (a pickle: loaded only when trusted, see eduplan.trust)

Files are named by their content, so saving never overwrites a file a reader
may be using: the new files are written and synced first, then ``card.json``
is replaced with one rename, the single moment the directory switches from the
old model to the new one, then the old files are removed. A process killed at
any point leaves one complete model, old or new.
"""

from __future__ import annotations

import json
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import taxonomy
from .errors import ModelError
from .persist import atomic_write_bytes, sha256_file

__all__ = [
    "CARD_FILE",
    "MODEL_FORMAT",
    "UntrustedModelWarning",
    "save_model",
    "load_model",
    "read_card",
    "library_versions",
    "shipped_model_dir",
    "is_shipped",
    "trust_model",
]

CARD_FILE = "card.json"
MODEL_FORMAT = "eduplan-model/2"
RETRAIN = "retrain it with `eduplan train`"


class UntrustedModelWarning(UserWarning):
    """A note about which checks a model from outside the package passed (shown as ``note:`` by the CLI)."""


def library_versions() -> dict[str, str]:
    """Versions recorded in a model card (for reproducing it; the compact model does not depend on them)."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name in ("scikit-learn", "numpy", "scipy", "jieba", "rjieba", "eduplan"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "unknown"
    return out


def shipped_model_dir() -> Path:
    from .resources import model_dir

    return model_dir()


def is_shipped(path: str | Path) -> bool:
    """Whether ``path`` is the shipped model's directory (or a file in it)."""
    try:
        path = Path(path).resolve()
        shipped = shipped_model_dir().resolve()
    except OSError:
        return False
    return path == shipped or path.parent == shipped


# ------------------------------------------------------------------ saving


def save_model(pipeline, compact, out_dir: str | Path, card: dict) -> dict:
    """Write ``pipeline`` and its ``compact`` export (:func:`eduplan.estimator.export`) into ``out_dir``.

    Returns the final card. See the module docstring for how the directory
    switches atomically from the old model to the new one.
    """
    import io

    import joblib
    import numpy as np

    from .persist import sha256_bytes

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    buffers: dict[str, bytes] = {}
    with io.BytesIO() as buffer:
        np.savez(buffer, **compact.arrays)  # not compressed: the coefficients hardly compress, and loading is faster
        buffers["compact"] = buffer.getvalue()
    with io.BytesIO() as buffer:
        joblib.dump({"format": MODEL_FORMAT, "pipeline": pipeline}, buffer, compress=3)
        buffers["pipeline"] = buffer.getvalue()
    files, hashes = {}, {}
    for part, suffix in (("compact", ".npz"), ("pipeline", ".joblib")):
        hashes[part] = sha256_bytes(buffers[part])
        files[part] = f"eduplan-{hashes[part][:12]}{suffix}"
        if not (out_dir / files[part]).exists() or sha256_file(out_dir / files[part]) != hashes[part]:
            atomic_write_bytes(out_dir / files[part], buffers[part])
    card = {**card, "format": MODEL_FORMAT, "files": files, "sha256": hashes}
    atomic_write_bytes(out_dir / CARD_FILE, (json.dumps(card, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    for stale in [*out_dir.glob("eduplan-*.npz"), *out_dir.glob("eduplan-*.joblib")]:
        if stale.name not in files.values():  # the previous model's, or left by an interrupted save
            stale.unlink(missing_ok=True)
    return card


# ------------------------------------------------------------------ cards


def read_card(path: str | Path, missing_ok: bool = False, strict: bool = True) -> dict | None:
    """The card at ``path`` as a dict; ``ModelError`` (one line) when it is missing, not JSON or malformed."""
    path = Path(path)
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if missing_ok:
            return None
        raise ModelError(f"{path}: no model card", path=str(path)) from None
    except (OSError, ValueError) as exc:
        if not strict:
            return None
        raise ModelError(f"{path}: not a readable model card ({type(exc).__name__})", path=str(path)) from None
    problem = _card_problem(card) if strict else None
    if problem:
        raise ModelError(f"{path}: malformed model card: {problem}; {RETRAIN}", path=str(path))
    return card if isinstance(card, dict) else None


def _card_problem(card: Any) -> str | None:
    if not isinstance(card, dict):
        return "not a JSON object"
    if card.get("format") != MODEL_FORMAT:
        return f"format {card.get('format')!r}, expected {MODEL_FORMAT!r}"
    for key, kind in (("files", dict), ("sha256", dict), ("themes", list), ("versions", dict)):
        if not isinstance(card.get(key), kind):
            return f"{key!r} must be a JSON {'object' if kind is dict else 'list'}"
    if not isinstance(card["files"].get("compact"), str) or not isinstance(card["sha256"].get("compact"), str):
        return "no compact model file named"
    if any(not isinstance(v, str) or "/" in v or "\\" in v for v in card["files"].values()):
        return "file names must be plain names inside the model directory"
    return None


# ------------------------------------------------------------------ loading


def load_model(path: str | Path | None = None, trust: bool = False, min_known_terms: int = 2):
    """Load a :class:`~eduplan.model.Classifier`: the shipped model when ``path`` is ``None``.

    ``path`` is a model directory (with ``card.json``) or a compact ``.npz``
    file. Classifying uses the compact model only, so loading never unpickles.
    The pipeline (:attr:`Classifier.pipeline`) is unpickled on request, and only
    when its sha256 is trusted (:mod:`eduplan.trust`) or ``trust=True`` (which
    adds it to the user's allow-list). ``ModelError`` says what is wrong and what
    to do: a missing, changed or malformed file, or another taxonomy.
    """
    if path is None:
        return _load_default(min_known_terms)
    return _load(Path(path), trust, min_known_terms)


@lru_cache(maxsize=4)
def _load_default(min_known_terms: int):
    return _load(shipped_model_dir(), False, min_known_terms)


def _load(path: Path, trust: bool, min_known_terms: int):
    from .model import Classifier

    if not path.exists():
        hint = "train one with `eduplan train`" if is_shipped(path) else "check the path"
        raise ModelError(f"{path}: no such model directory or file ({hint})", path=str(path))
    notes: list[str] = []
    if path.is_dir():
        card = read_card(path / CARD_FILE, missing_ok=True)
        if card is None:
            joblibs = sorted(p.name for p in path.glob("*.joblib"))
            extra = f"; its {joblibs[0]} is a pickle, which eduplan never loads to classify" if joblibs else ""
            raise ModelError(f"{path}: no {CARD_FILE} (not an eduplan model directory){extra}", path=str(path))
        compact_file = path / card["files"]["compact"]
        if not compact_file.is_file():
            raise ModelError(f"{compact_file}: named by the card but missing; {RETRAIN}", path=str(compact_file))
        _check_sha(card, "compact", compact_file)
        notes.append(f"{compact_file.name}'s sha256 matches its card")
        _check_themes(card, compact_file)
    elif path.suffix == ".npz":
        compact_file = path
        card = read_card(path.with_name(CARD_FILE), missing_ok=True, strict=False) or {}
        files = card.get("files")
        if isinstance(files, dict) and files.get("compact") == path.name and isinstance(card.get("sha256"), dict):
            _check_sha(card, "compact", path)
            notes.append(f"{path.name}'s sha256 matches its card")
        else:
            card = {}
            notes.append("no card names it, so its integrity was not checked")
    else:
        raise ModelError(
            f"{path}: give a model directory or its .npz file (eduplan never unpickles a file to classify)",
            path=str(path),
        )
    compact = _read_compact(compact_file)
    pipeline_file = path / card["files"]["pipeline"] if path.is_dir() and card.get("files", {}).get("pipeline") else None
    try:
        classifier = Classifier(
            compact, card, pipeline_loader=lambda: _unpickle(pipeline_file, card, trust), min_known_terms=min_known_terms
        )
    except ModelError as exc:  # another taxonomy
        raise ModelError(f"{compact_file}: {exc.message}", path=str(compact_file)) from None
    classifier.source = str(path)
    if not is_shipped(path):
        warnings.warn(f"using {path}: " + "; ".join(notes), UntrustedModelWarning, stacklevel=3)
    return classifier


def _check_sha(card: dict, part: str, file: Path) -> None:
    actual = sha256_file(file)
    expected = str(card["sha256"].get(part))
    if actual != expected:
        raise ModelError(
            f"{file}: sha256 {actual[:12]}… does not match its card ({expected[:12]}…): "
            f"the file was changed, truncated or replaced; {RETRAIN}",
            path=str(file),
        )


def _check_themes(card: dict, file: Path) -> None:
    themes = card["themes"]
    if list(themes) != taxonomy.ids():
        current = taxonomy.ids()
        extra = [str(t) for t in themes if t not in current]
        missing = [t for t in current if t not in themes]
        detail = "; ".join(
            ([f"not in the taxonomy: {', '.join(extra)}"] if extra else []) + ([f"missing: {', '.join(missing)}"] if missing else [])
        )
        raise ModelError(
            f"{file}: trained for another taxonomy than data/taxonomy.toml ({detail or 'themes in another order'}); {RETRAIN}",
            path=str(file),
        )


def _read_compact(compact_file: Path):
    import numpy as np

    from .runtime import CompactModel

    try:
        with np.load(compact_file, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
        compact = CompactModel(arrays)
    except ValueError as exc:
        raise ModelError(f"{compact_file}: {exc}", path=str(compact_file)) from None
    except Exception as exc:  # numpy raises several kinds for truncated or foreign files
        raise ModelError(
            f"{compact_file}: cannot load ({type(exc).__name__}): truncated or not an eduplan model; {RETRAIN}",
            path=str(compact_file),
        ) from None
    return compact


def _unpickle(pipeline_file: Path | None, card: dict, trust: bool):
    """The pipeline of a model, unpickled only when its bytes are trusted (or ``trust`` adds them)."""
    from . import trust as trusted

    if pipeline_file is None or not pipeline_file.is_file():
        raise ModelError("this model has no scikit-learn pipeline file", path=str(pipeline_file))
    digest = sha256_file(pipeline_file)
    if digest != card.get("sha256", {}).get("pipeline"):
        raise ModelError(
            f"{pipeline_file}: sha256 does not match its card: the file was changed; it will not be unpickled",
            path=str(pipeline_file),
        )
    if not trusted.is_trusted(digest):
        if not trust:
            raise ModelError(
                f"{pipeline_file}: loading a pipeline runs code and this one is not trusted; "
                "trust it only if you made it (eduplan trust DIR)",
                path=str(pipeline_file),
                option="--trust",
            )
        trusted.trust_hash(digest, str(pipeline_file.resolve()))
    import joblib

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            payload = joblib.load(pipeline_file)
    except Exception as exc:  # joblib raises many kinds for truncated or foreign files
        raise ModelError(f"{pipeline_file}: cannot load ({type(exc).__name__}); {RETRAIN}", path=str(pipeline_file)) from None
    if not isinstance(payload, dict) or payload.get("format") != MODEL_FORMAT or "pipeline" not in payload:
        raise ModelError(f"{pipeline_file}: not an eduplan pipeline; {RETRAIN}", path=str(pipeline_file))
    return payload["pipeline"]


def trust_model(model_dir: str | Path) -> str:
    """Add the pipeline of the model in ``model_dir`` to the user's allow-list; returns what was done."""
    from .trust import trust_file

    model_dir = Path(model_dir)
    card = read_card(model_dir / CARD_FILE)
    name = card["files"].get("pipeline")
    if not name or not (model_dir / name).is_file():
        raise ModelError(f"{model_dir}: the card names no pipeline file that exists", path=str(model_dir))
    _check_sha(card, "pipeline", model_dir / name)
    digest = trust_file(model_dir / name)
    from .trust import user_trust_path

    return f"trusted {model_dir / name} (sha256 {digest[:12]}…) in {user_trust_path()}"
