"""The HTML report in a real browser: headless Chromium (Debian's chromium and chromium-driver, installed by CI).

- Filtering by theme works.
- The page reads on a machine without any Chinese font: Chromium is given a font configuration with only
  matplotlib's DejaVu fonts, and two Chinese strings must render differently with the embedded font subset, while
  without it they render as identical empty boxes (tofu).
- The review loop: change two themes in the page, download the corrections, ``eduplan train --add`` them, and the
  new model gives the corrected themes. Driven by Selenium.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = [
    pytest.mark.skipif(
        (CHROMIUM is None or DRIVER is None) and not os.environ.get("CI"),
        reason="chromium and chromium-driver are not installed (CI installs them)",
    ),
    pytest.mark.filterwarnings("ignore::eduplan.modeldir.UntrustedModelWarning"),
]
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
]
PLAN = """某区教育局2024年工作要点
一、主要任务
1.推进学前教育普惠发展。新建公办幼儿园8所,扩大普惠性学前教育资源。
2.加强教师队伍建设。培训骨干教师500名,深化师德师风建设。
3.加强校园安全管理。开展防溺水专项教育,排查安全隐患。
4.深化教育督导改革。完善督学责任区制度。
"""


@pytest.fixture(scope="module")
def fonts_without_chinese(tmp_path_factory) -> dict[str, str]:
    """An environment whose font configuration knows only DejaVu (shipped with matplotlib): no Chinese glyphs."""
    import matplotlib

    root = tmp_path_factory.mktemp("fonts")
    dejavu = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    (root / "fonts.conf").write_text(
        f'<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig><dir>{dejavu}</dir>'
        f"<cachedir>{root / 'cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    return {**os.environ, "FONTCONFIG_FILE": str(root / "fonts.conf"), "HOME": str(root)}


def _screenshot(page: Path, shot: Path, env: dict[str, str]) -> bytes:
    assert CHROMIUM, "chromium is not installed: apt-get install chromium chromium-driver"
    subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={shot.parent / ('profile-' + shot.stem)}", f"--screenshot={shot}",
         "--window-size=900,220", page.as_uri()],
        capture_output=True, timeout=120, env=env, check=False,
    )
    from PIL import Image

    with Image.open(shot) as image:
        return image.convert("L").tobytes()


def _variant(html: str, heading: str, font: str | None = None) -> str:
    """The report with its ``<h1>`` replaced by ``heading`` (and, if given, its embedded font replaced)."""
    html = re.sub(r"<h1>.*?</h1>", f'<h1 style="font-size:64px">{heading}</h1>', html, count=1)
    if font is not None:
        html = re.sub(r"data:font/woff;base64,[A-Za-z0-9+/=]+", f"data:font/woff;base64,{font}", html, count=1)
    return html


def test_the_report_reads_on_a_machine_without_chinese_fonts(small_model, tmp_path, fonts_without_chinese):
    from eduplan.modeldir import load_model
    from eduplan.reporting import _font_base64, report

    plan = tmp_path / "plan.txt"
    plan.write_text(PLAN, encoding="utf-8")
    html = report([plan], tmp_path / "report.html", load_model(small_model[0])).read_text(encoding="utf-8")
    ascii_only = _font_base64("abc")  # the same font with no Chinese glyph at all
    shots = {}
    for name, heading, font in (
        ("a", "学前教育", None),  # both strings are theme names, so their glyphs are in the page's font subset
        ("b", "安全稳定", None),
        ("a_tofu", "学前教育", ascii_only),
        ("b_tofu", "安全稳定", ascii_only),
    ):
        page = tmp_path / f"{name}.html"
        page.write_text(_variant(html, heading, font), encoding="utf-8")
        shots[name] = _screenshot(page, tmp_path / f"{name}.png", fonts_without_chinese)
    assert shots["a_tofu"] == shots["b_tofu"], "the test machine has a Chinese font: the check would prove nothing"
    assert shots["a"] != shots["b"], "the embedded font did not render: the two headings look alike (tofu)"
    assert shots["a"] != shots["a_tofu"]


def test_report_filters_by_theme_in_headless_chromium(small_model, tmp_path):
    from eduplan.modeldir import load_model
    from eduplan.reporting import report

    plan = tmp_path / "plan.txt"
    plan.write_text(PLAN, encoding="utf-8")
    out = report([plan], tmp_path / "report.html", load_model(small_model[0]))
    dom = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", out.as_uri() + "#theme=safety"],
        capture_output=True, text=True, timeout=120, check=False,
    ).stdout
    assert 'id="shown">1 / 4 items<' in dom
    assert dom.count('<tr data-theme="preschool" data-doc="plan" data-item="plan:1" hidden="">') == 1


def _browser(downloads: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag.replace("--headless", "--headless=new"))
    options.add_experimental_option(
        "prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False}
    )
    return webdriver.Chrome(service=Service(DRIVER), options=options)


def test_review_in_the_page_then_retrain_gives_the_corrected_themes(tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from eduplan.modeldir import load_model
    from eduplan.reporting import report

    plan = tmp_path / "plan.txt"
    plan.write_text(PLAN, encoding="utf-8")
    shipped = load_model()
    out = report([plan], tmp_path / "review.html", shipped)
    items = {row["item_id"]: row for row in __import__("eduplan").classify_document(plan, shipped, top_k=2).to_dict("records")}
    # correct two items to the model's own second choice: a plausible correction the model did not make
    wanted = {item_id: row["top"][1]["theme"] for item_id, row in list(items.items())[:2]}

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser = _browser(downloads)
    try:
        browser.get(out.as_uri())
        button = browser.find_element(By.ID, "corrections")
        assert not button.is_enabled()
        for item_id, theme in wanted.items():
            row = browser.find_element(By.CSS_SELECTOR, f'tr[data-item="{item_id}"]')
            Select(row.find_element(By.CSS_SELECTOR, "select.review")).select_by_value(theme)
        assert button.text == "Download corrections (2)"
        button.click()
        corrections = downloads / "corrections.csv"
        for _ in range(100):
            if corrections.exists() and corrections.stat().st_size:
                break
            time.sleep(0.1)
    finally:
        browser.quit()
    lines = corrections.read_text(encoding="utf-8-sig").strip().splitlines()
    assert lines[0] == "doc_id,item_id,text,label" and len(lines) == 3

    model_dir = tmp_path / "mymodel"
    proc = subprocess.run(
        [sys.executable, "-c", "from eduplan.cli import main; main()", "train", "--add", str(corrections),
         "--out", str(model_dir), "--no-cv"],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    retrained = load_model(model_dir)
    assert retrained.predict([items[i]["text"] for i in wanted]) == list(wanted.values())
