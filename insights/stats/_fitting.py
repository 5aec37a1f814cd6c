"""Shared machinery: grouping identical rows and maximum-likelihood fitting on log-parameters."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Self

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import minimize

from ._types import AnyArray, BoolArray, FloatArray, IntArray
from .errors import ModelError, gettext_noop

# Log-parameter box: exp(+-15) spans 3e-7 .. 3e6, far beyond any sensible (rescaled) value, so an
# optimum on the box edge means the data cannot identify the model.
LOG_BOUND = 15.0
# A stop with a gradient this small is an optimum even if L-BFGS-B's line search complained, which
# happens when the objective is flat to rounding error.
_GRADIENT_OK = 1e-5

Objective = Callable[[FloatArray], tuple[float, FloatArray]]


@dataclass(frozen=True, kw_only=True)
class FittedParams:
    """What every maximum-likelihood fit reports besides its parameters.

    Subclasses declare their parameters as fields and name the model for messages.
    """

    MODEL: ClassVar[str] = "model"

    log_likelihood: float = math.nan
    converged: bool = True
    iterations: int = 0
    message: str = ""

    def as_dict(self) -> dict[str, float]:
        """Return the parameters and log-likelihood as a plain dict."""
        own = {f.name for f in fields(FittedParams)}
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in own}
        return {**values, "log_likelihood": self.log_likelihood}

    def require_converged(self) -> Self:
        """Return self, or raise ModelError if the fit did not converge."""
        if not self.converged:
            raise ModelError(
                gettext_noop("The %(model)s did not converge: %(reason)s"),
                model=self.MODEL,
                reason=self.message,
            )
        return self


@dataclass(frozen=True)
class Grouped:
    """Distinct rows of several equally long arrays, with counts and the map back to rows."""

    columns: tuple[AnyArray, ...]
    counts: FloatArray
    inverse: IntArray


@dataclass(frozen=True)
class Optimum:
    """The outcome of a minimisation on log-parameters."""

    params: FloatArray
    objective: float
    converged: bool
    iterations: int
    message: str


def group_rows(*columns: ArrayLike) -> Grouped:
    """Return the distinct rows of the given columns, how often each occurs and the row map."""
    arrays = [np.asarray(c).reshape(-1) for c in columns]
    key = np.zeros(arrays[0].size, dtype=np.int64)
    for arr in arrays:
        uniques, codes = np.unique(arr, return_inverse=True)
        if int(key.max(initial=0)) + 1 > 2**62 // max(uniques.size, 1):
            # Re-densify the mixed-radix key before it could overflow int64.
            key = np.unique(key, return_inverse=True)[1].reshape(-1).astype(np.int64)
        key = key * uniques.size + codes.reshape(-1)
    _, first, inverse, counts = np.unique(
        key, return_index=True, return_inverse=True, return_counts=True
    )
    return Grouped(
        columns=tuple(arr[first] for arr in arrays),
        counts=counts.astype(np.float64),
        inverse=inverse.reshape(-1).astype(np.int64),
    )


def wsum(weights: FloatArray, values: Any) -> float:
    """Return sum(weights * values).

    einsum rather than `@`: a 1-d `@` goes to the BLAS thread pool, which on a busy machine costs
    milliseconds of thread start-up per call -- 100x the arithmetic.
    """
    return float(np.einsum("i,i->", weights, np.asarray(values, dtype=np.float64)))


def row_weights(weights: ArrayLike | None, size: int) -> FloatArray:
    """Return validated per-row weights (ones when none are given)."""
    if weights is None:
        return np.ones(size)
    w = np.asarray(weights, dtype=np.float64).reshape(-1)
    if w.size != size:
        raise ValueError("weights must have one entry per row")
    if not (np.isfinite(w).all() and (w >= 0).all()) or w.sum() <= 0:
        raise ModelError(gettext_noop("Weights must be finite, non-negative and not all zero."))
    return w


# Above this many rows a fit first runs on a random subsample of customers and starts the full
# fit from there: the full data then needs a few iterations instead of a dozen or more.
WARM_START_ROWS = 200_000
WARM_START_CUSTOMERS = 50_000


def subsample_weights(weights: FloatArray, n: int, seed: int = 0) -> FloatArray:
    """Return weights of a seeded random sample of n customers drawn from weighted rows."""
    rng = np.random.default_rng(seed)
    return rng.multinomial(n, weights / weights.sum()).astype(np.float64)


def warm_minimise(
    objective_for: Callable[[BoolArray, FloatArray], Objective],
    weights: FloatArray,
    start: FloatArray,
    maxiter: int,
) -> Optimum:
    """Return the minimum of objective_for(all rows, weights), started from the optimum on a
    subsample of customers when there are many rows.

    objective_for(mask, w) must build the objective on the rows in mask with weights w.
    """
    if weights.size > WARM_START_ROWS:
        sample = subsample_weights(weights, WARM_START_CUSTOMERS)
        keep = sample > 0
        try:
            rough = minimise(objective_for(keep, sample[keep]), start, maxiter)
        except ModelError:
            rough = None  # an unlucky subsample; start from scratch instead
        if rough is not None and rough.converged:
            start = rough.params
    everything = np.ones(weights.size, dtype=bool)
    return minimise(objective_for(everything, weights), start, maxiter)


def minimise(objective: Objective, start: FloatArray, maxiter: int) -> Optimum:
    """Return the minimum of a smooth objective over log-parameters found by L-BFGS-B."""
    bounds = [(-LOG_BOUND, LOG_BOUND)] * start.size
    with np.errstate(all="ignore"):
        result = minimize(
            objective,
            start,
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": maxiter, "ftol": 1e-15, "gtol": 1e-9, "maxcor": 20},
        )
    x = np.asarray(result.x, dtype=np.float64)
    grad = np.asarray(result.jac, dtype=np.float64)
    finite = bool(np.isfinite(result.fun) and np.isfinite(x).all())
    small_gradient = finite and float(np.abs(grad).max()) < _GRADIENT_OK
    on_bound = bool((np.abs(x) >= LOG_BOUND - 1e-6).any())
    converged = (bool(result.success) or small_gradient) and finite and not on_bound
    message = str(result.message)
    if on_bound:
        message = "a parameter ran to the edge of its range: the data cannot identify the model"
    return Optimum(
        params=x,
        objective=float(result.fun),
        converged=converged,
        iterations=int(result.nit),
        message=message,
    )
