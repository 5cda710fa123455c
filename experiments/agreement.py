"""Agreement of the independent readings behind the corpus labels.

Two records, both in experiments/annotation/:

- second_annotation.csv: a second, blind annotation of the first 760 items (item_id, label, secondary,
  rule, note), compared with the corpus labels;
- new_items_two_passes.csv: the items added with the web4-6 documents and the segmenter fixes, each
  labeled twice by separate annotators who did not see each other's labels (pass_a, pass_b), then
  adjudicated by reading (label, secondary, and the rule that decided each disagreement in
  ``adjudication``). Items are matched to the corpus by their text.

Prints the share of items whose primary labels agree and lists the disagreements.

Run: python experiments/agreement.py [CORPUS]   (default data/items.csv)
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
RECORDS = ROOT / "experiments" / "annotation"


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "data" / "items.csv"
    items = pd.read_csv(corpus, dtype=str, keep_default_na=False)

    second = pd.read_csv(RECORDS / "second_annotation.csv", dtype=str, keep_default_na=False)
    both = items.merge(second, on="item_id", suffixes=("", "_second"))
    differ = both[both["label"] != both["label_second"]]
    print(f"first 760 items: {len(both)} still in the corpus, annotated twice; "
          f"corpus and second annotation agree on {1 - len(differ) / len(both):.1%}")

    passes = pd.read_csv(RECORDS / "new_items_two_passes.csv", dtype=str, keep_default_na=False)
    agree = passes["pass_a"] == passes["pass_b"]
    print(f"new items: {len(passes)} labeled by two independent passes; primary labels agree on {agree.mean():.1%} "
          f"({int((~agree).sum())} disagreements adjudicated)")
    secondary = passes[agree]
    same = (secondary["pass_a_secondary"] == secondary["pass_b_secondary"]).mean()
    print(f"  where the primary agrees, the secondary themes are identical on {same:.1%}")
    label_of = dict(zip(items["text"], items["label"]))
    present = passes[passes["text"].isin(label_of)]
    changed = int((present["text"].map(label_of) != present["label"]).sum())
    print(f"  {len(present)} of them are in {corpus.name}; {changed} carry a label other than the adjudicated one")
    for row in passes[~agree].itertuples():
        print(f"  {row.item_id}: {row.pass_a} / {row.pass_b} -> {row.label} ({row.adjudication})")


if __name__ == "__main__":
    main()
