"""The cadences page: everyone reads the rules; managers and administrators change them."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.access import request_user
from core.errors import Invalid
from core.forms import StyledFormMixin, add_domain_error
from engagement import cadence as service
from engagement.models import Cadence
from insights.forms import SEGMENT_LABELS
from insights.stats.segments import SEGMENTS


class CadenceForm(StyledFormMixin, forms.ModelForm[Cadence]):
    value_tier = forms.ChoiceField(
        label=gettext_lazy("Value tier"), required=False,
        choices=[("", gettext_lazy("Any tier")), *((t, t) for t in "ABC")],
    )  # fmt: skip
    segment = forms.ChoiceField(
        label=gettext_lazy("Segment"), required=False,
        choices=[("", gettext_lazy("Any segment")), *((s, SEGMENT_LABELS[s]) for s in SEGMENTS)],
    )  # fmt: skip

    class Meta:
        model = Cadence
        fields = [
            "name", "enabled", "interval_days", "channel", "value_tier", "segment", "lifecycle",
            "min_tenure_days", "window_days", "top_clv",
        ]  # fmt: skip
        help_texts = {
            "window_days": gettext_lazy("Counted from the first purchase; empty: always."),
            "top_clv": gettext_lazy("Empty: every customer the other conditions match."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("interval_days", "min_tenure_days", "window_days", "top_clv"):
            self.fields[name].widget.attrs.update({"min": 1, "inputmode": "numeric"})


@login_required
def cadence_list(request: HttpRequest) -> HttpResponse:
    """Show every cadence; managers and administrators get the buttons to change them."""
    user = request_user(request)
    rows = [(c, service.audience_in_words(c)) for c in service.all_cadences()]
    context = {"rows": rows, "may_edit": service.may_edit_cadences(user)}
    return render(request, "engagement/cadence/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def cadence_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Show the form for a new or existing cadence (GET) and save it (POST)."""
    user = request_user(request)
    service.check_may_edit(user)  # first: a rep learns nothing of which cadences exist
    cadence = get_object_or_404(Cadence, pk=pk) if pk is not None else None
    form = CadenceForm(request.POST or None, instance=cadence)
    if request.method == "POST" and form.is_valid():
        try:
            service.save_cadence(user, cadence, form.cleaned_data)
        except Invalid as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Cadence saved."))
            return redirect("engagement:cadences")
    status = 422 if form.errors else 200
    context = {"form": form, "cadence": cadence}
    return render(request, "engagement/cadence/form.html", context, status=status)
