"""The ``eduplan`` command line: a thin typer layer over the library.

Every command parses its options, calls one library function and formats the
result. Errors a user can cause end in one line on stderr and exit code 1
(2 for usage errors); ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

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
    from .segment import segment_file

    items = segment_file(str(file))
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


# ---------------------------------------------------------------- entry point


def main() -> None:
    """Console entry point: run the app, turning eduplan errors into one line and an exit code."""
    try:
        app(standalone_mode=False)
    except EduplanError as exc:
        if _DEBUG["on"]:
            raise
        typer.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(1)
    except Exception as exc:  # click usage errors arrive here with standalone_mode=False
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise


if __name__ == "__main__":
    main()
