"""The BG/NBD model of repeat buying (Fader, Hardie & Lee 2005, "Counting your customers the
easy way").

While alive a customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha); after each
repeat purchase they drop out for good with probability p ~ Beta(a, b). The data per customer are
x (repeat purchases), t_x (time of the last one) and T (time since the first purchase).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import digamma, gammaln, hyp2f1, roots_jacobi

from ._fitting import FittedParams, Objective, group_rows, row_weights, warm_minimise, wsum
from ._types import BoolArray, FloatArray, IntArray
from .errors import ModelError, gettext_noop

MIN_CUSTOMERS = 2


@dataclass(frozen=True)
class BGNBDParams(FittedParams):
    """Fitted BG/NBD parameters; alpha is in the time unit of the data it was fitted on."""

    MODEL = "BG/NBD model"

    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True)
class _Data:
    """Fitting data arranged so that each evaluation does as little per-row work as possible.

    Customers without repeat purchases contribute -r ln(alpha + T) only, so they are reduced
    to weights per distinct T. For repeat buyers the logs and reciprocals of alpha + T and
    alpha + t_x are taken once per distinct value and gathered, and terms in x alone once per
    distinct x.
    """

    x_values: FloatArray  # distinct x over all rows
    x_weight: FloatArray  # total weight per distinct x
    total: float
    zero_T: FloatArray  # distinct T of customers with x = 0
    zero_weight: FloatArray
    x: FloatArray  # repeat buyers' rows from here on
    weights: FloatArray
    b_term: FloatArray  # b-free part of ln(b + x - 1): x - 1
    T_values: FloatArray
    T_index: IntArray
    t_x_values: FloatArray
    t_x_index: IntArray


def _as_float(values: ArrayLike) -> FloatArray:
    """Return values as a flat float64 array."""
    return np.asarray(values, dtype=np.float64).reshape(-1)


def _validate(x: FloatArray, t_x: FloatArray, T: FloatArray) -> None:
    """Raise ModelError unless (x, t_x, T) is a usable BG/NBD summary."""
    if not (x.size == t_x.size == T.size):
        raise ValueError("frequency, recency and T must have the same length")
    if not (np.isfinite(x).all() and np.isfinite(t_x).all() and np.isfinite(T).all()):
        raise ModelError(gettext_noop("Frequency, recency and T must be finite numbers."))
    if (x < 0).any() or (x != np.round(x)).any():
        raise ModelError(
            gettext_noop("Frequency must be a whole number of repeat purchases, at least 0.")
        )
    if (t_x < 0).any() or (t_x > T).any():
        raise ModelError(gettext_noop("Recency must lie between 0 and T for every customer."))
    if ((x > 0) & (t_x <= 0)).any():
        raise ModelError(
            gettext_noop("A customer with repeat purchases must have a recency above 0.")
        )


def _distinct(values: FloatArray) -> tuple[FloatArray, IntArray]:
    """Return the distinct values and each row's position among them."""
    uniques, index = np.unique(values, return_inverse=True)
    return uniques, index.reshape(-1).astype(np.int64)


def _prepare(
    x: FloatArray, t_x: FloatArray, T: FloatArray, weights: FloatArray, scale: float
) -> _Data:
    """Return the fitting data with times multiplied by `scale`."""
    x_values, x_index = _distinct(x)
    repeat = x > 0
    zero_T, zero_index = _distinct(T[~repeat] * scale)
    T_values, T_index = _distinct(T[repeat] * scale)
    t_x_values, t_x_index = _distinct(t_x[repeat] * scale)
    return _Data(
        x_values=x_values,
        x_weight=np.bincount(x_index, weights=weights, minlength=x_values.size).astype(np.float64),
        total=float(weights.sum()),
        zero_T=zero_T,
        zero_weight=np.bincount(zero_index, weights=weights[~repeat], minlength=zero_T.size).astype(
            np.float64
        ),
        x=x[repeat],
        weights=weights[repeat],
        b_term=x[repeat] - 1.0,
        T_values=T_values,
        T_index=T_index,
        t_x_values=t_x_values,
        t_x_index=t_x_index,
    )


def _loglik_and_grad(params: FloatArray, d: _Data) -> tuple[float, FloatArray]:
    """Return the weighted log-likelihood and its gradient in (r, alpha, a, b).

    LL_i = A1 + A2 + log(exp(A3) + [x > 0] exp(A4)) with (FHL 2005, eq. 6)
      A1 = lnG(r + x) - lnG(r) + r ln(alpha)
      A2 = lnG(a + b) + lnG(b + x) - lnG(b) - lnG(a + b + x)
      A3 = -(r + x) ln(alpha + T)
      A4 = ln(a) - ln(b + x - 1) - (r + x) ln(alpha + t_x)
    Terms that depend on x alone are evaluated once per distinct x and weighted by its count.
    """
    r, alpha, a, b = (float(v) for v in params)
    xv, wx, w, x, total = d.x_values, d.x_weight, d.weights, d.x, d.total
    ll_x = wsum(wx, gammaln(r + xv) + gammaln(b + xv) - gammaln(a + b + xv))
    ll_const = total * (r * math.log(alpha) + gammaln(a + b) - gammaln(r) - gammaln(b))
    # Customers with x = 0: LL = A3 = -r ln(alpha + T).
    zero_log = np.log(alpha + d.zero_T)
    ll_zero = -r * wsum(d.zero_weight, zero_log)
    # Repeat buyers: LL = logaddexp(A3, A4).
    rx = r + x
    log_at = np.log(alpha + d.T_values)[d.T_index]
    log_ar = np.log(alpha + d.t_x_values)[d.t_x_index]
    bx1 = b + d.b_term
    a3 = -rx * log_at
    a4 = math.log(a) - np.log(bx1) - rx * log_ar
    mix = np.logaddexp(a3, a4)
    # Posterior weight of the "dropped out after the last purchase" branch.
    w4 = np.exp(a4 - mix)
    w3 = 1.0 - w4
    ll = ll_x + ll_const + ll_zero + wsum(w, mix)
    inv_at = (1.0 / (alpha + d.T_values))[d.T_index]
    inv_ar = (1.0 / (alpha + d.t_x_values))[d.t_x_index]
    psi_ab_x = wsum(wx, digamma(a + b + xv))
    grad = np.array(
        [
            wsum(wx, digamma(r + xv))
            + total * (math.log(alpha) - digamma(r))
            - wsum(d.zero_weight, zero_log)
            - wsum(w, w3 * log_at + w4 * log_ar),
            total * r / alpha
            - r * wsum(d.zero_weight, 1.0 / (alpha + d.zero_T))
            - wsum(w, rx * (w3 * inv_at + w4 * inv_ar)),
            total * digamma(a + b) - psi_ab_x + wsum(w, w4) / a,
            total * (digamma(a + b) - digamma(b))
            + wsum(wx, digamma(b + xv))
            - psi_ab_x
            - wsum(w, w4 / bx1),
        ]
    )
    return ll, grad


def log_likelihood(
    params: BGNBDParams | tuple[float, float, float, float],
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    weights: ArrayLike | None = None,
) -> float:
    """Return the total (weighted) BG/NBD log-likelihood of the data."""
    value, _ = log_likelihood_with_gradient(params, frequency, recency, T, weights)
    return value


def log_likelihood_with_gradient(
    params: BGNBDParams | tuple[float, float, float, float],
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    weights: ArrayLike | None = None,
) -> tuple[float, FloatArray]:
    """Return the total log-likelihood and its analytic gradient in (r, alpha, a, b)."""
    x, t_x, t = _as_float(frequency), _as_float(recency), _as_float(T)
    _validate(x, t_x, t)
    d = _prepare(x, t_x, t, row_weights(weights, x.size), 1.0)
    return _loglik_and_grad(_param_vector(params), d)


def _param_vector(params: BGNBDParams | tuple[float, float, float, float]) -> FloatArray:
    """Return (r, alpha, a, b) as an array."""
    if isinstance(params, BGNBDParams):
        return np.array([params.r, params.alpha, params.a, params.b])
    return np.asarray(params, dtype=np.float64)


def _check_fittable(x: FloatArray, T: FloatArray, weights: FloatArray) -> None:
    """Raise ModelError for data on which BG/NBD has no meaningful maximum."""
    present = weights > 0
    if present.sum() == 0 or weights.sum() < MIN_CUSTOMERS:
        raise ModelError(
            gettext_noop("At least %(count)d customers are needed to fit the BG/NBD model."),
            count=MIN_CUSTOMERS,
        )
    if not (T[present] > 0).any():
        raise ModelError(
            gettext_noop(
                "Every customer's first purchase is on the calibration end date (T = 0): "
                "there is no observed time in which to buy again."
            )
        )
    if not (x[present] > 0).any():
        raise ModelError(
            gettext_noop(
                "No customer bought more than once, so the repeat-purchase model cannot be fitted."
            )
        )


def fit_bgnbd(
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    weights: ArrayLike | None = None,
    *,
    group: bool = True,
    maxiter: int = 1000,
) -> BGNBDParams:
    """Return maximum-likelihood BG/NBD parameters for per-customer (x, t_x, T).

    Identical rows are grouped first (weights = counts) unless `group` is False; the fit is on
    log-parameters with times rescaled so that max(T) = 1, which keeps the problem well scaled
    whatever the time unit. Check `converged` (or call require_converged()) before using it.
    """
    x, t_x, t = _as_float(frequency), _as_float(recency), _as_float(T)
    _validate(x, t_x, t)
    w = row_weights(weights, x.size)
    _check_fittable(x, t, w)
    if group:
        g = group_rows(x, t_x, t)
        x, t_x, t = (np.asarray(c, dtype=np.float64) for c in g.columns)
        w = np.bincount(g.inverse, weights=w, minlength=x.size).astype(np.float64)
    scale = 1.0 / float(t.max())

    def objective_for(rows: BoolArray, weights: FloatArray) -> Objective:
        data = _prepare(x[rows], t_x[rows], t[rows], weights, scale)

        def objective(log_params: FloatArray) -> tuple[float, FloatArray]:
            params = np.exp(log_params)
            ll, grad = _loglik_and_grad(params, data)
            # Mean negative log-likelihood: O(1) whatever the number of customers.
            return -ll / data.total, -grad * params / data.total

        return objective

    best = warm_minimise(objective_for, w, np.zeros(4), maxiter)
    r, alpha, a, b = np.exp(best.params)
    alpha /= scale
    ll = _loglik_and_grad(np.array([r, alpha, a, b]), _prepare(x, t_x, t, w, 1.0))[0]
    return BGNBDParams(
        r=float(r),
        alpha=float(alpha),
        a=float(a),
        b=float(b),
        log_likelihood=float(ll),
        converged=best.converged and math.isfinite(ll),
        iterations=best.iterations,
        message=best.message,
    )


def probability_alive(
    params: BGNBDParams, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> FloatArray:
    """Return P(alive at T | x, t_x, T) (Fader, Hardie & Lee 2008, note 021).

    In BG/NBD a customer can only drop out right after a repeat purchase, so x = 0 gives 1.
    """
    x, t_x, t = _as_float(frequency), _as_float(recency), _as_float(T)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    log_odds_dead = (r + x) * np.log((alpha + t) / (alpha + t_x)) + np.log(
        a / (b + np.maximum(x, 1.0) - 1.0)
    )
    p_alive = 1.0 / (1.0 + np.exp(log_odds_dead))
    return np.where(x > 0, p_alive, 1.0)


def _log_hyp2f1(a: FloatArray, b: FloatArray, c: FloatArray, z: FloatArray) -> FloatArray:
    """Return log 2F1(a, b; c; z), using Euler's transformation where the direct series fails."""
    with np.errstate(all="ignore"):
        direct = np.log(hyp2f1(a, b, c, z))
        bad = ~np.isfinite(direct)
        if bad.any():
            # 2F1(a,b;c;z) = (1-z)^(c-a-b) 2F1(c-a, c-b; c; z)
            ab, bb, cb, zb = (np.broadcast_to(v, direct.shape)[bad] for v in (a, b, c, z))
            direct[bad] = np.log(hyp2f1(cb - ab, cb - bb, cb, zb)) + (cb - ab - bb) * np.log1p(-zb)
    return np.asarray(direct, dtype=np.float64)


# Gauss-Jacobi nodes for the expectation by quadrature; the integrand is smooth on [0, 1], so
# 128 nodes agree with the closed form to ~1e-10 wherever both are defined (test_model_degenerate).
QUADRATURE_NODES = 128


def _expected_by_quadrature(
    params: BGNBDParams, shape: FloatArray, rate: FloatArray, b_post: FloatArray, t: FloatArray
) -> FloatArray:
    """Return E[purchases in t | alive] = E_p[(1 - (rate / (rate + p t))^shape) / p].

    With lambda ~ Gamma(shape, rate) and p ~ Beta(a, b_post) a live customer expects
    (1 - exp(-lambda p t)) / p purchases; lambda integrates out in closed form and p by
    Gauss-Jacobi quadrature with the Beta density as weight. This is the same quantity as the
    hypergeometric formula, without its pole at a + b + x - 1 = 0.
    """
    out = np.empty(shape.size)
    for b_value in np.unique(b_post):
        rows = b_post == b_value
        nodes, weights = roots_jacobi(QUADRATURE_NODES, b_value - 1.0, params.a - 1.0)
        p = (nodes + 1.0) / 2.0
        # The weights' common factor overflows for large b; normalised, they are the Beta law.
        weights = weights / weights.sum()
        growth = np.log1p(p[None, :] * (t[rows] / rate[rows])[:, None])
        per_p = -np.expm1(-shape[rows, None] * growth) / p[None, :]
        out[rows] = per_p @ weights
    return out


def _expected_if_alive(
    params: BGNBDParams, x: FloatArray, age: FloatArray, horizon: FloatArray
) -> FloatArray:
    """Return E[purchases in (T, T + t] | x, T, alive at T], broadcast over the arguments.

    The closed form (FHL 2005, eq. 10) has a pole where a + b + x - 1 = 0 and SciPy's 2F1 gives
    NaN for a negative third argument (a fit with a + b < 1 on one-time buyers, as on a small
    shop); there, and wherever it is not finite, the same expectation is integrated instead.
    """
    x, age, horizon = (
        np.asarray(v, dtype=np.float64) for v in np.broadcast_arrays(x, age, horizon)
    )
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    c = a + b + x - 1.0
    with np.errstate(all="ignore"):
        z = horizon / (alpha + age + horizon)
        log_h = _log_hyp2f1(r + x, b + x, c, z)
        ratio = np.log((alpha + age) / (alpha + age + horizon))
        value = np.asarray(c / (a - 1.0) * -np.expm1(log_h + (r + x) * ratio), dtype=np.float64)
    redo = (c < 1.0) | ~np.isfinite(value) | (value < 0.0)
    if redo.any():
        value = value.copy()
        value[redo] = _expected_by_quadrature(
            params, r + x[redo], alpha + age[redo], b + x[redo], horizon[redo]
        )
    return value


def expected_purchases_if_alive(
    params: BGNBDParams, t: float | ArrayLike, frequency: ArrayLike, T: ArrayLike
) -> FloatArray:
    """Return E[purchases in (T, T + t] | x, T, alive at T].

    The conditional expectation of FHL 2005 (eq. 10) factorises as P(alive) times this, which
    does not depend on t_x: the costly hypergeometric function is needed once per distinct
    (x, T), not per customer.
    """
    x, age = _as_float(frequency), _as_float(T)
    return _expected_if_alive(params, x, age, np.asarray(t, dtype=np.float64))


def conditional_expected_purchases(
    params: BGNBDParams,
    t: float | ArrayLike,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
) -> FloatArray:
    """Return E[purchases in (T, T + t] | x, t_x, T] (FHL 2005, eq. 10)."""
    alive = probability_alive(params, frequency, recency, T)
    return np.asarray(
        alive * expected_purchases_if_alive(params, t, frequency, T), dtype=np.float64
    )


def expected_purchases(params: BGNBDParams, t: float | ArrayLike) -> FloatArray:
    """Return E[X(t)], the expected repeat purchases of a new customer by time t (FHL eq. 9).

    A new customer is one alive at age 0 with no repeat purchase yet.
    """
    horizon = np.asarray(t, dtype=np.float64)
    zero = np.zeros_like(horizon)
    return _expected_if_alive(params, zero, zero, horizon).reshape(horizon.shape)


def probability_no_purchases(
    params: BGNBDParams,
    t: float | ArrayLike,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
) -> FloatArray:
    """Return P(no purchase in (T, T + t] | x, t_x, T).

    Dropout happens only at purchases, so "no purchase in the window" is either "already gone"
    or "alive and the Poisson clock did not tick". Given alive at T the purchase rate has
    posterior Gamma(r + x, alpha + T) whatever p is, so the tick-free chance is
    ((alpha + T) / (alpha + T + t))^(r + x):
        P = 1 - P(alive) + P(alive) * ((alpha + T) / (alpha + T + t))^(r + x).
    For x = 0 P(alive) = 1 but the second factor still orders customers by age.
    """
    x, age = _as_float(frequency), _as_float(T)
    p_alive = probability_alive(params, x, recency, age)
    silent = ((params.alpha + age) / (params.alpha + age + np.asarray(t, dtype=np.float64))) ** (
        params.r + x
    )
    return np.asarray(1.0 - p_alive + p_alive * silent, dtype=np.float64)
