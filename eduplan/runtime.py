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

from .allocator import keep_freed_memory
from .records import Columns
from .tokens import _kept_form, mask_numbers, segment_each, segment_joined

__all__ = [
    "COMPACT_FORMAT",
    "CompactModel",
    "BlockRuntime",
    "NgramRuntime",
    "WordRuntime",
    "CharRuntime",
    "NgramTable",
    "LinearRuntime",
    "PrimaryRuntime",
    "SecondaryRuntime",
    "register_runtime",
    "runtime_from_arrays",
    "secondary_themes",
    "tfidf_csr",
    "empty_csr",
    "csr_rows",
    "row_keys",
    "key_shift",
    "prepare_function",
    "lower_text",
]

COMPACT_FORMAT = "eduplan-compact/3"
OLD_FORMATS = ("eduplan-compact/1", "eduplan-compact/2")
_WHITE_SPACES = re.compile(r"\s\s+")  # scikit-learn's char analyzer collapses these
# The code points ``\s`` matches (what str.isspace says), for finding runs of white space with numpy.
SPACE_CODES = (9, 10, 11, 12, 13, 28, 29, 30, 31, 32, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029)
SPACE_CODES += (0x202F, 0x205F, 0x3000)
_BATCH = 2000  # texts per block of the batch computation: bounds memory
_BATCH_CHARS = 400_000  # and characters per block: a few very long texts make a block of their own
_LARGE = 1000  # texts from which a batch has the allocator keep freed memory (see :mod:`eduplan.allocator`)


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


def key_shift(width: int) -> int:
    """Bits a block's (row, column) keys keep for the column: room for ``width`` columns plus "none" (0)."""
    return max(1, int(width).bit_length())


def row_keys(rows: np.ndarray, shift: int, n_rows: int) -> np.ndarray:
    """Each row number (below ``n_rows``) moved above the column bits (see :func:`tfidf_csr`): 32-bit keys where
    they fit, as they sort faster."""
    kind = np.uint32 if n_rows << shift <= 1 << 32 else np.uint64
    return rows.astype(kind) << kind(shift)


def empty_csr(n_rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(indptr, cols, values)`` of ``n_rows`` rows without a feature."""
    return np.zeros(n_rows + 1, dtype=np.intp), np.zeros(0, dtype=np.int32), np.zeros(0)


def tfidf_csr(
    keys: np.ndarray, shift: int, idf: np.ndarray, sublinear: bool, n_rows: int, weight: float = 1.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Count packed ``(row << shift) + column + 1`` keys and turn the counts into l2-normalised TF-IDF values
    (times the block's ``weight``): the CSR arrays ``(indptr, cols, values)`` of ``n_rows`` rows.

    The keys are counted with one sort (in place), which also leaves each row's columns in order.
    """
    if len(keys) == 0:
        return empty_csr(n_rows)
    keys.sort()
    new = np.empty(len(keys), dtype=bool)
    new[0] = True
    np.not_equal(keys[1:], keys[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    counts = np.diff(starts, append=len(keys))
    keys = keys[starts]
    kind = keys.dtype.type
    bounds = np.searchsorted(keys, np.arange(1, n_rows, dtype=keys.dtype) << kind(shift))  # where rows 1… start
    indptr = np.concatenate(([0], bounds, [len(keys)]))
    cols = (keys & kind((1 << shift) - 1)).astype(np.intp)  # (an intp index gathers fastest)
    cols -= 1
    data = idf[cols]
    repeated = np.flatnonzero(counts > 1)  # most terms occur once in a text: their factor is 1
    data[repeated] *= np.log(counts[repeated]) + 1.0 if sublinear else counts[repeated]
    sizes = np.diff(indptr)
    filled = np.flatnonzero(sizes)
    norms = np.sqrt(np.add.reduceat(data * data, indptr[filled]))
    data /= np.repeat(norms, sizes[filled])
    return indptr, cols.astype(np.int32), (data * weight if weight != 1.0 else data)  # int32: what scipy takes


def csr_rows(indptr: np.ndarray) -> np.ndarray:
    """The row of each entry of CSR arrays."""
    return np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))


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
        # column + 1 of each id, the last id ("none") finding 0; unsigned, so it adds to row keys as it is
        self._found = [np.append(c + 1, 0).astype(np.uint32) for c in columns]
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
        """``(first, second, table)`` of a level: ``table[first[prefix id] + second[symbol]]`` is the gram's id, or,
        at the top level, its column + 1 (0: none)."""
        if level not in self._dense:
            keys = self.keys[level - 1]
            radix = self.n_symbols + 1
            prefixes, lasts = np.unique(keys // radix), np.unique(keys % radix)
            stride = len(lasts) + 1
            if (len(prefixes) + 1) * stride > _DENSE_ENTRIES:
                self._dense[level] = None
            else:
                first = np.full(len(self.keys[level - 2]) + 1, len(prefixes) * stride, dtype=np.intp)
                first[prefixes] = np.arange(len(prefixes)) * stride
                second = np.full(radix, len(lasts), dtype=np.intp)
                second[lasts] = np.arange(len(lasts))
                values = np.arange(len(keys))
                if level == self.high:  # the last level: straight to the column
                    values = self._found[level - 1][values]
                limit = max(len(keys), int(values.max(initial=0))) + 1
                kind = np.uint16 if limit < 2**16 else np.uint32
                table = np.full((len(prefixes) + 1) * stride, 0 if level == self.high else len(keys), dtype=kind)
                table[first[keys // radix] + second[keys % radix]] = values
                self._dense[level] = (first, second, table)
        return self._dense[level]

    def prepare(self) -> None:
        """Build every level's dense table now rather than on the first large lookup."""
        for level in range(2, self.high + 1):
            self._dense_table(level)

    def found(self, symbols: np.ndarray):
        """For each level from ``low`` to ``high``: the column + 1 of the gram of that length starting at each
        position (0: not in the vocabulary) in a sequence of symbol ids (``n_symbols``: unknown, or a break
        between texts)."""
        ids = symbols
        for level in range(1, self.high + 1):
            dense = None
            if level >= 2:
                if len(ids) < 2 or not len(self.keys[level - 1]):
                    return
                previous, last = ids[:-1], symbols[level - 1 :]
                dense = self._dense_table(level) if len(previous) >= _DENSE_FROM else None
                if dense is not None:
                    first, second, table = dense
                    ids = table[first[previous] + second[last]]
                    if level < self.high:  # ids index the next tables: an intp index gathers fastest
                        ids = ids.astype(np.intp)
                else:
                    keys = self.keys[level - 1]
                    query = previous * (self.n_symbols + 1) + last
                    rank = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
                    ids = np.where(keys[rank] == query, rank, len(keys))
            if level >= self.low:
                yield ids if dense is not None and level == self.high else self._found[level - 1][ids]

    def lookup(self, symbols: np.ndarray, keys: np.ndarray) -> np.ndarray:
        """The key of every vocabulary n-gram found in ``symbols``: its position's entry of ``keys`` plus its
        column + 1 (with ``keys`` from :func:`row_keys`, what :func:`tfidf_csr` counts)."""
        out = []
        for found in self.found(symbols):
            hit = np.flatnonzero(found)
            out.append(keys[hit] + found[hit])
        return np.concatenate(out) if out else keys[:0]


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
        self.shift = key_shift(self.width)

    @cached_property
    def terms(self) -> list[str]:
        """The block's terms, one per column (made on first use: classifying needs only the saved tables)."""
        return [str(t) for t in self.arrays["terms"]]

    def transform(self, columns: Columns, stats: dict | None = None):
        """The block's l2-normalised TF-IDF for already-normalised ``columns``, as CSR arrays ``(indptr, cols,
        values)``, each row's columns in order."""
        raise NotImplementedError

    def tables(self) -> dict[str, np.ndarray]:
        """Arrays the runtime derived from its terms, saved with the model so that loading skips the work."""
        return {}

    def prepare(self) -> None:
        """Build now what the first large batch would build (a pool's workers do it before their first chunk)."""

    def feature_name(self, column: int) -> str:
        return self.terms[column]


class NgramRuntime(BlockRuntime):
    """A block whose terms are n-grams of symbols, found through an :class:`NgramTable` (``self.table``)."""

    table: NgramTable

    def prepare(self) -> None:
        self.table.prepare()

    def _tfidf(self, symbols: np.ndarray, keys: np.ndarray, n_rows: int):
        """The block's weighted, l2-normalised TF-IDF of its terms found in ``symbols`` (each position's row key,
        from :func:`row_keys`, in ``keys``)."""
        return tfidf_csr(self.table.lookup(symbols, keys), self.shift, self.idf, self.sublinear, n_rows, self.weight)


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


class WordRuntime(NgramRuntime):
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
        super().prepare()
        segment_joined(["加载词典"])  # the segmenter builds its dictionary on first use

    def _code_array(self, tokens: list[str]) -> np.ndarray:
        return np.fromiter(map(self._codes.__getitem__, tokens), np.intp, len(tokens))

    def transform(self, columns: Columns, stats: dict | None = None):
        texts = columns.prepared(self.column, self.mask_digits)
        n = len(texts)
        if not n:
            return empty_csr(0)
        codes = self._code_array(segment_joined(texts))
        breaks = codes == -2
        if np.count_nonzero(breaks) != n - 1:  # the segmenter merged a break between texts with other characters
            codes = self._code_array(segment_each(texts))
            breaks = codes == -2
        rows = np.cumsum(breaks, dtype=np.int32)
        kept = np.flatnonzero(codes != -1)
        codes, rows = codes[kept], rows[kept]
        unknown = self.table.n_symbols
        codes[codes == -2] = 2 * unknown  # the break between two texts: no n-gram spans it
        symbols, long = codes >> 1, (codes & 1).astype(bool)
        if stats is not None:
            stats["known"] = np.bincount(rows[long & (symbols < unknown)], minlength=n)
            stats["total"] = np.bincount(rows[long], minlength=n)
        return self._tfidf(symbols, row_keys(rows, self.shift, n), n)


class CharRuntime(NgramRuntime):
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
        unknown = self.table.n_symbols  # code points past the table (its last entry) are unknown and not space
        size = max(len(symbol_of_code), SPACE_CODES[-1] + 1) + 1
        self._symbols = np.full(size, unknown, dtype=np.intp)
        self._symbols[: len(symbol_of_code)] = np.where(symbol_of_code < 0, unknown, symbol_of_code)
        self._space = np.zeros(size, dtype=bool)
        self._space[list(SPACE_CODES)] = True

    def tables(self) -> dict[str, np.ndarray]:
        return {"symbol_of_code": self.symbol_of_code.astype(np.int32), **self.table.arrays()}

    def _code_index(self, texts: list[str]) -> np.ndarray:
        """Each character of the texts (a NUL after each but the last) as an index into the code point tables."""
        codes = np.frombuffer("\x00".join(texts).encode("utf-32-le"), dtype=np.uint32)
        return np.minimum(codes, len(self._symbols) - 1).astype(np.intp)

    def transform(self, columns: Columns, stats: dict | None = None):
        texts = columns.prepared(self.column, self.mask_digits)
        n = len(texts)
        if not n:
            return empty_csr(0)
        index = self._code_index(texts)
        space = self._space[index]
        if (space[1:] & space[:-1]).any():  # runs of white space: one space each, as scikit-learn's analyzer
            texts = _collapse_spaces(texts)
            index = self._code_index(texts)
        symbols = self._symbols[index]
        lengths = np.fromiter(map(len, texts), np.intp, n) + 1  # each text and the break after it
        ends = np.cumsum(lengths)
        symbols[ends[:-1] - 1] = self.table.n_symbols  # the breaks: no n-gram spans two texts
        keys = np.repeat(row_keys(np.arange(n), self.shift, n), lengths)[: len(symbols)]
        return self._tfidf(symbols, keys, n)


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
        """Build the lookup tables, the segmenter's dictionary and the heads' product layout now, and import the
        sparse product (what a pool's worker does before its first chunk)."""
        import scipy.sparse  # noqa: F401 - what large batches multiply with

        for block in self.blocks:
            block.prepare()
        (self._both if self.secondary is not None else self.primary).coef_t()

    def _parts(self, columns: Columns, stats: dict):
        """Each block's ``(offset, indptr, cols, values)`` (CSR arrays) for normalised records (``stats`` gets the
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
        rows = np.concatenate([csr_rows(indptr) for _, indptr, _, _ in parts])
        cols = np.concatenate([cols + offset for offset, _, cols, _ in parts])
        return rows, cols, np.concatenate([data for _, _, _, data in parts]), known, total

    @staticmethod
    def _decision(n: int, parts: list, head) -> np.ndarray:
        """Linear decision values of a head, one row per text, summed block by block: numpy alone for small
        batches, scipy's sparse product (on the blocks' own CSR arrays) for large."""
        out = np.tile(head.intercept, (n, 1))
        for offset, indptr, cols, data in parts:
            if not len(data):
                continue
            if n <= 64:
                rows = csr_rows(indptr)
                for k in range(head.coef.shape[0]):
                    out[:, k] += np.bincount(rows, weights=head.coef[k, cols + offset] * data, minlength=n)
                continue
            from scipy.sparse import csr_matrix

            coef = head.coef_t()[offset:]  # a view: the block's columns start here
            out += csr_matrix((data, cols, indptr), shape=(n, len(coef))) @ coef
        return out

    def analyze(self, columns: Columns, secondary: bool = True):
        """``(primary, covered, known, total)`` for normalised records: primary probabilities (columns:
        :attr:`classes`), secondary covering probabilities (columns: ``secondary.classes``, or ``None``)."""
        n = len(columns)
        if n >= _LARGE:
            keep_freed_memory()
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
    """``(start, stop)`` of consecutive rows holding at most ``_BATCH`` texts and about ``_BATCH_CHARS`` characters
    (a row whose text would pass the limit starts a new block)."""
    n = len(columns)
    sizes = np.fromiter(map(len, columns.text), np.int64, n)
    before = np.cumsum(sizes) - sizes  # characters (context included) of the rows before each row
    for context in (columns.section, columns.title):
        if any(context):
            extra = np.fromiter(map(len, context), np.int64, n)
            before += np.cumsum(extra) - extra
    reach = before + sizes  # non-decreasing: where a block starting earlier passes the limit
    out, start = [], 0
    while start < n:
        over = int(np.searchsorted(reach, before[start] + _BATCH_CHARS, side="right"))
        stop = min(max(over, start + 1), start + _BATCH, n)
        out.append((start, stop))
        start = stop
    return out


def _part(arrays: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    return {key[len(prefix) :]: value for key, value in arrays.items() if key.startswith(prefix)}
