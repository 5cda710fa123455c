"""classify / evaluate / train through the command line: every input kind and output format, and the JSON contracts."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from eduplan.cli import app

runner = CliRunner()


@pytest.fixture
def model_args(small_model):
    return ["--model", str(small_model[0])]


def _jsonl(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_classify_text_arguments_jsonl(model_args):
    result = runner.invoke(
        app, ["classify", "新建公办幼儿园5所,扩大学前教育资源", "加强校园安全管理,防溺水", *model_args, "-f", "jsonl"]
    )
    assert result.exit_code == 0, result.output
    rows = _jsonl(result.stdout)
    assert [r["label"] for r in rows] == ["preschool", "safety"]
    assert all(0 <= r["score"] <= 1 for r in rows)
    assert "note: using" in result.stderr and "sha256 matches its card" in result.stderr
    assert [r["theme_zh"] for r in rows] == ["学前教育", "安全稳定"]


def test_classify_stdin_one_item_per_line(model_args):
    result = runner.invoke(
        app, ["classify", "-", *model_args, "-f", "jsonl"], input="加强教师队伍建设,培训骨干教师\n\n加强校园安全管理\n"
    )
    assert [r["label"] for r in _jsonl(result.stdout)] == ["teachers", "safety"]


def test_classify_document_with_sections_and_numbers(model_args, write):
    path = write(
        "plan.txt", "一、任务\n1.新建公办幼儿园5所。扩大学前教育资源。\n2.加强教师队伍建设。培训骨干教师。\n", "gb18030"
    )
    result = runner.invoke(app, ["classify", str(path), *model_args, "-f", "jsonl"])
    rows = _jsonl(result.stdout)
    assert [(r["section"], r["number"], r["label"]) for r in rows] == [
        ("任务", "1", "preschool"),
        ("任务", "2", "teachers"),
    ]


def test_classify_csv_contract_one_object_per_row_in_order(model_args, tmp_path):
    path = tmp_path / "in.csv"
    texts = ["加强校园安全管理,防溺水", "", "新建公办幼儿园5所", "加强教师队伍建设"]
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "body"])
        writer.writerows([[i, t] for i, t in enumerate(texts)])
    result = runner.invoke(app, ["classify", str(path), "--column", "body", *model_args, "--format", "jsonl"])
    rows = _jsonl(result.stdout)
    assert [r["row"] for r in rows] == [1, 2, 3, 4]
    assert [r["label"] for r in rows] == ["safety", "empty", "preschool", "teachers"]
    assert [r["id"] for r in rows] == ["0", "1", "2", "3"]  # the table's own columns stay
    assert all("score" in r for r in rows)
    kept = _jsonl(runner.invoke(app, ["classify", str(path), "--column", "body", "--keep", "id", *model_args, "-f", "jsonl"]).stdout)
    assert set(kept[0]) >= {"id", "row", "text", "label"}


def test_classify_jsonl_input(model_args, tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"text": "加强校园安全管理"}\n{"text": "新建公办幼儿园5所"}\n', encoding="utf-8")
    rows = _jsonl(runner.invoke(app, ["classify", str(path), *model_args, "-f", "jsonl"]).stdout)
    assert [r["label"] for r in rows] == ["safety", "preschool"]


def test_classify_table_and_csv_formats_with_top_k_and_explain(model_args):
    table = runner.invoke(
        app, ["classify", "加强校园安全管理,防溺水", *model_args, "-f", "table", "--top-k", "2", "--explain"]
    )
    assert table.exit_code == 0
    header = table.stdout.splitlines()[0].split()
    assert header == ["label", "theme_zh", "score", "secondary", "top", "explain", "text"]
    assert "safety:" in table.stdout
    out = runner.invoke(app, ["classify", "加强校园安全管理,防溺水", *model_args, "-f", "csv", "-k", "3"])
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert rows[0]["label"] == "safety" and len(rows[0]["top"].split()) == 3


def test_classify_uncertain_and_out_of_scope(model_args):
    rows = _jsonl(
        runner.invoke(
            app,
            [
                "classify",
                "加强校园安全管理",
                "The weather is nice today",
                *model_args,
                "-f",
                "jsonl",
                "--min-score",
                "0.999",
            ],
        ).stdout
    )
    assert [r["label"] for r in rows] == ["uncertain", "out_of_scope"]


def test_classify_top_k_out_of_range_is_a_usage_error(model_args):
    from eduplan.cli import main

    for k in ("0", "17"):
        with pytest.raises(SystemExit) as exit_info:
            _run_main(main, ["classify", "加强教师队伍建设", "--top-k", k, *model_args])
        assert exit_info.value.code == 2


def _run_main(main, args):
    import sys

    old = sys.argv
    sys.argv = ["eduplan", *args]
    try:
        main()
    finally:
        sys.argv = old


def test_evaluate_json_contract_and_report(tmp_path):
    from conftest import fixture_corpus

    corpus = tmp_path / "items.csv"
    fixture_corpus(corpus, docs=6)
    report = tmp_path / "report"
    result = runner.invoke(
        app, ["evaluate", "--data", str(corpus), "--folds", "3", "--format", "json", "--report", str(report)]
    )
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)
    assert {"accuracy", "macro_f1", "per_theme", "confusion", "errors"} <= set(metrics)
    assert sorted(p.name for p in report.iterdir()) == ["confusion.png", "errors.csv", "metrics.json", "per_theme.csv"]
    assert (report / "confusion.png").read_bytes()[:4] == b"\x89PNG"


def test_evaluate_on_a_test_file(tmp_path):
    from conftest import fixture_corpus

    corpus = tmp_path / "items.csv"
    fixture_corpus(corpus)
    test = tmp_path / "test.csv"
    test.write_text(
        "text,label\n新建公办幼儿园8所,preschool\n开展教师培训,teachers\n加强校园安全,safety\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["evaluate", "--data", str(corpus), "--test", str(test), "-f", "json"])
    metrics = json.loads(result.stdout)
    assert metrics["items"] == 3 and metrics["accuracy"] == 1.0
    table = runner.invoke(app, ["evaluate", "--data", str(corpus), "--test", str(test)])
    assert "accuracy 1.000" in table.stdout and "confusion matrix" in table.stdout


def test_train_command(tmp_path):
    from conftest import fixture_corpus

    corpus = tmp_path / "items.csv"
    fixture_corpus(corpus, docs=6)
    result = runner.invoke(app, ["train", "--data", str(corpus), "--out", str(tmp_path / "m"), "--folds", "3"])
    assert result.exit_code == 0, result.output
    assert "grouped cross-validation" in result.stdout and "fold 1/3" in result.stderr
    assert (tmp_path / "m" / "card.json").exists()


def test_out_picks_the_format_from_the_suffix_xlsx_and_csv_with_bom(model_args, tmp_path, write):
    from openpyxl import load_workbook

    plan = write("plan.txt", "一、任务\n1.新建公办幼儿园5所。扩大学前教育资源。\n2.加强教师队伍建设。培训骨干教师。\n")
    xlsx = tmp_path / "themes.xlsx"
    result = runner.invoke(app, ["classify", str(plan), *model_args, "--out", str(xlsx)])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(xlsx).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[:5] == ["file", "doc_id", "item_id", "section", "number"] and "theme_zh" in header
    assert [r[header.index("item_id")] for r in rows[1:]] == ["plan:1", "plan:2"]
    assert [r[header.index("theme_zh")] for r in rows[1:]] == ["学前教育", "教师队伍建设"]
    out = tmp_path / "themes.csv"
    runner.invoke(app, ["classify", str(plan), *model_args, "--out", str(out)])
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM: Excel on Windows reads the Chinese
    assert list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))[0]["label"] == "preschool"


def test_evaluate_a_saved_model_on_a_test_table_without_retraining(small_model, tmp_path):
    test = tmp_path / "test.csv"
    test.write_text("text,label\n新建公办幼儿园8所,preschool\n开展教师培训,teachers\n加强校园安全,safety\n", encoding="gb18030")
    result = runner.invoke(app, ["evaluate", "--model", str(small_model[0]), "--test", str(test), "-f", "json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)
    assert metrics["items"] == 3 and metrics["accuracy"] == 1.0
    assert metrics["method"] == f"model {small_model[0]}, tested on {test}"
    assert "fold" not in result.stderr  # nothing was trained
