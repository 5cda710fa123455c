"""Plan profiles: theme shares per document, comparison and grouping, the chart, the HTML report and the CLI."""

from __future__ import annotations

import csv
import json
import subprocess
from html.parser import HTMLParser

import pytest
from typer.testing import CliRunner

from eduplan import taxonomy
from eduplan.cli import app
from eduplan.errors import InputError, UsageError
from eduplan.profiling import COLUMNS, EXTRA_ROWS, compare, profile, read_meta, write_chart

pytestmark = pytest.mark.filterwarnings("ignore::eduplan.modeldir.UntrustedModelWarning")

runner = CliRunner()

PLAN_A = """某区教育局2021年工作要点
一、学前教育
1.新建公办幼儿园8所,扩大普惠性学前教育资源。
2.推进幼儿园保教质量提升,规范小区配套园。
二、教师队伍
3.加强教师队伍建设,培训骨干教师500名。
三、安全稳定
4.加强校园安全管理,开展防溺水教育。
"""

PLAN_B = """某县教育局2022年工作计划
一、重点任务
1.新建公办幼儿园3所,扩大普惠性学前教育资源。
2.做好学校消防和食品安全检查。
3.深化平安校园建设,排查安全隐患。
4.今天天气晴朗,球队在主场比赛中获胜。
"""

PLAN_C = """某市教育局2022年工作要点
一、教师
1.深化师德师风建设,开展教师职称评审<b>&"5"</b>。
2.加强教师队伍建设,培训骨干教师500名。
"""

THEMES = taxonomy.ids()
ROWS = THEMES + list(EXTRA_ROWS)


@pytest.fixture(scope="module")
def clf(small_model):
    from eduplan.modeldir import load_model

    return load_model(small_model[0])


@pytest.fixture
def docs(tmp_path):
    paths = []
    for name, text in (("plan_a", PLAN_A), ("plan_b", PLAN_B), ("plan_c", PLAN_C)):
        path = tmp_path / f"{name}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture
def meta_csv(tmp_path):
    path = tmp_path / "meta.csv"
    path.write_text(
        "doc_id,file,title,region,year\n"
        "plan_a,plan_a.txt,某区计划,东区,2021\n"
        ",plan_b.txt,某县计划,东区,2022(文中“22年”)\n"
        "plan_c,plan_c.txt,某市要点,西市,2022\n",
        encoding="utf-8",
    )
    return path


def _row(frame, doc_id, theme):
    return frame[(frame["doc_id"] == doc_id) & (frame["theme"] == theme)].iloc[0]


# ---------------------------------------------------------------- profile


def test_documents_without_items_are_left_out_of_a_multi_document_profile(small_model, clf, docs, tmp_path):
    from eduplan.profiling import NoItemsWarning

    prose = tmp_path / "prose.txt"
    prose.write_text("这是一段没有编号的说明文字。", encoding="utf-8")
    with pytest.warns(NoItemsWarning, match="prose.txt: no numbered items"):
        frame = profile([docs[0], prose], clf)
    assert set(frame["doc_id"]) == {"plan_a"}
    with pytest.raises(InputError, match="none of the documents"), pytest.warns(NoItemsWarning):
        profile([prose, prose.with_name("prose.txt")], clf)
    result = CliRunner().invoke(
        app, ["report", str(docs[0]), str(prose), "--out", str(tmp_path / "r.html"), "--model", str(small_model[0])]
    )
    assert result.exit_code == 0 and "skipped: " in result.stderr and (tmp_path / "r.html").exists()


def test_profile_counts_items_and_characters_per_theme_in_taxonomy_order(clf, docs):
    frame = profile(docs, clf)
    assert list(frame.columns) == COLUMNS
    for _, rows in frame.groupby("doc_id", sort=False):
        assert list(rows["theme"]) == ROWS
        assert list(rows["name"][: len(THEMES)]) == [taxonomy.names("zh")[t] for t in THEMES]
        assert rows["item_share"].sum() == pytest.approx(1.0)
        assert rows["char_share"].sum() == pytest.approx(1.0)
    a = {t: _row(frame, "plan_a", t) for t in ("preschool", "teachers", "safety")}
    assert [a[t]["items"] for t in a] == [2, 1, 1]
    assert a["preschool"]["item_share"] == pytest.approx(0.5)
    first_two = len("新建公办幼儿园8所,扩大普惠性学前教育资源。") + len("推进幼儿园保教质量提升,规范小区配套园。")
    assert a["preschool"]["chars"] == first_two
    total = frame.loc[frame["doc_id"] == "plan_a", "chars"].sum()
    assert a["preschool"]["char_share"] == pytest.approx(first_two / total)


def test_out_of_scope_items_count_under_their_own_row(clf, docs):
    frame = profile(docs[1], clf)
    assert _row(frame, "plan_b", "out_of_scope")["items"] == 1
    assert _row(frame, "plan_b", "safety")["item_share"] == pytest.approx(0.5)
    assert frame.loc[frame["theme"].isin(THEMES), "item_share"].sum() == pytest.approx(0.75)


def test_profile_errors_are_one_clear_line(clf, docs, tmp_path):
    with pytest.raises(InputError, match="no such file"):
        profile([tmp_path / "missing.txt"], clf)
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="empty.txt: no text"):
        profile([empty], clf)
    twin = tmp_path / "other"
    twin.mkdir()
    (twin / "plan_a.txt").write_text(PLAN_A, encoding="utf-8")
    with pytest.raises(UsageError, match="plan_a"):
        profile([docs[0], twin / "plan_a.txt"], clf)


def test_profile_with_meta_adds_region_and_year(clf, docs, meta_csv):
    frame = profile(docs, clf, meta=meta_csv)
    assert list(frame.columns[:3]) == ["doc_id", "region", "year"]
    assert dict(zip(frame["doc_id"], frame["year"])) == {"plan_a": "2021", "plan_b": "2022", "plan_c": "2022"}


# ---------------------------------------------------------------- compare


def test_compare_puts_documents_side_by_side_and_ranks_differences(clf, docs):
    result = compare(profile(docs, clf))
    items = result["items"]
    assert list(items.columns) == ["theme", "name", "plan_a", "plan_b", "plan_c"]
    assert list(items["theme"]) == ROWS
    assert items.set_index("theme").loc["teachers", "plan_c"] == pytest.approx(1.0)
    differ = result["differ"]
    assert set(differ["theme"]) == set(THEMES)
    assert list(differ["spread"]) == sorted(differ["spread"], reverse=True)
    top = differ.iloc[0]
    assert (top["theme"], top["lowest"], top["highest"]) == ("teachers", "plan_b", "plan_c")
    assert top["spread"] == pytest.approx(1.0)
    assert result["chars"][["plan_a", "plan_b", "plan_c"]].sum().tolist() == pytest.approx([1.0, 1.0, 1.0])


def test_compare_by_region_pools_the_items_of_each_group(clf, docs, meta_csv):
    result = compare(profile(docs, clf), by="region", meta=meta_csv)
    assert result["groups"] == {"东区": ["plan_a", "plan_b"], "西市": ["plan_c"]}
    east = result["items"].set_index("theme")["东区"]
    assert east["preschool"] == pytest.approx(3 / 8)  # 2 of plan_a's 4 items + 1 of plan_b's 4
    assert east["out_of_scope"] == pytest.approx(1 / 8)
    long = result["profile"]
    assert list(long.columns) == ["region"] + COLUMNS[1:]
    assert long.groupby("region")["item_share"].sum().tolist() == pytest.approx([1.0, 1.0])


def test_compare_by_year_reads_the_frame_columns_and_cuts_notes(clf, docs, meta_csv):
    result = compare(profile(docs, clf, meta=meta_csv), by="year")
    assert result["groups"] == {"2021": ["plan_a"], "2022": ["plan_b", "plan_c"]}


def test_compare_by_defaults_to_seeds_index_in_the_current_directory(clf, docs, tmp_path, monkeypatch):
    frame = profile(docs, clf)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match="--meta"):
        compare(frame, by="year")
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "INDEX.csv").write_text(
        "doc_id,file,title,region,year,kind,source\n"
        "plan_a,plan_a.txt,a,x,2020,plan,s\nplan_b,plan_b.txt,b,x,2020,plan,s\nplan_c,plan_c.txt,c,y,2021,plan,s\n",
        encoding="utf-8",
    )
    assert compare(frame, by="year")["groups"] == {"2020": ["plan_a", "plan_b"], "2021": ["plan_c"]}


def test_compare_rejects_unknown_documents_and_groupings(clf, docs, tmp_path):
    frame = profile(docs, clf)
    partial = tmp_path / "partial.csv"
    partial.write_text("doc_id,region,year\nplan_a,东区,2021\nplan_b,东区,2022\n", encoding="utf-8")
    with pytest.raises(InputError, match="plan_c: not in .*partial.csv"):
        compare(frame, by="region", meta=partial)
    with pytest.raises(UsageError, match="region or year|region, year"):
        compare(frame, by="kind", meta=partial)
    with pytest.raises(InputError, match="doc_id or a file column"):
        read_meta(_write(tmp_path / "bad.csv", "name,region\nplan_a,x\n"))


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- chart and font


def _cmap(path) -> set[int]:
    from fontTools.ttLib import TTFont

    return set(TTFont(path).getBestCmap())


def test_shipped_font_is_licensed_and_covers_theme_names_gb2312_and_the_corpus():
    from conftest import REPO

    from eduplan.charts import shipped_font_path

    path = shipped_font_path()
    assert path.stat().st_size < 2_500_000
    assert "SIL OPEN FONT LICENSE" in (path.parent / "OFL.txt").read_text(encoding="utf-8")
    cmap = _cmap(path)
    missing = {ch for name in taxonomy.names("zh").values() for ch in name if ord(ch) not in cmap}
    assert not missing, f"rebuild eduplan/fonts (see its README): no glyph for {''.join(sorted(missing))}"
    hanzi = bytes(b for hi in range(0xB0, 0xF8) for lo in range(0xA1, 0xFF) for b in (hi, lo))
    gb2312 = set(hanzi.decode("gb2312", errors="ignore"))  # the 6,763 characters of GB2312 (and nothing invalid)
    assert len(gb2312) >= 6763 and not {ch for ch in gb2312 if ord(ch) not in cmap}
    text = (REPO / "data" / "items.csv").read_text(encoding="utf-8")
    assert not {ch for ch in text if "\u4e00" <= ch <= "\u9fff" and ord(ch) not in cmap}


def test_chart_has_one_bar_per_theme_and_document_with_chinese_labels(clf, docs):
    from matplotlib import font_manager

    from eduplan.profiling import chart

    fig = chart(compare(profile(docs, clf)))
    ax = fig.axes[0]
    assert len(ax.patches) == 3 * len(THEMES)
    assert len({bar.get_facecolor() for bar in ax.patches}) == 3
    labels = ax.get_xticklabels()
    names = [taxonomy.names("zh")[t] for t in THEMES]
    assert [label.get_text() for label in labels] == names
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["plan_a", "plan_b", "plan_c"]
    for label in labels:
        font = font_manager.findfont(label.get_fontproperties(), fallback_to_default=False)
        assert all(ord(ch) in _cmap(font) for ch in label.get_text()), (label.get_text(), font)


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_write_chart_png_and_svg(clf, docs, tmp_path, suffix):
    out = write_chart(compare(profile(docs, clf)), tmp_path / f"chart{suffix}")
    data = out.read_bytes()
    assert data.startswith(b"\x89PNG") if suffix == ".png" else b"<svg" in data[:2000]
    with pytest.raises(UsageError, match=".png or .svg"):
        write_chart(compare(profile(docs, clf)), tmp_path / "chart.pdf")


# ---------------------------------------------------------------- HTML report


class _Page(HTMLParser):
    """Collects the report's tables, item rows, theme options and external references."""

    def __init__(self):
        super().__init__()
        self.tables: list[dict] = []
        self.options: list[str] = []
        self.refs: list[str] = []
        self.scripts = 0
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.refs += [attrs[a] for a in ("src", "href") if a in attrs]
        if tag == "table":
            self.tables.append({"class": attrs.get("class"), "rows": []})
        elif tag == "tr" and "data-theme" in attrs:
            self.tables[-1]["rows"].append({"theme": attrs["data-theme"], "cells": []})
        elif tag == "td" and self.tables and self.tables[-1]["rows"]:
            self._cell = []
        elif tag == "option":
            self.options.append(attrs["value"])
        elif tag == "script":
            self.scripts += 1

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.tables[-1]["rows"][-1]["cells"].append("".join(self._cell))
            self._cell = None


def test_report_is_one_self_contained_page_with_a_table_per_document(clf, docs, tmp_path, meta_csv):
    from eduplan.reporting import report

    out = report(docs, tmp_path / "report.html", clf, meta=meta_csv)
    html = out.read_text(encoding="utf-8")
    assert "http://" not in html and "https://" not in html
    page = _Page()
    page.feed(html)
    assert all(ref.startswith(("data:", "#")) for ref in page.refs)
    assert any(ref.startswith("data:image/png;base64,") for ref in page.refs)
    assert "@font-face" in html and "data:font/woff;base64," in html
    assert page.scripts == 1
    assert page.options[: len(ROWS) + 1] == [""] + ROWS  # the theme filter
    review = THEMES + ["skip"]
    assert page.options[len(ROWS) + 1 : len(ROWS) + 1 + len(review)] == review  # the first item's review box

    comparison = [t for t in page.tables if t["class"] == "comparison"]
    assert len(comparison) == 1 and [r["theme"] for r in comparison[0]["rows"]] == ROWS
    items = [t for t in page.tables if t["class"] == "items"]
    assert len(items) == 3
    a, b, c = (t["rows"] for t in items)
    assert [r["theme"] for r in a] == ["preschool", "preschool", "teachers", "safety"]
    assert [r["theme"] for r in b] == ["preschool", "safety", "safety", "out_of_scope"]
    number, section, theme, score, words, _review, text = a[0]["cells"]
    assert (number, section, theme) == ("1", "学前教育", "学前教育preschool")
    assert 0 < float(score) <= 1 and words and text.startswith("新建公办幼儿园")
    assert c[0]["cells"][-1] == '深化师德师风建设,开展教师职称评审<b>&"5"</b>。'  # escaped, read back as text
    assert "<b>&" not in html and "某区计划" in html and "西市" in html


def test_report_rejects_documents_missing_from_given_meta(clf, docs, tmp_path):
    from eduplan.reporting import report

    partial = _write(tmp_path / "partial.csv", "doc_id,title,region,year\nplan_a,a,x,2021\n")
    with pytest.raises(InputError, match="plan_b: not in"):
        report(docs, tmp_path / "report.html", clf, meta=partial)
    assert not (tmp_path / "report.html").exists()


# ---------------------------------------------------------------- command line


def test_cli_profile_table_shows_percentages_and_differences(small_model, docs):
    args = ["profile", *map(str, docs), "--model", str(small_model[0]), "-f", "table"]
    result = runner.invoke(app, [*args, "--min-items", "1"])
    assert result.exit_code == 0, result.output
    assert "note: using" in result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["theme", "name", "plan_a", "plan_b", "plan_c"]
    preschool = next(line for line in lines if line.startswith("preschool"))
    assert preschool.split() == ["preschool", "学前教育", "50.0", *preschool.split()[3:]]
    assert any(line.startswith("out_of_scope") for line in lines)
    assert not any(line.startswith("uncertain") for line in lines)
    assert "themes that differ most" in result.stdout
    default = runner.invoke(app, args)  # every document has fewer than 10 items
    assert "themes that differ most" not in default.stdout
    assert "fewer than 10 items, left out of 'themes that differ most'" in default.stderr


def test_small_documents_are_left_out_of_the_differences(clf, docs):
    result = compare(profile(docs, clf), min_items=3)
    assert result["small"] == ["plan_c"]  # 2 items
    assert "plan_c" not in set(result["differ"]["lowest"]) | set(result["differ"]["highest"])


def test_secondary_themes_are_counted_apart_from_the_primary_shares(clf, docs):
    plain = profile(docs, clf)
    with_secondary = profile(docs, clf, secondary=True)
    assert list(with_secondary.columns) == COLUMNS + ["secondary_items", "secondary_share"]
    assert with_secondary[COLUMNS].equals(plain)  # the primary shares do not change


def test_cli_profile_csv_jsonl_and_chart(small_model, docs, tmp_path):
    model = ["--model", str(small_model[0])]
    result = runner.invoke(app, ["profile", *map(str, docs), *model, "-f", "csv", "--chart", str(tmp_path / "c.png")])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(result.stdout.splitlines()))
    assert len(rows) == 3 * len(ROWS) and list(rows[0]) == COLUMNS
    assert (tmp_path / "c.png").read_bytes().startswith(b"\x89PNG")
    result = runner.invoke(app, ["profile", str(docs[0]), *model, "-f", "jsonl"])
    shares = [json.loads(line)["item_share"] for line in result.stdout.splitlines()]
    assert sum(shares) == pytest.approx(1.0)


def test_cli_profile_by_region(small_model, docs, meta_csv):
    args = ["profile", *map(str, docs), "--model", str(small_model[0]), "--meta", str(meta_csv), "--by", "region"]
    result = runner.invoke(app, [*args, "-f", "table"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].split() == ["theme", "name", "东区", "西市"]
    assert "region 东区: plan_a, plan_b" in result.stdout
    rows = [json.loads(line) for line in runner.invoke(app, [*args, "-f", "jsonl"]).stdout.splitlines()]
    assert {r["region"] for r in rows} == {"东区", "西市"}


def test_cli_profile_bad_grouping_is_a_usage_error(small_model, docs):
    import sys

    from conftest import REPO

    args = ["profile", str(docs[0]), "--model", str(small_model[0]), "--by", "kind"]
    proc = subprocess.run(
        [sys.executable, "-c", "from eduplan.cli import main; main()", *args], cwd=REPO, capture_output=True, text=True
    )
    assert proc.returncode == 2 and proc.stderr.splitlines()[-1].startswith("error: --by must be one of region, year")


def test_cli_report(small_model, docs, tmp_path):
    out = tmp_path / "out" / "report.html"
    result = runner.invoke(app, ["report", *map(str, docs), "--out", str(out), "--model", str(small_model[0])])
    assert result.exit_code == 0, result.output
    assert "note: using" in result.stderr
    assert f"report written to {out}" in result.stdout
    assert out.read_text(encoding="utf-8").count('<table class="items">') == 3
