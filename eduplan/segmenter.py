"""Split a plan document into its numbered items.

Plans number their tasks in the Chinese official style: sections ``一、``,
sub-sections ``(一)``, items ``1.`` / ``1、`` and sub-items ``(1)``. Text copied
from PDFs runs several items into one paragraph, and web copies carry page
chrome. The segmenter finds candidate numbers anywhere a new task can start,
keeps those that continue a numbering sequence, and makes every leaf of the
resulting outline one item; a section with a body but no numbered children is
itself one item.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import InputError
from .normalizer import normalize
from .readers import Document, parse_header, read_document

__all__ = ["Item", "segment", "segment_document", "segment_file", "plan_items"]


@dataclass(frozen=True)
class Item:
    """One numbered task of a plan: ``text`` has its number removed and keeps its heading sentence."""

    doc_id: str
    section: str
    number: str
    text: str

    @property
    def item_id(self) -> str:
        return f"{self.doc_id}:{self.number}"

    def to_dict(self) -> dict[str, str]:
        return {"item_id": self.item_id, **asdict(self)}


_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def _cn_number(text: str) -> int:
    """Parse a Chinese numeral up to 99 (``十二`` → 12)."""
    if "十" not in text:
        return _CN_DIGITS[text] if len(text) == 1 else -1
    tens, _, ones = text.partition("十")
    value = (_CN_DIGITS.get(tens, -1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, -1) if ones else 0)
    return value if value > 0 else -1


_CN = "一二三四五六七八九十"
# Levels of the outline: 0 = 一、  1 = (一)  2 = 1. 1、  3 = (1)  4 = 一是 (at a line start only)
_MARKER = re.compile(
    rf"(?=[{_CN}(\d])"  # every marker starts so: lets the regex engine skip other characters fast
    rf"(?:(?P<cn>[{_CN}]{{1,3}})[ ]?[、.](?![\d])"
    rf"|\([ ]?(?P<pcn>[{_CN}]{{1,3}})[ ]?\)"
    r"|(?<![\d.])(?P<num>\d{1,2})[ ]?(?:\.|、)(?![\d])"
    r"|\([ ]?(?P<pnum>\d{1,2})[ ]?\)"
    rf"|(?P<cnis>[{_CN}]{{1,3}})是(?=[^,;:。]))"
)
_SENTENCE_END = set("。;!?:")
# The outline level of each kind of marker (the named groups of _MARKER).
_KIND_LEVELS = {"cn": 0, "pcn": 1, "num": 2, "pnum": 3, "cnis": 4}

# Page chrome: short lines that are never part of an item.
_CHROME = re.compile(
    r"点击次数|点击数|浏览次数|阅读次数|访问量|字体[:：]?\s*[\[【]|【字体|字号|打印本页|【打印】|\[打印\]|【关闭】|\[关闭\]"
    r"|当前位置|您的位置|您现在的位置|首页\s*>|>\s*首页|发布时间|发布日期|来源[:：]|作者[:：]|责任编辑|编辑[:：]"
    r"|分享到|扫一扫|微信扫|复制链接|上一篇|下一篇|上一主题|下一主题|跳转到指定楼层|只看该作者|倒序浏览|阅读模式"
)
# A line that ends the article: nothing after it belongs to the plan.
_FOOTER = re.compile(
    r"^(分享到|返回顶部|关闭窗口|打印本页|【打印】|【关闭】|相关链接|相关文章|相关阅读|相关推荐|上一篇|下一篇|"
    r"收藏|回复$|使用道具|您需要登录|本版积分规则|版权所有|Copyright|©|主办单位|网站地图|联系我们|扫一扫)"
    r"|查看更多|【返回|返回列表|返回首页"
)
_SIGNATURE = re.compile(
    r"^(\d{4}年\d{1,2}月\d{1,2}日|[一二三四五六七八九〇零十]{4}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日"
    r"|.{2,30}(局|委员会|厅|政府|办公室|办公厅|工委|教育局\))|附件\d*[:：]?.{0,30}|\(此件公开发布\))$"
)
_CONTENTS = re.compile(r"^.{0,6}目\s*录$")
_PAGE_NUMBER = re.compile(r"[ .…·]+\d{1,3}$")
_INLINE_LIST = re.compile(r"[^\n;。]{0,12};")
_SECTION_TITLE_MAX = 80
# Preambles state no task: a section headed only by one of these is not an item,
# and neither is anything under a heading of guiding ideas or principles.
_PREAMBLE = re.compile(
    r"^(指导思想|指导思路|基本原则|实施原则|工作原则|总体要求|发展基础|发展环境|发展形势|面临的形势|面临形势"
    r"|现实基础|规划背景|发展背景)$"
)
_PREAMBLE_SECTION = re.compile(r"^(指导思想|基本原则|实施原则|工作原则)[。:]?$")
_FRAGMENT = 6
_LEVELS = 5


@dataclass
class _Marker:
    start: int
    end: int
    level: int
    number: int
    context: str  # "line", "sentence" or "space"


def _clean_lines(text: str) -> str:
    """Drop chrome lines and tables of contents; cut at the first footer line after the body."""
    kept: list[str] = []
    body = False  # whether a line of text was kept (the footer can only follow the body)
    for raw in _drop_contents(text.split("\n")):
        line = raw.strip()
        if not line:
            kept.append("")
            continue
        if len(line) <= 60 and _FOOTER.search(line) and body:
            break
        if len(line) <= 80 and _CHROME.search(line):
            continue
        kept.append(line)
        body = True
    return "\n".join(kept)


def _is_entry(line: str) -> bool:
    return 0 < len(line) <= 50 and "。" not in line


def _drop_contents(lines: list[str]) -> list[str]:
    """Remove tables of contents: a ``目录`` block, or a run of lines ending in page numbers."""
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        if _CONTENTS.match(line):
            entries: list[str] = []
            index += 1
            while index < len(lines):
                line = lines[index].strip()
                bare = _PAGE_NUMBER.sub("", line)
                if entries and bare == entries[0]:
                    break  # the body starts again with the first entry
                if line and not _is_entry(line):
                    break
                if line:
                    entries.append(bare)
                index += 1
            continue
        run = index
        while run < len(lines) and (
            _PAGE_NUMBER.search(lines[run].strip()) and _is_entry(lines[run].strip()) or not lines[run].strip()
        ):
            run += 1
        if sum(1 for ln in lines[index:run] if ln.strip()) >= 3:
            index = run
            continue
        stop = max(run, index + 1)  # a short run is kept whole: rescanning it line by line would be quadratic
        out.extend(lines[index:stop])
        index = stop
    return out


def _context(text: str, start: int) -> str | None:
    """Where a number at ``start`` stands: ``"line"``, ``"sentence"``, ``"space"`` or ``None`` (inside a sentence).

    Looks back from ``start`` only (slicing the text before it would be quadratic on long lines).
    """
    index = start
    while index > 0 and text[index - 1] == " ":
        index -= 1
    if index == 0 or text[index - 1] == "\n":
        return "line"
    if text[index - 1] in _SENTENCE_END:
        return "sentence"
    if text[start - 1] == " ":
        return "space"
    return None


def _candidates(text: str) -> list[_Marker]:
    found: list[_Marker] = []
    for match in _MARKER.finditer(text):
        start, end = match.span()
        kind = match.lastgroup
        following = text[end : end + 1]
        if (not following or following in "\n.、)") and (following != "\n" or kind not in ("cn", "pcn")):
            continue
        context = _context(text, start)
        if context is None or (kind == "cnis" and context != "line"):
            continue
        if context != "line" and _INLINE_LIST.match(text, end):
            continue  # an enumeration inside a sentence: "分为:一、背景;二、思路"
        value = match.group(kind)
        number = int(value) if kind in ("num", "pnum") else _cn_number(value)
        if number > 0:
            found.append(_Marker(start, end, _KIND_LEVELS[kind], number, context))
    return found


def _accept(candidates: list[_Marker]) -> list[_Marker]:
    """Keep the candidates that continue a numbering sequence at their level."""
    last = [0] * _LEVELS  # last number at each level under the current parent
    carried = [0] * _LEVELS  # last number before the parent changed (numbering may run on)
    seen = [False] * _LEVELS  # whether the level occurred at all (excerpts start mid-list)
    accepted: list[_Marker] = []
    for cand in candidates:
        lvl, n = cand.level, cand.number
        expected = last[lvl] + 1
        ok = n == expected or (last[lvl] == 0 and carried[lvl] and n == carried[lvl] + 1)
        if not ok and cand.context == "line":
            ok = last[lvl] < n <= last[lvl] + 2 or (n == 1 and lvl >= 2) or not seen[lvl]
        if not ok:
            continue
        accepted.append(cand)
        seen[lvl] = True
        last[lvl] = n
        for deeper in range(lvl + 1, _LEVELS):
            if last[deeper]:
                carried[deeper] = last[deeper]
            last[deeper] = 0
    return accepted


def _trim_tail(text: str) -> str:
    """Drop signature, date and attachment lines that follow the last item."""
    lines = text.split("\n")
    while len(lines) > 1 and (not lines[-1].strip() or _SIGNATURE.match(lines[-1].strip())):
        lines.pop()
    return "\n".join(lines)


def _tidy(text: str) -> str:
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


def _title(text: str) -> str:
    first = text.split("\n", 1)[0].strip()
    return first[:_SECTION_TITLE_MAX]


def segment(text: str, doc_id: str = "doc") -> list[Item]:
    """Split plan ``text`` into its items, in document order.

    The corpus header, if present, is skipped; ``text`` is normalised first, so
    item texts are normalised too.
    """
    _, body = parse_header(text)
    body = _clean_lines(normalize(body))
    markers = _accept(_candidates(body))
    # Sections (levels 0, 1) always structure the outline; of the item styles
    # (levels 2-4) only the outermost one used does, deeper ones stay in the text.
    item_levels = sorted({m.level for m in markers if m.level >= 2})
    if item_levels:
        markers = [m for m in markers if m.level < 2 or m.level == item_levels[0]]

    raw: list[tuple[list[int], str, str, bool]] = []  # (path, section, text, is a task)
    stack: list[tuple[int, int, str]] = []  # (level, number, title) of open headings
    for index, marker in enumerate(markers):
        nxt = markers[index + 1] if index + 1 < len(markers) else None
        end = nxt.start if nxt else len(body)
        chunk = body[marker.end : end]
        if nxt is None:
            chunk = _trim_tail(chunk)
        chunk = _tidy(chunk)
        while stack and stack[-1][0] >= marker.level:
            stack.pop()
        is_leaf = nxt is None or nxt.level <= marker.level
        if is_leaf:
            if chunk:
                path = [num for _, num, _ in stack] + [marker.number]
                section = stack[-1][2] if stack else (_title(chunk) if marker.level < 2 else "")
                preamble = _PREAMBLE.match(_heading(chunk)) or any(_PREAMBLE_SECTION.match(t) for _, _, t in stack)
                raw.append((path, section, chunk, not preamble))
        else:
            stack.append((marker.level, marker.number, _title(chunk)))
    if raw and len(raw[-1][2]) < _FRAGMENT and raw[-1][2][-1] not in "。;!?":
        raw[-1] = (*raw[-1][:3], False)  # the cut-off tail of an excerpt, e.g. "深入开展"
    # Numbers are given before preambles are dropped, so item ids do not depend on them.
    return [Item(doc_id, section, number, text) for number, (_, section, text, task) in zip(_numbers(raw), raw) if task]


def _heading(text: str) -> str:
    """The heading of an item or section: its text up to the first line break or sentence mark."""
    return re.split(r"[\n。:;,]", text, maxsplit=1)[0].strip()


def _numbers(raw: list[tuple[list[int], str, str, bool]]) -> list[str]:
    """Item numbers unique in the document: the own number, or the full path where own numbers repeat."""
    own = [str(path[-1]) for path, *_ in raw]
    if len(set(own)) == len(own):
        return own
    numbers: list[str] = []
    seen: dict[str, int] = {}
    for path, *_ in raw:
        key = ".".join(str(n) for n in path)
        seen[key] = seen.get(key, 0) + 1
        numbers.append(key if seen[key] == 1 else f"{key}-{seen[key]}")
    return numbers


def segment_document(doc: Document) -> list[Item]:
    """Segment an already-read :class:`Document`."""
    return segment(doc.text, doc.doc_id)


def segment_file(path: str, doc_id: str | None = None) -> list[Item]:
    """Read a plan file (any supported encoding) and return its items."""
    return segment_document(read_document(path, doc_id))


def plan_items(path: str | Path, doc_id: str | None = None) -> list[Item]:
    """The items of a plan file, for commands: raises :class:`InputError` when it has no text or no items."""
    doc = read_document(path, doc_id)
    if not doc.text.strip():
        raise InputError(f"{path}: no text (empty or whitespace-only file)")
    items = segment_document(doc)
    if not items:
        raise InputError(f"{path}: no numbered items found (is it a plan with items such as 一、 / 1. / (一)?)")
    return items
