"""Segmentation: every numbering style and layout the plans use, on small fixtures."""

from __future__ import annotations

import pytest

from eduplan.segmenter import segment


def texts(items):
    return [item.text for item in items]


def test_plan_fixture_items_sections_and_chrome(plan_text):
    items = segment(plan_text, "demo")
    assert [i.number for i in items] == ["1.1", "1.2", "2.3", "2.4", "3"]
    assert items[0].text.startswith("全面加强学校党的建设。")
    assert items[0].section == "加强党的建设"
    # a section with a body but no numbered items is one item
    assert items[-1].text.startswith("强化安全管理")
    assert "防溺水" in items[-1].text
    # chrome and the preamble are not items, the footer is cut off
    joined = "\n".join(texts(items))
    assert "点击次数" not in joined and "分享到" not in joined and "返回顶部" not in joined
    assert "总体要求" not in joined


def test_multi_paragraph_item_keeps_all_paragraphs(plan_text):
    item = segment(plan_text, "demo")[2]
    assert item.text == "推进学前教育普惠发展。新建改扩建幼儿园20所,新增学位5010个。\n本年度完成小区配套园治理。"


@pytest.mark.parametrize("sep", [".", "、", "﹒", "．"])
def test_arabic_number_styles(sep):
    text = f"一、任务\n1{sep}加强党建工作。内容一。\n2{sep}推进学前教育。内容二。\n"
    assert texts(segment(text)) == ["加强党建工作。内容一。", "推进学前教育。内容二。"]


def test_fullwidth_digits_and_letters():
    text = "一、任务\n１．推进ＳＴＥＡＭ教育。内容。\n２．加强体育工作。内容。\n"
    items = segment(text)
    assert [i.number for i in items] == ["1", "2"]
    assert items[0].text == "推进STEAM教育。内容。"


@pytest.mark.parametrize("left,right", [("（", "）"), ("(", ")")])
def test_parenthesised_numbers_as_items(left, right):
    text = f"一、任务\n{left}1{right}完善资助体系。内容。\n{left}2{right}加强安全教育。内容。\n"
    assert texts(segment(text)) == ["完善资助体系。内容。", "加强安全教育。内容。"]


def test_parenthesised_numbers_inside_items_stay_in_the_text():
    text = "一、任务\n1.加强教师培训。(1)新教师培训;(2)骨干培训。\n2.推进学前教育。内容。\n"
    assert texts(segment(text)) == ["加强教师培训。(1)新教师培训;(2)骨干培训。", "推进学前教育。内容。"]


def test_subsections_are_items_when_no_numbers_below():
    text = "一、发展各类教育\n（一）扩大学前教育资源。新建幼儿园。\n（二）推进义务教育均衡。内容。\n二、强化保障\n（一）加强教师队伍建设。内容。\n三、以督导为手段\n强化过程性督导。\n"
    items = segment(text)
    assert [i.number for i in items] == ["1.1", "1.2", "2.1", "3"]
    assert items[0].section == "发展各类教育"
    assert items[3].text == "以督导为手段\n强化过程性督导。"


def test_items_inline_in_one_paragraph():
    text = (
        "工作要点 总体要求是:办好教育。 一、坚持党的全面领导 1.强化党的政治建设。增强四个意识。 "
        "2.加强基层党组织建设。推进标准化。 二、发展各类教育 3.推进学前教育。新建幼儿园。"
    )
    items = segment(text)
    assert texts(items) == [
        "强化党的政治建设。增强四个意识。",
        "加强基层党组织建设。推进标准化。",
        "推进学前教育。新建幼儿园。",
    ]
    assert [i.section for i in items] == ["坚持党的全面领导", "坚持党的全面领导", "发展各类教育"]


def test_inline_enumeration_and_decimals_are_not_items():
    text = "一、任务\n1.推进改革。方案分为:一、背景;二、思路。投入1.5亿元,完成2.0版平台。\n2.加强督导。内容。\n"
    assert len(segment(text)) == 2


def test_spaces_between_chinese_characters_removed():
    text = "一、任务\n1. 推进 学前 教育 发展。新建 幼儿园 20 所。\n"
    assert segment(text)[0].text == "推进学前教育发展。新建幼儿园 20 所。"


def test_corpus_header_is_not_part_of_the_text():
    text = "source: https://example.org/1\ntitle: 某市2020年工作要点\nkind: plan\nregion: 某市\nyear: 2020\n\n一、任务\n1.加强党建。内容。\n"
    items = segment(text)
    assert texts(items) == ["加强党建。内容。"]


def test_traditional_and_pinyin_glosses_are_normalised():
    text = "一、任務\n1.鞏固殘疾兒童義務(wù)教育普及水平。發(fā)展特殊教育。\n"
    assert segment(text)[0].text == "巩固残疾儿童义务教育普及水平。发展特殊教育。"


def test_numbering_may_start_mid_list_in_excerpts():
    text = "2014年工作重点\n24.提高学前教育普及质量。内容。\n25.深入推进义务教育均衡发展。内容。\n"
    assert [i.number for i in segment(text)] == ["24", "25"]


def test_signature_and_date_after_last_item_are_dropped():
    text = "一、任务\n1.加强党建。内容。\n2.加强安全。内容。\n某市教育局\n2020年4月15日\n"
    assert segment(text)[-1].text == "加强安全。内容。"


def test_table_of_contents_is_not_items():
    text = "目录\n一、发展成就\n二、主要任务\n一、发展成就\n过去五年成绩显著。\n二、主要任务\n1.推进学前教育。内容。\n"
    items = segment(text)
    assert texts(items) == ["发展成就\n过去五年成绩显著。", "推进学前教育。内容。"]


def test_preambles_and_cut_off_tail_are_not_items():
    text = (
        "一、指导思想\n以新思想为指导,办好人民满意的教育。\n二、基本原则\n1.坚持公益普惠。内容。\n2.坚持改革创新。内容。\n"
        "三、主要任务\n1.扩大普惠资源。新建幼儿园。\n2.加强"
    )
    items = segment(text, "d")
    assert [(i.item_id, i.text) for i in items] == [("d:3.1", "扩大普惠资源。新建幼儿园。")]


def test_item_ids_unique_when_numbers_restart():
    text = "一、甲\n1.任务一。内容。\n2.任务二。内容。\n二、乙\n1.任务三。内容。\n"
    items = segment(text, "d")
    ids = [i.item_id for i in items]
    assert ids == ["d:1.1", "d:1.2", "d:2.1"]


def test_no_numbered_items_gives_no_items():
    assert segment("这是一段没有编号的文字。只有说明。") == []


SEED_COUNTS = {
    "000_2e15699ac7951157": 28,
    "001_eb07ff9b77e356b7": 41,
    "002_5086480b2c753375": 84,
    "003_57fb55df296afd24": 38,
    "004_e30f107987b653df": 24,
}


@pytest.mark.parametrize("doc_id,count", sorted(SEED_COUNTS.items()))
def test_seed_documents_item_counts(doc_id, count):
    from conftest import REPO

    from eduplan.segmenter import segment_file

    items = segment_file(str(REPO / "seeds" / f"{doc_id}.txt"))
    assert len(items) == count
    assert len({i.item_id for i in items}) == count


def test_report_seed_has_subsections_and_section_seven():
    from conftest import REPO

    from eduplan.segmenter import segment_file

    items = segment_file(str(REPO / "seeds" / "004_e30f107987b653df.txt"))
    assert [i.number for i in items].count("7") == 1
    assert sum(1 for i in items if "." in i.number) == 23
    assert "分享到" not in items[-1].text and "返回顶部" not in items[-1].text
