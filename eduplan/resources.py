"""Where the shipped files live: the repo checkout, or inside the installed wheel.

``data/taxonomy.toml``, ``data/items.csv`` (the labeled corpus) and ``model/``
sit at the top of the repo; the wheel carries copies under
``eduplan/_shipped/`` (hatchling ``force-include``), so training with a user's
corrections works from a plain ``pip install`` as in a clone.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["repo_root", "taxonomy_path", "corpus_path", "model_dir", "seeds_dir"]

_PACKAGE = Path(__file__).resolve().parent
_REPO = _PACKAGE.parent
_SHIPPED = _PACKAGE / "_shipped"


def repo_root() -> Path | None:
    """The checkout this package runs from, or ``None`` when installed as a wheel."""
    return _REPO if (_REPO / "pyproject.toml").is_file() and (_REPO / "data").is_dir() else None


def _shipped(relative: str) -> Path:
    root = repo_root()
    return root / relative if root else _SHIPPED / relative


def taxonomy_path() -> Path:
    """The shipped ``taxonomy.toml``."""
    return _shipped("data/taxonomy.toml")


def corpus_path() -> Path:
    """The shipped labeled corpus ``items.csv``."""
    return _shipped("data/items.csv")


def model_dir() -> Path:
    """The directory of the shipped default model."""
    return _shipped("model")


def seeds_dir() -> Path | None:
    """The seed documents of the corpus (in a checkout only: the wheel does not carry them)."""
    root = repo_root()
    return root / "seeds" if root else None
