"""The support plan's agreements (who does what by when) and the signature block in the plan PDF."""

import datetime
import shutil
import subprocess

import pytest
from django.urls import reverse

from maatwerk.accounts.models import AccessLog
from maatwerk.businesscases import services
from maatwerk.businesscases.models import PlanAgreement
from maatwerk.cases.models import Agency

from .factories import case_for, childcare_plan

pytestmark = pytest.mark.django_db

NEXT_MONTH = datetime.date.today() + datetime.timedelta(days=30)


@pytest.fixture
def case(world):
    return case_for(world.alice, world.team_a)


def url(case):
    return reverse("businesscases:agreements", kwargs={"case_id": case.pk})


def formset(*rows, total=None):
    data = {"a-TOTAL_FORMS": str(total or len(rows)), "a-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"a-{i}-{key}"] = value
    return data


HOUSING = {"who": "Woonbedrijf", "what": "Zet de huisuitzetting stop", "due_date": NEXT_MONTH.isoformat()}
HOUSEHOLD = {
    "who": "Het huishouden",
    "what": "Meldt zich bij de schuldhulp",
    "due_date": NEXT_MONTH.isoformat(),
}


def pdf_text(pdf: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "plan.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_worker_records_agreements_in_order_with_an_audit_row(world, case, client_for):
    response = client_for(world.alice).post(url(case), formset(HOUSING, HOUSEHOLD, {}))
    assert response.status_code == 302
    assert [(a.who, a.order) for a in PlanAgreement.objects.filter(case=case)] == [
        ("Woonbedrijf", 0),
        ("Het huishouden", 1),
    ]
    log = AccessLog.objects.get(action=AccessLog.Action.UPDATE, purpose="support plan agreements")
    assert log.household_id == case.household_id
    assert log.changes["agreements"][0] == [] and len(log.changes["agreements"][1]) == 2


def test_removing_and_editing_replaces_the_list(world, case, client_for):
    client = client_for(world.alice)
    client.post(url(case), formset(HOUSING, HOUSEHOLD))
    client.post(url(case), formset({**HOUSING, "remove": "on"}, {**HOUSEHOLD, "what": "Belt de schuldhulp"}))
    assert list(PlanAgreement.objects.values_list("what", flat=True)) == ["Belt de schuldhulp"]


def test_a_bad_row_names_the_field_in_dutch_and_saves_nothing(world, case, client_for):
    client = client_for(world.alice)
    client.post(url(case), formset(HOUSING))
    response = client.post(
        url(case), formset(HOUSEHOLD, {"who": "Woonbedrijf", "what": "", "due_date": "morgen"})
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Dit veld is verplicht" in body and "Voer een geldige datum in" in body
    assert list(PlanAgreement.objects.values_list("who", flat=True)) == ["Woonbedrijf"]


def test_a_date_too_far_ahead_is_refused_by_the_service(world, case):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.save_agreements(case, by=world.alice, rows=[{**HOUSING, "due_date": "2999-01-01"}])
    assert "0.due_date" in exc.value.message_dict
    assert not PlanAgreement.objects.exists()


@pytest.mark.parametrize("who", ["bob", "carol", "erin", "lars", "pat", "rita", "adam"])
def test_anyone_outside_the_team_gets_404(world, case, client_for, who):
    client = client_for(getattr(world, who))
    assert client.get(url(case)).status_code == 404
    assert client.post(url(case), formset(HOUSING)).status_code == 404
    assert not PlanAgreement.objects.exists()


def test_plan_pdf_holds_the_agreements_and_a_signature_block(world, case, tmp_path):
    from maatwerk.cases import services as case_services

    case_services.update_situation(
        case, by=world.alice, agencies=[Agency.UWV, Agency.OTHER], other_agency="Pensioenfonds PFZW"
    )
    services.save_version(case, by=world.alice, plan=childcare_plan())
    services.save_agreements(case, by=world.alice, rows=[HOUSING, HOUSEHOLD])
    case.refresh_from_db()
    text = pdf_text(services.export_plan_pdf(case, by=world.alice), tmp_path)
    assert "Afspraken" in text
    assert "Woonbedrijf" in text and "Zet de huisuitzetting stop" in text
    assert "Meldt zich bij de schuldhulp" in text
    assert "Handtekeningen" in text and "Het huishouden" in text and "De partner" in text
    assert text.count("Plaats:") == 2 and text.count("Handtekening:") == 2
    assert "UWV, Pensioenfonds PFZW" in text  # the other agency by its own name, not as part of UWV
