"""Large tables: streaming in chunks, --jobs processes, and the per-partition call used with Dask."""

from __future__ import annotations

import csv
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from eduplan.batch import Source, classify_frame, classify_sources
from eduplan.cli import app

TEXTS = ["加强校园安全管理,防溺水", "新建公办幼儿园5所", "加强教师队伍建设,培训骨干教师", "", "开展校园消防检查"]


@pytest.fixture
def small_clf(small_model):
    import warnings

    from eduplan.modeldir import UntrustedModelWarning, load_model

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UntrustedModelWarning)
        return load_model(small_model[0])


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "text"])
        for i in range(53):
            writer.writerow([i, TEXTS[i % len(TEXTS)]])
    return path


def classify_table(model, path, **options):
    return classify_sources(model, [Source("table", str(path))], **options)


def test_streaming_in_chunks_keeps_every_row_in_order(small_clf, table):
    whole = list(classify_table(small_clf, table, chunksize=1000))
    seen = []
    chunked = list(classify_table(small_clf, table, chunksize=7, progress=lambda name, done: seen.append(done)))
    assert [r["row"] for r in chunked] == list(range(1, 54))
    assert [(r["label"], r["score"]) for r in chunked] == [(r["label"], r["score"]) for r in whole]
    assert seen == [7, 14, 21, 28, 35, 42, 49, 53]  # progress after every chunk
    assert [r["label"] for r in chunked[:5]] == ["safety", "preschool", "teachers", "empty", "safety"]
    assert [r["id"] for r in chunked[:3]] == ["0", "1", "2"]  # the table's own columns are kept


def test_jobs_give_the_same_rows_as_one_process(small_model, table):
    runner = CliRunner()
    args = ["classify", str(table), "--model", str(small_model[0]), "--format", "jsonl", "--chunksize", "20"]
    one = runner.invoke(app, args)
    two = runner.invoke(app, [*args, "--jobs", "2"])
    assert one.exit_code == 0 and two.exit_code == 0, two.output
    assert two.stdout == one.stdout  # byte for byte
    assert len(one.stdout.splitlines()) == 53 and json.loads(one.stdout.splitlines()[0])["label"] == "safety"


def test_classify_frame_over_dask_partitions(small_clf):
    dd = pytest.importorskip("dask.dataframe")
    frame = pd.DataFrame({"id": range(20), "text": [TEXTS[i % len(TEXTS)] for i in range(20)]})
    meta = frame.assign(label="", theme_zh="", score=0.0, secondary="").iloc[:0]
    result = (
        dd.from_pandas(frame, npartitions=4)
        .map_partitions(classify_frame, model=small_clf, meta=meta)
        .compute(scheduler="synchronous")
    )
    expected = classify_frame(frame, model=small_clf)
    assert result.sort_values("id")["label"].tolist() == expected["label"].tolist()
    assert expected["label"].tolist()[:5] == ["safety", "preschool", "teachers", "empty", "safety"]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
@pytest.mark.parametrize("top_k", [1, 3])
def test_a_chunk_written_column_by_column_equals_its_rows_written_one_by_one(small_clf, table, fmt, top_k):
    import io

    from eduplan.batch import output_columns
    from eduplan.writers import RowBlock, write_rows

    columns = output_columns({"table"}, ["id", "50% done"], top_k, 0)
    outputs = []
    for blocks in (False, True):
        rows = classify_table(small_clf, table, chunksize=20, top_k=top_k, blocks=blocks)
        rows = [RowBlock({"50% done": ["x"] * len(r), **r.columns}) if blocks else {"50% done": "x", **r} for r in rows]
        assert all(isinstance(r, RowBlock) == blocks for r in rows)
        stream = io.StringIO()
        assert write_rows(rows, columns, fmt, stdout=stream) == 53
        outputs.append(stream.getvalue())
    assert outputs[1] == outputs[0]
    assert ('"top": [' in outputs[0]) == (fmt == "jsonl" and top_k > 1)


def test_a_block_with_values_json_cannot_take_as_they_are_still_writes_like_its_rows():
    import io

    from eduplan.writers import RowBlock, write_rows

    block = RowBlock({"n": [1, True, None], "score": [0.5, float("nan"), 1.0], "secondary": [["a"], [], ["a"]]})
    by_block, by_row = io.StringIO(), io.StringIO()
    write_rows([block], list(block.columns), "jsonl", stdout=by_block)
    write_rows(list(block.rows()), list(block.columns), "jsonl", stdout=by_row)
    assert by_block.getvalue() == by_row.getvalue()
    assert by_row.getvalue().splitlines()[2] == '{"score": 1.0, "secondary": ["a"]}'


HEADERS = [
    ("id,text\n1,a\n", "utf-8", "csv"),
    ('"编号","正文, 全文",备注\n1,a,b\n', "utf-8-sig", "csv"),
    ("id\ttext\tnote\n1\ta\tb\n", "utf-16", "tsv"),
    ("编号,正文\n1,教育\n", "gb18030", "csv"),
    ("id,text,id\n1,a,2\n", "utf-8", "csv"),  # a repeated name: pandas renames it
    ("id,,text\n1,x,a\n", "utf-8", "csv"),  # an empty name: pandas names it
    ('"a\nb",text\n1,a\n', "utf-8", "csv"),  # a line break inside a quoted name
]


@pytest.mark.parametrize("content,encoding,kind", HEADERS)
def test_table_header_names_the_columns_the_chunks_have(tmp_path, content, encoding, kind):
    from eduplan.tables import iter_table, table_header

    path = tmp_path / f"t.{kind}"
    path.write_bytes(content.encode(encoding))
    assert table_header(path) == [str(c) for c in next(iter_table(path, 10)).columns]


class _FailingPrepare:
    """A model whose tables cannot be built ahead: workers must still score, and a scoring error must come back."""

    class compact:  # noqa: N801 - stands in for the CompactModel attribute
        @staticmethod
        def prepare():
            raise MemoryError("no room for the lookup tables")

    @staticmethod
    def scores(columns):
        if "坏" in columns.text:
            raise ValueError("cannot score this chunk")
        return len(columns)


def test_pool_workers_score_when_preparing_fails_and_pass_errors_back():
    from eduplan.parallel import scored_chunks
    from eduplan.records import Columns

    chunks = [(i, Columns([f"文本{i}"] * (i + 1), [""] * (i + 1), [""] * (i + 1))) for i in range(4)]
    assert [scores for _, _, scores in scored_chunks(_FailingPrepare(), iter(chunks), jobs=2)] == [1, 2, 3, 4]
    broken = [*chunks, (4, Columns(["坏"], [""], [""]))]
    with pytest.raises(ValueError, match="cannot score this chunk"):
        list(scored_chunks(_FailingPrepare(), iter(broken), jobs=2))
