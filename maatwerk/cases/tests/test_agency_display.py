"""An other agency is shown by its own name as one of the agencies, not in brackets behind UWV."""

import re

import pytest
from django.urls import reverse

from maatwerk.barriers.tests.factories import childcare_barrier
from maatwerk.cases.models import Agency
from maatwerk.cases.tests.factories import household_case

pytestmark = pytest.mark.django_db


def _agencies_shown(html: str) -> str:
    match = re.search(r"betrokken instanties</dt>\s*<dd[^>]*>(.*?)</dd>", html, re.S)
    assert match, "the agencies are on the page"
    return match.group(1).strip()


@pytest.mark.parametrize(
    ("agencies", "other", "shown"),
    [
        ([Agency.UWV, Agency.OTHER], "Pensioenfonds", "UWV, Pensioenfonds"),
        ([Agency.UWV], "Pensioenfonds", "UWV, Pensioenfonds"),
        ([Agency.OTHER], "Pensioenfonds", "Pensioenfonds"),
        ([], "Pensioenfonds", "Pensioenfonds"),
        ([Agency.UWV, Agency.OTHER], "", "UWV, overig"),
        ([], "", "—"),
    ],
)
def test_case_page_shows_the_other_agency_as_an_agency_of_its_own(world, client, agencies, other, shown):
    case = household_case(world, agencies=agencies, other_agency=other)
    client.force_login(world.alice)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert _agencies_shown(html) == shown
    assert "UWV (" not in html


@pytest.mark.parametrize(
    ("agencies", "other", "shown"),
    [
        ([Agency.UWV, Agency.OTHER], "Pensioenfonds", "UWV, Pensioenfonds"),
        ([Agency.UWV, Agency.OTHER], "", "UWV, overig"),
    ],
)
def test_barrier_shows_the_other_agency_as_an_agency_of_its_own(world, client, agencies, other, shown):
    barrier = childcare_barrier(world, agencies=agencies, other_agency=other)
    assert barrier.agency_labels == shown
    client.force_login(world.alice)
    html = client.get(reverse("barriers:detail", args=[barrier.pk])).content.decode()
    assert f"<dd>{shown}</dd>" in html
