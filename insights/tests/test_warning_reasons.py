"""Warning reasons read as sentences with money in the organisation's currency."""

from django.utils import translation

from insights.warnings import describe


def test_decline_reason_shows_money_in_both_languages(settings):
    settings.CURRENCY = "CNY"
    reason = {"code": "declining", "params": {"latest": 0.0, "usual": 1869.6, "days": 90}}
    with translation.override("en"):
        assert describe(reason) == (
            "Spent ¥0.00 in the last 90 days, against ¥1,869.60 in a usual period before."
        )
    with translation.override("zh-hans"):
        assert describe(reason) == "最近 90 天消费 ¥0.00，而此前每个周期通常消费 ¥1,869.60。"


def test_overdue_reason_names_the_usual_interval():
    reason = {"code": "overdue", "params": {"usual": 30, "now": 95}}
    with translation.override("en"):
        assert describe(reason) == (
            "Usually buys every 30 days, now 95 days since the last purchase."
        )
