"""A rep turns a churn warning into a follow-up in one click."""

from django.test import Client
from django.urls import reverse

from insights.models import ChurnWarning
from insights.services import run_scoring
from insights.tests.conftest import AS_OF
from interactions.models import FollowUp


def test_one_click_creates_one_follow_up_for_the_owner(simulated_base, rep):
    run = run_scoring(AS_OF)
    warning = ChurnWarning.objects.filter(run=run, customer__owner=rep).first()
    client = Client()
    client.force_login(rep)
    url = reverse("insights:warning_follow_up", args=[warning.pk])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302  # a double click creates nothing more
    follow_up = FollowUp.objects.get(customer=warning.customer)
    assert follow_up.assignee == rep and follow_up.note
    warning.refresh_from_db()
    assert warning.follow_up_id == follow_up.pk


def test_another_reps_warning_answers_404(simulated_base, rep, other_rep):
    run = run_scoring(AS_OF)
    warning = ChurnWarning.objects.filter(run=run, customer__owner=rep).first()
    client = Client()
    client.force_login(other_rep)
    assert client.post(reverse("insights:warning_follow_up", args=[warning.pk])).status_code == 404
    assert not FollowUp.objects.exists()
