"""The weekly review (root causes, fixes, repeats), product issues marked fixed and the
notices to the affected customers, the R&D counts and the top phrases."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Q
from django.test import Client

from core.channels import Channel
from core.errors import Forbidden, Invalid
from core.models import OutboxEvent
from customers.models import Consent
from engagement.models import Message, Purpose, SkipReason, Status
from sales.models import Product
from service import issues, phrases, rd, review
from service.models import Kind, ProductIssue
from service.tests.numbers_data import Fortnight, at, build, ticket


@pytest.fixture
def fortnight(rep: Any, other_rep: Any, make_customer: Any, make_order: Any) -> Fortnight:
    return build(rep, other_rep, make_customer, make_order)


@pytest.fixture
def speaker(db: Any) -> Product:
    return Product.objects.create(sku="SPK-1", name="Speaker", list_price=Decimal("99.00"))


def client_for(user: Any, language: str = "en") -> Client:
    client = Client(headers={"Accept-Language": language})
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def test_the_weeks_review(fortnight: Fortnight, speaker: Product, manager: Any) -> None:
    t1, t2 = fortnight.tickets["T1"], fortnight.tickets["T2"]
    t1.root_cause, t1.product = "Packaging too thin", speaker
    t1.save()
    t2.root_cause = "courier late"
    t2.save()
    earlier = ticket(
        fortnight.customers["c5"], Kind.COMPLAINT, at(28, 15, month=2),
        category=fortnight.quality, product=speaker, root_cause=" packaging TOO thin ",
    )  # fmt: skip
    fixed_before = ProductIssue.objects.create(
        title="Thicker box", product=speaker, category=fortnight.quality,
        fixed_at=at(1, 12), fixed_by=manager,
    )  # fmt: skip
    fixed_before.tickets.add(earlier)
    fixed_in_week = ProductIssue.objects.create(
        title="New courier", category=fortnight.delivery, fixed_at=at(5, 12), fixed_by=manager
    )

    r = review.review(Q(), review.Span.WEEK, datetime.date(2026, 3, 4))
    assert (r.start, r.end) == (datetime.date(2026, 3, 2), datetime.date(2026, 3, 8))
    assert (r.complaints, r.previous_complaints, r.resolved) == (2, 2, 2)
    assert [(c.cause, c.complaints) for c in r.causes] == [
        ("courier late", 1), ("Packaging too thin", 1),  # alphabetically, case folded
    ]  # fmt: skip
    assert r.causes[1].by_category == [(fortnight.quality.pk, 1)]
    assert [issue.pk for issue in r.fixed] == [fixed_in_week.pk]
    # T1 came back after the thicker box was fixed, and its product, category and root cause
    # were complained about the week before too. T2 was opened before the new courier.
    after_fix = [row for row in r.repeats if row.fixed is not None]
    assert len(after_fix) == 1 and after_fix[0].fixed == fixed_before
    assert after_fix[0].product_id == speaker.pk and after_fix[0].complaints == 1
    again = {(row.product_id, row.category_id, row.cause) for row in r.repeats if row.before}
    assert again == {
        (speaker.pk, fortnight.quality.pk, ""), (None, None, "Packaging too thin"),
    }  # fmt: skip

    month = review.review(Q(), review.Span.MONTH, datetime.date(2026, 3, 20))
    assert (month.start, month.end) == (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    assert month.complaints == 4  # T1, T2 and c5's of 03-01 23:50 and 03-16 00:10

    html = client_for(manager, "zh-hans").get("/service/review/?span=week&day=2026-03-04")
    text = html.content.decode()
    assert "问题复盘" in text and "Packaging too thin" in text and "Thicker box" in text


def test_only_managers_and_admins_manage_issues(
    fortnight: Fortnight, rep: Any, agent: Any, manager: Any, admin_user: Any
) -> None:
    for user in (rep, agent):
        with pytest.raises(Forbidden):
            issues.create_issue(user, "Box", None, fortnight.quality, [])
    for user in (manager, admin_user):
        assert issues.create_issue(user, "Box", None, fortnight.quality, []).pk
    number = fortnight.tickets["T1"].number
    with pytest.raises(Invalid) as error:
        issues.create_issue(manager, "Box", None, fortnight.quality, [number, "T-99999"])
    assert error.value.field == "tickets" and "T-99999" in error.value.message
    with pytest.raises(Invalid) as error:
        issues.create_issue(manager, "Box", None, None, [number])
    assert error.value.field == "product"
    with pytest.raises(Invalid) as error:
        issues.create_issue(manager, "  ", None, fortnight.quality, [number])
    assert error.value.field == "title"
    assert ProductIssue.objects.count() == 2


def test_marking_fixed_tells_the_affected_customers(fortnight: Fortnight, manager: Any) -> None:
    c = fortnight.customers
    c["c1"].language, c["c2"].language = "zh-hans", "en"
    c["c1"].save()
    c["c2"].save()
    Consent.objects.create(customer=c["c3"], channel=Channel.SMS, granted=False)
    t = fortnight.tickets
    numbers = [t["T1"].number, t["T2"].number, t["T3"].number, t["T6"].number]
    issue = issues.create_issue(manager, "Box {too} thin", None, fortnight.quality, numbers)
    now = at(20, 10)
    fixed = issues.mark_fixed(manager, issue.pk, "Thicker box from batch 12", True, now)
    assert fixed.fixed_at == now and fixed.fixed_by == manager and fixed.notified == 2
    sent = {m.customer_id: m for m in Message.objects.filter(cause_kind="product_issue")}
    assert set(sent) == {c["c1"].pk, c["c2"].pk, c["c3"].pk}  # c3 twice linked, told once
    assert all(m.purpose == Purpose.SERVICE and m.channel == Channel.SMS for m in sent.values())
    assert sent[c["c1"].pk].text.startswith("c1您好，您反映的问题已经解决：Box {too} thin")
    assert sent[c["c2"].pk].text.startswith("Dear c2, the problem you told us about")
    assert sent[c["c3"].pk].status == Status.SKIPPED
    assert sent[c["c3"].pk].skip_reason == SkipReason.OPTED_OUT
    assert OutboxEvent.objects.filter(kind=issues.FIXED, subject_id=issue.pk).count() == 1

    again = issues.mark_fixed(manager, issue.pk, "other", True, at(21, 10))
    assert again.fixed_at == now and again.fix_note == "Thicker box from batch 12"
    assert Message.objects.filter(cause_kind="product_issue").count() == 3


def test_the_issue_pages(fortnight: Fortnight, manager: Any, agent: Any) -> None:
    number = fortnight.tickets["T1"].number
    url = "/service/rd/?start=2026-03&end=2026-03"
    bad = client_for(manager, "zh-hans").post(
        url, {"title": "Box", "category": fortnight.quality.pk, "tickets": f"{number}, T-404"}
    )
    assert bad.status_code == 400 and "没有编号为 T-404 的工单" in bad.content.decode()
    assert ProductIssue.objects.count() == 0
    good = client_for(manager).post(
        url, {"title": "Box", "category": fortnight.quality.pk, "tickets": f"{number}，"}
    )
    assert good.status_code == 302
    issue = ProductIssue.objects.get()
    assert list(issue.tickets.all()) == [fortnight.tickets["T1"]]
    fix_url = f"/service/rd/issues/{issue.pk}/fixed/"
    assert client_for(agent).post(fix_url, {"note": "x"}).status_code == 403
    assert (
        client_for(agent).post(url, {"title": "Box", "category": fortnight.quality.pk}).status_code
        == 403
    )
    assert client_for(manager).post(fix_url, {"note": "done"}).status_code == 302
    issue.refresh_from_db()
    assert issue.fixed_at is not None and issue.notified == 0  # the box was left unticked


def test_rd_counts_by_month_product_and_category(
    fortnight: Fortnight, speaker: Product, rep: Any
) -> None:
    t1 = fortnight.tickets["T1"]
    t1.product = speaker
    t1.save()
    ticket(fortnight.customers["c1"], Kind.REQUEST, at(3, 10, month=4), product=speaker)
    report = rd.report(Q(), datetime.date(2026, 3, 1), datetime.date(2026, 4, 30))
    assert report.total == 7  # T1, T2, T3, T6, c5's complaints of 03-01 and 03-16, the
    # April request; not T4, a question
    products = {row.product: (row.complaints, row.requests) for row in rd.by_product(report.counts)}
    assert products == {"Speaker": (1, 1), "": (3, 2)}
    per_category = rd.by_month_and_category(report.counts)
    assert per_category[fortnight.quality.pk] == {datetime.date(2026, 3, 1): 3}
    assert per_category[None] == {datetime.date(2026, 3, 1): 2, datetime.date(2026, 4, 1): 1}
    mine = rd.report(Q(customer__owner=rep), datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    assert mine.total == 6  # March only


def test_top_phrases_in_chinese_and_english() -> None:
    texts = [
        "收到的音箱质量很差，包装破损",
        "包装破损了，质量不好",
        "The speaker box arrived broken, the packaging was thin",
        "Broken packaging again!",
        "我的订单还没到",
    ]
    top = dict(phrases.top_phrases(texts))
    assert top["包装"] == 2 and top["破损"] == 2 and top["质量"] == 2
    assert top["packaging"] == 2 and top["broken"] == 2
    assert "the" not in top and "的音" not in top and "订单" not in top  # once only
    assert phrases.terms("很好的服务") == {"服务"}  # 很好 and 好的 hold function characters
