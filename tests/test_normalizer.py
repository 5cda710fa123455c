from eduplan.normalizer import normalize, remove_cjk_spaces, strip_pinyin, to_halfwidth


def test_halfwidth():
    assert to_halfwidth("１２３ＡＢＣ（一）：，") == "123ABC(一):,"


def test_cjk_spaces_only_between_chinese():
    assert remove_cjk_spaces("教育 局 2021 年 work plan") == "教育局 2021 年 work plan"


def test_pinyin_glosses():
    assert strip_pinyin("業(yè)務(wù)發(fā)展(app)") == "業務發展(app)"


def test_traditional_to_simplified_and_idempotent():
    text = "關於印發《青海省中等職業教育發(fā)展規劃》　１．推進 教育"
    once = normalize(text)
    assert once == "关于印发《青海省中等职业教育发展规划》 1.推进教育"
    assert normalize(once) == once
