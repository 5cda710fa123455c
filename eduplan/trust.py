"""Which pickled pipelines may be loaded: explicit trust, kept outside every model directory.

A model's ``.npz`` file is plain arrays (loading it runs no code), so
classifying needs no trust at all. Its scikit-learn pipeline (``.joblib``) is
a pickle: loading it runs code, so it is loaded only when its sha256 is
trusted. Trusted hashes live in two places, never beside a model:

- the shipped model's, inside the package (``eduplan/trusted.json``), written
  when the shipped model is retrained;
- the user's allow-list (``$EDUPLAN_TRUST_FILE``, else
  ``$XDG_CONFIG_HOME/eduplan/trusted.json``), written only by
  ``eduplan trust DIR`` or ``--trust`` (:func:`trust_file`).

A card beside a model records hashes too, but anyone who can plant a file can
plant a card: the card proves a file is intact, never that it is safe.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .errors import ModelError

__all__ = ["shipped_trust_path", "user_trust_path", "trusted_hashes", "is_trusted", "trust_file", "trust_hash"]


def shipped_trust_path() -> Path:
    return Path(__file__).resolve().parent / "trusted.json"


def user_trust_path() -> Path:
    """The user's allow-list of pipeline hashes."""
    if os.environ.get("EDUPLAN_TRUST_FILE"):
        return Path(os.environ["EDUPLAN_TRUST_FILE"])
    config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return config / "eduplan" / "trusted.json"


def _read(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: not a readable list of trusted hashes ({exc})", path=str(path)) from None
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise ModelError(f"{path}: not a list of trusted hashes (expected a JSON object of sha256 -> note)", path=str(path))
    return data


def trusted_hashes() -> set[str]:
    """The sha256 digests of pipelines that may be unpickled: the shipped model's and the user's allow-list."""
    return set(_read(shipped_trust_path())) | set(_read(user_trust_path()))


def is_trusted(sha256: str) -> bool:
    return sha256 in trusted_hashes()


def trust_hash(sha256: str, note: str, path: Path | None = None) -> Path:
    """Add ``sha256`` to an allow-list (default: the user's); returns the list's path."""
    from .persist import atomic_write_text

    path = path or user_trust_path()
    entries = _read(path)
    entries[sha256] = note
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(dict(sorted(entries.items())), ensure_ascii=False, indent=2) + "\n")
    return path


def trust_file(file: str | Path) -> str:
    """Trust the pipeline file ``file`` (its current bytes); returns its sha256."""
    from .persist import sha256_file

    file = Path(file)
    digest = sha256_file(file)
    trust_hash(digest, str(file.resolve()))
    return digest
