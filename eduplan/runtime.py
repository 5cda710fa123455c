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
    "HashTable",
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
    """Count (row, column) pairs and turn the counts into l2-normalised TF-IDF values (times the block's ``weight``)."""
    if len(rows) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    packed = rows.astype(np.int64) * width + cols
    if n_rows * width < 2**32:  # smaller keys sort faster
        packed = packed.astype(np.uint32)
    keys, counts = np.unique(packed, return_counts=True)
    keys = keys.astype(np.int64)
    rows, cols = keys // width, keys % width
    data = counts.astype(np.float64)
    if sublinear:
        data = np.log(data) + 1.0
    data *= idf[cols]
    norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=n_rows))
    data = data / np.where(norms == 0, 1.0, norms)[rows]
    return rows, cols, (data * weight if weight != 1.0 else data)


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


class HashTable:
    """A map from non-negative integer keys to integer values, looked up for whole arrays at once.

    Open addressing with linear probing over a power-of-two table at most half full: a lookup is one
    multiply-shift hash and one or two gathers per key, where a binary search over sorted keys takes twenty.
    """

    def __init__(self, keys: np.ndarray, values: np.ndarray):
        bits = max(4, int(np.ceil(np.log2(max(1, 2 * len(keys))))))
        self.shift = np.uint64(64 - bits)
        self.mask = (1 << bits) - 1
        self.keys = np.full(1 << bits, -1, dtype=np.int64)
        self.values = np.full(1 << bits, -1, dtype=np.int64)
        keys = np.asarray(keys, dtype=np.int64)
        values = np.asarray(values, dtype=np.int64)
        slots = self._slots(keys)
        pending = np.arange(len(keys))
        self.probes = 0
        while len(pending):
            self.probes += 1
            free = self.keys[slots[pending]] == -1
            candidates = pending[free]
            taken, first = np.unique(slots[candidates], return_index=True)
            chosen = candidates[first]
            self.keys[taken] = keys[chosen]
            self.values[taken] = values[chosen]
            placed = np.zeros(len(keys), dtype=bool)
            placed[chosen] = True
            pending = pending[~placed[pending]]
            slots[pending] = (slots[pending] + 1) & self.mask

    @classmethod
    def from_arrays(cls, keys: np.ndarray, values: np.ndarray, probes: int) -> HashTable:
        """A table saved with :meth:`arrays` (no rebuilding)."""
        table = cls.__new__(cls)
        bits = int(np.log2(len(keys)))
        table.shift, table.mask, table.probes = np.uint64(64 - bits), (1 << bits) - 1, int(probes)
        table.keys, table.values = keys, values
        return table

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.keys, self.values, np.array(self.probes)

    def _slots(self, keys: np.ndarray) -> np.ndarray:
        return ((keys.astype(np.uint64) * _GOLDEN) >> self.shift).astype(np.int64)

    def get(self, keys: np.ndarray) -> np.ndarray:
        """The value of each key, or -1 where the key is not in the table."""
        slots = self._slots(keys)
        out = np.full(len(keys), -1, dtype=np.int64)
        todo = np.arange(len(keys))
        for _ in range(self.probes):
            found = self.keys[slots]
            hit = found == keys
            out[todo[hit]] = self.values[slots[hit]]
            more = ~hit & (found != -1)
            if not more.any():
                break
            todo, keys, slots = todo[more], keys[more], (slots[more] + 1) & self.mask
        return out


class NgramTable:
    """The vocabulary's n-grams over symbol ids, looked up level by level in hash tables of integer keys.

    Level 1 ids are the symbol ids; an n-gram's id at level k comes from its
    (k-1)-prefix id and its last symbol. Every prefix of a vocabulary n-gram has
    an id, so an n-gram is looked up only where its prefix is known.
    """

    def __init__(self, grams: list[tuple[int, ...]], n_symbols: int, ngram_range: tuple[int, int]):
        self.low, self.high = ngram_range
        self.n_symbols = n_symbols
        self.columns = [np.full(n_symbols, -1, dtype=np.int64)]  # per level: gram id -> column (-1: prefix only)
        self.tables: list[HashTable | None] = [None]
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
            self.tables.append(HashTable(keys, np.arange(len(known), dtype=np.int64)))
            level_columns = np.full(len(known), -1, dtype=np.int64)
            prefix_ids.append(known)
            self.columns.append(level_columns)
        for column, gram in enumerate(grams):
            if len(gram) >= 2:
                self.columns[len(gram) - 1][prefix_ids[len(gram) - 1][gram]] = column

    def arrays(self) -> dict[str, np.ndarray]:
        """The table as arrays, so that loading a model does not rebuild it."""
        out = {"ngram.shape": np.array([self.n_symbols, self.low, self.high])}
        for level, columns in enumerate(self.columns, start=1):
            out[f"ngram.columns{level}"] = columns
            if level >= 2:
                keys, values, probes = self.tables[level - 1].arrays()
                out.update({f"ngram.keys{level}": keys, f"ngram.values{level}": values, f"ngram.probes{level}": probes})
        return out

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> NgramTable:
        table = cls.__new__(cls)
        table.n_symbols, table.low, table.high = (int(v) for v in arrays["ngram.shape"])
        table.columns = [arrays[f"ngram.columns{level}"] for level in range(1, table.high + 1)]
        table.tables = [None] + [
            HashTable.from_arrays(
                arrays[f"ngram.keys{level}"], arrays[f"ngram.values{level}"], int(arrays[f"ngram.probes{level}"])
            )
            for level in range(2, table.high + 1)
        ]
        return table

    def lookup(self, symbols: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rows and columns of every vocabulary n-gram in sequences of symbol ids (-1: unknown symbol)."""
        found_rows, found_cols = [], []
        current = symbols
        for level in range(1, self.high + 1):
            if level >= 2:
                size = len(symbols) - level + 1
                if size <= 0 or len(self.columns[level - 1]) == 0:
                    break
                head, last = current[:size], symbols[level - 1 :]
                ok = np.flatnonzero((head >= 0) & (last >= 0) & (rows[:size] == rows[level - 1 :]))
                current = np.full(size, -1, dtype=np.int64)
                current[ok] = self.tables[level - 1].get(head[ok] * self.n_symbols + last[ok])
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
        self.mask_digits = bool(arrays["mask_digits"])
        self.weight = float(arrays["weight"]) if "weight" in arrays else 1.0
        self.width = len(self.terms)

    def transform(self, columns: Columns, stats: dict | None = None):
        """``(rows, cols, values)`` of the block's l2-normalised TF-IDF for already-normalised ``columns``."""
        raise NotImplementedError

    def tables(self) -> dict[str, np.ndarray]:
        """Arrays the runtime derived from its terms, saved with the model so that loading skips the work."""
        return {}

    def _tfidf(self, rows: np.ndarray, cols: np.ndarray, n_rows: int):
        """The block's weighted, l2-normalised TF-IDF of the (row, column) pairs its terms were found at."""
        return tfidf_rows(rows, cols, max(1, self.width), self.idf, self.sublinear, n_rows, self.weight)

    def feature_name(self, column: int) -> str:
        return self.terms[column]


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
        self._codes: dict[str, int] = {}  # raw token -> code, see _code

    def tables(self) -> dict[str, np.ndarray]:
        return {"symbols": np.array(list(self.symbol_of), dtype=str), **self.table.arrays()}

    def _code(self, token: str) -> int:
        """``(symbol + 2) * 2 + long`` of a raw token (0: dropped, as punctuation; symbol -1: unknown word)."""
        form = _kept_form(token)
        if not form:
            return 0
        return (self.symbol_of.get(form, -1) + 2) * 2 + (len(form) >= 2)

    def transform(self, columns: Columns, stats: dict | None = None):
        texts = columns.prepared(self.column, self.mask_digits)
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
        return self._tfidf(*self.table.lookup(symbols, rows), n)


class CharRuntime(BlockRuntime):
    """Runtime of :class:`CharBlock`: code points of a whole batch at once, then vocabulary n-grams."""

    kind = "chars"

    def __init__(self, arrays: dict[str, np.ndarray]):
        super().__init__(arrays)
        if "symbol_of_code" in arrays:  # saved with the model
            self.symbol_of_code = arrays["symbol_of_code"].astype(np.int64)
            self.table = NgramTable.from_arrays(arrays)
            return
        chars = sorted({ch for term in self.terms for ch in term})
        size = max((ord(ch) for ch in chars), default=0) + 1
        self.symbol_of_code = np.full(size, -1, dtype=np.int64)
        for symbol, ch in enumerate(chars):
            self.symbol_of_code[ord(ch)] = symbol
        grams = [tuple(int(self.symbol_of_code[ord(ch)]) for ch in term) for term in self.terms]
        self.table = NgramTable(grams, max(1, len(chars)), self.ngram_range)

    def tables(self) -> dict[str, np.ndarray]:
        return {"symbol_of_code": self.symbol_of_code.astype(np.int32), **self.table.arrays()}

    def transform(self, columns: Columns, stats: dict | None = None):
        texts = _collapse_spaces(columns.prepared(self.column, self.mask_digits))
        n = len(texts)
        lengths = np.fromiter(map(len, texts), np.int64, n)
        codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        rows = np.repeat(np.arange(n, dtype=np.int64), lengths)
        table = self.symbol_of_code
        symbols = np.full(len(codes), -1, dtype=np.int64)
        inside = codes < len(table)
        symbols[inside] = table[codes[inside]]
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

    def features(self, columns: Columns):
        """``(rows, cols, values, known, total)``: the sparse features of normalised records, and each text's
        words of two characters or more that the model knows, and all of them (for the out-of-scope decision)."""
        n = len(columns)
        parts_rows, parts_cols, parts_data = [], [], []
        stats: dict = {}
        for index, (block, offset) in enumerate(zip(self.blocks, self.offsets)):
            if index != self._scope and not any(columns.get(block.column)):
                continue  # no context given: the block adds nothing
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

        order = np.argsort(rows, kind="stable")  # the blocks' runs are sorted by row already: a cheap merge
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
        matrix = csr_matrix((data[order], cols[order], indptr), shape=(n, coef.shape[1]))
        return out + np.asarray(matrix @ coef.T)

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
            rows, cols, data, known[start:stop], total[start:stop] = self.features(columns.take(range(start, stop)))
            size = stop - start
            head = self.primary
            proba[start:stop] = head.proba(self._decision(size, rows, cols, data, head.coef, head.intercept))
            if secondary:
                head = self.secondary
                covered[start:stop] = head.proba(self._decision(size, rows, cols, data, head.coef, head.intercept))
        return proba, covered, known, total

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
