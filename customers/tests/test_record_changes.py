"""Other apps append changes to a customer's records to the one history, with the actor."""

from core.actors import Actor, acting_as
from customers.models import ProfileChange
from customers.services import RecordChange, record_changes


def test_changes_to_records_join_the_customers_history_with_their_actor(rep, make_customer):
    customer = make_customer(rep)
    with acting_as(Actor.of_token(rep, 5, "till")):
        record_changes(rep, [
            RecordChange(customer.pk, "order", 41, "status", "pending", "paid"),
            RecordChange(customer.pk, "order", 42, "deleted"),
        ])  # fmt: skip
    rows = ProfileChange.objects.filter(customer=customer, subject="order").order_by("subject_id")
    assert [(r.subject_id, r.field, r.old_value, r.new_value) for r in rows] == [
        (41, "status", "pending", "paid"),
        (42, "deleted", "", ""),
    ]
    assert {(r.changed_by_id, r.actor_kind, r.actor_ref) for r in rows} == {(rep.pk, "token", 5)}
