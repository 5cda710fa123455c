"""Agreement between the corpus labels and the second, blind annotation of every item.

experiments/second_annotation.csv holds labels assigned a second time by reading each
item against data/TAXONOMY.md without seeing the corpus labels (item_id, label,
secondary, rule, note). This prints the share of items whose primary labels agree and
lists the disagreements, which were read again to adjudicate.

Run: python experiments/agreement.py [CORPUS]   (default data/items.csv; the labels
before adjudication: git show e746b87:data/items.csv > /tmp/before.csv, then pass it)
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "data" / "items.csv"
    items = pd.read_csv(corpus, dtype=str, keep_default_na=False)
    second = pd.read_csv(ROOT / "experiments" / "second_annotation.csv", dtype=str, keep_default_na=False)
    both = items.merge(second, on="item_id", suffixes=("", "_second"))
    differ = both[both["label"] != both["label_second"]]
    print(f"{len(both)} items annotated twice; primary labels agree on {1 - len(differ) / len(both):.1%}")
    for row in differ.itertuples():
        print(f"{row.item_id}: corpus {row.label}, second {row.label_second} ({row.note})")


if __name__ == "__main__":
    main()
