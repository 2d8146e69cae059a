"""The EUR 6,500 story end to end, in Chromium, each person in their own session.

Childcare of EUR 6,500 so that a mother keeps her job, against a year of benefit. The worker builds the
business case and fills the value triangle, requests the spend and sees who must approve it; the legality
checker records the check; the manager of the social domain (the rung above the team lead) approves it from
their queue; the financial administrator exports a batch whose file validates against the pain.001 XSD and
marks it paid; the case page shows it all.
"""

import datetime
import re

import pytest
from django.utils import translation
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from conftest import browser_login, click_and_load, htmx_ready, new_page
from maatwerk.budgets import services
from maatwerk.budgets.models import Channel, PaymentBatch, SpendRequest, SpendStatus
from maatwerk.businesscases.tests.factories import case_for
from maatwerk.lib.sepa import pain_001_errors

from .factories import make_budget, standard_mandates

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IBAN = "NL91ABNA0417164300"


def nl(text: str) -> str:
    """The Dutch the page shows for an English msgid: the test reads the page as a Dutch user does."""
    with translation.override("nl"):
        return _(text)


def as_user(browser, live_server, username: str):
    """A fresh browser session, logged in as `username`: (its context, to close, and its page)."""
    page = new_page(browser, live_server.url)
    browser_login(page, username)
    return page.context, page


def build_business_case(page, case) -> None:
    page.goto(f"/businesscases/case/{case.pk}/")
    htmx_ready(page)
    add = page.locator("#route-investments").get_by_role("button", name="Post met de hand toevoegen")
    click_and_load(page, add)
    row = page.locator("#route-investments .bc-row").first
    row.get_by_label("Omschrijving").fill("Kinderopvang")
    row.get_by_label("Bedrag (€)").fill("6.500")
    page.get_by_label("Zoeken in het kostenoverzicht").fill("PW_NORM_ALL_2024H1")
    click_and_load(page, page.get_by_role("button", name=re.compile("naar reguliere route.*Bijstandsnorm")))
    regular = page.locator("#route-regular_route .bc-row").first
    expect(page.locator("#route-investments .bc-row").first.get_by_label("Omschrijving")).to_have_value(
        "Kinderopvang"
    )
    regular.get_by_label("Maanden").fill("12")
    regular.get_by_label("Kans (%)").fill("90")
    click_and_load(page, page.get_by_role("button", name="Opslaan als nieuwe versie"))
    expect(page.get_by_text("Versie 1 van de businesscase is opgeslagen.")).to_be_visible()


def fill_value_triangle(page, case) -> None:
    page.goto(f"/businesscases/case/{case.pk}/waardendriehoek/")
    page.get_by_label(nl("Engagement")).fill("Moeder wil werken; oma haalt de kinderen twee middagen op.")
    page.get_by_label(nl("Legitimacy")).fill("De toeslag komt te laat; maatwerk overbrugt het gat een jaar.")
    page.get_by_label(nl("Balance")).fill("Een jaar opvang kost minder dan een jaar bijstand.")
    page.get_by_label(nl("yes, the deviation is justified")).check()
    click_and_load(page, page.get_by_role("button", name=nl("Save")))


def test_the_eur_6500_story_from_business_case_to_a_paid_batch(browser, live_server, world):
    standard_mandates(world.eindhoven)
    services.save_mandate(
        by=world.adam,
        municipality=world.eindhoven,
        channel=Channel.MAATWERKBUDGET,
        title="Manager sociaal domein",
        user_id=world.erin.pk,
        max_amount="25000",
    )
    make_budget(world, amount="25000.00")
    case = case_for(world.alice, world.team_a)

    # The worker: business case, value triangle, the request, and who must approve it. (The request form's
    # fields by id: their labels are checked by the accessibility audit.)
    context, page = as_user(browser, live_server, "alice")
    build_business_case(page, case)
    fill_value_triangle(page, case)
    page.goto(f"/budget/aanvragen/nieuw/{case.pk}/")
    htmx_ready(page)
    with page.expect_response(lambda r: "/goedkeurder/" in r.url and "amount=6.500" in r.url):
        page.locator("#id_amount").fill("6.500,00")
    htmx_ready(page)
    hint = page.locator("#route-preview")
    expect(hint).to_contain_text("vraagt goedkeuring van Manager sociaal domein (Erin")
    expect(hint).to_contain_text(nl("A legality check comes first."))
    page.locator("#id_purpose").fill("Kinderopvang een jaar, zodat moeder haar baan houdt")
    page.locator("#id_kind").select_option("childcare")
    page.locator("#id_legal_basis").select_option("rule_free")
    page.locator("#id_creditor_name").fill("Kinderopvang De Speeltuin & Co")
    page.locator("#id_iban").fill(IBAN)
    page.locator("#id_business_case_version").select_option(index=1)
    page.locator("#id_deviates_from_policy").check()
    page.locator("#id_value_triangle").select_option(index=1)
    click_and_load(page, page.get_by_role("button", name=nl("Submit request")))
    spend = SpendRequest.objects.get(case=case)
    assert spend.amount == 6500 and spend.needs_legality_check and spend.kind == "childcare"
    assert spend.approver_mandate.user == world.erin
    expect(page.get_by_text(re.compile("Wacht op de rechtmatigheidstoets"))).to_be_visible()
    context.close()

    # The legality checker finds it in their list and records the check.
    context, page = as_user(browser, live_server, "lars")
    nav = page.get_by_role("navigation", name="Hoofdnavigatie")
    click_and_load(page, nav.get_by_role("link", name=nl("Legality checks")))
    click_and_load(page, page.get_by_role("link", name=spend.reference))
    for label in (
        "the legal basis fits",
        "within the mandate",
        "deviation from policy is motivated (or there is none)",
        "prior provisions were considered",
        "the amount is reasonable",
    ):
        page.get_by_label(nl(label)).check()
    page.get_by_label(nl("lawful"), exact=True).check()
    click_and_load(page, page.get_by_role("button", name=nl("Record check")))
    expect(page.get_by_text(nl("Legality check recorded."))).to_be_visible()
    context.close()

    # The team lead's mandate ends at EUR 2,500: it is not in their queue. The manager approves it.
    context, page = as_user(browser, live_server, "dave")
    page.goto("/budget/")
    expect(page.get_by_role("link", name=spend.reference)).to_have_count(0)
    context.close()
    context, page = as_user(browser, live_server, "erin")
    nav = page.get_by_role("navigation", name="Hoofdnavigatie")
    click_and_load(page, nav.get_by_role("link", name=nl("To approve")))
    click_and_load(page, page.get_by_role("link", name=spend.reference))
    click_and_load(page, page.get_by_role("button", name=nl("Approve")))
    expect(page.get_by_text(nl("Approved."))).to_be_visible()
    context.close()

    # The financial administrator exports the batch, checks the file, marks it paid.
    context, page = as_user(browser, live_server, "adam")
    page.goto("/budget/betalingen/")
    page.get_by_label(nl("account holder (debtor)")).fill("Gemeente Eindhoven")
    page.get_by_label(nl("debit account IBAN")).fill("NL02ABNA0123456789")
    page.get_by_label(nl("execution date")).fill(
        (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    )
    click_and_load(page, page.get_by_role("button", name=nl("Record batch and create SEPA file")))
    batch = PaymentBatch.objects.get()
    with page.expect_download() as download:
        page.get_by_role("link", name=nl("Download SEPA file")).click()
    with open(download.value.path(), "rb") as file:
        xml = file.read()
    assert pain_001_errors(xml) == []
    assert b'<InstdAmt Ccy="EUR">6500.00</InstdAmt>' in xml
    page.get_by_label(nl("The bank has carried out every transfer in this batch.")).check()
    click_and_load(page, page.get_by_role("button", name=nl("Mark batch as paid")))
    spend.refresh_from_db()
    assert spend.status == SpendStatus.PAID
    assert not PaymentBatch.objects.select_related("closure").get(pk=batch.pk).is_open
    context.close()

    # The case page shows it all: the business case, the paid spend, its steps in the timeline.
    context, page = as_user(browser, live_server, "alice")
    page.goto(f"/casussen/{case.pk}/")
    htmx_ready(page)
    expect(page.get_by_role("link", name=spend.reference).first).to_be_visible()
    expect(page.get_by_text(re.compile("Betaald op")).first).to_be_visible()
    expect(page.get_by_text("€ 6.500,00").first).to_be_visible()
    context.close()
