"""Sign-in, language switch and API tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services
from accounts.access import request_user
from accounts.forms import ApiTokenForm, LanguageForm


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Switch the language; remember it on the user so every device follows."""
    form = LanguageForm(request.POST)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            services.set_language(request_user(request), language)
        translation.activate(language)
        response.set_cookie("django_language", language, max_age=365 * 24 * 3600, samesite="Lax")
    return response


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """List the user's API tokens and issue a new one."""
    user = request_user(request)
    form = ApiTokenForm(request.POST or None)
    raw_token = None
    if request.method == "POST" and form.is_valid():
        _token, raw_token = services.issue_token(user, form.cleaned_data["name"])
        form = ApiTokenForm()
    tokens = user.api_tokens.order_by("-created_at")
    context = {"form": form, "tokens": tokens, "raw_token": raw_token}
    return render(request, "accounts/api_tokens.html", context)


@login_required
@require_POST
def revoke_api_token(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of the user's API tokens."""
    if services.revoke_token(request_user(request), token_id):
        messages.success(request, _("The token was revoked."))
    return redirect("accounts:api_tokens")
