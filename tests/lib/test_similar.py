"""taizhang.lib.similar: the score's properties, the stored keys, clusters, and precision and
recall on the labelled set of problem pairs (tests/lib/similar_pairs.py)."""

from __future__ import annotations

import os
import tempfile

from hypothesis import given, settings
from hypothesis import strategies as st

from taizhang.lib import similar
from tests.lib.similar_pairs import PAIRS

# The default threshold (TAIZHANG_SIMILAR_THRESHOLD_PCT = 30) and the floors measured on the
# labelled set with it (bench/bench_similar.py prints the figures: P 0.95, R 0.88).
THRESHOLD = 0.30
PRECISION_FLOOR = 0.90
RECALL_FLOOR = 0.85

chinese = st.text(
    alphabet=st.sampled_from(list("企业园区电力增容用地融资招工道路审批环评供水燃气补贴退税，。 ")),
    max_size=40,
)


def confusion(threshold: float) -> tuple[int, int, int]:
    tp = fp = fn = 0
    for a, b, same in PAIRS:
        hit = similar.score(a, b) >= threshold
        tp += hit and same
        fp += hit and not same
        fn += (not hit) and same
    return tp, fp, fn


def test_it_reaches_the_measured_precision_and_recall_on_the_labelled_pairs():
    assert len(PAIRS) >= 40
    assert sum(1 for *_, same in PAIRS if same) >= 20
    assert sum(1 for *_, same in PAIRS if not same) >= 20
    tp, fp, fn = confusion(THRESHOLD)
    assert tp / (tp + fp) >= PRECISION_FLOOR
    assert tp / (tp + fn) >= RECALL_FLOOR


@settings(max_examples=60, deadline=None)
@given(chinese, chinese)
def test_it_scores_symmetrically_between_zero_and_one(a, b):
    s = similar.score(a, b)
    assert 0.0 <= s <= 1.0
    assert abs(s - similar.score(b, a)) < 1e-9


@settings(max_examples=60, deadline=None)
@given(chinese)
def test_it_scores_a_text_against_itself_as_one_when_it_has_words(text):
    if similar.vector(text):
        assert abs(similar.score(text, text) - 1.0) < 1e-9
    else:
        assert similar.score(text, text) == 0.0


def test_it_reads_full_width_and_case_alike():
    assert similar.score("ＡＢＣ园区电力增容", "abc园区电力增容") > 0.99


def test_it_keeps_stopwords_out_of_the_stored_keys_and_frames_them_with_spaces():
    keys = similar.keys("企业反映：园区变压器容量不足，希望协调解决")
    assert keys.startswith(" ") and keys.endswith(" ")
    assert " 企业 " not in keys and " 协调 " not in keys and " 园区 " in keys
    assert len(similar.keys("电力" * 400, limit=50)) <= 50
    assert similar.keys("。。。") == ""


def test_it_clusters_by_single_link_and_leaves_singletons_out():
    edges = [(0, 1, 0.5), (1, 2, 0.4), (4, 5, 0.9)]
    assert similar.clusters(7, edges) == [[0, 1, 2], [4, 5]]
    assert similar.clusters(3, []) == []


def test_it_finds_every_pair_above_the_threshold_and_no_other():
    texts = [a for a, _, _ in PAIRS[:12]] + [b for _, b, _ in PAIRS[:12]]
    vectors = [similar.vector(t) for t in texts]
    found = {(i, j) for i, j, _ in similar.pairs(vectors, THRESHOLD)}
    brute = {
        (i, j)
        for i in range(len(texts))
        for j in range(i + 1, len(texts))
        if similar.cosine(vectors[i], vectors[j]) >= THRESHOLD
    }
    assert found == brute and found


def test_it_picks_the_member_most_like_the_others_as_representative():
    texts = ["园区电力增容", "园区用电容量不足申请增容", "厂区电力增容", "出口退税"]
    vectors = [similar.vector(t) for t in texts]
    assert similar.medoid([0, 1, 2], vectors) in {0, 2}


def test_it_keeps_jiebas_cache_in_the_temp_directory():
    tok, _, _ = similar._load()
    assert tok.tmp_dir == tempfile.gettempdir()
    package = os.path.dirname(__import__("jieba").__file__)
    assert not any(name.endswith(".cache") for name in os.listdir(package))
