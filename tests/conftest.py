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


THEME_TEXTS = {
    "preschool": [
        "新建公办幼儿园{n}所,扩大普惠性学前教育资源",
        "推进幼儿园保教质量提升,规范小区配套园{n}个",
        "实施第{n}期学前教育行动计划,提高幼儿园普惠率",
    ],
    "teachers": [
        "加强教师队伍建设,培训骨干教师{n}名",
        "深化师德师风建设,开展教师职称评审{n}次",
        "推进县管校聘,交流轮岗校长教师{n}人",
    ],
    "safety": [
        "加强校园安全管理,开展防溺水教育{n}场",
        "做好学校消防和食品安全检查{n}次",
        "深化平安校园建设,排查安全隐患{n}处",
    ],
}


def fixture_corpus(path, docs: int = 4) -> None:
    """A small labeled corpus: ``docs`` documents, three themes, three items of each per document."""
    import csv

    columns = ["item_id", "doc_id", "title", "section", "number", "text", "label", "secondary"]
    sections = {"preschool": "发展学前教育", "teachers": "建设教师队伍", "safety": "强化校园安全"}
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        for d in range(docs):
            number = 0
            for theme, texts in THEME_TEXTS.items():
                for template in texts:
                    number += 1
                    text = template.format(n=d * 10 + number) + f"。第{d}号文件第{number}项任务。"
                    title = f"某县{d}号教育工作要点"
                    writer.writerow([f"doc{d}:{number}", f"doc{d}", title, sections[theme], number, text, theme, ""])
        writer.writerow(["doc0:99", "doc0", "某县0号教育工作要点", "任务", 99, "指导思想", "skip", ""])


@pytest.fixture(scope="session")
def small_model(tmp_path_factory):
    """A model trained on the fixture corpus (no cross-validation): ``(model_dir, corpus_path)``."""
    from eduplan.training import train

    root = tmp_path_factory.mktemp("small")
    corpus = root / "items.csv"
    fixture_corpus(corpus)
    train(corpus, root / "model", cross_validation=False)
    return root / "model", corpus
