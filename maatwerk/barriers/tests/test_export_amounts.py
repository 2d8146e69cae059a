"""Exports write amounts as money: "2815.29", not the "2815.29000000000" that a sum on SQLite gives
(issue 11, point 7)."""

import csv
import io
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook

from maatwerk.barriers import services

from .factories import case_for, childcare_barrier


def barrier_with_summed_cost(world):
    first = case_for(world)
    barrier = childcare_barrier(world, case=first, cost=Decimal("1234.56"))
    second = case_for(world, by=world.bob, team=world.team_b, name="Visser", first_name="Kees", bsn="")
    services.link_case(barrier, second, by=world.bob, cost_at_stake=Decimal("1580.73"))
    return barrier


def test_the_barrier_csv_writes_the_cost_at_stake_in_cents(world, client_for):
    barrier_with_summed_cost(world)
    body = client_for(world.erin).get(reverse("barriers:export", args=["csv"])).content.decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert row[header.index("kosten op het spel")] == "2815.29"


def test_the_barrier_xlsx_writes_the_cost_at_stake_as_a_number_in_cents(world, client_for):
    barrier_with_summed_cost(world)
    content = client_for(world.erin).get(reverse("barriers:export", args=["xlsx"])).content
    header, row = load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)
    assert row[header.index("kosten op het spel")] == 2815.29
