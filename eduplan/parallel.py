"""Scoring chunks of a large table in a pool of processes, in order, while this process reads and writes.

The pool is forked after the model is loaded, so a worker starts with the
model already in memory: no import, no second load. Each worker first builds
the model's lookup tables and the segmenter's dictionary while this process
reads the first chunks (built here before the fork, they would delay the
first chunk instead). Workers receive a chunk's
texts and return its score arrays; results come back in input order, with a
few chunks in flight so that reading, scoring and writing overlap. Where fork
is not available, chunks are scored here, one after another.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterator
from typing import Any

from .records import Columns

__all__ = ["scored_chunks", "usable_cores"]

_MODEL: Any = None  # the model of the pool's workers (inherited through fork)


def usable_cores() -> int:
    """The CPU cores this process may run on."""
    try:
        import os

        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - platforms without sched_getaffinity
        return max(1, multiprocessing.cpu_count())


def _prepare() -> None:
    """A new worker builds what scoring needs first (lookup tables, the segmenter's dictionary, scipy), while the
    parent reads the first chunks."""
    try:
        _MODEL.compact.prepare()
    except Exception:  # noqa: BLE001 - a pool respawns workers whose initializer fails, forever; the first
        pass  # chunk builds what is missing and its error reaches the parent through the result


def _score(columns: Columns):
    return _MODEL.scores(columns)


def scored_chunks(model, chunks: Iterator[tuple[Any, Columns]], jobs: int) -> Iterator[tuple[Any, Columns, Any]]:
    """``(frame, columns, scores of its filled rows)`` for each chunk, in order."""
    global _MODEL
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for frame, columns in chunks:
            yield frame, columns, model.scores(columns.take(columns.filled()))
        return
    _MODEL = model
    pending: deque = deque()
    with multiprocessing.get_context("fork").Pool(jobs, initializer=_prepare) as pool:
        for frame, columns in chunks:
            pending.append((frame, columns, pool.apply_async(_score, (columns.take(columns.filled()),))))
            while len(pending) > 2 * jobs:
                frame_, columns_, result = pending.popleft()
                yield frame_, columns_, result.get()
        while pending:
            frame_, columns_, result = pending.popleft()
            yield frame_, columns_, result.get()
