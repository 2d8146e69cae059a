"""A follow-up can be recorded from two weeks before its due date, not right after closing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from maatwerk.cases import services
from maatwerk.cases.models import FollowUp, Status

from .factories import case_in

pytestmark = pytest.mark.django_db

CLOSED_ON = datetime.datetime(2026, 11, 15, 10, 0)  # the three-month follow-up falls due on 15 February 2027


@pytest.fixture
def closed(world, time_machine):
    time_machine.move_to(CLOSED_ON, tick=False)
    case = case_in(world, Status.CLOSED)
    return case, case.followups.get(kind=FollowUp.Kind.THREE_MONTHS)


def test_followup_opens_two_weeks_before_it_is_due(closed):
    _case, followup = closed
    assert followup.due_on == datetime.date(2027, 2, 15)
    assert followup.opens_on == datetime.date(2027, 2, 1)
    assert not followup.is_open


def test_followup_right_after_closing_is_refused_with_the_day_it_opens(world, closed):
    case, followup = closed
    with pytest.raises(ValidationError) as exc:
        services.record_followup(followup, by=world.alice, back_in_trouble=False)
    assert exc.value.message_dict["done_on"] == ["Deze nazorg kan vanaf 1 februari 2027 worden vastgelegd."]
    followup.refresh_from_db()
    case.refresh_from_db()
    assert followup.done_on is None and case.status == Status.CLOSED


def test_followup_dated_before_its_window_is_refused_also_when_recorded_late(world, closed, time_machine):
    _case, followup = closed
    time_machine.move_to(datetime.datetime(2027, 3, 1, 10, 0), tick=False)
    with pytest.raises(ValidationError) as exc:
        services.record_followup(followup, by=world.alice, back_in_trouble=False, done_on="2027-01-31")
    assert "1 februari 2027" in exc.value.message_dict["done_on"][0]


def test_followup_is_recorded_from_the_first_day_of_its_window(world, closed, time_machine):
    case, followup = closed
    time_machine.move_to(datetime.datetime(2027, 2, 1, 9, 0), tick=False)
    services.record_followup(followup, by=world.alice, back_in_trouble=False, kept_home=True)
    followup.refresh_from_db()
    case.refresh_from_db()
    assert followup.done_on == datetime.date(2027, 2, 1) and case.status == Status.AFTERCARE


def test_web_followup_too_early_names_the_day_it_opens(world, client_for, closed):
    case, followup = closed
    c = client_for(world.alice)
    url = reverse("cases:followup", args=[case.pk, followup.pk])
    assert "Deze nazorg kan vanaf 1 februari 2027 worden vastgelegd." in c.get(url).content.decode()
    response = c.post(url, {"back_in_trouble": "no"})
    assert response.status_code == 400
    assert "Deze nazorg kan vanaf 1 februari 2027 worden vastgelegd." in response.content.decode()
    followup.refresh_from_db()
    assert followup.done_on is None


def test_case_page_and_followup_list_show_when_the_followup_opens(world, client_for, closed, time_machine):
    case, followup = closed
    c = client_for(world.alice)
    page = c.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "vast te leggen vanaf 1 februari 2027" in page
    assert reverse("cases:followup", args=[case.pk, followup.pk]) not in page
    # Within a month of the due date it is on the list, not yet to be recorded.
    time_machine.move_to(datetime.datetime(2027, 1, 20, 9, 0), tick=False)
    c = client_for(world.alice)  # a new login: the session of months ago has expired
    listing = c.get(reverse("cases:followups")).content.decode()
    assert "vast te leggen vanaf 1 februari 2027" in listing
    assert reverse("cases:followup", args=[case.pk, followup.pk]) not in listing
    time_machine.move_to(datetime.datetime(2027, 2, 1, 9, 0), tick=False)
    c = client_for(world.alice)
    listing = c.get(reverse("cases:followups")).content.decode()
    assert reverse("cases:followup", args=[case.pk, followup.pk]) in listing


def test_api_followup_too_early_is_refused_and_says_when_it_opens(world, client_for, closed, time_machine):
    case, followup = closed
    c = client_for(world.alice)
    shown = c.get(f"/api/v1/cases/{case.pk}").json()["followups"]
    assert {f["kind"]: f["opens_on"] for f in shown}["3m"] == "2027-02-01"
    response = c.post(
        f"/api/v1/followups/{followup.pk}", {"back_in_trouble": False}, content_type="application/json"
    )
    assert response.status_code == 422
    assert "Deze nazorg kan vanaf 1 februari 2027 worden vastgelegd." in response.content.decode()
    time_machine.move_to(datetime.datetime(2027, 2, 15, 9, 0), tick=False)
    c = client_for(world.alice)
    response = c.post(
        f"/api/v1/followups/{followup.pk}", {"back_in_trouble": False}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["done_on"] == "2027-02-15"


@pytest.mark.django_db(transaction=True)
def test_recording_a_followup_runs_in_its_own_transaction(time_machine):
    # Outside a test's wrapping transaction, as under a real request: the service locks the case, which
    # PostgreSQL only allows inside a transaction (a misplaced @transaction.atomic once made this a 500).
    from conftest import build_world

    world = build_world()
    time_machine.move_to(CLOSED_ON, tick=False)
    case = case_in(world, Status.CLOSED)
    followup = case.followups.get(kind=FollowUp.Kind.THREE_MONTHS)
    time_machine.move_to(datetime.datetime(2027, 2, 15, 10, 0), tick=False)
    services.record_followup(followup, by=world.alice, back_in_trouble=False)
    followup.refresh_from_db()
    assert followup.done_on == datetime.date(2027, 2, 15)
