"""The command line: each command is exercised through typer's runner."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from eduplan.cli import app

runner = CliRunner()


def test_segment_table_jsonl_csv(write, plan_text):
    path = write("plan.txt", plan_text, "gb18030")
    table = runner.invoke(app, ["segment", str(path)])
    assert table.exit_code == 0 and "全面加强学校党的建设" in table.stdout
    jsonl = runner.invoke(app, ["segment", str(path), "--format", "jsonl"])
    rows = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert [r["item_id"] for r in rows] == ["plan:1.1", "plan:1.2", "plan:2.3", "plan:2.4", "plan:3"]
    csv_out = runner.invoke(app, ["segment", str(path), "--format", "csv"])
    assert csv_out.stdout.splitlines()[0] == "file,title,doc_id,item_id,section,number,text"


def test_corpus_validate_exit_codes(tmp_path):
    from eduplan.corpus import COLUMNS

    path = tmp_path / "items.csv"
    path.write_text(
        ",".join(COLUMNS) + "\nd:1,d,t,s,1,加强党建。,party_building,\nd:2,d,t,s,2,新任务。,nonsense,\n", encoding="utf-8"
    )
    bad = runner.invoke(app, ["corpus", "validate", str(path)])
    assert bad.exit_code == 1 and "unknown theme id 'nonsense'" in bad.stderr
    path.write_text(",".join(COLUMNS) + "\nd:1,d,t,s,1,加强党建。,party_building,\n", encoding="utf-8")
    good = runner.invoke(app, ["corpus", "validate", str(path)])
    assert good.exit_code == 0 and "OK" in good.stdout


def test_corpus_build_and_stats(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text("一、任务\n1.加强党建。内容。\n", encoding="utf-8")
    items = tmp_path / "items.csv"
    result = runner.invoke(app, ["corpus", "build", "--seeds", str(seeds), "--data", str(items)])
    assert result.exit_code == 0 and "1 new" in result.stdout
    again = runner.invoke(app, ["corpus", "build", "--seeds", str(seeds), "--data", str(items)])
    assert "unchanged" in again.stdout


def test_missing_file_is_one_line_and_exit_1(tmp_path):
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-c", "from eduplan.cli import main; main()", "segment", str(tmp_path / "none.txt")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"error: {tmp_path / 'none.txt'}: no such file or folder"
    assert "Traceback" not in proc.stderr


def test_version_and_flags_without_metavars():
    from eduplan import __version__

    version = runner.invoke(app, ["--version"])
    assert version.exit_code == 0 and version.stdout.strip() == f"eduplan {__version__}"
    for command in ("classify", "segment", "profile", "train", "evaluate"):
        help_text = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"}).stdout
        assert "<bool>" not in help_text and "BOOLEAN" not in help_text, command


def test_help_lists_every_input_format():
    for command in ("classify", "segment", "profile", "report"):
        help_text = " ".join(runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"}).stdout.split())
        for suffix in (".txt", ".docx", ".pdf", ".html"):
            assert suffix in help_text, (command, suffix)
    classify_help = " ".join(runner.invoke(app, ["classify", "--help"], env={"COLUMNS": "200"}).stdout.split())
    assert ".csv" in classify_help and ".jsonl" in classify_help
