"""Statistical models of customer behaviour: pure NumPy/SciPy, no Django.

BG/NBD for repeat purchases and P(alive), Gamma-Gamma for spend, CLV, churn risk, RFM summaries,
back-testing and a simulator. Inputs are plain arrays; outputs are arrays and frozen dataclasses.
"""

from .backtest import BacktestResult, Transactions, backtest, read_transactions_csv
from .bgnbd import (
    BGNBDParams,
    conditional_expected_purchases,
    expected_purchases,
    fit_bgnbd,
    probability_alive,
    probability_no_purchases,
)
from .churn import churn_risk, mean_absolute_error, roc_auc
from .clv import customer_lifetime_value
from .customer_scores import CustomerScores, score_customers
from .errors import ModelError
from .gamma_gamma import GammaGammaParams, conditional_expected_spend, fit_gamma_gamma
from .simulate import SimulatedTransactions, simulate_transactions
from .summary import RFMSummary, rfm_summary

__all__ = [
    "BGNBDParams",
    "BacktestResult",
    "CustomerScores",
    "GammaGammaParams",
    "ModelError",
    "RFMSummary",
    "SimulatedTransactions",
    "Transactions",
    "backtest",
    "churn_risk",
    "conditional_expected_purchases",
    "conditional_expected_spend",
    "customer_lifetime_value",
    "expected_purchases",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "mean_absolute_error",
    "probability_alive",
    "probability_no_purchases",
    "read_transactions_csv",
    "rfm_summary",
    "roc_auc",
    "score_customers",
    "simulate_transactions",
]
