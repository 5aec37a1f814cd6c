"""The loyalty pages: the numbers a manager steers the programme by."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.access import request_user
from loyalty import numbers


@login_required
def loyalty_numbers(request: HttpRequest) -> HttpResponse:
    """Show points liability, tiers and their movement over the customers the user may see."""
    result = numbers.loyalty_numbers(request_user(request), timezone.localdate())
    context = {
        "numbers": result, "figures": numbers.figures(result), "charts": numbers.charts(result),
        "moves": numbers.move_rows(result), "window": numbers.window_text(result),
    }  # fmt: skip
    return render(request, "loyalty/numbers.html", context)
