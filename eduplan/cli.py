"""The ``eduplan`` command line: a thin typer layer over the library.

Every command parses its options, calls one library function and hands the
rows to a writer (:mod:`eduplan.writers`). Errors end in one line on stderr
with exit code 1 (2 for usage errors; 3 when some inputs were skipped and the
rest done, see ``docs/errors.md``); ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path
from typing import Annotated

import typer

from . import __version__
from .batch import ITEM_COLUMNS, classify_inputs, document_sources, segment_rows
from .decoding import set_input_limit
from .errors import EduplanError, UsageError
from .modeldir import UntrustedModelWarning, load_model, trust_model
from .parallel import usable_cores
from .readers import document_suffixes
from .tables import table_suffixes
from .writers import format_for, write_rows

# Each command imports what only it needs (training, evaluation, the corpus, reports): a single classify starts fast.

app = typer.Typer(
    help="Split Chinese education work plans into items and classify them by theme.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None,
)
corpus_app = typer.Typer(help="Build, check and summarise the labeled corpus data/items.csv.", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")
_STATE = {"debug": False, "skipped": 0}
DOCS_HELP = (
    f"Plan documents ({' '.join(document_suffixes())}; UTF-8, UTF-16 or GB18030), folders (walked recursively), globs"
)
INPUTS_HELP = f"{DOCS_HELP}, tables ({' '.join(table_suffixes())})"

Out = Annotated[Path | None, typer.Option("--out", "-o", help="Write to FILE; the format follows its suffix (.jsonl .csv .xlsx .txt).")]
Fmt = Annotated[str | None, typer.Option("--format", "-f", metavar="table|jsonl|csv|xlsx", help="Default: table on a terminal, jsonl otherwise.")]
Model = Annotated[Path | None, typer.Option("--model", "-m", help="Model directory (default: the shipped model).")]
Encoding = Annotated[str | None, typer.Option("--encoding", help="Read inputs in this encoding instead of detecting it.")]
Meta = Annotated[Path | None, typer.Option("--meta", help="CSV of document metadata: doc_id or file, title, region, year.")]
MinItems = Annotated[int, typer.Option("--min-items", min=1, help="Leave documents with fewer items out of comparisons.")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"eduplan {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks on errors.")] = False,
    max_size: Annotated[float, typer.Option("--max-size", min=0.001, help="Largest document to read, in MiB.")] = 64,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")] = False,
) -> None:
    _STATE["debug"] = debug
    set_input_limit(int(max_size * 2**20))


def _say(message: str) -> None:
    typer.echo(message, err=True)


def _skip(path: str, reason: str) -> None:
    _STATE["skipped"] += 1
    _say(f"skipped: {reason}")


def _noted(function, *args, **kwargs):
    """``function(*args, **kwargs)``, its notes about the model it loads shown as ``note:`` lines."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UntrustedModelWarning)
        result = function(*args, **kwargs)
    for warning in caught:
        if issubclass(warning.category, UntrustedModelWarning):
            _say(f"note: {warning.message}")
        else:
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    return result


def _write(rows, columns: list[str], fmt: str | None, out: Path | None, clip: dict | None = None) -> None:
    count = write_rows(rows, columns, format_for(out, fmt, sys.stdout.isatty()), out, clip)
    if out is not None:
        _say(f"{count} rows written to {out}")


@app.command()
def classify(
    inputs: Annotated[list[str], typer.Argument(metavar="INPUT...", help=f"Texts, '-' for stdin (one item per line). {INPUTS_HELP}.")],
    column: Annotated[str, typer.Option(help="Table column holding the text.")] = "text",
    section_column: Annotated[str | None, typer.Option(help="Table column holding each item's section heading.")] = None,
    title_column: Annotated[str | None, typer.Option(help="Table column holding each item's document title.")] = None,
    keep: Annotated[list[str] | None, typer.Option(help="Table columns to keep in the output (default: all).")] = None,
    top_k: Annotated[int, typer.Option("--top-k", "-k", help="Show the K most probable themes.")] = 1,
    explain: Annotated[bool, typer.Option("--explain", help="List the words that pushed each decision.")] = False,
    min_score: Annotated[float | None, typer.Option(help="Label items below this probability 'uncertain'.")] = None,
    fmt: Fmt = None, out: Out = None, model: Model = None, encoding: Encoding = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="Processes for large tables (default: usable cores).")] = None,
    chunksize: Annotated[int, typer.Option(min=1, help="Table rows read at a time.")] = 10_000) -> None:
    """Classify plan items by theme: texts, plans, folders of plans and tables."""
    rows, columns = classify_inputs(
        _noted(load_model, model), inputs, column=column, section_column=section_column, title_column=title_column, keep=keep,
        top_k=top_k, min_score=min_score, explain=8 if explain else 0, chunksize=chunksize,
        jobs=jobs or usable_cores(), encoding=encoding, on_skip=_skip, stdin=sys.stdin.buffer, blocks=True,
        progress=(lambda name, n: _say(f"{name}: {n:,} rows classified")) if sys.stderr.isatty() else None,
    )
    _write(rows, columns, fmt, out, {"text": 60, "section": 20, "explain": 60})


@app.command()
def segment(
    inputs: Annotated[list[str], typer.Argument(metavar="PLAN...", help=f"{DOCS_HELP}.")],
    fmt: Fmt = None, out: Out = None, encoding: Encoding = None,
) -> None:
    """Split plan documents into their numbered items (doc_id, item_id, section, number, text)."""
    paths = document_sources(inputs)
    rows = segment_rows(paths, encoding=encoding, on_skip=_skip if len(paths) > 1 else None)
    _write(rows, ["file", "title", *ITEM_COLUMNS], fmt, out, {"section": 24, "text": 70, "title": 20})


@app.command()
def profile(
    docs: Annotated[list[str], typer.Argument(metavar="PLAN...", help=f"{DOCS_HELP}.")],
    fmt: Fmt = None, out: Out = None,
    chart: Annotated[Path | None, typer.Option("--chart", help="Also draw a grouped bar chart to FILE.png or FILE.svg.")] = None,
    by: Annotated[str | None, typer.Option("--by", metavar="region|year", help="Compare groups of documents.")] = None,
    meta: Meta = None, model: Model = None, min_items: MinItems = 10,
    secondary: Annotated[bool, typer.Option("--secondary", help="Also count secondary themes (separately).")] = False,
) -> None:
    """Share of items and of characters per theme in each plan, side by side, and the themes that differ most."""
    from .profiling import profile_report

    result = profile_report(document_sources(docs), _noted(load_model, model), meta, by, min_items, secondary, chart, on_skip=_skip)
    for note in result["notes"]:
        _say(note)
    table = format_for(out, fmt, sys.stdout.isatty()) == "table"
    _write(*result["wide" if table else "long"], "table" if table else fmt, out, {"name": 12})
    if table:
        typer.echo(result["summary"])


@app.command()
def report(
    docs: Annotated[list[str], typer.Argument(metavar="PLAN...", help=f"{DOCS_HELP}.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The HTML file to write (one self-contained file).")],
    meta: Meta = None, model: Model = None, min_items: MinItems = 10,
) -> None:
    """Write an HTML report: chart, comparison, every item by theme, and a review of the themes you can correct."""
    from .reporting import report as write_report

    written = write_report(document_sources(docs), out, _noted(load_model, model), meta, min_items, on_skip=_skip)
    typer.echo(f"report written to {written}")


@app.command()
def train(
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory to write the model into (never the shipped one).")],
    data: Annotated[Path | None, typer.Option(help="Labeled corpus (default: the shipped corpus).")] = None,
    add: Annotated[list[Path] | None, typer.Option("--add", help="Your corrections (text,label CSV); they win for the same text.")] = None,
    settings: Annotated[list[str] | None, typer.Option("--set", help="Training parameter key=value (see eduplan.TrainConfig).")] = None,
    folds: Annotated[int, typer.Option(min=2, help="Folds of the grouped (by document) cross-validation.")] = 5,
    no_cv: Annotated[bool, typer.Option("--no-cv", help="Skip cross-validation (the card then has no figures).")] = False,
    replace_shipped: Annotated[bool, typer.Option("--replace-shipped", hidden=True)] = False,
) -> None:
    """Train the theme classifier on the labeled corpus (plus your corrections) and write it atomically."""
    from .config import TrainConfig
    from .training import summary as training_summary
    from .training import train as train_model

    config = TrainConfig().with_overrides(settings or [])
    card = train_model(data, out, config, add or [], folds, not no_cv, _say, replace_shipped)
    typer.echo(training_summary(card, out))


@app.command()
def evaluate(
    data: Annotated[Path | None, typer.Option(help="Labeled corpus (default: the shipped corpus).")] = None,
    test: Annotated[Path | None, typer.Option(help="Labeled test table (text, label): score it instead of cross-validating.")] = None,
    model: Annotated[Path | None, typer.Option("--model", "-m", help="With --test: score this saved model, no retraining.")] = None,
    folds: Annotated[int, typer.Option(min=2, help="Folds of the cross-validation grouped by document.")] = 5,
    documents: Annotated[bool, typer.Option("--documents", help="Also run whole held-out documents through read, segment, classify.")] = False,
    settings: Annotated[list[str] | None, typer.Option("--set", help="Training parameter key=value.")] = None,
    report: Annotated[Path | None, typer.Option(help="Write metrics.json, per_theme.csv, errors.csv and confusion.png here.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="table|json")] = "table",
    worst: Annotated[int, typer.Option(help="How many of the worst errors to show.")] = 10,
) -> None:
    """Measure accuracy on documents the model has not seen."""
    from .config import TrainConfig
    from .evaluation import evaluate as run_evaluation
    from .evaluation import summary as evaluation_summary

    config = TrainConfig().with_overrides(settings or [])
    result = _noted(run_evaluation, data, test, model, folds, config, documents, report_dir=report, progress=_say)
    typer.echo(evaluation_summary(result, worst, fmt))


@app.command()
def trust(model_dir: Annotated[Path, typer.Argument(help="A model directory you made or checked yourself.")]) -> None:
    """Allow eduplan to unpickle this model's scikit-learn pipeline (classifying never needs it)."""
    typer.echo(trust_model(model_dir))


@corpus_app.command("build")
def corpus_build(
    seeds: Annotated[Path, typer.Option(help="Directory of raw plan documents.")] = Path("seeds"),
    data: Annotated[Path, typer.Option(help="The labeled corpus to (re)write.")] = Path("data/items.csv"),
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would change without writing.")] = False,
) -> None:
    """Re-segment seeds/ into data/items.csv; labels follow the item text, removed ones are archived."""
    from .corpus import build

    typer.echo(build(seeds, data, dry_run=dry_run).summary(dry_run))


@corpus_app.command("label")
def corpus_label(
    labels: Annotated[Path, typer.Argument(help="CSV of annotations: item_id,label[,secondary].")],
    data: Annotated[Path, typer.Option(help="The corpus to update.")] = Path("data/items.csv"),
) -> None:
    """Copy hand-made labels from a CSV into the corpus, by item_id."""
    from .corpus import import_labels

    result = import_labels(labels, data)
    typer.echo(f"{result['updated']} of {result['items']} items updated")


@corpus_app.command("validate")
def corpus_validate(data: Annotated[Path, typer.Argument(help="The corpus CSV to check.")] = Path("data/items.csv")) -> None:
    """Check the corpus: exit 1 with one line per problem, 0 when clean."""
    from .corpus import validate

    problems = validate(data)
    for problem in problems:
        _say(problem)
    if problems:
        raise EduplanError(f"{len(problems)} problem(s) in {data}")
    typer.echo(f"{data}: OK")


@corpus_app.command("stats")
def corpus_stats(data: Annotated[Path, typer.Argument(help="The corpus CSV.")] = Path("data/items.csv"), fmt: Fmt = None) -> None:
    """Items per theme, with their Chinese names."""
    from .corpus import stats_rows

    _write(*stats_rows(data), fmt, None)


def main() -> None:
    """Run the app, errors as one line and an exit code (``docs/errors.md``); not through ``app()``, whose runner
    would turn Ctrl-C, a closed stdout and ``typer.Exit`` into bare return values."""
    command = typer.main.get_command(app)
    code, message = 0, None
    try:
        with command.make_context("eduplan", sys.argv[1:]) as ctx:
            command.invoke(ctx)
        sys.stdout.flush()  # a closed pipe shows here, not as a warning at exit
    except (EduplanError, OSError) as exc:
        if _STATE["debug"]:
            raise
        if isinstance(exc, EduplanError):
            code, message = exc.exit_code, f"{_message(exc)}{_hint(exc)}"
        else:  # a file eduplan could not read or write: permissions, a full disk, a bad --out
            code, message = 1, f"{f'{exc.filename}: ' if exc.filename else ''}{exc.strerror or exc}"
        if isinstance(exc, BrokenPipeError):  # the reader stopped early (`| head`): nothing more to say
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            code, message = 0, None
    except KeyboardInterrupt:
        _say("interrupted")
        code = 130
    except typer.Exit as exc:
        code = exc.exit_code
    except Exception as exc:  # click usage errors
        if not any(cls.__name__ == "ClickException" for cls in type(exc).__mro__) or _STATE["debug"]:
            raise
        if type(exc).__name__ == "NoArgsIsHelpError":
            exc.show()  # the help text, for `eduplan` or `eduplan corpus` alone
        else:
            ctx = getattr(exc, "ctx", None)
            where = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            message = f"{' '.join(exc.format_message().split())}{where}"
        code = exc.exit_code
    if message:
        _say(f"error: {message}")
    if code == 0 and _STATE["skipped"]:
        _say(f"{_STATE['skipped']} input(s) skipped (see above)")
        code = 3
    sys.exit(code)


def _message(exc: EduplanError) -> str:
    """The error's message, with the library's parameter name (``top_k``) shown as its flag (``--top-k``)."""
    name = (exc.option or "").lstrip("-").replace("-", "_")
    if exc.option and name and exc.message.startswith(name):
        return exc.option + exc.message[len(name) :]
    if exc.option and isinstance(exc, UsageError) and exc.option not in exc.message:
        return f"{exc.option}: {exc.message}"
    return exc.message


def _hint(exc: EduplanError) -> str:
    """A flag hint from the error's domain fields (the library never names flags)."""
    if exc.column and "no column" in exc.message:
        return " (name the columns with --column, --section-column, --title-column)"
    if exc.limit == "--max-size":
        return " (raise it with: eduplan --max-size MIB …)"
    return " (give the encoding with --encoding)" if exc.option == "--encoding" else ""
