"""The access rule on the insights pages: lists, exports and aggregates per role."""

import csv
import datetime
import io

from django.test import Client
from django.urls import reverse

from insights.services import run_scoring
from insights.tests.conftest import AS_OF


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def owners_in(page):
    return {score.customer.owner.username for score in page.context["page"]}


def test_lists_show_only_what_each_role_may_see(simulated_base, rep, manager, other_rep, agent):
    run_scoring(AS_OF)
    url = reverse("insights:returning")
    counts = {}
    for user in (rep, manager, other_rep, agent):
        page = client_for(user).get(url)
        counts[user.username] = page.context["page"].paginator.count
        if user == rep:
            assert owners_in(page) == {"rep"}
    # Every simulated customer belongs to team East (rep and teammate).
    assert counts["manager"] == counts["agent"] > counts["rep"] > 0
    assert counts["other_rep"] == 0


def test_export_is_for_managers_and_obeys_the_rule(
    simulated_base, rep, manager, admin_user, other_rep, make_customer, make_order
):
    elsewhere = make_customer(other_rep, name="Other team's customer")
    make_order(elsewhere, AS_OF - datetime.timedelta(days=500))  # a returning customer
    run_scoring(AS_OF)
    url = reverse("insights:returning_export")
    assert client_for(rep).get(url).status_code == 403
    response = client_for(manager).get(url)
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    owners = {row[1] for row in rows[1:]}
    assert owners <= {"rep", "teammate"} and len(rows) > 1
    admin_rows = list(
        csv.reader(io.StringIO(client_for(admin_user).get(url).getvalue().decode("utf-8-sig")))
    )
    assert [row[0] for row in admin_rows if row[1] == "other_rep"] == [elsewhere.name]
    assert len(admin_rows) == len(rows) + 1


def test_dashboard_aggregates_cover_only_the_users_team(simulated_base, manager, other_rep):
    run_scoring(AS_OF)
    assert (
        client_for(manager).get(reverse("insights:dashboard")).context["summary"]["customers"] > 0
    )
    west = client_for(other_rep).get(reverse("insights:dashboard"))
    assert not west.context["summary"].get("customers")
    assert west.context["warnings"] == []


def test_kpis_for_a_period_with_csv(simulated_base, manager):
    run_scoring(AS_OF)
    client = client_for(manager)
    params = {"start": "2026-04-01", "end": "2026-06-30"}
    page = client.get(reverse("insights:kpis"), params)
    figures = page.context["result"]["figures"]
    assert 0 <= figures.repurchase_rate <= 1 and figures.orders > 0
    assert "Repurchase rate" in page.content.decode()
    exported = (
        client.get(reverse("insights:kpis"), {**params, "format": "csv"})
        .getvalue()
        .decode("utf-8-sig")
    )
    assert exported.splitlines()[1].startswith("Repurchase rate,")


def test_kpi_form_rejects_a_backwards_period(manager):
    page = client_for(manager).get(
        reverse("insights:kpis"), {"start": "2026-06-30", "end": "2026-01-01"}
    )
    assert "The period must end on or after its start." in page.content.decode()
    assert page.context["result"] is None


def test_returning_list_and_export_follow_the_filter(simulated_base, manager):
    run_scoring(AS_OF)
    client = client_for(manager)
    page = client.get(reverse("insights:returning"), {"tier": "A"})
    assert {score.value_tier for score in page.context["page"]} == {"A"}
    exported = client.get(reverse("insights:returning_export"), {"tier": "A"})
    rows = list(csv.reader(io.StringIO(exported.getvalue().decode("utf-8-sig"))))
    assert {row[5] for row in rows[1:]} == {"A"}
    assert len(rows) - 1 == page.context["page"].paginator.count


def test_churn_definition_is_configurable_per_query(simulated_base, manager):
    client = client_for(manager)
    period = {"start": "2026-04-01", "end": "2026-06-30"}
    strict = client.get(reverse("insights:kpis"), {**period, "lost_after_days": 30})
    lenient = client.get(reverse("insights:kpis"), {**period, "lost_after_days": 400})
    strict_figures = strict.context["result"]["figures"]
    lenient_figures = lenient.context["result"]["figures"]
    # A shorter silence counts more customers lost, and fewer as still active at the start.
    assert strict_figures.churn_rate > lenient_figures.churn_rate
    assert strict_figures.churn_base < lenient_figures.churn_base
    assert "after 30 days without a purchase" in strict.content.decode()


def test_segment_movement_counts_each_customer_once_from_old_to_new(simulated_base, manager):
    from insights.models import CustomerScore
    from insights.services import segment_movement

    before = run_scoring(AS_OF - datetime.timedelta(days=120))
    after = run_scoring(AS_OF)
    moves = segment_movement(manager, before, after)
    old = dict(CustomerScore.objects.filter(run=before).values_list("customer_id", "segment"))
    new = dict(CustomerScore.objects.filter(run=after).values_list("customer_id", "segment"))
    expected: dict[tuple[str, str], int] = {}
    for customer, segment in new.items():
        if customer in old:
            key = (old[customer], segment)
            expected[key] = expected.get(key, 0) + 1
    assert moves == expected and sum(moves.values()) == len(set(old) & set(new))


def test_agent_sees_everyones_aggregates_as_the_rule_lets_them_see_every_customer(
    simulated_base, agent, admin_user
):
    run_scoring(AS_OF)
    agent_summary = client_for(agent).get(reverse("insights:dashboard")).context["summary"]
    admin_summary = client_for(admin_user).get(reverse("insights:dashboard")).context["summary"]
    assert agent_summary["customers"] == admin_summary["customers"] > 0
