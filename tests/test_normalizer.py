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


# Digits of several scripts (Arabic-Indic, Persian, mathematical bold), dots, a lone surrogate, full-width forms.
ALPHABET = ["1", "2", "٣", "۵", "𝟎", ".", ".", "a", "中", " ", "\ud800", "Ａ", "１", "，", "\u3000", "\u200b", "\ufeff"]


def _random_texts(count: int, seed: int):
    import random

    rng = random.Random(seed)
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 40))) for _ in range(count)]


def test_long_texts_are_masked_with_numpy_exactly_as_the_regex_does():
    from eduplan.tokens import _NUMBER, _mask_long, mask_many, mask_numbers

    texts = _random_texts(2000, 0) + ["1.2.3", "1..2", "3.", ".5", "12.34.56.78", "٣.٣", "v2.0版"]
    for text in texts:
        assert _mask_long(text.lower()) == _NUMBER.sub("0", text.lower()), text
    assert mask_many(texts) == [_NUMBER.sub("0", t.lower()) for t in texts]  # joined: the numpy path
    assert mask_numbers("新增学位5010个,增长3.5%") == "新增学位0个,增长0%"


def test_long_texts_are_narrowed_with_numpy_exactly_as_the_regex_does():
    from eduplan.normalizer import _WIDE, _narrow, numpy_sized

    texts = _random_texts(300, 1)
    joined = "\x1e".join(texts)
    assert numpy_sized(joined)
    assert to_halfwidth(joined) == _WIDE.sub(_narrow, joined)
    assert to_halfwidth("中" * len(joined)) == "中" * len(joined)
