"""The bad-input catalogue (docs/errors.md): one test per case, each through the real entry point in a subprocess.

Every error a user can cause ends in one line on stderr (``error: ...``) and exit code 1, or 2 for
usage errors, or 3 when some of several inputs were skipped; never a traceback (unless ``--debug``),
never a half-written file, never a hang.
"""

from __future__ import annotations

import hashlib
import json
import os
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


def eduplan(*args, stdin: bytes | None = None, timeout: float = 60, entry: list[str] = ENTRY, env=None):
    """Run ``eduplan ARGS`` from the repository root; stdout and stderr as text."""
    proc = subprocess.run(
        [*entry, *map(str, args)], cwd=REPO, input=stdin, capture_output=True, timeout=timeout, check=False,
        env={**os.environ, **(env or {})},
    )
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8", "replace")
    )


def assert_error(proc, code: int, *words: str) -> str:
    """``proc`` exited with ``code`` after one ``error:`` line on stderr holding ``words``; returns the line."""
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.strip().splitlines() if not line.startswith("note: ")]
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


def _card(model_dir: Path) -> dict:
    return json.loads((model_dir / "card.json").read_text(encoding="utf-8"))


def _edit_card(model_dir: Path, **changes) -> None:
    card = _card(model_dir)
    card.update(changes)
    (model_dir / "card.json").write_text(json.dumps(card), encoding="utf-8")


def _file(model_dir: Path, part: str) -> Path:
    return model_dir / _card(model_dir)["files"][part]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


# ---------------------------------------------------------------- documents


def test_missing_file(tmp_path):
    missing = tmp_path / "none.txt"
    assert_error(eduplan("segment", missing), 1, f"{missing}: no such file or folder")
    assert_error(eduplan("classify", missing), 1, f"{missing}: no such file or folder")
    typo = "plans/myplan"  # no suffix, no Chinese: a mistyped path, not text to classify
    assert_error(eduplan("classify", typo), 1, f"{typo}: no such file or folder")


def test_folder_without_plans(tmp_path):
    assert_error(eduplan("segment", tmp_path), 1, "no plan documents or tables in this folder")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert_error(eduplan("segment", path), 1, "no text", "empty")
    assert_error(eduplan("classify", path), 1, "no text", "empty")


def test_whitespace_only_file(tmp_path):
    path = tmp_path / "blank.txt"
    path.write_bytes(b" \n\t\n\r\n\xe3\x80\x80\n")  # the last line is an ideographic space
    assert_error(eduplan("segment", path), 1, "no text", "whitespace")


def test_binary_file(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    assert_error(eduplan("segment", path), 1, "binary file, not text")
    assert_error(eduplan("classify", path), 1, "binary file, not text")


def test_undecodable_bytes_and_the_encoding_override(tmp_path):
    path = tmp_path / "garbled.txt"
    path.write_bytes(bytes([0x80, 0x81, 0xFE, 0xFF, 0xC0, 0xC1]) * 200)
    assert_error(eduplan("segment", path), 1, "cannot decode the text", "GB18030", "--encoding")
    big5 = tmp_path / "big5.txt"
    big5.write_bytes("一、任務\n1.加強黨的建設。落實責任。\n".encode("big5"))
    items = jsonl(eduplan("segment", big5, "--encoding", "big5", "-f", "jsonl"))
    assert [i["text"] for i in items] == ["加强党的建设。落实责任。"]
    assert_error(eduplan("segment", big5, "--encoding", "klingon"), 1, "unknown encoding 'klingon'")


def test_gbk_without_bom_works(tmp_path):
    gbk = tmp_path / "plan.txt"
    gbk.write_bytes(PLAN.encode("gbk"))
    items = jsonl(eduplan("segment", gbk, "--format", "jsonl"))
    assert [i["number"] for i in items] == ["1.1", "1.2", "2.3", "2.4", "3"]
    assert items[0] == {
        "file": str(gbk),
        "doc_id": "plan",
        "item_id": "plan:1.1",
        "section": "加强党的建设",
        "number": "1.1",
        "text": "全面加强学校党的建设。落实党组织书记第一责任人责任,推进党支部标准化建设。",
        "title": "某市教育局2021年工作要点",
    }
    rows = jsonl(eduplan("classify", gbk, "--format", "jsonl"))
    assert [r["number"] for r in rows] == ["1.1", "1.2", "2.3", "2.4", "3"]
    assert rows[0]["item_id"] == "plan:1.1" and rows[2]["label"] == "preschool"


def test_utf16_with_and_without_bom_works(tmp_path):
    for codec in ("utf-16", "utf-16-le", "utf-16-be"):
        path = tmp_path / f"{codec}.txt"
        path.write_bytes(PLAN.encode(codec))
        items = jsonl(eduplan("segment", path, "--format", "jsonl"))
        assert [i["number"] for i in items] == ["1.1", "1.2", "2.3", "2.4", "3"]


def test_fullwidth_digits_in_valid_utf8(tmp_path):
    rows = jsonl(eduplan("classify", "２０２１年加强教师队伍建设", "-f", "jsonl"))
    assert [r["label"] for r in rows] == ["teachers"]
    path = tmp_path / "wide.txt"
    path.write_text("一、任务\n１．２０２１年加强教师队伍建设。培训教师１０００名。\n", encoding="utf-8")
    assert [i["text"] for i in jsonl(eduplan("segment", path, "-f", "jsonl"))] == ["2021年加强教师队伍建设。培训教师1000名。"]


def test_a_text_argument_with_bytes_that_are_not_utf8():
    argument = "加强教师".encode() + b"\xff" + "队伍建设".encode()  # the shell passes bytes; Python keeps \xff as a surrogate
    proc = subprocess.run([*ENTRY, "classify", argument, "-f", "jsonl"], cwd=REPO, capture_output=True, timeout=60)
    assert proc.returncode == 0 and b"Traceback" not in proc.stderr, proc.stderr
    row = json.loads(proc.stdout.decode("utf-8", "surrogateescape"))
    assert row["label"] == "teachers"
    assert row["text"].encode("utf-8", "surrogateescape") == argument  # the byte comes back as it was


def test_library_texts_with_lone_surrogates_are_classified():
    from eduplan.modeldir import load_model

    clf = load_model()
    texts = ["加强教师\udcff队伍建设", "\ud800"]
    assert clf.predict(texts)[0] == "teachers" and clf.predict(texts * 3000)[:2] == clf.predict(texts)


def test_20_mb_single_line_is_fast(tmp_path):
    line = " ".join((REPO / SEED).read_text(encoding="utf-8").split("\n")).encode("utf-8")
    data = (line * (20_000_000 // len(line) + 1))[:20_000_000]
    path = tmp_path / "one_line.txt"
    path.write_bytes(data.decode("utf-8", "ignore").encode("utf-8"))
    started = time.perf_counter()
    items = jsonl(eduplan("segment", path, "--format", "jsonl", timeout=120))
    assert time.perf_counter() - started < 30
    assert len(items) == 84 and items[0]["section"] == "全力做好新冠肺炎疫情防控工作"


def test_input_over_the_size_limit(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(PLAN.encode() * 400)  # about 140 KB
    assert_error(eduplan("--max-size", "0.1", "segment", path), 1, "is over the input limit of 102 KiB", "--max-size")
    assert len(jsonl(eduplan("--max-size", "1", "segment", path, "-f", "jsonl"))) > 0


def test_a_fifo_is_refused_instead_of_hanging(tmp_path):
    fifo = tmp_path / "plan.txt"
    os.mkfifo(fifo)
    assert_error(eduplan("segment", fifo, timeout=20), 1, "not a regular file")
    assert_error(eduplan("classify", fifo, timeout=20), 1, "not a regular file")


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


def test_a_long_item_given_as_an_argument_is_text():
    text = "加强教师队伍建设," * 80  # longer than a file name may be
    assert [r["label"] for r in jsonl(eduplan("classify", text, "-f", "jsonl"))] == ["teachers"]


def test_of_several_plans_the_unreadable_ones_are_skipped_and_said(tmp_path):
    good = tmp_path / "plans" / "good.txt"
    good.parent.mkdir()
    good.write_text(PLAN, encoding="utf-8")
    (tmp_path / "plans" / "notice.txt").write_text("关于开会的通知。请准时参加。", encoding="utf-8")
    (tmp_path / "plans" / "sub").mkdir()
    (tmp_path / "plans" / "sub" / "empty.docx").write_bytes(b"")
    proc = eduplan("classify", tmp_path / "plans", "-f", "jsonl")
    assert proc.returncode == 3 and "Traceback" not in proc.stderr
    assert len([json.loads(line) for line in proc.stdout.splitlines()]) == 5  # the good plan's items
    skipped = [line for line in proc.stderr.splitlines() if line.startswith("skipped: ")]
    assert len(skipped) == 2 and "notice.txt: no numbered items" in "".join(skipped)
    assert proc.stderr.splitlines()[-1] == "2 input(s) skipped (see above)"


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
    assert [r["label"] for r in rows] == ["safety", "empty", "empty", "preschool", "empty", "empty", "empty", "teachers"]


def test_csv_with_bom(tmp_path):
    path = tmp_path / "items.csv"
    path.write_bytes("\ufefftext,id\n加强校园安全管理,1\n新建公办幼儿园5所,2\n".encode())
    assert [r["label"] for r in jsonl(eduplan("classify", path, "-f", "jsonl"))] == ["safety", "preschool"]


def test_utf8_table_whose_64_kib_sample_ends_inside_a_character(tmp_path):
    path = tmp_path / "big.csv"
    head = b"id,text\n"
    row = "加强校园安全管理,开展防溺水教育".encode()
    rows, size = [], len(head)
    while size < 70_000:
        rows.append(f"{len(rows)},".encode() + row + b"\n")
        size += len(rows[-1])
    data = head + b"".join(rows)
    for pad in range(4):  # one of these puts byte 65,536 inside a three-byte character
        path.write_bytes(b"x" * pad + data[pad:] if pad else data)
        if 0x80 <= data[65_536 - pad] < 0xC0:
            break
    else:
        raise AssertionError("no padding puts byte 65,536 inside a character")
    proc = eduplan("classify", path, "--column", "text", "-f", "jsonl", timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == len(rows)


def test_jsonl_with_one_broken_line(tmp_path):
    path = tmp_path / "items.jsonl"
    path.write_text('{"text": "加强校园安全管理"}\n\n{"text": "新建幼儿园\n{"text": "加强教师"}\n', encoding="utf-8")
    assert_error(eduplan("classify", path), 1, "line 3 is not valid JSON", "column")


@pytest.mark.parametrize("chunksize", ["1", "2", "10000"])
def test_a_jsonl_row_without_the_text_does_not_depend_on_the_chunk_size(tmp_path, chunksize):
    path = tmp_path / "items.jsonl"
    path.write_text('{"text": "加强校园安全管理"}\n{"id": 7}\n{"text": "新建幼儿园3所"}\n', encoding="utf-8")
    rows = jsonl(eduplan("classify", path, "--chunksize", chunksize, "-f", "jsonl"))
    assert [r["label"] for r in rows] == ["safety", "empty", "preschool"]
    first_without = tmp_path / "other.jsonl"
    first_without.write_text('{"body": "加强校园安全管理"}\n{"text": "新建幼儿园3所"}\n', encoding="utf-8")
    assert_error(eduplan("classify", first_without, "--chunksize", chunksize), 1, "no column 'text'")


def test_a_lone_surrogate_in_jsonl_is_replaced(tmp_path):
    path = tmp_path / "items.jsonl"
    path.write_text('{"text": "加强校园安全\\ud800管理", "id": "a\\udfff"}\n', encoding="utf-8")
    rows = jsonl(eduplan("classify", path, "-f", "jsonl"))
    assert rows[0]["text"] == "加强校园安全\ufffd管理" and rows[0]["label"] == "safety"
    proc = eduplan("classify", path, "-f", "csv")
    assert proc.returncode == 0 and "\ufffd" in proc.stdout


# ---------------------------------------------------------------- options and output


def test_unknown_format(tmp_path):
    assert_error(eduplan("classify", "加强校园安全管理", "--format", "xml"), 2, "--format", "xml")
    assert_error(eduplan("segment", SEED, "--format", "xml"), 2, "--format", "xml")
    assert_error(eduplan("segment", SEED, "--out", tmp_path / "x.xml"), 2, "cannot tell the format", "--format")


@pytest.mark.parametrize("k", ["0", "17"])
def test_top_k_out_of_range(k):
    assert_error(eduplan("classify", "加强校园安全管理", "--top-k", k), 2, "--top-k must be between 1 and 16", k)


def test_output_follows_the_order_of_the_inputs(tmp_path):
    rows = jsonl(eduplan("classify", SEED, "加强校园安全管理", "-f", "jsonl"))
    assert rows[0]["item_id"] == "002_5086480b2c753375:1" and rows[-1]["text"] == "加强校园安全管理"


def test_out_file_is_written_whole_or_not_at_all(tmp_path):
    out = tmp_path / "result.csv"
    out.write_text("old", encoding="utf-8")
    proc = eduplan("classify", "加强校园安全管理", tmp_path / "missing.txt", "--out", out)
    assert proc.returncode == 1 and out.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["result.csv"]  # no temporary file left


# ---------------------------------------------------------------- models


def test_missing_model():
    assert_error(eduplan("classify", "加强校园安全管理", "--model", "/nonexistent"), 1, "/nonexistent", "no such model")
    assert_error(eduplan("classify", "加强校园安全管理", "--model", "model/typo.joblib"), 1, "typo.joblib", "no such model")


def test_truncated_npz(model_copy):
    npz = _file(model_copy, "compact")
    npz.write_bytes(npz.read_bytes()[:500])
    assert_error(eduplan("classify", "加强校园安全管理", "--model", model_copy), 1, npz.name, "does not match")
    _edit_card(model_copy, sha256={**_card(model_copy)["sha256"], "compact": _sha(npz)})  # as if cut before the card
    assert_error(eduplan("classify", "加强校园安全管理", "--model", model_copy), 1, npz.name, "truncated")


def test_truncated_joblib_does_not_matter_to_classify(model_copy):
    joblib_file = _file(model_copy, "pipeline")
    joblib_file.write_bytes(joblib_file.read_bytes()[:500])
    ok = eduplan("classify", "加强校园安全管理", "--model", model_copy, "-f", "jsonl")
    assert [r["label"] for r in jsonl(ok)] == ["safety"]  # classify reads the .npz only
    assert joblib_file.name not in ok.stderr  # and claims no check of the file it did not read


def test_a_planted_pickle_never_runs(model_copy, tmp_path):
    """A directory with a malicious joblib (and a card that matches it) is never unpickled to classify."""
    import joblib

    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    planted = tmp_path / "planted"
    planted.mkdir()
    joblib.dump({"format": "eduplan-model/2", "pipeline": Payload()}, planted / "eduplan.joblib")
    assert_error(eduplan("classify", "加强校园安全管理", "--model", planted), 1, "no card.json", "never loads")
    card = _card(model_copy)
    shutil.copy(planted / "eduplan.joblib", model_copy / card["files"]["pipeline"])
    _edit_card(model_copy, sha256={**card["sha256"], "pipeline": _sha(model_copy / card["files"]["pipeline"])})
    assert [r["label"] for r in jsonl(eduplan("classify", "加强校园安全管理", "--model", model_copy, "-f", "jsonl"))] == [
        "safety"
    ]
    code = (
        "from eduplan.modeldir import load_model\n"
        f"load_model({str(model_copy)!r}).pipeline\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "EDUPLAN_TRUST_FILE": str(tmp_path / "trust.json")})
    assert "not trusted" in proc.stderr and "ModelError" in proc.stderr
    assert not marker.exists()


def test_model_sha256_differs_from_card(model_copy):
    _edit_card(model_copy, sha256={**_card(model_copy)["sha256"], "compact": "0" * 64})
    proc = eduplan("classify", "加强校园安全管理", "--model", model_copy)
    assert_error(proc, 1, "sha256", "does not match its card", "eduplan train")


@pytest.mark.parametrize("field,value", [("versions", ["scikit-learn"]), ("files", "eduplan.npz"), ("themes", {})])
def test_a_malformed_card_is_one_line(model_copy, field, value):
    _edit_card(model_copy, **{field: value})
    assert_error(eduplan("classify", "加强校园安全管理", "--model", model_copy), 1, "malformed model card", repr(field))
    (model_copy / "card.json").write_text("{not json", encoding="utf-8")
    assert_error(eduplan("classify", "加强校园安全管理", "--model", model_copy), 1, "not a readable model card")


def test_a_malformed_card_beside_a_compact_file_is_not_used(model_copy):
    compact = next(model_copy.glob("*.npz"))
    _edit_card(model_copy, files=["eduplan.npz"])
    proc = eduplan("classify", "加强校园安全管理", "--model", compact, "-f", "jsonl")
    assert proc.returncode == 0, proc.stderr
    assert "no card names it" in proc.stderr and json.loads(proc.stdout)["label"]


def test_a_compact_file_of_another_taxonomy_is_one_line(model_copy, tmp_path):
    import numpy as np

    with np.load(next(model_copy.glob("*.npz")), allow_pickle=False) as data:
        arrays = {key: data[key] for key in data.files}
    arrays["primary.classes"] = np.array(["astronomy", *arrays["primary.classes"][1:]])
    np.savez(tmp_path / "foreign.npz", **arrays)
    proc = eduplan("classify", "加强校园安全管理", "--model", tmp_path / "foreign.npz")
    assert_error(proc, 1, "foreign.npz", "astronomy", "another taxonomy")


def test_taxonomy_no_longer_matches_the_model(model_copy):
    from eduplan import taxonomy

    _edit_card(model_copy, themes=taxonomy.ids()[:-1] + ["astronomy"])
    proc = eduplan("classify", "加强校园安全管理", "--model", model_copy)
    assert_error(proc, 1, "another taxonomy", "not in the taxonomy: astronomy", f"missing: {taxonomy.ids()[-1]}")


def test_model_classes_not_in_the_taxonomy(model_copy):
    import numpy as np

    npz = _file(model_copy, "compact")
    with np.load(npz, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["primary.classes"] = np.array(["preschool", "astronomy", "teachers"])
    with open(npz, "wb") as fh:
        np.savez_compressed(fh, **arrays)
    _edit_card(model_copy, sha256={**_card(model_copy)["sha256"], "compact": _sha(npz)})
    proc = eduplan("classify", "加强校园安全管理", "--model", model_copy)
    assert_error(proc, 1, npz.name, "predicts themes", "(astronomy)")


def test_a_model_of_the_older_format_asks_to_be_retrained(model_copy):
    import numpy as np

    npz = _file(model_copy, "compact")
    np.savez(npz, format=np.array("eduplan-compact/1"), classes=np.array(["safety"]))
    npz.rename(npz)  # same name: the card names it
    _edit_card(model_copy, sha256={**_card(model_copy)["sha256"], "compact": _sha(npz)})
    assert_error(eduplan("classify", "加强校园安全管理", "--model", model_copy), 1, "older format eduplan-compact/1", "retrain")


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
    assert validate.stderr.splitlines() == ["line 8 (doc0:7): unknown theme id 'astronomy'", f"error: 1 problem(s) in {bad}"]


def test_train_refuses_to_write_into_the_shipped_model(tmp_path):
    assert_error(eduplan("train", "--out", "model", "--no-cv"), 2, "the model eduplan ships", "--out")


def test_training_interrupted_keeps_the_previous_model(model_copy):
    before = _snapshot(model_copy)
    proc = subprocess.Popen(
        [*ENTRY, "train", "--data", REPO / "data" / "items.csv", "--out", model_copy],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
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


@pytest.mark.parametrize("kill_after", [1, 2, 3])
def test_a_process_killed_while_saving_leaves_a_model_that_loads(model_copy, tmp_path, kill_after):
    """Killed (not interrupted) after the first, second or third file is renamed into place: old or new, never a mix."""
    corpus = tmp_path / "items.csv"
    fixture_corpus(corpus, docs=5)
    dying_replace = (
        "import os\n"
        "real, calls = os.replace, []\n"
        "def replace(src, dst):\n"
        "    real(src, dst)\n"
        f"    if os.path.dirname(dst) == {str(model_copy)!r}:\n"
        "        calls.append(dst)\n"
        f"        if len(calls) == {kill_after}: os._exit(9)\n"
        "os.replace = replace\n"
        "from eduplan.cli import main; main()"
    )
    proc = eduplan("train", "--data", corpus, "--out", model_copy, "--no-cv", entry=[sys.executable, "-c", dying_replace])
    assert proc.returncode == 9
    rows = jsonl(eduplan("classify", "加强校园安全管理", "--model", model_copy, "-f", "jsonl"))
    assert rows[0]["label"] == "safety"
    card = _card(model_copy)
    assert all(_sha(model_copy / name) == card["sha256"][part] for part, name in card["files"].items())


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
    assert f"InputError: {missing}: no such file or folder" in proc.stderr


def test_library_errors_are_errors_not_empty_results(tmp_path):
    code = (
        "import eduplan\n"
        "try:\n"
        "    eduplan.classify_document('/no/such/plan.txt')\n"
        "except eduplan.errors.InputError as exc:\n"
        "    print('InputError', exc)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert proc.stdout.strip() == "InputError /no/such/plan.txt: no such file"


# ---------------------------------------------------------------- found beyond the catalogue


def test_many_blank_lines_are_fast(tmp_path):
    path = tmp_path / "blank_lines.txt"
    path.write_text("一、加强党建\n1.全面加强学校党的建设。\n" + "\n" * 300_000 + "2.持续推进党风廉政建设。\n", encoding="utf-8")
    started = time.perf_counter()
    items = jsonl(eduplan("segment", path, "--format", "jsonl"))
    assert time.perf_counter() - started < 20
    assert [i["number"] for i in items] == ["1", "2"]


def test_usage_errors_are_one_line(tmp_path):
    assert_error(eduplan("classify"), 2, "Missing argument", "eduplan classify --help")
    assert_error(eduplan("classify", "x", "--bogus"), 2, "No such option: --bogus")
    assert_error(eduplan("frobnicate"), 2, "No such command 'frobnicate'")
    assert_error(eduplan("classify", "x", "--top-k", "many"), 2, "--top-k")
    assert_error(eduplan("train", "--out", tmp_path / "m", "--folds", "1"), 2, "--folds")
    assert_error(eduplan("train", "--out", tmp_path / "m", "--set", "char_ngram_max=0"), 2, "--set", "char_ngram_max")


def test_stdin_in_gbk_or_binary():
    rows = jsonl(eduplan("classify", "-", "-f", "jsonl", stdin="加强校园安全管理\n\n新建公办幼儿园5所\n".encode("gbk")))
    assert [r["label"] for r in rows] == ["safety", "preschool"]
    proc = eduplan("classify", "-", "-f", "jsonl", stdin="加强校园安全管理\n".encode() + b"\x00\x01\x02\x03" * 20)
    assert_error(proc, 1, "stdin", "binary")


def test_unwritable_output_and_directory_as_data(tmp_path):
    corpus = tmp_path / "items.csv"
    fixture_corpus(corpus)
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a directory", encoding="utf-8")
    assert_error(eduplan("train", "--data", corpus, "--out", blocker / "model", "--no-cv"), 1, str(blocker))
    assert_error(eduplan("train", "--data", tmp_path, "--out", tmp_path / "m", "--no-cv"), 1, str(tmp_path), "directory")
