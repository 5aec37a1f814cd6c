"""Interactions speak the one channel vocabulary: kinds map to channels, "call" became "phone"."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone, translation

from core.channels import Channel
from interactions.models import KIND_ALIASES, InteractionKind
from interactions.services import log_interaction

BEFORE = [("interactions", "0001_initial")]
AFTER = [("interactions", "0002_kind_call_becomes_phone")]


def test_every_channel_is_a_kind_and_every_kind_has_a_channel():
    assert set(Channel.values) <= set(InteractionKind.values)
    assert {kind: InteractionKind(kind).channel for kind in InteractionKind.values} == {
        **{channel: Channel(channel) for channel in Channel.values},
        "meeting": Channel.VISIT,
    }
    assert KIND_ALIASES == {"call": InteractionKind.PHONE}


def test_the_channel_of_a_logged_contact(rep, make_customer):
    contact = log_interaction(rep, make_customer(rep), {"kind": "meeting", "summary": "x"})
    assert contact.channel == Channel.VISIT


def test_every_channel_label_is_translated():
    with translation.override("zh-hans"):
        labels = {value: str(label) for value, label in Channel.choices}
        meeting = str(InteractionKind.MEETING.label)
    assert labels == {
        "phone": "电话", "sms": "短信", "email": "邮箱", "wechat": "微信",
        "visit": "拜访", "post": "邮寄", "in_app": "应用内消息",
    }  # fmt: skip
    assert meeting == "会议"


@pytest.mark.django_db(transaction=True)
def test_stored_calls_become_phone_contacts_and_back(rep, make_customer):
    customer = make_customer(rep)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("interactions", "Interaction")
    fields = {"customer_id": customer.pk, "user_id": rep.pk, "occurred_at": timezone.now()}
    row = old.objects.create(kind="call", summary="x", **fields)
    old.objects.create(kind="sms", summary="y", **fields)
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("interactions", "Interaction")
    assert sorted(new.objects.values_list("kind", flat=True)) == ["phone", "sms"]
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    assert old.objects.get(pk=row.pk).kind == "call"
    # Back to the newest schema, not just AFTER: later tests in this process need it all
    # (FollowUp.origin came in a later migration).
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
