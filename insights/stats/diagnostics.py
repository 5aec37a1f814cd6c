"""What a fit or its data says about which scores can be trusted, in words for the user.

A maximum-likelihood fit can converge to a corner that is a valid optimum and still useless,
and a few extreme amounts can drag the spend model: both are said with every run and back-test
rather than left for the user to find in the numbers.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from .bgnbd import BGNBDParams
from .errors import gettext_noop
from .summary import RFMSummary

# Below this mean dropout chance per repeat purchase, a / (a + b), the fit says that nobody
# leaves: one in a thousand purchases followed by a dropout is a decade of weekly buying.
NO_DROPOUT_BELOW = 1e-3


@dataclass(frozen=True)
class FitWarning:
    """One thing the user must know about a run or back-test; the template is translated where
    it is shown (insights.models.translate_model_error), like ModelError's."""

    code: str
    template: str
    params: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """Return the warning as JSON-ready data."""
        return dataclasses.asdict(self)


def purchase_model_warnings(params: BGNBDParams) -> list[FitWarning]:
    """Return the warnings a BG/NBD fit calls for: none, or that it sees no customer leave."""
    dropout = params.a / (params.a + params.b)
    if dropout >= NO_DROPOUT_BELOW:
        return []
    return [
        FitWarning(
            "no_dropout",
            gettext_noop(
                "The purchase model found no sign of customers leaving (dropout parameters "
                "a = %(a).3g, b = %(b).3g): it treats everyone as still active. Likely still "
                "active (P(alive)) is close to 100%% for everyone and lifetime values assume "
                "nobody leaves, so both are too high; churn risk and expected purchases rank "
                "customers by how often they buy, not by how long they have been silent. Value "
                "tiers, RFM segments and the overdue and declining warnings do not use the model "
                "and remain meaningful."
            ),
            {"a": float(params.a), "b": float(params.b)},
        )
    ]


def cap_spend(summary: RFMSummary, factor: float) -> tuple[RFMSummary, list[FitWarning]]:
    """Return the summary with each repeat buyer's mean spend capped at `factor` times the
    median over repeat buyers, and a warning when the cap changed anyone.

    The Gamma-Gamma fit and the expected spend read the mean spend; one cancelled invoice of
    168,469.60 among buyers who spend about 300 a time would otherwise decide the fit alone.
    A factor of 0 turns the cap off.
    """
    repeat = (summary.frequency > 0) & (summary.monetary_value > 0)
    if factor <= 0 or not repeat.any():
        return summary, []
    median = float(np.median(summary.monetary_value[repeat]))
    cap = factor * median
    over = repeat & (summary.monetary_value > cap)
    if not over.any():
        return summary, []
    capped = np.where(over, cap, summary.monetary_value)
    warning = FitWarning(
        "spend_capped",
        gettext_noop(
            "%(count)d customers spend on average more than %(cap).2f a purchase, %(factor)g "
            "times the typical %(median).2f (at most %(largest).2f); the spend model counted "
            "them at %(cap).2f, so one extreme amount cannot decide everyone's expected spend. "
            "Their expected spend and lifetime value use the cap (SPEND_CAP_FACTOR)."
        ),
        {
            "count": int(over.sum()),
            "cap": round(cap, 2),
            "factor": float(factor),
            "median": round(median, 2),
            "largest": round(float(summary.monetary_value[over].max()), 2),
        },
    )
    return dataclasses.replace(summary, monetary_value=capped), [warning]
