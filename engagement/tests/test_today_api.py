"""Today over the JSON API: the same lines as the page, the same rule, snoozing."""

import datetime
import json

from engagement.models import Snooze, TodayLine
from engagement.tests.test_today_pages import client_for
from engagement.tests.test_today_service import DAY, days_ago, follow_up, score, scoring_run

URL = "/api/v1/today"


def snooze(client, body: object, language: str = "en"):
    return client.post(
        f"{URL}/snooze", json.dumps(body), content_type="application/json",
        headers={"Accept-Language": language},
    )  # fmt: skip


def test_api_lists_the_lines_with_reasons_rank_and_api_actions(
    rep, other_rep, make_customer, django_assert_max_num_queries
):
    wang = make_customer(rep, name="Wang Fang", mobile="13912345678")
    score(scoring_run(), wang, clv=900.0, risk=0.5, tier="A", warn=True)
    task = follow_up(rep, wang, days_ago(2), "Ask about the renewal")
    low = make_customer(rep, name="Low")
    follow_up(rep, low, DAY)
    follow_up(other_rep, make_customer(other_rep, name="Not Yours"), DAY)
    client = client_for(rep)
    client.get(URL)
    with django_assert_max_num_queries(17):  # the page's, without its yesterday
        response = client.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert (body["day"], body["rep_id"], body["done"], body["total"], body["open"]) == (
        DAY.isoformat(), rep.pk, 0, 2, 2,
    )  # fmt: skip
    first, second = body["lines"]
    assert (first["rank"], first["name"], second["name"]) == (1, "Wang Fang", "Low")
    assert (first["phone"], first["tier"], first["value_at_stake"]) == ("139 1234 5678", "A", 450.0)
    assert first["overdue_days"] == 2
    *reasons, no_contact = first["reasons"]  # the cadences' source: not contacted since 400 days
    assert (no_contact["kind"], no_contact["action"]) == ("no_contact", None)
    assert reasons == [
        {"kind": "follow_up", "text": "Follow-up, 2 days overdue: Ask about the renewal",
         "due": days_ago(2).isoformat(), "ref": f"follow_up:{task.pk}",
         "action": {"label": "Done", "method": "POST",
                    "url": f"/api/v1/follow-ups/{task.pk}/complete"}},
        {"kind": "churn_warning", "text": "Churn warning: Churn risk is 50%.",
         "due": DAY.isoformat(), "ref": "", "action": None},
    ]  # fmt: skip
    assert [a["url"] for a in first["actions"]] == [
        f"/api/v1/customers/{wang.pk}/interactions", "/api/v1/today/snooze",
    ]  # fmt: skip


def test_api_lists_the_first_lines_and_counts_the_rest(rep, make_customer):
    for n in range(3):
        follow_up(rep, make_customer(rep, name=f"Waiting {n}"), days_ago(n))
    client = client_for(rep)
    body = client.get(URL, {"limit": 2}).json()
    assert [line["name"] for line in body["lines"]] == ["Waiting 2", "Waiting 1"]
    assert (body["open"], body["total"]) == (3, 3)
    assert client.get(URL, {"limit": 0}).status_code == 422


def test_completing_through_the_api_equivalent_marks_the_line_done(rep, make_customer):
    task = follow_up(rep, make_customer(rep), DAY)
    client = client_for(rep)
    [line] = client.get(URL).json()["lines"]
    action = line["reasons"][0]["action"]
    assert client.post(action["url"]).status_code == 200
    body = client.get(URL).json()
    assert body["lines"] == [] and (body["done"], body["total"]) == (1, 1)
    assert TodayLine.objects.get().outcome == "action" and task.pk


def test_a_manager_reads_a_reps_list_without_their_actions(manager, rep, other_rep, make_customer):
    follow_up(rep, make_customer(rep, name="Rep's"), DAY)
    client = client_for(manager)
    body = client.get(URL, {"rep_id": rep.pk}).json()
    [line] = body["lines"]
    assert body["rep_id"] == rep.pk and line["name"] == "Rep's"
    assert line["actions"] == [] and line["reasons"][0]["action"] is None
    assert client.get(URL, {"rep_id": other_rep.pk}).status_code == 404


def test_a_rep_reads_only_their_own_list(rep, teammate):
    client = client_for(rep)
    assert client.get(URL, {"rep_id": teammate.pk}).status_code == 404
    assert client.get(URL, {"rep_id": "x"}).status_code == 422
    assert client_for(teammate).get(URL).status_code == 200


def test_api_snoozes_and_refuses_a_past_day_on_the_field_in_the_users_language(
    rep, teammate, make_customer
):
    customer = make_customer(rep)
    follow_up(rep, customer, DAY)
    client = client_for(rep)
    past = {"customer_id": customer.pk, "until": days_ago(1).isoformat()}
    refused = snooze(client, past, "zh-hans")
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"field": "until", "message": "推迟到：请选择今天之后的日期。"}
    ]
    assert snooze(client, {"customer_id": customer.pk, "until": "soon"}).status_code == 422
    theirs = make_customer(teammate)
    until = (DAY + datetime.timedelta(days=2)).isoformat()
    assert snooze(client, {"customer_id": theirs.pk, "until": until}).status_code == 404
    assert not Snooze.objects.exists()
    response = snooze(client, {"customer_id": customer.pk, "until": until})
    assert response.status_code == 200
    assert response.json() == {"customer_id": customer.pk, "until": until}
    assert client.get(URL).json()["lines"] == []
