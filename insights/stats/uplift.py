"""What a campaign changed: treated against a randomised control, with 95 % intervals.

The control group is a random holdout, so the difference between the groups' rates (or means)
is an unbiased estimate of the campaign's effect. Intervals are the normal approximation with
unpooled variances (Wald for a difference of proportions, Welch for a difference of means):
at the group sizes campaigns have (hundreds and up) their coverage is close to the nominal
95 %, which the tests check by simulation. Nothing here knows about Django.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ._types import FloatArray

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Difference:
    """An estimated difference (treated − control) with its 95 % interval."""

    estimate: float
    low: float
    high: float

    @property
    def significant(self) -> bool:
        """Return whether the interval excludes zero."""
        return self.low > 0 or self.high < 0


def proportion_difference(
    treated_hits: int, treated_size: int, control_hits: int, control_size: int
) -> Difference | None:
    """Return the difference of two rates with its 95 % interval, or None when either
    group is empty."""
    if treated_size <= 0 or control_size <= 0:
        return None
    p1 = treated_hits / treated_size
    p0 = control_hits / control_size
    spread = math.sqrt(p1 * (1 - p1) / treated_size + p0 * (1 - p0) / control_size)
    return _interval(p1 - p0, spread)


@dataclass(frozen=True)
class Moments:
    """A group's size, sum and sum of squares: enough for its mean and variance, and what a
    database can add up without sending every customer's figure."""

    size: int
    total: float
    squares: float

    @classmethod
    def of(cls, values: FloatArray) -> Moments:
        """Return the moments of an array of values."""
        return cls(int(values.size), float(values.sum()), float((values * values).sum()))

    @property
    def mean(self) -> float:
        return self.total / self.size

    @property
    def variance(self) -> float:
        """Return the sample variance (never below zero from rounding)."""
        return max(0.0, (self.squares - self.size * self.mean**2) / (self.size - 1))


def mean_difference(treated: Moments, control: Moments) -> Difference | None:
    """Return the difference of two groups' means (revenue per customer) with its 95 %
    interval, or None when a group has fewer than two members."""
    if treated.size < 2 or control.size < 2:
        return None
    spread = math.sqrt(treated.variance / treated.size + control.variance / control.size)
    return _interval(treated.mean - control.mean, spread)


def _interval(estimate: float, spread: float) -> Difference:
    return Difference(estimate, estimate - Z95 * spread, estimate + Z95 * spread)


def return_on_cost(incremental_margin: float, cost: float) -> float | None:
    """Return (incremental margin − cost) / cost, or None when nothing was spent."""
    if cost <= 0:
        return None
    return (incremental_margin - cost) / cost
