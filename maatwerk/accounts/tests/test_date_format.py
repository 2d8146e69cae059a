"""One Dutch date format on every page: "1 december 2026" (the locale's DATE_FORMAT, with the time:
DATETIME_FORMAT), never an abbreviated month such as "1 Dec 2026" (issue 11, point 7)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from maatwerk.barriers import services as barrier_services
from maatwerk.barriers.models import Level
from maatwerk.barriers.tests.factories import childcare_barrier
from maatwerk.budgets import services as budget_services
from maatwerk.budgets.tests.factories import make_budget, request, standard_mandates
from maatwerk.businesscases import services as bc_services
from maatwerk.businesscases.tests.factories import case_for, childcare_plan
from maatwerk.cases import services as case_services

ENGLISH_MONTH = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b")
# Any abbreviated month after a day number, in either language ("1 Dec 2026", "1 mrt. 2026").
ABBREVIATED = re.compile(
    r"\b\d{1,2} (jan|feb|mrt|mar|apr|mei|may|jun|jul|aug|sep|okt|oct|nov|dec)\b\.? \d{4}", re.IGNORECASE
)

MONTHS = "januari februari maart april mei juni juli augustus september oktober november december".split()


@pytest.fixture
def pages(world):
    standard_mandates(world.eindhoven, bb_user=world.lars)
    case = case_for(world.alice, world.team_a)
    case_services.add_note(case, by=world.alice, text="Gesprek met de kinderopvang gehad.")
    case_services.register_time(case, by=world.alice, hours="1.5", activity="household")
    bc_services.save_version(case, by=world.alice, plan=childcare_plan())
    budget = make_budget(world)
    spend = request(world.alice, case, "400.00")
    budget_services.approve_spend(spend, by=world.dave)
    barrier = childcare_barrier(world, case=case)
    barrier_services.escalate_barrier(
        barrier,
        by=world.lars,
        level=Level.TEAM,
        to="Teamleider",
        due_date=timezone.localdate() + datetime.timedelta(days=14),
    )
    return [
        (world.alice, reverse("cases:list")),
        (world.alice, reverse("cases:detail", args=[case.pk])),
        (world.alice, reverse("cases:followups")),
        (world.alice, reverse("businesscases:editor", args=[case.pk])),
        (world.alice, reverse("businesscases:version", args=[case.pk, 1])),
        (world.alice, reverse("businesscases:triangle", args=[case.pk])),
        (world.alice, reverse("budgets:spend", args=[spend.pk])),
        (world.adam, reverse("budgets:budget", args=[budget.pk])),
        (world.alice, reverse("barriers:list")),
        (world.alice, reverse("barriers:detail", args=[barrier.pk])),
    ]


def test_main_pages_show_dates_the_one_dutch_way(pages, client_for):
    today = timezone.localdate()
    spelled = f"{today.day} {MONTHS[today.month - 1]} {today.year}"
    seen_today = 0
    for user, url in pages:
        response = client_for(user).get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert not ENGLISH_MONTH.search(body), (url, ENGLISH_MONTH.search(body).group(0))
        assert not ABBREVIATED.search(body), (url, ABBREVIATED.search(body).group(0))
        seen_today += spelled in body
    assert seen_today >= 5  # the pages do show today's date, spelled out
