"""A team's purchase rows, cut from everyone's, equal the rows built for the team alone."""

import numpy as np

from insights.stats.scoring import _subset
from insights.stats.summary import customer_days


def test_subset_equals_rows_built_from_the_subset():
    rng = np.random.default_rng(3)
    ids = rng.integers(1, 60, 2000)
    days = rng.integers(19000, 19400, 2000)
    amounts = rng.uniform(1, 100, 2000)
    everyone = customer_days(ids, days, amounts)
    keep = np.isin(everyone.customer_id, np.arange(1, 60, 3))
    cut = _subset(everyone, keep)
    mask = np.isin(ids, everyone.customer_id[keep])
    built = customer_days(ids[mask], days[mask], amounts[mask])
    for field in ("customer_id", "customer_start", "row_customer", "row_day"):
        assert np.array_equal(getattr(cut, field), getattr(built, field)), field
    assert np.allclose(cut.row_amount, built.row_amount)
