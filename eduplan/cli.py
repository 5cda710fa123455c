"""The ``eduplan`` command line: a thin typer layer over the library.

Every command parses its options, calls one library function and formats the
result. Errors a user can cause end in one line on stderr and exit code 1
(2 for usage errors); ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import sys
import unicodedata
from enum import StrEnum
from pathlib import Path

import typer

from .errors import EduplanError

app = typer.Typer(
    help="Split Chinese education work plans into items and classify them by theme.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
corpus_app = typer.Typer(help="Build, check and summarise the labeled corpus data/items.csv.", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")

_DEBUG = {"on": False}


class Format(StrEnum):
    table = "table"
    jsonl = "jsonl"
    csv = "csv"


@app.callback()
def _main(debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors.")) -> None:
    _DEBUG["on"] = debug


# ---------------------------------------------------------------- formatting


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _clip(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    if _width(text) <= limit:
        return text
    out, used = [], 0
    for ch in text:
        w = _width(ch)
        if used + w > limit - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def _table(rows: list[dict], columns: list[str], clip: dict[str, int] | None = None) -> str:
    """Plain aligned table, East-Asian wide characters counted as two columns."""
    clip = clip or {}
    cells = [[_clip(row.get(c, ""), clip.get(c, 10_000)) for c in columns] for row in rows]
    widths = [max([_width(c)] + [_width(r[i]) for r in cells]) for i, c in enumerate(columns)]

    def line(values: list[str]) -> str:
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths)).rstrip()

    return "\n".join([line(columns), line(["-" * w for w in widths])] + [line(r) for r in cells])


def _emit(rows: list[dict], columns: list[str], fmt: Format, clip: dict[str, int] | None = None) -> None:
    if fmt is Format.jsonl:
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    elif fmt is Format.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    else:
        sys.stdout.write(_table(rows, columns, clip) + "\n")


# ---------------------------------------------------------------- commands


@app.command()
def segment(
    file: Path = typer.Argument(..., help="A plan document (.txt in UTF-8, UTF-8 with BOM or GB18030/GBK)."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table for people, jsonl or csv for programs."),
) -> None:
    """Split a plan document into its numbered items."""
    from .segmenter import plan_items

    items = plan_items(file)
    rows = [item.to_dict() for item in items]
    _emit(
        rows,
        ["item_id", "doc_id", "section", "number", "text"]
        if fmt is not Format.table
        else ["number", "section", "text"],
        fmt,
        {"section": 24, "text": 70},
    )
    if fmt is Format.table:
        typer.echo(f"{len(items)} items", err=True)


@corpus_app.command("build")
def corpus_build(
    seeds: Path = typer.Option(Path("seeds"), help="Directory of raw plan documents."),
    data: Path = typer.Option(Path("data/items.csv"), help="The labeled corpus to (re)write."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Report what would change without writing."),
) -> None:
    """Re-segment seeds/ into data/items.csv, keeping existing labels by item_id."""
    from .corpus import build

    report = build(seeds, data, dry_run=dry_run)
    typer.echo(
        f"{report.total} items: {len(report.new)} new, {len(report.changed)} changed, {len(report.removed)} removed; "
        f"{len(report.new_documents)} new documents; {report.unlabeled} without a label"
    )
    for name, ids in (("changed (text differs, label kept: check it)", report.changed), ("removed", report.removed)):
        for item_id in ids:
            typer.echo(f"  {name}: {item_id}")
    typer.echo(
        "written" if report.written else ("dry run: nothing written" if dry_run else "unchanged: nothing written")
    )


@corpus_app.command("label")
def corpus_label(
    labels: Path = typer.Argument(..., help="CSV of annotations: item_id,label[,secondary]."),
    data: Path = typer.Option(Path("data/items.csv"), help="The corpus to update."),
) -> None:
    """Copy hand-made labels from a CSV into the corpus, by item_id."""
    from .corpus import import_labels

    result = import_labels(labels, data)
    typer.echo(f"{result['updated']} of {result['items']} items updated")


@corpus_app.command("validate")
def corpus_validate(data: Path = typer.Argument(Path("data/items.csv"), help="The corpus CSV to check.")) -> None:
    """Check the corpus: exit 1 with one line per problem, 0 when clean."""
    from .corpus import validate

    problems = validate(data)
    for problem in problems:
        typer.echo(problem, err=True)
    if problems:
        typer.echo(f"{len(problems)} problem(s) in {data}", err=True)
        raise typer.Exit(1)
    typer.echo(f"{data}: OK")


@corpus_app.command("stats")
def corpus_stats(data: Path = typer.Argument(Path("data/items.csv"), help="The corpus CSV.")) -> None:
    """Items per theme and per document."""
    from . import taxonomy
    from .corpus import stats

    result = stats(data)
    names = taxonomy.names()
    rows = [{"theme": t, "name": names.get(t, "(not a task)"), "items": str(n)} for t, n in result["per_theme"].items()]
    typer.echo(_table(rows, ["theme", "name", "items"]))
    typer.echo("")
    docs = [{"doc_id": d, "items": str(n)} for d, n in result["per_document"].items()]
    typer.echo(_table(docs, ["doc_id", "items"]))
    typer.echo(f"\n{result['items']} items in {result['documents']} documents")


class EvalFormat(StrEnum):
    table = "table"
    json = "json"


def _say(message: str) -> None:
    typer.echo(message, err=True)


@contextlib.contextmanager
def _notes(*categories: type[Warning]):
    """Show the library's warnings of ``categories`` (untrusted models, documents left out) as ``note:`` lines."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        for category in categories:
            warnings.simplefilter("always", category)
        yield
    for warning in caught:
        if issubclass(warning.category, categories):
            _say(f"note: {warning.message}")


def _model(path: Path | None, trust: bool = False):
    """Load the model for a command; notes about untrusted models go to stderr."""
    from .loading import UntrustedModelWarning, load_model

    with _notes(UntrustedModelWarning):
        return load_model(path, trust=trust)


def _flat(row: dict) -> dict:
    """A row with its list fields (top-k, explanation) turned into one string each, for tables and CSV."""
    out = dict(row)
    if isinstance(out.get("top"), list):
        out["top"] = " ".join(f"{t['theme']}:{t['score']:.2f}" for t in out["top"])
    if isinstance(out.get("explain"), list):
        out["explain"] = " ".join(f"{e['term']}({e['weight']:.2f})" for e in out["explain"])
    if isinstance(out.get("score"), float):
        out["score"] = f"{out['score']:.3f}"
    return out


@app.command()
def train(
    data: Path = typer.Option(Path("data/items.csv"), help="Labeled corpus (items labeled skip are left out)."),
    out: Path = typer.Option(Path("model"), help="Directory to write eduplan.joblib and card.json into."),
    folds: int = typer.Option(5, min=2, help="Folds of the grouped (by document) cross-validation."),
    no_cv: bool = typer.Option(False, "--no-cv", help="Skip cross-validation (the card then has no accuracy figures)."),
) -> None:
    """Train the theme classifier on every labeled item and write it atomically."""
    from .training import train as train_model

    card = train_model(data, out, n_splits=folds, cross_validation=not no_cv, progress=_say)
    if "cv" in card:
        cv = card["cv"]
        typer.echo(
            f"grouped cross-validation ({cv['method']}): accuracy {cv['accuracy']:.3f}, macro-F1 {cv['macro_f1']:.3f}"
        )
        rows = [{k: str(v) for k, v in r.items()} for r in cv["per_theme"]]
        typer.echo(_table(rows, ["theme", "precision", "recall", "f1", "support"]))
    typer.echo(f"model written to {out} ({card['corpus']['items']} items, fit in {card['fit_seconds']} s)")


@app.command()
def classify(
    inputs: list[str] = typer.Argument(
        ..., help="Texts, '-' for stdin (one item per line), plan documents, or CSV/JSONL files."
    ),
    column: str = typer.Option("text", help="Column of a CSV/JSONL file holding the text."),
    top_k: int = typer.Option(1, "--top-k", "-k", help="Show the K most probable themes with probabilities."),
    explain: bool = typer.Option(False, "--explain", help="List the words that pushed each decision."),
    min_score: float | None = typer.Option(None, "--min-score", help="Label items below this probability 'uncertain'."),
    fmt: Format | None = typer.Option(
        None, "--format", "-f", help="table (default on a terminal), jsonl (default otherwise) or csv."
    ),
    model: Path | None = typer.Option(
        None, "--model", "-m", help="Model directory or .joblib file (default: the shipped model)."
    ),
    trust: bool = typer.Option(
        False, "--trust", help="Load a model without a matching card (joblib files run code: only your own)."
    ),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Processes for large CSV/JSONL files."),
    chunksize: int = typer.Option(10_000, min=1, help="Rows read at a time from CSV/JSONL files."),
) -> None:
    """Classify plan items by theme."""

    from . import taxonomy
    from .batch import classify_document_rows, classify_table, classify_texts, source_kind
    from .errors import UsageError
    from .readers import decode_lines

    n_themes = len(taxonomy.ids())
    if not 1 <= top_k <= n_themes:
        raise UsageError(f"--top-k must be between 1 and {n_themes} (the number of themes), got {top_k}")
    if min_score is not None and not 0 <= min_score <= 1:
        raise UsageError(f"--min-score must be between 0 and 1, got {min_score}")
    fmt = fmt or (Format.table if sys.stdout.isatty() else Format.jsonl)
    kinds = [source_kind(src) for src in inputs]
    clf = _model(model, trust)
    explain_k = 8 if explain else 0
    columns = ["label", "score"] + (["top"] if top_k > 1 else []) + (["explain"] if explain else []) + ["text"]

    def rows():
        texts = [src for src, kind in zip(inputs, kinds) if kind == "text"]
        if texts:
            yield from classify_texts(clf, texts, top_k, min_score, explain_k)
        for src, kind in zip(inputs, kinds):
            if kind == "stdin":
                yield from classify_texts(clf, decode_lines(sys.stdin.buffer), top_k, min_score, explain_k)
            elif kind == "document":
                for row in classify_document_rows(clf, src, top_k, min_score, explain_k):
                    yield {"file": src, **row}
            elif kind == "table":
                progress = _progress_bar(src) if sys.stderr.isatty() else None
                for row in classify_table(clf, src, column, top_k, min_score, explain_k, chunksize, jobs, progress):
                    yield {"file": src, **row}
                if progress:
                    _say("")

    lead = []
    if "document" in kinds:
        lead = ["number", "section"]
    elif "table" in kinds:
        lead = ["row"]
    if len([k for k in kinds if k in ("document", "table")]) > 1:
        lead = ["file"] + lead
    if fmt is Format.table:
        _emit([_flat(r) for r in rows()], lead + columns, fmt, {"text": 60, "section": 20, "explain": 60})
    elif fmt is Format.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=lead + columns, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        for row in rows():
            writer.writerow(_flat(row))
    else:
        for row in rows():
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")


def _progress_bar(name: str):
    def update(done: int) -> None:
        sys.stderr.write(f"\r{name}: {done:,} rows classified")
        sys.stderr.flush()

    return update


@app.command()
def evaluate(
    data: Path = typer.Option(Path("data/items.csv"), help="Labeled corpus to train (and cross-validate) on."),
    test: Path | None = typer.Option(None, help="Labeled test CSV (text, label): train on --data, score this file."),
    folds: int = typer.Option(5, min=2, help="Folds of the cross-validation grouped by document."),
    report: Path | None = typer.Option(
        None, help="Write metrics.json, per_theme.csv, errors.csv and confusion.png here."
    ),
    fmt: EvalFormat = typer.Option(EvalFormat.table, "--format", "-f", help="table for people, json for programs."),
    worst: int = typer.Option(10, help="How many of the worst errors to show."),
) -> None:
    """Measure accuracy on documents the model has not seen."""
    from .evaluation import evaluate as run_evaluation

    result = run_evaluation(data, test, folds, report_dir=report, progress=_say)
    if fmt is EvalFormat.json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    typer.echo(f"{result['method']}: {result['items']} items")
    typer.echo(f"accuracy {result['accuracy']:.3f}   macro-F1 {result['macro_f1']:.3f}\n")
    typer.echo(
        _table(
            [{k: str(v) for k, v in r.items()} for r in result["per_theme"]],
            ["theme", "precision", "recall", "f1", "support"],
        )
    )
    labels, matrix = result["confusion"]["labels"], result["confusion"]["matrix"]
    short = [lab[:6] for lab in labels]
    typer.echo("\nconfusion matrix (rows: true, columns: predicted)")
    typer.echo(
        _table(
            [{"true": lab, **{s: str(v) for s, v in zip(short, row)}} for lab, row in zip(labels, matrix)],
            ["true"] + short,
        )
    )
    typer.echo(f"\nworst {min(worst, len(result['errors']))} errors (most confident wrong predictions)")
    typer.echo(
        _table(
            [_flat(e) for e in result["errors"][:worst]],
            ["item_id", "label", "predicted", "score", "text"],
            {"text": 50},
        )
    )
    if report:
        typer.echo(f"\nreport written to {report}")


@app.command()
def profile(
    docs: list[Path] = typer.Argument(..., help="Plan documents (any format eduplan reads)."),
    fmt: Format | None = typer.Option(
        None, "--format", "-f", help="table (default on a terminal), jsonl (default otherwise) or csv."
    ),
    chart: Path | None = typer.Option(None, "--chart", help="Also draw a grouped bar chart to FILE.png or FILE.svg."),
    by: str | None = typer.Option(
        None, "--by", help="Compare groups of documents: region or year (from --meta or seeds/INDEX.csv)."
    ),
    meta: Path | None = typer.Option(None, "--meta", help="CSV of document metadata: doc_id or file, region, year."),
    model: Path | None = typer.Option(
        None, "--model", "-m", help="Model directory or .joblib file (default: the shipped model)."
    ),
) -> None:
    """Share of items and of characters per theme in each plan, side by side."""

    from . import taxonomy
    from .profiling import NoItemsWarning, compare, write_chart
    from .profiling import profile as plan_profile

    clf = _model(model)
    with _notes(NoItemsWarning):
        frame = plan_profile(docs, clf, meta)
    result = compare(frame, by=by, meta=meta)
    if chart:
        _say(f"chart written to {write_chart(result, chart)}")
    fmt = fmt or (Format.table if sys.stdout.isatty() else Format.jsonl)
    if fmt is not Format.table:
        out = frame if by is None else result["profile"]
        rows = out.round({"item_share": 4, "char_share": 4}).to_dict("records")
        _emit(rows, list(out.columns), fmt)
        return
    items, chars = result["items"], result["chars"]
    columns = [c for c in items.columns if c not in ("theme", "name")]
    table = []
    for (_, row), (_, char_row) in zip(items.iterrows(), chars.iterrows()):
        if taxonomy.is_theme(row["theme"]) or any(row[c] for c in columns):
            cells = {c: f"{100 * row[c]:.1f} ({100 * char_row[c]:.1f})" for c in columns}
            table.append({"theme": row["theme"], "name": row["name"], **cells})
    long = result["profile"]
    totals = long.groupby(long.columns[0])[["items", "chars"]].sum()
    table.append(
        {
            "theme": "total",
            "name": "条目 (字符)",
            **{c: f"{totals.loc[c, 'items']} ({totals.loc[c, 'chars']})" for c in columns},
        }
    )
    typer.echo(_table(table, ["theme", "name"] + columns))
    typer.echo("% of items (% of characters) per theme, from the model's labels; total: items (characters)")
    if by:
        for group, members in result["groups"].items():
            typer.echo(f"{by} {group}: {', '.join(members)}")
    if len(columns) > 1:
        typer.echo("\nthemes that differ most (max - min share of items)")
        differ = [
            {
                "theme": r["theme"],
                "name": r["name"],
                "spread": f"{100 * r['spread']:.1f}",
                "lowest": f"{100 * r['min']:.1f} {r['lowest']}",
                "highest": f"{100 * r['max']:.1f} {r['highest']}",
            }
            for _, r in result["differ"].head(5).iterrows()
        ]
        typer.echo(_table(differ, ["theme", "name", "spread", "lowest", "highest"]))


@app.command()
def report(
    docs: list[Path] = typer.Argument(..., help="Plan documents (any format eduplan reads)."),
    out: Path = typer.Option(..., "--out", "-o", help="The HTML file to write (one self-contained file)."),
    meta: Path | None = typer.Option(
        None, "--meta", help="CSV of document metadata: doc_id or file, title, region, year."
    ),
    model: Path | None = typer.Option(
        None, "--model", "-m", help="Model directory or .joblib file (default: the shipped model)."
    ),
) -> None:
    """Write an HTML report: chart, comparison table and every item by theme, filterable."""

    from .profiling import NoItemsWarning
    from .reporting import report as write_report

    clf = _model(model)
    with _notes(NoItemsWarning):
        written = write_report(docs, out, clf, meta)
    typer.echo(f"report written to {written}")


# ---------------------------------------------------------------- entry point


def main() -> None:
    """Console entry point: run the app, turning eduplan errors into one line and an exit code.

    The command is invoked directly, not through ``app()``: typer's runner would
    turn Ctrl-C, a closed stdout and ``typer.Exit`` into bare return values.
    """
    command = typer.main.get_command(app)
    try:
        with command.make_context("eduplan", sys.argv[1:]) as ctx:
            command.invoke(ctx)
        sys.stdout.flush()  # a closed pipe shows here, not as a warning at exit
    except EduplanError as exc:
        if _DEBUG["on"]:
            raise
        typer.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except BrokenPipeError:  # the reader stopped early (`| head`): nothing more to say
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
    except OSError as exc:  # a file eduplan could not read or write: permissions, a full disk, a bad --out
        if _DEBUG["on"]:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        typer.echo(f"error: {where}{exc.strerror or exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(1)
    except Exception as exc:  # click usage errors
        if not _is_click_error(exc) or _DEBUG["on"]:
            raise
        if type(exc).__name__ == "NoArgsIsHelpError":
            exc.show()  # the help text, for `eduplan` or `eduplan corpus` alone
        else:
            typer.echo(_click_error_line(exc), err=True)
        sys.exit(exc.exit_code)


def _is_click_error(exc: Exception) -> bool:
    """Whether ``exc`` is a click error (typer vendors click as ``typer._click``, so match by class name)."""
    return any(cls.__name__ == "ClickException" for cls in type(exc).__mro__)


def _click_error_line(exc) -> str:
    """A click usage error as one line, with where to find help."""
    message = " ".join(exc.format_message().split())
    ctx = getattr(exc, "ctx", None)
    hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
    return f"error: {message}{hint}"


if __name__ == "__main__":
    main()
