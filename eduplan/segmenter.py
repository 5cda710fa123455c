"""Split a plan's text into its numbered items (pure: text in, :class:`~eduplan.records.Item` records out).

Plans number their tasks in the Chinese official style: sections ``一、``,
sub-sections ``(一)``, items ``1.`` / ``1、``, sub-items ``(1)``, and the
enumerations ``第一,`` and ``一是`` of work summaries and speeches. Text copied
from PDFs, web pages and document-sharing sites runs items into one
paragraph, glues numbers to the text before them, numbers the site's own page
lines and carries page chrome. The segmenter:

1. splits pages that hold several articles (``【篇一】``, ``篇二:``);
2. drops chrome lines, the site's line numbers and tables of contents
   (keeping the entries of a table of contents whose body never comes);
3. finds candidate numbers wherever a task can start and keeps those that
   continue a numbering sequence;
4. makes every leaf of the resulting outline one item. Sections (``一、``,
   ``(一)``) always structure the outline; of the item styles, the first one a
   section uses makes its items and deeper numbering stays in the item text.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .normalizer import normalize
from .records import Item

__all__ = ["segment"]

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _cn_number(text: str) -> int:
    """A Chinese numeral from 1 to 99 (``十二`` → 12), or -1 for anything else (``十三五`` is not a number)."""
    if len(text) == 1:
        return _CN_DIGITS.get(text, -1) if text != "十" else 10
    tens, sep, ones = text.partition("十")
    if not sep or len(tens) > 1 or len(ones) > 1:
        return -1
    high = _CN_DIGITS.get(tens, -1) if tens else 1
    low = _CN_DIGITS.get(ones, -1) if ones else 0
    return high * 10 + low if high > 0 and low >= 0 else -1


_CN = "一二三四五六七八九十"
# The styles of numbers. Sections: chap 第一章  part 第一节  cn 一、  pcn (一). Items: num 1.  pnum (1)  cndi 第一,  cnis 一是
_MARKER = re.compile(
    rf"(?=[{_CN}(\d第])"  # every marker starts so: lets the regex engine skip other characters fast
    rf"(?:第(?P<chap>[{_CN}]{{1,3}})章[ ]?"
    rf"|第(?P<part>[{_CN}]{{1,3}})节[ ]?"
    rf"|(?P<cn>[{_CN}]{{1,3}})[ ]?(?:、|\.(?!\d))"
    rf"|\([ ]?(?P<pcn>[{_CN}]{{1,3}})[ ]?\)"
    r"|(?<![\d.])(?P<num>\d{1,2})[ ]?(?:、|\.(?!\d)|\.(?=(?:19|20)\d\d年))"  # 1.5亿 is a number, 1.2021年 an item
    r"|\([ ]?(?P<pnum>\d{1,2})[ ]?\)"
    rf"|第(?P<cndi>[{_CN}]{{1,2}})(?=[,、:])"
    rf"|(?P<cnis>[{_CN}]{{1,3}})是(?=[^,;:。]))"
)
_SECTION_STYLES = ("chap", "part", "cn", "pcn")
_ITEM_STYLES = ("num", "pnum", "cndi", "cnis")
_ENUMERATIONS = ("cndi", "cnis")
_SENTENCE_END = set("。;!?:")
_COMMA = set(",、")
# Words a title or heading ends with, after which a number glued to the text still starts a section.
_TITLE_END = re.compile(r"(计划|要点|总结|小结|回顾|情况|报告|汇报|安排|如下|思路|规划|方案|意见|总结与|工作)$")
_GLUED_HEADING = 40  # a number glued to a heading this short (no sentence end) starts its first item

# Page chrome: short lines that are never part of an item.
_CHROME = re.compile(
    r"点击次数|点击数|浏览次数|阅读次数|访问量|字体[:：]?\s*[\[【]|【字体|字号|打印本页|【打印】|\[打印\]|【关闭】|\[关闭\]"
    r"|当前位置|您的位置|您现在的位置|首页\s*>|>\s*首页|发布时间|发布日期|(?:^|\s)来源[:：]|^作者[:：]|责任编辑|^编辑[:：]"
    r"|分享到|扫一扫|微信扫|复制链接|上一篇|下一篇|上一主题|下一主题|跳转到指定楼层|只看该作者|倒序浏览|阅读模式"
    r"|^第\s*\d+\s*页\s*/?\s*共\s*\d+\s*页|^共\s*\d+\s*页|点击查看更多|查看更多>>|^资源描述|【仅供参考】|仅供参考$"
    r"|^(部门|姓名|单位|日期)[:：]?_{2,}|_{4,}|由会员分享|会员上传分享|在线阅读|下载文档|文档下载|下载后可任意编辑|^ID[:：]\d"
    r"|^(大小|页数|格式|时间|上传时间|浏览|下载)[:：]|温馨提示|网站客服|版权归属|收藏\s*分享|页眉|页脚|_第\d+页$"
    r"|请自行甄别|仅部分预览|文档侵犯|联系客服|笔墨文库|文库配额|原创力文档|人人文库|淘文阁|天天文库|道客巴巴|豆丁网"
)
# A numbered notice of a document-sharing site (download terms): chrome even though it is numbered.
_SITE_NOTICE = re.compile(r"文档|下载|预览|版权|客服|本站|退款|付费|侵权")
# Signs that a page comes from a document-sharing site (which numbers its page lines 1、 2、 3、…).
_SHARING_SITE = re.compile(
    r"由会员分享|会员上传|在线阅读|下载文档|文档下载|资源描述|下载后可任意编辑|精选优质文档|淘文阁|文库|原创力|道客巴巴|豆丁"
    r"|\.docx?\b|\.pdf\b|页数[:：]|珍藏版"
)
# A line that ends the article: nothing after it belongs to the plan.
_FOOTER = re.compile(
    r"^(分享到|返回顶部|关闭窗口|打印本页|【打印】|【关闭】|相关链接|相关文章|相关阅读|相关推荐|上一篇|下一篇|"
    r"回复$|使用道具|您需要登录|本版积分规则|版权所有|Copyright|©|主办单位|网站地图|联系我们|扫一扫)"
    r"|查看更多|【返回|返回列表|返回首页"
)
_SIGNATURE = re.compile(
    r"^(\d{4}年\d{1,2}月\d{1,2}日|[一二三四五六七八九〇零十]{4}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日"
    r"|.{2,30}(局|委员会|厅|政府|办公室|办公厅|工委|教育局\))|附件\d*[:：]?.{0,30}|\(此件公开发布\))$"
)
_SITE_LINE = re.compile(r"^(\d{1,3})、")
# Chrome inside a line: page counters and the slogans document-sharing sites stamp on every page.
_INLINE_CHROME = re.compile(
    r"第\s*\d+\s*页\s*/?\s*共\s*\d+\s*页|书山有路勤为径,?学海无涯苦作舟。?|精选优质文档-*倾情为你奉上"
    r"|本文档共\d+页,?可阅读全部内容。?|(?:点击)?查看更多>*"
)
_CONTENTS = re.compile(r"^.{0,6}目\s*录$")
_PAGE_NUMBER = re.compile(r"[ .…·]+\d{1,3}$")
_INLINE_LIST = re.compile(r"[^\n;。]{0,12};")
_ARTICLE = re.compile(
    r"(?:【篇[一二三四五六七八九十]{1,2}】|(?<![\w])篇[一二三四五六七八九十]{1,2}[:：]"
    r"|(?:^|\n)第(?:[一二三四五六七八九十]{1,2}|\d{1,2})篇(?=\s))"
)
_HEADING_END = re.compile(r"[\n。;:]")
_SECTION_TITLE_MAX = 60
# Preambles state no task: a section headed only by one of these is not an item,
# and neither is anything under a heading of guiding ideas or principles.
_BACKGROUND = r"发展基础|发展环境|发展形势|面临的形势|面临形势|现实基础|规划背景|发展背景|重要意义|形势与挑战"
_GUIDANCE = r"指导思想|指导思路|基本原则|实施原则|工作原则"
_JOINED = r"(?:与|和|及|、|,)?"
# A heading that states no task; guiding ideas and general requirements also when the body follows without a break.
_PREAMBLE = re.compile(
    rf"^(?:(?:{_GUIDANCE}|{_BACKGROUND}|总体要求){_JOINED})+$|^(?:{_GUIDANCE}|总体要求)|^.{{0,4}}原则$|重要意义$"
)
# Under these headings everything is preamble (under 总体要求, the 目标 that follow guiding ideas are tasks).
_PREAMBLE_SECTION = re.compile(rf"^(?:(?:{_GUIDANCE}|{_BACKGROUND}){_JOINED})+[。:]?$|^.{{0,4}}原则$|重要意义$")
_FRAGMENT = 6


@dataclass
class _Marker:
    start: int
    end: int
    style: str
    number: int
    context: str  # "line", "sentence", "space", "comma" or "glued"
    level: int = 0


# ------------------------------------------------------------------ lines


def _site_line_numbers(lines: list[str]) -> list[str]:
    """Join the pages of a document-sharing site: lines numbered ``1、 2、 3、…`` by the site, not by the plan.

    Such a page's numbered lines are long, run 1, 2, 3… in line order, and most of
    them carry the plan's own numbering inside or break mid-sentence.
    """
    numbered = [(i, int(m.group(1))) for i, line in enumerate(lines) if (m := _SITE_LINE.match(line.strip()))]
    if len(numbered) < 2 or not _SHARING_SITE.search("\n".join(lines[: numbered[0][0] + 2])) or [n for _, n in numbered] != list(range(1, len(numbered) + 1)):
        return lines
    first = numbered[0][0]
    inner = sum(bool(re.search(r"[一二三四五六七八九十]、|\([一二三四五六七八九十]\)|[一二三四五六七八九十]是", lines[i])) for i, _ in numbered)
    broken = sum(
        1 for (i, _), (j, _) in zip(numbered, numbered[1:]) if lines[i].strip()[-1:] not in "。;!?:" and j > i
    )
    if 2 * (inner + broken) < len(numbered) or sum(len(lines[i]) for i, _ in numbered) < 60 * len(numbered):
        return lines
    joined = "".join(_SITE_LINE.sub("", lines[i].strip(), count=1) for i, _ in numbered)
    between = [ln for ln in lines[first : numbered[-1][0] + 1] if ln.strip() and not _SITE_LINE.match(ln.strip())]
    rest = lines[numbered[-1][0] + 1 :]
    return lines[:first] + [joined] + between + rest


def _clean_lines(text: str) -> tuple[str, list[str]]:
    """The text without chrome lines and tables of contents (cut at a footer after the body), and the entries dropped."""
    kept: list[str] = []
    body = 0  # characters of text kept: a footer can only follow the body
    lines, entries = _drop_contents(_site_line_numbers(text.split("\n")))
    for raw in lines:
        line = _INLINE_CHROME.sub("", raw).strip()
        if not line:
            kept.append("")
            continue
        if len(line) <= 60 and _FOOTER.search(line) and body >= 200:
            break
        if len(line) <= 80 and (_CHROME.search(line) or (_SITE_LINE.match(line) and _SITE_NOTICE.search(line))):
            continue
        if re.match(r"^\d[.、] ?", line) and len(set(_SITE_NOTICE.findall(line))) >= 2:
            continue  # a numbered download notice
        kept.append(line)
        body += len(line)
    return "\n".join(kept), entries


def _is_entry(line: str) -> bool:
    return 0 < len(line) <= 50 and "。" not in line


def _drop_contents(lines: list[str]) -> tuple[list[str], list[str]]:
    """Remove tables of contents: a ``目录`` block, a run of lines ending in page numbers, or an outline the body repeats.

    Returns the remaining lines and the entries removed (page numbers stripped).
    """
    out: list[str] = []
    entries: list[str] = []
    index = 0
    repeated = _repeated_outline(lines)
    while index < len(lines):
        if repeated and index == repeated[0]:
            entries += [ln.strip() for ln in lines[repeated[0] : repeated[1]] if ln.strip()]
            index = repeated[1]
            continue
        line = lines[index].strip()
        if _CONTENTS.match(line):
            found: list[str] = []
            index += 1
            while index < len(lines):
                line = lines[index].strip()
                bare = _PAGE_NUMBER.sub("", line)
                if found and bare == found[0]:
                    break  # the body starts again with the first entry
                if line and not _is_entry(line):
                    break
                if line:
                    found.append(bare)
                index += 1
            entries += found
            continue
        run = index
        while run < len(lines) and (
            _PAGE_NUMBER.search(lines[run].strip()) and _is_entry(lines[run].strip()) or not lines[run].strip()
        ):
            run += 1
        if sum(1 for ln in lines[index:run] if ln.strip()) >= 3:
            entries += [_PAGE_NUMBER.sub("", ln.strip()) for ln in lines[index:run] if ln.strip()]
            index = run
            continue
        stop = max(run, index + 1)  # a short run is kept whole: rescanning it line by line would be quadratic
        out.extend(lines[index:stop])
        index = stop
    return out, entries


def _repeated_outline(lines: list[str]) -> tuple[int, int] | None:
    """``(start, end)`` of an outline of short heading lines that the body repeats from its first line, or ``None``."""
    first = next((i for i, ln in enumerate(lines) if re.match(r"^一[、.]", ln.strip()) and _is_entry(ln.strip())), None)
    if first is None:
        return None
    head = lines[first].strip()
    for j in range(first + 1, len(lines)):
        line = lines[j].strip()
        if line == head or (line.startswith(head) and len(line) > len(head)):
            block = [ln.strip() for ln in lines[first:j] if ln.strip()]
            if len(block) >= 3 and all(_is_entry(ln) for ln in block):
                return first, j
            return None
        if line and not _is_entry(line):
            return None
    return None


# ------------------------------------------------------------------ numbers


def _spaces_before(text: str, start: int) -> int:
    """The index where the run of spaces ending at ``start`` begins (looking back only: slicing would be quadratic)."""
    index = start
    while index > 0 and text[index - 1] == " ":
        index -= 1
    return index


def _before(text: str, start: int) -> int:
    """The index of the last character before ``start`` that is not a space (0 at the start)."""
    return max(_spaces_before(text, start) - 1, 0)


def _context(text: str, start: int) -> str:
    """What stands before a number at ``start``: a line start, a sentence end, a space, a comma, or text (glued)."""
    index = _spaces_before(text, start)
    if index == 0 or text[index - 1] == "\n":
        return "line"
    if text[index - 1] in _SENTENCE_END:
        return "sentence"
    if text[start - 1] == " ":
        return "space"
    if text[index - 1] in _COMMA:
        return "comma"
    return "glued"


def _candidates(text: str) -> list[_Marker]:
    found: list[_Marker] = []
    for match in _MARKER.finditer(text):
        start, end = match.span()
        style = match.lastgroup
        following = text[end : end + 1]
        if style in _ENUMERATIONS:
            end += 1 if style == "cndi" else 0  # 第一, : the comma belongs to the number
            following = text[end : end + 1]
        context = _context(text, start)
        if not following or following in ".、)" or (following == "\n" and (style in _ENUMERATIONS or context != "line")):
            continue
        if context == "comma" and style not in _ENUMERATIONS and style != "pcn":
            continue
        if context == "glued" and style in ("chap", "part", "cn") and not _TITLE_END.search(text, max(0, start - 4), start):
            continue
        if context == "sentence" and text[_before(text, start)] in ":;" and style not in _ENUMERATIONS and _INLINE_LIST.match(text, end):
            continue  # an enumeration inside a sentence: "分为:一、背景;二、思路"
        value = match.group(style)
        number = int(value) if style in ("num", "pnum") else _cn_number(value)
        if number > 0:
            found.append(_Marker(start, end, style, number, context))
    return _confirmed_enumerations(text, found)


def _confirmed_enumerations(text: str, found: list[_Marker]) -> list[_Marker]:
    """Keep an enumeration inside a paragraph (``…。一是…二是…``) only where it lists the paragraph's own tasks.

    Its next entry (``二是``) must follow in the same paragraph, and the paragraph
    must not itself start with a number: the enumeration of a numbered item or
    section (``(一)扩大学前教育资源。一是…二是…``) stays in that item's text.
    """
    breaks = [i for i, ch in enumerate(text) if ch == "\n"]
    numbered_lines = {m.start for m in found if m.context == "line" and m.style not in _ENUMERATIONS}
    following: dict[str, _Marker] = {}  # the next marker of each enumeration style, scanning backwards
    keep = [True] * len(found)
    for index in range(len(found) - 1, -1, -1):
        marker = found[index]
        if marker.style not in _ENUMERATIONS:
            continue
        nxt = following.get(marker.style)
        following[marker.style] = marker
        if marker.context == "line":
            continue
        line = bisect.bisect_left(breaks, marker.start)
        line_start = breaks[line - 1] + 1 if line else 0
        line_end = breaks[line] if line < len(breaks) else len(text)
        if any(line_start <= start <= line_start + 1 for start in numbered_lines if start >= line_start):
            keep[index] = False
        elif marker.number == 1 and not (nxt is not None and nxt.number == 2 and nxt.start < line_end):
            keep[index] = False
    return [m for m, k in zip(found, keep) if k]


def _item_levels(candidates: list[_Marker]) -> dict[str, int]:
    """Outline levels: sections 0 and 1; item styles 2, 3, … in the order the document first starts a list of them."""
    first: dict[str, int] = {}
    for cand in candidates:
        if cand.style in _ITEM_STYLES and cand.number == 1 and cand.context in ("line", "sentence"):
            first.setdefault(cand.style, cand.start)
    order = sorted(first, key=first.get) + [s for s in _ITEM_STYLES if s not in first]
    sections = {style: i for i, style in enumerate(_SECTION_STYLES)}
    return {**sections, **{style: len(sections) + i for i, style in enumerate(order)}}


def _accept(text: str, candidates: list[_Marker]) -> list[_Marker]:
    """Keep the candidates that continue a numbering sequence at their level."""
    levels = _item_levels(candidates)
    depth = len(levels)
    last = [0] * depth  # last number at each level under the current parent
    carried = [0] * depth  # last number before the parent changed (numbering may run on)
    seen = [False] * depth  # whether the level occurred at all (excerpts start mid-list)
    accepted: list[_Marker] = []
    for cand in candidates:
        lvl = cand.level = levels[cand.style]
        n = cand.number
        if cand.context == "glued" and cand.style in _ITEM_STYLES + ("pcn",) and not _starts_first_item(text, cand, accepted):
            continue
        expected = last[lvl] + 1
        ok = n == expected or (last[lvl] == 0 and carried[lvl] and n == carried[lvl] + 1)
        if not ok and cand.context == "line":
            ok = last[lvl] < n <= last[lvl] + 2 or (n == 1 and cand.style in _ITEM_STYLES) or not seen[lvl]
        if not ok and cand.style == "cn" and n == 1 and cand.context == "line" and last[lvl] >= 2:
            first = next(m for m in accepted if m.style == "cn")
            ok = "。" not in text[first.end : cand.start]  # the body restarts after an outline of its headings
        if not ok:
            continue
        accepted.append(cand)
        seen[lvl] = True
        last[lvl] = n
        for deeper in range(lvl + 1, depth):
            if last[deeper]:
                carried[deeper] = last[deeper]
            last[deeper] = 0
    return accepted


def _starts_first_item(text: str, cand: _Marker, accepted: list[_Marker]) -> bool:
    """Whether a number glued to the text before it is the first child of a short heading just before it."""
    if cand.style == "pcn" and cand.number == 1:
        return True
    if cand.number != 1 or not accepted or accepted[-1].style not in _SECTION_STYLES:
        return False
    heading = text[accepted[-1].end : cand.start]
    return len(heading) <= _GLUED_HEADING and not _HEADING_END.search(heading)


def _item_markers(markers: list[_Marker]) -> list[_Marker]:
    """Sections, and in each section the items of the first item style it uses (deeper styles stay in the text).

    A style used at line starts wins over an enumeration inside a paragraph of the section's introduction.
    """
    out: list[_Marker] = []
    sections: list[list[_Marker]] = [[]]
    for marker in markers:
        if marker.style in _SECTION_STYLES:
            sections.append([marker])
        else:
            sections[-1].append(marker)
    for group in sections:
        items = [m for m in group if m.style not in _SECTION_STYLES]
        style = next((m.style for m in items if m.context == "line"), items[0].style if items else None)
        out += [m for m in group if m.style in _SECTION_STYLES or m.style == style]
    return out


# ------------------------------------------------------------------ outline


def _trim_tail(text: str) -> str:
    """Drop signature, date and attachment lines that follow the last item."""
    lines = text.split("\n")
    while len(lines) > 1 and (not lines[-1].strip() or _SIGNATURE.match(lines[-1].strip())):
        lines.pop()
    return "\n".join(lines)


def _tidy(text: str) -> str:
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


def _heading(text: str) -> str:
    """The heading of an item or section: its text up to the first line break or sentence mark."""
    return re.split(r"[\n。:;,]", text, maxsplit=1)[0].strip()


def _section_title(text: str) -> str:
    """A section's heading: its first line up to the first sentence mark."""
    return _HEADING_END.split(text, maxsplit=1)[0].strip()[:_SECTION_TITLE_MAX]


_Raw = tuple[list[int], str, str, bool]  # (path, section, text, is a task)


def _outline(body: str) -> list[_Raw]:
    """The leaves of the body's outline, in order, each with its path of numbers and its section heading."""
    markers = _item_markers(_accept(body, _candidates(body)))
    raw: list[_Raw] = []
    stack: list[tuple[int, int, str]] = []  # (level, number, title) of open headings
    for index, marker in enumerate(markers):
        nxt = markers[index + 1] if index + 1 < len(markers) else None
        chunk = body[marker.end : nxt.start if nxt else len(body)]
        if nxt is None:
            chunk = _trim_tail(chunk)
        chunk = _tidy(chunk)
        while stack and stack[-1][0] >= marker.level:
            stack.pop()
        if nxt is None or nxt.level <= marker.level:
            if chunk:
                path = [num for _, num, _ in stack] + [marker.number]
                section = stack[-1][2] if stack else (_section_title(chunk) if marker.style in _SECTION_STYLES else "")
                preamble = _PREAMBLE.match(_heading(chunk)) or any(_PREAMBLE_SECTION.match(t) for _, _, t in stack)
                raw.append((path, section, chunk, not preamble))
        else:
            stack.append((marker.level, marker.number, _section_title(chunk)))
    if raw and len(raw[-1][2]) < _FRAGMENT and raw[-1][2][-1] not in "。;!?":
        raw[-1] = (*raw[-1][:3], False)  # the cut-off tail of an excerpt, e.g. "深入开展"
    return raw


def _squash(text: str) -> str:
    return re.sub(r"[\s\W_]+", "", text)


def _contents_items(entries: list[str], body: str) -> list[_Raw]:
    """The task entries of a table of contents whose body never comes (a cut-off page, an outline alone)."""
    if not entries:
        return []
    present = _squash(body)
    return [raw for raw in _outline("\n".join(entries)) if raw[3] and _squash(_heading(raw[2])) not in present]


def _numbers(raw: list[_Raw], prefix: str = "") -> list[str]:
    """Item numbers unique in the document: the own number, or the full path where own numbers repeat."""
    own = [str(path[-1]) for path, *_ in raw]
    if len(set(own)) == len(own):
        return [prefix + n for n in own]
    numbers: list[str] = []
    seen: dict[str, int] = {}
    for path, *_ in raw:
        key = ".".join(str(n) for n in path)
        seen[key] = seen.get(key, 0) + 1
        numbers.append(prefix + (key if seen[key] == 1 else f"{key}-{seen[key]}"))
    return numbers


def _articles(text: str) -> list[str]:
    """The articles of a page that collects several (``【篇一】…【篇二】…``); the whole text when it has one."""
    starts = [m.start() for m in _ARTICLE.finditer(text)]
    if len(starts) < 2:
        return [text]
    return [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)])]  # the page's own preface is not an article


def segment(text: str, doc_id: str = "doc", title: str = "") -> list[Item]:
    """Split plan ``text`` into its items, in document order; every item carries ``title``.

    ``text`` is normalised first, so item texts are normalised too. Pure: no
    files, no model (reading files is :mod:`eduplan.documents`' job).
    """
    normalized = normalize(text)
    articles = _articles(normalized)
    items: list[Item] = []
    for index, article in enumerate(articles):
        body, entries = _clean_lines(article)
        raw = _contents_items(entries, body) + _outline(body)
        prefix = f"a{index + 1}." if len(articles) > 1 else ""
        # Numbers are given before preambles are dropped, so item ids do not depend on them.
        items += [
            Item(doc_id, section, number, chunk, title)
            for number, (_, section, chunk, task) in zip(_numbers(raw, prefix), raw)
            if task
        ]
    return items
