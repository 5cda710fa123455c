"""Shared fixtures: small plan texts written by the tests themselves."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

PLAN = """当前位置:首页 > 信息公开 > 规划计划
点击次数:128
某市教育局2021年工作要点

2021年全市教育工作的总体要求是:以习近平新时代中国特色社会主义思想为指导,办好人民满意的教育。

一、加强党的建设
1.全面加强学校党的建设。落实党组织书记第一责任人责任,推进党支部标准化建设。
2.持续推进党风廉政建设。严格执行中央八项规定精神,纠正四风。

二、推动各类教育协调发展
3.推进学前教育普惠发展。新建改扩建幼儿园20所,新增学位5010个。
本年度完成小区配套园治理。
4.推进义务教育优质均衡发展。消除大班额,做好随迁子女入学。

三、强化安全管理
加强校园安全工作,开展防溺水专项教育。

分享到:微信 微博
返回顶部
"""


@pytest.fixture
def plan_text() -> str:
    return PLAN


@pytest.fixture
def write(tmp_path: Path):
    """Write ``text`` to ``tmp_path/name`` in ``encoding`` and return the path."""

    def _write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return _write
