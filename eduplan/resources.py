"""Where the shipped files live: the repo checkout, or inside the installed wheel.

``data/taxonomy.toml`` and ``model/`` sit at the top of the repo; the wheel
carries copies under ``eduplan/_shipped/`` (hatchling ``force-include``).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_REPO = _PACKAGE.parent
_SHIPPED = _PACKAGE / "_shipped"


def repo_root() -> Path | None:
    """The checkout this package runs from, or ``None`` when installed as a wheel."""
    return _REPO if (_REPO / "pyproject.toml").is_file() and (_REPO / "data").is_dir() else None


def taxonomy_path() -> Path:
    """The shipped ``taxonomy.toml``."""
    root = repo_root()
    return root / "data" / "taxonomy.toml" if root else _SHIPPED / "taxonomy.toml"


def model_dir() -> Path:
    """The directory of the shipped default model (``eduplan.joblib`` and ``card.json``)."""
    root = repo_root()
    return root / "model" if root else _SHIPPED / "model"
