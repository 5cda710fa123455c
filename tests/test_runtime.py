"""The numpy runtime gives the pipeline's probabilities, for every block and head, for non-default parameters too."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eduplan.config import TrainConfig
from eduplan.estimator import export, fit_pipeline, secondary_lists
from eduplan.features import CharBlock, WordBlock, check_parity, register_block, registered_blocks
from eduplan.model import Classifier
from eduplan.records import Columns
from eduplan.runtime import BlockRuntime, register_runtime, runtime_from_arrays

TEXTS = [
    "新建公办幼儿园5所,扩大学前教育资源",
    "开展ＳＴＥＡＭ教育,培训教师100名  加强  师德",
    "關於印發《青海省中等職業教育發(fā)展規劃》",
    "",
    "   ",
    "x",
    "加强校园安全 2020年 COVID-19 防控",
    "Teachers' TRAINING 3.5 万人\n第二行",
    "校园 \n 安全\x1c\x1d教育\r\n\r\n师资\u2028 队伍",  # runs of white space the char analyzer collapses
]


@pytest.fixture(scope="module")
def corpus(small_model):
    frame = pd.read_csv(small_model[1], dtype=str, keep_default_na=False)
    frame = frame[frame.label != "skip"].reset_index(drop=True)
    frame["title"] = ["某县" + ("安全" if i % 2 else "教育") + "工作计划" for i in range(len(frame))]
    frame.loc[frame.index % 3 == 0, "secondary"] = "teachers"
    return frame


def records(frame):
    sections = ["加强校园安全", "", "师资", "", "", "x", "安全", "", ""]
    extra = pd.DataFrame({"text": TEXTS, "section": sections, "title": [""] * len(TEXTS)})
    return pd.concat([frame[["text", "section", "title"]], extra], ignore_index=True)


SETTINGS = [
    {},
    {"mask_digits": False},
    {"word_ngram_min": 1, "word_ngram_max": 1, "char_ngram_min": 2, "char_ngram_max": 4},
    {"sublinear_tf": False, "min_df": 1},
    {"word_ngram_min": 2, "word_ngram_max": 3, "char_ngram_max": 2, "context_ngram_max": 1},
    {"blocks": ("chars",), "secondary": False},
    {"blocks": ("words", "section", "title"), "C": 0.3, "secondary_C": 1.0},
]


@pytest.mark.parametrize("settings", SETTINGS, ids=[str(s) or "default" for s in SETTINGS])
def test_runtime_probabilities_equal_the_pipelines(corpus, settings):
    config = TrainConfig().with_values(settings)
    pipe = fit_pipeline(corpus, corpus.label, secondary_lists(corpus.secondary), config)
    clf = Classifier.from_pipeline(pipe, corpus)
    inputs = records(corpus)
    expected = pipe.predict_proba(inputs)
    actual = clf.predict_proba(inputs)[list(pipe.classes_)].to_numpy()
    assert np.abs(expected - actual).max() <= 1e-12
    heads = pipe.named_steps["heads"]
    if heads.secondary_ is not None:
        covered = heads.secondary_proba(pipe[:-1].transform(inputs))
        runtime = clf.scores(inputs).covered[:, [clf._themes.index(c) for c in heads.secondary_.classes_]]
        assert np.abs(covered - runtime).max() <= 1e-12


class WordBoundaryCharBlock(CharBlock):
    """scikit-learn's ``char_wb`` analyzer, which the runtime does not reproduce."""

    def _vectorizer(self):
        vectorizer = super()._vectorizer()
        vectorizer.set_params(analyzer="char_wb")
        return vectorizer


def test_export_refuses_settings_the_runtime_cannot_reproduce(corpus):
    register_block("test_char_wb", lambda c: WordBoundaryCharBlock("text", (1, 3), 1))
    try:
        config = TrainConfig(blocks=("words", "test_char_wb"))
        pipe = fit_pipeline(corpus, corpus.label, config=config)
        with pytest.raises(ValueError, match="test_char_wb.*cannot be exported"):
            export(pipe, corpus)
    finally:
        from eduplan import features

        features._BLOCKS.pop("test_char_wb")


@pytest.mark.parametrize("block", [CharBlock("text", (1, 3), 1, weight=0.5), WordBlock("title", (1, 2), 1, weight=0.7)])
def test_every_kind_of_block_applies_its_weight_at_run_time(corpus, block):
    from eduplan.estimator import RecordNormalizer

    columns = RecordNormalizer().transform(records(corpus))
    block.fit(columns)
    assert check_parity("weighted", block, runtime_from_arrays(block.export()), columns) <= 1e-12


class FlagBlock(CharBlock):
    """A new kind of block, for the test: 1.0 where the section names one of the fitted keywords."""

    kind = "test_flags"

    def fit(self, X, y=None):  # noqa: N803
        self.keywords_ = ["安全", "师资"]
        return self

    def transform(self, X):  # noqa: N803
        from scipy.sparse import csr_matrix

        values = [[float(k in s) for k in self.keywords_] for s in X.section]
        return csr_matrix(np.array(values).reshape(len(values), len(self.keywords_)))

    def export(self):
        return {"kind": np.array(self.kind), "column": np.array(self.column), "terms": np.array(self.keywords_)}


class FlagRuntime(BlockRuntime):
    kind = "test_flags"

    def __init__(self, arrays):
        self.arrays = arrays
        self.column = str(arrays["column"])
        self.terms = [str(t) for t in arrays["terms"]]
        self.width = len(self.terms)

    def transform(self, columns: Columns, stats=None):
        indptr, cols = [0], []
        for section in columns.get(self.column):
            cols += [j for j, keyword in enumerate(self.terms) if keyword in section]
            indptr.append(len(cols))
        return np.array(indptr, dtype=np.int64), np.array(cols, dtype=np.int64), np.ones(len(cols))


def test_a_registered_block_of_a_new_kind_needs_no_change_to_the_runtime(corpus):
    register_runtime(FlagRuntime)
    register_block("test_flags", lambda c: FlagBlock("section"))
    try:
        assert "test_flags" in registered_blocks()
        config = TrainConfig(blocks=("words", "chars", "test_flags"))
        pipe = fit_pipeline(corpus, corpus.label, config=config)
        clf = Classifier.from_pipeline(pipe, corpus)
        inputs = records(corpus)
        assert np.abs(pipe.predict_proba(inputs) - clf.predict_proba(inputs)[list(pipe.classes_)].to_numpy()).max() <= 1e-12
        assert clf.compact.block_names == ["words", "chars", "test_flags"]
        assert clf.compact.feature_name(clf.compact.width - 1) == "section:师资"
    finally:
        from eduplan import features, runtime

        features._BLOCKS.pop("test_flags")
        runtime._RUNTIMES.pop("test_flags")


def test_shipped_compact_model_matches_its_pipeline_on_the_corpus():
    from conftest import REPO

    from eduplan.corpus import training_items
    from eduplan.modeldir import load_model

    clf = load_model()
    frame = training_items(REPO / "data" / "items.csv")
    expected = clf.pipeline.predict_proba(frame)
    actual = clf.predict_proba(frame)[list(clf.pipeline.classes_)].to_numpy()
    assert np.abs(expected - actual).max() <= 1e-12


@pytest.mark.parametrize("ngram_range", [(1, 3), (2, 3), (1, 1)])
def test_ngram_lookup_finds_every_gram_dense_or_searched(monkeypatch, ngram_range):
    from eduplan import runtime
    from eduplan.runtime import NgramTable, key_shift, row_keys

    rng = np.random.default_rng(0)
    n_symbols = 30
    low, high = ngram_range
    grams = sorted({tuple(rng.integers(0, n_symbols, size=int(rng.integers(low, high + 1))).tolist()) for _ in range(500)})
    column_of = {gram: j for j, gram in enumerate(grams)}
    symbols = rng.integers(0, n_symbols + 1, size=5000)  # n_symbols: an unknown symbol or a break between texts
    rows = np.cumsum(symbols == n_symbols)
    expected = sorted(
        (int(rows[p]), column_of[tuple(symbols[p : p + k].tolist())])
        for k in range(low, high + 1)
        for p in range(len(symbols) - k + 1)
        if tuple(symbols[p : p + k].tolist()) in column_of
    )
    assert expected
    saved = NgramTable(grams, n_symbols, ngram_range).arrays()
    for dense_from, dense_entries in ((0, 1 << 24), (10**9, 1 << 24), (0, 4)):  # dense; searched; too big for dense
        monkeypatch.setattr(runtime, "_DENSE_FROM", dense_from)
        monkeypatch.setattr(runtime, "_DENSE_ENTRIES", dense_entries)
        shift = key_shift(len(grams))
        keys = NgramTable.from_arrays(saved).lookup(symbols, row_keys(rows, shift, int(rows[-1]) + 1))
        found = [(int(key) >> shift, (int(key) & ((1 << shift) - 1)) - 1) for key in keys]
        assert sorted(found) == expected


def test_space_codes_are_what_the_regex_calls_white_space():
    import re

    from eduplan.runtime import SPACE_CODES

    assert list(SPACE_CODES) == [c for c in range(0x110000) if re.match(r"\s", chr(c))]


def test_word_block_falls_back_to_one_segmenter_call_per_text_when_breaks_merge(monkeypatch):
    """A segmenter that merges line breaks (``"\\n\\n"`` as one token) must not shift texts onto other rows."""
    import re

    from eduplan import tokens
    from eduplan.modeldir import load_model
    from eduplan.records import as_columns
    from eduplan.runtime import csr_rows

    block = load_model().compact.blocks[0]
    texts = ["加强教师队伍建设", "", "推进学前教育普及普惠", "学校安全", ""] * 3
    monkeypatch.setattr(tokens, "_segmenter", lambda: ("chars", lambda text: re.findall(r"\n|.", text)))
    expected = block.transform(as_columns(texts))
    monkeypatch.setattr(tokens, "_segmenter", lambda: ("merging", lambda text: re.findall(r"\n+|.", text)))
    assert tokens.segment_joined(texts).count("\n") != len(texts) - 1
    merged = block.transform(as_columns(texts))
    rows = csr_rows(expected[0])
    assert len(rows) and set(rows.tolist()) == {0, 2, 3, 5, 7, 8, 10, 12, 13}
    for want, got in zip(expected, merged):
        np.testing.assert_array_equal(want, got)


def test_the_allocator_is_tuned_where_there_is_glibc_and_left_alone_elsewhere():
    import platform

    from eduplan.allocator import keep_freed_memory

    assert keep_freed_memory() is (platform.libc_ver()[0] == "glibc")
