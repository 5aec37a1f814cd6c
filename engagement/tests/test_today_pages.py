"""Today's pages: the landing page, its one-click actions, and a manager's view of the team."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from engagement.models import Message, Snooze, TodayLine
from engagement.tests.test_today_service import DAY, days_ago, follow_up, score, scoring_run
from interactions.models import Interaction

TODAY = "/engagement/today/"


def client_for(user, language: str = "en") -> Client:
    client = Client(headers={"Accept-Language": language})
    client.force_login(user)
    return client


def test_the_landing_page_is_today(rep):
    response = client_for(rep).get("/")
    assert response.status_code == 302 and response["Location"] == TODAY
    anonymous = Client().get(TODAY)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")


def test_today_shows_each_customer_once_with_phone_tier_reasons_and_actions(
    rep, other_rep, make_customer, django_assert_max_num_queries
):
    wang = make_customer(rep, name="Wang Fang", mobile="13912345678")
    score(scoring_run(), wang, clv=900.0, risk=0.5, tier="A", warn=True)
    task = follow_up(rep, wang, days_ago(2), "Ask about the renewal")
    for n in range(30):
        follow_up(rep, make_customer(rep, name=f"Busy {n:02d}"), DAY)
    follow_up(other_rep, make_customer(other_rep, name="Not Yours"), DAY)
    client = client_for(rep)
    client.get(TODAY)  # the first view records the day's lines
    # Today's own (with the session and user), and each source's few: follow-ups 1, churn
    # warnings 2, and from the day's cache care 1 to 3 (the greetings sent since and the
    # customers, when it lists any) and no contact 1 to 2; none grows with the lines.
    with django_assert_max_num_queries(18):
        response = client.get(TODAY)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("Wang Fang") == 1 and "Not Yours" not in page
    assert f'href="/customers/{wang.pk}/"' in page
    assert "139 1234 5678" in page and "Tier A" in page
    assert "Follow-up, 2 days overdue: Ask about the renewal" in page
    assert "Churn warning: Churn risk is 50%." in page
    assert f'action="/interactions/follow-ups/{task.pk}/done/"' in page
    assert f'href="/engagement/today/customers/{wang.pk}/log/"' in page
    assert page.index("Wang Fang") < page.index("Busy 00")  # most at stake first
    assert "0 of 31 done today" in page


def test_the_page_shows_a_days_work_and_says_how_many_more_lines_wait(rep, make_customer):
    for n in range(53):
        follow_up(rep, make_customer(rep, name=f"Waiting {n:02d}"), DAY)
    page = client_for(rep).get(TODAY).content.decode()
    assert page.count('class="list-group-item d-flex') == 50
    assert "3 more lines come up as you work through these." in page
    assert "0 of 53 done today" in page


def test_today_in_chinese(rep, make_customer):
    follow_up(rep, make_customer(rep, name="王芳"), days_ago(1), "问续费")
    page = client_for(rep, "zh-hans").get(TODAY).content.decode()
    assert "今日待办" in page and "回访，逾期 1 天：问续费" in page
    assert "记录联系" in page and "稍后提醒" in page


def test_logging_a_contact_from_today_is_pre_filled_and_marks_the_line_done(rep, make_customer):
    customer = make_customer(rep, name="Wang Fang")
    follow_up(rep, customer, DAY, "Ask about the renewal")
    client = client_for(rep)
    client.get(TODAY)
    url = f"/engagement/today/customers/{customer.pk}/log/"
    form = client.get(url).content.decode()
    assert "Follow-up, due today: Ask about the renewal</textarea>" in form
    response = client.post(url, {"kind": "phone", "direction": "out", "summary": "Renewed"})
    assert response.status_code == 302 and response["Location"] == TODAY
    assert Interaction.objects.get().summary == "Renewed"
    page = client.get(TODAY).content.decode()
    assert "Wang Fang" not in page and "1 of 1 done today" in page


def test_a_bad_contact_is_refused_on_its_field_and_logs_nothing(rep, make_customer):
    customer = make_customer(rep)
    url = f"/engagement/today/customers/{customer.pk}/log/"
    response = client_for(rep).post(url, {"kind": "phone", "direction": "out", "summary": ""})
    assert response.status_code == 422 and 'data-field="summary"' in response.content.decode()
    assert not Interaction.objects.exists()


def test_done_on_a_follow_up_goes_back_to_today_and_the_line_is_done(rep, make_customer):
    customer = make_customer(rep, name="Promised")
    task = follow_up(rep, customer, DAY)
    client = client_for(rep)
    client.get(TODAY)
    response = client.post(f"/interactions/follow-ups/{task.pk}/done/", {"next": TODAY})
    assert response.status_code == 302 and response["Location"] == TODAY
    page = client.get(TODAY).content.decode()
    assert "Promised" not in page and "1 of 1 done today" in page
    assert TodayLine.objects.get().outcome == "action"


def test_done_refuses_a_next_on_another_site(rep, make_customer):
    task = follow_up(rep, make_customer(rep), DAY)
    response = client_for(rep).post(
        f"/interactions/follow-ups/{task.pk}/done/", {"next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == "/interactions/follow-ups/"


def test_snoozing_hides_the_line_and_a_past_day_is_refused_naming_the_field(rep, make_customer):
    customer = make_customer(rep, name="Later please")
    follow_up(rep, customer, DAY)
    client = client_for(rep)
    url = f"/engagement/today/customers/{customer.pk}/snooze/"
    refused = client.post(url, {"until": days_ago(1).isoformat()})
    assert refused.status_code == 422
    assert "Snooze until: choose a day after today." in refused.content.decode()
    assert client.post(url, {"until": "not a day"}).status_code == 422
    assert not Snooze.objects.exists()
    until = DAY + datetime.timedelta(days=3)
    response = client.post(url, {"until": until.isoformat()})
    assert response.status_code == 302 and response["Location"] == TODAY
    page = client.get(TODAY).content.decode()
    assert 'id="today-snoozed"' in page and "1 of 1 done today" in page
    assert Snooze.objects.get().until == until


def test_a_rep_cannot_snooze_log_or_open_what_is_not_theirs(rep, teammate, make_customer):
    theirs = make_customer(teammate)
    client = client_for(rep)
    tomorrow = (DAY + datetime.timedelta(days=1)).isoformat()
    snoozed = client.post(f"/engagement/today/customers/{theirs.pk}/snooze/", {"until": tomorrow})
    assert snoozed.status_code == 404
    assert client.get(f"/engagement/today/customers/{theirs.pk}/log/").status_code == 404
    assert client.get(f"{TODAY}?rep={teammate.pk}").status_code == 404
    assert client.get(f"{TODAY}?rep=x").status_code == 422
    assert client.get(f"{TODAY}?rep=²").status_code == 422  # a digit to isdigit, not to int
    assert not Snooze.objects.exists()


def test_snoozing_asks_for_a_signed_in_post(rep, make_customer):
    customer = make_customer(rep)
    url = f"/engagement/today/customers/{customer.pk}/snooze/"
    tomorrow = (DAY + datetime.timedelta(days=1)).isoformat()
    anonymous = Client().post(url, {"until": tomorrow})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert client_for(rep).get(url).status_code == 405
    assert not Snooze.objects.exists()


def test_a_customer_handed_to_another_rep_leaves_the_snoozed_list(rep, teammate, make_customer):
    customer = make_customer(rep, name="Handed over")
    client = client_for(rep)
    tomorrow = (DAY + datetime.timedelta(days=1)).isoformat()
    client.post(f"/engagement/today/customers/{customer.pk}/snooze/", {"until": tomorrow})
    assert "Handed over" in client.get(TODAY).content.decode()
    customer.owner = teammate
    customer.save(update_fields=["owner"])
    assert "Handed over" not in client.get(TODAY).content.decode()


def test_a_manager_chooses_a_rep_and_sees_yesterdays_completion(
    manager, rep, teammate, other_rep, make_customer, django_assert_max_num_queries
):
    yesterday = days_ago(1)
    for n in range(4):
        customer = make_customer(rep, name=f"Rep customer {n}")
        TodayLine.objects.create(
            user=rep, day=yesterday, customer=customer, rank=n + 1,
            done_at=timezone.now() if n < 3 else None,
        )  # fmt: skip
    follow_up(rep, make_customer(rep, name="Due today"), DAY)
    follow_up(other_rep, make_customer(other_rep, name="Other team"), DAY)
    client = client_for(manager)
    client.get(f"{TODAY}?rep={rep.pk}")
    with django_assert_max_num_queries(19):  # as the rep's own, and the team's completion
        response = client.get(f"{TODAY}?rep={rep.pk}")
    page = response.content.decode()
    assert "Today of rep" in page and "Due today" in page and "Other team" not in page
    assert f'<option value="{teammate.pk}"' in page and "other_rep" not in page
    assert 'data-rep="rep"><td><a href="/engagement/today/?rep=' in page
    assert "75%" in page  # 3 of yesterday's 4 lines done
    assert "Log contact" not in page  # the rep's actions are the rep's
    assert client.get(f"{TODAY}?rep={other_rep.pk}").status_code == 404


@pytest.mark.parametrize("role", ["agent", "admin_user"])
def test_other_roles_open_their_own_today(db, role, request):
    user = request.getfixturevalue(role)
    assert client_for(user).get(TODAY).status_code == 200


def test_a_birthday_greeting_sent_from_today_comes_back_and_marks_the_line_done(rep, make_customer):
    customer = make_customer(rep, name="Birthday Girl", birthday=DAY.replace(year=1990))
    client = client_for(rep)
    page = client.get(TODAY).content.decode()
    assert "Care occasion: " in page and "Send greeting" in page
    [action] = re.findall(rf'action="(/engagement/customers/{customer.pk}/care/[^"]+)"', page)
    response = client.post(action, {"next": TODAY})
    assert response.status_code == 302 and response["Location"] == TODAY
    assert Message.objects.filter(customer=customer, purpose="care").exists()
    page = client.get(TODAY).content.decode()
    assert "Birthday Girl" not in page and "1 of 1 done today" in page
    assert TodayLine.objects.get(customer=customer).outcome == "action"
