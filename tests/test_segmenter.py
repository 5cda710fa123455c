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

    from eduplan.documents import document_items

    items = document_items(REPO / "seeds" / f"{doc_id}.txt")
    assert len(items) == count
    assert len({i.item_id for i in items}) == count


def test_report_seed_has_subsections_and_section_seven():
    from conftest import REPO

    from eduplan.documents import document_items

    items = document_items(REPO / "seeds" / "004_e30f107987b653df.txt")
    assert [i.number for i in items].count("7") == 1
    assert sum(1 for i in items if "." in i.number) == 23
    assert "分享到" not in items[-1].text and "返回顶部" not in items[-1].text


# ---------------------------------------------------------------- the shapes of real web and Word-copied plans


def test_numbering_glued_to_the_title_and_heading():
    text = (
        "某区教育局2023年工作总结与2024年工作计划一、2023年主要工作(一)办学条件持续改善。新建学校3所。"
        "(二)教师队伍不断加强。招聘教师50名。二、2024年工作计划(一)推进学前教育普惠发展。新建幼儿园2所。"
    )
    items = segment(text, "d")
    assert texts(items) == [
        "办学条件持续改善。新建学校3所。",
        "教师队伍不断加强。招聘教师50名。",
        "推进学前教育普惠发展。新建幼儿园2所。",
    ]
    assert items[0].section == "2023年主要工作"
    glued = "某县教育局2022年工作总结一、工作回顾1.学前教育稳步发展。新增学位800个。2.义务教育均衡发展。消除大班额。"
    assert texts(segment(glued)) == ["学前教育稳步发展。新增学位800个。", "义务教育均衡发展。消除大班额。"]


def test_glued_words_that_are_not_numbers_stay_text():
    text = "一、任务\n1.统一、规范办学行为。坚持统一、协调推进。\n2.推进学前教育。内容。\n"
    assert texts(segment(text)) == ["统一、规范办学行为。坚持统一、协调推进。", "推进学前教育。内容。"]


def test_a_page_of_several_articles_numbers_each_article_on_its_own():
    text = (
        "教育局工作总结3篇\n【篇一】\n2020年,我局抓好以下工作:\n一、加强党的建设。落实责任。\n二、推进学前教育。新建园所。\n"
        "【篇二】\n一、强化校园安全。开展演练。\n二、加强教师培训。全员轮训。\n"
        "篇三:\n一、深化督导改革。完善制度。\n"
    )
    items = segment(text, "d")
    assert [i.item_id for i in items] == ["d:a1.1", "d:a1.2", "d:a2.1", "d:a2.2", "d:a3.1"]
    assert items[2].text == "强化校园安全。开展演练。"


def test_document_sharing_site_line_numbers_and_chrome_are_dropped():
    text = (
        "县教育局安全工作总结.docx\n"
        "《县教育局安全工作总结.docx》由会员分享,可在线阅读,更多相关《县教育局安全工作总结》请在文库上搜索。\n"
        "资源描述:\n"
        "1、县教育局安全工作总结篇一:一年来,我局高度重视安全工作。一、健全安全责任体系。与各校签订安全责任书,"
        "明确校长为第一责任人,层层落实到班级和岗位,形成了横向到边、纵向到底的责\n"
        "2、任体系。二、开展安全隐患排查。全年开展拉网式排查四次,整改隐患二十余处,对校舍、消防、食堂逐一登记,"
        "建立台账,整改一处销号一处,确保隐患动态清零,校园安全形势保持平稳有序。\n"
        "第1页 / 共12页\n点击查看更多>>\n【仅供参考】\n部门:_____姓名:_____\n"
    )
    items = segment(text, "d")
    assert [i.number for i in items] == ["1", "2"]
    assert items[0].text.startswith("健全安全责任体系。")
    assert items[0].text.endswith("形成了横向到边、纵向到底的责任体系。")  # the site's page break is joined
    joined = "\n".join(texts(items))
    for chrome in ("第1页", "查看更多", "仅供参考", "姓名", "由会员分享"):
        assert chrome not in joined


def test_plain_numbered_lines_are_not_mistaken_for_a_sharing_site():
    text = (
        "一、特色工作\n1、校园文化建设。按照梯队推进模式,在不断丰富和完善第一梯队示范校的基础上,组织第二批试点校赴外地考察,"
        "对第二批试点校进行指导\n2、资源整合和重点工程建设。一是推进资源整合项目,二是推进重点工程建设,计划建设教学综合楼一幢,"
        "完成各项审批手续,确保按期开工建设。\n"
    )
    assert [i.text[:6] for i in segment(text)] == ["校园文化建设", "资源整合和重"]


def test_table_of_contents_without_a_body_gives_its_task_entries():
    text = (
        "某县教育事业发展规划\n目录\n一、发展基础……1\n二、指导思想……2\n三、主要任务……3\n"
        "(一)学前教育普及普惠发展……3\n(二)义务教育优质均衡发展……5\n(三)加强教师队伍建设……7\n"
    )
    assert texts(segment(text)) == ["学前教育普及普惠发展", "义务教育优质均衡发展", "加强教师队伍建设"]


def test_table_of_contents_before_its_body_is_dropped():
    text = (
        "目录\n一、主要任务……1\n(一)学前教育普及普惠发展……1\n(二)义务教育优质均衡发展……2\n"
        "一、主要任务\n(一)学前教育普及普惠发展。新建幼儿园。\n(二)义务教育优质均衡发展。消除大班额。\n"
    )
    assert texts(segment(text)) == ["学前教育普及普惠发展。新建幼儿园。", "义务教育优质均衡发展。消除大班额。"]


def test_an_outline_of_headings_repeated_by_the_body_is_dropped():
    text = (
        "一、发展基础\n二、主要任务\n(一)学前教育普及普惠\n(二)义务教育优质均衡\n"
        "一、发展基础\n过去五年成绩显著。\n二、主要任务\n(一)学前教育普及普惠。新建幼儿园。\n(二)义务教育优质均衡。消除大班额。\n"
    )
    assert texts(segment(text)) == ["学前教育普及普惠。新建幼儿园。", "义务教育优质均衡。消除大班额。"]


@pytest.mark.parametrize("separator", [" ", "\n", "  "])
def test_heading_without_a_full_stop_keeps_its_body(separator):
    text = f"一、主要任务\n1.加强党的建设{separator}全面落实党建责任制。\n2.推进学前教育{separator}新建幼儿园10所。\n"
    items = segment(text)
    assert [i.text.replace("\n", "") for i in items] == ["加强党的建设全面落实党建责任制。", "推进学前教育新建幼儿园10所。"]


def test_number_alone_on_its_line_starts_the_item_below():
    text = "一、主要任务\n1.\n加强党的建设。落实责任。\n2.\n推进学前教育。新建幼儿园。\n"
    assert texts(segment(text)) == ["加强党的建设。落实责任。", "推进学前教育。新建幼儿园。"]


def test_enumeration_in_an_unnumbered_paragraph_gives_items():
    text = (
        "会议强调,下半年重点推进三个方面工作。一是聚焦党建赋能,深化廉政风险防控;二是聚焦守牢底线,防范校园安全风险;"
        "三是聚焦主责主业,提升教学质量。\n会议还传达了有关精神。"
    )
    assert [i.text[:6] for i in segment(text)] == ["聚焦党建赋能", "聚焦守牢底线", "聚焦主责主业"]
    speech = "重点做好三方面工作。第一,要提高站位,强化认识;第二,要深化改革,破解难题;第三,要建强队伍,提升能力。"
    assert [i.text[:5] for i in segment(speech)] == ["要提高站位", "要深化改革", "要建强队伍"]


def test_enumeration_inside_a_numbered_item_stays_in_its_text():
    text = "一、工作回顾\n(一)扩大学前教育资源。一是新建公办园;二是扶持民办园。\n(二)推进义务教育均衡。一是消除大班额;二是改薄。\n"
    assert texts(segment(text)) == [
        "扩大学前教育资源。一是新建公办园;二是扶持民办园。",
        "推进义务教育均衡。一是消除大班额;二是改薄。",
    ]


def test_a_lone_enumeration_inside_a_paragraph_is_not_a_list():
    assert segment("会议要求各校落实责任,一是要加强领导。会议结束。") == []


def test_enumeration_at_line_starts_under_a_heading():
    text = "(一)深入贯彻教育法\n一是大力开展法律法规学习宣传;二是积极实施免费政策;三是深入开展贫困生救助工作。\n"
    assert [i.text[:6] for i in segment(text)] == ["大力开展法律", "积极实施免费", "深入开展贫困"]


def test_chapters_and_background_sections_are_preamble():
    text = (
        "第一章 规划背景\n一、发展基础\n1.学前教育普及。入园率提高。\n二、面临形势\n2.人口变化。\n"
        "第二章 主要任务\n一、推进学前教育普惠发展\n1.扩大普惠资源。新建幼儿园。\n2.提高保教质量。开展评估。\n"
    )
    assert texts(segment(text)) == ["扩大普惠资源。新建幼儿园。", "提高保教质量。开展评估。"]


def test_cn_numbers_are_validated():
    text = "十三五、时期的成就\n一、主要任务\n1.推进学前教育。内容。\n"
    items = segment(text, "d")
    assert [i.item_id for i in items] == ["d:1"]
    assert items[0].section == "主要任务"


def test_a_content_line_that_names_a_source_is_kept():
    text = "一、任务\n1.加强经费保障。资金来源:市级财政专项。\n2.推进学前教育。内容。\n"
    assert texts(segment(text)) == ["加强经费保障。资金来源:市级财政专项。", "推进学前教育。内容。"]


def test_a_semicolon_near_the_start_of_an_inline_item_does_not_merge_the_items_after_it():
    text = "一、任务 1.党建;落实责任制,推进标准化。2.推进学前教育,新建幼儿园。3.加强校园安全,开展演练。"
    assert [i.text[:4] for i in segment(text)] == ["党建;落", "推进学前", "加强校园"]
