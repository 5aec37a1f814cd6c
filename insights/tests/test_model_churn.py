"""AUC, MAE and the churn-risk score."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insights.stats import BGNBDParams, churn_risk, mean_absolute_error, roc_auc


def _pairwise_auc(scores: list[float], labels: list[bool]) -> float:
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 5), st.booleans()), min_size=2, max_size=40).filter(
        lambda rows: 0 < sum(y for _, y in rows) < len(rows)
    )
)
def test_roc_auc_equals_pairwise_definition_with_ties(rows: list[tuple[int, bool]]) -> None:
    scores = [float(s) for s, _ in rows]
    labels = [y for _, y in rows]
    assert roc_auc(scores, labels) == pytest.approx(_pairwise_auc(scores, labels))


def test_roc_auc_extremes() -> None:
    assert roc_auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]) == 1.0
    assert roc_auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]) == 0.0
    assert roc_auc([0.5, 0.5, 0.5], [0, 1, 1]) == 0.5


def test_mean_absolute_error() -> None:
    assert mean_absolute_error([1.0, 2.0, 4.0], [1, 3, 2]) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="same length"):
        mean_absolute_error([1.0], [1, 2])


def test_churn_risk_orders_customers_sensibly() -> None:
    params = BGNBDParams(r=0.25, alpha=4.4, a=0.8, b=2.4)
    x = np.array([0.0, 0.0, 5.0, 5.0])
    t_x = np.array([0.0, 0.0, 37.0, 10.0])
    t = np.array([5.0, 38.0, 38.0, 38.0])
    risk = churn_risk(params, 39.0, x, t_x, t)
    assert risk[1] > risk[0]  # one-time buyer quiet for longer
    assert risk[3] > risk[2]  # frequent buyer whose last purchase was long ago
    assert np.all((risk > 0) & (risk < 1))
    with pytest.raises(ValueError, match="positive"):
        churn_risk(params, 0.0, x, t_x, t)
