"""A person's data can be corrected by the household's team, with an append-only history and an audit row."""

import pytest
from django.urls import reverse

from maatwerk.accounts.models import AccessLog, AppendOnlyError
from maatwerk.cases.models import Person, PersonRevision

from .factories import VALID_BSN, household_case

pytestmark = pytest.mark.django_db

OTHER_BSN = "123456782"  # passes the 11-check


def person_of(world):
    return household_case(world).household.persons.get()


def form(person, **changes):
    data = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "bsn": person.bsn,
        "birth_year": person.birth_year or "",
        "role": person.role,
        "reason": "Geboortejaar verkeerd overgenomen uit de brief",
    }
    return data | changes


def url(person):
    return reverse("cases:correct_person", args=[person.pk])


def test_worker_corrects_a_person_and_the_history_shows_who_when_what_and_why(world, client_for):
    person = person_of(world)
    client = client_for(world.alice)
    response = client.post(url(person), form(person, birth_year="1987", first_name="Sanna"))
    assert response.status_code == 302 and response["Location"] == reverse("cases:person", args=[person.pk])
    person.refresh_from_db()
    assert (person.first_name, person.birth_year) == ("Sanna", 1987)
    revision = PersonRevision.objects.get(person=person)
    assert revision.before == {"first_name": "Sanne", "birth_year": 1988}
    assert revision.after == {"first_name": "Sanna", "birth_year": 1987}
    assert revision.changed_by == world.alice
    body = client.get(reverse("cases:person", args=[person.pk])).content.decode()
    assert "1988 → 1987" in body and "Sanne → Sanna" in body
    assert "Geboortejaar verkeerd overgenomen" in body and "Alice" in body


def test_correction_writes_an_audit_row_with_the_changes_but_never_the_bsn(world, client_for):
    person = person_of(world)
    client_for(world.alice).post(url(person), form(person, bsn=OTHER_BSN, last_name="Jansen-de Wit"))
    log = AccessLog.objects.get(action=AccessLog.Action.UPDATE, purpose="correct person")
    assert log.household_id == person.household_id and log.user == world.alice
    assert log.changes["last_name"] == ["Jansen", "Jansen-de Wit"]
    assert log.changes["bsn"] == ["(verborgen)", "(gewijzigd)"]
    assert VALID_BSN not in str(log.changes) and OTHER_BSN not in str(log.changes)


def test_bad_input_names_each_field_in_dutch_and_saves_nothing(world, client_for):
    person = person_of(world)
    client = client_for(world.alice)
    response = client.post(url(person), form(person, bsn="123456789", birth_year="1850", first_name="Sanna"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Dit is geen geldig BSN" in body and "1900" in body
    response = client.post(url(person), form(person, first_name="", reason=""))
    assert response.status_code == 400 and "Dit veld is verplicht" in response.content.decode()
    person.refresh_from_db()
    assert person.first_name == "Sanne" and person.bsn == VALID_BSN and person.birth_year == 1988
    assert not PersonRevision.objects.exists()
    assert not AccessLog.objects.filter(purpose="correct person", action=AccessLog.Action.UPDATE).exists()


def test_a_correction_that_changes_nothing_is_refused(world, client_for):
    person = person_of(world)
    response = client_for(world.alice).post(url(person), form(person))
    assert response.status_code == 400 and "Er is niets gewijzigd." in response.content.decode()
    assert not PersonRevision.objects.exists()


@pytest.mark.parametrize("who", ["bob", "carol", "erin", "lars", "pat", "rita", "adam"])
def test_anyone_outside_the_team_gets_404(world, client_for, who):
    person = person_of(world)
    client = client_for(getattr(world, who))
    assert client.get(url(person)).status_code == 404
    assert client.post(url(person), form(person, first_name="X")).status_code == 404
    assert Person.objects.get(pk=person.pk).first_name == "Sanne"


def test_team_lead_of_the_team_may_correct(world, client_for):
    person = person_of(world)
    response = client_for(world.dave).post(url(person), form(person, role="partner"))
    assert response.status_code == 302
    assert PersonRevision.objects.get().after == {"role": "partner"}


def test_the_history_cannot_be_rewritten(world):
    from maatwerk.cases import services

    person = person_of(world)
    revision = services.correct_person(person, by=world.alice, **form(person, first_name="Sanna"))
    with pytest.raises(AppendOnlyError):
        PersonRevision.objects.filter(pk=revision.pk).update(reason="anders")
    with pytest.raises(AppendOnlyError):
        revision.delete()
