"""Customer lifetime value: the discrete discounted formula."""

import numpy as np
import pytest

from insights.stats import (
    BGNBDParams,
    conditional_expected_purchases,
    customer_lifetime_value,
)


def test_clv_is_the_discounted_sum_of_monthly_increments() -> None:
    params = BGNBDParams(r=0.25, alpha=4.4, a=0.8, b=2.4)
    x, t_x, t = np.array([0.0, 2.0, 7.0]), np.array([0.0, 30.0, 38.0]), np.array([39.0] * 3)
    spend = np.array([30.0, 25.0, 40.0])
    clv = customer_lifetime_value(
        params, spend, x, t_x, t, months=6, discount_rate=0.02, margin=0.3, time_unit="weeks"
    )
    expected = np.zeros(3)
    for month in range(1, 7):
        now = conditional_expected_purchases(params, month * 4.345, x, t_x, t)
        before = conditional_expected_purchases(params, (month - 1) * 4.345, x, t_x, t)
        expected += 0.3 * spend * (now - before) / 1.02**month
    np.testing.assert_allclose(clv, expected, rtol=1e-12)
    assert clv[2] > clv[1]  # frequent and recent is worth more


def test_clv_rejects_bad_arguments() -> None:
    params = BGNBDParams(r=0.25, alpha=4.4, a=0.8, b=2.4)
    with pytest.raises(ValueError, match="at least one month"):
        customer_lifetime_value(params, [1.0], [1], [1.0], [2.0], months=0)
    with pytest.raises(ValueError, match="time unit"):
        customer_lifetime_value(params, [1.0], [1], [1.0], [2.0], time_unit="hours")  # type: ignore[arg-type]
