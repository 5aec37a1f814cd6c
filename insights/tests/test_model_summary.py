"""RFM summary conventions."""

import numpy as np
import pytest

from insights.stats import ModelError, rfm_summary
from insights.stats.summary import customer_days, day_number

from .test_model_data import CALIBRATION_END, HOLDOUT_END, sample_transactions, summary_csv

IDS = np.array([7, 7, 7, 7, 3, 3, 9, 5])
DAYS = np.array(
    [
        "2024-01-01",
        "2024-01-01",
        "2024-01-08",
        "2024-01-15",
        "2024-01-03",
        "2024-02-10",
        "2024-01-20",
        "2024-02-05",
    ],
    dtype="datetime64[D]",
)
AMOUNTS = np.array([10.0, 5.0, 20.0, 40.0, 8.0, 9.0, 11.0, 4.0])


def test_same_day_purchases_are_one_transaction_and_repeats_drive_monetary() -> None:
    s = rfm_summary(IDS, DAYS, AMOUNTS, "2024-01-31", holdout_end="2024-02-29")
    by_id = {int(c): i for i, c in enumerate(s.customer_id)}
    assert set(by_id) == {3, 7, 9}  # customer 5 first bought after calibration end
    c7 = by_id[7]
    assert s.frequency[c7] == 2  # 01-01 (two orders merged), 01-08, 01-15
    assert s.recency[c7] == 14
    assert s.T[c7] == 30
    assert s.monetary_value[c7] == pytest.approx(30.0)  # mean of 20 and 40; first (15) excluded
    c3 = by_id[3]
    assert (s.frequency[c3], s.recency[c3], s.T[c3], s.monetary_value[c3]) == (0, 0, 28, 0)
    assert s.holdout_frequency[c3] == 1
    assert s.holdout_frequency[c7] == 0
    assert s.first_purchase_day[c7] == day_number("2024-01-01")


def test_weeks_are_days_over_seven_and_integer_days_work() -> None:
    days = DAYS.astype(np.int64)
    s = rfm_summary(IDS, days, AMOUNTS, day_number("2024-01-31"), time_unit="weeks")
    c7 = list(s.customer_id).index(7)
    assert s.T[c7] == pytest.approx(30 / 7)
    assert s.recency[c7] == pytest.approx(2.0)


def test_string_ids_and_sparse_integer_ids_give_the_same_summary() -> None:
    as_str = rfm_summary(IDS.astype(str), DAYS, AMOUNTS, "2024-01-31")
    sparse = rfm_summary(IDS * 2**58, DAYS, AMOUNTS, "2024-01-31")
    dense = rfm_summary(IDS, DAYS, AMOUNTS, "2024-01-31")
    for other in (as_str, sparse):
        np.testing.assert_array_equal(other.frequency, dense.frequency)
        np.testing.assert_array_equal(other.T, dense.T)
    assert sorted(as_str.customer_id.tolist()) == ["3", "7", "9"]


def test_without_holdout_end_later_rows_are_ignored() -> None:
    s = rfm_summary(IDS, DAYS, AMOUNTS, "2024-01-31")
    assert s.holdout_frequency.sum() == 0


def test_cdnow_sample_matches_the_published_summary() -> None:
    ids, dates, amounts = sample_transactions()
    s = rfm_summary(ids, dates, amounts, CALIBRATION_END, HOLDOUT_END, time_unit="weeks")
    ref = summary_csv()
    assert s.n_customers == 2357
    np.testing.assert_array_equal(s.customer_id, ref["ID"].astype(np.int64))
    np.testing.assert_array_equal(s.frequency, ref["x"])
    # The published file is rounded to two decimals.
    np.testing.assert_allclose(s.recency, ref["t_x"], atol=0.005)
    np.testing.assert_allclose(s.T, ref["T"], atol=0.005)
    np.testing.assert_allclose(s.monetary_value, ref["zbar"], atol=0.005 + 1e-9)
    assert s.holdout_frequency.sum() == 1882


def test_customer_days_rejects_mismatched_or_empty_input() -> None:
    with pytest.raises(ValueError, match="same length"):
        customer_days(IDS, DAYS[:-1], AMOUNTS)
    with pytest.raises(ModelError, match="no transactions"):
        customer_days(IDS, DAYS, AMOUNTS, until="2000-01-01")
    with pytest.raises(ModelError, match="not finite"):
        customer_days(IDS, DAYS, np.where(IDS == 3, np.nan, AMOUNTS))
