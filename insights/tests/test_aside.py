"""Pure computation runs in a forked process and its result or failure comes back."""

import numpy as np
import pytest

from insights.aside import AsideError, compute_aside


def total(values: np.ndarray, scale: int) -> float:
    return float(values.sum()) * scale


def fail(message: str) -> None:
    raise ValueError(message)


def test_the_child_sees_the_arrays_and_returns_its_result():
    values = np.arange(1_000_000, dtype=np.float64)
    wait = compute_aside(total, values, scale=2)
    assert wait() == float(values.sum()) * 2


def test_a_failure_in_the_child_is_raised_with_its_traceback():
    wait = compute_aside(fail, "no such tier")
    with pytest.raises(AsideError, match="ValueError: no such tier"):
        wait()
