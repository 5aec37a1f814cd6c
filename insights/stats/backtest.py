"""Back-testing: fit on a calibration period, predict the holdout period, compare with what
happened; plus a streaming reader for transaction CSV files."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._fitting import group_rows
from ._types import AnyArray, FloatArray, IntArray, TimeUnit, days_per_unit
from .bgnbd import (
    BGNBDParams,
    conditional_expected_purchases,
    expected_purchases,
    fit_bgnbd,
    probability_no_purchases,
)
from .churn import churn_risk, mean_absolute_error, roc_auc
from .diagnostics import FitWarning, cap_spend, purchase_model_warnings
from .errors import ModelError, gettext_noop
from .gamma_gamma import GammaGammaParams, fit_gamma_gamma
from .summary import CustomerDays, RFMSummary, customer_days, day_number, summarise

CSV_COLUMNS = ("customer_id", "date", "amount")
DEFAULT_CHUNK_ROWS = 200_000


@dataclass(frozen=True)
class TrackingSeries:
    """Cumulative repeat purchases of the calibration cohort, week by week, actual and model."""

    dates: list[str]  # ISO date closing each week (the last one is the holdout end)
    actual: list[float]
    predicted: list[float]
    calibration_end: str


@dataclass(frozen=True)
class BacktestResult:
    """Figures from fitting on the calibration period and scoring the holdout period."""

    customers: int
    time_unit: str
    calibration_end: str
    holdout_end: str
    bgnbd: dict[str, float]
    gamma_gamma: dict[str, float]
    holdout: dict[str, float]
    tracking: TrackingSeries = field(repr=False)
    warnings: list[FitWarning] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return the result as plain JSON-ready data."""
        return asdict(self)


@dataclass(frozen=True)
class Transactions:
    """Transactions read from a file, with customer ids factorised to integer codes."""

    customer_code: IntArray  # index into customer_labels
    customer_labels: AnyArray  # the ids as written in the file
    dates: AnyArray  # datetime64[D]
    amounts: FloatArray

    @property
    def customer_ids(self) -> AnyArray:
        """Return the customer id of every transaction (allocates one string per row)."""
        return self.customer_labels[self.customer_code]


def _iso(day: int) -> str:
    """Return a day number as an ISO date string."""
    return str(np.datetime64(day, "D"))


def backtest(
    customer_ids: ArrayLike,
    dates: ArrayLike,
    amounts: ArrayLike,
    calibration_end: Any,
    holdout_end: Any,
    time_unit: TimeUnit = "weeks",
    spend_cap_factor: float = 20.0,
) -> BacktestResult:
    """Return the back-test of BG/NBD + Gamma-Gamma fitted on transactions up to calibration end
    and judged on repeat purchases in (calibration_end, holdout_end].

    The churn target is "no purchase in the holdout period"; its score is the model's
    probability of exactly that (see churn.churn_risk). Mean spends above `spend_cap_factor`
    times the median are capped for the spend model (diagnostics.cap_spend); what the fit and
    the cap call for is in `warnings`.
    """
    cal, end = day_number(calibration_end), day_number(holdout_end)
    if end <= cal:
        raise ValueError("holdout end must be after calibration end")
    rows = customer_days(customer_ids, dates, amounts, until=end)
    summary = summarise(rows, cal, time_unit)
    bg = fit_bgnbd(summary.frequency, summary.recency, summary.T).require_converged()
    capped, spend_warnings = cap_spend(summary, spend_cap_factor)
    gg = fit_spend_model(capped)
    horizon = (end - cal) / days_per_unit(time_unit)
    return BacktestResult(
        customers=summary.n_customers,
        time_unit=time_unit,
        calibration_end=_iso(cal),
        holdout_end=_iso(end),
        bgnbd=bg.as_dict(),
        gamma_gamma=gg.as_dict(),
        holdout=_holdout_figures(bg, summary, horizon),
        tracking=tracking_series(bg, rows, summary, cal, end),
        warnings=[*purchase_model_warnings(bg), *spend_warnings],
    )


def fit_spend_model(summary: RFMSummary) -> GammaGammaParams:
    """Return the Gamma-Gamma fit on the repeat buyers (with positive mean spend) of a summary."""
    repeat = (summary.frequency > 0) & (summary.monetary_value > 0)
    return fit_gamma_gamma(
        summary.frequency[repeat], summary.monetary_value[repeat]
    ).require_converged()


def grouped_expected_purchases(
    params: BGNBDParams, horizon: float, summary: RFMSummary
) -> FloatArray:
    """Return each customer's expected purchases over the horizon, computed once per distinct
    (x, t_x, T) because many customers share a history."""
    g = group_rows(summary.frequency, summary.recency, summary.T)
    x, t_x, age = g.columns
    return conditional_expected_purchases(params, horizon, x, t_x, age)[g.inverse]


def _holdout_figures(bg: BGNBDParams, summary: RFMSummary, horizon: float) -> dict[str, float]:
    """Return MAE, totals and churn AUC of the holdout predictions.

    The churn risk's AUC is shown beside two others: ranking by fewest expected purchases (the
    simplest alternative, which the risk must match) and the model's own P(no purchase).
    """
    actual = summary.holdout_frequency
    predicted = grouped_expected_purchases(bg, horizon, summary)
    risk = churn_risk(bg, horizon, summary.frequency, summary.recency, summary.T)
    silent = probability_no_purchases(bg, horizon, summary.frequency, summary.recency, summary.T)
    churned = actual == 0
    return {
        "horizon": horizon,
        "mae_per_customer": mean_absolute_error(predicted, actual),
        "predicted_total": float(predicted.sum()),
        "actual_total": float(actual.sum()),
        "auc_churn_risk": roc_auc(risk, churned),
        "auc_expected_purchases": roc_auc(-predicted, churned),
        "auc_model_no_purchase": roc_auc(silent, churned),
        "churned_share": float(churned.mean()),
    }


def tracking_series(
    bg: BGNBDParams, rows: CustomerDays, summary: RFMSummary, calibration_end: int, end: int
) -> TrackingSeries:
    """Return weekly cumulative repeat purchases of the calibration cohort, actual vs model.

    The model curve sums E[X(t)] over customers, t being each customer's time since their
    first purchase; customers are grouped by first-purchase day, so the work is
    weeks x distinct first days rather than weeks x customers.
    """
    unit = days_per_unit(summary.time_unit)
    start = int(summary.first_purchase_day.min())
    grid = np.arange(start + 7, end + 1, 7, dtype=np.int64)
    if grid.size == 0 or grid[-1] != end:
        grid = np.append(grid, end)
    cohort = rows.first_day() <= calibration_end
    repeat_rows = ~rows.is_first_row() & cohort[rows.row_customer]
    repeat_days = np.sort(rows.row_day[repeat_rows])
    actual = np.searchsorted(repeat_days, grid, side="right").astype(np.float64)
    first_days, counts = np.unique(summary.first_purchase_day, return_counts=True)
    elapsed = np.maximum(grid[:, None] - first_days[None, :], 0) / unit
    predicted = (expected_purchases(bg, elapsed) * counts).sum(axis=1)
    return TrackingSeries(
        dates=[_iso(int(d)) for d in grid],
        actual=actual.tolist(),
        predicted=np.asarray(predicted, dtype=np.float64).tolist(),
        calibration_end=_iso(calibration_end),
    )


# --- reading transaction files -------------------------------------------------------------


def _bad_row(line: int, column: str, value: str, expected: str) -> ValueError:
    """Return the error for one unreadable value."""
    return ValueError(f"Row {line}, column '{column}': {value!r} is not {expected}.")


def _header_positions(header: list[str]) -> tuple[int, int, int]:
    """Return the positions of customer_id, date and amount in a header row."""
    names = [name.strip().lower() for name in header]
    missing = [c for c in CSV_COLUMNS if c not in names]
    if missing:
        raise ValueError(
            f"The header must name the columns {', '.join(CSV_COLUMNS)}; missing: "
            f"{', '.join(missing)}."
        )
    i, d, a = (names.index(c) for c in CSV_COLUMNS)
    return i, d, a


def _parse_dates(values: list[str], lines: list[int]) -> AnyArray:
    """Return ISO date strings as datetime64[D], naming the first bad row if any."""
    try:
        parsed = np.array(values, dtype="datetime64[D]")
    except ValueError:
        parsed = None
    if parsed is not None and not np.isnat(parsed).any():
        return parsed
    # The fast path failed: find the offending row to report it exactly.
    for value, line in zip(values, lines, strict=True):
        try:
            ok = not np.isnat(np.datetime64(value.strip(), "D"))
        except ValueError:
            ok = False
        if not ok:
            raise _bad_row(line, "date", value, "an ISO date (YYYY-MM-DD)")
    raise AssertionError("unreachable: a chunk failed to parse but no row did")


def _parse_amounts(values: list[str], lines: list[int]) -> FloatArray:
    """Return decimal strings as float64, naming the first bad row if any."""
    try:
        parsed = np.array(values, dtype=np.float64)
    except ValueError:
        parsed = None
    if parsed is not None and np.isfinite(parsed).all():
        return parsed
    for value, line in zip(values, lines, strict=True):
        try:
            ok = bool(np.isfinite(float(value)))
        except ValueError:
            ok = False
        if not ok:
            raise _bad_row(line, "amount", value, "a number")
    raise AssertionError("unreachable: a chunk failed to parse but no row did")


def _chunks(
    reader: Iterator[list[str]], positions: tuple[int, int, int], chunk_rows: int
) -> Iterator[tuple[list[str], list[str], list[str], list[int]]]:
    """Yield (ids, dates, amounts, line numbers) for successive chunks of non-blank rows."""
    i, d, a = positions
    width = max(positions) + 1
    ids: list[str] = []
    dates: list[str] = []
    amounts: list[str] = []
    lines: list[int] = []
    line = 1
    for row in reader:
        line += 1
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) < width:
            missing = next(n for n, p in zip(CSV_COLUMNS, positions, strict=True) if p >= len(row))
            raise ValueError(f"Row {line}, column '{missing}': the value is missing.")
        customer = row[i].strip()
        if not customer:
            raise ValueError(f"Row {line}, column 'customer_id': the value is empty.")
        ids.append(customer)
        dates.append(row[d])
        amounts.append(row[a])
        lines.append(line)
        if len(ids) >= chunk_rows:
            yield ids, dates, amounts, lines
            ids, dates, amounts, lines = [], [], [], []
    if ids:
        yield ids, dates, amounts, lines


def read_transactions_csv(
    source: str | os.PathLike[str] | io.TextIOBase,
    progress: Callable[[int], None] | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> Transactions:
    """Return the transactions of a CSV file with columns customer_id, date (ISO), amount.

    The file is read in chunks of `chunk_rows` rows, converted with NumPy, and `progress` is
    called with the number of rows read after each chunk. A bad row raises ValueError naming
    its row number (the header is row 1) and column. Blank lines are skipped.
    """
    if isinstance(source, io.TextIOBase):
        return _read(source, progress, chunk_rows)
    # utf-8-sig drops the byte-order mark Excel writes.
    with open(source, encoding="utf-8-sig", newline="") as handle:
        return _read(handle, progress, chunk_rows)


def _read(handle: Any, progress: Callable[[int], None] | None, chunk_rows: int) -> Transactions:
    """Return the transactions read from an open text file."""
    reader = csv.reader(handle)
    header = next(reader, None)
    if header is None:
        raise ValueError("The file is empty: expected a header row customer_id,date,amount.")
    positions = _header_positions(header)
    index: dict[str, int] = {}
    codes: list[IntArray] = []
    days: list[AnyArray] = []
    values: list[FloatArray] = []
    done = 0
    for ids, dates, amounts, lines in _chunks(reader, positions, chunk_rows):
        days.append(_parse_dates(dates, lines))
        values.append(_parse_amounts(amounts, lines))
        # Factorise ids as we go: one small int per row instead of one string object.
        codes.append(
            np.fromiter((index.setdefault(c, len(index)) for c in ids), np.int64, len(ids))
        )
        done += len(ids)
        if progress is not None:
            progress(done)
    if not done:
        raise ModelError(gettext_noop("The file has no transactions."))
    return Transactions(
        customer_code=np.concatenate(codes),
        customer_labels=np.array(list(index), dtype=str),
        dates=np.concatenate(days),
        amounts=np.concatenate(values),
    )
