from pathlib import Path

import polib
import pytest
from django.test import override_settings
from django.urls import reverse

LOCALE = Path(__file__).resolve().parents[2] / "locale"


@pytest.mark.parametrize("domain", ["django"])
def test_dutch_catalogue_is_complete(domain):
    for path in sorted(LOCALE.parent.glob(f"**/locale/nl/LC_MESSAGES/{domain}.po")):
        check_complete(path)


def check_complete(path):
    po = polib.pofile(str(path))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"{path}: untranslated: {untranslated}"
    assert not fuzzy, f"{path}: fuzzy: {fuzzy}"


@pytest.mark.django_db
def test_login_page_is_dutch_by_default(client):
    body = client.get(reverse("login")).content.decode()
    assert 'lang="nl"' in body
    assert "Inloggen" in body
    assert "Direct naar de inhoud" in body


@pytest.mark.django_db
def test_language_switch_to_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/inloggen/"})
    body = client.get(reverse("login")).content.decode()
    assert 'lang="en"' in body
    assert "Skip to main content" in body


@pytest.mark.django_db
@override_settings(LANGUAGE_CODE="nl")
def test_api_errors_are_dutch(client):
    assert client.get("/api/v1/me").json()["detail"] == "Log in of stuur een geldig API-token mee."


@pytest.mark.django_db
def test_english_browser_still_gets_dutch_until_switched(client):
    body = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="nl"' in body
