"""Pages and API answers with personal data say `Cache-Control: no-store`; static files keep caching."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from maatwerk.accounts.middleware import NoStoreMiddleware
from maatwerk.accounts.models import ApiToken
from maatwerk.budgets import services as budget_services
from maatwerk.budgets.tests.factories import make_budget, request, standard_mandates
from maatwerk.businesscases import services as bc_services
from maatwerk.businesscases.tests.factories import case_for, childcare_plan


def no_store(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


@pytest.fixture
def case(world):
    return case_for(world.alice, world.team_a)


def test_case_person_and_business_case_pages_are_not_stored(world, case, client_for):
    bc_services.save_version(case, by=world.alice, plan=childcare_plan())
    alice = client_for(world.alice)
    person = case.household.persons.first()
    for url in [
        reverse("cases:list"),
        reverse("cases:detail", args=[case.pk]),
        reverse("cases:person", args=[person.pk]),
        reverse("businesscases:editor", kwargs={"case_id": case.pk}),
        reverse("businesscases:version", kwargs={"case_id": case.pk, "number": 1}),
        reverse("businesscases:plan_pdf", kwargs={"case_id": case.pk}),
    ]:
        response = alice.get(url)
        assert response.status_code == 200, url
        assert no_store(response), (url, response.get("Cache-Control"))


def test_spend_page_and_payment_files_are_not_stored(world, case, client_for):
    standard_mandates(world.eindhoven)
    make_budget(world, amount="1000.00")
    spend = request(world.alice, case)
    budget_services.approve_spend(spend, by=world.dave)
    batch = budget_services.export_payment_batch(
        by=world.adam,
        municipality=world.eindhoven,
        debtor_name="Gemeente Eindhoven",
        debtor_iban="NL02ABNA0123456789",
        execution_date=datetime.date.today(),
    )
    assert no_store(client_for(world.alice).get(reverse("budgets:spend", args=[spend.pk])))
    adam = client_for(world.adam)
    for url in [
        reverse("budgets:export_csv"),
        reverse("budgets:batch_csv", args=[batch.pk]),
        reverse("budgets:batch_sepa", args=[batch.pk]),
        "/api/v1/budget/payments/export.csv",
    ]:
        response = adam.get(url)
        assert response.status_code == 200 and no_store(response), url


def test_api_answers_are_not_stored_with_a_session_or_a_token(world, case, client):
    _, key = ApiToken.issue(world.alice, "test")
    response = client.get(f"/api/v1/cases/{case.pk}", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200 and no_store(response)
    client.force_login(world.alice, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/api/v1/me")
    assert response.status_code == 200 and no_store(response)


def test_api_refusal_to_an_anonymous_caller_is_not_stored_either(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and no_store(response)


def test_static_files_keep_their_caching(world, client_for):
    response = client_for(world.alice).get("/static/maatwerk/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_anonymous_page_is_not_marked():
    req = RequestFactory().get("/inloggen/")
    req.user = AnonymousUser()
    response = NoStoreMiddleware(lambda r: HttpResponse("ok"))(req)
    assert not response.has_header("Cache-Control")


def test_cache_control_set_by_the_view_is_kept(world):
    def view(request):
        response = HttpResponse("ok")
        response["Cache-Control"] = "max-age=60"
        return response

    req = RequestFactory().get("/kostenoverzicht/")
    req.user = world.alice
    assert NoStoreMiddleware(view)(req)["Cache-Control"] == "max-age=60"
    req = RequestFactory().get("/kostenoverzicht/")
    req.user = world.alice
    assert no_store(NoStoreMiddleware(lambda r: HttpResponse("ok"))(req))
