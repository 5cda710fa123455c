"""The theme taxonomy: the one place that knows the theme ids (read from ``taxonomy.toml``)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import DataError
from .resources import taxonomy_path

__all__ = ["Theme", "SKIP", "load", "themes", "ids", "names", "get", "is_theme", "term_examples"]

SKIP = "skip"
"""Label of corpus items that are not tasks (kept in the corpus, left out of training)."""


_TERM_SEPARATORS = re.compile(r"[,;:，；：、/]")
_LATIN_WORDS = re.compile(r"[A-Za-z0-9][A-Za-z0-9+–-]*(?:\s+[A-Za-z0-9][A-Za-z0-9+–-]*)*")
_MARKS = re.compile(r"[\"“”()（）]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Theme:
    id: str
    zh: str
    en: str
    description: str

    @property
    def terms(self) -> tuple[str, ...]:
        """The Chinese name and the Chinese terms of the description, in order (English glosses dropped).

        ``"普惠 / 公办园, 小区配套园"`` gives ``普惠``, ``公办园``, ``小区配套园``: the taxonomy's own
        words for the theme, which training adds as short examples (see :func:`term_examples`).
        """
        found: list[str] = [self.zh]
        for part in _TERM_SEPARATORS.split(self.description):
            term = " ".join(_MARKS.sub("", _LATIN_WORDS.sub(" ", part)).split())
            if _CJK.search(term) and term not in found:
                found.append(term)
        return tuple(found)


def load(path: str | Path | None = None) -> tuple[Theme, ...]:
    """Read the themes from ``path`` (default: the shipped taxonomy), in taxonomy order."""
    path = Path(path) if path else taxonomy_path()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        found = tuple(Theme(t["id"], t["zh"], t["en"], t["description"]) for t in raw["themes"])
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise DataError(f"{path}: not a valid taxonomy ({exc})") from None
    if len({t.id for t in found}) != len(found):
        raise DataError(f"{path}: duplicate theme ids")
    return found


@lru_cache(maxsize=1)
def themes() -> tuple[Theme, ...]:
    """The shipped themes, in taxonomy order."""
    return load()


def ids() -> list[str]:
    """Theme ids in taxonomy order."""
    return [t.id for t in themes()]


def names(lang: str = "zh") -> dict[str, str]:
    """Map theme id → Chinese (``zh``) or English (``en``) name (a copy: change it freely)."""
    return dict(_names(lang))


@lru_cache(maxsize=2)
def _names(lang: str) -> dict[str, str]:
    return {t.id: getattr(t, lang) for t in themes()}


def get(theme_id: str) -> Theme:
    """Look up one theme by id; raises ``KeyError`` for an unknown id."""
    for theme in themes():
        if theme.id == theme_id:
            return theme
    raise KeyError(theme_id)


def is_theme(label: str) -> bool:
    """Whether ``label`` is a theme id of the taxonomy."""
    return label in ids()


def term_examples(theme_ids: Iterable[str]) -> tuple[list[str], list[str]]:
    """Texts and labels of the taxonomy terms (:attr:`Theme.terms`) of ``theme_ids``, in taxonomy order."""
    wanted = set(theme_ids)
    texts: list[str] = []
    labels: list[str] = []
    for theme in themes():
        if theme.id in wanted:
            texts += theme.terms
            labels += [theme.id] * len(theme.terms)
    return texts, labels
