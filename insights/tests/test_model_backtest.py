"""The CDNOW back-test and the transaction CSV reader."""

import io
from pathlib import Path

import numpy as np
import pytest

from insights.stats import BacktestResult, ModelError, backtest, read_transactions_csv

from .test_model_data import CALIBRATION_END, HOLDOUT_END, sample_transactions


@pytest.fixture(scope="module")
def result() -> BacktestResult:
    ids, dates, amounts = sample_transactions()
    return backtest(ids, dates, amounts, CALIBRATION_END, HOLDOUT_END, time_unit="weeks")


def test_cdnow_sample_backtest_figures(result: BacktestResult) -> None:
    assert result.customers == 2357
    assert result.holdout["actual_total"] == 1882
    assert result.holdout["horizon"] == 39.0
    assert result.holdout["mae_per_customer"] <= 0.79
    assert result.holdout["auc_churn_risk"] >= 0.75
    # Fitted on the exact transactions rather than the rounded file: the published values.
    bg = result.bgnbd
    assert (round(bg["r"], 3), round(bg["alpha"], 3), round(bg["a"], 3), round(bg["b"], 3)) == (
        0.243,
        4.414,
        0.793,
        2.426,
    )
    assert round(bg["log_likelihood"], 1) == -9582.4
    gg = result.gamma_gamma
    assert (round(gg["p"], 2), round(gg["q"], 2), round(gg["gamma"], 2)) == (6.25, 3.74, 15.44)


def test_tracking_series_is_cumulative_and_ends_at_holdout(result: BacktestResult) -> None:
    tracking = result.tracking
    assert tracking.dates[-1] == "1998-06-30"
    assert len(tracking.dates) == len(tracking.actual) == len(tracking.predicted) == 78
    assert np.all(np.diff(tracking.actual) >= 0)
    assert np.all(np.diff(tracking.predicted) >= 0)
    # The model tracks the cohort's cumulative repeat purchases within 10% (FHL 2005, fig. 3).
    assert tracking.predicted[-1] == pytest.approx(tracking.actual[-1], rel=0.1)
    assert result.as_dict()["tracking"]["calibration_end"] == "1997-09-30"


def test_churn_score_beats_p_alive(result: BacktestResult) -> None:
    # The trap the churn score avoids: 1 - P(alive) ranks one-time buyers as safest.
    from insights.stats import fit_bgnbd, probability_alive, rfm_summary, roc_auc

    ids, dates, amounts = sample_transactions()
    s = rfm_summary(ids, dates, amounts, CALIBRATION_END, HOLDOUT_END, time_unit="weeks")
    bg = fit_bgnbd(s.frequency, s.recency, s.T)
    naive = roc_auc(
        1 - probability_alive(bg, s.frequency, s.recency, s.T), s.holdout_frequency == 0
    )
    assert naive < 0.5 < 0.75 <= result.holdout["auc_churn_risk"]


CSV = "customer_id,date,amount\nA,2024-01-01,10.5\nB,2024-01-02,3\n\nA,2024-02-01,7.25\n"


def test_reader_streams_chunks_and_reports_progress(tmp_path: Path) -> None:
    path = tmp_path / "tx.csv"
    path.write_text("\ufeff" + CSV, encoding="utf-8")  # Excel's byte-order mark
    seen: list[int] = []
    tx = read_transactions_csv(path, progress=seen.append, chunk_rows=2)
    assert seen == [2, 3]
    assert tx.customer_ids.tolist() == ["A", "B", "A"]
    assert tx.dates.tolist() == list(
        np.array(["2024-01-01", "2024-01-02", "2024-02-01"], dtype="datetime64[D]").tolist()
    )
    np.testing.assert_array_equal(tx.amounts, [10.5, 3.0, 7.25])


def test_reader_accepts_reordered_and_extra_columns() -> None:
    text = "amount,note,date,customer_id\n5,x,2024-03-01,c1\n"
    tx = read_transactions_csv(io.StringIO(text))
    assert tx.customer_ids.tolist() == ["c1"]
    assert tx.amounts.tolist() == [5.0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (CSV + "C,2024-13-01,1\n", r"Row 6, column 'date': '2024-13-01'"),
        (CSV + "C,,1\n", r"Row 6, column 'date'"),
        (CSV + "C,2024-01-01,ten\n", r"Row 6, column 'amount': 'ten' is not a number"),
        (CSV + "C,2024-01-01,nan\n", r"Row 6, column 'amount'"),
        (CSV + "C,2024-01-01\n", r"Row 6, column 'amount': the value is missing"),
        (CSV + " ,2024-01-01,1\n", r"Row 6, column 'customer_id': the value is empty"),
        ("customer,date,amount\nA,2024-01-01,1\n", "missing: customer_id"),
        ("", "empty"),
    ],
)
def test_reader_names_the_bad_row_and_column(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        read_transactions_csv(io.StringIO(text), chunk_rows=2)


def test_reader_rejects_a_file_without_rows() -> None:
    with pytest.raises(ModelError, match="no transactions"):
        read_transactions_csv(io.StringIO("customer_id,date,amount\n"))


def test_backtest_of_read_file_matches_arrays(tmp_path: Path) -> None:
    ids, dates, amounts = sample_transactions()
    path = tmp_path / "cdnow.csv"
    with path.open("w") as handle:
        handle.write("customer_id,date,amount\n")
        for i, d, a in zip(ids.tolist(), dates.astype(str).tolist(), amounts.tolist(), strict=True):
            handle.write(f"{i},{d},{a!r}\n")
    tx = read_transactions_csv(path)
    result = backtest(tx.customer_code, tx.dates, tx.amounts, CALIBRATION_END, HOLDOUT_END, "weeks")
    assert result.holdout["actual_total"] == 1882
    assert result.customers == 2357
