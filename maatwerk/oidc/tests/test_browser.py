"""Acceptance, in Chromium, through a real OpenID Connect provider on 127.0.0.1 (oidc-provider-mock)."""

import pytest
from playwright.sync_api import expect

from conftest import click_and_load, new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def at_provider(page, provider):
    # The mock's pages load a stylesheet from a CDN; the tests stay on this machine.
    page.context.route("https://cdn.jsdelivr.net/**", lambda route: route.abort())
    return page


def log_in_at_provider(page, provider, sub: str) -> None:
    page.goto("/inloggen/")
    click_and_load(page, page.get_by_role("link", name="Inloggen met Eindhoven-account"))
    assert page.url.startswith(f"{provider.url}/oauth2/authorize?")
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()
    page.get_by_placeholder("sub").fill(sub)
    click_and_load(page, page.get_by_role("button", name="Authorize", exact=True))


def test_worker_logs_in_through_the_municipality_and_out_of_both(
    page, world, eindhoven_provider, oidc_provider
):
    at_provider(page, oidc_provider)
    oidc_provider.add_user("sub-anna", given_name="Anna", family_name="de Vries", groups=["wijkteam-a"])
    log_in_at_provider(page, oidc_provider, "sub-anna")

    # Back on the worker's start page: the team from the claims, and the role beside the name.
    expect(page.get_by_role("heading", level=1)).to_have_text("Wijkteam A")
    row = page.get_by_role("row").filter(has_text="Anna de Vries")
    expect(row).to_contain_text("sociaal werker")
    nav = page.get_by_role("navigation", name="Hoofdnavigatie")
    click_and_load(page, nav.get_by_role("link", name="Casussen"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.url.endswith("/casussen/")

    # Logging out ends our session and sends the user to the provider's end-session endpoint with the
    # ID token as hint; the provider sends them back to our login page.
    # Our page moves on to the provider by itself (a new navigation: the CSP limits where forms post).
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url(f"{oidc_provider.url}/oauth2/end_session?**")
    assert page.url.startswith(f"{oidc_provider.url}/oauth2/end_session?")
    expect(page.get_by_role("heading", name="End Session")).to_be_visible()
    page.get_by_text("Request parameters").click()
    expect(page.get_by_text("id_token_hint", exact=True)).to_be_visible()
    expect(page.get_by_text(f"{page.base_url}/inloggen/", exact=True).last).to_be_visible()
    expect(page.get_by_text("Recommended parameter")).to_have_count(0)
    click_and_load(page, page.get_by_role("button", name="End session"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen")
    page.goto("/casussen/")
    assert "/inloggen/" in page.url

    # The next login asks at the provider again. (The mock keeps no session of its own, so it always
    # asks; what it shows is that our session did not let the user straight back in.)
    click_and_load(page, page.get_by_role("link", name="Inloggen met Eindhoven-account"))
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()


def test_user_whose_groups_map_to_no_role_gets_the_dutch_explanation(
    browser, live_server, world, eindhoven_provider, oidc_provider
):
    page = at_provider(new_page(browser, live_server.url), oidc_provider)
    try:
        oidc_provider.add_user("sub-kantine", name="Kees Kantine", groups=["kantine"])
        log_in_at_provider(page, oidc_provider, "sub-kantine")
        expect(page.get_by_role("heading", level=1)).to_have_text("Nog geen rol in Maatwerk")
        expect(page.get_by_text("Uw account bij Eindhoven heeft nog geen rol in Maatwerk")).to_be_visible()
        expect(page.get_by_role("button", name="Uitloggen")).to_have_count(0)
    finally:
        page.context.close()
