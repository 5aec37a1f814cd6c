"""RFM scores, the eleven segments and A/B/C tiers."""

import itertools

import numpy as np

from insights.stats.segments import (
    SEGMENTS,
    quintile_scores,
    rfm_scores,
    rfm_segments,
    value_tiers,
)


def test_quintiles_of_distinct_values():
    assert quintile_scores(np.arange(10)).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_ties_share_a_score():
    scores = quintile_scores([1, 1, 1, 1, 1, 1, 2, 3, 4, 5])
    assert len(set(scores[:6].tolist())) == 1


def test_recent_buyers_get_high_recency_scores():
    r, _f, _m = rfm_scores([1, 100, 365, 10, 50], [1, 1, 1, 1, 1], [5, 5, 5, 5, 5])
    assert r.tolist() == [5, 2, 1, 4, 3]


def test_every_score_combination_gets_exactly_one_of_eleven_segments():
    combos = np.array(list(itertools.product(range(1, 6), repeat=3)))
    segments = rfm_segments(combos[:, 0], combos[:, 1], combos[:, 2])
    assert set(segments) == set(SEGMENTS) and len(SEGMENTS) == 11


def test_segment_rules_by_example():
    segments = rfm_segments([5, 1, 1, 3, 5], [5, 5, 1, 3, 1], [5, 5, 1, 3, 1]).tolist()
    assert segments == ["champions", "cant_lose_them", "lost", "need_attention", "new_customers"]


def test_value_tiers_split_80_15_5():
    revenue = [500, 300, 100, 50, 30, 20, 0]
    assert value_tiers(revenue).tolist() == ["A", "A", "B", "B", "C", "C", "C"]


def test_no_revenue_means_tier_c():
    assert value_tiers([0, 0]).tolist() == ["C", "C"]
