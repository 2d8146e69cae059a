"""Each next escalation step needs an answer at the current one, or a reason to go on without it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from maatwerk.barriers import services
from maatwerk.barriers.models import Decision, Escalation, Level

from .factories import childcare_barrier

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 1, 10, 0)
TERM = datetime.date(2026, 12, 15)
NOT_YET = "heeft nog geen antwoord en de termijn loopt tot 15 december 2026"


@pytest.fixture
def at_municipality(world, time_machine):
    time_machine.move_to(NOW, tick=False)
    barrier = childcare_barrier(world)
    step = services.escalate_barrier(
        barrier, by=world.alice, level=Level.MUNICIPALITY, to="Maatwerkfunctionaris", due_date=TERM
    )
    return barrier, step


def escalate(world, barrier, **kw):
    data = {"level": Level.REGION, "to": "Regio Zuidoost", "due_date": datetime.date(2027, 1, 15), **kw}
    return services.escalate_barrier(barrier, by=world.alice, **data)


def test_the_first_step_needs_no_reason(at_municipality):
    _barrier, step = at_municipality
    assert step.reason == ""


def test_three_levels_in_a_row_without_answer_or_reason_are_refused(world, at_municipality):
    barrier, _step = at_municipality
    with pytest.raises(ValidationError) as exc:
        escalate(world, barrier)
    message = exc.value.message_dict["reason"][0]
    assert NOT_YET in message and "Maatwerkfunctionaris" in message
    assert barrier.escalations.count() == 1


def test_next_step_after_an_answer_needs_no_reason(world, at_municipality):
    barrier, step = at_municipality
    services.record_answer(
        step, by=world.alice, answer="Lokaal niet op te lossen.", decision=Decision.REFERRED
    )
    assert escalate(world, barrier).reason == ""


def test_next_step_within_the_term_with_a_written_reason_is_recorded_with_it(world, at_municipality):
    barrier, _step = at_municipality
    regional = escalate(world, barrier, reason="De huur wordt volgende week opgezegd.")
    assert regional.reason == "De huur wordt volgende week opgezegd."
    with pytest.raises(ValidationError) as exc:  # and the step after that needs its own reason again
        escalate(world, barrier, level=Level.NATIONAL, to="Landelijk Maatwerkloket")
    assert "Regio Zuidoost" in exc.value.message_dict["reason"][0]


def test_a_blank_reason_is_no_reason(world, at_municipality):
    barrier, _step = at_municipality
    with pytest.raises(ValidationError) as exc:
        escalate(world, barrier, reason="   ")
    assert "reason" in exc.value.message_dict


def test_after_the_term_passed_no_answer_within_the_term_is_the_reason(world, at_municipality, time_machine):
    barrier, _step = at_municipality
    time_machine.move_to(datetime.datetime(2026, 12, 15, 10, 0), tick=False)
    with pytest.raises(ValidationError):  # the last day of the term is still within it
        escalate(world, barrier)
    time_machine.move_to(datetime.datetime(2026, 12, 16, 10, 0), tick=False)
    regional = escalate(world, barrier)
    assert (
        regional.reason == "Geen antwoord van Maatwerkfunctionaris binnen de termijn (tot 15 december 2026)."
    )


def test_escalate_form_names_the_reason_field(world, client_for, at_municipality):
    barrier, _step = at_municipality
    c = client_for(world.alice)
    url = reverse("barriers:escalate", args=[barrier.pk])
    data = {"level": Level.REGION, "to": "Regio Zuidoost", "due_date": "2027-01-15"}
    response = c.post(url, data)
    body = response.content.decode()
    assert "reden om verder te escaleren: De stap naar Maatwerkfunctionaris" in body and NOT_YET in body
    assert not barrier.escalations.filter(level=Level.REGION).exists()
    assert c.post(url, {**data, "reason": "Ontslag dreigt."}).status_code == 302
    assert Escalation.objects.filter(barrier=barrier, level=Level.REGION, reason="Ontslag dreigt.").exists()


def test_api_escalation_needs_the_reason_and_shows_it(world, client_for, at_municipality):
    barrier, _step = at_municipality
    c = client_for(world.alice)
    url = f"/api/v1/barriers/{barrier.pk}/escalations"
    data = {"level": "region", "to": "Regio Zuidoost", "due_date": "2027-01-15"}
    refused = c.post(url, data, content_type="application/json")
    assert refused.status_code == 422 and NOT_YET in refused.content.decode()
    done = c.post(url, {**data, "reason": "Ontslag dreigt."}, content_type="application/json")
    assert done.status_code == 201, done.content
    assert done.json()["reason"] == "Ontslag dreigt."
