"""The model at run time: feature blocks and heads recomputed from plain arrays, with numpy alone.

Training fits a scikit-learn pipeline (:mod:`eduplan.features`,
:mod:`eduplan.heads`); each of its blocks and heads exports the arrays it
computes with. :class:`CompactModel` holds those arrays (one ``.npz`` file,
loaded with ``allow_pickle=False``: no code runs) and gives the same
probabilities without importing scikit-learn, scipy or pandas, so a single
``eduplan classify`` starts fast. Export checks every block against the fitted
vectorizer on the training records (:func:`eduplan.features.check_parity`).

Each kind of block has a runtime here (:class:`WordRuntime`,
:class:`CharRuntime`), registered by its ``kind`` (:func:`register_runtime`), so
a new kind of block brings its runtime without touching :class:`CompactModel`.
"""

from __future__ import annotations

import re
from functools import cached_property

import numpy as np

from .records import Columns
from .tokens import _kept_form, mask_numbers, segment_joined

__all__ = [
    "COMPACT_FORMAT",
    "CompactModel",
    "BlockRuntime",
    "WordRuntime",
    "CharRuntime",
    "NgramTable",
    "LinearRuntime",
    "PrimaryRuntime",
    "SecondaryRuntime",
    "register_runtime",
    "runtime_from_arrays",
    "secondary_themes",
    "tfidf_rows",
    "prepare_function",
    "lower_text",
]

COMPACT_FORMAT = "eduplan-compact/3"
OLD_FORMATS = ("eduplan-compact/1", "eduplan-compact/2")
_WHITE_SPACES = re.compile(r"\s\s+")  # scikit-learn's char analyzer collapses these
_BATCH = 2000  # texts per block of the batch computation: bounds memory
_BATCH_CHARS = 400_000  # and characters per block: a few very long texts make a block of their own


def lower_text(text: str) -> str:
    """Lower-case ``text`` (the preprocessing of a block that keeps numbers)."""
    return text.lower()


def _collapse_spaces(texts: list[str]) -> list[str]:
    """Runs of white space as one space (scikit-learn's char analyzer does this), for a whole batch in one pass."""
    if len(texts) < 2 or any("\x00" in t for t in texts):
        return [_WHITE_SPACES.sub(" ", t) for t in texts]
    return _WHITE_SPACES.sub(" ", "\x00".join(texts)).split("\x00")  # NUL is not white space: runs stop at it


def prepare_function(mask_digits: bool):
    """The preprocessing of a block: lower-case, and numbers masked to ``0`` when ``mask_digits``."""
    return mask_numbers if mask_digits else lower_text


def tfidf_rows(
    rows: np.ndarray, cols: np.ndarray, width: int, idf: np.ndarray, sublinear: bool, n_rows: int, weight: float = 1.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Count (row, column) pairs and turn the counts into l2-normalised TF-IDF values (times the block's ``weight``).

    The pairs are counted with one sort of packed keys, so the result comes sorted by row, then column.
    """
    if len(rows) == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp), np.zeros(0)
    if n_rows * width < 2**32:  # smaller keys sort faster
        stride, packed = np.uint32(width), rows.astype(np.uint32) * np.uint32(width) + cols.astype(np.uint32)
    else:
        stride, packed = width, rows * width + cols
    packed.sort()
    starts = np.flatnonzero(np.concatenate(([True], packed[1:] != packed[:-1])))
    keys, counts = packed[starts], np.diff(starts, append=len(packed))
    rows = keys // stride
    cols = (keys - rows * stride).astype(np.intp)
    rows = rows.astype(np.intp)
    data = idf[cols]
    repeated = np.flatnonzero(counts > 1)  # most terms occur once in a text: their factor is 1
    data[repeated] *= np.log(counts[repeated]) + 1.0 if sublinear else counts[repeated]
    norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=n_rows))
    data /= norms[rows]
    return rows, cols, (data * weight if weight != 1.0 else data)


_DENSE_FROM = 4096  # positions from which a lookup goes through a level's dense table (smaller ones search)
_DENSE_ENTRIES = 1 << 24  # the largest dense table of a level; a larger level is always searched


class NgramTable:
    """The vocabulary's n-grams over symbol ids, found level by level.

    Symbol ids run from 0 to ``n_symbols - 1``; ``n_symbols`` itself stands for
    an unknown symbol and for the boundary between two texts, so no n-gram
    spans either. Level 1 ids are the symbol ids. A level-k id is the rank of
    the key ``(level k-1 id) * (n_symbols + 1) + last symbol`` among the sorted
    keys of the vocabulary's k-grams and k-prefixes (``keys[k]``); ``len(keys[k])``
    means "none". A lookup of many positions reads each level's dense table
    (level k-1 id × last symbol → level-k id, built on first use, no hashing);
    a small lookup, or a level too large for a dense table, searches the sorted keys.
    """

    def __init__(self, grams: list[tuple[int, ...]], n_symbols: int, ngram_range: tuple[int, int]):
        self.low, self.high = ngram_range
        self.n_symbols = n_symbols
        radix = n_symbols + 1
        columns = [np.full(n_symbols, -1, dtype=np.intp)]
        keys: list[np.ndarray] = [np.arange(n_symbols, dtype=np.int64)]
        for column, gram in enumerate(grams):
            if len(gram) == 1:
                columns[0][gram[0]] = column
        previous: dict[tuple[int, ...], int] = {}
        for level in range(2, self.high + 1):
            key_of = {
                gram[:level]: (gram[0] if level == 2 else previous[gram[: level - 1]]) * radix + gram[level - 1]
                for gram in grams
                if len(gram) >= level
            }
            level_keys = np.array(sorted(set(key_of.values())), dtype=np.int64)
            rank = {key: i for i, key in enumerate(level_keys.tolist())}
            previous = {prefix: rank[key] for prefix, key in key_of.items()}
            level_columns = np.full(len(level_keys), -1, dtype=np.intp)
            for column, gram in enumerate(grams):
                if len(gram) == level:
                    level_columns[previous[gram]] = column
            keys.append(level_keys)
            columns.append(level_columns)
        self._set(keys, columns)

    def _set(self, keys: list[np.ndarray], columns: list[np.ndarray]) -> None:
        self.keys = keys
        self.columns = columns
        self._found = [np.append(c, -1) for c in columns]  # an id of "none" (the last index) finds no column
        self._dense: dict[int, tuple | None] = {}

    def arrays(self) -> dict[str, np.ndarray]:
        """The table as arrays (saved with the model)."""
        out = {"ngram.shape": np.array([self.n_symbols, self.low, self.high])}
        for level, columns in enumerate(self.columns, start=1):
            out[f"ngram.columns{level}"] = columns.astype(np.int32)
            if level >= 2:
                out[f"ngram.keys{level}"] = self.keys[level - 1]
        return out

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> NgramTable:
        table = cls.__new__(cls)
        table.n_symbols, table.low, table.high = (int(v) for v in arrays["ngram.shape"])
        levels = range(1, table.high + 1)
        keys = [np.arange(table.n_symbols, dtype=np.int64)]
        keys += [np.asarray(arrays[f"ngram.keys{level}"], dtype=np.int64) for level in levels[1:]]
        table._set(keys, [np.asarray(arrays[f"ngram.columns{level}"], dtype=np.intp) for level in levels])
        return table

    def _dense_table(self, level: int) -> tuple | None:
        """``(first, second, stride, table)`` of a level: its ids as ``table[first[prefix id] * stride + second[symbol]]``."""
        if level not in self._dense:
            keys = self.keys[level - 1]
            radix = self.n_symbols + 1
            prefixes, lasts = np.unique(keys // radix), np.unique(keys % radix)
            stride = len(lasts) + 1
            if (len(prefixes) + 1) * stride > _DENSE_ENTRIES:
                self._dense[level] = None
            else:
                first = np.full(len(self.keys[level - 2]) + 1, len(prefixes), dtype=np.intp)
                first[prefixes] = np.arange(len(prefixes))
                second = np.full(radix, len(lasts), dtype=np.intp)
                second[lasts] = np.arange(len(lasts))
                table = np.full((len(prefixes) + 1) * stride, len(keys), dtype=np.int16 if len(keys) < 2**15 else np.int32)
                table[first[keys // radix] * stride + second[keys % radix]] = np.arange(len(keys))
                self._dense[level] = (first, second, stride, table)
        return self._dense[level]

    def prepare(self) -> None:
        """Build every level's dense table now rather than on the first large lookup."""
        for level in range(2, self.high + 1):
            self._dense_table(level)

    def _next(self, level: int, previous: np.ndarray, last: np.ndarray) -> np.ndarray:
        """Level-``level`` ids of the grams (previous id, last symbol)."""
        dense = self._dense_table(level) if len(previous) >= _DENSE_FROM else None
        if dense is not None:
            first, second, stride, table = dense
            return table[first[previous] * stride + second[last]]
        keys = self.keys[level - 1]
        query = previous * (self.n_symbols + 1) + last
        rank = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
        return np.where(keys[rank] == query, rank, len(keys))

    def lookup(self, symbols: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rows and columns of every vocabulary n-gram in a sequence of symbol ids (``n_symbols``: unknown or a
        boundary between texts); ``rows`` gives each position's row."""
        found_rows, found_cols = [], []
        ids = symbols
        for level in range(1, self.high + 1):
            if level >= 2:
                if len(ids) < 2 or not len(self.keys[level - 1]):
                    break
                ids = self._next(level, ids[:-1], symbols[level - 1 :])
            if level >= self.low:
                cols = self._found[level - 1][ids]
                hit = np.flatnonzero(cols >= 0)
                found_rows.append(rows[hit])
                found_cols.append(cols[hit])
        if not found_rows:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
        return np.concatenate(found_rows), np.concatenate(found_cols)


class BlockRuntime:
    """Computes a block's features from its exported arrays (numpy only, no scikit-learn, no pickle)."""

    kind = ""

    def __init__(self, arrays: dict[str, np.ndarray]):
        self.arrays = arrays
        self.column = str(arrays["column"])
        self.idf = np.asarray(arrays["idf"], dtype=np.float64)
        self.ngram_range = tuple(int(v) for v in arrays["ngram_range"])
        self.sublinear = bool(arrays["sublinear"])
        self.mask_digits = bool(arrays["mask_digits"])
        self.weight = float(arrays["weight"]) if "weight" in arrays else 1.0
        self.width = len(arrays["terms"])

    @cached_property
    def terms(self) -> list[str]:
        """The block's terms, one per column (made on first use: classifying needs only the saved tables)."""
        return [str(t) for t in self.arrays["terms"]]

    def transform(self, columns: Columns, stats: dict | None = None):
        """``(rows, cols, values)`` of the block's l2-normalised TF-IDF for already-normalised ``columns``."""
        raise NotImplementedError

    def tables(self) -> dict[str, np.ndarray]:
        """Arrays the runtime derived from its terms, saved with the model so that loading skips the work."""
        return {}

    def prepare(self) -> None:
        """Build now what the first large batch would build (before forking workers, so they share it)."""

    def _tfidf(self, rows: np.ndarray, cols: np.ndarray, n_rows: int):
        """The block's weighted, l2-normalised TF-IDF of the (row, column) pairs its terms were found at."""
        return tfidf_rows(rows, cols, max(1, self.width), self.idf, self.sublinear, n_rows, self.weight)

    def feature_name(self, column: int) -> str:
        return self.terms[column]


class _TokenCodes(dict):
    """Raw token -> code, each computed on first sight (``__missing__``) so a batch maps in one C-level pass.

    A code is ``symbol * 2 + long`` (``long``: two characters or more; the
    unknown symbol is the table's ``n_symbols``), ``-1`` for a dropped token
    (punctuation, spaces) and ``-2`` for the line break between two texts.
    """

    limit = 1_000_000  # distinct tokens kept; past it the cache starts again (memory stays bounded)

    def __init__(self, symbol_of: dict[str, int], unknown: int):
        super().__init__()
        self.symbol_of, self.unknown = symbol_of, unknown

    def __missing__(self, token: str) -> int:
        if len(self) >= self.limit:
            self.clear()
        form = _kept_form(token)
        if token == "\n":
            code = -2
        elif not form:
            code = -1
        else:
            code = self.symbol_of.get(form, self.unknown) * 2 + (len(form) >= 2)
        self[token] = code
        return code


class WordRuntime(BlockRuntime):
    """Runtime of :class:`WordBlock`: rjieba tokens of a whole batch at once, then vocabulary n-grams."""

    kind = "words"

    def __init__(self, arrays: dict[str, np.ndarray]):
        super().__init__(arrays)
        if "symbols" in arrays:  # saved with the model
            self.symbol_of = {str(word): i for i, word in enumerate(arrays["symbols"])}
            self.table = NgramTable.from_arrays(arrays)
        else:
            symbol_of: dict[str, int] = {}
            grams = [tuple(symbol_of.setdefault(w, len(symbol_of)) for w in term.split(" ")) for term in self.terms]
            self.symbol_of = symbol_of
            self.table = NgramTable(grams, max(1, len(symbol_of)), self.ngram_range)
        self._codes = _TokenCodes(self.symbol_of, self.table.n_symbols)

    def tables(self) -> dict[str, np.ndarray]:
        return {"symbols": np.array(list(self.symbol_of), dtype=str), **self.table.arrays()}

    def prepare(self) -> None:
        self.table.prepare()
        segment_joined(["加载词典"])  # the segmenter builds its dictionary on first use

    def transform(self, columns: Columns, stats: dict | None = None):
        texts = columns.prepared(self.column, self.mask_digits)
        n = len(texts)
        if not n:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp), np.zeros(0)
        raw = segment_joined(texts)
        codes = np.fromiter(map(self._codes.__getitem__, raw), np.intp, len(raw))
        rows = np.cumsum(codes == -2)
        kept = np.flatnonzero(codes != -1)
        codes, rows = codes[kept], rows[kept]
        unknown = self.table.n_symbols
        codes[codes == -2] = 2 * unknown  # the break between two texts: no n-gram spans it
        symbols, long = codes >> 1, (codes & 1).astype(bool)
        if stats is not None:
            stats["known"] = np.bincount(rows[long & (symbols < unknown)], minlength=n)
            stats["total"] = np.bincount(rows[long], minlength=n)
        return self._tfidf(*self.table.lookup(symbols, rows), n)


class CharRuntime(BlockRuntime):
    """Runtime of :class:`CharBlock`: code points of a whole batch at once, then vocabulary n-grams."""

    kind = "chars"

    def __init__(self, arrays: dict[str, np.ndarray]):
        super().__init__(arrays)
        if "symbol_of_code" in arrays:  # saved with the model
            symbol_of_code = np.asarray(arrays["symbol_of_code"], dtype=np.intp)
            self.table = NgramTable.from_arrays(arrays)
        else:
            chars = sorted({ch for term in self.terms for ch in term})
            symbol_of_code = np.full(max((ord(ch) for ch in chars), default=0) + 1, -1, dtype=np.intp)
            symbol_of_code[[ord(ch) for ch in chars]] = np.arange(len(chars))
            grams = [tuple(int(symbol_of_code[ord(ch)]) for ch in term) for term in self.terms]
            self.table = NgramTable(grams, max(1, len(chars)), self.ngram_range)
        self.symbol_of_code = symbol_of_code
        unknown = self.table.n_symbols  # code points outside the table (the last entry) are unknown too
        self._symbols = np.append(np.where(symbol_of_code < 0, unknown, symbol_of_code), unknown)

    def tables(self) -> dict[str, np.ndarray]:
        return {"symbol_of_code": self.symbol_of_code.astype(np.int32), **self.table.arrays()}

    def prepare(self) -> None:
        self.table.prepare()

    def transform(self, columns: Columns, stats: dict | None = None):
        texts = _collapse_spaces(columns.prepared(self.column, self.mask_digits))
        n = len(texts)
        if not n:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp), np.zeros(0)
        codes = np.frombuffer("\x00".join(texts).encode("utf-32-le"), dtype=np.uint32)
        symbols = self._symbols[np.minimum(codes, len(self._symbols) - 1)]
        lengths = np.fromiter(map(len, texts), np.intp, n) + 1  # each text and the break after it
        ends = np.cumsum(lengths)
        symbols[ends[:-1] - 1] = self.table.n_symbols  # the breaks: no n-gram spans two texts
        rows = np.repeat(np.arange(n), lengths)[: len(symbols)]
        return self._tfidf(*self.table.lookup(symbols, rows), n)


_RUNTIMES: dict[str, type[BlockRuntime]] = {}


def register_runtime(runtime: type[BlockRuntime]) -> type[BlockRuntime]:
    """Register the runtime of a kind of block (``runtime.kind``), so saved models with such blocks load."""
    _RUNTIMES[runtime.kind] = runtime
    return runtime


def runtime_from_arrays(arrays: dict[str, np.ndarray]) -> BlockRuntime:
    """The runtime of an exported block; ``ValueError`` for a kind no runtime is registered for."""
    kind = str(arrays["kind"])
    if kind not in _RUNTIMES:
        raise ValueError(f"no runtime for feature blocks of kind {kind!r}")
    return _RUNTIMES[kind](arrays)


register_runtime(WordRuntime)
register_runtime(CharRuntime)


class LinearRuntime:
    """A linear head from its arrays: classes, coefficients (one row per class) and intercepts."""

    def __init__(self, arrays: dict[str, np.ndarray]):
        self.classes = [str(c) for c in arrays["classes"]]
        self.coef = np.asarray(arrays["coef"], dtype=np.float64)
        self.intercept = np.asarray(arrays["intercept"], dtype=np.float64)
        self._coef_t: np.ndarray | None = None

    def coef_t(self) -> np.ndarray:
        """The coefficients with one row per feature (what the sparse product reads), made on first use."""
        if self._coef_t is None:
            self._coef_t = np.ascontiguousarray(self.coef.T)
        return self._coef_t


class PrimaryRuntime(LinearRuntime):
    """The primary head from its arrays: SVM decision values, then the sigmoid calibration scikit-learn applies."""

    def __init__(self, arrays: dict[str, np.ndarray]):
        super().__init__(arrays)
        self.calib_a = np.asarray(arrays["calib_a"], dtype=np.float64)
        self.calib_b = np.asarray(arrays["calib_b"], dtype=np.float64)

    def proba(self, decision: np.ndarray) -> np.ndarray:
        """Calibrated probabilities (columns: :attr:`classes`) from decision values."""
        n_classes = len(self.classes)
        proba = np.zeros((decision.shape[0], n_classes))
        if n_classes == 2:
            proba[:, 1] = 1.0 / (1.0 + np.exp(self.calib_a[0] * decision[:, 0] + self.calib_b[0]))
            proba[:, 0] = 1.0 - proba[:, 1]
        else:
            proba[:] = 1.0 / (1.0 + np.exp(self.calib_a * decision + self.calib_b))
            total = proba.sum(axis=1, keepdims=True)
            proba = np.divide(proba, total, out=np.full_like(proba, 1.0 / n_classes), where=total != 0)
        proba[(proba > 1.0) & (proba <= 1.0 + 1e-5)] = 1.0
        return proba

    def coefficients(self) -> np.ndarray:
        """Coefficients with one row per class (binary models get the negated row for the first class)."""
        if self.coef.shape[0] == 1:
            return np.vstack([-self.coef[0], self.coef[0]])
        return self.coef


class SecondaryRuntime(LinearRuntime):
    """The secondary head from its arrays: one logistic probability per theme."""

    def __init__(self, arrays: dict[str, np.ndarray]):
        super().__init__(arrays)
        self.threshold = float(arrays["threshold"])

    def proba(self, decision: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-decision))


def secondary_themes(
    covered: np.ndarray, classes: list[str], primary: list[str], threshold: float, limit: int = 3
) -> list[list[str]]:
    """For each row, the themes (other than its primary) whose covering probability reaches ``threshold``, most probable first."""
    out: list[list[str]] = [[] for _ in primary]
    index = {c: j for j, c in enumerate(classes)}
    above = covered >= threshold
    main = np.array([index.get(p, -1) for p in primary], dtype=np.int64)
    rows = np.flatnonzero(main >= 0)
    above[rows, main[rows]] = False
    hit_rows, hit_cols = np.nonzero(above)
    order = np.lexsort((-covered[hit_rows, hit_cols], hit_rows))  # by row, then most probable first
    for i, j in zip(hit_rows[order].tolist(), hit_cols[order].tolist()):
        if len(out[i]) < limit:
            out[i].append(classes[j])
    return out


class CompactModel:
    """A trained model as arrays: its feature blocks' runtimes and its heads' runtimes (see the module docstring)."""

    def __init__(self, arrays: dict[str, np.ndarray]):
        fmt = str(arrays.get("format", ""))
        if fmt in OLD_FORMATS:
            raise ValueError(f"a model of the older format {fmt}; retrain it with this eduplan version")
        if fmt != COMPACT_FORMAT:
            raise ValueError(f"not an {COMPACT_FORMAT} model (format {fmt or 'missing'})")
        self.arrays = arrays
        self.block_names = [str(b) for b in arrays["blocks"]]
        self.blocks = [runtime_from_arrays(_part(arrays, f"block.{name}.")) for name in self.block_names]
        self.offsets = np.cumsum([0] + [b.width for b in self.blocks])
        self.primary = PrimaryRuntime(_part(arrays, "primary."))
        self.secondary = SecondaryRuntime(_part(arrays, "secondary.")) if "secondary.classes" in arrays else None
        self.classes = self.primary.classes
        self._scope = next(
            (i for i, b in enumerate(self.blocks) if isinstance(b, WordRuntime) and b.column == "text"), None
        )

    @classmethod
    def from_parts(cls, blocks: list[tuple[str, dict]], primary: dict, secondary: dict | None) -> CompactModel:
        """Assemble the arrays exported by named blocks and heads."""
        arrays: dict[str, np.ndarray] = {
            "format": np.array(COMPACT_FORMAT),
            "blocks": np.array([name for name, _ in blocks], dtype=str),
        }
        for name, part in blocks:
            tables = runtime_from_arrays(part).tables()  # derived once here, loaded as they are afterwards
            arrays.update({f"block.{name}.{key}": value for key, value in {**part, **tables}.items()})
        arrays.update({f"primary.{key}": value for key, value in primary.items()})
        if secondary is not None:
            arrays.update({f"secondary.{key}": value for key, value in secondary.items()})
        return cls(arrays)

    @property
    def width(self) -> int:
        return int(self.offsets[-1])

    def prepare(self) -> None:
        """Build the lookup tables, the segmenter's dictionary and the heads' product layout now (before a fork)."""
        for block in self.blocks:
            block.prepare()
        (self._both if self.secondary is not None else self.primary).coef_t()

    def _parts(self, columns: Columns, stats: dict):
        """Each block's ``(offset, rows, cols, values)`` for normalised records (rows sorted; ``stats`` gets the
        text block's known and total words)."""
        for index, (block, offset) in enumerate(zip(self.blocks, self.offsets.tolist())):
            if index != self._scope and not any(columns.get(block.column)):
                continue  # no context given: the block adds nothing
            yield (offset, *block.transform(columns, stats if index == self._scope else None))

    def features(self, columns: Columns):
        """``(rows, cols, values, known, total)``: the sparse features of normalised records, and each text's
        words of two characters or more that the model knows, and all of them (for the out-of-scope decision)."""
        n = len(columns)
        stats: dict = {}
        parts = list(self._parts(columns, stats))
        known = stats.get("known", np.zeros(n, dtype=np.int64))
        total = stats.get("total", np.zeros(n, dtype=np.int64))
        if not parts:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp), np.zeros(0), known, total
        rows = np.concatenate([rows for _, rows, _, _ in parts])
        cols = np.concatenate([cols + offset for offset, _, cols, _ in parts])
        return rows, cols, np.concatenate([data for _, _, _, data in parts]), known, total

    @staticmethod
    def _decision(n: int, parts: list, head) -> np.ndarray:
        """Linear decision values of a head, one row per text, summed block by block: numpy alone for small
        batches, scipy's sparse product (each block's rows are sorted: no reordering) for large."""
        out = np.tile(head.intercept, (n, 1))
        for offset, rows, cols, data in parts:
            if not len(data):
                continue
            if n <= 64:
                for k in range(head.coef.shape[0]):
                    out[:, k] += np.bincount(rows, weights=head.coef[k, cols + offset] * data, minlength=n)
                continue
            from scipy.sparse import csr_matrix

            coef = head.coef_t()[offset : offset + int(cols.max()) + 1]
            indptr = np.searchsorted(rows, np.arange(n + 1))
            out += csr_matrix((data, cols, indptr), shape=(n, len(coef))) @ coef
        return out

    def analyze(self, columns: Columns, secondary: bool = True):
        """``(primary, covered, known, total)`` for normalised records: primary probabilities (columns:
        :attr:`classes`), secondary covering probabilities (columns: ``secondary.classes``, or ``None``)."""
        n = len(columns)
        proba = np.empty((n, len(self.classes)))
        secondary = secondary and self.secondary is not None
        covered = np.empty((n, len(self.secondary.classes))) if secondary else None
        known = np.zeros(n, dtype=np.int64)
        total = np.zeros(n, dtype=np.int64)
        for start, stop in _blocks(columns):
            stats: dict = {}
            parts = list(self._parts(columns.take(range(start, stop)), stats))
            if "known" in stats:
                known[start:stop], total[start:stop] = stats["known"], stats["total"]
            decision = self._decision(stop - start, parts, self._both if secondary else self.primary)
            width = len(self.classes)
            proba[start:stop] = self.primary.proba(decision[:, :width])
            if secondary:
                covered[start:stop] = self.secondary.proba(decision[:, width:])
        return proba, covered, known, total

    @cached_property
    def _both(self) -> LinearRuntime:
        """The primary and secondary heads' coefficients side by side: one sparse product gives both decisions."""
        heads = (self.primary, self.secondary)
        return LinearRuntime(
            {
                "classes": np.array([c for head in heads for c in head.classes]),
                "coef": np.vstack([head.coef for head in heads]),
                "intercept": np.concatenate([head.intercept for head in heads]),
            }
        )

    def feature_name(self, column: int) -> str:
        """A feature's name: its term, marked with its block when the block reads context (``section:学前``)."""
        index = int(np.searchsorted(self.offsets, column, side="right")) - 1
        block = self.blocks[index]
        term = block.feature_name(column - int(self.offsets[index]))
        return term if block.column == "text" else f"{block.column}:{term}"


def _blocks(columns: Columns) -> list[tuple[int, int]]:
    """``(start, stop)`` of consecutive rows holding at most ``_BATCH`` texts and about ``_BATCH_CHARS`` characters."""
    out, start, size = [], 0, 0
    for i, text in enumerate(columns.text):
        if i > start and (i - start >= _BATCH or size + len(text) > _BATCH_CHARS):
            out.append((start, i))
            start, size = i, 0
        size += len(text) + len(columns.section[i]) + len(columns.title[i])
    if start < len(columns):
        out.append((start, len(columns)))
    return out


def _part(arrays: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    return {key[len(prefix) :]: value for key, value in arrays.items() if key.startswith(prefix)}
