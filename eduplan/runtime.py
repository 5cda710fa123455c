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
    "PrimaryRuntime",
    "SecondaryRuntime",
    "register_runtime",
    "runtime_from_arrays",
    "secondary_themes",
    "tfidf_rows",
    "prepare_function",
    "lower_text",
]

COMPACT_FORMAT = "eduplan-compact/2"
OLD_FORMATS = ("eduplan-compact/1",)
_WHITE_SPACES = re.compile(r"\s\s+")  # scikit-learn's char analyzer collapses these
_BATCH = 2000  # texts per block of the batch computation: bounds memory


def lower_text(text: str) -> str:
    """Lower-case ``text`` (the preprocessing of a block that keeps numbers)."""
    return text.lower()


def prepare_function(mask_digits: bool):
    """The preprocessing of a block: lower-case, and numbers masked to ``0`` when ``mask_digits``."""
    return mask_numbers if mask_digits else lower_text




def tfidf_rows(
    rows: np.ndarray, cols: np.ndarray, width: int, idf: np.ndarray, sublinear: bool, n_rows: int, weight: float = 1.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Count (row, column) pairs and turn the counts into l2-normalised TF-IDF values (times the block's ``weight``)."""
    if len(rows) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    keys, counts = np.unique(rows.astype(np.int64) * width + cols, return_counts=True)
    rows, cols = keys // width, keys % width
    data = counts.astype(np.float64)
    if sublinear:
        data = np.log(data) + 1.0
    data *= idf[cols]
    norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=n_rows))
    data = data / np.where(norms == 0, 1.0, norms)[rows]
    return rows, cols, (data * weight if weight != 1.0 else data)


class NgramTable:
    """The vocabulary's n-grams over symbol ids, looked up level by level with sorted integer keys.

    Level 1 ids are the symbol ids; an n-gram's id at level k comes from its
    (k-1)-prefix id and its last symbol. Every prefix of a vocabulary n-gram has
    an id, so an n-gram is looked up only where its prefix is known.
    """

    def __init__(self, grams: list[tuple[int, ...]], n_symbols: int, ngram_range: tuple[int, int]):
        self.low, self.high = ngram_range
        self.n_symbols = n_symbols
        self.columns = [np.full(n_symbols, -1, dtype=np.int64)]  # per level: gram id -> column (-1: prefix only)
        self.keys: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
        self.ids: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
        prefix_ids: list[dict[tuple[int, ...], int]] = [{}]
        for column, gram in enumerate(grams):
            if len(gram) == 1:
                self.columns[0][gram[0]] = column
        for level in range(2, self.high + 1):
            known: dict[tuple[int, ...], int] = {}
            for gram in grams:
                if len(gram) >= level:
                    known.setdefault(gram[:level], len(known))
            previous = prefix_ids[-1]
            keys = np.empty(len(known), dtype=np.int64)
            for prefix, gram_id in known.items():
                head = prefix[0] if level == 2 else previous[prefix[:-1]]
                keys[gram_id] = head * n_symbols + prefix[-1]
            order = np.argsort(keys)
            self.keys.append(keys[order])
            self.ids.append(np.arange(len(known), dtype=np.int64)[order])
            level_columns = np.full(len(known), -1, dtype=np.int64)
            prefix_ids.append(known)
            self.columns.append(level_columns)
        for column, gram in enumerate(grams):
            if len(gram) >= 2:
                self.columns[len(gram) - 1][prefix_ids[len(gram) - 1][gram]] = column

    def lookup(self, symbols: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rows and columns of every vocabulary n-gram in sequences of symbol ids (-1: unknown symbol)."""
        found_rows, found_cols = [], []
        current = symbols
        for level in range(1, self.high + 1):
            if level >= 2:
                size = len(symbols) - level + 1
                if size <= 0 or not len(self.keys[level - 1]):
                    break
                head, last = current[:size], symbols[level - 1 :]
                ok = np.flatnonzero((head >= 0) & (last >= 0) & (rows[:size] == rows[level - 1 :]))
                keys = head[ok] * self.n_symbols + last[ok]
                table = self.keys[level - 1]
                pos = np.searchsorted(table, keys)
                pos[pos == len(table)] = 0
                hit = table[pos] == keys
                current = np.full(size, -1, dtype=np.int64)
                current[ok[hit]] = self.ids[level - 1][pos[hit]]
            if level >= self.low:
                known = np.flatnonzero(current >= 0)
                cols = self.columns[level - 1][current[known]]
                keep = cols >= 0
                found_rows.append(rows[known[keep]])
                found_cols.append(cols[keep])
        if not found_rows:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(found_rows), np.concatenate(found_cols)


class BlockRuntime:
    """Computes a block's features from its exported arrays (numpy only, no scikit-learn, no pickle)."""

    kind = ""

    def __init__(self, arrays: dict[str, np.ndarray]):
        self.arrays = arrays
        self.column = str(arrays["column"])
        self.terms = [str(t) for t in arrays["terms"]]
        self.idf = np.asarray(arrays["idf"], dtype=np.float64)
        self.ngram_range = tuple(int(v) for v in arrays["ngram_range"])
        self.sublinear = bool(arrays["sublinear"])
        self.prepare = prepare_function(bool(arrays["mask_digits"]))
        self.weight = float(arrays["weight"]) if "weight" in arrays else 1.0
        self.width = len(self.terms)

    def transform(self, columns: Columns, stats: dict | None = None):
        """``(rows, cols, values)`` of the block's l2-normalised TF-IDF for already-normalised ``columns``."""
        raise NotImplementedError

    def feature_name(self, column: int) -> str:
        return self.terms[column]


class WordRuntime(BlockRuntime):
    """Runtime of :class:`WordBlock`: rjieba tokens of a whole batch at once, then vocabulary n-grams."""

    kind = "words"

    def __init__(self, arrays: dict[str, np.ndarray]):
        super().__init__(arrays)
        symbol_of: dict[str, int] = {}
        grams = []
        for term in self.terms:
            gram = tuple(symbol_of.setdefault(word, len(symbol_of)) for word in term.split(" "))
            grams.append(gram)
        self.symbol_of = symbol_of
        self.table = NgramTable(grams, max(1, len(symbol_of)), self.ngram_range)
        self._codes: dict[str, int] = {}  # raw token -> code, see _code

    def _code(self, token: str) -> int:
        """``(symbol + 2) * 2 + long`` of a raw token (0: dropped, as punctuation; symbol -1: unknown word)."""
        form = _kept_form(token)
        if not form:
            return 0
        return (self.symbol_of.get(form, -1) + 2) * 2 + (len(form) >= 2)

    def transform(self, columns: Columns, stats: dict | None = None):
        texts = [self.prepare(t) for t in columns.get(self.column)]
        n = len(texts)
        if not n:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
        raw = segment_joined(texts)
        cache = self._codes
        values = list(map(cache.get, raw))
        if None in values:
            for token in set(raw).difference(cache):
                cache[token] = -1 if token == "\n" else self._code(token)
            values = list(map(cache.get, raw))
        codes = np.fromiter(values, np.int64, len(values))
        boundary = codes == -1
        rows = np.cumsum(boundary)
        keep = codes >= 2
        codes, rows = codes[keep], rows[keep]
        symbols, long = (codes >> 1) - 2, (codes & 1).astype(bool)
        if stats is not None:
            stats["known"] = np.bincount(rows[long & (symbols >= 0)], minlength=n)
            stats["total"] = np.bincount(rows[long], minlength=n)
        found_rows, found_cols = self.table.lookup(symbols, rows)
        return tfidf_rows(found_rows, found_cols, max(1, self.width), self.idf, self.sublinear, n, self.weight)


class CharRuntime(BlockRuntime):
    """Runtime of :class:`CharBlock`: code points of a whole batch at once, then vocabulary n-grams."""

    kind = "chars"

    def __init__(self, arrays: dict[str, np.ndarray]):
        super().__init__(arrays)
        chars = sorted({ch for term in self.terms for ch in term})
        size = max((ord(ch) for ch in chars), default=0) + 1
        self.symbol_of_code = np.full(size, -1, dtype=np.int64)
        for symbol, ch in enumerate(chars):
            self.symbol_of_code[ord(ch)] = symbol
        grams = [tuple(int(self.symbol_of_code[ord(ch)]) for ch in term) for term in self.terms]
        self.table = NgramTable(grams, max(1, len(chars)), self.ngram_range)

    def transform(self, columns: Columns, stats: dict | None = None):
        texts = [_WHITE_SPACES.sub(" ", self.prepare(t)) for t in columns.get(self.column)]
        n = len(texts)
        lengths = np.fromiter(map(len, texts), np.int64, n)
        codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        rows = np.repeat(np.arange(n, dtype=np.int64), lengths)
        table = self.symbol_of_code
        symbols = np.full(len(codes), -1, dtype=np.int64)
        inside = codes < len(table)
        symbols[inside] = table[codes[inside]]
        found_rows, found_cols = self.table.lookup(symbols, rows)
        return tfidf_rows(found_rows, found_cols, max(1, self.width), self.idf, self.sublinear, n)



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



class PrimaryRuntime:
    """The primary head from its arrays: SVM decision values, then the sigmoid calibration scikit-learn applies."""

    def __init__(self, arrays: dict[str, np.ndarray]):
        self.classes = [str(c) for c in arrays["classes"]]
        self.coef = np.asarray(arrays["coef"], dtype=np.float64)
        self.intercept = np.asarray(arrays["intercept"], dtype=np.float64)
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


class SecondaryRuntime:
    """The secondary head from its arrays: one logistic probability per theme."""

    def __init__(self, arrays: dict[str, np.ndarray]):
        self.classes = [str(c) for c in arrays["classes"]]
        self.coef = np.asarray(arrays["coef"], dtype=np.float64)
        self.intercept = np.asarray(arrays["intercept"], dtype=np.float64)
        self.threshold = float(arrays["threshold"])

    def proba(self, decision: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-decision))


def secondary_themes(
    covered: np.ndarray, classes: list[str], primary: list[str], threshold: float, limit: int = 3
) -> list[list[str]]:
    """For each row, the themes (other than its primary) whose covering probability reaches ``threshold``, most probable first."""
    out: list[list[str]] = []
    order = np.argsort(-covered, axis=1, kind="stable")
    for i, main in enumerate(primary):
        themes = [classes[j] for j in order[i] if covered[i, j] >= threshold and classes[j] != main]
        out.append(themes[:limit])
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
            arrays.update({f"block.{name}.{key}": value for key, value in part.items()})
        arrays.update({f"primary.{key}": value for key, value in primary.items()})
        if secondary is not None:
            arrays.update({f"secondary.{key}": value for key, value in secondary.items()})
        return cls(arrays)

    @property
    def width(self) -> int:
        return int(self.offsets[-1])

    def features(self, columns: Columns):
        """``(rows, cols, values, known, total)``: the sparse features of normalised records, and each text's
        words of two characters or more that the model knows, and all of them (for the out-of-scope decision)."""
        n = len(columns)
        parts_rows, parts_cols, parts_data = [], [], []
        stats: dict = {}
        for index, (block, offset) in enumerate(zip(self.blocks, self.offsets)):
            rows, cols, data = block.transform(columns, stats if index == self._scope else None)
            parts_rows.append(rows)
            parts_cols.append(cols + offset)
            parts_data.append(data)
        known = stats.get("known", np.zeros(n, dtype=np.int64))
        total = stats.get("total", np.zeros(n, dtype=np.int64))
        return np.concatenate(parts_rows), np.concatenate(parts_cols), np.concatenate(parts_data), known, total

    def _decision(self, n: int, rows, cols, data, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
        """Linear decision values, one row per text: numpy alone for small batches, scipy's sparse product for large."""
        out = np.tile(intercept, (n, 1))
        if len(data) == 0:
            return out
        if n <= 64:
            for k in range(coef.shape[0]):
                out[:, k] += np.bincount(rows, weights=coef[k, cols] * data, minlength=n)
            return out
        from scipy.sparse import csr_matrix

        matrix = csr_matrix((data, (rows, cols)), shape=(n, coef.shape[1]))
        return out + np.asarray(matrix @ coef.T)

    def analyze(self, columns: Columns):
        """``(primary, covered, known, total)`` for normalised records: primary probabilities (columns:
        :attr:`classes`), secondary covering probabilities (columns: ``secondary.classes``, or ``None``)."""
        n = len(columns)
        proba = np.empty((n, len(self.classes)))
        covered = np.empty((n, len(self.secondary.classes))) if self.secondary else None
        known = np.zeros(n, dtype=np.int64)
        total = np.zeros(n, dtype=np.int64)
        for start in range(0, n, _BATCH):
            stop = min(start + _BATCH, n)
            rows, cols, data, known[start:stop], total[start:stop] = self.features(columns.take(range(start, stop)))
            size = stop - start
            head = self.primary
            proba[start:stop] = head.proba(self._decision(size, rows, cols, data, head.coef, head.intercept))
            if self.secondary is not None:
                head = self.secondary
                covered[start:stop] = head.proba(self._decision(size, rows, cols, data, head.coef, head.intercept))
        return proba, covered, known, total

    def feature_name(self, column: int) -> str:
        """A feature's name: its term, marked with its block when the block reads context (``section:学前``)."""
        index = int(np.searchsorted(self.offsets, column, side="right")) - 1
        block = self.blocks[index]
        term = block.feature_name(column - int(self.offsets[index]))
        return term if block.column == "text" else f"{block.column}:{term}"


def _part(arrays: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    return {key[len(prefix) :]: value for key, value in arrays.items() if key.startswith(prefix)}
