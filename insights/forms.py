"""Forms of the insights pages: the KPI filter and the run comparison."""

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Team, User
from core.forms import DateInput, StyledFormMixin
from insights.models import ScoreRun
from insights.services import config
from insights.stats.segments import SEGMENTS, TIERS

SEGMENT_LABELS = {
    "champions": _("Champions"),
    "loyal_customers": _("Loyal Customers"),
    "potential_loyalist": _("Potential Loyalist"),
    "new_customers": _("New Customers"),
    "promising": _("Promising"),
    "need_attention": _("Need Attention"),
    "about_to_sleep": _("About To Sleep"),
    "at_risk": _("At Risk"),
    "cant_lose_them": _("Can't Lose Them"),
    "hibernating": _("Hibernating"),
    "lost": _("Lost"),
}
TIER_CHOICES = [(tier, tier) for tier in TIERS]


def segment_labels() -> dict[str, str]:
    """Return each segment's label in the active language."""
    return {code: str(label) for code, label in SEGMENT_LABELS.items()}


class KpiForm(StyledFormMixin, forms.Form):
    start = forms.DateField(label=_("Period from"), widget=DateInput())
    end = forms.DateField(label=_("Period to"), widget=DateInput())
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label=_("Owner"))
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, label=_("Team"))
    tier = forms.ChoiceField(
        choices=[("", "—"), *TIER_CHOICES], required=False, label=_("Value tier")
    )
    segment = forms.ChoiceField(
        choices=[("", "—"), *((s, SEGMENT_LABELS[s]) for s in SEGMENTS)],
        required=False,
        label=_("Segment"),
    )
    region = forms.CharField(required=False, label=_("Region"))
    lost_after_days = forms.IntegerField(
        required=False, min_value=1, max_value=3650, label=_("Lost after days without a purchase")
    )

    def __init__(self, *args: Any, owners: list[User], teams: list[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(pk__in=[o.pk for o in owners])  # type: ignore[attr-defined]
        self.fields["team"].queryset = Team.objects.filter(pk__in=[t.pk for t in teams])  # type: ignore[attr-defined]

    @staticmethod
    def default_period() -> dict[str, datetime.date]:
        """Return the last 90 days, the period the dashboard shows."""
        end = timezone.localdate()
        return {"start": end - datetime.timedelta(days=89), "end": end}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The period must end on or after its start."))
        if end and end > timezone.localdate():
            self.add_error("end", _("The period cannot end in the future."))
        return data


class CompareRunsForm(StyledFormMixin, forms.Form):
    """Two runs to compare segments between: only runs whose per-customer scores are kept."""

    before = forms.ModelChoiceField(queryset=ScoreRun.objects.none(), label=_("From run"))
    after = forms.ModelChoiceField(queryset=ScoreRun.objects.none(), label=_("To run"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kept = ScoreRun.objects.kept(int(config()["keep_runs"]))
        for name in ("before", "after"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = kept

    @staticmethod
    def newest_two() -> dict[str, int] | None:
        """Return the two newest kept runs as the default comparison, or None with fewer."""
        newest = list(ScoreRun.objects.kept(2).values_list("pk", flat=True))
        return {"before": newest[1], "after": newest[0]} if len(newest) == 2 else None


class BacktestForm(StyledFormMixin, forms.Form):
    """The periods of a back-test: fit up to the calibration end, judge up to the holdout end."""

    calibration_end = forms.DateField(
        label=_("Fit on purchases up to"), widget=forms.DateInput(attrs={"type": "date"})
    )
    holdout_end = forms.DateField(
        label=_("Compare with what happened up to"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    @staticmethod
    def default_period() -> dict[str, str]:
        """Return the last half year as holdout (dates in ISO, as date inputs need)."""
        today = timezone.localdate()
        return {
            "calibration_end": (today - datetime.timedelta(days=182)).isoformat(),
            "holdout_end": today.isoformat(),
        }
