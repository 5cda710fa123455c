"""Plans as Word, PDF and HTML files segment and classify exactly like the same plan as plain text."""

from __future__ import annotations

from pathlib import Path

import pytest

from eduplan.batch import classify_document
from eduplan.documents import document_items
from eduplan.errors import InputError
from eduplan.readers import read_document

PLAN = (
    "一、加强党的建设\n"
    "1.全面加强学校党的建设。落实党组织书记第一责任人责任。\n"
    "2.推进学前教育普惠发展。新建公办幼儿园20所。\n"
    "二、强化安全\n"
    "3.加强校园安全管理。开展防溺水专项教育。"
)
LINES = PLAN.split("\n")
EXPECTED = [
    ("1", "全面加强学校党的建设。落实党组织书记第一责任人责任。"),
    ("2", "推进学前教育普惠发展。新建公办幼儿园20所。"),
    ("3", "加强校园安全管理。开展防溺水专项教育。"),
]


def make_txt(path: Path) -> Path:
    path.write_text(PLAN, encoding="utf-8")
    return path


def make_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    for line in LINES:
        document.add_paragraph(line)
    document.save(str(path))
    return path


def make_pdf(path: Path) -> Path:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(path))
    pdf.setFont("STSong-Light", 12)
    for row, line in enumerate(LINES):
        pdf.drawString(50, 780 - 20 * row, line)
    pdf.showPage()
    pdf.save()
    return path


def make_html(path: Path) -> Path:
    body = "".join(f"<p>&nbsp;&nbsp;{line}</p>\n" for line in LINES[:3])
    page = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>工作要点</title>
<style>p {{ margin: 0 }}</style><script>var x = "1.不是任务。";</script></head>
<body>
<nav><a href="/">首页</a> <a href="/news">一、新闻动态</a></nav>
<div id="content">{body}<div>{LINES[3]}<br>3.加强校园安全管理。<b>开展</b>防溺水
专项教育。</div>
<!-- 4.注释里的任务 -->
<div style="display: none">5.隐藏的任务。</div>
</div>
<footer>版权所有 某市教育局</footer>
</body></html>"""
    path.write_text(page, encoding="utf-8")
    return path


MAKERS = {"docx": make_docx, "pdf": make_pdf, "html": make_html}


def items(path: Path) -> list[tuple[str, str]]:
    return [(item.number, item.text) for item in document_items(path)]


@pytest.fixture(scope="module")
def model(small_model):
    from eduplan.modeldir import UntrustedModelWarning, load_model

    with pytest.warns(UntrustedModelWarning):
        return load_model(small_model[0])


def labels(model, path: Path) -> list[str]:
    return list(classify_document(path, model)["label"])


def test_plain_text_gives_the_expected_items(tmp_path):
    assert items(make_txt(tmp_path / "plan.txt")) == EXPECTED


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_each_format_segments_like_the_text(tmp_path, kind):
    path = MAKERS[kind](tmp_path / f"plan.{kind}")
    assert items(path) == items(make_txt(tmp_path / "plan.txt"))
    assert read_document(path).doc_id == "plan"


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_each_format_classifies_like_the_text(tmp_path, model, kind):
    expected = labels(model, make_txt(tmp_path / "plan.txt"))
    assert len(expected) == len(EXPECTED)
    assert labels(model, MAKERS[kind](tmp_path / f"plan.{kind}")) == expected


def test_html_drops_script_style_nav_comments_and_hidden_text(tmp_path):
    text = read_document(make_html(tmp_path / "plan.html")).text
    for chrome in ("不是任务", "新闻动态", "margin", "注释", "隐藏", "版权所有", "工作要点"):
        assert chrome not in text
    assert text.split("\n")[:4] == LINES[:4]


def test_html_keeps_preformatted_lines(tmp_path):
    path = tmp_path / "plan.htm"
    path.write_text(f"<html><body><pre>{PLAN}</pre></body></html>", encoding="gb18030")
    assert items(path) == EXPECTED


@pytest.mark.parametrize("page", ["", "<!-- 1.注释 -->", "<html><head><title>1.标题</title></head></html>"])
def test_html_without_visible_text_reads_as_empty(tmp_path, page):
    path = tmp_path / "empty.html"
    path.write_text(page, encoding="utf-8")
    assert read_document(path).text == ""


def test_html_named_html_without_tags_is_plain_text(tmp_path):
    path = tmp_path / "plan.html"
    path.write_text(PLAN, encoding="utf-8")
    assert items(path) == EXPECTED


def test_docx_includes_table_cells_once(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph(LINES[0])
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = LINES[1]
    table.cell(0, 1).text = "责任单位:组织科"
    merged = table.cell(1, 0).merge(table.cell(1, 1))
    merged.text = LINES[2]
    document.add_paragraph(LINES[3])
    document.add_paragraph(LINES[4])
    path = tmp_path / "table.docx"
    document.save(str(path))
    assert read_document(path).text.split("\n") == LINES[:2] + ["责任单位:组织科"] + LINES[2:]


@pytest.mark.parametrize(("kind", "name"), [("docx", "plan.txt"), ("pdf", "plan.txt"), ("html", "plan.txt")])
def test_format_is_detected_by_content_when_the_extension_lies(tmp_path, kind, name):
    real = MAKERS[kind](tmp_path / f"real.{kind}")
    liar = tmp_path / name
    liar.write_bytes(real.read_bytes())
    assert items(liar) == EXPECTED


def test_docx_named_pdf_is_read_as_docx(tmp_path):
    real = make_docx(tmp_path / "real.docx")
    liar = tmp_path / "plan.pdf"
    liar.write_bytes(real.read_bytes())
    assert items(liar) == EXPECTED


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("broken.docx", b"PK\x03\x04" + b"\x00garbage" * 50, "not a readable Word .docx"),
        ("binary.docx", b"\x00\x01\x02\x03" * 300, "binary file, not text"),
        ("broken.pdf", b"%PDF-1.4\n" + b"garbage\n" * 50, "broken or unreadable PDF"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "legacy Word .doc"),
    ],
)
def test_unreadable_files_are_one_clear_error(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError, match=message) as info:
        read_document(path)
    assert "\n" not in str(info.value)
    assert str(info.value).startswith(str(path))


@pytest.mark.parametrize("name", ["plan.docx", "plan.pdf", "plan.html", "plan"])
def test_a_plain_text_plan_reads_whatever_its_suffix_says(tmp_path, name):
    """The format is judged by the bytes: text under a wrong suffix is still text."""
    path = tmp_path / name
    path.write_text(PLAN, encoding="utf-8")
    assert items(path) == EXPECTED


def test_word_list_numbering_gives_numbered_items(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("某市教育局2024年工作要点")
    for line in ("全面加强学校党的建设。落实责任。", "推进学前教育普惠发展。新建幼儿园。"):
        document.add_paragraph(line, style="List Number")
    document.save(str(tmp_path / "numbered.docx"))
    assert [(i.number, i.text) for i in document_items(tmp_path / "numbered.docx")] == [
        ("1", "全面加强学校党的建设。落实责任。"),
        ("2", "推进学前教育普惠发展。新建幼儿园。"),
    ]


def test_a_docx_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    import zipfile

    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w:t>" + b"\x00" * (300 << 20))
    assert path.stat().st_size < 2 << 20
    with pytest.raises(InputError, match="over the limit of 256 MiB"):
        read_document(path)


def test_deeply_nested_html_loses_no_items(tmp_path):
    inner = "<p>一、主要任务</p><p>1.加强党的建设。落实责任。</p><p>2.推进学前教育。新建幼儿园。</p>"
    page = "<!DOCTYPE html><html><body>" + "<div>" * 5000 + inner + "</div>" * 5000 + "<p>3.强化校园安全。</p></body></html>"
    (tmp_path / "deep.html").write_text(page, encoding="utf-8")
    assert [i.number for i in document_items(tmp_path / "deep.html")] == ["1", "2", "3"]


def test_zip_that_is_not_a_docx_is_a_clear_error(tmp_path):
    import zipfile

    path = tmp_path / "archive.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(InputError, match="not a readable Word .docx"):
        read_document(path)


def test_truncated_docx_is_a_clear_error(tmp_path):
    real = make_docx(tmp_path / "real.docx").read_bytes()
    path = tmp_path / "cut.docx"
    path.write_bytes(real[: len(real) // 2])
    with pytest.raises(InputError, match="not a readable Word .docx"):
        read_document(path)


def test_encrypted_pdf_is_a_clear_error(tmp_path):
    import pypdf

    writer = pypdf.PdfWriter(clone_from=str(make_pdf(tmp_path / "open.pdf")))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    path = tmp_path / "locked.pdf"
    with open(path, "wb") as fh:
        writer.write(fh)
    with pytest.raises(InputError, match="encrypted PDF"):
        read_document(path)


def test_pdf_without_text_layer_is_a_clear_error(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.rect(50, 50, 100, 100)
    pdf.showPage()
    pdf.save()
    with pytest.raises(InputError, match="no text layer"):
        read_document(path)


def test_corpus_header_is_split_off_in_every_format(tmp_path):
    import docx

    header = ["source: https://x", "title: 某市计划", "kind: plan", "region: 某市", "year: 2021", ""]
    document = docx.Document()
    for line in header + LINES:
        document.add_paragraph(line)
    path = tmp_path / "web-1.docx"
    document.save(str(path))
    doc = read_document(path)
    assert doc.meta["title"] == "某市计划"
    assert doc.text == PLAN


def test_importing_eduplan_does_not_import_the_parsers():
    import subprocess
    import sys

    code = "import sys, eduplan.readers, eduplan.segmenter; print(sorted({'docx', 'pypdf'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
