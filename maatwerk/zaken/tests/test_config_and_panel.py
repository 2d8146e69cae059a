"""The configuration (RSIN 11-check, the admin kept to the own municipality) and the case page's panel with
its retry button (scoped to the case's team)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from maatwerk.cases.models import Status
from maatwerk.cases.tests.factories import case_in
from maatwerk.zaken import services
from maatwerk.zaken.models import CaseRegistration, State, ZaakConfig

from .conftest import RSIN

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("rsin", ["002220648", "12345678", "00222064a", "000000000x"])
def test_rsin_failing_the_11_check_is_refused_in_dutch_naming_the_field(world, rsin):
    config = ZaakConfig(municipality=world.eindhoven, rsin=rsin)
    with translation.override("nl"), pytest.raises(ValidationError) as caught:
        config.full_clean()
    assert "rsin" in caught.value.message_dict
    assert "11-proef" in " ".join(caught.value.message_dict["rsin"])


def test_valid_rsin_passes(world):
    ZaakConfig(municipality=world.eindhoven, rsin=RSIN).full_clean()


def test_switching_on_without_services_and_types_names_each_missing_field(world):
    config = ZaakConfig(municipality=world.eindhoven, enabled=True, rsin=RSIN)
    with translation.override("nl"), pytest.raises(ValidationError) as caught:
        config.full_clean()
    errors = caught.value.message_dict
    assert {"zaaktype", "statustype_closed", "resultaattype", "besluittype", "zaken_service"} <= set(errors)
    assert "statustype_aftercare" not in errors  # optional: the zaak ends at closing


def test_admin_edits_own_configuration_but_not_the_services(world, zaak_config, client_for):
    client = client_for(world.adam)
    world.adam.is_staff = True
    world.adam.save()
    url = reverse("admin:zaken_zaakconfig_change", args=[zaak_config.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="rsin"' in page.content.decode()
    assert 'name="zaken_service"' not in page.content.decode()  # read-only: the operator links it


def test_admin_of_other_municipality_cannot_open_the_configuration(world, zaak_config, client_for):
    from conftest import make_user
    from maatwerk.accounts.models import Role

    ulla = make_user("ulla", Role.ADMIN, municipality=world.utrecht)
    ulla.is_staff = True
    ulla.save()
    client = client_for(ulla)
    assert client.get(reverse("admin:zaken_zaakconfig_changelist")).content.decode().count("Eindhoven") == 0
    url = reverse("admin:zaken_zaakconfig_change", args=[zaak_config.pk])
    assert client.get(url).status_code in (302, 403, 404)


def failed_case(world, standin, capture):
    standin.fail_next("POST", "zaken", "error")
    with capture(execute=True):
        case = case_in(world, Status.ANALYSIS)
    assert CaseRegistration.objects.get(case=case).state == State.FAILED
    return case


def test_failed_step_shows_its_dutch_error_and_a_retry_button_on_the_case(
    world, zaak_config, standin, client_for, django_capture_on_commit_callbacks
):
    case = failed_case(world, standin, django_capture_on_commit_callbacks)
    page = client_for(world.alice).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f"Registratie van zaak MW-{case.pk} mislukt" in page
    assert "Zaak registreren: de dienst weigerde het verzoek (HTTP 500)" in page
    assert "Opnieuw proberen" in page


def test_team_lead_retries_and_the_case_shows_the_zaak(
    world, zaak_config, standin, client_for, django_capture_on_commit_callbacks
):
    case = failed_case(world, standin, django_capture_on_commit_callbacks)
    client = client_for(world.dave)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("zaken:retry", args=[case.pk]))
    assert answer.status_code == 302
    assert CaseRegistration.objects.get(case=case).state == State.DONE
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f"Zaak geregistreerd in Open Zaak: MW-{case.pk}" in page
    assert "Opnieuw proberen" not in page
    assert len(standin.objects("zaken")) == 1


@pytest.mark.parametrize("name", ["bob", "carol", "erin", "adam"])
def test_retry_by_someone_outside_the_team_is_404(
    name, world, zaak_config, standin, client_for, django_capture_on_commit_callbacks
):
    case = failed_case(world, standin, django_capture_on_commit_callbacks)
    answer = client_for(getattr(world, name)).post(reverse("zaken:retry", args=[case.pk]))
    assert answer.status_code == 404
    assert CaseRegistration.objects.get(case=case).state == State.FAILED


def test_retry_is_post_only(world, zaak_config, standin, client_for, django_capture_on_commit_callbacks):
    case = failed_case(world, standin, django_capture_on_commit_callbacks)
    assert client_for(world.alice).get(reverse("zaken:retry", args=[case.pk])).status_code == 405


def test_waiting_panel_polls_itself_until_the_zaak_is_registered(
    world, zaak_config, standin, client_for, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(services, "enqueue", queued.append)  # the task waits for a worker
    with django_capture_on_commit_callbacks(execute=True):
        case = case_in(world, Status.ANALYSIS)
    assert queued == [case.pk]
    client = client_for(world.alice)
    panel_url = reverse("zaken:panel", args=[case.pk])
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f'hx-get="{panel_url}" hx-trigger="every 2s"' in page
    # The worker runs the queued registration; the panel's next answer shows it and stops polling.
    services.run(case.pk)
    answer = client.get(panel_url)
    assert answer.status_code == 200
    assert f"Zaak geregistreerd in Open Zaak: MW-{case.pk}" in answer.content.decode()
    assert "hx-trigger" not in answer.content.decode()


@pytest.mark.parametrize("name", ["bob", "carol", "erin"])
def test_panel_of_another_teams_case_is_404(
    name, world, zaak_config, standin, client_for, django_capture_on_commit_callbacks
):
    case = failed_case(world, standin, django_capture_on_commit_callbacks)
    assert client_for(getattr(world, name)).get(reverse("zaken:panel", args=[case.pk])).status_code == 404


def test_case_without_registration_shows_no_panel(world, client_for):
    case = case_in(world, Status.ANALYSIS)
    page = client_for(world.alice).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="hub-zaak"' not in page


def test_admin_form_shows_the_dutch_rsin_error_and_saves_nothing(world, zaak_config, client_for):
    world.adam.is_staff = True
    world.adam.save()
    client = client_for(world.adam)
    url = reverse("admin:zaken_zaakconfig_change", args=[zaak_config.pk])
    fields = [
        f.name
        for f in ZaakConfig._meta.fields
        if f.name not in ("id", "municipality") and "service" not in f.name
    ]
    data = {name: getattr(zaak_config, name) for name in fields}
    data["enabled"] = "on"
    data["rsin"] = "123456789"
    answer = client.post(url, data)
    assert answer.status_code == 200
    assert "voldoen aan de 11-proef" in answer.content.decode()
    zaak_config.refresh_from_db()
    assert zaak_config.rsin == RSIN


def test_a_failing_export_queue_does_not_break_the_users_change(
    world, zaak_config, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    from maatwerk.zaken import services

    def broken(case_id):
        raise RuntimeError("queue down")

    monkeypatch.setattr(services, "request_sync", broken)
    case = case_in(world, Status.INTAKE)
    client = client_for(world.alice)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        answer = client.post(reverse("cases:move", args=[case.pk]), {"to": Status.ANALYSIS})
    assert callbacks  # the signal was on its way
    assert answer.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ANALYSIS


def config_form(config) -> dict:
    fields = [f.name for f in ZaakConfig._meta.fields if f.name != "id" and "service" not in f.name]
    data = {name: getattr(config, name) or "" for name in fields}
    data["municipality"] = config.municipality_id
    data["enabled"] = "on" if config.enabled else ""
    return data


def test_crafted_post_cannot_swap_the_services(world, zaak_config, client_for):
    from zgw_consumers.constants import APITypes, AuthTypes
    from zgw_consumers.models import Service

    elsewhere = Service.objects.create(
        label="Utrecht",
        slug="utrecht-zaken",
        api_type=APITypes.zrc,
        api_root="https://utrecht.example/zaken/",
        auth_type=AuthTypes.zgw,
        client_id="utrecht",
        secret="utrecht-secret",  # noqa: S106
    )
    world.adam.is_staff = True
    world.adam.save()
    url = reverse("admin:zaken_zaakconfig_change", args=[zaak_config.pk])
    answer = client_for(world.adam).post(url, {**config_form(zaak_config), "zaken_service": elsewhere.pk})
    assert answer.status_code == 302
    zaak_config.refresh_from_db()
    assert zaak_config.zaken_service_id != elsewhere.pk


def test_admin_cannot_add_a_configuration_for_another_municipality(world, client_for):
    world.adam.is_staff = True
    world.adam.save()
    data = config_form(ZaakConfig(municipality=world.utrecht, rsin=RSIN))
    answer = client_for(world.adam).post(reverse("admin:zaken_zaakconfig_add"), data)
    assert answer.status_code == 200  # the form again, with "not a valid choice"
    assert not ZaakConfig.objects.filter(municipality=world.utrecht).exists()
