"""What insights holds about one person: each kept run's scores and churn warnings."""

from collections.abc import Iterable
from pathlib import Path

from core.analysis_cache import cache_path
from customers.extensions import PersonalDataSection, PersonalValues
from customers.models import Customer
from insights.models import ChurnWarning, CustomerScore, ScoreRun
from insights.services import _risk_file
from insights.warnings import describe

SCORE_COLUMNS = (
    "run_id", "purchase_count", "first_purchase_on", "last_purchase_on", "revenue",
    "is_returning", "typical_interval_days", "p_alive", "churn_risk", "expected_purchases_30",
    "expected_purchases_90", "expected_purchases_365", "expected_spend", "clv", "value_tier",
    "r_score", "f_score", "m_score", "segment",
)  # fmt: skip
WARNING_COLUMNS = ("run_id", "as_of", "reasons", "value_at_risk")


def personal_data(customer: Customer) -> Iterable[PersonalDataSection]:
    """Return the customer's score in each run that kept scores, and their warnings.

    Scores are read by key, one per run: the table has no index by customer.
    """
    runs = dict(ScoreRun.objects.values_list("pk", "as_of"))
    scores = []
    for run_id in sorted(runs):
        score = CustomerScore.objects.of_customer(run_id, customer.pk).values(*SCORE_COLUMNS)
        scores += [{**row, "as_of": runs[run_id]} for row in score]
    warnings = ChurnWarning.objects.filter(customer=customer).order_by("run_id")
    warning_rows = [
        {
            "run_id": warning.run_id, "as_of": runs.get(warning.run_id),
            "reasons": " ".join(describe(reason) for reason in warning.reasons),
            "value_at_risk": warning.value_at_risk,
        }
        for warning in warnings
    ]  # fmt: skip
    return [
        PersonalDataSection("scores", ("as_of", *SCORE_COLUMNS), scores),
        PersonalDataSection("churn_warnings", WARNING_COLUMNS, warning_rows),
    ]


def erase_customer_data(customer: Customer, values: PersonalValues) -> list[Path]:
    """Keep the scores (numbers about a now anonymous customer); return the risk files.

    The files hold customer numbers and risks only, but nothing computed before the
    erasure should outlive it; the next run reads the previous risks from the scores.
    """
    return [
        cache_path(_risk_file(run_id)) for run_id in ScoreRun.objects.values_list("pk", flat=True)
    ]
