"""The Gamma-Gamma model of spend per transaction (Fader & Hardie 2013, note 025).

Each transaction value of a customer is Gamma(p, nu) with the customer's nu ~ Gamma(q, gamma),
independent of the purchase process; it is fitted on repeat buyers' mean repeat spend (x > 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import digamma, gammaln

from ._fitting import FittedParams, Objective, row_weights, warm_minimise, wsum
from ._types import BoolArray, FloatArray
from .errors import ModelError, gettext_noop

MIN_REPEAT_BUYERS = 2


@dataclass(frozen=True)
class GammaGammaParams(FittedParams):
    """Fitted Gamma-Gamma parameters (gamma is in the currency of the data)."""

    MODEL = "Gamma-Gamma spend model"

    p: float
    q: float
    gamma: float

    def population_mean_spend(self) -> float:
        """Return the mean spend per transaction across customers, p * gamma / (q - 1)."""
        if self.q <= 1.0:
            raise ModelError(
                gettext_noop("The fitted spend distribution has no finite mean (q <= 1).")
            )
        return self.p * self.gamma / (self.q - 1.0)


def _inputs(frequency: ArrayLike, monetary_value: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Return (x, mean spend) as flat float arrays, checked for shape and finiteness."""
    x = np.asarray(frequency, dtype=np.float64).reshape(-1)
    m = np.asarray(monetary_value, dtype=np.float64).reshape(-1)
    if x.size != m.size:
        raise ValueError("frequency and monetary value must have the same length")
    if not (np.isfinite(x).all() and np.isfinite(m).all()):
        raise ModelError(gettext_noop("Frequency and monetary value must be finite numbers."))
    return x, m


@dataclass(frozen=True)
class _Data:
    """Fitting data with everything that does not depend on the parameters precomputed."""

    x_values: FloatArray  # distinct x
    x_weight: FloatArray  # total weight per distinct x
    xm: FloatArray  # x * mean spend per row
    weights: FloatArray  # w per row
    x_weights: FloatArray  # w * x per row
    total: float
    sum_x_log_m: float  # sum w x ln m
    sum_log_m: float  # sum w ln m
    sum_x_log_x: float  # sum w x ln x


def _prepare(x: FloatArray, m: FloatArray, w: FloatArray) -> _Data:
    """Return the fitting data for repeat buyers' (x, mean spend) with weights."""
    x_values, x_index = np.unique(x, return_inverse=True)
    log_m = np.log(m)
    return _Data(
        x_values=x_values,
        x_weight=np.bincount(x_index.reshape(-1), weights=w, minlength=x_values.size).astype(
            np.float64
        ),
        xm=x * m,
        weights=w,
        x_weights=w * x,
        total=float(w.sum()),
        sum_x_log_m=wsum(w, x * log_m),
        sum_log_m=wsum(w, log_m),
        sum_x_log_x=wsum(w, x * np.log(x)),
    )


def _loglik_and_grad(params: FloatArray, d: _Data) -> tuple[float, FloatArray]:
    """Return the weighted log-likelihood and its gradient in (p, q, gamma).

    ll_i = lnG(px + q) - lnG(px) - lnG(q) + q ln(gamma) + (px - 1) ln(m) + px ln(x)
           - (px + q) ln(x m + gamma)          (Fader & Hardie 2013, eq. 1a)
    Gamma functions depend on x alone and are evaluated once per distinct x; everything else
    is linear in p and q around two per-row arrays, ln(x m + gamma) and 1 / (x m + gamma).
    """
    p, q, v = (float(value) for value in params)
    xv, wx, total = d.x_values, d.x_weight, d.total
    pxv = p * xv
    log_s = np.log(d.xm + v)
    inv_s = 1.0 / (d.xm + v)
    sum_log_s, sum_x_log_s = wsum(d.weights, log_s), wsum(d.x_weights, log_s)
    sum_inv_s, sum_x_inv_s = wsum(d.weights, inv_s), wsum(d.x_weights, inv_s)
    psi_pxq = digamma(pxv + q)
    ll = (
        wsum(wx, gammaln(pxv + q) - gammaln(pxv))
        + total * (q * math.log(v) - gammaln(q))
        + p * (d.sum_x_log_m + d.sum_x_log_x)
        - d.sum_log_m
        - p * sum_x_log_s
        - q * sum_log_s
    )
    grad = np.array(
        [
            wsum(wx, xv * (psi_pxq - digamma(pxv))) + d.sum_x_log_m + d.sum_x_log_x - sum_x_log_s,
            wsum(wx, psi_pxq) - sum_log_s + total * (math.log(v) - digamma(q)),
            total * q / v - p * sum_x_inv_s - q * sum_inv_s,
        ]
    )
    return ll, grad


def log_likelihood_with_gradient(
    params: GammaGammaParams | tuple[float, float, float],
    frequency: ArrayLike,
    monetary_value: ArrayLike,
    weights: ArrayLike | None = None,
) -> tuple[float, FloatArray]:
    """Return the total log-likelihood and its analytic gradient in (p, q, gamma)."""
    x, m = _inputs(frequency, monetary_value)
    _check_repeat_buyers(x, m)
    vector = (
        np.array([params.p, params.q, params.gamma])
        if isinstance(params, GammaGammaParams)
        else np.asarray(params, dtype=np.float64)
    )
    return _loglik_and_grad(vector, _prepare(x, m, row_weights(weights, x.size)))


def _check_repeat_buyers(x: FloatArray, m: FloatArray) -> None:
    """Raise ModelError unless every row is a repeat buyer with a positive mean spend."""
    if ((x <= 0) | (m <= 0)).any():
        raise ModelError(
            gettext_noop(
                "The spend model needs repeat buyers with a positive mean spend; "
                "pass only customers with frequency > 0 and monetary value > 0."
            )
        )


def fit_gamma_gamma(
    frequency: ArrayLike,
    monetary_value: ArrayLike,
    weights: ArrayLike | None = None,
    *,
    maxiter: int = 1000,
) -> GammaGammaParams:
    """Return maximum-likelihood Gamma-Gamma parameters from repeat buyers' (x, mean spend).

    Spend is rescaled by its mean during the fit so that the optimiser starts near the answer
    in every currency; gamma is scaled back afterwards.
    """
    x, m = _inputs(frequency, monetary_value)
    _check_repeat_buyers(x, m)
    w = row_weights(weights, x.size)
    if float(w.sum()) < MIN_REPEAT_BUYERS:
        raise ModelError(
            gettext_noop("At least %(count)d repeat buyers are needed to fit the spend model."),
            count=MIN_REPEAT_BUYERS,
        )
    if np.ptp(m[w > 0]) == 0.0:
        raise ModelError(
            gettext_noop("Every repeat buyer has the same mean spend: the spend model cannot fit.")
        )
    scale = 1.0 / float(np.average(m, weights=w))

    def objective_for(rows: BoolArray, weights: FloatArray) -> Objective:
        data = _prepare(x[rows], m[rows] * scale, weights)

        def objective(log_params: FloatArray) -> tuple[float, FloatArray]:
            params = np.exp(log_params)
            ll, grad = _loglik_and_grad(params, data)
            return -ll / data.total, -grad * params / data.total

        return objective

    best = warm_minimise(objective_for, w, np.zeros(3), maxiter)
    p, q, v = np.exp(best.params)
    v /= scale
    ll = _loglik_and_grad(np.array([p, q, v]), _prepare(x, m, w))[0]
    return GammaGammaParams(
        p=float(p),
        q=float(q),
        gamma=float(v),
        log_likelihood=float(ll),
        converged=best.converged and math.isfinite(ll),
        iterations=best.iterations,
        message=best.message,
    )


def conditional_expected_spend(
    params: GammaGammaParams, frequency: ArrayLike, monetary_value: ArrayLike
) -> FloatArray:
    """Return E[spend per transaction | x, mean spend] (Fader & Hardie 2013, eq. 5).

    A weighted average of the population mean and the customer's own mean, the customer's
    weight growing with x; customers with x = 0 get the population mean.
    """
    x, m = _inputs(frequency, monetary_value)
    p, q = params.p, params.q
    population = params.population_mean_spend()
    own = p * x / (p * x + q - 1.0)
    return np.asarray((1.0 - own) * population + own * m, dtype=np.float64)
