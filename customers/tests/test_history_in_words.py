"""The history reads in words, in the reader's language and time zone, and says who acted
and how: in person, through the API, by an import or by a scheduled job."""

import datetime
import re

from django.utils import timezone, translation

from core.actors import Actor, acting_as
from customers.history import in_words
from customers.models import ProfileChange
from customers.services import set_consent, update_customer


def test_choice_values_read_as_their_labels_in_chinese(rep, make_customer):
    customer = make_customer(rep)
    [change] = update_customer(rep, customer, {"gender": "female"})
    with translation.override("zh-hans"):
        line = in_words(change)
    assert (line.field, line.old, line.new) == ("性别", "∅", "女")


def test_consent_reads_as_granted_or_withdrawn(rep, make_customer):
    customer = make_customer(rep)
    set_consent(rep, customer, "sms", False, "phone call")
    change = customer.changes.get(field="consent_sms")
    with translation.override("zh-hans"):
        line = in_words(change)
    assert (line.old, line.new) == ("未记录", "已撤回")
    assert "短信" in line.field


def test_moments_read_in_the_readers_time_zone_without_microseconds(rep, make_customer):
    customer = make_customer(rep)
    archived = datetime.datetime(2026, 9, 5, 1, 2, 3, 456789, tzinfo=datetime.UTC)
    [change] = update_customer(rep, customer, {"archived_at": archived})
    with timezone.override("Asia/Shanghai"), translation.override("en"):
        line = in_words(change)
    assert "456789" not in line.new
    assert "9:02" in line.new  # 01:02 UTC is 09:02 in Shanghai
    assert line.old == "∅"


def test_the_person_acting_in_person_is_named(rep, make_customer):
    customer = make_customer(rep)
    [change] = update_customer(rep, customer, {"city": "Hangzhou"})
    assert change.actor_kind == "user"
    assert in_words(change).who == str(rep)


def test_a_change_through_the_api_says_so(rep, make_customer):
    customer = make_customer(rep)
    with acting_as(Actor.of_token(rep, 7, "shop till")):
        [change] = update_customer(rep, customer, {"city": "Hangzhou"})
    change = ProfileChange.objects.get(pk=change.pk)
    assert (change.actor_kind, change.actor_ref) == ("token", 7)
    with translation.override("zh-hans"):
        assert in_words(change).who == f"{rep.username} (shop till)（通过 API）"


def test_a_change_by_an_import_names_the_job_and_its_user(rep, make_customer):
    customer = make_customer(rep)
    with acting_as(Actor.of_import(rep, 12)):
        [change] = update_customer(rep, customer, {"city": "Hangzhou"})
    assert in_words(change).who == f"import #12 by {rep}"


def test_a_scheduled_job_is_named_in_words(rep, make_customer):
    customer = make_customer(rep)
    with acting_as(Actor.of_job("nightly-scoring")):
        [change] = update_customer(None, customer, {"city": "Hangzhou"})  # type: ignore[arg-type]
    with translation.override("zh-hans"):
        assert in_words(change).who == "夜间评分"


def test_bulk_written_rows_are_stamped_too(rep, make_customer):
    customer = make_customer(rep)
    with acting_as(Actor.of_import(rep, 3)):
        [row] = ProfileChange.objects.bulk_create(
            [ProfileChange(customer=customer, changed_by=rep, field="city", new_value="Xi'an")]
        )
    assert (row.actor_kind, row.actor_ref) == ("import", 3)


def test_the_timeline_shows_the_line_in_words(client, rep, make_customer):
    customer = make_customer(rep)
    update_customer(rep, customer, {"gender": "female"})
    client.force_login(rep)
    with translation.override("en"):
        page = client.get(f"/customers/{customer.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    [line] = re.findall(r'<span class="small history-line">(.*?)</span>\s*$', page, re.M | re.S)[:1]
    assert line.startswith(f"{rep}: gender") and line.endswith("→ Female")
    assert "female" not in line
