"""The researcher sees no live case data anywhere: every page and API operation of the authorisation
matrix, opened as rita with alice's objects in the path, either refuses (403/404) or shows no household."""

import pytest

from maatwerk.accounts.tests.test_authorization_matrix import (  # noqa: F401 (objects is a fixture)
    API_PREFIX,
    ROWS,
    answer,
    fill,
    objects,
)
from maatwerk.cases.models import Household, Person

# Routes that show one household's case file, its money or its people (by prefix).
CASE_DATA = (
    "/casussen/",
    "/businesscases/",
    "/budget/aanvragen/",
    "/budget/betalingen/",
    "/teams/",
    "/api/v1/cases/",
    "/api/v1/households",
    "/api/v1/persons",
    "/api/v1/notes",
    "/api/v1/followups/",
    "/api/v1/budget/spends/",
    "/api/v1/voices/",
)


def test_researcher_is_refused_every_case_page_in_the_matrix():
    # The routes of one object (a path parameter): lists answer rita 200 with nothing in them (checked below).
    rows = [r for r in ROWS.values() if r.route.startswith(CASE_DATA) and ("{" in r.route or "<" in r.route)]
    assert len(rows) > 30  # the prefixes above still match the routes
    allowed = {r.key: r.expected["rita"] for r in rows if r.expected["rita"] not in ("403", "404", "405")}
    assert allowed == {}


def test_no_household_name_on_any_page_the_researcher_opens(objects, db):  # noqa: F811
    world, o, clients = objects
    names = set(Household.objects.values_list("name", flat=True))
    for first, last, bsn in Person.objects.values_list("first_name", "last_name", "bsn"):
        names |= {f"{first} {last}", last} | ({bsn} if bsn else set())
    assert {"Jansen", "Bakker"} <= names
    opened = []
    for row in ROWS.values():
        if row.method != "GET" or row.expected["rita"] != "200" or row.route.startswith("/beheer/"):
            continue
        url = fill(row.route, world, o)
        response = clients["rita"].get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        found = sorted(n for n in names if n and n in text)
        assert not found, f"{url} shows {found}"
        opened.append(row.route)
    assert "/onderzoek/<int:pk>/" in opened and any(r.startswith(API_PREFIX) for r in opened)


@pytest.mark.parametrize(
    "path", ["/casussen/{case}/", "/api/v1/cases/{case}", "/api/v1/households/{household}"]
)
def test_researcher_gets_404_on_a_case_of_her_own_municipality(objects, db, path):  # noqa: F811
    world, o, clients = objects
    url = path.format(case=o.case.pk, household=o.household.pk)
    assert answer(clients["alice"], "GET", url, None)[0] == 200  # the route exists and shows the case
    status, _ = answer(clients["rita"], "GET", url, None)
    assert status in (403, 404)
