"""Churn risk and the accuracy measures used to back-test it."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import rankdata

from ._types import FloatArray
from .bgnbd import BGNBDParams, probability_no_purchases
from .errors import ModelError, gettext_noop


def churn_risk(
    params: BGNBDParams,
    horizon: float,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
) -> FloatArray:
    """Return each customer's probability of making no purchase in the next `horizon` time units.

    Plain 1 - P(alive) is useless as a churn score: BG/NBD gives P(alive) = 1 to every customer
    without a repeat purchase, the group most likely not to come back (AUC 0.32 on CDNOW). The
    probability of silence over the horizon mixes "already gone" with "alive but not buying",
    which also ranks one-time buyers by how long they have been quiet.
    """
    if horizon <= 0:
        raise ValueError("the churn horizon must be positive")
    return probability_no_purchases(params, horizon, frequency, recency, T)


def roc_auc(scores: ArrayLike, labels: ArrayLike) -> float:
    """Return the ROC AUC of scores for boolean labels (Mann-Whitney, ties counted as half)."""
    s = np.asarray(scores, dtype=np.float64).reshape(-1)
    y = np.asarray(labels).reshape(-1).astype(bool)
    if s.size != y.size:
        raise ValueError("scores and labels must have the same length")
    n_pos = int(y.sum())
    n_neg = y.size - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ModelError(
            gettext_noop(
                "The AUC needs both outcomes among the customers (some churned, some not)."
            )
        )
    # Average ranks give ties half credit, the usual AUC convention.
    rank_sum = float(rankdata(s)[y].sum())
    return (rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)


def mean_absolute_error(predicted: ArrayLike, actual: ArrayLike) -> float:
    """Return the mean absolute difference between predictions and outcomes."""
    p = np.asarray(predicted, dtype=np.float64).reshape(-1)
    a = np.asarray(actual, dtype=np.float64).reshape(-1)
    if p.size != a.size:
        raise ValueError("predicted and actual must have the same length")
    if p.size == 0:
        raise ModelError(gettext_noop("There is nothing to compare: no customers."))
    return float(np.abs(p - a).mean())
