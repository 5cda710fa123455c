"""Speed and memory of eduplan against fastText + rjieba, measured side by side in one run on distinct texts.

Texts: item-like texts built from the corpus's sentences, 1–3 sentences of different items each, all distinct
(no text is seen twice, so no cache can make a method look faster than it is).

Measures (each as a ratio against the peer measured in the same run, interleaved, over several rounds; median
and range):

- ``predict``: eduplan's ``Classifier.predict`` on 10,000 texts against fastText supervised (trained on the same
  corpus, 50 epochs, lr 0.5, word bigrams) with rjieba tokens, both in this process on one core;
- end to end: ``eduplan classify big.csv --format jsonl`` on 100,000 rows (default settings, so ``--jobs`` is the
  usable cores) against a plain script with the same reading (pandas chunks), rjieba + fastText and one JSON line
  per row; and ``--jobs 1`` against ``--jobs 2``;
- cold start: ``eduplan classify "<one item>"`` in a new process against ``python -c "import sklearn.linear_model"``
  (both from compiled bytecode, as installed);
- peak memory (max RSS) of ``eduplan classify big.csv`` from 10,000 to 1,000,000 rows;
- peak memory of the inputs at the limits: a 1 MB ``.docx`` zip bomb, and a 50 MB one-line text.

Run: ``pip install -e '.[bench]' && python experiments/bench.py`` (``--quick``: fewer rounds, no 1,000,000 rows).
It rewrites the benchmark section of experiments/RESULTS.md and experiments/bench.json.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "experiments"))

ONE_ITEM = "加强教师队伍建设"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
PEER_SCRIPT = '''
import json, sys
import fasttext, pandas as pd, rjieba
fasttext.FastText.eprint = lambda *a, **k: None
model = fasttext.load_model(sys.argv[2])
out = sys.stdout
for chunk in pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False, chunksize=10000):
    texts = chunk["text"].tolist()
    labels, scores = model.predict([" ".join(rjieba.cut(t.replace("\\n", " "))) for t in texts], k=1)
    for row, text, label, score in zip(chunk.itertuples(index=False), texts, labels, scores):
        out.write(json.dumps({**row._asdict(), "label": label[0][9:], "score": round(float(score[0]), 4)},
                             ensure_ascii=False) + "\\n")
'''


def distinct_texts(n: int, seed: int) -> list[str]:
    """``n`` distinct item-like texts: 1–3 sentences of corpus items, in random combinations."""
    from eduplan.corpus import training_items

    items = training_items(ROOT / "data" / "items.csv")["text"].tolist()
    sentences = sorted({s for t in items for s in re.split(r"(?<=[。;])", t) if len(s) > 6})
    rng = random.Random(seed)
    out: set[str] = set()
    while len(out) < n:
        out.add("".join(rng.sample(sentences, rng.randint(1, 3))))
    texts = sorted(out)
    rng.shuffle(texts)
    return texts


def rjieba_cut(text: str) -> list[str]:
    import rjieba

    return rjieba.cut(text.replace("\n", " "))


def train_fasttext():
    from compare import _ft_train

    from eduplan.corpus import training_items

    frame = training_items(ROOT / "data" / "items.csv")
    return _ft_train(frame["text"].tolist(), frame["label"].tolist(), rjieba_cut, epoch=50, lr=0.5, wordNgrams=2)


def ratio_summary(values: list[float]) -> dict:
    return {"median": round(statistics.median(values), 3), "min": round(min(values), 3), "max": round(max(values), 3)}


def bench_predict(rounds: int, n: int) -> dict:
    """Throughput of predict, eduplan against fastText + rjieba, interleaved, on fresh distinct texts each round."""
    from eduplan.modeldir import load_model

    clf = load_model()
    fasttext_model = train_fasttext()

    def peer(texts):
        return fasttext_model.predict([" ".join(rjieba_cut(t)) for t in texts], k=1)[0]

    warm = distinct_texts(2000, 99)
    clf.predict(warm)
    peer(warm)
    texts = distinct_texts(2 * n * rounds, 1)
    eduplan_rates, peer_rates, ratios = [], [], []
    for r in range(rounds):
        batch = texts[2 * n * r : 2 * n * r + n], texts[2 * n * r + n : 2 * n * (r + 1)]
        first, second = (clf.predict, peer) if r % 2 == 0 else (peer, clf.predict)
        times = {}
        for function, part in ((first, batch[0]), (second, batch[1])):
            started = time.perf_counter()
            function(part)
            times[function] = time.perf_counter() - started
        eduplan_rates.append(n / times[clf.predict])
        peer_rates.append(n / times[peer])
        ratios.append(times[peer] / times[clf.predict])
    return {
        "items": n,
        "rounds": rounds,
        "eduplan_items_per_second": round(statistics.median(eduplan_rates)),
        "fasttext_rjieba_items_per_second": round(statistics.median(peer_rates)),
        "ratio": ratio_summary(ratios),
    }


def _run(args: list[str], stdout=subprocess.DEVNULL) -> tuple[float, float]:
    """Wall time and peak memory (MB) of a command run in a new process."""
    started = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", *args], stdout=stdout, stderr=subprocess.PIPE, text=True, check=True)
    elapsed = time.perf_counter() - started
    return elapsed, int(proc.stderr.strip().splitlines()[-1]) / 1024


def write_table(path: Path, n: int, seed: int) -> None:
    import csv

    texts = distinct_texts(min(n, 200_000), seed)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "text"])
        for i in range(n):
            writer.writerow([i, texts[i % len(texts)] + ("" if i < len(texts) else f"(第{i // len(texts)}批)")])


def bench_end_to_end(rounds: int, rows: int, tmp: Path) -> dict:
    """eduplan classify big.csv --format jsonl against the peer script, and --jobs 1 against --jobs 2."""
    table = tmp / "big.csv"
    write_table(table, rows, 7)
    model_file = tmp / "fasttext.bin"
    train_fasttext().save_model(str(model_file))
    peer = tmp / "peer.py"
    peer.write_text(PEER_SCRIPT, encoding="utf-8")
    eduplan = [sys.executable, "-m", "eduplan", "classify", str(table), "--format", "jsonl"]
    commands = {
        "eduplan": eduplan,
        "eduplan --jobs 1": [*eduplan, "--jobs", "1"],
        "eduplan --jobs 2": [*eduplan, "--jobs", "2"],
        "peer": [sys.executable, str(peer), str(table), str(model_file)],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for r in range(rounds):
        names = list(commands) if r % 2 == 0 else list(reversed(commands))
        for name in names:
            times[name].append(_run(commands[name])[0])
    return {
        "rows": rows,
        "rounds": rounds,
        "seconds": {name: round(statistics.median(values), 2) for name, values in times.items()},
        "ratio_to_peer": ratio_summary([p / e for p, e in zip(times["peer"], times["eduplan"])]),
        "jobs2_over_jobs1": ratio_summary([j1 / j2 for j1, j2 in zip(times["eduplan --jobs 1"], times["eduplan --jobs 2"])]),
    }


def bench_cold_start(rounds: int) -> dict:
    """A single classify in a new process against importing scikit-learn's linear models, both from bytecode:
    ``pip install`` compiles a package's modules, so eduplan's are compiled here too (a checkout run with
    ``PYTHONDONTWRITEBYTECODE`` would otherwise compile them from source on every start)."""
    import compileall

    compileall.compile_dir(ROOT / "eduplan", quiet=1)
    eduplan = [sys.executable, "-m", "eduplan", "classify", ONE_ITEM, "--format", "jsonl"]
    sklearn = [sys.executable, "-c", "import sklearn.linear_model"]
    ours, theirs = [], []
    for r in range(rounds):
        for name in (("eduplan", "sklearn") if r % 2 == 0 else ("sklearn", "eduplan")):
            (ours if name == "eduplan" else theirs).append(_run(eduplan if name == "eduplan" else sklearn)[0])
    return {
        "rounds": rounds,
        "eduplan_seconds": round(statistics.median(ours), 3),
        "import_sklearn_seconds": round(statistics.median(theirs), 3),
        "ratio": ratio_summary([o / t for o, t in zip(ours, theirs)]),
    }


def bench_memory(sizes: list[int], tmp: Path) -> dict:
    out = {}
    for n in sizes:
        table = tmp / f"rows-{n}.csv"
        write_table(table, n, 11)
        seconds, peak = _run([sys.executable, "-m", "eduplan", "classify", str(table), "--format", "jsonl"])
        out[str(n)] = {"peak_mb": round(peak), "seconds": round(seconds, 1)}
        table.unlink()
    return out


def bench_limits(tmp: Path) -> dict:
    """Peak memory of the inputs at the limits: a .docx zip bomb and a 50 MB one-line text."""
    import zipfile

    bomb = tmp / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w:t>" + b"\x00" * (1 << 30))
    line = " ".join((ROOT / "seeds" / "002_5086480b2c753375.txt").read_text(encoding="utf-8").split("\n"))
    big = tmp / "one_line.txt"
    big.write_text((line * (50_000_000 // len(line.encode()) + 1))[: 50_000_000 // 3], encoding="utf-8")
    results = {}
    for name, args in (
        ("docx zip bomb (1 MiB, unpacks to 1 GiB): eduplan segment", ["segment", str(bomb)]),
        ("50 MB text on one line: eduplan segment", ["segment", str(big), "--format", "jsonl"]),
        ("50 MB text on one line: eduplan classify", ["classify", str(big), "--format", "jsonl"]),
    ):
        started = time.perf_counter()
        proc = subprocess.run(
            ["/usr/bin/time", "-f", "%M", sys.executable, "-m", "eduplan", *args],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False,
        )
        lines = proc.stderr.strip().splitlines()
        results[name] = {
            "file_mb": round((bomb if "bomb" in name else big).stat().st_size / 1e6, 1),
            "peak_mb": round(int(lines[-1]) / 1024),
            "seconds": round(time.perf_counter() - started, 1),
            "exit": proc.returncode,
            "message": next((ln.replace(str(tmp) + "/", "") for ln in lines if ln.startswith("error:")), ""),
        }
    return results


def write_results(results: dict) -> None:
    from compare import write_section

    p, e, c = results["predict"], results["end_to_end"], results["cold_start"]
    lines = [
        "## Speed and memory",
        "",
        f"`python experiments/bench.py` on {os.cpu_count()} cores; distinct texts built from the corpus's sentences "
        "(none seen twice); each comparison interleaved over several rounds in one run; ratios are the peer's time "
        "over eduplan's (above 1: eduplan is faster), median (min–max).",
        "",
        "| measure | eduplan | peer | ratio |",
        "|---|---|---|---|",
        f"| `predict`, {p['items']:,} texts, one process ({p['rounds']} rounds) | {p['eduplan_items_per_second']:,} items/s "
        f"| fastText + rjieba {p['fasttext_rjieba_items_per_second']:,} items/s | {p['ratio']['median']:.2f}× "
        f"({p['ratio']['min']:.2f}–{p['ratio']['max']:.2f}) |",
        f"| `eduplan classify big.csv --format jsonl`, {e['rows']:,} rows, default settings ({e['rounds']} rounds) "
        f"| {e['seconds']['eduplan']} s | plain script, pandas chunks + rjieba + fastText + JSON lines, {e['seconds']['peer']} s "
        f"| {e['ratio_to_peer']['median']:.2f}× ({e['ratio_to_peer']['min']:.2f}–{e['ratio_to_peer']['max']:.2f}) |",
        f"| `--jobs 2` against `--jobs 1`, same table | {e['seconds']['eduplan --jobs 2']} s "
        f"| {e['seconds']['eduplan --jobs 1']} s | {e['jobs2_over_jobs1']['median']:.2f}× "
        f"({e['jobs2_over_jobs1']['min']:.2f}–{e['jobs2_over_jobs1']['max']:.2f}) |",
        f"| cold start: `eduplan classify \"{ONE_ITEM}\"` ({c['rounds']} rounds) | {c['eduplan_seconds']} s "
        f"| `python -c \"import sklearn.linear_model\"` {c['import_sklearn_seconds']} s "
        f"| eduplan takes {c['ratio']['median']:.2f}× its time ({c['ratio']['min']:.2f}–{c['ratio']['max']:.2f}) |",
        "",
        "Peak memory (max RSS) of `eduplan classify big.csv --format jsonl`:",
        "",
        "| rows | peak MB | seconds |",
        "|---|---|---|",
    ]
    lines += [f"| {int(n):,} | {m['peak_mb']} | {m['seconds']} |" for n, m in results["memory"].items()]
    lines += ["", "Inputs at the limits (peak memory of the whole command):", "", "| input | file MB | peak MB | seconds | result |",
              "|---|---|---|---|---|"]
    for name, m in results["limits"].items():
        outcome = m["message"] or ("done" if m["exit"] == 0 else f"exit {m['exit']}")
        lines.append(f"| {name} | {m['file_mb']} | {m['peak_mb']} | {m['seconds']} | {outcome} |")
    write_section("\n".join(lines), START, END)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and no 1,000,000-row run")
    args = parser.parse_args()
    rounds = 3 if args.quick else 5
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        results = {"predict": bench_predict(rounds, 10_000)}
        print(results["predict"], flush=True)
        results["end_to_end"] = bench_end_to_end(3 if args.quick else 5, 100_000, tmp)
        print(results["end_to_end"], flush=True)
        results["cold_start"] = bench_cold_start(5 if args.quick else 9)
        print(results["cold_start"], flush=True)
        results["memory"] = bench_memory([10_000, 100_000] + ([] if args.quick else [1_000_000]), tmp)
        print(results["memory"], flush=True)
        results["limits"] = bench_limits(tmp)
        print(results["limits"], flush=True)
    (ROOT / "experiments" / "bench.json").write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    write_results(results)


if __name__ == "__main__":
    main()
