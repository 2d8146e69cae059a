import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from maatwerk.barriers import services
from maatwerk.barriers.models import Barrier, BarrierStatus, Level

from .factories import SECRET_BSNS, SECRET_NAMES, case_for, childcare_barrier, childcare_data

pytestmark = pytest.mark.django_db
LATER = datetime.date.today() + datetime.timedelta(days=30)


def form_data(**overrides):
    data = childcare_data(**overrides)
    data["agencies"] = [str(a) for a in data["agencies"]]
    data["risk_date"] = data["risk_date"].isoformat()
    return data


@pytest.fixture
def register(world):
    """Barriers in Eindhoven (team A, with a case) and Utrecht (team C, with a case), names known."""
    a_case = case_for(world)
    c_case = case_for(
        world, by=world.carol, team=world.team_c, name="Oosterhout", first_name="Gerrit", bsn="123456782"
    )
    ehv = childcare_barrier(world, case=a_case)
    utr = childcare_barrier(world, by=world.carol, case=c_case, legal_provision="Artikel 30 AWIR")
    return ehv, utr, a_case, c_case


def test_worker_registers_from_case_with_case_preselected(world, client_for):
    case = case_for(world)
    c = client_for(world.alice)
    page = c.get(reverse("barriers:new") + f"?case={case.pk}")
    assert page.status_code == 200
    assert f'<option value="{case.pk}" selected>' in page.content.decode()
    response = c.post(reverse("barriers:new"), {**form_data(), "case": case.pk, "cost_at_stake": "12.500,00"})
    barrier = Barrier.objects.get()
    assert response.url == reverse("barriers:detail", args=[barrier.pk])
    assert barrier.links.get().case == case
    assert barrier.links.get().cost_at_stake == Decimal("12500.00")  # typed the Dutch way


def test_worker_cannot_preselect_a_case_of_another_team(world, client_for):
    case = case_for(world, by=world.bob, team=world.team_b)
    assert client_for(world.alice).get(reverse("barriers:new") + f"?case={case.pk}").status_code == 404


def test_register_errors_are_shown_and_nothing_saved(world, client_for):
    response = client_for(world.alice).post(reverse("barriers:new"), {"type": "rule_clash"})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert Barrier.objects.count() == 0


def test_register_is_municipal_and_other_municipality_gets_404(world, client_for, register):
    ehv, utr, *_ = register
    bob = client_for(world.bob)
    assert bob.get(reverse("barriers:detail", args=[ehv.pk])).status_code == 200
    assert bob.get(reverse("barriers:detail", args=[utr.pk])).status_code == 404
    body = bob.get(reverse("barriers:list")).content.decode()
    assert ehv.reference in body and utr.reference not in body


def test_worker_of_other_team_sees_counts_not_the_linked_case(world, client_for, register):
    ehv, *_ = register
    alice_page = client_for(world.alice).get(reverse("barriers:detail", args=[ehv.pk])).content.decode()
    bob_page = client_for(world.bob).get(reverse("barriers:detail", args=[ehv.pk])).content.decode()
    assert "Zwanenburg" in alice_page
    assert "Zwanenburg" not in bob_page and "1 huishouden" in bob_page


def test_legal_checker_is_refused_national_then_succeeds(world, client_for, register):
    ehv, *_ = register
    lars = client_for(world.lars)
    url = reverse("barriers:escalate", args=[ehv.pk])
    data = {"level": Level.NATIONAL, "to": "Landelijk Maatwerkloket", "due_date": LATER.isoformat()}
    body = lars.post(url, data).content.decode()
    assert "lokale en regionale pogingen" in body
    lars.post(url, {**data, "level": Level.MUNICIPALITY, "to": "Maatwerkfunctionaris"})
    reason = {"reason": "Ontslag dreigt binnen twee weken."}
    assert (
        lars.post(url, {**data, "level": Level.REGION, "to": "Regio Zuidoost", **reason}).status_code == 302
    )
    assert lars.post(url, {**data, **reason}).status_code == 302
    assert ehv.escalations.filter(level=Level.NATIONAL).exists()


def test_closing_without_answer_is_refused_in_the_page(world, client_for, register):
    ehv, *_ = register
    c = client_for(world.alice)
    body = c.post(reverse("barriers:close", args=[ehv.pk]), {"status": "solved_case"}).content.decode()
    assert "zonder vastgelegd antwoord" in body
    ehv.refresh_from_db()
    assert ehv.status == BarrierStatus.OPEN
    esc = services.escalate_barrier(ehv, by=world.alice, level=Level.TEAM, to="Teamleider", due_date=LATER)
    c.post(reverse("barriers:answer", args=[esc.pk]), {"answer": "Kan lokaal", "decision": "solved_case"})
    assert c.post(reverse("barriers:close", args=[ehv.pk]), {"status": "solved_case"}).status_code == 302
    ehv.refresh_from_db()
    assert ehv.status == BarrierStatus.SOLVED_CASE


def test_other_municipality_cannot_act_or_link(world, client_for, register):
    ehv, *_ = register
    carol = client_for(world.carol)
    for name in ("escalate", "close", "link"):
        assert carol.get(reverse(f"barriers:{name}", args=[ehv.pk])).status_code == 404


def test_programme_and_researcher_cannot_act(world, client_for, register):
    ehv, *_ = register
    assert client_for(world.pat).get(reverse("barriers:escalate", args=[ehv.pk])).status_code == 403
    assert client_for(world.rita).get(reverse("barriers:detail", args=[ehv.pk])).status_code == 404
    assert client_for(world.rita).get(reverse("barriers:list")).status_code == 403


def test_bob_links_his_case_to_alices_barrier(world, client_for, register):
    ehv, *_ = register
    bob_case = case_for(world, by=world.bob, team=world.team_b, name="Visser", first_name="Kees", bsn="")
    c = client_for(world.bob)
    page = c.get(reverse("barriers:link", args=[ehv.pk])).content.decode()
    assert "Visser" in page and "Zwanenburg" not in page
    assert (
        c.post(
            reverse("barriers:link", args=[ehv.pk]), {"case": bob_case.pk, "cost_at_stake": "100"}
        ).status_code
        == 302
    )
    assert ehv.links.count() == 2


def test_programme_sees_suggestion_and_merges(world, client_for, register):
    ehv, utr, *_ = register
    c = client_for(world.pat)
    body = c.get(reverse("barriers:national")).content.decode()
    assert 'data-testid="suggestion"' in body
    c.post(reverse("barriers:merge"), {"barrier": [ehv.pk, utr.pk], "title": "Verrekening toeslagen"})
    ehv.refresh_from_db()
    utr.refresh_from_db()
    assert ehv.group_id and ehv.group_id == utr.group_id
    body = c.get(reverse("barriers:national")).content.decode()
    assert 'data-testid="suggestion"' not in body
    assert "Eindhoven, Utrecht" in body and "Verrekening toeslagen" in body


def test_national_page_is_programme_only(world, client_for):
    assert client_for(world.erin).get(reverse("barriers:national")).status_code == 403
    assert client_for(world.pat).get(reverse("barriers:list")).url == reverse("barriers:national")


def test_overdue_shows_on_owner_and_policy_pages(world, client_for, register):
    import time_machine

    ehv, *_ = register
    services.escalate_barrier(
        ehv, by=world.alice, level=Level.TEAM, to="Teamleider Zuid", due_date=datetime.date.today()
    )
    with time_machine.travel(datetime.datetime.now() + datetime.timedelta(days=3)):
        assert "Teamleider Zuid" in client_for(world.alice).get(reverse("barriers:list")).content.decode()
        assert "Teamleider Zuid" in client_for(world.erin).get(reverse("barriers:list")).content.decode()
        assert "Teamleider Zuid" not in client_for(world.bob).get(reverse("barriers:list")).content.decode()


def _all_pages(c, world, ehv, utr, esc):
    urls = [
        reverse("barriers:list"),
        reverse("barriers:detail", args=[ehv.pk]),
        reverse("barriers:export", args=["csv"]),
        reverse("barriers:escalate", args=[ehv.pk]),
        reverse("barriers:close", args=[ehv.pk]),
        reverse("barriers:answer", args=[esc.pk]),
        reverse("barriers:national"),
        reverse("barriers:detail", args=[utr.pk]),
        "/api/v1/barriers",
        f"/api/v1/barriers/{ehv.pk}",
        f"/api/v1/barriers/{utr.pk}",
        "/api/v1/barriers/national",
    ]
    for url in urls:
        response = c.get(url)
        yield url, response


@pytest.mark.parametrize("who", ["erin", "pat"])
def test_no_names_or_bsns_for_policy_and_programme(world, client_for, register, who):
    ehv, utr, *_ = register
    esc = services.escalate_barrier(ehv, by=world.lars, level=Level.TEAM, to="Teamleider", due_date=LATER)
    services.merge_into_group([ehv, utr], by=world.pat, title="Verrekening")
    c = client_for(getattr(world, who))
    seen = 0
    for url, response in _all_pages(c, world, ehv, utr, esc):
        body = response.content.decode("utf-8", errors="replace")
        if response.status_code == 200:
            seen += 1
        for secret in (*SECRET_NAMES, *SECRET_BSNS):
            assert secret not in body, (url, secret)
    xlsx = c.get(reverse("barriers:export", args=["xlsx"]))
    cells = [
        str(v)
        for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True)
        for v in row
    ]
    assert not any(secret in cell for cell in cells for secret in (*SECRET_NAMES, *SECRET_BSNS))
    assert seen >= 4


def test_exports_escape_formulas(world, client_for):
    services.register_barrier(
        by=world.alice, **childcare_data(title='=HYPERLINK("http://evil")', legal_provision="+art 1")
    )
    c = client_for(world.erin)
    csv_body = c.get(reverse("barriers:export", args=["csv"])).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_body and "'+art 1" in csv_body
    assert ";=HYPERLINK" not in csv_body
    wb = load_workbook(io.BytesIO(c.get(reverse("barriers:export", args=["xlsx"])).content))
    values = [v for row in wb.active.iter_rows(values_only=True) for v in row]
    assert '\'=HYPERLINK("http://evil")' in values
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "-", "@")) for v in values)


def test_unknown_export_format_is_404(world, client_for):
    assert client_for(world.erin).get(reverse("barriers:export", args=["pdf"])).status_code == 404
