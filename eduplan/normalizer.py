"""The one text normaliser of eduplan.

Plan text arrives copied from PDFs, web mirrors and Word files: full-width
digits and letters, spaces inserted between Chinese characters, Traditional
characters and pinyin glosses such as ``業(yè)務``. Segmenting, training and
classifying all see text through :func:`normalize`, so they agree on it.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = [
    "normalize",
    "normalize_many",
    "joined_map",
    "numpy_sized",
    "to_halfwidth",
    "strip_pinyin",
    "remove_cjk_spaces",
    "to_simplified",
]

# Full-width ASCII block (U+FF01..U+FF5E) maps to ASCII by a fixed offset;
# the ideographic space and a few look-alike dots map by hand.
_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_HALFWIDTH.update({0x3000: 0x20, 0xFE52: 0x2E, 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x200B: None, 0xFEFF: None})

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_PUNCT = "\u3001\u3002\u300a-\u300f\u2018-\u201d\u2026\u2014"
# Each pattern starts with a plain character class, so the regex engine can skip ahead quickly.
_CJK_SPACE = re.compile(rf"[ \t](?<=[{_CJK}{_CJK_PUNCT}][ \t])[ \t]*(?=[{_CJK}{_CJK_PUNCT}])")

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_GLOSS = rf"\((?=[a-z{_TONED}ü]*[{_TONED}])[a-z{_TONED}ü]{{1,7}}\)"
_PINYIN = re.compile(rf"\((?<=[{_CJK}]\()(?=[a-z{_TONED}ü]*[{_TONED}])[a-z{_TONED}ü]{{1,7}}\)(?:{_GLOSS})*")
_SPACES = re.compile(r"[\t\f\v][ \t\f\v]*| [ \t\f\v]+")  # only runs that change: a lone space stays
_NEWLINES = re.compile(r"\r\n?")


_WIDE = re.compile("[" + "".join(re.escape(chr(code)) for code in _HALFWIDTH) + "]+")


def _narrow(match: re.Match) -> str:
    return match.group().translate(_HALFWIDTH)


_NUMPY_TEXT = (4096, 1 << 22)  # lengths of text (a batch joined) that numpy maps faster than the regex engine;
# past the upper bound its 4-byte code point arrays would cost more memory than the text itself is worth
_DROP = 0xFFFFFFFF  # a code point the mapping removes


def numpy_sized(text: str) -> bool:
    """Whether ``text`` is long enough for numpy passes to beat the regex engine, and short enough that its
    code point arrays stay small."""
    return _NUMPY_TEXT[0] <= len(text) <= _NUMPY_TEXT[1]


@lru_cache(maxsize=1)
def _halfwidth_table():
    import numpy as np

    table = np.arange(0x10000, dtype=np.uint32)
    for code, value in _HALFWIDTH.items():
        table[code] = _DROP if value is None else value
    return table


def to_halfwidth(text: str) -> str:
    """Map full-width digits, letters and punctuation (and odd spaces) to ASCII.

    A batch joined (:func:`numpy_sized`) is mapped through a table of code points with numpy: no callback per match.
    """
    if not numpy_sized(text):
        return _WIDE.sub(_narrow, text)
    import numpy as np

    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    mapped = _halfwidth_table()[np.minimum(codes, 0xFFFF)]
    beyond = np.flatnonzero(codes > 0xFFFF)
    mapped[beyond] = codes[beyond]
    if np.array_equal(mapped, codes):
        return text
    return mapped[mapped != _DROP].tobytes().decode("utf-32-le", "surrogatepass")


def strip_pinyin(text: str) -> str:
    """Remove pinyin glosses written after characters, e.g. ``業(yè)務`` → ``業務``."""
    if "(" not in text:
        return text
    return _PINYIN.sub("", text)


def remove_cjk_spaces(text: str) -> str:
    """Remove spaces between two Chinese characters (or Chinese punctuation)."""
    return _CJK_SPACE.sub("", text)


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


_SURROGATES = re.compile("[\ud800-\udfff]")


def to_simplified(text: str) -> str:
    """Convert Traditional characters to Simplified (OpenCC ``t2s``).

    A lone surrogate (an undecodable byte of a command-line argument) is no character: it becomes U+FFFD.
    """
    if not text or text.isascii():
        return text
    try:
        return _converter().convert(text)
    except UnicodeEncodeError:  # OpenCC takes UTF-8, which has no surrogates
        return _converter().convert(_SURROGATES.sub("\ufffd", text))


def normalize(text: str) -> str:
    """Return ``text`` normalised: half-width, Simplified, no pinyin glosses, no spaces inside Chinese.

    Line breaks are kept (segmenting needs them); runs of spaces become one space.
    The function is idempotent: ``normalize(normalize(t)) == normalize(t)``.
    """
    text = _NEWLINES.sub("\n", text)
    text = to_halfwidth(text)
    text = strip_pinyin(text)
    text = to_simplified(text)
    if "  " in text or "\t" in text or "\f" in text or "\v" in text:  # a plain search first: most text has none
        text = _SPACES.sub(" ", text)
    return remove_cjk_spaces(text)


_BATCH_SEPARATOR = "\x1e"


def joined_map(function, texts: list[str]) -> list[str]:
    """``function`` of many texts from one call on them joined by ``\\x1e`` (which ``function`` keeps); text by
    text where a text holds the separator itself. One pass of a regex or of OpenCC is several times faster."""
    joined = _BATCH_SEPARATOR.join(texts)
    if len(texts) < 2 or joined.count(_BATCH_SEPARATOR) != len(texts) - 1:
        return [function(t) for t in texts]
    out = function(joined).split(_BATCH_SEPARATOR)
    if len(out) != len(texts):  # pragma: no cover - the functions used here never change the separator
        return [function(t) for t in texts]
    return out


def normalize_many(texts: list[str]) -> list[str]:
    """:func:`normalize` for many texts at once (:func:`joined_map`)."""
    texts = list(map(str, texts))
    if not any(texts):  # a context column nobody filled
        return texts
    return joined_map(normalize, texts)
