"""The service figures, review and R&D pages per role, and the key-figures contribution."""

import re
from typing import Any

import pytest
from django.test import Client

from imports.models import ExportRecord
from insights.key_figures import key_figure_sources
from service.tests.numbers_data import Fortnight, build

FIGURES = "/service/figures/?start=2026-03-02&end=2026-03-15&group={group}"


@pytest.fixture(autouse=True)
def yuan(settings):
    """The figures are written in yuan here, whatever CURRENCY the shell exports (`make`
    exports USD for the CDNOW demo)."""
    settings.CURRENCY = "CNY"


@pytest.fixture
def fortnight(rep: Any, other_rep: Any, make_customer: Any, make_order: Any) -> Fortnight:
    return build(rep, other_rep, make_customer, make_order)


def client_for(user: Any, language: str = "en") -> Client:
    client = Client(headers={"Accept-Language": language})
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def totals_row(html: str) -> str:
    return html[html.index('class="fw-semibold"') :].split("</tr>")[0]


@pytest.mark.parametrize("role", ["manager", "agent", "admin_user"])
def test_managers_agents_and_admins_see_every_ticket(
    fortnight: Fortnight, role: str, request: Any
) -> None:
    user = request.getfixturevalue(role)
    response = client_for(user).get(FIGURES.format(group="agent"))
    assert response.status_code == 200
    html = response.content.decode()
    total = totals_row(html)
    assert ">5<" in total  # tickets
    assert "50.0%" in total  # complaint rate 2 of 4
    assert "1.5 h" in total and "1.3 h" in total  # first response median and mean (1.3125)
    assert "66.7% of 3" in total  # SLA met
    assert "¥42.50" in total
    assert "Ann Agent" in html and "agent2" in html and "Unassigned" in html
    assert html.count('data-chart="') == 3


def test_a_rep_sees_only_their_customers(fortnight: Fortnight, rep: Any, other_rep: Any) -> None:
    html = client_for(rep).get(FIGURES.format(group="total")).content.decode()
    assert ">4<" in totals_row(html)
    other = client_for(other_rep).get(FIGURES.format(group="total")).content.decode()
    assert ">1<" in totals_row(other)  # only T4, their customer's question
    assert "Ann Agent" not in other


def test_figures_in_chinese(fortnight: Fortnight, manager: Any) -> None:
    html = client_for(manager, "zh-hans").get(FIGURES.format(group="category")).content
    text = html.decode()
    assert "服务数据" in text and "质量" in text and "投诉率" in text


def test_bad_period_names_the_field(manager: Any) -> None:
    response = client_for(manager).get("/service/figures/?start=2026-03-15&end=2026-03-01")
    assert response.status_code == 400
    assert re.search(r'data-field="end">The end comes before the start', response.content.decode())
    response = client_for(manager).get("/service/figures/?start=2026-13-01&end=x&group=nope")
    assert response.status_code == 400


def test_service_figures_join_the_key_figures_page(fortnight: Fortnight, manager: Any) -> None:
    assert "service" in key_figure_sources
    response = client_for(manager).get(
        "/insights/kpis/?start=2026-03-02&end=2026-03-15&lost_after_days=180"
    )
    html = response.content.decode()
    assert "Complaint rate" in html and "Promises kept" in html and "Net promoter score" in html
    # The manager's customers: the team's (rep's c1, c2, c3, c5); c4 is the other team's.
    csv = client_for(manager).get(
        "/insights/kpis/?start=2026-03-02&end=2026-03-15&lost_after_days=180&format=csv"
    )
    text = b"".join(csv.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    lines = text.splitlines()
    rate = next(line for line in lines if line.startswith("Complaint rate"))
    assert rate == "Complaint rate,0.5,2,4"
    tickets = next(line for line in lines if line.startswith("Goodwill gift cost"))
    assert tickets.startswith("Goodwill gift cost,42.50")


def test_review_page(fortnight: Fortnight, manager: Any) -> None:
    response = client_for(manager).get("/service/review/?span=week&day=2026-03-04")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Complaints by root cause" in html and "Not recorded yet" in html


def test_rd_report_and_its_export(fortnight: Fortnight, manager: Any, agent: Any) -> None:
    url = "/service/rd/?start=2026-03&end=2026-03"
    html = client_for(agent).get(url).content.decode()
    assert 'data-chart="rd-months"' in html and "rd-csv" not in html
    assert "issue-form" not in html  # agents read; managers act for R&D
    assert client_for(agent).get(url + "&format=csv").status_code == 403
    response = client_for(manager).get(url + "&format=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    lines = text.splitlines()
    assert lines[0] == "Month,Type,Product,Category,Tickets"
    assert "2026-03,complaint,,Quality,1" in lines and "2026-03,request,,Quality,2" in lines
    assert ExportRecord.objects.filter(kind="service_rd", created_by=manager).count() == 1


def test_a_reps_review_and_rd_report_keep_to_their_customers(
    fortnight: Fortnight, rep: Any, other_rep: Any
) -> None:
    mine = client_for(rep).get("/service/review/?span=month&day=2026-03-20").content.decode()
    theirs = client_for(other_rep).get("/service/review/?span=month&day=2026-03-20")
    assert fortnight.tickets["T1"].number in mine
    assert fortnight.tickets["T1"].number not in theirs.content.decode()
    assert "no-complaints" in theirs.content.decode()  # their customer only asked a question
    rd_theirs = client_for(other_rep).get("/service/rd/?start=2026-03&end=2026-03")
    assert "no-tickets" in rd_theirs.content.decode()
    assert (
        client_for(rep).get("/service/rd/?start=2026-03&end=2026-03&format=csv").status_code == 403
    )
