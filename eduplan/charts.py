"""Matplotlib figures (headless), with a CJK font so Chinese theme names render."""

from __future__ import annotations

from functools import lru_cache

__all__ = ["confusion_figure", "cjk_font"]


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
