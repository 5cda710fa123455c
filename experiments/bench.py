"""Speed and memory of eduplan, with fastText and a plain jieba + TfidfVectorizer pipeline measured in the same run.

Measures, on one core:
- throughput of ``predict`` on 10,000 items resampled from the corpus (median of 5 runs);
- wall time of ``eduplan classify "<one item>"`` from a cold process (median of 5), against
  ``python -c "import sklearn.linear_model"`` and a cold fastText process;
- training time on the corpus;
- peak memory (max RSS) of each predictor on the 10,000 items, each in its own process;
- peak memory of ``eduplan classify big.csv`` on 10,000, 100,000 and 1,000,000 rows (streaming).

Run: ``pip install -e '.[bench]' && python experiments/bench.py`` (``--quick`` skips the 1,000,000-row run).
It rewrites the benchmark section of experiments/RESULTS.md and experiments/bench.json.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import csv  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "experiments"))

N_ITEMS = 10_000
REPEATS = 5
ONE_ITEM = "新建改扩建幼儿园20所，新增学位5010个"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def corpus():
    from eduplan.corpus import training_items

    frame = training_items(ROOT / "data" / "items.csv")
    return frame["text"].tolist(), frame["label"].tolist()


def sample(n: int, seed: int = 0) -> list[str]:
    texts, _ = corpus()
    rng = random.Random(seed)
    return [rng.choice(texts) for _ in range(n)]


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------- predictors (built in the measuring process)


def make_eduplan():
    from eduplan.loading import load_model

    clf = load_model()
    return clf.predict


def make_plain_jieba():
    """The plain pipeline a user would write: jieba.lcut as tokenizer, TfidfVectorizer, LinearSVC."""
    import jieba
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import Pipeline
    from sklearn.svm import LinearSVC

    jieba.setLogLevel(60)
    texts, labels = corpus()
    pipe = Pipeline(
        [("tfidf", TfidfVectorizer(tokenizer=jieba.lcut, token_pattern=None)), ("svm", LinearSVC(random_state=0))]
    )
    pipe.fit(texts, labels)
    return pipe.predict


def _fasttext_model(segment):
    """fastText trained on the corpus: 50 epochs, lr 0.5, word bigrams (a setting from compare.py's tuning grid)."""
    from compare import _ft_train

    texts, labels = corpus()
    return _ft_train(texts, labels, segment, epoch=50, lr=0.5, wordNgrams=2)


def _rjieba_segment(text: str) -> list[str]:
    import rjieba

    return rjieba.cut(text.replace("\n", " "))


def _jieba_segment(text: str) -> list[str]:
    import jieba

    jieba.setLogLevel(60)
    return jieba.lcut(text.replace("\n", " "))


def make_fasttext(segment):
    model = _fasttext_model(segment)

    def predict(texts):
        return model.predict([" ".join(segment(t)) for t in texts], k=1)[0]

    return predict


def make_fasttext_presegmented():
    model = _fasttext_model(_rjieba_segment)
    cache: dict[int, list[str]] = {}

    def predict(texts):
        key = id(texts)
        if key not in cache:
            cache.clear()
            cache[key] = [" ".join(_rjieba_segment(t)) for t in texts]
        return model.predict(cache[key], k=1)[0]

    return predict


PREDICTORS = {
    "eduplan": make_eduplan,
    "fastText + rjieba": lambda: make_fasttext(_rjieba_segment),
    "fastText + jieba": lambda: make_fasttext(_jieba_segment),
    "fastText, pre-segmented text": make_fasttext_presegmented,
    "plain jieba + TfidfVectorizer + LinearSVC": make_plain_jieba,
}


def measure_throughput(name: str, n: int = N_ITEMS) -> dict:
    """Items per second of one predictor (median of REPEATS) and this process's peak memory."""
    texts = sample(n)
    predict = PREDICTORS[name]()
    predict(texts[:200])  # warm caches (dictionaries, vocabularies)
    runs = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        predict(texts)
        runs.append(time.perf_counter() - started)
    return {"items_per_second": n / statistics.median(runs), "runs": runs, "peak_mb": max_rss_mb()}


def measure_training() -> dict:
    from eduplan.model import build_pipeline

    texts, labels = corpus()
    out = {}
    started = time.perf_counter()
    build_pipeline().fit(texts, labels)
    out["eduplan"] = time.perf_counter() - started
    for name, segment in (("fastText + rjieba", _rjieba_segment),):
        started = time.perf_counter()
        _fasttext_model(segment)
        out[name] = time.perf_counter() - started
    started = time.perf_counter()
    make_plain_jieba()
    out["plain jieba + TfidfVectorizer + LinearSVC"] = time.perf_counter() - started
    return out


# ---------------------------------------------------------------- subprocess helpers


def child(*args: str) -> dict:
    """Run this script as ``--child ...`` in a fresh process and return its JSON result."""
    proc = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def wall(cmd: list[str], repeats: int = REPEATS, stdout=subprocess.DEVNULL) -> float:
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=stdout, stderr=subprocess.DEVNULL)
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def eduplan_exe() -> str:
    exe = Path(sys.executable).with_name("eduplan")
    return str(exe) if exe.exists() else "eduplan"


def cold_start() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        model = _fasttext_model(_rjieba_segment)
        ft_path = os.path.join(tmp, "ft.bin")
        model.save_model(ft_path)
        ft_code = f"import fasttext, rjieba; m = fasttext.load_model({ft_path!r}); print(m.predict(' '.join(rjieba.cut({ONE_ITEM!r}))))"
        return {
            "eduplan classify (one item)": wall([eduplan_exe(), "classify", ONE_ITEM]),
            "eduplan --help": wall([eduplan_exe(), "--help"]),
            'python -c "import sklearn.linear_model"': wall([sys.executable, "-c", "import sklearn.linear_model"]),
            "fastText + rjieba, load and predict one item": wall([sys.executable, "-c", ft_code]),
        }


def streaming(rows_list: list[int]) -> dict:
    """Peak memory and time of ``eduplan classify big.csv --format jsonl`` for growing files."""
    texts = corpus()[0]
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for rows in rows_list:
            path = os.path.join(tmp, f"big-{rows}.csv")
            rng = random.Random(1)
            with open(path, "w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(["id", "text"])
                for i in range(rows):
                    writer.writerow([i, rng.choice(texts)])
            code = (
                "import resource, subprocess, sys, time, json; t = time.perf_counter(); "
                f"subprocess.run([{eduplan_exe()!r}, 'classify', {path!r}, '--format', 'jsonl'], stdout=subprocess.DEVNULL, check=True); "
                "print(json.dumps({'seconds': time.perf_counter() - t, "
                "'peak_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))"
            )
            proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
            out[rows] = json.loads(proc.stdout)
            print(f"  streaming {rows:>9,} rows: {out[rows]}", flush=True)
            os.unlink(path)
    return out


def main(quick: bool) -> None:
    results: dict = {"items": N_ITEMS, "repeats": REPEATS}
    print("throughput (each predictor in its own process)", flush=True)
    results["throughput"] = {}
    for name in PREDICTORS:
        results["throughput"][name] = child("throughput", name)
        print(
            f"  {name:45s} {results['throughput'][name]['items_per_second']:9.0f} items/s  peak {results['throughput'][name]['peak_mb']:.0f} MB",
            flush=True,
        )
    print("cold start", flush=True)
    results["cold_start"] = cold_start()
    print(f"  {results['cold_start']}", flush=True)
    print("training", flush=True)
    results["training"] = child("training")
    print(f"  {results['training']}", flush=True)
    print("streaming", flush=True)
    results["streaming"] = streaming([10_000, 100_000] if quick else [10_000, 100_000, 1_000_000])
    (ROOT / "experiments" / "bench.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    from compare import write_section

    write_section(render(results), START, END)


def render(r: dict) -> str:
    tp = r["throughput"]
    edu = tp["eduplan"]["items_per_second"]
    ft = tp["fastText + rjieba"]["items_per_second"]
    plain = tp["plain jieba + TfidfVectorizer + LinearSVC"]["items_per_second"]
    cold = r["cold_start"]
    sk = cold['python -c "import sklearn.linear_model"']
    train = r["training"]
    lines = [
        "## Speed and memory",
        "",
        f"`python experiments/bench.py` — one core, {r['items']:,} items resampled from the corpus, median of {r['repeats']} runs;",
        "every number in a table comes from the same run, so the ratios compare like with like on this noisy machine.",
        "",
        "| predictor (end to end: raw text in, theme out) | items/s | × fastText + rjieba | × plain jieba pipeline | peak memory (MB) |",
        "|---|---|---|---|---|",
    ]
    for name, m in tp.items():
        v = m["items_per_second"]
        lines.append(f"| {name} | {v:,.0f} | {v / ft:.2f} | {v / plain:.1f} | {m['peak_mb']:.0f} |")
    lines += [
        "",
        "| cold process | seconds | × `import sklearn.linear_model` |",
        "|---|---|---|",
    ]
    for name, seconds in cold.items():
        lines.append(f"| `{name}` | {seconds:.2f} | {seconds / sk:.2f} |")
    lines += ["", "| training on the corpus | seconds | × fastText |", "|---|---|---|"]
    for name, seconds in train.items():
        lines.append(f"| {name} | {seconds:.2f} | {seconds / train['fastText + rjieba']:.2f} |")
    lines += [
        "",
        "| `eduplan classify big.csv --format jsonl` | seconds | rows/s | peak memory (MB) |",
        "|---|---|---|---|",
    ]
    for rows, m in r["streaming"].items():
        lines.append(
            f"| {int(rows):,} rows | {m['seconds']:.1f} | {int(rows) / m['seconds']:,.0f} | {m['peak_mb']:.0f} |"
        )
    targets = [
        ("throughput ≥ fastText + rjieba end to end", edu / ft >= 1, f"{edu / ft:.2f}×"),
        ("throughput ≥ 10× the plain jieba pipeline", edu / plain >= 10, f"{edu / plain:.1f}×"),
        (
            "cold start ≤ 1.2× `import sklearn.linear_model`",
            cold["eduplan classify (one item)"] / sk <= 1.2,
            f"{cold['eduplan classify (one item)'] / sk:.2f}×",
        ),
        ("training ≤ 10 s", train["eduplan"] <= 10, f"{train['eduplan']:.1f} s"),
    ]
    peaks = [m["peak_mb"] for m in r["streaming"].values()]
    targets.append(
        (
            "peak memory flat from 10,000 to the largest file",
            max(peaks) <= 1.25 * min(peaks),
            f"{min(peaks):.0f}–{max(peaks):.0f} MB",
        )
    )
    lines += ["", "| target | met | measured |", "|---|---|---|"]
    lines += [f"| {name} | {'yes' if ok else 'no'} | {value} |" for name, ok, value in targets]
    return "\n".join(lines)


def run_child(args: list[str]) -> None:
    if args[0] == "throughput":
        print(json.dumps(measure_throughput(args[1])))
    elif args[0] == "training":
        print(json.dumps(measure_training()))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        run_child(sys.argv[2:])
    else:
        main(quick="--quick" in sys.argv)
