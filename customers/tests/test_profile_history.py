"""Every profile change is kept as history that is never updated or deleted."""

import pytest

from customers.models import ImmutableRowError, ProfileChange
from customers.services import set_consent, set_tags, update_customer


def test_update_records_who_what_old_and_new(rep, make_customer):
    customer = make_customer(rep, company="Acme")
    changes = update_customer(rep, customer, {"company": "Globex", "city": "Hangzhou"})
    recorded = {(c.field, c.old_value, c.new_value, c.changed_by_id) for c in changes}
    assert recorded == {("company", "Acme", "Globex", rep.pk), ("city", "", "Hangzhou", rep.pk)}


def test_unchanged_save_writes_no_history(rep, make_customer):
    customer = make_customer(rep)
    assert update_customer(rep, customer, {"name": customer.name}) == []


def test_history_rows_cannot_be_changed_or_deleted(rep, make_customer):
    customer = make_customer(rep)
    change = ProfileChange.objects.filter(customer=customer).get()
    change.new_value = "forged"
    with pytest.raises(ImmutableRowError):
        change.save()
    with pytest.raises(ImmutableRowError):
        change.delete()


def test_tags_and_consent_changes_are_recorded(rep, make_customer, db):
    from customers.models import Tag, TagGroup

    group = TagGroup.objects.create(name="Interests")
    rock = Tag.objects.create(group=group, name="Rock")
    customer = make_customer(rep)
    set_tags(rep, customer, [rock])
    set_consent(rep, customer, "sms", False, "phone call")
    fields = set(customer.changes.values_list("field", "new_value"))
    assert ("tags", "Rock") in fields
    assert ("consent_sms", "False") in fields
