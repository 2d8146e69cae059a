"""The refresh job: every measure of a fact on a few cases with known answers, the cube as the facts'
sums, the budget months from the ledger, a failed refresh, and the task that is never queued twice."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from maatwerk.budgets.models import Budget, Channel, EntryKind, LedgerEntry, SpendRequest, SpendStatus
from maatwerk.budgets.tests.factories import PERIOD
from maatwerk.businesscases.models import BusinessCase, BusinessCaseVersion
from maatwerk.cases import lib
from maatwerk.cases.models import Agency, Case, Feedback, FollowUp, Household, LifeDomain, Status, TimeEntry
from maatwerk.cases.queries import involving
from maatwerk.insights import freshness, tasks
from maatwerk.insights import refresh as refresh_module
from maatwerk.insights.models import BudgetMonth, CaseCube, CaseCubeAgency, CaseCubeDomain, CaseFact, Refresh
from maatwerk.insights.refresh import DIMENSIONS, MEASURES, refresh

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def make_case(
    world, *, team=None, opened_on, closed_on=None, status=Status.EXECUTION, domains=(), agencies=()
):
    team = team or world.team_a
    household = Household.objects.create(municipality=team.municipality, team=team, name="X", search_key="x")
    return Case.objects.create(
        municipality=team.municipality,
        team=team,
        household=household,
        lead_worker=world.alice,
        status=status,
        opened_on=opened_on,
        closed_on=closed_on,
        domains=lib.to_mask(domains),
        agencies=lib.to_mask(agencies),
    )


def budget_of(world, team=None, channel=Channel.MAATWERKBUDGET):
    team = team or world.team_a
    budget, _ = Budget.objects.get_or_create(
        municipality=team.municipality,
        team=team,
        channel=channel,
        period_start=PERIOD[0],
        defaults={"period_end": PERIOD[1]},
    )
    return budget


def spend(world, case, amount, *, channel=Channel.MAATWERKBUDGET, status=SpendStatus.APPROVED, kind="other"):
    return SpendRequest.objects.create(
        municipality=case.municipality,
        team=case.team,
        budget=budget_of(world, case.team, channel),
        case=case,
        channel=channel,
        amount=Decimal(amount),
        purpose="Test",
        kind=kind,
        legal_basis="rule_free",
        status=status,
        requested_by=world.alice,
    )


def version(world, case, number, *, net, investment="500.00", var=None, m3=None, p="0.5000", grade="", **kw):
    business_case, _ = BusinessCase.objects.get_or_create(case=case)
    return BusinessCaseVersion.objects.create(
        business_case=business_case,
        number=number,
        plan={},
        result=kw.pop("result", {}),
        hourly_rate=Decimal("80"),
        investment=Decimal(investment),
        expected_net=Decimal(net),
        p_net_positive=Decimal(p),
        net_var=var,
        net_m3=m3,
        weakest_grade=grade,
        created_by=world.alice,
        **kw,
    )


def followup(case, kind, *, done=True, trouble=False, home=None, job=None):
    return FollowUp.objects.create(
        case=case,
        kind=kind,
        due_on=datetime.date(2026, 7, 1),
        done_on=datetime.date(2026, 7, 2) if done else None,
        back_in_trouble=trouble if done else None,
        kept_home=home,
        kept_job=job,
    )


def hours(world, case, amount, activity):
    TimeEntry.objects.create(case=case, worker=world.alice, hours=Decimal(amount), activity=activity)


@pytest.fixture
def cases(world):
    """Four cases with every kind of source row, and the answers the facts must hold."""
    full = make_case(
        world,
        opened_on=datetime.date(2026, 1, 15),
        closed_on=datetime.date(2026, 4, 10),
        status=Status.CLOSED,
        domains=[LifeDomain.FINANCES, LifeDomain.HOUSING],
        agencies=[Agency.TAX, Agency.HOUSING_CORPORATION],
    )
    spend(world, full, "300.00", kind="rent_arrears")
    spend(world, full, "500.00", status=SpendStatus.PAID, kind="childcare")
    spend(world, full, "200.50", channel=Channel.BIJZONDERE_BIJSTAND, status=SpendStatus.PAID, kind="energy")
    spend(world, full, "1000.00", status=SpendStatus.REJECTED, kind="debts")
    spend(world, full, "900.00", status=SpendStatus.CANCELLED, kind="debts")
    spend(world, full, "700.00", status=SpendStatus.REQUESTED, kind="debts")
    hours(world, full, "1.50", TimeEntry.Activity.CONTACT_HOUSEHOLD)
    hours(world, full, "2.00", TimeEntry.Activity.CONTACT_HOUSEHOLD)
    hours(world, full, "1.25", TimeEntry.Activity.MDT)
    hours(world, full, "0.50", TimeEntry.Activity.TRAVEL)
    version(world, full, 1, net="100.00", grade="A", net_draws=[1.0])
    version(
        world,
        full,
        2,
        net="2000.00",
        investment="500.00",
        var=250000.0,
        m3=1.0e6,
        p="0.8000",
        grade="C",
        net_draws=[-100.0, 2000.0, 4100.0],
        result={"expected": {"avoided": 2500.0, "net": 2000.0}},
    )
    followup(full, FollowUp.Kind.THREE_MONTHS, home=True)  # held
    followup(full, FollowUp.Kind.TWELVE_MONTHS, home=False)  # home lost: did not hold
    Feedback.objects.create(case=full, grade=8)

    bare = make_case(world, opened_on=datetime.date(2026, 2, 3))

    # Closed without feedback; a business case of one version without moments, grade or avoided cost.
    lost = make_case(
        world,
        team=world.team_c,
        opened_on=datetime.date(2025, 12, 31),
        closed_on=datetime.date(2026, 1, 1),
        status=Status.AFTERCARE,
        domains=[LifeDomain.JUSTICE],
        agencies=[Agency.OTHER],
    )
    version(world, lost, 1, net="-300.00", investment="400.00", p="0.1000")
    followup(lost, FollowUp.Kind.THREE_MONTHS, trouble=True)
    followup(lost, FollowUp.Kind.TWELVE_MONTHS, done=False)  # not done yet: counts nowhere
    spend(world, lost, "50.00", channel=Channel.BIJZONDERE_BIJSTAND, kind="energy")

    # In bare's cohort (team A, opened in February, open, no spend): one cube row of two.
    twin = make_case(world, opened_on=datetime.date(2026, 2, 27))
    hours(world, twin, "2.00", TimeEntry.Activity.OTHER)
    followup(twin, FollowUp.Kind.THREE_MONTHS, trouble=False, home=None, job=False)  # job lost
    Feedback.objects.create(case=twin, grade=3)
    return {"full": full, "bare": bare, "lost": lost, "twin": twin}


def fact(case) -> CaseFact:
    return CaseFact.objects.get(case_id=case.pk)


def test_a_fact_carries_the_case_dimensions_and_months(world, cases):
    refresh()
    full, bare, lost = fact(cases["full"]), fact(cases["bare"]), fact(cases["lost"])
    assert (full.municipality_id, full.team_id, full.lead_worker_id) == (
        world.eindhoven.pk,
        world.team_a.pk,
        world.alice.pk,
    )
    assert (full.opened_month, full.closed_month, full.status) == (
        datetime.date(2026, 1, 1),
        datetime.date(2026, 4, 1),
        Status.CLOSED,
    )
    assert (lost.opened_month, lost.closed_month, lost.status, lost.team_id) == (
        datetime.date(2025, 12, 1),
        datetime.date(2026, 1, 1),
        Status.AFTERCARE,
        world.team_c.pk,
    )
    assert (bare.opened_month, bare.closed_month, bare.status) == (
        datetime.date(2026, 2, 1),
        None,
        "execution",
    )
    assert full.n == bare.n == 1


def test_duration_counts_only_closed_cases(cases):
    refresh()
    full, bare, lost = fact(cases["full"]), fact(cases["bare"]), fact(cases["lost"])
    assert (full.closed_n, full.duration_days, full.duration_days_sq, full.duration_days_cu) == (
        1,
        85,
        85.0**2,
        85.0**3,
    )
    assert (lost.closed_n, lost.duration_days) == (1, 1)
    assert (bare.closed_n, bare.duration_days, bare.duration_days_sq, bare.duration_days_cu) == (0, 0, 0, 0)


def test_spends_count_approved_and_paid_per_channel_and_the_largest_gives_the_kind(cases):
    refresh()
    full, bare, lost = fact(cases["full"]), fact(cases["bare"]), fact(cases["lost"])
    # 300 approved + 500 paid; the rejected, cancelled and requested ones do not count.
    assert (full.spend_maatwerk, full.spend_bijzonder) == (Decimal("800.00"), Decimal("200.50"))
    assert (full.spend_maatwerk_n, full.spend_bijzonder_n) == (1, 1)
    assert full.kind == "childcare"  # the largest counted spend (500), not the rejected 1000
    assert (lost.spend_maatwerk, lost.spend_bijzonder, lost.kind) == (
        Decimal("0"),
        Decimal("50.00"),
        "energy",
    )
    assert (lost.spend_maatwerk_n, lost.spend_bijzonder_n) == (0, 1)
    assert (bare.kind, bare.spend_maatwerk, bare.spend_maatwerk_n) == ("", Decimal("0"), 0)


def test_equal_largest_spends_give_the_kind_of_the_earliest(world, cases):
    case = cases["bare"]
    spend(world, case, "400.00", kind="transport")
    spend(world, case, "400.00", kind="education")
    refresh()
    assert fact(case).kind == "transport"


def test_hours_are_summed_in_all_and_per_activity(cases):
    refresh()
    full, twin = fact(cases["full"]), fact(cases["twin"])
    assert full.hours == Decimal("5.25")
    assert (full.hours_household, full.hours_mdt, full.hours_travel) == (
        Decimal("3.50"),
        Decimal("1.25"),
        Decimal("0.50"),
    )
    assert (full.hours_agencies, full.hours_administration, full.hours_other) == (0, 0, 0)
    assert (twin.hours, twin.hours_other, fact(cases["bare"]).hours) == (Decimal("2.00"), Decimal("2.00"), 0)


def test_the_latest_business_case_version_gives_the_net_moments(cases):
    refresh()
    full = fact(cases["full"])
    m, v, t = 2000.0, 250000.0, 1.0e6
    assert full.bc_n == 1
    assert (full.net_s1, full.net_s2, full.net_s3) == (m, m**2, m**3)
    assert (full.net_v, full.net_mv, full.net_t) == (v, m * v, t)
    assert full.chance == pytest.approx(0.8)
    assert (full.avoided, full.investment) == (2500.0, 500.0)
    assert (full.net_pos_n, full.net_pos_s1, full.net_pos_s2, full.net_pos_s3) == (1, m, m**2, m**3)
    assert (full.grade_a, full.grade_b, full.grade_c, full.grade_d) == (0, 0, 1, 0)
    assert full.net_draws == [-100.0, 2000.0, 4100.0]


def test_a_business_case_without_moments_grade_or_avoided_cost(cases):
    refresh()
    lost = fact(cases["lost"])
    assert (lost.bc_n, lost.net_s1, lost.net_s2, lost.net_s3) == (1, -300.0, 90000.0, -27.0e6)
    assert (lost.net_v, lost.net_mv, lost.net_t) == (0, 0, 0)
    # No avoided cost in the result: expected net + investment.
    assert (lost.avoided, lost.investment, lost.chance) == (100.0, 400.0, pytest.approx(0.1))
    assert (lost.net_pos_n, lost.net_pos_s1) == (0, 0)
    assert (lost.grade_a, lost.grade_b, lost.grade_c, lost.grade_d) == (1, 0, 0, 0)  # '' counts as A
    assert lost.net_draws == []


def test_a_case_without_a_business_case_counts_none(cases):
    refresh()
    bare = fact(cases["bare"])
    values = [bare.bc_n, bare.net_s1, bare.net_s2, bare.net_v, bare.chance, bare.avoided, bare.investment]
    assert values == [0] * 7
    assert (bare.grade_a, bare.net_pos_n, bare.net_draws) == (0, 0, [])


def test_followups_held_failed_and_trouble(cases):
    refresh()
    full, lost, twin, bare = (fact(cases[k]) for k in ("full", "lost", "twin", "bare"))
    # 3 months: not in trouble, home kept, job not asked: held, with its business case.
    assert (full.fu3_done, full.fu3_trouble, full.fu3_held, full.fu3_held_bc) == (1, 0, 1, 1)
    assert (full.fu3_held_net, full.fu3_held_net_sq, full.fu3_failed_bc, full.fu3_failed_net) == (
        2000.0,
        4.0e6,
        0,
        0,
    )
    # 12 months: home lost, so the assumption did not hold though not back in trouble.
    assert (full.fu12_done, full.fu12_trouble, full.fu12_held, full.fu12_held_bc) == (1, 0, 0, 0)
    assert (full.fu12_failed_bc, full.fu12_failed_net, full.fu12_failed_net_sq) == (1, 2000.0, 4.0e6)
    # Back in trouble: failed, with a negative net; the 12-month follow-up is not done yet.
    assert (lost.fu3_done, lost.fu3_trouble, lost.fu3_held, lost.fu3_failed_bc, lost.fu3_failed_net) == (
        1,
        1,
        0,
        1,
        -300.0,
    )
    assert (lost.fu12_done, lost.fu12_trouble, lost.fu12_held, lost.fu12_failed_bc) == (0, 0, 0, 0)
    # Job lost without a business case: did not hold, and counts in no business-case sum.
    assert (twin.fu3_done, twin.fu3_held, twin.fu3_failed_bc, twin.fu3_failed_net) == (1, 0, 0, 0)
    assert (bare.fu3_done, bare.fu12_done) == (0, 0)


def test_grades_and_closed_cases_without_feedback(cases):
    refresh()
    full, lost, twin, bare = (fact(cases[k]) for k in ("full", "lost", "twin", "bare"))
    grades = [f"grade_{k}" for k in range(1, 11)]
    assert [getattr(full, g) for g in grades] == [0] * 7 + [1, 0, 0]
    assert [getattr(twin, g) for g in grades] == [0, 0, 1] + [0] * 7
    assert (full.no_grade, twin.no_grade) == (0, 0)
    assert (lost.no_grade, sum(getattr(lost, g) for g in grades)) == (1, 0)
    assert bare.no_grade == 0  # open: not a respondent yet


def test_domains_and_agencies_count_once_each(cases):
    refresh()
    full, lost = fact(cases["full"]), fact(cases["lost"])
    domains = {k for k in LifeDomain.values if getattr(full, f"domain_{k}")}
    agencies = {k for k in Agency.values if getattr(full, f"agency_{k}")}
    assert domains == {LifeDomain.FINANCES, LifeDomain.HOUSING}
    assert agencies == {Agency.TAX, Agency.HOUSING_CORPORATION}
    assert (lost.domain_13, lost.agency_11, lost.domain_1, lost.agency_1) == (1, 1, 0, 0)
    assert (full.domains, full.agencies) == (cases["full"].domains, cases["full"].agencies)


def test_the_cube_sums_the_facts_per_cohort(cases):
    refresh()
    assert CaseCube.objects.count() == 3  # full, lost, and bare with twin
    fields = [f.name for f in MEASURES]
    assert CaseCube.objects.aggregate(*[Sum(f) for f in fields]) == CaseFact.objects.aggregate(
        *[Sum(f) for f in fields]
    )
    cohort = CaseCube.objects.get(opened_month=datetime.date(2026, 2, 1))
    assert (cohort.n, cohort.kind, cohort.closed_month, cohort.hours, cohort.grade_3, cohort.fu3_done) == (
        2,
        "",
        None,
        Decimal("2.00"),
        1,
        1,
    )
    for row in CaseCube.objects.all():
        facts = CaseFact.objects.filter(**{d: getattr(row, d) for d in DIMENSIONS})
        assert facts.aggregate(*[Sum(f) for f in fields]) == {f"{f}__sum": getattr(row, f) for f in fields}


@pytest.mark.parametrize(
    "model, column, mask, values",
    [
        (CaseCubeDomain, "domain", "domains", LifeDomain.values),
        (CaseCubeAgency, "agency", "agencies", Agency.values),
    ],
)
def test_the_cube_per_domain_and_agency_sums_the_facts_that_involve_it(cases, model, column, mask, values):
    refresh()
    fields = [f.name for f in MEASURES]
    assert model.objects.exists()
    for value in values:
        facts = involving(CaseFact.objects.all(), mask, value)
        rows = model.objects.filter(**{column: value})
        expected = facts.aggregate(*[Sum(f) for f in fields])
        if not facts.exists():
            assert not rows.exists()
            continue
        assert rows.aggregate(*[Sum(f) for f in fields]) == expected


def test_budget_months_follow_the_ledger(world):
    def at(day, hour=12):
        return datetime.datetime(2026, *day, hour, tzinfo=datetime.UTC)

    budget = budget_of(world)
    case = make_case(world, opened_on=datetime.date(2026, 1, 2))
    paid, cancelled = spend(world, case, "800.00"), spend(world, case, "300.00")

    def book(kind, amount, when, *, spend=None, reverses=None):
        return LedgerEntry.objects.create(
            budget=budget,
            kind=kind,
            amount=Decimal(amount),
            spend=spend,
            reverses=reverses,
            created_by=world.adam,
            created_at=when,
        )

    book(EntryKind.ALLOCATION, "10000.00", at((1, 10)))
    wrong = book(EntryKind.ALLOCATION, "500.00", at((1, 20)))
    book(EntryKind.REVERSAL, "500.00", at((2, 2)), reverses=wrong)
    book(EntryKind.COMMITMENT, "800.00", at((2, 5)), spend=paid)
    book(EntryKind.COMMITMENT, "300.00", at((2, 6)), spend=cancelled)
    payment = book(EntryKind.PAYMENT, "500.00", at((2, 20)), spend=paid)
    release = book(EntryKind.RELEASE, "500.00", at((2, 20)), spend=paid)
    book(EntryKind.RELEASE, "300.00", at((3, 3)), spend=cancelled)
    # 23:30 UTC on 31 March is 1 April in Amsterdam: the month is the app's, not UTC's.
    book(EntryKind.REVERSAL, "500.00", at((3, 31), 23), spend=paid, reverses=payment)
    book(EntryKind.REVERSAL, "500.00", at((3, 31), 23), spend=paid, reverses=release)
    refresh()
    rows = {
        row.month.month: (row.allocated, row.committed, row.paid, row.spends)
        for row in BudgetMonth.objects.filter(budget_id=budget.pk)
    }
    d = Decimal
    assert rows == {
        1: (d("10500.00"), d("0"), d("0"), 0),
        2: (d("-500.00"), d("600.00"), d("500.00"), 2),
        3: (d("0"), d("-300.00"), d("0"), 0),
        4: (d("0"), d("500.00"), d("-500.00"), 0),
    }
    row = BudgetMonth.objects.filter(budget_id=budget.pk).first()
    assert (row.municipality_id, row.team_id, row.channel) == (
        world.eindhoven.pk,
        world.team_a.pk,
        budget.channel,
    )
    # Summed over the months: what the ledger's own arithmetic gives.
    balances = budget.balances()
    totals = BudgetMonth.objects.filter(budget_id=budget.pk).aggregate(
        Sum("allocated"), Sum("committed"), Sum("paid")
    )
    assert (totals["allocated__sum"], totals["committed__sum"], totals["paid__sum"]) == (
        balances.allocated,
        balances.committed,
        balances.paid,
    )


def test_a_refresh_replaces_the_tables_and_records_the_run(world, cases):
    first = refresh()
    make_case(world, opened_on=datetime.date(2026, 3, 1))
    second = refresh()
    assert (first.cases, second.cases) == (4, 5)
    assert CaseFact.objects.count() == 5
    assert second.finished_at >= second.started_at
    assert second.error == ""
    assert freshness.last_refresh() == second


def test_a_failed_refresh_keeps_the_old_tables_and_records_the_error(world, cases, monkeypatch):
    refresh()
    before = (CaseFact.objects.count(), CaseCube.objects.count())
    make_case(world, opened_on=datetime.date(2026, 3, 1))
    monkeypatch.setattr(refresh_module, "_cube_sql", lambda: "INSERT INTO no_such_table VALUES (1)")
    with pytest.raises(Exception, match="no_such_table"):
        refresh()
    failed = Refresh.objects.latest()
    assert "no_such_table" in failed.error
    assert failed.cases == 0
    assert (CaseFact.objects.count(), CaseCube.objects.count()) == before
    assert freshness.last_refresh() != failed


def test_freshness_is_stale_without_or_after_an_old_refresh(cases):
    assert freshness.last_refresh() is None
    assert freshness.is_stale()
    run = refresh()
    assert not freshness.is_stale()
    assert freshness.is_stale(now=run.finished_at + datetime.timedelta(minutes=11))
    assert not freshness.is_stale(
        datetime.timedelta(hours=1), now=run.finished_at + datetime.timedelta(minutes=11)
    )


def test_the_task_runs_the_refresh(cases):
    # The tests' ImmediateBackend runs the task at once.
    assert tasks.request_refresh()
    assert CaseFact.objects.count() == 4
    assert Refresh.objects.get().cases == 4


@override_settings(TASKS=DATABASE_BACKEND)
def test_request_refresh_queues_one_task_however_often_it_is_asked(db):
    assert tasks.request_refresh() is True
    assert tasks.request_refresh() is False
    assert tasks.request_refresh() is False
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "maatwerk.insights.tasks.refresh_insights"
    # Running: still no second one.
    queued.claim("worker-1")
    assert tasks.request_refresh() is False
    # Done: the next request queues again.
    queued.set_successful({"cases": 0})
    assert tasks.request_refresh() is True
    assert DBTaskResult.objects.count() == 2


@override_settings(TASKS=DATABASE_BACKEND)
def test_a_run_left_behind_by_a_dead_worker_does_not_block_a_new_one(db):
    assert tasks.request_refresh()
    stuck = DBTaskResult.objects.get()
    stuck.claim("worker-that-died")
    DBTaskResult.objects.filter(pk=stuck.pk).update(started_at=timezone.now() - datetime.timedelta(hours=2))
    assert tasks.request_refresh() is True


def test_the_command_refreshes_and_says_how_many_cases(cases, capsys):
    call_command("refresh_insights")
    out = capsys.readouterr().out
    assert "4 cases" in out
    assert CaseFact.objects.count() == 4


def test_the_demo_ends_with_a_refresh_so_a_fresh_demo_shows_figures(db):
    call_command("demo", households=30, verbosity=0)
    assert freshness.last_refresh().cases == Case.objects.count() > 0
    assert CaseFact.objects.count() == Case.objects.count()
    # Loaded already and refreshed: a second start (make run) does not rebuild again.
    call_command("demo", if_empty=True, verbosity=0)
    assert Refresh.objects.count() == 1


@override_settings(TASKS=DATABASE_BACKEND)
def test_a_dashboard_queues_a_refresh_only_when_the_figures_are_stale(db):
    refresh()
    assert tasks.refresh_if_stale() is False  # fresh: nothing queued
    assert not DBTaskResult.objects.exists()
    assert tasks.refresh_if_stale(datetime.timedelta(0)) is True
    assert tasks.refresh_if_stale(datetime.timedelta(0)) is False  # already queued
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_readers_see_the_old_tables_while_the_refresh_runs(world, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the test database of SQLite is one in-memory file shared by locks, not snapshots")
    make_case(world, opened_on=datetime.date(2026, 1, 5))
    refresh()
    make_case(world, opened_on=datetime.date(2026, 1, 6))
    seen = {}
    build_cube = refresh_module._cube_sql

    def look_from_another_connection(*args):
        # Half-way (the first cube statement): the facts are deleted and rebuilt in the refresh's
        # transaction, not yet committed. The per-domain and per-agency cubes go through as they are.
        if seen:
            return build_cube(*args)

        def read():
            seen["facts"] = CaseFact.objects.count()
            seen["cubes"] = CaseCube.objects.count()
            connection.close()

        reader = threading.Thread(target=read)
        reader.start()
        reader.join()
        return build_cube(*args)

    monkeypatch.setattr(refresh_module, "_cube_sql", look_from_another_connection)
    assert refresh().cases == 2
    assert seen == {"facts": 1, "cubes": 1}
    assert CaseFact.objects.count() == 2
