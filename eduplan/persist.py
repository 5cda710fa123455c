"""Writing files safely: a file is either its old self or its complete new self, never half-written."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_path", "atomic_write_bytes", "atomic_write_text", "sha256_file", "sha256_bytes"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target``, on error it is removed."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; the result gets the usual permissions
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, target)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def atomic_write_bytes(target: str | Path, data: bytes) -> None:
    """Write ``data`` to ``target`` atomically."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(target: str | Path, text: str) -> None:
    """Write UTF-8 ``text`` to ``target`` atomically (``\\n`` line ends)."""
    atomic_write_bytes(target, text.encode("utf-8"))


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path) -> str:
    """The sha256 hex digest of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ---------------------------------------------------------------- model files

MODEL_FILE = "eduplan.joblib"
COMPACT_FILE = "eduplan.npz"
CARD_FILE = "card.json"
MODEL_FORMAT = "eduplan-model/1"


def library_versions() -> dict[str, str]:
    """Versions recorded in a model card and compared when it is loaded."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name in ("scikit-learn", "numpy", "scipy", "jieba", "eduplan"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "unknown"
    return out


def save_model(pipeline, out_dir: str | Path, card: dict) -> dict:
    """Write ``eduplan.joblib``, ``eduplan.npz`` and ``card.json`` into ``out_dir``; returns the final card.

    The joblib file holds the scikit-learn pipeline, the ``.npz`` file its
    compact numpy export (what classifying uses; loading it runs no code). The
    card records both files' sha256, so a changed file is detected on load.
    Files are written under temporary names and renamed, the card last: an
    interruption leaves the previous model in place.
    """
    import json

    import joblib

    from .compact import CompactModel

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    compact = CompactModel.from_pipeline(pipeline)
    with atomic_path(out_dir / MODEL_FILE) as model_tmp, atomic_path(out_dir / COMPACT_FILE) as compact_tmp:
        joblib.dump({"format": MODEL_FORMAT, "pipeline": pipeline}, model_tmp, compress=3)
        with open(compact_tmp, "wb") as fh:
            import numpy as np

            np.savez_compressed(fh, **compact.arrays)
        card = {
            **card,
            "format": MODEL_FORMAT,
            "model_file": MODEL_FILE,
            "model_sha256": sha256_file(model_tmp),
            "compact_file": COMPACT_FILE,
            "compact_sha256": sha256_file(compact_tmp),
        }
        card_tmp = out_dir / f".{CARD_FILE}.new"
        card_tmp.write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(card_tmp, out_dir / CARD_FILE)
    return card


def model_paths(path: str | Path) -> tuple[Path, Path]:
    """``(model file, card file)`` for a model directory or a ``.joblib`` file."""
    path = Path(path)
    if path.is_dir():
        return path / MODEL_FILE, path / CARD_FILE
    return path, path.with_name(CARD_FILE)


def read_card(card_path: str | Path) -> dict | None:
    """The card as a dict, or ``None`` when there is none or it is not valid JSON."""
    import json

    try:
        card = json.loads(Path(card_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return card if isinstance(card, dict) else None
