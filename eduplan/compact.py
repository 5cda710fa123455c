"""A trained pipeline as plain arrays: the same probabilities without scikit-learn or pickle.

Training produces a scikit-learn ``Pipeline`` (normalise → TF-IDF of words and
character n-grams → linear SVM → sigmoid calibration). For classifying,
:class:`CompactModel` holds what that pipeline computes with — vocabularies,
idf weights, SVM coefficients and calibration parameters — in one ``.npz``
file, loaded with ``allow_pickle=False`` (no code runs) and evaluated with
numpy alone. A test checks that its probabilities equal the pipeline's.

Character n-grams are found for a whole batch at once: every text becomes an
array of code points, an n-gram a 63-bit integer key, and the vocabulary a
sorted array of keys searched with ``np.searchsorted``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from .normalizer import normalize_many
from .tokens import _kept_form, mask_many, mask_numbers, segment_joined

__all__ = ["CompactModel", "COMPACT_FORMAT"]

COMPACT_FORMAT = "eduplan-compact/1"
_WHITE_SPACES = re.compile(r"\s\s+")  # scikit-learn's char analyzer collapses these
_SEPARATOR = "\x00"
_BATCH = 2000  # texts per block, bounds memory of the batch computation


def _char_keys(codes: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Integer keys of all n-grams of a code-point array, and whether each lies within one text."""
    keys = np.zeros(len(codes) - n + 1, dtype=np.uint64)
    valid = np.ones(len(keys), dtype=bool)
    for offset in range(n):
        part = codes[offset : offset + len(keys)]
        keys = (keys << np.uint64(21)) | part
        valid &= part != 0
    return keys, valid


def _term_keys(terms: list[str]) -> np.ndarray:
    keys = np.zeros(len(terms), dtype=np.uint64)
    for i, term in enumerate(terms):
        key = 0
        for ch in term:
            key = (key << 21) | ord(ch)
        keys[i] = key
    return keys


class CompactModel:
    """Numpy-only runtime of a trained eduplan pipeline (see the module docstring)."""

    def __init__(self, arrays: dict[str, np.ndarray]):
        self.arrays = arrays
        self.classes = [str(c) for c in arrays["classes"]]
        self.coef = arrays["coef"]
        self.intercept = arrays["intercept"]
        self.calib_a = arrays["calib_a"]
        self.calib_b = arrays["calib_b"]
        self.mask_digits = bool(arrays["mask_digits"])
        self.sublinear = bool(arrays["sublinear"])
        self.word_ngrams = tuple(int(v) for v in arrays["word_ngrams"])
        self.char_ngrams = tuple(int(v) for v in arrays["char_ngrams"])
        self.word_terms = [str(t) for t in arrays["word_terms"]]
        self.word_idf = arrays["word_idf"]
        self.char_terms = [str(t) for t in arrays["char_terms"]]
        self.char_idf = arrays["char_idf"]
        self.word_index = {term: i for i, term in enumerate(self.word_terms)}
        keys = _term_keys(self.char_terms)
        order = np.argsort(keys)
        self._char_sorted_keys = keys[order]
        self._char_sorted_cols = order
        self.n_words = len(self.word_terms)
        bigram_keys, bigram_cols = [], []
        for column, term in enumerate(self.word_terms):
            first, sep, second = term.partition(" ")
            if sep and first in self.word_index and second in self.word_index:
                bigram_keys.append(self.word_index[first] * self.n_words + self.word_index[second])
                bigram_cols.append(column)
        order = np.argsort(np.asarray(bigram_keys, dtype=np.int64))
        self._bigram_keys = np.asarray(bigram_keys, dtype=np.int64)[order]
        self._bigram_cols = np.asarray(bigram_cols, dtype=np.int64)[order]
        self._codes: dict[str, int] = {}  # raw token → code, see _token_code
        self._indexes: dict[str, object] = {}  # hash indexes for big batches, built on first use

    # ------------------------------------------------------------------ building and files
    @classmethod
    def from_pipeline(cls, pipeline) -> CompactModel:
        """Export a fitted eduplan pipeline (``build_pipeline``) to arrays."""
        features = pipeline.named_steps["features"]
        clf = pipeline.named_steps["clf"]
        if features.transformer_weights or len(clf.calibrated_classifiers_) != 1:
            raise ValueError("only pipelines from eduplan.build_pipeline (ensemble=False, no weights) can be exported")
        parts = dict(features.transformer_list)
        if list(parts) not in (["words", "chars"], ["words"], ["chars"]):
            raise ValueError(f"unexpected feature blocks: {list(parts)}")
        calibrated = clf.calibrated_classifiers_[0]
        svm = calibrated.estimator
        arrays: dict[str, np.ndarray] = {
            "format": np.array(COMPACT_FORMAT),
            "classes": np.array([str(c) for c in clf.classes_]),
            "coef": np.asarray(svm.coef_, dtype=np.float64),
            "intercept": np.asarray(svm.intercept_, dtype=np.float64),
            "calib_a": np.array([c.a_ for c in calibrated.calibrators], dtype=np.float64),
            "calib_b": np.array([c.b_ for c in calibrated.calibrators], dtype=np.float64),
        }
        sublinear, mask = True, True
        for name in ("words", "chars"):
            vectorizer = parts.get(name)
            if vectorizer is None:
                arrays[f"{name[:-1]}_terms"] = np.array([], dtype=str)
                arrays[f"{name[:-1]}_idf"] = np.zeros(0)
                arrays[f"{name[:-1]}_ngrams"] = np.array([1, 1])
                continue
            terms = [""] * len(vectorizer.vocabulary_)
            for term, column in vectorizer.vocabulary_.items():
                terms[column] = term
            arrays[f"{name[:-1]}_terms"] = np.array(terms)
            arrays[f"{name[:-1]}_idf"] = np.asarray(vectorizer.idf_, dtype=np.float64)
            arrays[f"{name[:-1]}_ngrams"] = np.array(vectorizer.ngram_range)
            sublinear = bool(vectorizer.sublinear_tf)
            mask = vectorizer.preprocessor is mask_numbers
            if vectorizer.norm != "l2" or not vectorizer.use_idf or vectorizer.max_features is not None:
                raise ValueError("only l2-normalised tf-idf blocks without max_features can be exported")
        if "words" in parts and tuple(parts["words"].ngram_range) not in ((1, 1), (1, 2)):
            raise ValueError("word n-grams must be (1, 1) or (1, 2)")
        if "chars" in parts and parts["chars"].ngram_range[1] > 3:
            raise ValueError("character n-grams longer than 3 do not fit the 63-bit keys")
        arrays["sublinear"] = np.array(sublinear)
        arrays["mask_digits"] = np.array(mask)
        if "chars" not in parts:
            arrays["char_ngrams"] = np.array([0, -1])
        return cls(arrays)

    def save(self, path: str | Path) -> None:
        """Write the arrays to ``path`` (``.npz``) atomically."""
        from .persist import atomic_path

        with atomic_path(path) as tmp, open(tmp, "wb") as fh:
            np.savez_compressed(fh, **self.arrays)

    @classmethod
    def load(cls, path: str | Path) -> CompactModel:
        """Read a compact model; no pickled objects are accepted, so loading runs no code."""
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
        if str(arrays.get("format")) != COMPACT_FORMAT:
            raise ValueError(f"not an {COMPACT_FORMAT} file")
        return cls(arrays)

    # ------------------------------------------------------------------ features
    def _prepare(self, text: str) -> str:
        return mask_numbers(text) if self.mask_digits else text

    def _tf(self, counts: np.ndarray, idf_values: np.ndarray) -> np.ndarray:
        data = counts.astype(np.float64)
        if self.sublinear:
            data = np.log(data) + 1.0
        return data * idf_values

    def _token_code(self, token: str) -> int:
        """Code of a raw segmenter token: ``(id + 2) * 2 + long`` (id -2: dropped, -1: unknown word)."""
        form = _kept_form(token)
        if not form:
            return 0
        return (self.word_index.get(form, -1) + 2) * 2 + (len(form) >= 2)

    def _word_ids(self, prepared: list[str], tokens: list[list[str]] | None = None):
        """Vocabulary ids of every kept word (-1 when unknown), its row, and whether it has two characters or more."""
        if tokens is not None:  # kept forms given (e.g. by another segmenter)
            flat = [t for toks in tokens for t in toks]
            codes = np.fromiter(
                ((self.word_index.get(t, -1) + 2) * 2 + (len(t) >= 2) for t in flat), np.int64, len(flat)
            )
            rows = np.repeat(np.arange(len(tokens), dtype=np.int64), [len(toks) for toks in tokens])
        else:
            raw = segment_joined(prepared)
            cache = self._codes
            get = cache.get
            values = list(map(get, raw))
            if None in values:  # tokens not seen before: code them once
                for tok in set(raw).difference(cache):
                    cache[tok] = -1 if tok == "\n" else self._token_code(tok)
                values = list(map(get, raw))
            codes = np.fromiter(values, np.int64, len(values))
            boundary = codes == -1
            rows = np.cumsum(boundary)
            keep = ~boundary
            codes, rows = codes[keep], rows[keep]
        kept = codes >= 2
        codes, rows = codes[kept], rows[kept]
        return (codes >> 1) - 2, rows, (codes & 1).astype(bool)

    def _lookup(self, sorted_keys: np.ndarray, columns: np.ndarray, keys: np.ndarray, name: str):
        """Columns of ``keys`` in a vocabulary of sorted keys, and which keys were found (hash lookup for big batches)."""
        if len(keys) > 20_000:
            import pandas as pd

            index = self._indexes.get(name)
            if index is None:
                index = self._indexes[name] = pd.Index(sorted_keys)
            pos = index.get_indexer(keys)
            hit = pos >= 0
            return columns[pos[hit]], hit
        pos = np.searchsorted(sorted_keys, keys)
        pos[pos == len(sorted_keys)] = 0
        hit = sorted_keys[pos] == keys
        return columns[pos[hit]], hit

    def _word_block(self, ids: np.ndarray, rows: np.ndarray):
        low, high = self.word_ngrams
        found_rows, found_cols = [], []
        if low == 1:
            hit = ids >= 0
            found_rows.append(rows[hit])
            found_cols.append(ids[hit])
        if high >= 2 and len(ids) > 1 and len(self._bigram_keys):
            first, second = ids[:-1], ids[1:]
            ok = (rows[1:] == rows[:-1]) & (first >= 0) & (second >= 0)
            cols, hit = self._lookup(
                self._bigram_keys, self._bigram_cols, first[ok] * self.n_words + second[ok], "bigrams"
            )
            found_rows.append(rows[:-1][ok][hit])
            found_cols.append(cols)
        return self._counted(found_rows, found_cols, len(self.word_terms), self.word_idf)

    def _counted(self, rows_parts, cols_parts, width: int, idf_values: np.ndarray):
        """Per-(row, column) counts of the found n-grams, as tf-idf values sorted by row."""
        if not rows_parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
        rows = np.concatenate(rows_parts)
        cols = np.concatenate(cols_parts).astype(np.int64)
        codes, counts = np.unique(rows * width + cols, return_counts=True)
        rows, cols = codes // width, codes % width
        return rows, cols, self._tf(counts, idf_values[cols])

    def _char_block(self, prepared: list[str]):
        low, high = self.char_ngrams
        if high < low or not len(self._char_sorted_keys):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
        joined = _WHITE_SPACES.sub(" ", _SEPARATOR.join(t.replace(_SEPARATOR, " ") for t in prepared) + _SEPARATOR)
        codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        ends = np.cumsum(codes == 0)  # separators up to and including each position
        row_of = ends - (codes == 0)  # the text each position belongs to
        all_rows, all_cols = [], []
        known = None  # per position: whether the (n-1)-gram starting there is in the vocabulary
        for n in range(low, high + 1):
            if len(codes) < n:
                continue
            keys, valid = _char_keys(codes, n)
            if known is not None:  # an n-gram seen in min_df items has both its (n-1)-grams seen there too
                valid &= known[:-1] & known[1:]
            keys, rows = keys[valid], row_of[: len(valid)][valid]
            cols, hit = self._lookup(self._char_sorted_keys, self._char_sorted_cols, keys, "chars")
            known = np.zeros(len(valid), dtype=bool)
            known[np.flatnonzero(valid)[hit]] = True
            all_rows.append(rows[hit])
            all_cols.append(cols)
        return self._counted(all_rows, all_cols, len(self.char_terms), self.char_idf)

    @staticmethod
    def _l2(rows: np.ndarray, data: np.ndarray, n_rows: int) -> np.ndarray:
        norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=n_rows))
        safe = np.where(norms == 0, 1.0, norms)
        return data / safe[rows]

    def features(self, normalized: list[str], tokens: list[list[str]] | None = None):
        """Sparse TF-IDF rows of normalised texts as ``(rows, columns, values)``; words first, then characters.

        Also returns, per text, how many of its words (two characters or more)
        are in the vocabulary and how many it has: ``(rows, cols, values, known, total)``.
        """
        prepared = mask_many(normalized) if self.mask_digits else list(normalized)
        n = len(prepared)
        ids, id_rows, long = self._word_ids(prepared, tokens)
        known = np.bincount(id_rows[long & (ids >= 0)], minlength=n)
        total = np.bincount(id_rows[long], minlength=n)
        w_rows, w_cols, w_data = self._word_block(ids, id_rows)
        c_rows, c_cols, c_data = self._char_block(prepared)
        w_data = self._l2(w_rows, w_data, n)
        c_data = self._l2(c_rows, c_data, n)
        rows = np.concatenate([w_rows, c_rows])
        cols = np.concatenate([w_cols, c_cols + self.n_words])
        return rows, cols, np.concatenate([w_data, c_data]), known, total

    # ------------------------------------------------------------------ predictions
    def _decision(self, n: int, rows: np.ndarray, cols: np.ndarray, data: np.ndarray) -> np.ndarray:
        """SVM decision values, one row per text, one column per class row of ``coef``."""
        out = np.tile(self.intercept, (n, 1))
        if len(data) == 0:
            return out
        if n <= 64:
            np.add.at(out, rows, (self.coef[:, cols] * data).T)
            return out
        from scipy.sparse import csr_matrix

        matrix = csr_matrix((data, (rows, cols)), shape=(n, self.coef.shape[1]))
        return out + np.asarray(matrix @ self.coef.T)

    def analyze(self, normalized: list[str], tokens: list[list[str]] | None = None):
        """Probabilities (columns: :attr:`classes`) of normalised texts, with each text's known and total words."""
        n = len(normalized)
        proba = np.empty((n, len(self.classes)))
        known = np.zeros(n, dtype=np.int64)
        total = np.zeros(n, dtype=np.int64)
        for start in range(0, n, _BATCH):
            stop = min(start + _BATCH, n)
            part_tokens = tokens[start:stop] if tokens is not None else None
            rows, cols, data, known[start:stop], total[start:stop] = self.features(normalized[start:stop], part_tokens)
            proba[start:stop] = self._calibrate(self._decision(stop - start, rows, cols, data))
        return proba, known, total

    def proba_normalized(self, normalized: list[str], tokens: list[list[str]] | None = None) -> np.ndarray:
        """Calibrated probabilities (columns: :attr:`classes`) for already-normalised texts."""
        return self.analyze(normalized, tokens)[0]

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Calibrated probabilities for raw texts (normalised here, as the pipeline does)."""
        return self.proba_normalized(normalize_many(texts))

    def _calibrate(self, decision: np.ndarray) -> np.ndarray:
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

    def feature_name(self, column: int) -> str:
        return self.word_terms[column] if column < self.n_words else self.char_terms[column - self.n_words]
