"""How the process's memory allocator treats the large, short-lived arrays of batch classification.

Scoring a block of 2,000 texts makes and frees dozens of arrays of a few MB
each. glibc's malloc serves blocks that large with fresh ``mmap`` pages, or
gives the top of its heap back to the system after each free, so every array
pays its page faults again: about a tenth of the time of ``predict``.
:func:`keep_freed_memory` asks it to keep up to 256 MiB of freed memory for
reuse instead. Peak memory is unchanged (the same arrays are live at once);
memory freed after a batch goes back to the system more lazily.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["keep_freed_memory"]

_M_TRIM_THRESHOLD = -1  # glibc's mallopt parameters (malloc.h)
_M_MMAP_THRESHOLD = -3
_MMAP_THRESHOLD = 32 << 20  # blocks below this come from the heap (glibc's largest allowed value)
_TRIM_THRESHOLD = 256 << 20  # free memory kept at the top of the heap before it goes back to the system


@lru_cache(maxsize=1)
def keep_freed_memory() -> bool:
    """Have glibc's malloc keep freed blocks for reuse (once per process); ``False`` where there is no glibc.

    Called before the first large batch; forked workers inherit the setting.
    """
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, TypeError):  # not glibc (macOS, Windows): nothing to tune
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    return bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD))
