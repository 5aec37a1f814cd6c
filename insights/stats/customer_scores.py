"""Per-customer scores from fitted models, computed once per distinct purchase history."""

from __future__ import annotations

from dataclasses import dataclass

from ._fitting import group_rows
from ._types import FloatArray, days_per_unit
from .bgnbd import BGNBDParams, expected_purchases_if_alive, probability_alive
from .churn import risk_from_expected
from .clv import discounted_expected_purchases_if_alive
from .gamma_gamma import GammaGammaParams, conditional_expected_spend
from .summary import RFMSummary


@dataclass(frozen=True)
class CustomerScores:
    """Model outputs per customer, aligned with the summary's customer order."""

    probability_alive: FloatArray
    expected_purchases: FloatArray  # over the scoring horizon
    churn_risk: FloatArray  # exp(-expected purchases over the scoring horizon)
    expected_spend: FloatArray  # per transaction
    clv: FloatArray


def score_customers(
    summary: RFMSummary,
    purchases: BGNBDParams,
    spend: GammaGammaParams,
    *,
    horizon_days: float = 90.0,
    months: int = 12,
    discount_rate: float = 0.01,
    margin: float = 1.0,
) -> CustomerScores:
    """Return P(alive), expected purchases and churn risk over `horizon_days`, expected spend
    and CLV over `months` for every customer of the summary.

    Expected purchases are P(alive) (cheap, per customer) times a hypergeometric term that
    depends on (x, T) only, so the costly part is evaluated once per distinct (x, T).
    """
    x, t_x, age = summary.frequency, summary.recency, summary.T
    g = group_rows(x, age)
    x_g, age_g = g.columns
    horizon = horizon_days / days_per_unit(summary.time_unit)
    alive = probability_alive(purchases, x, t_x, age)
    if_alive = expected_purchases_if_alive(purchases, horizon, x_g, age_g)[g.inverse]
    discounted = discounted_expected_purchases_if_alive(
        purchases,
        x_g,
        age_g,
        months=months,
        discount_rate=discount_rate,
        time_unit=summary.time_unit,
    )[g.inverse]
    expected_spend = conditional_expected_spend(spend, x, summary.monetary_value)
    expected = alive * if_alive
    return CustomerScores(
        probability_alive=alive,
        expected_purchases=expected,
        churn_risk=risk_from_expected(expected),
        expected_spend=expected_spend,
        clv=margin * expected_spend * alive * discounted,
    )
