"""The bad-input catalogue (docs/errors.md): one test per case, each through the real entry point in a subprocess.

Every error a user can cause ends in one line on stderr (``error: ...``) and exit code 1, or 2 for
usage errors; never a traceback (unless ``--debug``), never a half-written file.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import PLAN, REPO, fixture_corpus

ENTRY = [sys.executable, "-c", "from eduplan.cli import main; main()"]
SEED = "seeds/002_5086480b2c753375.txt"
NO_ITEMS = "no numbered items found"


def eduplan(*args, stdin: bytes | None = None, timeout: float = 60, entry: list[str] = ENTRY):
    """Run ``eduplan ARGS`` from the repository root; stdout and stderr as text."""
    proc = subprocess.run(
        [*entry, *map(str, args)], cwd=REPO, input=stdin, capture_output=True, timeout=timeout, check=False
    )
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8", "replace")
    )


def assert_error(proc, code: int, *words: str) -> str:
    """``proc`` exited with ``code`` after one ``error:`` line on stderr holding ``words``; returns the line."""
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: "), lines[0]
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def jsonl(proc) -> list[dict]:
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


@pytest.fixture
def model_copy(small_model, tmp_path) -> Path:
    """A copy of the small trained model, free to damage."""
    return Path(shutil.copytree(small_model[0], tmp_path / "model"))


def _edit_card(model_dir: Path, **changes) -> None:
    card = json.loads((model_dir / "card.json").read_text(encoding="utf-8"))
    card.update(changes)
    (model_dir / "card.json").write_text(json.dumps(card), encoding="utf-8")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


# ---------------------------------------------------------------- documents


def test_missing_file(tmp_path):
    missing = tmp_path / "none.txt"
    assert_error(eduplan("segment", missing), 1, f"{missing}: no such file")
    assert_error(eduplan("classify", missing), 1, f"{missing}: no such file")


def test_directory(tmp_path):
    assert_error(eduplan("segment", tmp_path), 1, "is a directory, expected a file")
    assert_error(eduplan("classify", tmp_path), 1, "is a directory, expected a file")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert_error(eduplan("segment", path), 1, "no text", "empty")
    assert_error(eduplan("classify", path), 1, "no text", "empty")


def test_whitespace_only_file(tmp_path):
    path = tmp_path / "blank.txt"
    path.write_bytes(b" \n\t\n\r\n\xe3\x80\x80\n")  # the last line is an ideographic space
    assert_error(eduplan("segment", path), 1, "no text", "whitespace")
    assert_error(eduplan("classify", path), 1, "no text", "whitespace")


def test_binary_file(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    assert_error(eduplan("segment", path), 1, "binary file, not text")
    assert_error(eduplan("classify", path), 1, "binary file, not text")


def test_undecodable_bytes(tmp_path):
    path = tmp_path / "garbled.txt"
    path.write_bytes(bytes([0x80, 0x81, 0xFE, 0xFF, 0xC0, 0xC1]) * 200)
    assert_error(eduplan("segment", path), 1, "cannot decode the text", "GB18030")


def test_gbk_without_bom_works(tmp_path):
    gbk = tmp_path / "plan.txt"
    gbk.write_bytes(PLAN.encode("gbk"))
    items = jsonl(eduplan("segment", gbk, "--format", "jsonl"))
    assert [i["number"] for i in items] == ["1.1", "1.2", "2.3", "2.4", "3"]
    assert items[0] == {
        "item_id": "plan:1.1",
        "doc_id": "plan",
        "section": "加强党的建设",
        "number": "1.1",
        "text": "全面加强学校党的建设。落实党组织书记第一责任人责任,推进党支部标准化建设。",
    }
    rows = jsonl(eduplan("classify", gbk, "--format", "jsonl"))
    assert [r["number"] for r in rows] == ["1.1", "1.2", "2.3", "2.4", "3"]
    assert rows[2]["label"] == "preschool"


def test_utf16_with_bom_works(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_bytes(PLAN.encode("utf-16"))  # little-endian with BOM, as Windows Notepad saves "Unicode"
    items = jsonl(eduplan("segment", path, "--format", "jsonl"))
    assert [i["number"] for i in items] == ["1.1", "1.2", "2.3", "2.4", "3"]
    assert items[0]["section"] == "加强党的建设"
    assert len(jsonl(eduplan("classify", path, "--format", "jsonl"))) == 5


def test_20_mb_single_line_is_fast(tmp_path):
    line = " ".join((REPO / SEED).read_text(encoding="utf-8").split("\n")).encode("utf-8")
    data = (line * (20_000_000 // len(line) + 1))[:20_000_000]
    path = tmp_path / "one_line.txt"
    path.write_bytes(data.decode("utf-8", "ignore").encode("utf-8"))
    started = time.perf_counter()
    items = jsonl(eduplan("segment", path, "--format", "jsonl", timeout=120))
    assert time.perf_counter() - started < 30
    assert len(items) == 84 and items[0]["section"] == "全力做好新冠肺炎疫情防控工作"


def test_text_without_chinese(tmp_path):
    rows = jsonl(eduplan("classify", "The weather is nice today", "Stock prices rose by 3 percent", "-f", "jsonl"))
    assert [r["label"] for r in rows] == ["out_of_scope", "out_of_scope"]
    path = tmp_path / "english.txt"
    path.write_text("The weather is nice today. We went to the park and played football.\n", encoding="utf-8")
    assert_error(eduplan("segment", path), 1, NO_ITEMS)


def test_document_without_numbered_items(tmp_path):
    path = tmp_path / "notice.txt"
    path.write_text("关于加强校园安全工作的通知\n各学校要高度重视校园安全工作,切实做好防溺水教育。\n", encoding="utf-8")
    assert_error(eduplan("classify", path), 1, str(path), NO_ITEMS)
    assert_error(eduplan("segment", path), 1, str(path), NO_ITEMS)


# ---------------------------------------------------------------- tables


def test_csv_without_the_text_column(tmp_path):
    path = tmp_path / "items.csv"
    path.write_text("id,body\n1,加强校园安全管理\n", encoding="utf-8")
    assert_error(eduplan("classify", path), 1, "no column 'text'", "columns: id, body", "--column")
    assert [r["label"] for r in jsonl(eduplan("classify", path, "--column", "body", "-f", "jsonl"))] == ["safety"]


def test_csv_with_empty_cells_and_nan(tmp_path):
    path = tmp_path / "items.csv"
    cells = ["加强校园安全管理 防溺水", "", "NaN", "新建公办幼儿园5所", "   ", "nan", "NULL", "加强教师队伍建设"]
    path.write_text("id,text\n" + "".join(f"{i},{c}\n" for i, c in enumerate(cells)), encoding="utf-8")
    rows = jsonl(eduplan("classify", path, "-f", "jsonl"))
    assert [r["row"] for r in rows] == list(range(1, 9))
    labels = [r["label"] for r in rows]
    assert labels == ["safety", "empty", "empty", "preschool", "empty", "empty", "empty", "teachers"]


def test_csv_with_bom(tmp_path):
    path = tmp_path / "items.csv"
    path.write_bytes("\ufefftext,id\n加强校园安全管理,1\n新建公办幼儿园5所,2\n".encode())
    assert [r["label"] for r in jsonl(eduplan("classify", path, "-f", "jsonl"))] == ["safety", "preschool"]


def test_jsonl_with_one_broken_line(tmp_path):
    path = tmp_path / "items.jsonl"
    path.write_text('{"text": "加强校园安全管理"}\n\n{"text": "新建幼儿园\n{"text": "加强教师"}\n', encoding="utf-8")
    assert_error(eduplan("classify", path), 1, "line 3 is not valid JSON", "column")


# ---------------------------------------------------------------- options


def test_unknown_format(tmp_path):
    assert_error(eduplan("classify", "加强校园安全管理", "--format", "xml"), 2, "--format", "xml")
    assert_error(eduplan("segment", SEED, "--format", "xml"), 2, "--format", "xml")


@pytest.mark.parametrize("k", ["0", "17"])
def test_top_k_out_of_range(k):
    assert_error(eduplan("classify", "加强校园安全管理", "--top-k", k), 2, "--top-k must be between 1 and 16", k)


# ---------------------------------------------------------------- models


def test_missing_model():
    assert_error(eduplan("classify", "加强校园安全管理", "--model", "/nonexistent"), 1, "/nonexistent", "no model file")


def test_truncated_npz(model_copy):
    npz = model_copy / "eduplan.npz"
    npz.write_bytes(npz.read_bytes()[:500])
    assert_error(eduplan("classify", "加强校园安全管理", "--model", model_copy), 1, "eduplan.npz", "does not match")
    _edit_card(model_copy, compact_sha256=_sha(npz))  # truncated before its card was written
    assert_error(eduplan("classify", "加强校园安全管理", "--model", model_copy), 1, "eduplan.npz", "truncated")


def test_truncated_joblib(model_copy):
    joblib_file = model_copy / "eduplan.joblib"
    joblib_file.write_bytes(joblib_file.read_bytes()[:500])
    ok = eduplan("classify", "加强校园安全管理", "--model", model_copy, "-f", "jsonl")
    assert [r["label"] for r in jsonl(ok)] == ["safety"]  # classify reads the .npz only
    (model_copy / "eduplan.npz").unlink()  # now the pipeline in the joblib file is needed
    assert_error(eduplan("classify", "x", "--model", model_copy), 1, "eduplan.joblib", "does not match", "truncated")
    _edit_card(model_copy, model_sha256=_sha(joblib_file))
    assert_error(eduplan("classify", "x", "--model", model_copy), 1, "eduplan.joblib", "cannot load", "truncated")


def test_joblib_that_is_not_an_eduplan_model(tmp_path):
    import joblib

    from eduplan.persist import library_versions

    model_dir = tmp_path / "foreign"
    model_dir.mkdir()
    joblib.dump({"weights": [1, 2, 3]}, model_dir / "eduplan.joblib")
    card = {"model_sha256": _sha(model_dir / "eduplan.joblib"), "versions": library_versions()}
    (model_dir / "card.json").write_text(json.dumps(card), encoding="utf-8")
    proc = eduplan("classify", "加强校园安全管理", "--model", model_dir)
    assert_error(proc, 1, "eduplan.joblib", "not an eduplan model")


def test_model_sha256_differs_from_card(model_copy):
    _edit_card(model_copy, compact_sha256="0" * 64)
    proc = eduplan("classify", "加强校园安全管理", "--model", model_copy)
    assert_error(proc, 1, "sha256", "does not match its card", "eduplan train")


def test_model_from_another_scikit_learn(model_copy):
    card = json.loads((model_copy / "card.json").read_text(encoding="utf-8"))
    _edit_card(model_copy, versions={**card["versions"], "scikit-learn": "0.24.2"})
    proc = eduplan("classify", "加强校园安全管理", "--model", model_copy)
    assert_error(proc, 1, "trained with scikit-learn 0.24.2", "is installed", "eduplan train")


def test_taxonomy_no_longer_matches_the_model(model_copy):
    from eduplan import taxonomy

    _edit_card(model_copy, themes=taxonomy.ids()[:-1] + ["astronomy"])
    proc = eduplan("classify", "加强校园安全管理", "--model", model_copy)
    assert_error(proc, 1, "another taxonomy", "not in the taxonomy: astronomy", f"missing: {taxonomy.ids()[-1]}")


def test_model_classes_not_in_the_taxonomy(model_copy):
    import numpy as np

    npz = model_copy / "eduplan.npz"
    with np.load(npz, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["classes"] = np.array(["preschool", "astronomy", "teachers"])
    with open(npz, "wb") as fh:
        np.savez_compressed(fh, **arrays)
    _edit_card(model_copy, compact_sha256=_sha(npz))
    proc = eduplan("classify", "加强校园安全管理", "--model", model_copy)
    assert_error(proc, 1, "eduplan.npz", "predicts themes", "(astronomy)")


# ---------------------------------------------------------------- corpus and training


def test_corpus_with_an_unknown_theme(tmp_path):
    good = tmp_path / "items.csv"
    fixture_corpus(good)
    bad = tmp_path / "bad.csv"
    bad.write_text(good.read_text(encoding="utf-8").replace(",safety,", ",astronomy,", 1), encoding="utf-8")
    train = eduplan("train", "--data", bad, "--out", tmp_path / "model", "--no-cv")
    assert_error(train, 1, "bad.csv: 1 problem(s)", "unknown theme id 'astronomy'", "eduplan corpus validate")
    assert not (tmp_path / "model").exists()
    validate = eduplan("corpus", "validate", bad)
    assert validate.returncode == 1 and "Traceback" not in validate.stderr
    assert validate.stderr.splitlines() == [
        "line 8 (doc0:7): unknown theme id 'astronomy'",
        f"1 problem(s) in {bad}",
    ]


def test_training_interrupted_keeps_the_previous_model(model_copy):
    before = _snapshot(model_copy)
    proc = subprocess.Popen(
        [*ENTRY, "train", "--data", REPO / "data" / "items.csv", "--out", model_copy],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(60, proc.kill)
    watchdog.start()
    try:
        seen = []
        for line in proc.stderr:
            seen.append(line)
            if "cross-validation fold 1" in line:
                proc.send_signal(signal.SIGINT)
                break
        _, rest = proc.communicate()
    finally:
        watchdog.cancel()
    assert any("cross-validation fold 1" in line for line in seen)
    assert proc.returncode == 130
    assert "Traceback" not in rest and rest.strip().splitlines()[-1] == "interrupted"
    assert _snapshot(model_copy) == before  # byte-identical, and no temporary files left


def test_closed_pipe():
    for args in ([SEED], [SEED] * 30):  # one document fits the pipe's buffer; thirty do not
        proc = subprocess.Popen(
            [*ENTRY, "classify", *args, "--format", "jsonl"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        first = proc.stdout.readline()
        proc.stdout.close()  # like `| head -1`
        stderr = proc.stderr.read()
        proc.stderr.close()
        assert proc.wait(timeout=60) == 0
        assert json.loads(first)["item_id"] == "002_5086480b2c753375:1"
        assert b"BrokenPipe" not in stderr and not stderr.strip()


def test_debug_shows_the_traceback(tmp_path):
    missing = tmp_path / "none.txt"
    proc = eduplan("--debug", "classify", missing)
    assert proc.returncode != 0
    assert "Traceback (most recent call last)" in proc.stderr
    assert f"InputError: {missing}: no such file" in proc.stderr


# ---------------------------------------------------------------- found beyond the catalogue


def test_utf16_without_bom_works(tmp_path):
    for codec in ("utf-16-le", "utf-16-be"):
        path = tmp_path / f"{codec}.txt"
        path.write_bytes(PLAN.encode(codec))
        items = jsonl(eduplan("segment", path, "--format", "jsonl"))
        assert [i["number"] for i in items] == ["1.1", "1.2", "2.3", "2.4", "3"]


def test_many_blank_lines_are_fast(tmp_path):
    path = tmp_path / "blank_lines.txt"
    path.write_text(
        "一、加强党建\n1.全面加强学校党的建设。\n" + "\n" * 300_000 + "2.持续推进党风廉政建设。\n", encoding="utf-8"
    )
    started = time.perf_counter()
    items = jsonl(eduplan("segment", path, "--format", "jsonl"))
    assert time.perf_counter() - started < 20
    assert [i["number"] for i in items] == ["1", "2"]


def test_usage_errors_are_one_line():
    assert_error(eduplan("classify"), 2, "Missing argument", "eduplan classify --help")
    assert_error(eduplan("classify", "x", "--bogus"), 2, "No such option: --bogus")
    assert_error(eduplan("frobnicate"), 2, "No such command 'frobnicate'")
    assert_error(eduplan("classify", "x", "--top-k", "many"), 2, "--top-k")
    assert_error(eduplan("train", "--folds", "1"), 2, "--folds")


def test_stdin_in_gbk_or_binary():
    rows = jsonl(eduplan("classify", "-", "-f", "jsonl", stdin="加强校园安全管理\n\n新建公办幼儿园5所\n".encode("gbk")))
    assert [r["label"] for r in rows] == ["safety", "preschool"]
    proc = eduplan("classify", "-", "-f", "jsonl", stdin="加强校园安全管理\n".encode() + b"\x00\x01\x02\x03" * 20)
    assert_error(proc, 1, "stdin line 2", "binary")


def test_unwritable_output_and_directory_as_data(tmp_path):
    corpus = tmp_path / "items.csv"
    fixture_corpus(corpus)
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a directory", encoding="utf-8")
    assert_error(eduplan("train", "--data", corpus, "--out", blocker / "model", "--no-cv"), 1, str(blocker))
    assert_error(eduplan("train", "--data", tmp_path, "--no-cv"), 1, str(tmp_path), "directory")


def test_interrupt_while_the_model_is_renamed_into_place(model_copy, tmp_path):
    """Ctrl-C arriving between two renames is held until all three files are in place."""
    corpus = tmp_path / "items.csv"
    fixture_corpus(corpus)
    interrupting_replace = (
        "import os, signal\n"
        "real, calls = os.replace, []\n"
        "def replace(src, dst):\n"
        f"    if os.path.dirname(dst) == {str(model_copy)!r}:\n"
        "        calls.append(dst)\n"
        "        if len(calls) == 2: signal.raise_signal(signal.SIGINT)\n"
        "    return real(src, dst)\n"
        "os.replace = replace\n"
        "from eduplan.cli import main; main()"
    )
    entry = [sys.executable, "-c", interrupting_replace]
    proc = eduplan("train", "--data", corpus, "--out", model_copy, "--no-cv", entry=entry)
    assert proc.returncode == 130 and proc.stderr.strip().splitlines()[-1] == "interrupted"
    card = json.loads((model_copy / "card.json").read_text(encoding="utf-8"))
    assert card["model_sha256"] == _sha(model_copy / "eduplan.joblib")
    assert card["compact_sha256"] == _sha(model_copy / "eduplan.npz")
    assert sorted(p.name for p in model_copy.iterdir()) == ["card.json", "eduplan.joblib", "eduplan.npz"]
