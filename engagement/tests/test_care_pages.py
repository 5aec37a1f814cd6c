"""The care calendar's pages, API and Today items: who may do what, and what they see."""

import datetime
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from customers.extensions import today_items
from customers.models import ProfileChange
from engagement.care import today_care
from engagement.models import CareOccasion, LifeEvent, Message, MessageTemplate

D = datetime.date
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("care_defaults")]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def send_url(customer, occasion: str, day: datetime.date) -> str:
    return reverse("engagement:care_send", args=[customer.pk, occasion, day.isoformat()])


def test_the_one_click_greeting_posts_once_and_goes_back(rep, other_rep, make_customer):
    customer = make_customer(rep, birthday=D(1990, 12, 5))
    url = send_url(customer, "birthday", D(2026, 12, 5))
    assert client_for(rep).get(url).status_code == 405
    assert client_for(other_rep).post(url).status_code == 404
    response = client_for(rep).post(url, {"next": "/today/"})
    assert response.status_code == 302 and response["Location"] == "/today/"
    client_for(rep).post(url, {"next": "https://evil.example/"})
    assert Message.objects.get().cause_kind == "birthday"
    bad_day = send_url(customer, "birthday", D(2026, 12, 5)).replace("2026-12-05", "2026-13-05")
    assert client_for(rep).post(bad_day).status_code == 422


def test_api_sends_a_care_greeting(rep, other_rep, make_customer):
    customer = make_customer(rep, birthday=D(1990, 12, 5))
    body = {"customer_id": customer.pk, "occasion": "birthday", "occasion_date": "2026-12-05"}

    def post(user, payload):
        return client_for(user).post(
            "/api/v1/care/send", json.dumps(payload), content_type="application/json"
        )

    first, again = post(rep, body), post(rep, body)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and first.json()["purpose"] == "care"
    assert post(other_rep, body).status_code == 404
    wrong = post(rep, {**body, "occasion_date": "2026-12-06"})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "occasion_date"
    assert Message.objects.count() == 1


def test_a_rep_records_and_deletes_a_life_event(rep, other_rep, agent, make_customer):
    customer = make_customer(rep)
    url = reverse("engagement:life_event_add", args=[customer.pk])
    fields = {"kind": "wedding", "date": "2026-06-06", "yearly": "on", "note": "Married Li Lei"}
    assert client_for(other_rep).post(url, fields).status_code == 404
    assert client_for(agent).post(url, fields).status_code == 403
    refused = client_for(rep).post(url, {**fields, "date": "June"})
    assert refused.status_code == 422 and "date" in refused.content.decode()
    assert not LifeEvent.objects.exists()
    assert client_for(rep).post(url, fields).status_code == 302
    event = LifeEvent.objects.get()
    assert (event.kind, event.yearly, event.created_by) == ("wedding", True, rep)
    page = client_for(rep).get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "Married Li Lei" in page and 'id="life-event-form"' in page
    delete = reverse("engagement:life_event_delete", args=[event.pk])
    assert client_for(other_rep).post(delete).status_code == 404
    assert client_for(rep).post(delete).status_code == 302
    assert not LifeEvent.objects.exists()
    history = ProfileChange.objects.filter(customer=customer, subject="life_event")
    assert list(history.order_by("pk").values_list("field", flat=True)) == ["created", "deleted"]


def test_the_customer_page_lists_coming_occasions_with_a_send_button(rep, make_customer):
    today = timezone.localdate()
    customer = make_customer(rep, birthday=(today + datetime.timedelta(days=3)).replace(year=1990))
    page = client_for(rep).get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert send_url(customer, "birthday", today + datetime.timedelta(days=3)) in page


def calendar(user, **params: str):
    return client_for(user).get(reverse("engagement:care_calendar"), params)


def test_the_calendar_is_for_managers_and_admins(
    rep, manager, admin_user, other_rep, make_customer
):
    mine = make_customer(rep, name="Wang Fang")
    theirs = make_customer(other_rep, name="Wang Wei")
    assert calendar(rep).status_code == 403
    customers_page = reverse("customers:list")
    assert 'id="care-calendar"' not in client_for(rep).get(customers_page).content.decode()
    assert 'id="care-calendar"' in client_for(manager).get(customers_page).content.decode()
    page = calendar(manager, occasion="birthday", customer=str(mine.pk))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Wang Fang，生日快乐！" in text and "Happy birthday, Wang Fang!" in text
    assert calendar(manager, customer=str(theirs.pk)).status_code == 404
    # By name: the manager's only match is previewed; the admin sees both and chooses.
    assert "Rendered for Wang Fang" in calendar(manager, customer="wang").content.decode()
    both = calendar(admin_user, customer="wang").content.decode()
    assert 'id="preview-matches"' in both and "Wang Wei" in both
    assert calendar(manager, occasion="easter").status_code == 422


def test_the_preview_names_an_unknown_placeholder(
    manager, rep, make_customer, django_assert_max_num_queries
):
    customer = make_customer(rep)
    MessageTemplate.objects.filter(code="care_christmas", channel="sms").update(body="{mobile}")
    client = client_for(manager)
    client.get(reverse("engagement:care_calendar"))
    with django_assert_max_num_queries(8):
        page = client.get(
            reverse("engagement:care_calendar"), {"occasion": "christmas", "customer": customer.pk}
        )
    assert "Unknown placeholder {mobile}." in page.content.decode()


def test_today_lists_the_users_occasions_within_their_lead_time(rep, other_rep, make_customer):
    day = D(2026, 12, 3)
    CareOccasion.objects.exclude(code__in=["birthday", "first_purchase_anniversary"]).update(
        enabled=False
    )
    on_the_day = make_customer(rep, name="Today", birthday=D(1990, 12, 3))
    make_customer(
        rep, name="Soon", birthday_calendar="lunar", lunar_birth_month=10, lunar_birth_day=27
    )  # fmt: skip  (5 December 2026)
    make_customer(rep, name="Later", birthday=D(1990, 12, 9))  # beyond the 3-day lead
    make_customer(other_rep, name="Not mine", birthday=D(1990, 12, 3))
    with translation.override("en"):
        items = today_care(rep, day, 50)
    assert [(i.customer.name, i.priority, i.due) for i in items] == [
        ("Today", 2, day), ("Soon", 3, D(2026, 12, 5)),
    ]  # fmt: skip
    first, second = items
    assert second.reason == "Birthday on 5 Dec (lunar)"
    assert first.ref == "care:birthday:2026-12-03" and first.kind == "care"
    assert first.action is not None and first.action.url == send_url(on_the_day, "birthday", day)
    client_for(rep).post(first.action.url)
    assert [i.customer.name for i in today_items(rep, day)] == ["Soon"]


def test_today_is_a_few_queries_for_many_customers(
    rep, make_customer, django_assert_max_num_queries
):
    day = timezone.localdate()
    for n in range(60):
        on = day + datetime.timedelta(days=n % 3)
        make_customer(rep, birthday=D(1992, on.month, on.day))
    # The day's first call: the settings (2), the occasions (3), the messages (2), the
    # customers, and the day's cache (read, then written: 6 with the database cache, none
    # with Redis).
    with django_assert_max_num_queries(14):
        items = today_care(rep, day, 50)
        assert len(items) == 50 and all(i.customer.name for i in items)
    # The next: the cache, the greetings sent since, the customers.
    with django_assert_max_num_queries(3):
        assert today_care(rep, day, 50) == items


TODAY = timezone.localdate().isoformat()


def test_seasonal_care_to_a_tag_with_a_preview_count(manager, rep, other_rep, make_customer):
    from customers.services import ensure_tags, set_tags

    tag = ensure_tags({"Health": ["Elderly"]})["Health", "Elderly"]
    mine = [make_customer(rep), make_customer(rep)]
    for customer in [*mine, make_customer(other_rep)]:
        set_tags(customer.owner, customer, [tag])
    make_customer(rep)  # without the tag
    assert calendar(rep, tag=str(tag.pk), day=TODAY).status_code == 403
    page = calendar(manager, tag=str(tag.pk), day=TODAY).content.decode()
    assert "2 customers will receive it." in page
    neither = calendar(manager, day=TODAY).content.decode()
    assert "Choose either a tag or a value tier." in neither
    url = reverse("engagement:care_seasonal")
    assert client_for(rep).post(url, {"tag": tag.pk, "day": TODAY}).status_code == 403
    for _run in range(2):
        assert client_for(manager).post(url, {"tag": tag.pk, "day": TODAY}).status_code == 302
    sent = Message.objects.filter(cause_kind="seasonal", occasion_date=D.fromisoformat(TODAY))
    assert sorted(sent.values_list("customer_id", flat=True)) == [c.pk for c in mine]
    assert client_for(manager).post(url, {"tier": "Z", "day": TODAY}).status_code == 422


def test_seasonal_care_sends_a_group_in_bulk(manager, rep, make_customer):
    """The queries do not grow with the group: one bulk send, not a send per customer."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from customers.services import ensure_tags, set_tags
    from engagement.care import send_seasonal

    day = timezone.localdate()
    small, large = (ensure_tags({"Health": [name]})["Health", name] for name in ("A", "B"))
    for tag, size in ((small, 2), (large, 12)):
        for _n in range(size):
            set_tags(rep, make_customer(rep), [tag])
    counts = []
    for tag in (small, large):
        with CaptureQueriesContext(connection) as queries:
            send_seasonal(manager, day, tag.pk, "")
        counts.append(len(queries))
    assert Message.objects.filter(cause_kind="seasonal").count() == 14
    assert counts[1] <= counts[0] + 2
