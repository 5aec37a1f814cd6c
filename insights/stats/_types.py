"""Array aliases shared by the model modules."""

from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
AnyArray = NDArray[Any]
TimeUnit = Literal["days", "weeks"]

# Days per model time unit; weeks are fractional (days / 7), as in Fader & Hardie's CDNOW files.
DAYS_PER_UNIT: dict[str, float] = {"days": 1.0, "weeks": 7.0}


def days_per_unit(unit: str) -> float:
    """Return how many days one model time unit spans, rejecting unknown units."""
    try:
        return DAYS_PER_UNIT[unit]
    except KeyError:
        raise ValueError(f"time unit must be 'days' or 'weeks', not {unit!r}") from None
