"""Properties of reading, normalising and segmenting that hold for any text, checked with hypothesis."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from eduplan.normalizer import normalize
from eduplan.readers import decode_bytes
from eduplan.segmenter import segment

SETTINGS = settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])

SENTENCES = [
    "全面加强学校党的建设。",
    "落实党组织书记第一责任人责任,推进党支部标准化建设。",
    "推进学前教育普惠发展;新建公办幼儿园20所",
    "加强校园安全管理:开展防溺水专项教育",
    "深入开展",
    "指导思想",
    "基本原则。",
    "某市教育局",
    "2021年3月1日",
    "附件1:任务分解表",
    "關於印發《教育發展規劃》",
    "業(yè)務發(fā)展",
    "ＳＴＥＡＭ教育１２３",
    "(yè)",
    "（fā）",
    "(app)",
    "分为:一、背景;二、思路;",
]
MARKERS = ["一、", "二、", "十二、", "(一)", "（三）", "1.", "2、", "２．", "(1)", "（2）", "一是"]
STYLES = ["{cn}、", "({cn})", "（{cn}）", "{n}.", "{n}、", "{wide}．", "({n})", "（{n}）", "{cn}是"]
CHROME = ["分享到:微信", "返回顶部", "点击次数:12", "当前位置:首页 > 信息公开", "目录", "加强党建 ...... 3", "版权所有"]
SPACING = ["\n", "\n", "\r\n", " ", "　", "\t", "\n\n"]
HEADER = "source: https://x\ntitle: 计划\nkind: plan\nregion: 某市\nyear: 2021\n"
CN = "一二三四五六七八九十"


def _marker(style: str, n: int) -> str:
    cn = CN[n - 1] if n <= 10 else "十" + CN[n - 11]
    return style.format(n=n, cn=cn, wide=str(n).translate({ord(d): 0xFF10 + int(d) for d in "0123456789"}))


piece = st.one_of(
    st.sampled_from(SENTENCES),
    st.sampled_from(MARKERS),
    st.sampled_from(CHROME),
    st.sampled_from(SPACING),
    st.text(max_size=4),
)
jumbled = st.lists(piece).map("".join)


@st.composite
def outlined(draw) -> str:
    """Lines numbered in sequence per style (with skips and repeats), bodies of sentences and noise."""
    counters: dict[str, int] = {}
    lines = []
    for _ in range(draw(st.integers(0, 25))):
        style = draw(st.sampled_from(["", *STYLES]))
        body = "".join(draw(st.lists(st.one_of(st.sampled_from(SENTENCES), piece), max_size=4)))
        if style:
            counters[style] = max(1, min(19, counters.get(style, 0) + draw(st.sampled_from([1, 1, 1, 2, 0]))))
            body = _marker(style, counters[style]) + body
        lines.append(body)
    return draw(st.sampled_from(["\n", "\n\n", " "])).join(lines)


plan_like = st.builds(lambda header, body: header + body, st.sampled_from(["", HEADER]), st.one_of(jumbled, outlined()))
any_text = st.one_of(st.text(), plan_like)

# Characters a plan file is made of; decode_bytes rejects binary-looking or implausible bytes by design.
PLAUSIBLE = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
        st.sampled_from("\n\r\t"),
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
        st.sampled_from("，。、；：？！“”‘’（）《》【】—…·"),
    )
)


def _lines(text: str) -> list[str]:
    return text.split("\n")


@SETTINGS
@given(any_text)
def test_segment_never_invents_text_and_keeps_order(text):
    items = segment(text, "doc")
    normalized = normalize(text)
    position = 0
    for item in items:
        assert item.text, item
        for line in _lines(item.text):
            assert line in normalized, (line, normalized)
        position = normalized.find(_lines(item.text)[0], position)
        assert position >= 0, (item, normalized)
    ids = [item.item_id for item in items]
    assert len(set(ids)) == len(ids), ids


@SETTINGS
@given(any_text)
@example("業(yè)(yè)務")  # repeated glosses were once stripped one per pass
def test_normalize_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once


@SETTINGS
@given(PLAUSIBLE)
def test_utf8_round_trips(text):
    assert decode_bytes(text.encode("utf-8")) == text


@SETTINGS
@given(PLAUSIBLE)
def test_gb18030_round_trips_unless_the_bytes_are_also_utf8(text):
    data = text.encode("gb18030")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        assert decode_bytes(data) == text
    else:
        assert decode_bytes(data) in (text, data.decode("utf-8"))


SAFE = "加强推进教育工作质量发展学校教师服务体系建设优化完善提升管理课程评价资源均衡特色创新"
BODY = st.text(alphabet=SAFE, min_size=2, max_size=24)
ITEM_STYLES = ["{n}.", "{n}、", "({n})", "（{n}）"]


@st.composite
def outlines(draw):
    """A plan: sections 一、二、… each holding numbered lines in one style, with bodies of plain words."""
    style = draw(st.sampled_from(ITEM_STYLES))
    lines, numbered = [], []
    for s in range(draw(st.integers(1, 4))):
        heading = draw(st.text(alphabet=SAFE, min_size=6, max_size=24))  # shorter: a cut-off tail, not an item
        lines.append(f"{CN[s]}、{heading}")
        for n in range(1, draw(st.integers(0, 4)) + 1):
            body = draw(BODY) + "。" + draw(BODY) + "。"
            lines.append(style.format(n=n) + body)
            numbered.append(body)
        if lines[-1].startswith(f"{CN[s]}、"):
            numbered.append(heading)  # a section without items is an item itself
    return "\n".join(lines), numbered


@SETTINGS
@given(outlines())
def test_segment_never_drops_a_numbered_line_that_starts_a_line(plan):
    text, numbered = plan
    items = segment(text)
    produced = "\n".join(f"{item.section}\n{item.text}" for item in items)
    for body in numbered:
        assert body in produced, (body, text)
