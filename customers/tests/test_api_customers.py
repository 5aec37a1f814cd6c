"""The customer endpoints: the page's access rule, validation naming fields, idempotent create."""

import datetime
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from accounts.models import ApiToken
from customers.models import Customer, ProfileChange, Tag, TagGroup
from customers.services import archive_customer

URL = "/api/v1/customers"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, url: str, body: object, **headers: str):
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def patch(client: Client, url: str, body: object, **headers: str):
    return client.patch(url, json.dumps(body), content_type="application/json", headers=headers)


def fields(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def test_list_shows_only_visible_customers(rep, teammate, other_rep, make_customer):
    own = make_customer(rep, name="Own")
    make_customer(teammate, name="Teammate's")
    make_customer(other_rep, name="Other's")
    body = client_for(rep).get(URL).json()
    assert body["count"] == 1
    assert [item["id"] for item in body["items"]] == [own.pk]


def test_manager_sees_the_team(manager, rep, teammate, other_rep, make_customer):
    make_customer(rep, name="A")
    make_customer(teammate, name="B")
    make_customer(other_rep, name="C")
    body = client_for(manager).get(URL).json()
    assert sorted(item["name"] for item in body["items"]) == ["A", "B"]


def test_pagination_pages_and_caps_the_page_size(rep):
    Customer.objects.bulk_create(
        [Customer(name=f"C{i:03d}", owner=rep, mobile_reversed="") for i in range(105)]
    )
    client = client_for(rep)
    page2 = client.get(URL, {"page": 2, "page_size": 10}).json()
    assert page2["count"] == 105
    assert [item["name"] for item in page2["items"]] == [f"C{i:03d}" for i in range(10, 20)]
    assert len(client.get(URL).json()["items"]) == 25
    assert len(client.get(URL, {"page_size": 1000}).json()["items"]) == 100


def test_search_and_filters_like_the_page(rep, make_customer):
    make_customer(rep, name="Wang Fang", mobile="13800138000", region="Zhejiang")
    make_customer(rep, name="Li Lei", mobile="13912345678", region="Jiangsu")
    archived = make_customer(rep, name="Old Wang", mobile="13700000001")
    archive_customer(rep, archived)
    client = client_for(rep)

    def names(**params: Any) -> list[str]:
        return [item["name"] for item in client.get(URL, params).json()["items"]]

    assert names(q="wang") == ["Wang Fang"]
    assert names(q="5678") == ["Li Lei"]
    assert names(region="Jiangsu") == ["Li Lei"]
    assert names(q="wang", include_archived="true") == ["Old Wang", "Wang Fang"]
    assert names(sort="-created")[0] == "Li Lei"


def test_bad_filter_names_the_field(rep):
    response = client_for(rep).get(URL, {"spend_min": "-1", "last_purchase_from": "soon"})
    assert response.status_code == 422
    assert fields(response) == {"spend_min", "last_purchase_from"}


def test_detail_of_an_unseen_customer_is_a_plain_404(rep, other_rep, make_customer):
    hidden = make_customer(other_rep)
    client = client_for(rep)
    unseen = client.get(f"{URL}/{hidden.pk}")
    missing = client.get(f"{URL}/999999")
    assert unseen.status_code == missing.status_code == 404
    assert unseen.json() == missing.json() == {"errors": [{"field": "", "message": "Not found."}]}


def test_detail_shows_the_profile(rep, make_customer, make_order):
    group = TagGroup.objects.create(name="Taste")
    tag = Tag.objects.create(group=group, name="Jazz")
    customer = make_customer(rep, name="Zhao", email="zhao@example.com")
    customer.tags.add(tag)
    make_order(customer, datetime.date(2026, 1, 5), "12.50")
    body = client_for(rep).get(f"{URL}/{customer.pk}").json()
    assert body["name"] == "Zhao"
    assert body["owner_id"] == rep.pk
    assert body["tags"] == [{"id": tag.pk, "name": "Jazz", "group": "Taste"}]
    assert body["stats"]["total_spend"] == "12.50"
    assert body["stats"]["orders_count"] == 1


def test_create_writes_the_customer_and_its_history(rep):
    client = client_for(rep)
    response = post(client, URL, {"name": "Sun Li", "mobile": "+86 138-0013-8000", "city": "Xi'an"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert client.get(f"{URL}/{body['id']}").json() == body
    customer = Customer.objects.get(pk=body["id"])
    assert (customer.owner, customer.mobile, body["mobile"]) == (rep, "13800138000", "13800138000")
    assert ProfileChange.objects.filter(customer=customer, changed_by=rep).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"mobile": "12345"}, "mobile"),
        ({"email": "not-an-email"}, "email"),
        ({"birthday": "2999-01-01"}, "birthday"),
        ({"name": ""}, "name"),
        ({"kind": "robot"}, "kind"),
        ({"birthday_calendar": "lunar", "lunar_birth_month": 13, "lunar_birth_day": 1},
         "lunar_birth_month"),
    ],
)  # fmt: skip
def test_bad_input_is_rejected_naming_the_field(rep, payload, field):
    response = post(client_for(rep), URL, {"name": "Someone", **payload})
    assert response.status_code == 422
    assert field in fields(response)
    assert not Customer.objects.exists()
    assert not ProfileChange.objects.exists()


def test_every_field_error_is_reported_at_once(rep):
    response = post(client_for(rep), URL, {"name": "X", "mobile": "1", "email": "no"})
    assert response.status_code == 422
    assert fields(response) == {"mobile", "email"}


def test_missing_name_is_a_schema_error_naming_the_field(rep):
    response = post(client_for(rep), URL, {"city": "Hefei"})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "name", "message": "This field is required."}]


def in_chinese(message: str) -> str:
    with translation.override("zh-hans"):
        translated = translation.gettext(message)
    assert translated != message
    return translated


def test_messages_follow_accept_language(rep):
    response = post(
        client_for(rep), URL, {"name": "X", "email": "no"}, **{"Accept-Language": "zh-hans"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == in_chinese("Enter a valid email address.")


def test_messages_follow_the_token_users_language(rep):
    rep.language = "zh-hans"
    rep.save()
    _token, raw = ApiToken.objects.issue(rep, "script")
    response = Client().post(
        URL, json.dumps({"city": "Hefei"}), content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )  # fmt: skip
    assert response.status_code == 422
    message = in_chinese("This field is required.")
    assert response.json()["errors"] == [{"field": "name", "message": message}]


def test_rep_may_not_give_a_customer_to_someone_else(rep, teammate):
    response = post(client_for(rep), URL, {"name": "X", "owner_id": teammate.pk})
    assert response.status_code == 422
    assert fields(response) == {"owner_id"}
    assert not Customer.objects.exists()


def test_manager_creates_for_a_rep_of_the_team_only(manager, rep, other_rep):
    client = client_for(manager)
    created = post(client, URL, {"name": "X", "owner_id": rep.pk})
    assert created.status_code == 201
    assert Customer.objects.get(pk=created.json()["id"]).owner == rep
    refused = post(client, URL, {"name": "Y", "owner_id": other_rep.pk})
    assert refused.status_code == 422
    assert fields(refused) == {"owner_id"}


def test_agent_may_not_create(agent):
    response = post(client_for(agent), URL, {"name": "X"})
    assert response.status_code == 403
    assert not Customer.objects.exists()


def test_create_with_tags(rep):
    tag = Tag.objects.create(group=TagGroup.objects.create(name="G"), name="VIP")
    client = client_for(rep)
    created = post(client, URL, {"name": "X", "tag_ids": [tag.pk]})
    assert created.json()["tags"][0]["name"] == "VIP"
    unknown = post(client, URL, {"name": "Y", "tag_ids": [tag.pk + 1]})
    assert unknown.status_code == 422
    assert fields(unknown) == {"tag_ids"}
    assert Customer.objects.count() == 1


def test_create_retried_with_the_same_key_creates_once(rep):
    client = client_for(rep)
    first = post(client, URL, {"name": "Once"}, **{"Idempotency-Key": "abc-1"})
    again = post(client, URL, {"name": "Once"}, **{"Idempotency-Key": "abc-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Customer.objects.count() == 1
    reused = post(client, URL, {"name": "Twice"}, **{"Idempotency-Key": "abc-1"})
    assert reused.status_code == 409
    assert fields(reused) == {"Idempotency-Key"}
    assert Customer.objects.count() == 1


def test_update_changes_only_the_fields_sent_and_records_them(rep, make_customer):
    customer = make_customer(rep, name="Old", city="Suzhou")
    response = patch(client_for(rep), f"{URL}/{customer.pk}", {"name": "New", "email": None})
    assert response.status_code == 200
    customer.refresh_from_db()
    assert (customer.name, customer.city) == ("New", "Suzhou")
    change = ProfileChange.objects.get(customer=customer, field="name", new_value="New")
    assert (change.old_value, change.changed_by) == ("Old", rep)


def test_bad_update_changes_nothing(rep, make_customer):
    customer = make_customer(rep, name="Old")
    response = patch(
        client_for(rep), f"{URL}/{customer.pk}", {"name": "New", "birthday": "2999-01-01"}
    )
    assert response.status_code == 422
    assert fields(response) == {"birthday"}
    customer.refresh_from_db()
    assert customer.name == "Old"
    assert not ProfileChange.objects.filter(customer=customer, field="name", new_value="New")


def test_update_access(rep, teammate, agent, make_customer):
    customer = make_customer(rep)
    assert patch(client_for(teammate), f"{URL}/{customer.pk}", {"city": "X"}).status_code == 404
    assert patch(client_for(agent), f"{URL}/{customer.pk}", {"city": "X"}).status_code == 403
    customer.refresh_from_db()
    assert customer.city == ""


def test_only_managers_reassign(manager, rep, teammate, other_rep, make_customer):
    customer = make_customer(rep)
    url = f"{URL}/{customer.pk}"
    assert patch(client_for(rep), url, {"owner_id": teammate.pk}).status_code == 403
    assert patch(client_for(manager), url, {"owner_id": other_rep.pk}).status_code == 422
    assert patch(client_for(manager), url, {"owner_id": teammate.pk}).status_code == 200
    customer.refresh_from_db()
    assert customer.owner == teammate


def test_archive_hides_from_the_list_and_restore_brings_back(rep, make_customer):
    customer = make_customer(rep)
    client = client_for(rep)
    archived = client.post(f"{URL}/{customer.pk}/archive")
    assert archived.status_code == 200
    assert archived.json()["archived_at"] is not None
    assert client.post(f"{URL}/{customer.pk}/archive").status_code == 200  # again: no-op
    assert client.get(URL).json()["count"] == 0
    assert client.get(URL, {"include_archived": "true"}).json()["count"] == 1
    customer.refresh_from_db()
    assert customer.archived_at is not None and customer.archived_at <= timezone.now()
    restored = client.post(f"{URL}/{customer.pk}/restore")
    assert restored.json()["archived_at"] is None
    assert client.get(URL).json()["count"] == 1


def test_anonymous_gets_401_in_the_error_format(db):
    response = Client().get(URL)
    assert response.status_code == 401
    assert response.json()["errors"][0]["field"] == ""


def test_external_id_is_unique_and_blank_means_none(rep):
    client = client_for(rep)
    assert post(client, URL, {"name": "A", "external_id": ""}).status_code == 201
    assert post(client, URL, {"name": "B", "external_id": ""}).status_code == 201
    assert post(client, URL, {"name": "C", "external_id": "ERP-1"}).status_code == 201
    taken = post(client, URL, {"name": "D", "external_id": "ERP-1"})
    assert taken.status_code == 422
    assert fields(taken) == {"external_id"}
    assert Customer.objects.filter(external_id__isnull=True).count() == 2


def test_admin_names_a_rep_as_owner_and_may_not_own_customers(admin_user, rep, other_rep):
    client = client_for(admin_user)
    for body in ({"name": "X"}, {"name": "X", "owner_id": admin_user.pk}):
        refused = post(client, URL, body)
        assert refused.status_code == 422
        assert fields(refused) == {"owner_id"}
    assert not Customer.objects.exists()
    created = post(client, URL, {"name": "X", "owner_id": rep.pk})
    assert Customer.objects.get(pk=created.json()["id"]).owner == rep


def test_a_rep_leaving_out_the_owner_owns_the_customer(rep):
    created = post(client_for(rep), URL, {"name": "X"})
    assert Customer.objects.get(pk=created.json()["id"]).owner == rep
