"""Reading files: every encoding plan files come in, and clear errors for the rest."""

from __future__ import annotations

import pytest

from eduplan.decoding import decode_bytes, read_text
from eduplan.documents import document_items
from eduplan.errors import InputError
from eduplan.readers import parse_header, read_document

TEXT = "一、加强党的建设\n1.全面加强学校党的建设。落实主体责任。\n2.推进学前教育普惠发展。新建幼儿园。\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_every_encoding_reads_the_same(write, encoding):
    path = write(f"plan-{encoding}.txt", TEXT, encoding)
    assert read_text(path) == TEXT
    assert [i.text for i in document_items(path)] == [
        "全面加强学校党的建设。落实主体责任。",
        "推进学前教育普惠发展。新建幼儿园。",
    ]


def test_binary_file_is_a_clear_error(tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes(b"\x00\x01\x02PK\x03\x04" * 100)
    with pytest.raises(InputError, match="binary file"):
        read_text(path)


def test_undecodable_bytes_are_a_clear_error():
    data = bytes(range(0x80, 0x100)) * 20
    with pytest.raises(InputError, match="cannot decode"):
        decode_bytes(data, "x.txt")


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_text(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="is a directory"):
        read_text(tmp_path)


def test_header_is_split_off_with_its_metadata(write):
    path = write("web-1.txt", "source: https://x\ntitle: 某市计划\nkind: plan\nregion: 某市\nyear: 2020\n\n正文")
    doc = read_document(path)
    assert doc.doc_id == "web-1"
    assert doc.meta == {"source": "https://x", "title": "某市计划", "kind": "plan", "region": "某市", "year": "2020"}
    assert doc.text == "正文"


def test_text_without_header_is_unchanged():
    assert parse_header("title: 只有一行\n正文") == ({}, "title: 只有一行\n正文")
