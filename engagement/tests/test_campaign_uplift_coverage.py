"""A planted +5 point uplift over base rates of 5–35 %: across seeds of the campaign's own
draw, the report's 95 % interval covers it about 95 % of the time."""

import numpy as np

from engagement import campaigns
from engagement.models import Group
from insights.stats.uplift import proportion_difference

CUSTOMERS = 6_000
PLANTED = 0.05


def test_the_interval_covers_a_planted_uplift_about_95_percent_of_the_time() -> None:
    ids = np.arange(1, CUSTOMERS + 1, dtype=np.int64)
    # Four strata of unequal size and unequal base rates, as tiers and recency give.
    strata = [("A1", "B2", "C3", "C4")[min(3, i * 7 % 10 // 3)] for i in range(CUSTOMERS)]
    base = np.array([{"A1": 0.35, "B2": 0.25, "C3": 0.15, "C4": 0.05}[s] for s in strata])
    covered = 0
    seeds = range(300)
    for seed in seeds:
        groups = np.array(campaigns.draw_groups(ids, strata, 10, seed))
        treated = groups == Group.TREATED
        rng = np.random.default_rng(10_000 + seed)
        bought = rng.random(CUSTOMERS) < base + PLANTED * treated
        difference = proportion_difference(
            int(bought[treated].sum()), int(treated.sum()),
            int(bought[~treated].sum()), int((~treated).sum()),
        )  # fmt: skip
        assert difference is not None
        covered += difference.low <= PLANTED <= difference.high
    assert 0.91 <= covered / len(seeds) <= 0.98
