"""Writing files safely: a file is either its old self or its complete new self, never half-written."""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_path", "atomic_paths", "atomic_write_bytes", "atomic_write_text", "sha256_file", "sha256_bytes"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _temp_beside(target: Path) -> Path:
    """A new empty file beside ``target`` (same directory, so renaming it onto ``target`` is atomic)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; the result gets the usual permissions
    return Path(tmp)


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) until the block is done, then deliver it."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread receives signals
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received and callable(previous):
        previous(signal.SIGINT, None)


@contextlib.contextmanager
def atomic_paths(*targets: str | Path) -> Iterator[list[Path]]:
    """Yield temporary paths beside ``targets``; on success they replace the targets together, on error they are removed.

    The renames run with Ctrl-C held, so an interruption leaves every target old or every target new.
    """
    finals = [Path(target) for target in targets]
    temps: list[Path] = []
    try:
        for target in finals:
            temps.append(_temp_beside(target))
        yield temps
        for tmp in temps:
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        with _interrupts_held():
            for tmp, target in zip(temps, finals):
                os.replace(tmp, target)
    except BaseException:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target``, on error it is removed."""
    with atomic_paths(target) as (tmp,):
        yield tmp


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
    Files are written under temporary names and renamed together with Ctrl-C
    held: an interruption leaves the previous model in place.
    """
    import json

    import joblib

    from .compact import CompactModel

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    compact = CompactModel.from_pipeline(pipeline)
    targets = (out_dir / MODEL_FILE, out_dir / COMPACT_FILE, out_dir / CARD_FILE)
    with atomic_paths(*targets) as (model_tmp, compact_tmp, card_tmp):
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
        card_tmp.write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
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
