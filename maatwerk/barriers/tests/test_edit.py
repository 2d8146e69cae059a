"""Correcting a barrier after registration: who may, what is written, what is refused."""

import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.urls import reverse

from maatwerk.accounts.models import AccessLog
from maatwerk.barriers import services
from maatwerk.barriers.models import Barrier, BarrierStatus
from maatwerk.cases.models import Agency

from .factories import answered, case_for, childcare_barrier, childcare_data

pytestmark = pytest.mark.django_db
CORRECTED = "Toeslag verrekend met oude belastingschuld"


def update_logs(barrier):
    return AccessLog.objects.filter(
        action=AccessLog.Action.UPDATE,
        object_type="barriers.barrier",
        object_id=str(barrier.pk),
        purpose__startswith="update barrier",
    )


def closed_barrier(world):
    barrier = childcare_barrier(world)
    answered(barrier, world.lars)
    return services.close_barrier(barrier, by=world.lars, status=BarrierStatus.SOLVED_CASE)


# --- the service -----------------------------------------------------------------------------------------


def test_worker_of_owning_team_corrects_title_and_provision(world):
    barrier = childcare_barrier(world)
    before = barrier.updated_at
    services.update_barrier(barrier, by=world.alice, title=CORRECTED, legal_provision="Artikel 31 AWIR")
    barrier.refresh_from_db()
    assert barrier.title == CORRECTED
    assert barrier.legal_provision == "Artikel 31 AWIR" and barrier.provision_key == "art 31 awir"
    assert barrier.description == childcare_data()["description"]  # not sent, not changed
    assert barrier.status == BarrierStatus.OPEN and barrier.updated_at > before


def test_audit_row_names_the_changed_fields_not_their_content(world):
    barrier = childcare_barrier(world)
    services.update_barrier(
        barrier,
        by=world.alice,
        title=CORRECTED,
        description="Nieuwe omschrijving van de regel.",
        risk=childcare_data()["risk"],  # sent but the same: not a change
    )
    log = update_logs(barrier).get()
    assert log.user == world.alice and log.municipality == world.eindhoven
    assert log.purpose == "update barrier: description, title"
    assert CORRECTED not in log.purpose and "omschrijving" not in log.purpose


def test_nothing_changed_writes_nothing(world):
    barrier = childcare_barrier(world)
    services.update_barrier(barrier, by=world.alice, title=f"  {barrier.title} ")
    assert not update_logs(barrier).exists()


@pytest.mark.parametrize("who", ["alice", "dave", "bob", "lars", "erin"])
def test_who_may_escalate_and_close_may_correct(world, who):
    # Alice and Dave are the owning team; Bob works in another team of the same municipality (he may
    # already escalate and close it, and link his cases); Lars checks legality and Erin does policy there.
    barrier = childcare_barrier(world)
    services.update_barrier(barrier, by=getattr(world, who), title=CORRECTED)
    barrier.refresh_from_db()
    assert barrier.title == CORRECTED


@pytest.mark.parametrize("who", ["carol", "pat", "rita", "adam"])
def test_other_municipality_programme_researcher_and_admin_may_not_correct(world, who):
    barrier = childcare_barrier(world)
    with pytest.raises(PermissionDenied):
        services.update_barrier(barrier, by=getattr(world, who), title=CORRECTED)
    barrier.refresh_from_db()
    assert barrier.title != CORRECTED and not update_logs(barrier).exists()


def test_closed_barrier_is_refused_with_a_clear_message(world):
    barrier = closed_barrier(world)
    with pytest.raises(ValidationError) as exc:
        services.update_barrier(barrier, by=world.lars, title=CORRECTED)
    assert exc.value.message_dict[NON_FIELD_ERRORS] == [
        "Het knelpunt is afgesloten; de beschrijving kan niet meer worden gewijzigd."
    ]
    barrier.refresh_from_db()
    assert barrier.title != CORRECTED and not update_logs(barrier).exists()


def test_bad_input_names_every_field_in_dutch_and_nothing_is_half_saved(world):
    barrier = childcare_barrier(world)
    with pytest.raises(ValidationError) as exc:
        services.update_barrier(
            barrier,
            by=world.alice,
            title=CORRECTED,  # valid, but must not be saved alone
            type="nonsense",
            description="  ",
            risk_date="31-02-2027",
            legal_provision="x" * 201,
        )
    errors = exc.value.message_dict
    assert set(errors) == {"type", "description", "risk_date", "legal_provision"}
    assert errors["description"] == ["Dit veld is verplicht."]
    assert errors["legal_provision"] == ["Gebruik maximaal 200 tekens."]
    barrier.refresh_from_db()
    assert barrier.title != CORRECTED and not update_logs(barrier).exists()


def test_removing_every_agency_is_refused(world):
    barrier = childcare_barrier(world)
    with pytest.raises(ValidationError) as exc:
        services.update_barrier(barrier, by=world.alice, agencies=[])
    assert "agencies" in exc.value.message_dict
    services.update_barrier(barrier, by=world.alice, agencies=[], other_agency="Woningcorporatie")
    barrier.refresh_from_db()
    assert barrier.agencies == 0 and barrier.agency_labels == "Woningcorporatie"
    services.update_barrier(barrier, by=world.alice, agencies=[Agency.TAX, Agency.OTHER])
    barrier.refresh_from_db()
    assert set(barrier.agency_list) == {Agency.TAX, Agency.OTHER}


def test_status_and_other_fields_with_their_own_flow_are_refused(world):
    barrier = childcare_barrier(world)
    with pytest.raises(ValidationError) as exc:
        services.update_barrier(barrier, by=world.alice, status=BarrierStatus.REJECTED, title=CORRECTED)
    assert exc.value.message_dict == {"status": ["Dit veld kan hier niet worden gewijzigd."]}
    barrier.refresh_from_db()
    assert barrier.status == BarrierStatus.OPEN and barrier.title != CORRECTED


def test_names_of_any_linked_household_are_refused(world):
    # Alice's household is linked; Bob (other team) may not see it, but may not put its name in either.
    barrier = childcare_barrier(world, case=case_for(world))
    with pytest.raises(ValidationError) as exc:
        services.update_barrier(barrier, by=world.bob, description="Mevrouw Zwanenburg verliest haar werk.")
    assert set(exc.value.message_dict) == {"description"}
    barrier.refresh_from_db()
    assert "Zwanenburg" not in barrier.description


def test_a_failing_audit_write_rolls_the_change_back(world, monkeypatch):
    barrier = childcare_barrier(world)

    def broken(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(services, "log_access", broken)
    with pytest.raises(RuntimeError):
        services.update_barrier(barrier, by=world.alice, title=CORRECTED)
    barrier.refresh_from_db()
    assert barrier.title != CORRECTED


# --- the page ---------------------------------------------------------------------------------------------


def form_data(barrier, **overrides):
    data = {
        "type": barrier.type,
        "title": barrier.title,
        "agencies": [str(a) for a in barrier.agency_list],
        "other_agency": barrier.other_agency,
        "legal_provision": barrier.legal_provision,
        "description": barrier.description,
        "risk": barrier.risk,
        "risk_date": barrier.risk_date.isoformat() if barrier.risk_date else "",
        "solution_asked": barrier.solution_asked,
    }
    data.update(overrides)
    return data


def test_detail_links_to_the_form_which_is_filled_in(world, client_for):
    barrier = childcare_barrier(world)
    c = client_for(world.alice)
    detail = c.get(reverse("barriers:detail", args=[barrier.pk])).content.decode()
    url = reverse("barriers:edit", args=[barrier.pk])
    assert f'href="{url}" data-testid="barrier-edit">Wijzigen</a>' in detail
    form = c.get(url).content.decode()
    assert "Knelpunt wijzigen" in form and f'value="{barrier.title}"' in form
    assert 'value="art. 30 Awir"' in form
    assert 'type="date" name="risk_date" value="2027-03-01"' in form  # ISO, or the browser shows it empty
    assert 'name="case"' not in form  # linking cases has its own page


def test_worker_corrects_through_the_page(world, client_for):
    barrier = childcare_barrier(world)
    response = client_for(world.bob).post(
        reverse("barriers:edit", args=[barrier.pk]), form_data(barrier, title=CORRECTED)
    )
    assert response.status_code == 302 and response.url == reverse("barriers:detail", args=[barrier.pk])
    barrier.refresh_from_db()
    assert barrier.title == CORRECTED
    assert update_logs(barrier).get().purpose == "update barrier: title"


def test_page_errors_are_shown_and_nothing_saved(world, client_for):
    barrier = childcare_barrier(world, case=case_for(world))
    response = client_for(world.alice).post(
        reverse("barriers:edit", args=[barrier.pk]),
        form_data(barrier, title=CORRECTED, description="Gezin Zwanenburg"),
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'aria-invalid="true"' in body
    # The field's label once, then the finding (not "omschrijving: Omschrijving: bevat ...").
    assert "omschrijving: bevat een naam (&#x27;zwanenburg&#x27;)" in body.lower()
    assert "omschrijving: omschrijving" not in body.lower()
    barrier.refresh_from_db()
    assert barrier.title != CORRECTED


def test_page_permissions_follow_the_register(world, client_for):
    barrier = childcare_barrier(world)
    url = reverse("barriers:edit", args=[barrier.pk])
    assert client_for(world.carol).get(url).status_code == 404  # other municipality
    assert client_for(world.rita).get(url).status_code == 404  # researcher: no register
    assert client_for(world.pat).get(url).status_code == 403  # programme: reads, does not act
    detail = client_for(world.pat).get(reverse("barriers:detail", args=[barrier.pk])).content.decode()
    assert "barrier-edit" not in detail
    assert client_for(world.erin).get(url).status_code == 200


def test_closed_barrier_has_no_edit_link_and_the_page_sends_back(world, client_for):
    barrier = closed_barrier(world)
    c = client_for(world.alice)
    assert "barrier-edit" not in c.get(reverse("barriers:detail", args=[barrier.pk])).content.decode()
    url = reverse("barriers:edit", args=[barrier.pk])
    response = c.post(url, form_data(barrier, title=CORRECTED), follow=True)
    assert response.redirect_chain == [(reverse("barriers:detail", args=[barrier.pk]), 302)]
    assert "de beschrijving kan niet meer worden gewijzigd" in response.content.decode()
    barrier.refresh_from_db()
    assert barrier.title != CORRECTED


# --- the API ----------------------------------------------------------------------------------------------


def patch(c, barrier, body):
    return c.patch(f"/api/v1/barriers/{barrier.pk}", body, content_type="application/json")


def test_api_patch_changes_only_the_fields_sent(world, client_for):
    barrier = childcare_barrier(world)
    response = patch(client_for(world.lars), barrier, {"title": CORRECTED, "risk_date": None})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == CORRECTED and body["risk_date"] is None
    assert body["description"] == childcare_data()["description"]
    assert update_logs(barrier).get().purpose == "update barrier: risk_date, title"


def test_api_patch_permissions(world, client_for):
    barrier = childcare_barrier(world)
    assert patch(client_for(world.carol), barrier, {"title": CORRECTED}).status_code == 404
    assert patch(client_for(world.rita), barrier, {"title": CORRECTED}).status_code == 403
    assert patch(client_for(world.pat), barrier, {"title": CORRECTED}).status_code == 403
    barrier.refresh_from_db()
    assert barrier.title != CORRECTED
    assert patch(client_for(world.erin), barrier, {"title": CORRECTED}).status_code == 200


def test_api_patch_bad_input_is_422_naming_the_field(world, client_for):
    barrier = childcare_barrier(world)
    c = client_for(world.alice)
    response = patch(c, barrier, {"title": "", "type": "x", "description": CORRECTED})
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "title": ["Dit veld is verplicht."],
        "type": ["Kies een van de opties."],
    }
    response = patch(c, barrier, {"status": "rejected"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"status": ["Dit veld kan hier niet worden gewijzigd."]}
    response = patch(c, barrier, {"risk_date": "morgen"})
    assert response.status_code == 422 and "risk_date" in response.json()["errors"]
    barrier.refresh_from_db()
    assert barrier.description != CORRECTED and barrier.status == BarrierStatus.OPEN
    assert barrier.risk_date == datetime.date(2027, 3, 1)


def test_api_patch_of_closed_barrier_is_refused(world, client_for):
    barrier = closed_barrier(world)
    response = patch(client_for(world.alice), barrier, {"title": CORRECTED})
    assert response.status_code == 422
    assert response.json()["errors"][NON_FIELD_ERRORS] == [
        "Het knelpunt is afgesloten; de beschrijving kan niet meer worden gewijzigd."
    ]
    assert Barrier.objects.get(pk=barrier.pk).title != CORRECTED
