"""Workers running the same registration at once: one of them does the work, the others step aside, and
Open Zaak gets one zaak. Each thread has its own database connection (see budgets' test_concurrency)."""

import pytest

from maatwerk.budgets.tests.test_concurrency import run_threads, shared_database
from maatwerk.cases.models import Status
from maatwerk.cases.tests.factories import case_in
from maatwerk.zaken import services
from maatwerk.zaken.models import CaseRegistration, State

N_WORKERS = 6


# Transactional, like budgets' test: the threads must see the rows this test wrote.
@pytest.mark.django_db(transaction=True)
def test_parallel_workers_on_one_registration_create_one_zaak(world, zaak_config, standin):
    zaak_config.enabled = False
    zaak_config.save()
    case = case_in(world, Status.EXECUTION)
    zaak_config.enabled = True
    zaak_config.save()
    CaseRegistration.objects.create(
        case=case, municipality=world.eindhoven, identificatie=services.identificatie(case.pk)
    )
    # The first zaak request is slow, so that the other workers arrive while it runs.
    standin.delay = 1.0
    standin.fail_next("POST", "zaken", "slow")

    with shared_database() as in_thread:
        results = run_threads(in_thread, services.run, [(case.pk,)] * N_WORKERS)
        [reg] = run_threads(in_thread, lambda: CaseRegistration.objects.get(case=case), [()])

    assert sorted(results) == sorted([State.DONE] + ["skipped"] * (N_WORKERS - 1)), results
    assert reg.state == State.DONE and reg.attempts == 1
    assert len(standin.objects("zaken")) == 1
    assert len(standin.objects("statussen")) == 3  # analysis, plan, execution
