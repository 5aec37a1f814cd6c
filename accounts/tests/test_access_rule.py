"""The one access rule, per role."""

from accounts.access import can_edit_owned_by, can_log_interaction, can_reassign
from customers.services import visible_customers


def test_who_sees_which_customers(
    admin_user, manager, rep, teammate, other_rep, agent, make_customer
):
    mine = make_customer(rep)
    teammates = make_customer(teammate)
    theirs = make_customer(other_rep)
    seen = {
        user.username: set(visible_customers(user))
        for user in (admin_user, manager, rep, other_rep, agent)
    }
    assert seen == {
        "admin": {mine, teammates, theirs},
        "manager": {mine, teammates},
        "rep": {mine},
        "other_rep": {theirs},
        "agent": {mine, teammates, theirs},
    }


def test_who_may_change(admin_user, manager, rep, teammate, other_rep, agent):
    owner = rep.pk
    users = (admin_user, manager, rep, teammate, other_rep, agent)
    assert [can_edit_owned_by(u, owner) for u in users] == [True, True, True, False, False, False]
    assert can_log_interaction(agent, owner) and not can_log_interaction(other_rep, owner)
    assert [can_reassign(u) for u in (admin_user, manager, rep, agent)] == [
        True,
        True,
        False,
        False,
    ]


def test_inactive_user_sees_nothing(rep, make_customer):
    make_customer(rep)
    rep.is_active = False
    assert not visible_customers(rep).exists()
