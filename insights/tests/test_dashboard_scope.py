"""Each user's dashboard covers the customers they see: one team's, or several teams' together."""

import pytest

from accounts.models import Membership, Role, Team, User
from customers.models import Customer
from insights.services import run_scoring, summary_for, team_summary_for
from insights.tests.conftest import AS_OF
from sales.models import CustomerStats


def scored(owners: list[User]) -> int:
    return CustomerStats.objects.filter(customer__owner__in=owners).count()


@pytest.mark.django_db(transaction=True)
def test_a_manager_of_two_teams_sees_both_teams_figures(simulated_base, rep, teammate, other_rep):
    manager = User.objects.create_user("two-teams", role=Role.MANAGER)
    for team in Team.objects.all():
        Membership.objects.create(user=manager, team=team)
    Customer.objects.filter(pk__in=[c.pk for c in simulated_base[:100]]).update(owner=other_rep)

    run = run_scoring(AS_OF)

    assert summary_for(manager, run)["customers"] == scored([rep, teammate, other_rep])
    # A rep's figures are their own customers' (the access rule), their team's beside them.
    assert summary_for(rep, run)["customers"] == scored([rep]) < scored([rep, teammate])
    rep_team = team_summary_for(rep, run)
    assert rep_team is not None and rep_team["customers"] == scored([rep, teammate]) < 300
    assert summary_for(other_rep, run)["customers"] == scored([other_rep]) > 0


@pytest.mark.django_db(transaction=True)
def test_each_role_sees_the_figures_of_the_customers_it_sees(
    simulated_base, client, rep, teammate, manager, admin_user, agent
):
    run = run_scoring(AS_OF)
    everyone = scored([rep, teammate])
    for user, customers, team in [
        (admin_user, everyone, None), (agent, everyone, None),
        (manager, everyone, None), (rep, scored([rep]), everyone),
    ]:  # fmt: skip
        assert summary_for(user, run)["customers"] == customers, user.username
        client.force_login(user)
        page = client.get("/insights/").content.decode()
        returning = summary_for(user, run)["returning"]
        assert f">{returning:,}<" in page, user.username
        if team is None:
            assert 'id="figures-scope"' not in page
        else:
            team_summary = team_summary_for(user, run)
            assert team_summary is not None
            team_returning = team_summary["returning"]
            assert f"Your own {customers:,} customers with purchases" in page
            assert f"Your team: {team_returning:,}" in page
