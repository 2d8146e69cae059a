"""Two-factor login in Chromium: a legal checker sets it up at his first login and types a code at the next;
the pages of the flow pass the accessibility audit (axe, WCAG A/AA, and reflow at 320 px)."""

import re

import pytest
from playwright.sync_api import expect

from conftest import authenticator, browser_login, click_and_load
from maatwerk.accounts.tests.test_accessibility import (
    DESKTOP,
    NARROW,
    axe_violations,
    report,
    settled,
    wider_than_viewport,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_out(page) -> None:
    click_and_load(page, page.get_by_role("button", name="Uitloggen"))


def test_legal_checker_sets_up_two_factor_then_logs_in_with_a_code(page, world):
    browser_login(page, "lars")  # enrolment: the key shown for manual entry, the first code, the codes
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    click_and_load(page, page.get_by_role("link", name="Tweestapsverificatie"))
    expect(page.get_by_text("Tweestapsverificatie staat aan")).to_be_visible()
    expect(page.get_by_text("Nog 10 ongebruikte herstelcodes over.")).to_be_visible()
    log_out(page)
    page.goto("/inloggen/")
    page.get_by_label("Gebruikersnaam").fill("lars")
    page.get_by_label("Wachtwoord").fill("correct-horse-battery-7")
    click_and_load(page, page.get_by_role("button", name="Inloggen"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen: code")
    page.get_by_label("Code").fill("12345x")
    click_and_load(page, page.get_by_role("button", name="Inloggen"))
    expect(page.locator("#id_code_error")).to_contain_text("Code: Deze code klopt niet")
    expect(page.get_by_label("Code")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Code").fill(authenticator.code("lars"))
    click_and_load(page, page.get_by_role("button", name="Inloggen"))
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


def audit(page) -> None:
    page.set_viewport_size(DESKTOP)
    problems = []
    if violations := axe_violations(page):
        problems.append(f"axe, desktop:\n{report(violations)}")
    page.set_viewport_size(NARROW)
    settled(page)
    if violations := axe_violations(page):
        problems.append(f"axe, 320 px:\n{report(violations)}")
    if wide := wider_than_viewport(page):
        problems.append(f"reflow: too wide at 320 px: {', '.join(wide)}")
    assert not problems, f"{page.url}\n" + "\n".join(problems)


def test_two_factor_pages_pass_the_accessibility_audit(page, world):
    page.goto("/inloggen/")
    page.get_by_label("Gebruikersnaam").fill("adam")
    page.get_by_label("Wachtwoord").fill("correct-horse-battery-7")
    click_and_load(page, page.get_by_role("button", name="Inloggen"))
    # Enrolment, with an error shown (an empty code: a wrong one would start django-otp's back-off).
    click_and_load(page, page.get_by_role("button", name="Aanzetten"))
    expect(page.locator("#id_code_error")).to_contain_text("Typ de code")
    expect(page.get_by_role("img", name="QR-code voor de authenticator-app")).to_be_visible()
    audit(page)
    page.set_viewport_size(DESKTOP)
    authenticator.scan("adam", page.locator("#twofactor-secret").inner_text())
    page.get_by_label("Code").fill(authenticator.code("adam"))
    click_and_load(page, page.get_by_role("button", name="Aanzetten"))
    # The recovery codes, shown once.
    expect(page.get_by_role("list", name="Herstelcodes").get_by_role("listitem")).to_have_count(10)
    audit(page)
    page.set_viewport_size(DESKTOP)
    click_and_load(page, page.get_by_role("link", name="Ik heb ze bewaard, verder"))
    page.goto("/account/tweestaps/")
    expect(page.get_by_role("button", name="Nieuwe herstelcodes maken")).to_be_visible()
    audit(page)
    page.set_viewport_size(DESKTOP)
    log_out(page)
    # The code step, with an error.
    page.goto("/inloggen/")
    page.get_by_label("Gebruikersnaam").fill("adam")
    page.get_by_label("Wachtwoord").fill("correct-horse-battery-7")
    click_and_load(page, page.get_by_role("button", name="Inloggen"))
    expect(page).to_have_url(re.compile("/inloggen/code/$"))
    click_and_load(page, page.get_by_role("button", name="Inloggen"))
    expect(page.locator("#id_code_error")).to_contain_text("Typ de code")
    audit(page)
