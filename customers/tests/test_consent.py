"""An opt-out is honoured everywhere at once."""

from customers.services import set_consent


def test_opt_out_then_opt_in(rep, make_customer):
    customer = make_customer(rep)
    assert customer.may_contact("sms")
    set_consent(rep, customer, "sms", False, "customer asked")
    assert not customer.may_contact("sms")
    assert customer.may_contact("phone")
    set_consent(rep, customer, "sms", True, "signed form")
    assert customer.may_contact("sms")
    assert customer.consents.count() == 1
