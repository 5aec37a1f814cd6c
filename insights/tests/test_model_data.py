"""Loaders for the CDNOW test data shared by the model tests (no tests here)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

DATA = Path(__file__).parent / "data"
CALIBRATION_END = np.datetime64("1997-09-30")
HOLDOUT_END = np.datetime64("1998-06-30")


@cache
def summary_csv() -> dict[str, NDArray[np.float64]]:
    """Return the published 39-week CDNOW calibration summary (x, t_x, T, zbar) by column."""
    table = np.genfromtxt(
        DATA / "cdnow_customers_summary_with_transactions.csv", delimiter=",", names=True
    )
    return {name: np.asarray(table[name], dtype=np.float64) for name in table.dtype.names or ()}


def _ymd(values: NDArray[np.str_]) -> NDArray[np.datetime64]:
    """Return YYYYMMDD strings as datetime64[D]."""
    return np.array([f"{v[:4]}-{v[4:6]}-{v[6:8]}" for v in values], dtype="datetime64[D]")


@cache
def sample_transactions() -> tuple[NDArray[np.int64], NDArray[np.datetime64], NDArray[np.float64]]:
    """Return (sample id, date, dollar value) rows of the 1/10 CDNOW sample."""
    raw = np.loadtxt(DATA / "CDNOW_sample.txt", dtype=str)
    return raw[:, 1].astype(np.int64), _ymd(raw[:, 2]), raw[:, 4].astype(np.float64)


@cache
def master_transactions() -> tuple[NDArray[np.int64], NDArray[np.datetime64], NDArray[np.float64]]:
    """Return (customer id, date, dollar value) rows of the full CDNOW cohort."""
    raw = np.loadtxt(DATA / "CDNOW_master.txt", dtype=str, skiprows=1)
    return raw[:, 0].astype(np.int64), _ymd(raw[:, 1]), raw[:, 3].astype(np.float64)
