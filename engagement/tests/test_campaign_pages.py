"""Segment and campaign pages: managers and admins only, bad input named by field in the
user's language, the size preview keeps to the author's view, the report on the page."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from engagement import campaigns
from engagement.models import Campaign, CampaignStatus, Segment
from engagement.tests.campaign_support import SEND_ON, campaign, segment

pytestmark = pytest.mark.django_db


def client_for(user: Any, language: str = "en") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


@pytest.mark.parametrize("who", ["rep", "agent"])
def test_reps_and_agents_see_no_segment_or_campaign(request: Any, who: str, manager: Any) -> None:
    chosen = campaign(manager, segment(manager))
    client = client_for(request.getfixturevalue(who))
    for url in (
        reverse("engagement:segments"), reverse("engagement:segment_new"),
        reverse("engagement:campaigns"), reverse("engagement:campaign_new"),
    ):  # fmt: skip
        assert client.get(url).status_code == 403
    assert client.get(reverse("engagement:campaign", args=[chosen.pk])).status_code == 404
    cancel = reverse("engagement:campaign_action", args=[chosen.pk, "cancel"])
    assert client.post(cancel).status_code == 404
    chosen.refresh_from_db()
    assert chosen.status == CampaignStatus.DRAFT
    assert "nav-campaigns" not in client.get(reverse("engagement:today")).content.decode()


def test_the_size_preview_counts_only_customers_the_manager_may_see(
    manager: Any, rep: Any, other_rep: Any, make_customer: Any
) -> None:
    for _ in range(3):
        make_customer(rep, region="Zhejiang")
    make_customer(other_rep, region="Zhejiang")  # another team's
    make_customer(rep, region="Jiangsu")
    response = client_for(manager).post(
        reverse("engagement:segment_preview"), {"regions": "Zhejiang，Fujian"}
    )
    assert "3 customers meet these conditions today." in response.content.decode()


def test_a_bad_segment_names_its_field_in_chinese_and_saves_nothing(manager: Any) -> None:
    response = client_for(manager, "zh-hans").post(
        reverse("engagement:segment_new"),
        {"name": "茶客", "products": "NO-SUCH", "bought_within_days": "30"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'data-field="products"' in page and "没有 SKU 为 NO-SUCH 的商品" in page
    assert not Segment.objects.exists()


def test_a_manager_saves_a_segment_and_a_campaign_then_reads_its_report(
    manager: Any, rep: Any, make_customer: Any, make_order: Any
) -> None:
    for _ in range(10):
        make_customer(rep, region="Zhejiang")
    client = client_for(manager)
    response = client.post(
        reverse("engagement:segment_new"), {"name": "Zhejiang", "regions": "Zhejiang"}
    )
    assert response.status_code == 302
    saved = Segment.objects.get(name="Zhejiang")
    assert saved.definition == {"regions": ["Zhejiang"]}
    response = client.post(reverse("engagement:campaign_new"), {
        "name": "Tea week", "segment": saved.pk, "channel": "sms", "text": "Hi {name}",
        "send_on": SEND_ON.isoformat(), "holdout_percent": "20", "window_days": "14",
        "cost_per_contact": "0.05", "fixed_cost": "10",
    })  # fmt: skip
    created = Campaign.objects.get(name="Tea week")
    assert response.status_code == 302 and created.status == CampaignStatus.DRAFT
    campaigns.request_send(manager, created, SEND_ON)
    campaigns.prepare(created.pk)
    page = client.get(reverse("engagement:campaign", args=[created.pk])).content.decode()
    assert 'id="report-table"' in page and "Not significant" in page
    assert 'id="campaign-over-time"' in page
    listing = client.get(reverse("engagement:campaigns") + "?sort=roi").content.decode()
    assert "Tea week" in listing


def test_an_unknown_action_changes_nothing(manager: Any) -> None:
    chosen = campaign(manager, segment(manager))
    url = reverse("engagement:campaign_action", args=[chosen.pk, "explode"])
    assert client_for(manager).post(url).status_code == 404
    chosen.refresh_from_db()
    assert chosen.status == CampaignStatus.DRAFT
