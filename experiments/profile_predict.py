"""Where ``Classifier.predict`` spends its time: cProfile of 3 × 10,000 distinct texts (after a warm-up batch).

Run: ``python experiments/profile_predict.py`` (prints the functions with the most time of their own, per 10,000
texts). cProfile adds its own overhead, so the stages come out somewhat larger than in ``experiments/bench.py``;
use it to see the shares, and bench.py for speed.
"""

from __future__ import annotations

import cProfile
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import distinct_texts  # noqa: E402

from eduplan.modeldir import load_model  # noqa: E402

ROUNDS = 3


def main() -> None:
    clf = load_model()
    clf.compact.prepare()
    texts = distinct_texts(10_000 * ROUNDS + 2_000, 1)
    clf.predict(texts[-2_000:])  # warm-up: tables, segmenter dictionary, allocator
    profile = cProfile.Profile()
    profile.enable()
    for r in range(ROUNDS):
        clf.predict(texts[10_000 * r : 10_000 * (r + 1)])
    profile.disable()
    stats = pstats.Stats(profile)
    rows = sorted(stats.stats.items(), key=lambda item: -item[1][2])[:20]
    print("ms per 10,000 texts (own time)  function")
    for (path, line, name), (_, _, own, _, _) in rows:
        print(f"{own / ROUNDS * 1000:8.1f}  {Path(path).name}:{line}({name})")


if __name__ == "__main__":
    main()
