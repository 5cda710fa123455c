"""Training, the model card and its checks, and the Classifier's library API."""

from __future__ import annotations

import json
import shutil
import warnings

import pytest
from sklearn.base import clone

from eduplan import taxonomy
from eduplan.errors import DataError, ModelError
from eduplan.loading import UntrustedModelWarning, load_model
from eduplan.model import OUT_OF_SCOPE, UNCERTAIN, build_pipeline
from eduplan.persist import sha256_file
from eduplan.training import train


def _load(model_dir, **kw):
    with pytest.warns(UntrustedModelWarning):
        return load_model(model_dir, **kw)


def test_training_writes_model_and_card(small_model):
    model_dir, corpus = small_model
    card = json.loads((model_dir / "card.json").read_text(encoding="utf-8"))
    assert card["themes"] == taxonomy.ids()
    assert card["classes"] == ["preschool", "safety", "teachers"]
    assert card["corpus"] == {"file": "items.csv", "sha256": sha256_file(corpus), "items": 36, "documents": 4}
    assert card["model_sha256"] == sha256_file(model_dir / "eduplan.joblib")
    assert card["compact_sha256"] == sha256_file(model_dir / "eduplan.npz")
    assert {"python", "scikit-learn", "jieba", "eduplan"} <= set(card["versions"])
    assert card["params"]["C"] == 1.0 and "created" in card
    assert sorted(p.name for p in model_dir.iterdir()) == ["card.json", "eduplan.joblib", "eduplan.npz"]


def test_training_with_grouped_cv_records_figures(tmp_path):
    from conftest import fixture_corpus

    corpus = tmp_path / "items.csv"
    fixture_corpus(corpus, docs=6)
    card = train(corpus, tmp_path / "m", n_splits=3)
    assert card["cv"]["method"] == "GroupKFold(3) by doc_id"
    assert 0.0 <= card["cv"]["accuracy"] <= 1.0 and 0.0 <= card["cv"]["macro_f1"] <= 1.0
    assert {row["theme"] for row in card["cv"]["per_theme"]} == {"preschool", "teachers", "safety"}


def test_pipeline_is_clonable_and_deterministic(small_model):
    _, corpus = small_model
    import pandas as pd

    frame = pd.read_csv(corpus)
    frame = frame[frame.label != "skip"]
    a = build_pipeline().fit(frame.text, frame.label)
    b = clone(build_pipeline()).fit(frame.text, frame.label)
    texts = ["新建幼儿园3所", "培训教师100名"]
    assert (a.predict_proba(texts) == b.predict_proba(texts)).all()


def test_predict_proba_has_every_theme_in_order(small_model):
    clf = _load(small_model[0])
    proba = clf.predict_proba(
        ["新建公办幼儿园5所,扩大学前教育资源", "开展教师培训,加强师德师风", "加强校园安全,防溺水"]
    )
    assert list(proba.columns) == taxonomy.ids()
    assert proba.sum(axis=1).round(6).tolist() == [1.0, 1.0, 1.0]
    assert proba.loc[:, "international"].eq(0).all()
    assert clf.predict(["新建公办幼儿园5所,扩大学前教育资源", "开展教师培训,加强师德师风", "加强校园安全,防溺水"]) == [
        "preschool",
        "teachers",
        "safety",
    ]


def test_explain_lists_terms_that_pushed_the_decision(small_model):
    clf = _load(small_model[0])
    terms = clf.explain("新建公办幼儿园5所,扩大普惠性学前教育资源", k=5)
    assert 0 < len(terms) <= 5
    assert all(weight > 0 for _, weight in terms)
    assert any("幼" in term or "园" in term or "学前" in term for term, _ in terms)


def test_uncertain_and_out_of_scope(small_model):
    clf = _load(small_model[0])
    sure, unsure = (
        clf.classify(["加强校园安全管理,开展防溺水教育", "加强校园安全管理,开展防溺水教育"], min_score=None),
        clf.classify(["加强校园安全管理,开展防溺水教育"], min_score=0.999),
    )
    assert sure[0].label == "safety"
    assert unsure[0].label == UNCERTAIN and unsure[0].theme == "safety"
    foreign = clf.classify(["The weather is nice today", "股市大涨,投资者信心回升"])
    assert [p.label for p in foreign] == [OUT_OF_SCOPE, OUT_OF_SCOPE]


def test_classify_document_segments_then_classifies(small_model, write):
    clf = _load(small_model[0])
    path = write(
        "plan.txt", "一、任务\n1.新建公办幼儿园5所。扩大普惠性学前教育资源。\n2.加强教师队伍建设。培训骨干教师。\n"
    )
    frame = clf.classify_document(path)
    assert frame["number"].tolist() == ["1", "2"]
    assert frame["label"].tolist() == ["preschool", "teachers"]


@pytest.mark.parametrize("name", ["eduplan.npz", "eduplan.joblib"])
def test_tampered_model_is_refused(small_model, tmp_path, name):
    copy = tmp_path / "m"
    shutil.copytree(small_model[0], copy)
    with open(copy / name, "ab") as fh:
        fh.write(b"\0")
    with pytest.raises(ModelError, match="does not match its card"), warnings.catch_warnings():
        warnings.simplefilter("ignore", UntrustedModelWarning)
        assert load_model(copy).pipeline is None  # the npz is checked on load, the joblib when unpickled


def test_compact_model_gives_the_pipelines_probabilities(small_model):
    from conftest import PLAN, REPO

    clf = _load(small_model[0])
    texts = [
        PLAN,
        "新建公办幼儿园5所",
        "關於印發《青海省中等職業教育發(fā)展規劃》",
        "",
        "   ",
        "x",
        "加强校园安全 2020年",
    ]
    texts += [p.read_text(encoding="utf-8")[:3000] for p in sorted((REPO / "seeds").glob("web2-01*.txt"))]
    expected = clf.pipeline.predict_proba(texts)
    actual = clf.compact.predict_proba(texts)
    assert abs(expected - actual).max() < 1e-12
    assert (expected.argmax(axis=1) == actual.argmax(axis=1)).all()


def test_shipped_compact_model_matches_its_pipeline_on_the_corpus():
    import numpy as np
    import pandas as pd
    from conftest import REPO

    clf = load_model()
    texts = pd.read_csv(REPO / "data" / "items.csv", dtype=str, keep_default_na=False)["text"].tolist()
    expected = clf.pipeline.predict_proba(texts)
    actual = clf.compact.predict_proba(texts)
    assert np.abs(expected - actual).max() < 1e-12


def test_model_without_card_needs_trust(small_model, tmp_path):
    copy = tmp_path / "m"
    shutil.copytree(small_model[0], copy)
    (copy / "card.json").unlink()
    with pytest.raises(ModelError, match="run code"):
        load_model(copy)
    assert _load(copy, trust=True).predict(["加强校园安全管理"]) == ["safety"]


def test_other_scikit_learn_version_is_refused(small_model, tmp_path):
    copy = tmp_path / "m"
    shutil.copytree(small_model[0], copy)
    card = json.loads((copy / "card.json").read_text(encoding="utf-8"))
    card["versions"]["scikit-learn"] = "0.24.2"
    (copy / "card.json").write_text(json.dumps(card), encoding="utf-8")
    with pytest.raises(ModelError, match="scikit-learn 0.24.2.*eduplan train"):
        load_model(copy)


def test_missing_model_and_non_model_files(tmp_path):
    with pytest.raises(ModelError, match="no model file"):
        load_model(tmp_path / "nowhere")
    import joblib

    from eduplan.persist import save_model

    joblib.dump({"something": "else"}, tmp_path / "eduplan.joblib")
    (tmp_path / "card.json").write_text(
        json.dumps({"model_sha256": sha256_file(tmp_path / "eduplan.joblib")}), encoding="utf-8"
    )
    with pytest.raises(ModelError):
        load_model(tmp_path)
    assert callable(save_model)


def test_training_refuses_an_invalid_corpus(tmp_path):
    from conftest import fixture_corpus

    corpus = tmp_path / "items.csv"
    fixture_corpus(corpus)
    corpus.write_text(corpus.read_text(encoding="utf-8").replace(",safety,", ",sport,", 1), encoding="utf-8")
    with pytest.raises(DataError, match="unknown theme id 'sport'"):
        train(corpus, tmp_path / "m", cross_validation=False)
    assert not (tmp_path / "m").exists()


def test_shipped_model_is_fresh_and_loads():
    from conftest import REPO

    card = json.loads((REPO / "model" / "card.json").read_text(encoding="utf-8"))
    assert card["corpus"]["sha256"] == sha256_file(REPO / "data" / "items.csv"), "model is stale: run `eduplan train`"
    assert card["model_sha256"] == sha256_file(REPO / "model" / "eduplan.joblib")
    clf = load_model()
    assert clf is load_model()  # loaded once per process
    assert clf.predict(["加强教师队伍建设,深化师德师风建设"]) == ["teachers"]


def test_a_theme_with_one_item_is_left_out_and_rare_themes_still_train(small_model):
    import pandas as pd

    from eduplan.model import fit_pipeline

    frame = pd.read_csv(small_model[1])
    frame = frame[frame.label != "skip"]
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
    import pandas as pd

    from eduplan.model import fit_pipeline

    frame = pd.read_csv(small_model[1])
    frame = frame[frame.label != "skip"]
    unseen = "全面开展无证园专项治理"  # 无证园 is a preschool term of the taxonomy, absent from the fixture corpus
    assert not frame.text.str.contains("无证园").any()
    with_terms = fit_pipeline(frame.text.tolist(), frame.label.tolist())
    without = fit_pipeline(frame.text.tolist(), frame.label.tolist(), {"taxonomy_terms": False})
    assert list(with_terms.classes_) == list(without.classes_) == ["preschool", "safety", "teachers"]
    assert with_terms.predict([unseen])[0] == "preschool"
    proba = dict(zip(with_terms.classes_, with_terms.predict_proba([unseen])[0]))
    assert proba["preschool"] > dict(zip(without.classes_, without.predict_proba([unseen])[0]))["preschool"]
