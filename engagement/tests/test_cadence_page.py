"""The cadences page (issue 12 item 4): everyone reads the rules, only managers and
administrators change them, and bad input is named by its field in the user's language."""

import pytest
from django.test import Client
from django.urls import reverse

from engagement.models import Cadence

pytestmark = pytest.mark.django_db

VALID = {
    "name": "B-tier: a WeChat every 45 days", "enabled": "on", "interval_days": "45",
    "channel": "wechat", "value_tier": "B", "segment": "", "lifecycle": "returning",
    "min_tenure_days": "", "window_days": "", "top_clv": "",
}  # fmt: skip


def client_for(user, language="en"):
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


@pytest.mark.parametrize("who", ["rep", "agent", "manager", "admin_user"])
def test_everyone_reads_the_rules_only_managers_and_admins_see_the_buttons(
    request, who, django_assert_max_num_queries
):
    user = request.getfixturevalue(who)
    client = client_for(user)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("engagement:cadences"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "A-tier returning customers: a call every 30 days" in page
    assert "top 50 by lifetime value" in page
    assert ("new-cadence" in page) == (who in ("manager", "admin_user"))


@pytest.mark.parametrize("who", ["rep", "agent"])
def test_reps_and_agents_may_not_change_a_cadence(request, who):
    user = request.getfixturevalue(who)
    client = client_for(user)
    cadence = Cadence.objects.first()
    assert client.get(reverse("engagement:cadence_new")).status_code == 403
    assert client.post(reverse("engagement:cadence_new"), VALID).status_code == 403
    edit = reverse("engagement:cadence_edit", args=[cadence.pk])
    assert client.post(edit, {**VALID, "interval_days": "1"}).status_code == 403
    cadence.refresh_from_db()
    assert cadence.interval_days != 1
    assert Cadence.objects.count() == 3


def test_a_manager_adds_a_cadence_and_an_admin_switches_one_off(manager, admin_user):
    response = client_for(manager).post(reverse("engagement:cadence_new"), VALID)
    assert response.status_code == 302
    added = Cadence.objects.get(name=VALID["name"])
    assert (added.value_tier, added.interval_days, added.channel, added.lifecycle) == (
        "B",
        45,
        "wechat",
        "returning",
    )
    assert added.min_tenure_days is None and added.enabled

    edit = reverse("engagement:cadence_edit", args=[added.pk])
    assert client_for(admin_user).get(edit).status_code == 200
    response = client_for(admin_user).post(edit, {**VALID, "enabled": ""})
    assert response.status_code == 302
    added.refresh_from_db()
    assert not added.enabled


@pytest.mark.parametrize(
    ("change", "field", "english", "chinese"),
    [
        ({"interval_days": "0"}, "interval_days", "from 1 to 3650", "1 到 3650"),
        ({"interval_days": ""}, "interval_days", "This field is required.", "此字段为必填项。"),
        ({"interval_days": "abc"}, "interval_days", "Enter a whole number.", "输入整数。"),
        ({"min_tenure_days": "60", "window_days": "30"}, "window_days", "longer than", "须长于"),
        ({"top_clv": "0"}, "top_clv", "from 1 to 100000", "1 到 100000"),
        ({"channel": "sms"}, "channel", "Select a valid choice", "选择一个有效的选项"),
        ({"segment": "vip"}, "segment", "Select a valid choice", "选择一个有效的选项"),
        ({"name": ""}, "name", "This field is required.", "此字段为必填项。"),
        ({"name": "bad\x00name"}, "name", "", ""),
    ],
)
def test_bad_input_is_named_by_its_field_and_changes_nothing(
    manager, change, field, english, chinese
):
    for language, words in (("en", english), ("zh-hans", chinese)):
        response = client_for(manager, language).post(
            reverse("engagement:cadence_new"), {**VALID, **change}
        )
        assert response.status_code == 422
        errors = response.context["form"].errors
        assert list(errors) == [field]
        assert words in " ".join(errors[field])
    assert Cadence.objects.count() == 3


def test_an_unknown_cadence_is_404(manager):
    response = client_for(manager).get(reverse("engagement:cadence_edit", args=[999]))
    assert response.status_code == 404
