"""The export to Open Zaak against the stand-in, which validates every request with the VNG documents."""

import pytest

from maatwerk.budgets.tests import factories as bf
from maatwerk.cases import services as case_services
from maatwerk.cases.models import Status
from maatwerk.cases.tests.factories import case_in, household_case
from maatwerk.zaken import services
from maatwerk.zaken.models import CaseRegistration, State

from .conftest import RSIN, STATUSTYPE

pytestmark = pytest.mark.django_db

FAKE_PDF = b"%PDF-1.4 stand-in plan"


@pytest.fixture(autouse=True)
def _quick_pdf(monkeypatch):
    # WeasyPrint takes seconds per plan; test_real_support_plan_pdf_is_sent renders one for real.
    monkeypatch.setattr(services, "plan_pdf", lambda case: FAKE_PDF)


def closed_case_with_decisions(world, capture):
    """Alice's case walked to execution, one spend approved and one rejected, then closed."""
    bf.standard_mandates(world.eindhoven)
    bf.make_budget(world)
    with capture(execute=True):
        case = case_in(world, Status.EXECUTION)
    with capture(execute=True):
        approved = bf.request(world.alice, case, "100.00")
        from maatwerk.budgets import services as budget_services

        budget_services.approve_spend(approved, by=world.dave)
        rejected = bf.request(world.alice, case, "120.00")
        budget_services.reject_spend(rejected, by=world.dave, reason="Past niet in het plan")
    with capture(execute=True):
        case = case_services.close_case(
            case,
            by=world.alice,
            outcome={"goal_reached": "yes"},
            feedback={},
            reflection={"tone": "positive"},
        )
    return case


def test_closed_case_is_registered_with_statuses_result_besluiten_and_plan(
    world, zaak_config, standin, django_capture_on_commit_callbacks
):
    case = closed_case_with_decisions(world, django_capture_on_commit_callbacks)
    reg = CaseRegistration.objects.get(case=case)
    assert reg.state == State.DONE, reg.error
    [zaak] = standin.objects("zaken")
    assert zaak["identificatie"] == f"MW-{case.pk}"
    assert zaak["bronorganisatie"] == zaak["verantwoordelijkeOrganisatie"] == RSIN
    assert zaak["vertrouwelijkheidaanduiding"] == "zeer_geheim"
    assert zaak["einddatum"] is not None  # set by the Zaken API at the eindstatus
    statussen = standin.objects("statussen")
    assert [s["statustype"] for s in statussen] == [
        STATUSTYPE[s] for s in ("analysis", "plan", "execution", "closed")
    ]
    assert zaak["status"] == statussen[-1]["url"]
    assert len(standin.objects("resultaten")) == 1
    assert len(standin.objects("besluiten")) == 2
    assert len(standin.zaakbesluiten) == 2
    assert len(standin.objects("enkelvoudiginformatieobjecten")) == 1
    assert len(standin.objects("zaakinformatieobjecten")) == 1
