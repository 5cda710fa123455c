"""Training, the model card, and the Classifier's library API over strings, records and frames."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from sklearn.base import clone

from eduplan import taxonomy
from eduplan.config import TrainConfig
from eduplan.errors import DataError, UsageError
from eduplan.estimator import build_pipeline, fit_pipeline
from eduplan.model import OUT_OF_SCOPE, UNCERTAIN
from eduplan.modeldir import UntrustedModelWarning, load_model
from eduplan.persist import sha256_file
from eduplan.records import Item
from eduplan.training import train


def _load(model_dir, **kw):
    with pytest.warns(UntrustedModelWarning):
        return load_model(model_dir, **kw)


def _frame(corpus):
    frame = pd.read_csv(corpus, dtype=str, keep_default_na=False)
    return frame[frame.label != "skip"].reset_index(drop=True)


def test_training_writes_model_and_card(small_model):
    model_dir, corpus = small_model
    card = json.loads((model_dir / "card.json").read_text(encoding="utf-8"))
    assert card["themes"] == taxonomy.ids()
    assert card["classes"] == ["preschool", "safety", "teachers"]
    assert card["corpus"]["items"] == 36 and card["corpus"]["documents"] == 4
    assert card["corpus"]["sources"] == [str(corpus)]
    files = card["files"]
    assert card["sha256"] == {part: sha256_file(model_dir / name) for part, name in files.items()}
    assert sorted(p.name for p in model_dir.iterdir()) == sorted(["card.json", *files.values()])
    assert {"python", "scikit-learn", "jieba", "eduplan"} <= set(card["versions"])
    assert card["params"] == TrainConfig().to_dict() and "created" in card


def test_training_with_grouped_cv_records_figures(tmp_path):
    from conftest import fixture_corpus

    corpus = tmp_path / "items.csv"
    fixture_corpus(corpus, docs=6)
    card = train(corpus, tmp_path / "m", n_splits=3)
    cv = card["cv"]
    assert cv["method"] == "GroupKFold(3) by doc_id"
    assert 0.0 <= cv["accuracy"] <= cv["top2"] <= 1.0 and 0.0 <= cv["macro_f1"] <= 1.0
    assert {row["theme"] for row in cv["per_theme"]} == {"preschool", "teachers", "safety"}
    assert card["params"]["secondary_threshold"] == cv["secondary"]["threshold"]


def test_pipeline_is_clonable_and_deterministic(small_model):
    frame = _frame(small_model[1])
    a = build_pipeline().fit(frame, frame.label)
    b = clone(build_pipeline()).fit(frame, frame.label)
    texts = ["新建幼儿园3所", "培训教师100名"]
    assert (a.predict_proba(texts) == b.predict_proba(texts)).all()


def test_predict_proba_has_every_theme_in_order(small_model):
    clf = _load(small_model[0])
    texts = ["新建公办幼儿园5所,扩大学前教育资源", "开展教师培训,加强师德师风", "加强校园安全,防溺水"]
    proba = clf.predict_proba(texts)
    assert list(proba.columns) == taxonomy.ids()
    assert proba.sum(axis=1).round(6).tolist() == [1.0, 1.0, 1.0]
    assert proba.loc[:, "international"].eq(0).all()
    assert clf.predict(texts) == ["preschool", "teachers", "safety"]


def test_strings_records_mappings_and_frames_give_the_same_scores(small_model):
    clf = _load(small_model[0])
    text, section, title = "加强培训。", "强化校园安全", "某县1号教育工作要点"
    item = Item("d", section, "1", text, title)
    as_record = clf.predict_proba([item])
    as_mapping = clf.predict_proba([{"text": text, "section": section, "title": title}])
    as_frame = clf.predict_proba(pd.DataFrame({"text": [text], "section": [section], "title": [title]}))
    assert as_record.equals(as_mapping) and as_record.equals(as_frame)
    bare = clf.predict_proba([text])
    assert not bare.equals(as_record)  # the context reaches the model
    assert clf.predict_proba(text).equals(bare)  # a plain string is one text without context


def test_explain_lists_terms_that_pushed_the_decision_once_each(small_model):
    clf = _load(small_model[0])
    terms = clf.explain("新建公办幼儿园5所,扩大普惠性学前教育资源", k=8)
    names = [term for term, _ in terms]
    assert 0 < len(terms) <= 8 and len(set(names)) == len(names)
    assert all(weight > 0 for _, weight in terms)
    assert any("幼儿园" in term or "学前" in term for term in names)
    singles = [t for t in names if len(t) == 1]
    assert not any(single in other for single in singles for other in names if len(other) > 1)


def test_uncertain_and_out_of_scope(small_model):
    clf = _load(small_model[0])
    sure = clf.classify(["加强校园安全管理,开展防溺水教育"])
    unsure = clf.classify(["加强校园安全管理,开展防溺水教育"], min_score=0.999)
    assert sure[0].label == "safety"
    assert unsure[0].label == UNCERTAIN and unsure[0].top[0][0] == "safety"
    foreign = clf.classify(["The weather is nice today", "股市大涨,投资者信心回升"])
    assert [p.label for p in foreign] == [OUT_OF_SCOPE, OUT_OF_SCOPE]
    row = clf.prediction_rows(["加强校园安全管理,开展防溺水教育"])[0]
    assert row["theme_zh"] == "安全稳定" and row["label"] == "safety" and "theme" not in row


@pytest.mark.parametrize("kwargs", [{"top_k": 0}, {"top_k": 17}, {"min_score": 5}, {"min_score": -0.1}, {"explain": -1}])
def test_the_library_refuses_options_that_make_no_sense(small_model, kwargs):
    clf = _load(small_model[0])
    with pytest.raises(UsageError, match="top_k|min_score|explain"):
        clf.classify(["加强校园安全"], **kwargs)


def test_secondary_themes_are_predicted_from_the_covering_head(small_model):
    clf = _load(small_model[0])
    assert clf.has_secondary
    prediction = clf.classify(["加强校园安全管理,开展防溺水教育"])[0]
    assert prediction.label not in prediction.secondary
    assert set(prediction.secondary) <= set(taxonomy.ids())


def test_a_runaway_item_is_judged_on_its_beginning(small_model):
    from eduplan.model import MAX_TEXT

    clf = _load(small_model[0])
    head = "加强校园安全管理,开展防溺水教育。" * (MAX_TEXT // 17 + 1)
    huge = head[:MAX_TEXT] + "新建公办幼儿园,扩大学前教育资源。" * 20_000
    assert (clf.predict_proba([huge]).to_numpy() == clf.predict_proba([head[:MAX_TEXT]]).to_numpy()).all()
    assert clf.prediction_rows([huge], explain=3)[0]["label"] == "safety"


def test_training_refuses_an_invalid_corpus(tmp_path):
    from conftest import fixture_corpus

    corpus = tmp_path / "items.csv"
    fixture_corpus(corpus)
    corpus.write_text(corpus.read_text(encoding="utf-8").replace(",safety,", ",sport,", 1), encoding="utf-8")
    with pytest.raises(DataError, match="unknown theme id 'sport'"):
        train(corpus, tmp_path / "m", cross_validation=False)
    assert not (tmp_path / "m").exists()


def test_training_never_writes_into_the_shipped_model(tmp_path):
    from conftest import REPO

    with pytest.raises(UsageError, match="the model eduplan ships"):
        train(None, REPO / "model", cross_validation=False)


def test_train_config_is_validated_and_settable_from_strings():
    config = TrainConfig().with_overrides(["char_ngram_max=4", "blocks=words,chars", "mask_digits=false", "C=0.5"])
    assert (config.char_ngram_max, config.blocks, config.mask_digits, config.C) == (4, ("words", "chars"), False, 0.5)
    assert TrainConfig.from_dict(config.to_dict()) == config
    for bad in (["char_ngram_max=0"], ["blocks=words,nonsense"], ["C=abc"], ["nosuch=1"], ["min_df"], ["mask_digits=maybe"]):
        with pytest.raises(UsageError, match="training parameter|--set takes key=value"):
            TrainConfig().with_overrides(bad)


def test_a_theme_with_one_item_is_left_out_and_rare_themes_still_train(small_model):
    frame = _frame(small_model[1])
    texts = frame.text.tolist() + ["加强国际交流合作,建立友好学校", "开展教育督导评估", "开展教育督导检查"]
    labels = frame.label.tolist() + ["international", "governance", "governance"]
    pipe = fit_pipeline(texts, labels)
    assert list(pipe.classes_) == ["governance", "preschool", "safety", "teachers"]
    with pytest.raises(DataError, match="two themes"):
        fit_pipeline(["甲", "乙", "丙"], ["safety", "safety", "teachers"])


def test_taxonomy_terms_are_the_chinese_words_of_each_description():
    preschool = taxonomy.get("preschool").terms
    assert preschool[0] == "学前教育"  # the theme's name comes first
    assert {"普惠", "公办园", "小区配套园", "普惠性民办幼儿园"} <= set(preschool)
    assert "专门学校" in taxonomy.get("special_education").terms
    for theme in taxonomy.themes():
        assert theme.terms, theme.id
        for term in theme.terms:  # English glosses, quotes and brackets are dropped
            assert not any(ch.isascii() and ch.isalnum() for ch in term), (theme.id, term)
            assert not set(term) & set('"“”()/,'), (theme.id, term)
    texts, labels = taxonomy.term_examples(["teachers", "preschool"])
    assert set(labels) == {"preschool", "teachers"} and labels.index("preschool") < labels.index("teachers")
    assert len(texts) == len(taxonomy.get("preschool").terms) + len(taxonomy.get("teachers").terms)


def test_taxonomy_terms_teach_words_the_corpus_lacks(small_model):
    frame = _frame(small_model[1])
    unseen = "全面开展无证园专项治理"  # 无证园 is a preschool term of the taxonomy, absent from the fixture corpus
    assert not frame.text.str.contains("无证园").any()
    with_terms = fit_pipeline(frame.text.tolist(), frame.label.tolist())
    without = fit_pipeline(frame.text.tolist(), frame.label.tolist(), config=TrainConfig(taxonomy_terms=False))
    assert list(with_terms.classes_) == list(without.classes_) == ["preschool", "safety", "teachers"]
    assert with_terms.predict([unseen])[0] == "preschool"
    proba = dict(zip(with_terms.classes_, with_terms.predict_proba([unseen])[0]))
    assert proba["preschool"] > dict(zip(without.classes_, without.predict_proba([unseen])[0]))["preschool"]


def test_shipped_model_is_fresh_and_loads():
    from conftest import REPO

    from eduplan.corpus import training_items

    card = json.loads((REPO / "model" / "card.json").read_text(encoding="utf-8"))
    frame = training_items(REPO / "data" / "items.csv")
    assert card["corpus"]["items"] == len(frame), "model is stale: retrain the shipped model"
    from eduplan.persist import sha256_bytes

    digest = sha256_bytes(frame[["text", "label", "secondary"]].to_csv(index=False).encode("utf-8"))
    assert card["corpus"]["sha256"] == digest, "model is stale: retrain the shipped model"
    clf = load_model()
    assert clf is load_model()  # loaded once per process
    assert clf.predict(["加强教师队伍建设,深化师德师风建设"]) == ["teachers"]


def test_new_kindergartens_under_their_heading_are_preschool():
    """Rule 7 over rule 9: building for one level goes to that level (learned from the data, no keyword rule).

    With its heading sentence the item is preschool. The bare sentence alone still gets
    funding_facilities: it is a verbatim excerpt of Weihai item 15, a cross-level building item rightly
    labeled funding_facilities, and that is not fixed here (see the closing note of the accuracy issue).
    """
    clf = load_model()
    assert clf.predict(["推进学前教育普惠发展。新建改扩建幼儿园20所，新增学位5010个"]) == ["preschool"]
