"""The corpus: build is idempotent and labels follow the text; validate names every kind of problem."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from eduplan import corpus
from eduplan.errors import DataError

DOC_A = "某县2021年教育工作要点\n一、任务\n1.全面加强学校党的建设。内容甲。\n2.推进学前教育普惠发展。内容乙。\n"
DOC_B = "source: s\ntitle: 乙市计划\nkind: plan\nregion: 乙市\nyear: 2021\n\n一、任务\n1.加强校园安全管理。内容丙。\n"


def _seeds(tmp_path: Path) -> Path:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text(DOC_A, encoding="utf-8")
    (seeds / "b.txt").write_text(DOC_B, encoding="gb18030")
    (seeds / "README.md").write_text("not a plan", encoding="utf-8")
    return seeds


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _labels(path: Path) -> dict[str, str]:
    return {r["item_id"]: r["label"] for r in _rows(path)}


def _label_all(path: Path, labels: dict[str, str]) -> None:
    rows = _rows(path)
    for row in rows:
        row["label"] = labels[row["item_id"]]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=corpus.COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def built(tmp_path):
    seeds, items = _seeds(tmp_path), tmp_path / "items.csv"
    corpus.build(seeds, items)
    _label_all(items, {"a:1": "party_building", "a:2": "preschool", "b:1": "safety"})
    return seeds, items


def test_build_indexes_segments_and_is_idempotent(tmp_path):
    seeds, items = _seeds(tmp_path), tmp_path / "items.csv"
    report = corpus.build(seeds, items)
    assert sorted(report.new) == ["a:1", "a:2", "b:1"] and report.new_documents == ["a", "b"]
    index = _rows(seeds / "INDEX.csv")
    assert [(r["doc_id"], r["title"], r["region"]) for r in index] == [
        ("a", "某县2021年教育工作要点", "unknown"),
        ("b", "乙市计划", "乙市"),
    ]
    assert [r["title"] for r in _rows(items)] == ["某县2021年教育工作要点"] * 2 + ["乙市计划"]
    _label_all(items, {"a:1": "party_building", "a:2": "preschool", "b:1": "safety"})
    before = items.read_bytes()
    again = corpus.build(seeds, items)
    assert (again.new, again.changed, again.removed, again.written) == ([], [], [], False)
    assert items.read_bytes() == before


def test_a_local_edit_keeps_the_label_and_says_so(built):
    seeds, items = built
    (seeds / "a.txt").write_text(DOC_A.replace("内容乙", "内容丁") + "3.加强教师培训。内容戊。\n", encoding="utf-8")
    report = corpus.build(seeds, items)
    assert report.changed == ["a:2"] and report.new == ["a:3"]
    assert _labels(items) == {"a:1": "party_building", "a:2": "preschool", "a:3": "", "b:1": "safety"}


def test_labels_of_a_removed_document_are_kept_and_come_back_with_it(built):
    seeds, items = built
    moved = (seeds / "b.txt").read_bytes()
    (seeds / "b.txt").unlink()
    report = corpus.build(seeds, items)
    assert report.removed == ["b:1"] and "b:1" not in _labels(items)
    archive = items.with_name(corpus.ARCHIVE_FILE)
    assert [(r["item_id"], r["label"]) for r in _rows(archive)] == [("b:1", "safety")]
    (seeds / "b.txt").write_bytes(moved)
    report = corpus.build(seeds, items)
    assert report.restored == ["b:1"] and _labels(items)["b:1"] == "safety"
    assert _rows(archive) == []


def test_a_repeated_number_renumbers_ids_but_labels_follow_the_text(built):
    seeds, items = built
    # a second "1." makes the numbers repeat, so every item id of the document becomes a path
    (seeds / "a.txt").write_text(DOC_A + "二、其他\n1.加强教师培训。内容戊。\n", encoding="utf-8")
    report = corpus.build(seeds, items)
    assert sorted(report.moved) == ["a:1 -> a:1.1", "a:2 -> a:1.2"] and report.removed == []
    assert _labels(items) == {"a:1.1": "party_building", "a:1.2": "preschool", "a:2.1": "", "b:1": "safety"}


def test_a_corpus_with_a_duplicated_item_id_is_refused_naming_the_lines(built):
    seeds, items = built
    text = items.read_text(encoding="utf-8")
    items.write_text(text + text.splitlines()[1] + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="'a:1' stands on lines 2 and 5"):
        corpus.build(seeds, items)


def _corpus_file(tmp_path: Path, rows: list[list[str]]) -> Path:
    path = tmp_path / "items.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(corpus.COLUMNS)
        writer.writerows(rows)
    return path


GOOD = [
    ["d:1", "d", "标题", "s", "1", "加强党建。", "party_building", ""],
    ["d:2", "d", "标题", "s", "2", "新建幼儿园。", "preschool", "funding_facilities"],
]


def test_validate_clean_file(tmp_path):
    assert corpus.validate(_corpus_file(tmp_path, GOOD)) == []


@pytest.mark.parametrize(
    "bad_row,message",
    [
        (["d:3", "d", "t", "s", "3", "其他任务。", "sports", ""], "unknown theme id 'sports'"),
        (["d:1", "d", "t", "s", "1", "另一任务。", "safety", ""], "duplicate item_id"),
        (["d:3", "d", "t", "s", "3", "加强党建。", "safety", ""], "duplicate text in its document"),
        (["d:3", "d", "t", "s", "3", "  ", "safety", ""], "empty text"),
        (["d:3", "d", "t", "s", "3", "其他任务。", "", ""], "missing label"),
        (["d:3", "d", "t", "s", "3", "其他任务。", "safety", "nope"], "unknown secondary theme id 'nope'"),
        (["d:3", "d", "s", "其他任务。", "safety"], "malformed CSV row"),
    ],
)
def test_validate_names_each_problem(tmp_path, bad_row, message):
    problems = corpus.validate(_corpus_file(tmp_path, GOOD + [bad_row]))
    assert len(problems) == 1 and message in problems[0] and problems[0].startswith("line 4")


def test_the_same_heading_in_two_documents_is_not_a_duplicate(tmp_path):
    other = ["e:1", "e", "标题", "s", "1", "加强党建。", "party_building", ""]
    assert corpus.validate(_corpus_file(tmp_path, GOOD + [other])) == []


def test_validate_missing_columns_and_broken_quotes(tmp_path):
    path = tmp_path / "items.csv"
    path.write_text("item_id,text\nd:1,x\n", encoding="utf-8")
    assert "missing column(s): doc_id" in corpus.validate(path)[0]
    path.write_text(",".join(corpus.COLUMNS) + '\nd:1,d,t,s,1,"unterminated,safety,\n', encoding="utf-8")
    assert corpus.validate(path)


def test_read_items_refuses_invalid_corpus(tmp_path):
    path = _corpus_file(tmp_path, GOOD + [["d:3", "d", "t", "s", "3", "其他。", "bogus", ""]])
    with pytest.raises(DataError, match="corpus validate"):
        corpus.read_items(path)


def test_training_items_leave_out_skip_and_stats_count(tmp_path):
    path = _corpus_file(tmp_path, GOOD + [["d:3", "d", "t", "s", "3", "指导思想。", "skip", ""]])
    assert list(corpus.training_items(path)["item_id"]) == ["d:1", "d:2"]
    result = corpus.stats(path)
    assert result["per_theme"]["skip"] == 1 and result["per_theme"]["preschool"] == 1
    assert result["per_document"] == {"d": 3}


def test_import_labels_in_any_encoding(tmp_path):
    path = _corpus_file(tmp_path, [[*row[:6], "", ""] for row in GOOD])
    labels = tmp_path / "labels.csv"
    labels.write_bytes("item_id,label,secondary,note\nd:1,party_building,,党建\nd:2,preschool,funding_facilities,\n".encode("gb18030"))
    assert corpus.import_labels(labels, path) == {"updated": 2, "items": 2}
    assert corpus.validate(path) == []
    labels.write_text("item_id,label\nd:9,safety\n", encoding="utf-8")
    with pytest.raises(DataError, match="unknown item_id"):
        corpus.import_labels(labels, path)


def test_import_labels_refuses_one_item_with_two_labels(tmp_path):
    path = _corpus_file(tmp_path, [[*row[:6], "", ""] for row in GOOD])
    labels = tmp_path / "labels.csv"
    labels.write_text("item_id,label\nd:1,party_building\nd:2,preschool\nd:1,safety\n", encoding="utf-8")
    with pytest.raises(DataError, match="lines 2 and 4 give item_id 'd:1' different labels"):
        corpus.import_labels(labels, path)
    assert _labels(path) == {"d:1": "", "d:2": ""}  # nothing written


def test_corrections_are_read_with_their_context_and_refuse_conflicts(tmp_path):
    path = tmp_path / "corrections.csv"
    path.write_text("doc_id,item_id,text,label\nx,x:1,加强校园安全。,safety\n,,新建幼儿园。,preschool\n", encoding="utf-8")
    frame = corpus.read_corrections(path)
    assert frame[["doc_id", "text", "label"]].values.tolist() == [
        ["x", "加强校园安全。", "safety"],
        ["corrections:corrections.csv", "新建幼儿园。", "preschool"],
    ]
    path.write_text("text,label\n加强校园安全。,safety\n加强校园安全。,teachers\n", encoding="utf-8")
    with pytest.raises(DataError, match="lines 2 and 3 give text"):
        corpus.read_corrections(path)


def test_shipped_corpus_is_valid_and_covers_every_seed_document():
    from conftest import REPO

    items = REPO / "data" / "items.csv"
    assert corpus.validate(items) == []
    report = corpus.build(REPO / "seeds", items, dry_run=True)
    assert (report.new, report.changed, report.removed, report.moved, report.unlabeled) == ([], [], [], [], 0)
    frame = corpus.read_items(items)
    assert (frame["label"] == "skip").mean() < 0.05
