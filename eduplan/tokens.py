"""Word tokens: the one word tokenizer of eduplan, and the number mask.

Module-level functions (never lambdas), so saved pipelines load anywhere, and
light to import: classifying with the compact model needs only these.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["word_tokens", "jieba_tokens", "segmenter_name", "mask_numbers"]

_WORDLIKE = re.compile(r"[\w\u4e00-\u9fff]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def mask_numbers(text: str) -> str:
    """Lower-case ``text`` and replace every number by ``0``: figures (``5010个``) say nothing about the theme."""
    return _NUMBER.sub("0", text.lower())


@lru_cache(maxsize=1)
def _jieba():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


@lru_cache(maxsize=1)
def _segmenter():
    """The fastest segmenter installed: rjieba (jieba-rs, same dictionary) or jieba itself."""
    try:
        import rjieba

        return "rjieba", rjieba.cut
    except ImportError:  # pragma: no cover - rjieba is a dependency; jieba is the fallback
        return "jieba", _jieba().lcut


def segmenter_name() -> str:
    """``"rjieba"`` or ``"jieba"``: which segmenter :func:`word_tokens` uses here."""
    return _segmenter()[0]


def _keep(tokens: list[str]) -> list[str]:
    return [tok.lower() for tok in tokens if _WORDLIKE.search(tok)]


def word_tokens(text: str) -> list[str]:
    """Segment normalised ``text`` into words; punctuation and spaces are dropped.

    Uses rjieba when installed (about 15× faster than jieba, tokens identical on
    97 % of corpus items, see ``tests/test_tokenizer_parity.py``), else jieba.
    """
    return _keep(_segmenter()[1](text))


def jieba_tokens(text: str) -> list[str]:
    """:func:`word_tokens` with the reference jieba segmenter (for parity checks and baselines)."""
    return _keep(_jieba().lcut(text))
