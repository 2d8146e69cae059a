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


def test_our_translations_win_over_the_libraries():
    """Django merges every app's catalogue into one, and of two apps that translate the same msgid the one
    listed first in INSTALLED_APPS wins: a library's Dutch "type" once replaced our "soort". Every entry of
    our catalogues must be what the running app says. (Where two of our own catalogues translate one msgid
    differently, e.g. "note" as "notitie" and as "toelichting", only one of them can be shown: those need a
    msgctxt, and are left out here.)"""
    from django.utils import translation

    ours: dict[tuple[str, str], set[str]] = {}
    for path in sorted(LOCALE.parent.glob("**/locale/nl/LC_MESSAGES/django.po")):
        for entry in polib.pofile(str(path)).translated_entries():
            if not entry.msgid_plural and not entry.obsolete:
                ours.setdefault((entry.msgctxt or "", entry.msgid), set()).add(entry.msgstr)
    ours = {key: texts for key, texts in ours.items() if len(texts) == 1}
    with translation.override("nl"):
        shown = {
            key: translation.pgettext(key[0], key[1]) if key[0] else translation.gettext(key[1])
            for key in ours
        }
    wrong = {key[1]: (texts.pop(), shown[key]) for key, texts in ours.items() if shown[key] not in texts}
    assert not wrong, f"another catalogue wins for: {wrong}"
