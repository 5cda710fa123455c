"""Matplotlib figures (headless), with a CJK font so Chinese theme names render."""

from __future__ import annotations

from functools import lru_cache

__all__ = [
    "confusion_figure",
    "cjk_font",
    "shipped_font",
    "shipped_font_path",
    "chart_fonts",
    "profile_figure",
    "save_figure",
]


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Name of an installed font with Chinese glyphs, or ``None``."""
    from matplotlib import font_manager

    wanted = (
        "Noto Sans CJK SC",
        "Noto Sans SC",
        "Source Han Sans SC",
        "WenQuanYi Zen Hei",
        "WenQuanYi Micro Hei",
        "SimHei",
        "Microsoft YaHei",
        "AR PL UMing CN",
        "Droid Sans Fallback",
    )
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in wanted if name in installed), None)


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = cjk_font()
    if font:
        plt.rcParams["font.family"] = [font, "DejaVu Sans"]
    return plt


def confusion_figure(labels: list[str], matrix: list[list[int]]):
    """A labelled confusion-matrix heat map (rows: true theme, columns: predicted)."""
    import numpy as np

    plt = _pyplot()
    values = np.asarray(matrix)
    fig, ax = plt.subplots(figsize=(1 + 0.55 * len(labels), 1 + 0.5 * len(labels)))
    ax.imshow(values, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    for (i, j), value in np.ndenumerate(values):
        if value:
            ax.text(
                j,
                i,
                str(value),
                ha="center",
                va="center",
                fontsize=7,
                color="white" if value > values.max() / 2 else "black",
            )
    fig.tight_layout()
    return fig


FONT_FILE = "EduplanCJK-Regular.otf"


def shipped_font_path():
    """The CJK font shipped with eduplan (a subset with the theme names' glyphs, see ``fonts/README.md``)."""
    from pathlib import Path

    return Path(__file__).resolve().parent / "fonts" / FONT_FILE


@lru_cache(maxsize=1)
def shipped_font() -> str:
    """Register the shipped CJK font with matplotlib and return its family name."""
    from matplotlib import font_manager

    path = str(shipped_font_path())
    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path).get_name()


def chart_fonts() -> list[str]:
    """Font families for charts, each glyph taken from the first that has it.

    The shipped font comes first so theme names look the same everywhere,
    then an installed CJK font (for other Chinese text), then DejaVu Sans.
    """
    installed = cjk_font()
    return [shipped_font()] + ([installed] if installed else []) + ["DejaVu Sans"]


def profile_figure(labels: list[str], series: dict[str, list[float]], ylabel: str = "条目占比 share of items"):
    """Grouped bar chart: one group of bars per label (theme), one bar and one colour per series (document)."""
    import numpy as np
    from matplotlib.ticker import PercentFormatter

    plt = _pyplot()
    plt.rcParams["font.family"] = chart_fonts()
    n = max(1, len(series))
    colours = plt.get_cmap("tab10" if n <= 10 else "tab20" if n <= 20 else "turbo")
    width = min(32.0, max(10.0, 2 + len(labels) * (0.25 + 0.06 * n)))
    fig, ax = plt.subplots(figsize=(width, 5.5))
    x = np.arange(len(labels))
    step = 0.8 / n
    for k, (name, values) in enumerate(series.items()):
        colour = colours(k) if n <= 20 else colours(k / max(1, n - 1))
        ax.bar(x - 0.4 + step * (k + 0.5), values, step, label=name, color=colour)
    ax.set_xticks(x, labels, rotation=45, ha="right", fontsize=10)
    ax.set_xlim(-0.6, len(labels) - 0.4)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    ax.legend(fontsize=8, ncols=max(1, -(-n // 20)), loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.tight_layout()
    return fig


def save_figure(fig, out, fmt: str | None = None) -> None:
    """Write ``fig`` to ``out`` (a path or binary file; format from ``fmt`` or the suffix) and close it.

    SVG files carry no timestamp, so the same chart gives the same file.
    """
    import matplotlib.pyplot as plt

    fmt = fmt or str(out).rsplit(".", 1)[-1].lower()
    fig.savefig(out, format=fmt, dpi=150, bbox_inches="tight", metadata={"Date": None} if fmt == "svg" else None)
    plt.close(fig)
