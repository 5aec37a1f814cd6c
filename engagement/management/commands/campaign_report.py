"""Print a campaign's return: treated against control, the uplift with its interval, ROI."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from engagement.campaign_report import Report, campaign_report
from engagement.models import Campaign


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


class Command(BaseCommand):
    help = (
        "Print campaign ID's figures: for the treated and the control group the size, reach, "
        "responses, buyers, repurchase rate and revenue in the window after the send day; the "
        "uplift in repurchase rate with its 95 % interval, and the return on cost. --format "
        'json prints {"treated": {...}, "control": {...}, "uplift": x, "ci95": [lo, hi], '
        '"roi": r, ...}; --format table prints them for people.'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("campaign_id", type=int)
        parser.add_argument("--format", choices=["json", "table"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = Campaign.objects.filter(pk=options["campaign_id"]).first()
        if campaign is None:
            raise CommandError(f"No campaign with id {options['campaign_id']}.")
        report = campaign_report(campaign)
        if options["format"] == "json":
            self.stdout.write(json.dumps(report.as_json()))
            return
        self._table(report)

    def _table(self, report: Report) -> None:
        self.stdout.write(f"{report.campaign.name}: {report.first_day} to {report.last_day}")
        for name, group in (("treated", report.treated), ("control", report.control)):
            self.stdout.write(
                f"{name:<8} {group.size:>9,} customers  {group.buyers:>8,} bought "
                f"({_percent(group.repurchase_rate)})  revenue {group.revenue:,.2f}"
            )
        if report.uplift is None:
            self.stdout.write("uplift: a group is empty")
            return
        verdict = "significant" if report.uplift.significant else "not significant"
        self.stdout.write(
            f"uplift {report.uplift.estimate:+.1%} (95 % interval {report.uplift.low:+.1%} "
            f"to {report.uplift.high:+.1%}, {verdict}); ROI "
            f"{'-' if report.roi is None else f'{report.roi:.0%}'}"
        )
