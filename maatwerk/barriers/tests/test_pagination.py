"""The register page and the API list, page by page: filters kept, nothing lost or shown twice, and a
number of queries that does not grow with the register."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from maatwerk.barriers import services
from maatwerk.barriers.models import Level

from .factories import case_for, childcare_barrier, many_barriers

pytestmark = pytest.mark.django_db
LATER = datetime.date.today() + datetime.timedelta(days=30)
LIST = reverse("barriers:list")


def titles(body: str) -> list[str]:
    return re.findall(r"K-\d{6} (Knelpunt \d{3})</a>", body)


def test_25_per_page_newest_first_with_page_x_of_y(world, client_for):
    many_barriers(world, 60)
    c = client_for(world.alice)
    body = c.get(LIST).content.decode()
    assert titles(body) == [f"Knelpunt {i:03d}" for i in range(60, 35, -1)]
    assert '<nav class="utrecht-pagination" aria-label="Pagina\'s van het knelpuntenregister">' in body
    assert "Pagina 1 van 3" in body
    assert 'rel="next" href="?page=2"' in body and 'rel="prev"' not in body
    assert 'aria-current="page" href="?page=1"' in body
    last = c.get(LIST, {"page": 3}).content.decode()
    assert titles(last) == [f"Knelpunt {i:03d}" for i in range(10, 0, -1)]
    assert "Pagina 3 van 3" in last and 'rel="next"' not in last and 'rel="prev" href="?page=2"' in last


def test_every_barrier_is_on_exactly_one_page(world, client_for):
    many_barriers(world, 51)
    c = client_for(world.erin)
    seen = [t for page in (1, 2, 3) for t in titles(c.get(LIST, {"page": page}).content.decode())]
    assert sorted(seen) == [f"Knelpunt {i:03d}" for i in range(1, 52)]


@pytest.mark.parametrize(
    ("asked", "shown"), [("99", "Pagina 2 van 2"), ("0", "Pagina 2 van 2"), ("x", "Pagina 1 van 2")]
)
def test_page_out_of_range_shows_the_last_page_and_nonsense_the_first(world, client_for, asked, shown):
    many_barriers(world, 30)
    response = client_for(world.alice).get(LIST, {"page": asked})
    assert response.status_code == 200
    assert shown in response.content.decode()


def test_one_page_has_no_page_navigation(world, client_for):
    many_barriers(world, 25)
    body = client_for(world.alice).get(LIST).content.decode()
    assert len(titles(body)) == 25 and "utrecht-pagination" not in body


def test_filters_are_kept_across_pages(world, client_for):
    escalated = many_barriers(world, 30)
    for barrier in escalated:
        services.escalate_barrier(barrier, by=world.lars, level=Level.TEAM, to="Teamleider", due_date=LATER)
    childcare_barrier(world, title="Knelpunt 999")  # open, filtered out
    c = client_for(world.alice)
    first = c.get(LIST, {"status": "escalated"}).content.decode()
    assert "Pagina 1 van 2" in first and "Knelpunt 999" not in first
    assert 'rel="next" href="?status=escalated&amp;page=2"' in first
    assert 'href="?status=escalated&amp;page=1"' in first
    second = c.get(LIST, {"status": "escalated", "page": 2}).content.decode()
    assert titles(second) == [f"Knelpunt {i:03d}" for i in range(5, 0, -1)]
    assert "Knelpunt 999" not in second
    assert 'rel="prev" href="?status=escalated&amp;page=1"' in second
    assert '<option value="escalated" selected>' in second


def test_the_register_stays_within_the_municipality_on_every_page(world, client_for):
    many_barriers(world, 30)
    many_barriers(world, 30, by=world.carol)
    body = client_for(world.bob).get(LIST, {"page": 2}).content.decode()
    assert "Pagina 2 van 2" in body and len(titles(body)) == 5


def _with_links_and_escalations(world, n):
    """`n` barriers, each escalated, half of them linked to a case with a business-case figure."""
    barriers = many_barriers(world, n)
    case = case_for(world)
    for i, barrier in enumerate(barriers):
        services.escalate_barrier(barrier, by=world.alice, level=Level.TEAM, to="Teamleider", due_date=LATER)
        if i % 2:
            services.link_case(barrier, case, by=world.alice, cost_at_stake="100")


def _queries(c, url, params):
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(url, params).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("url", [LIST, "/api/v1/barriers"])
def test_query_count_does_not_grow_with_the_register(world, client_for, django_assert_max_num_queries, url):
    _with_links_and_escalations(world, 3)
    c = client_for(world.erin)
    c.get(url)  # warm up: session, language
    few = _queries(c, url, {})
    _with_links_and_escalations(world, 80)
    with django_assert_max_num_queries(few):
        assert c.get(url).status_code == 200
    with django_assert_max_num_queries(few):
        assert c.get(url, {"page": 3, "status": "escalated"}).status_code == 200


# --- the API list -----------------------------------------------------------------------------------------


def test_api_list_pages_like_the_case_list(world, client_for):
    many_barriers(world, 30)
    c = client_for(world.alice)
    body = c.get("/api/v1/barriers").json()
    assert body["page"] == 1 and body["has_next"] is True and len(body["items"]) == 25
    assert body["items"][0]["title"] == "Knelpunt 030"
    body = c.get("/api/v1/barriers", {"page": 2}).json()
    assert body["has_next"] is False and [b["title"] for b in body["items"]][-1] == "Knelpunt 001"
    body = c.get("/api/v1/barriers", {"page": 3, "per_page": 10}).json()
    assert body["has_next"] is False and len(body["items"]) == 10
    assert c.get("/api/v1/barriers", {"page": 9}).json()["items"] == []


def test_api_list_filters_on_status(world, client_for):
    barriers = many_barriers(world, 4)
    services.escalate_barrier(barriers[0], by=world.lars, level=Level.TEAM, to="Teamleider", due_date=LATER)
    c = client_for(world.lars)
    escalated = c.get("/api/v1/barriers", {"status": "escalated"}).json()["items"]
    assert [b["id"] for b in escalated] == [barriers[0].pk]
    assert len(c.get("/api/v1/barriers", {"status": "open_all"}).json()["items"]) == 4
    assert c.get("/api/v1/barriers", {"status": "solved_case"}).json()["items"] == []


def test_api_list_bad_paging_or_status_is_422_naming_the_parameter(world, client_for):
    c = client_for(world.alice)
    for params, field in (
        ({"per_page": 101}, "per_page"),
        ({"page": 0}, "page"),
        ({"status": "x"}, "status"),
    ):
        response = c.get("/api/v1/barriers", params)
        assert response.status_code == 422 and field in response.json()["errors"], response.content
    assert c.get("/api/v1/barriers", {"status": "x"}).json()["errors"]["status"] == [
        "Kies een van de opties."
    ]


def test_the_page_count_does_not_compute_the_figures(world, client_for):
    _with_links_and_escalations(world, 3)
    c = client_for(world.erin)
    with CaptureQueriesContext(connection) as ctx:
        c.get(LIST)
    counts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert len(counts) == 1 and "caselink" not in counts[0]
