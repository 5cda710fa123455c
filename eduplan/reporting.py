"""The HTML report of plan profiles: one self-contained file (inline chart, CSS, JS and font, no network).

It shows the chart and the comparison table of :mod:`eduplan.profiling`, then
each document's items with their theme, score and the words that explain it,
and a theme filter that hides the other items.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable
from html import escape
from pathlib import Path

from . import __version__, taxonomy
from .profiling import DEFAULT_META, EXTRA_ROWS, chart, classify_documents, compare, match_meta, read_meta, rows, shares

__all__ = ["report", "render"]

EXPLAIN_WORDS = 5

STYLE = """
@font-face { font-family: "Eduplan CJK"; src: url(data:font/woff;base64,%(font)s) format("woff"); }
body, select, button { font-family: "Eduplan CJK", system-ui, "Segoe UI", "Noto Sans CJK SC", "Source Han Sans SC",
  "PingFang SC", "Microsoft YaHei", sans-serif; }
body { margin: 0 auto; max-width: 1400px;
  padding: 0 1.5rem 3rem; color: #1f2328; line-height: 1.45; }
h1 { font-size: 1.6rem; margin: 1.2rem 0 .3rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .4rem; border-bottom: 1px solid #d0d7de; padding-bottom: .2rem; }
h2 .title { font-weight: normal; color: #57606a; }
.note, .meta { color: #57606a; font-size: .9rem; margin: .2rem 0; }
nav.filter { position: sticky; top: 0; background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px;
  padding: .5rem .8rem; margin: 1rem 0; z-index: 1; }
nav.filter select { font: inherit; padding: .15rem .3rem; margin: 0 .6rem; }
img.chart { max-width: 100%%; height: auto; border: 1px solid #d0d7de; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: .88rem; }
th, td { border: 1px solid #d0d7de; padding: .25rem .45rem; vertical-align: top; text-align: left; }
th { background: #f6f8fa; }
table.comparison th { word-break: break-all; min-width: 6.5em; font-size: .8rem; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.num small { color: #57606a; }
table.comparison tbody tr { cursor: pointer; }
table.comparison tbody tr:hover, table.comparison tr.selected { background: #fff8c5; }
table.items { width: 100%%; }
table.items td.section { min-width: 7em; max-width: 12em; color: #57606a; }
table.items td.theme { white-space: nowrap; }
table.items td.words { min-width: 8em; max-width: 14em; color: #57606a; }
table.items td.text { min-width: 28em; }
code { font-size: .8rem; color: #57606a; }
tr[data-theme="out_of_scope"] td.theme, tr[data-theme="uncertain"] td.theme { color: #9a6700; }
ol.differ { margin: .3rem 0; }
ul.docs { columns: 3; font-size: .9rem; }
table.items td.review select { font-size: .8rem; max-width: 11em; }
tr.corrected td { background: #ddf4ff; }
nav.filter button { font-size: .9rem; margin-left: .8rem; padding: .15rem .6rem; }
th .small { color: #9a6700; }
"""

SCRIPT = """
(function () {
  var select = document.getElementById("theme-filter");
  var shown = document.getElementById("shown");
  function apply() {
    var theme = select.value, visible = 0, total = 0;
    document.querySelectorAll("table.items tbody tr").forEach(function (tr) {
      var on = !theme || tr.getAttribute("data-theme") === theme;
      tr.hidden = !on;
      total += 1;
      if (on) { visible += 1; }
    });
    document.querySelectorAll("section.doc").forEach(function (section) {
      section.querySelector(".count").textContent =
        section.querySelectorAll("table.items tbody tr:not([hidden])").length;
    });
    document.querySelectorAll("table.comparison tbody tr").forEach(function (tr) {
      tr.classList.toggle("selected", theme !== "" && tr.getAttribute("data-theme") === theme);
    });
    shown.textContent = visible + " / " + total + " items";
  }
  var wanted = decodeURIComponent(location.hash.replace(/^#theme=/, ""));
  if (location.hash.indexOf("#theme=") === 0 && select.querySelector('option[value="' + wanted + '"]')) {
    select.value = wanted;
  }
  select.addEventListener("change", apply);
  var corrections = document.getElementById("corrections");
  function changed() {
    return Array.prototype.filter.call(document.querySelectorAll("table.items tbody tr"), function (tr) {
      var choice = tr.querySelector("select.review");
      return choice.value !== tr.getAttribute("data-theme");
    });
  }
  function count() {
    var rows = changed();
    document.querySelectorAll("table.items tbody tr").forEach(function (tr) {
      tr.classList.toggle("corrected", rows.indexOf(tr) >= 0);
    });
    corrections.textContent = "Download corrections (" + rows.length + ")";
    corrections.disabled = rows.length === 0;
  }
  function cell(value) {
    return '"' + String(value).replace(/"/g, '""') + '"';
  }
  document.querySelectorAll("select.review").forEach(function (choice) {
    choice.addEventListener("change", count);
  });
  corrections.addEventListener("click", function () {
    var lines = ["doc_id,item_id,text,label"];
    changed().forEach(function (tr) {
      lines.push([tr.getAttribute("data-doc"), tr.getAttribute("data-item"),
                  tr.querySelector("td.text").textContent, tr.querySelector("select.review").value].map(cell).join(","));
    });
    var blob = new Blob(["\\ufeff" + lines.join("\\r\\n") + "\\r\\n"], {type: "text/csv;charset=utf-8"});
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = "corrections.csv";
    document.body.appendChild(link);
    link.click();
    document.body.removeChild(link);
  });
  count();
  document.querySelectorAll("table.comparison tbody tr").forEach(function (tr) {
    tr.addEventListener("click", function () {
      var theme = tr.getAttribute("data-theme");
      select.value = select.value === theme ? "" : theme;
      apply();
    });
  });
  apply();
})();
"""


def report(
    docs: str | Path | Iterable[str | Path], out: str | Path, model=None, meta=None, min_items: int = 10, on_skip=None
) -> Path:
    """Classify ``docs`` and write the HTML report to ``out``; returns ``out``.

    ``meta`` (see :func:`eduplan.profiling.read_meta`) gives each document's
    title, region and year, and must list every document; without it
    ``seeds/INDEX.csv`` in the current directory is used for the documents it lists.
    """
    from .persist import atomic_write_text

    classified = classify_documents(docs, model, explain=EXPLAIN_WORDS, on_skip=on_skip)
    info = _document_info(list(classified), meta)
    out = Path(out)
    atomic_write_text(out, render(classified, info, min_items))
    return out


def _document_info(doc_ids: list[str], meta) -> dict[str, dict[str, str]]:
    """Title, region and year of each document that has metadata (all of them when ``meta`` is given)."""
    if meta is None:
        if not DEFAULT_META.is_file():
            return {}
        table = read_meta(DEFAULT_META)
        return {d: table[d] for d in doc_ids if d in table}
    return match_meta(read_meta(meta), doc_ids, str(meta))


def _chart_png(result: dict) -> str:
    from .charts import save_figure

    buffer = io.BytesIO()
    save_figure(chart(result), buffer, "png")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _font_base64(text: str) -> str:
    """The shipped CJK font cut down to the characters of ``text`` (the page), as base64 WOFF: the page needs no
    installed Chinese font and no network."""
    from fontTools import subset

    from .charts import shipped_font_path

    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = subset.load_font(str(shipped_font_path()), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(text) | set("0123456789"))))
    subsetter.subset(font)
    buffer = io.BytesIO()
    subset.save_font(font, buffer, options)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _theme_cell(label: str) -> str:
    name = taxonomy.names("zh").get(label) or EXTRA_ROWS.get(label, label)
    return f"{escape(name)}<br><code>{escape(label)}</code>"


def _comparison(result: dict, info: dict[str, dict[str, str]]) -> str:
    items, chars = result["items"], result["chars"]
    columns = [c for c in items.columns if c not in ("theme", "name")]
    spread = dict(zip(result["differ"]["theme"], result["differ"]["spread"]))
    several = len(columns) > 1
    small = set(result.get("small", []))
    head = "".join(
        f'<th title="{escape(info.get(c, {}).get("title", c))}">{escape(c)}'
        + (' <span class="small">†</span>' if c in small else "")
        + "</th>"
        for c in columns
    )
    lines = [
        '<div class="scroll"><table class="comparison"><thead><tr><th>theme 主题</th>'
        + head
        + ("<th>spread</th>" if several else "")
        + "</tr></thead><tbody>"
    ]
    for (_, row), (_, char_row) in zip(items.iterrows(), chars.iterrows()):
        cells = "".join(f'<td class="num">{_pct(row[c])} <small>({_pct(char_row[c])})</small></td>' for c in columns)
        if several:
            cells += f'<td class="num">{_pct(spread[row["theme"]]) if row["theme"] in spread else ""}</td>'
        lines.append(f'<tr data-theme="{escape(row["theme"])}"><td>{_theme_cell(row["theme"])}</td>{cells}</tr>')
    lines.append("</tbody></table></div>")
    lines.append(
        '<p class="note">Share of items (share of characters) per theme, from the model\'s labels; '
        "items the model finds out of scope or uncertain have rows of their own. Click a row to filter the items.</p>"
    )
    if small:
        lines.append(
            f'<p class="note">† fewer than {result.get("min_items", "")} items: one item moves the shares of these '
            "documents too far, so they are left out of the themes that differ most.</p>"
        )
    if len(columns) - len(small) > 1:
        top = result["differ"].head(5)
        entries = "".join(
            f"<li>{escape(r['name'])} <code>{escape(r['theme'])}</code>: {_pct(r['spread'])} points "
            f"({_pct(r['min'])} in {escape(str(r['lowest']))}, {_pct(r['max'])} in {escape(str(r['highest']))})</li>"
            for _, r in top.iterrows()
        )
        lines.append(f'<h3>Themes that differ most</h3><ol class="differ">{entries}</ol>')
    return "\n".join(lines)


def _document(doc_id: str, frame, info: dict[str, str]) -> str:
    title = info.get("title", "")
    details = " · ".join(escape(f"{k} {info[k]}") for k in ("region", "year") if info.get(k))
    lines = [
        f'<section class="doc" id="doc-{escape(doc_id)}" data-doc="{escape(doc_id)}">',
        f'<h2>{escape(doc_id)} <span class="title">{escape(title)}</span></h2>',
        f'<p class="meta">{details + " · " if details else ""}<span class="count">{len(frame)}</span> '
        f"of {len(frame)} items shown</p>",
        '<div class="scroll"><table class="items"><thead><tr><th>No.</th><th>section 章节</th><th>theme 主题</th>'
        "<th>score</th><th>words 关键词</th><th>review 审核</th><th>text 内容</th></tr></thead><tbody>",
    ]
    for row in frame.itertuples(index=False):
        words = " · ".join(dict.fromkeys(str(e["term"]) for e in (row.explain or [])))
        label = str(row.label)
        lines.append(
            f'<tr data-theme="{escape(label)}" data-doc="{escape(doc_id)}" data-item="{escape(str(row.item_id))}">'
            f'<td class="num">{escape(str(row.number))}</td>'
            f'<td class="section">{escape(str(row.section))}</td><td class="theme">{_theme_cell(label)}</td>'
            f'<td class="num">{float(row.score):.3f}</td><td class="words">{escape(words)}</td>'
            f'<td class="review">{_review(label)}</td><td class="text">{escape(str(row.text))}</td></tr>'
        )
    lines.append("</tbody></table></div></section>")
    return "\n".join(lines)


def _review(label: str) -> str:
    """A select box of the themes (and ``skip``), set to the model's label: what the reviewer corrects."""
    names = taxonomy.names("zh")
    choices = [(t, f"{names[t]} {t}") for t in taxonomy.ids()] + [(taxonomy.SKIP, "不是任务 skip")]
    if label not in dict(choices):
        choices.insert(0, (label, EXTRA_ROWS.get(label, label)))
    options = "".join(
        f'<option value="{escape(v)}"{" selected" if v == label else ""}>{escape(n)}</option>' for v, n in choices
    )
    return f'<select class="review" aria-label="theme">{options}</select>'


def render(classified: dict, info: dict[str, dict[str, str]] | None = None, min_items: int = 10) -> str:
    """The report page for classified documents (``{doc_id: classify_document(..., explain=k) frame}``)."""
    info = info or {}
    result = compare(shares(classified), min_items=min_items)
    n_items = sum(len(f) for f in classified.values())
    options = "".join(f'<option value="{escape(r)}">{escape(n)} ({escape(r)})</option>' for r, n in rows())
    toc = "".join(
        f'<li><a href="#doc-{escape(d)}">{escape(d)}</a> {escape(info.get(d, {}).get("title", ""))}</li>'
        for d in classified
    )
    result["min_items"] = min_items
    head = [
        "<!DOCTYPE html>",
        '<html lang="zh"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>eduplan: plan profiles 规划主题画像</title>",
    ]
    body = [
        "</head><body>",
        "<h1>Plan profiles 规划主题画像</h1>",
        f'<p class="note">{len(classified)} documents, {n_items} items, classified by eduplan {escape(__version__)}.</p>',
        f'<ul class="docs">{toc}</ul>',
        '<nav class="filter"><label>Show theme 主题<select id="theme-filter">'
        f'<option value="">all themes 全部主题</option>{options}</select></label><span id="shown"></span>'
        '<button id="corrections" type="button" disabled>Download corrections (0)</button></nav>',
        '<p class="note">Review 审核: change the theme of an item the model got wrong, then download your corrections '
        "(doc_id, item_id, text, label) and train your own model with them: "
        "<code>eduplan train --add corrections.csv --out mymodel</code>.</p>",
        '<section id="chart"><h2>Share of items per theme</h2>',
        f'<img class="chart" alt="grouped bar chart of item shares per theme and document" '
        f'src="data:image/png;base64,{_chart_png(result)}"></section>',
        '<section id="comparison"><h2>Comparison</h2>',
        _comparison(result, info),
        "</section>",
    ]
    body += [_document(doc_id, frame, info.get(doc_id, {})) for doc_id, frame in classified.items()]
    body += ["<script>" + SCRIPT + "</script>", "</body></html>", ""]
    page = "\n".join(body)
    style = "<style>" + STYLE % {"font": _font_base64(page)} + "</style>"
    return "\n".join(head + [style, page])
