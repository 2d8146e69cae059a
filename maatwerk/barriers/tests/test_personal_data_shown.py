"""Stored barrier texts with personal data (typed before the check existed, or by another way in) are
masked wherever they are shown outside the owning team: register, detail, national register, exports,
API and the reminder e-mail (issue #10, point 4)."""

import csv
import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from maatwerk.barriers import privacy, services
from maatwerk.barriers.models import Barrier, BarrierGroup, Escalation, Level

from .factories import case_for, childcare_barrier

pytestmark = pytest.mark.django_db
MASK = privacy.MASK
STORED = {
    "title": "Gezin Zwanenburg loopt vast",
    "description": "Mevrouw Jansen, BSN 123 456 782, woont op Kerkstraat 12, bel 06-12345678.",
    "risk": "Wilhelmina verliest haar baan; bij Gezin Visser hetzelfde.",
    "solution_asked": "Mail naar w.zwanenburg@example.nl voor de afspraak.",
}
SECRETS = ("Zwanenburg", "Wilhelmina", "Jansen", "123 456 782", "Kerkstraat 12", "06-12345678", "Visser")
RULE_TEXT = "loopt vast"  # what is left of the title, and shown


@pytest.fixture
def leaky(world):
    """Alice's barrier, linked to her case (Zwanenburg, Wilhelmina), with personal data stored in every
    text field, an escalation question and the national group's title. Team A also has a household Visser
    that is not linked."""
    barrier = childcare_barrier(world, case=case_for(world))
    case_for(world, name="Visser", first_name="Kees", bsn="")
    esc = services.escalate_barrier(
        barrier, by=world.alice, level=Level.TEAM, to="Teamleider", due_date=datetime.date.today()
    )
    utrecht = childcare_barrier(world, by=world.carol)
    group = services.merge_into_group([barrier, utrecht], by=world.pat, title="Verrekening")
    # Written past the services, as older data may be.
    Barrier.objects.filter(pk=barrier.pk).update(**STORED)
    Escalation.objects.filter(pk=esc.pk).update(question="Kan mevrouw Jansen uitstel krijgen? 06-12345678")
    BarrierGroup.objects.filter(pk=group.pk).update(title="Verrekening (Zwanenburg)")
    return barrier


def _pages(world, barrier, who):
    urls = [
        reverse("barriers:detail", args=[barrier.pk]),
        reverse("barriers:export", args=["csv"]),
        f"/api/v1/barriers/{barrier.pk}",
    ]
    if who == "pat":
        urls += [reverse("barriers:national"), "/api/v1/barriers/national"]
    else:
        urls += [reverse("barriers:list"), "/api/v1/barriers"]
    return urls


def _xlsx_text(response) -> str:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)


@pytest.mark.parametrize("who", ["erin", "pat", "bob"])
def test_outside_the_team_stored_personal_data_is_masked_everywhere(world, client_for, leaky, who):
    c = client_for(getattr(world, who))
    for url in _pages(world, leaky, who):
        response = c.get(url)
        assert response.status_code == 200, url
        body = response.content.decode("utf-8-sig")
        for secret in SECRETS:
            assert secret not in body, (url, secret)
        assert MASK in body, url
        assert RULE_TEXT in body or "national" in url, url  # the national rows show the group's title
    xlsx = _xlsx_text(c.get(reverse("barriers:export", args=["xlsx"])))
    assert not any(secret in xlsx for secret in SECRETS) and f"Gezin {MASK} loopt vast" in xlsx


def test_the_detail_page_says_personal_data_was_removed(world, client_for, leaky):
    body = client_for(world.erin).get(reverse("barriers:detail", args=[leaky.pk])).content.decode()
    assert 'data-testid="barrier-withheld"' in body
    assert f"Mevrouw {MASK}" not in body  # the title goes with the name
    assert f"{MASK}, BSN {MASK}, woont op {MASK}, bel {MASK}." in body


def test_api_lists_the_masked_fields(world, client_for, leaky):
    body = client_for(world.pat).get(f"/api/v1/barriers/{leaky.pk}").json()
    assert set(body["withheld"]) == {
        "title",
        "description",
        "risk",
        "solution_asked",
        "group_title",
        "escalation_question",
    }
    assert body["title"] == f"Gezin {MASK} loopt vast"
    assert body["escalations"][0]["question"] == f"Kan {MASK} uitstel krijgen? {MASK}"


def test_csv_export_for_policy_holds_the_masked_title(world, client_for, leaky):
    content = client_for(world.erin).get(reverse("barriers:export", args=["csv"])).content.decode("utf-8-sig")
    titles = [row[4] for row in csv.reader(io.StringIO(content), delimiter=";")][1:]
    assert f"Gezin {MASK} loopt vast" in titles


@pytest.mark.parametrize("who", ["alice", "dave"])
def test_the_owning_team_sees_its_texts_as_typed(world, client_for, leaky, who):
    c = client_for(getattr(world, who))
    body = c.get(reverse("barriers:detail", args=[leaky.pk])).content.decode()
    assert "Kerkstraat 12" in body and 'data-testid="barrier-withheld"' not in body
    assert c.get(f"/api/v1/barriers/{leaky.pk}").json()["description"] == STORED["description"]


def test_policy_edit_form_starts_from_the_masked_text(world, client_for, leaky):
    body = client_for(world.erin).get(reverse("barriers:edit", args=[leaky.pk])).content.decode()
    assert "Kerkstraat" not in body and MASK in body


def test_ordinary_stored_texts_are_shown_unchanged(world, client_for):
    barrier = childcare_barrier(world)
    body = client_for(world.pat).get(f"/api/v1/barriers/{barrier.pk}").json()
    assert body["withheld"] == [] and body["description"].startswith("De toeslag wordt verrekend")


def test_reminder_mail_to_policy_is_masked(world, leaky):
    world.erin.email = "erin@example.org"
    world.erin.save()
    call_command("remind", stdout=io.StringIO())
    bodies = [m.body for m in mail.outbox if "erin@example.org" in m.to]
    assert bodies and all("Zwanenburg" not in b for b in bodies) and MASK in bodies[0]


def test_overdue_block_of_the_policy_register_is_masked(world, client_for, leaky):
    Escalation.objects.filter(barrier=leaky).update(
        due_date=datetime.date.today() - datetime.timedelta(days=3), to="meneer De Groot"
    )
    body = client_for(world.erin).get(reverse("barriers:list")).content.decode()
    assert "mw-overdue" in body
    assert "Zwanenburg" not in body and "De Groot" not in body
    assert f"Gezin {MASK} loopt vast" in body


def test_a_municipal_barrier_is_unmasked_for_its_legal_checkers_only(world, client_for):
    barrier = childcare_barrier(world, by=world.lars)
    Barrier.objects.filter(pk=barrier.pk).update(description="Bel mevrouw Jansen op 06-12345678.")
    url = f"/api/v1/barriers/{barrier.pk}"
    assert client_for(world.lars).get(url).json()["description"] == "Bel mevrouw Jansen op 06-12345678."
    for who in (world.alice, world.erin, world.pat):
        assert client_for(who).get(url).json()["description"] == f"Bel {MASK} op {MASK}.", who
