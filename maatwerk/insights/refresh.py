"""Rebuild the dashboards' tables (`CaseFact`, `CaseCube`, `BudgetMonth`) from the case data.

One transaction deletes the old rows and inserts the new ones, each table with one INSERT ... SELECT: the
database joins every case to its spends, hours, latest business-case version, follow-ups and feedback,
each first aggregated per case in a derived table (a GROUP BY or a window), so the work is a few hash
joins and sorts, never a query per case. Readers keep seeing the previous tables until the commit
(PostgreSQL's MVCC; on SQLite the transaction holds the write lock and readers see the old file), and a
failed rebuild rolls back whole: the old tables stay and the `Refresh` row keeps the error.

The SQL is written once for SQLite and PostgreSQL; the few expressions that differ (first of the month,
days between dates, reading a JSON key, an empty JSON list) come from `_DIALECTS`. The column lists are
taken from the models, so a measure added to `models.Measures` without a rule here fails loudly.
"""

import logging
import time
from dataclasses import dataclass

from django.db import connection, models, transaction
from django.db.models import Case, Count, DecimalField, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from maatwerk.budgets.models import Channel, EntryKind, LedgerEntry, SpendStatus
from maatwerk.businesscases.queries import LATEST_VERSION_SOURCES
from maatwerk.cases.lib import bit
from maatwerk.cases.models import Agency, FollowUp, LifeDomain, TimeEntry
from maatwerk.lib.sqlcode import flag as _flag
from maatwerk.lib.sqlcode import literal as _lit

from .models import (
    DIMENSIONS,
    MEASURE_FIELDS,
    BudgetMonth,
    CaseCube,
    CaseCubeAgency,
    CaseCubeDomain,
    CaseFact,
    Refresh,
)

logger = logging.getLogger(__name__)

GRADES = ("A", "B", "C", "D")


def _columns(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


MEASURES = MEASURE_FIELDS


@dataclass(frozen=True)
class _Dialect:
    month: str  # first day of the month of a date: "{}" is the date
    days: str  # whole days from {0} to {1} (two dates)
    avoided: str  # the expected avoided cost from a version's result JSON ({}), NULL when absent
    empty_json: str  # an empty JSON list, as the JSON column takes it


_DIALECTS = {
    "sqlite": _Dialect(
        month="date({}, 'start of month')",
        days="CAST(julianday({1}) - julianday({0}) AS INTEGER)",
        avoided="CAST(json_extract({}, '$.expected.avoided') AS DOUBLE PRECISION)",
        empty_json="'[]'",
    ),
    "postgresql": _Dialect(
        month="CAST(date_trunc('month', CAST({} AS timestamp)) AS date)",
        days="({1} - {0})",
        avoided="CAST(({} -> 'expected' ->> 'avoided') AS DOUBLE PRECISION)",
        empty_json="CAST('[]' AS jsonb)",
    ),
}


def _money(expression: str) -> str:
    # SQLite sums decimals as binary floats; every amount has whole cents, so rounding the sum to cents
    # gives the exact decimal sum (PostgreSQL sums numerics exactly and the rounding changes nothing).
    return f"ROUND({expression}, 2)"


def _fact_expressions(d: _Dialect) -> dict[str, str]:
    """CaseFact column -> its SQL over the aliases of `_fact_sources` (c case, sp spends, h hours,
    bc latest business-case version, f3/f12 done follow-ups, fb feedback)."""
    closed = "c.closed_on IS NOT NULL"
    days = d.days.format("c.opened_on", "c.closed_on")
    has_bc = "bc.case_id IS NOT NULL"
    e = {
        "case_id": "c.id",
        "lead_worker_id": "c.lead_worker_id",
        "domains": "c.domains",
        "agencies": "c.agencies",
        "net_draws": f"COALESCE(bc.net_draws, {d.empty_json})",
        "municipality_id": "c.municipality_id",
        "team_id": "c.team_id",
        "opened_month": d.month.format("c.opened_on"),
        "closed_month": d.month.format("c.closed_on"),
        "status": "c.status",
        "kind": "COALESCE(sp.kind, '')",
        "n": "1",
        "closed_n": _flag(closed),
        "duration_days": f"CASE WHEN {closed} THEN {days} ELSE 0 END",
        "duration_days_sq": f"CASE WHEN {closed} THEN CAST({days} AS DOUBLE PRECISION) * {days} ELSE 0 END",
        "duration_days_cu": (
            f"CASE WHEN {closed} THEN CAST({days} AS DOUBLE PRECISION) * {days} * {days} ELSE 0 END"
        ),
        "spend_maatwerk": "COALESCE(sp.maatwerk, 0)",
        "spend_bijzonder": "COALESCE(sp.bijzonder, 0)",
        "spend_maatwerk_n": "COALESCE(sp.maatwerk_n, 0)",
        "spend_bijzonder_n": "COALESCE(sp.bijzonder_n, 0)",
        "hours": "COALESCE(h.total, 0)",
        # The business case's net moments; m is NULL without a business case, so these are 0 then.
        "bc_n": _flag(has_bc),
        "net_s1": "COALESCE(bc.m, 0)",
        "net_s2": "COALESCE(bc.m * bc.m, 0)",
        "net_s3": "COALESCE(bc.m * bc.m * bc.m, 0)",
        "net_v": "COALESCE(bc.v, 0)",
        "net_mv": "COALESCE(bc.m * bc.v, 0)",
        "net_t": "COALESCE(bc.t, 0)",
        "chance": "COALESCE(bc.chance, 0)",
        "net_pos_n": _flag("bc.m > 0"),
        "net_pos_s1": "CASE WHEN bc.m > 0 THEN bc.m ELSE 0 END",
        "net_pos_s2": "CASE WHEN bc.m > 0 THEN bc.m * bc.m ELSE 0 END",
        "net_pos_s3": "CASE WHEN bc.m > 0 THEN bc.m * bc.m * bc.m ELSE 0 END",
        "avoided": "COALESCE(bc.avoided, 0)",
        "investment": "COALESCE(bc.investment, 0)",
        "no_grade": _flag(f"{closed} AND fb.id IS NULL"),
    }
    for activity in TimeEntry.Activity.values:
        e[f"hours_{activity}"] = f"COALESCE(h.{activity}, 0)"
    # An empty weakest grade: the plan uses no catalogue item, which counts as the best grade.
    e["grade_a"] = _flag(f"{has_bc} AND bc.grade IN ('A', '')")
    for grade in GRADES[1:]:
        e[f"grade_{grade.lower()}"] = _flag(f"{has_bc} AND bc.grade = {_lit(grade)}")
    for months, alias in ((3, "f3"), (12, "f12")):
        # Held: recorded as not back in trouble, and home and job kept where recorded (NULL = not asked).
        held = (
            f"{alias}.back_in_trouble IS FALSE"
            f" AND {alias}.kept_home IS NOT FALSE AND {alias}.kept_job IS NOT FALSE"
        )
        failed = f"{alias}.id IS NOT NULL AND NOT ({held})"
        e[f"fu{months}_done"] = _flag(f"{alias}.id IS NOT NULL")
        e[f"fu{months}_trouble"] = _flag(f"{alias}.back_in_trouble IS TRUE")
        e[f"fu{months}_held"] = _flag(held)
        for name, condition in (("held", held), ("failed", failed)):
            e[f"fu{months}_{name}_bc"] = _flag(f"{condition} AND {has_bc}")
            e[f"fu{months}_{name}_net"] = f"CASE WHEN {condition} AND {has_bc} THEN bc.m ELSE 0 END"
            e[f"fu{months}_{name}_net_sq"] = f"CASE WHEN {condition} AND {has_bc} THEN bc.m * bc.m ELSE 0 END"
    for grade in range(1, 11):
        e[f"grade_{grade}"] = _flag(f"fb.grade = {grade}")
    for domain in LifeDomain.values:
        e[f"domain_{domain}"] = _flag(f"(c.domains & {bit(domain)}) <> 0")
    for agency in Agency.values:
        e[f"agency_{agency}"] = _flag(f"(c.agencies & {bit(agency)}) <> 0")
    return e


def _fact_sources(d: _Dialect) -> str:
    counted = ", ".join(_lit(s) for s in (SpendStatus.APPROVED, SpendStatus.PAID))
    maatwerk, bijzonder = _lit(Channel.MAATWERKBUDGET), _lit(Channel.BIJZONDERE_BIJSTAND)
    by_activity = ", ".join(
        f"{_money(f'SUM(CASE WHEN activity = {_lit(a)} THEN hours ELSE 0 END)')} AS {a}"
        for a in TimeEntry.Activity.values
    )
    done = "done_on IS NOT NULL"
    return f"""
        cases_case c
        LEFT JOIN (
            -- Per case: the approved and paid spends summed per channel, and the kind of the largest
            -- (the earliest of equal ones): one row per case, the first of its spends by amount.
            SELECT * FROM (
                SELECT
                    s.case_id,
                    s.kind,
                    ROW_NUMBER() OVER (PARTITION BY s.case_id ORDER BY s.amount DESC, s.id) AS rank,
                    SUM(CASE WHEN s.channel = {maatwerk} THEN s.amount ELSE 0 END)
                        OVER (PARTITION BY s.case_id) AS maatwerk,
                    SUM(CASE WHEN s.channel = {bijzonder} THEN s.amount ELSE 0 END)
                        OVER (PARTITION BY s.case_id) AS bijzonder,
                    MAX(CASE WHEN s.channel = {maatwerk} THEN 1 ELSE 0 END)
                        OVER (PARTITION BY s.case_id) AS maatwerk_n,
                    MAX(CASE WHEN s.channel = {bijzonder} THEN 1 ELSE 0 END)
                        OVER (PARTITION BY s.case_id) AS bijzonder_n
                FROM budgets_spendrequest s
                WHERE s.status IN ({counted})
            ) ranked
            WHERE ranked.rank = 1
        ) sp ON sp.case_id = c.id
        LEFT JOIN (
            SELECT case_id, {_money("SUM(hours)")} AS total, {by_activity}
            FROM cases_timeentry
            GROUP BY case_id
        ) h ON h.case_id = c.id
        LEFT JOIN (
            -- The latest version (highest number) of each business case.
            SELECT
                b.case_id,
                CAST(v.expected_net AS DOUBLE PRECISION) AS m,
                COALESCE(v.net_var, 0) AS v,
                COALESCE(v.net_m3, 0) AS t,
                CAST(v.p_net_positive AS DOUBLE PRECISION) AS chance,
                CAST(v.investment AS DOUBLE PRECISION) AS investment,
                COALESCE(
                    {d.avoided.format("v.result")},
                    CAST(v.expected_net + v.investment AS DOUBLE PRECISION)
                ) AS avoided,
                v.weakest_grade AS grade,
                v.net_draws
            FROM {LATEST_VERSION_SOURCES}
        ) bc ON bc.case_id = c.id
        LEFT JOIN cases_followup f3
            ON f3.case_id = c.id AND f3.kind = {_lit(FollowUp.Kind.THREE_MONTHS)} AND f3.{done}
        LEFT JOIN cases_followup f12
            ON f12.case_id = c.id AND f12.kind = {_lit(FollowUp.Kind.TWELVE_MONTHS)} AND f12.{done}
        LEFT JOIN cases_feedback fb ON fb.case_id = c.id
    """  # noqa: S608


def _fact_sql(d: _Dialect) -> str:
    expressions = _fact_expressions(d)
    columns = [f.column for f in _columns(CaseFact)]
    if set(expressions) != set(columns):
        missing, unknown = set(columns) - set(expressions), set(expressions) - set(columns)
        raise RuntimeError(f"CaseFact and the refresh disagree: no rule for {missing}; no column: {unknown}")
    select = ",\n    ".join(f"{expressions[c]} AS {c}" for c in columns)
    table = CaseFact._meta.db_table
    return f"INSERT INTO {table} ({', '.join(columns)})\nSELECT\n    {select}\nFROM {_fact_sources(d)}"


def _cube_sql(model=CaseCube, membership: tuple[str, str, list] | None = None) -> str:
    """The facts grouped by the dimensions, every measure summed, into `model`. With `membership`
    (column, mask, values): the cube per life domain or agency, each fact joined with the numbers of the
    bits set in its mask (a UNION ALL of constants: the same SQL on SQLite and PostgreSQL)."""

    def total(field) -> str:
        summed = f"SUM(f.{field.column})"
        return _money(summed) if isinstance(field, DecimalField) else summed

    dims = [f"f.{d}" for d in DIMENSIONS]
    columns = [*DIMENSIONS, *(f.column for f in MEASURES)]
    select = [*dims, *(total(f) for f in MEASURES)]
    join = ""
    if membership:
        column, mask, values = membership
        numbers = " UNION ALL ".join(f"SELECT {int(v)} AS k" for v in values)
        join = f" JOIN ({numbers}) b ON (f.{mask} & (1 << (b.k - 1))) <> 0"
        columns.insert(len(DIMENSIONS), column)
        select.insert(len(DIMENSIONS), "b.k")
        dims.append("b.k")
    return (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "  # noqa: S608 (names from the models)
        f"SELECT {', '.join(select)} FROM {CaseFact._meta.db_table} f{join} GROUP BY {', '.join(dims)}"
    )


def _budget_months():
    """Per budget and month (of the entry's booking, in the app's time zone): the allocations, the
    commitments less the releases, and the payments, each net of their reversals (`lib.ledger`: a
    reversal counts as a negative entry of the kind it reverses, in the month of the reversal); and the
    spends with a commitment or payment booked in the month. Keys: BudgetMonth's columns, prefixed."""
    money = DecimalField(max_digits=16, decimal_places=2)
    signed = Case(When(kind=EntryKind.REVERSAL, then=-F("amount")), default=F("amount"), output_field=money)

    def net(*terms: tuple[str, int]):
        whens = [When(effective_kind=kind, then=sign * F("signed")) for kind, sign in terms]
        total = Sum(Case(*whens, default=Value(0), output_field=money))
        return Coalesce(total, Value(0), output_field=money)

    booked = Q(kind__in=[EntryKind.COMMITMENT, EntryKind.PAYMENT])
    return (
        LedgerEntry.objects.order_by()
        .annotate(effective_kind=Coalesce("reverses__kind", "kind"), signed=signed)
        .values(
            q_budget_id=F("budget_id"),
            q_municipality_id=F("budget__municipality_id"),
            q_team_id=F("budget__team_id"),
            q_channel=F("budget__channel"),
            q_month=TruncMonth("created_at", output_field=models.DateField()),
        )
        .annotate(
            q_allocated=net((EntryKind.ALLOCATION, 1)),
            q_committed=net((EntryKind.COMMITMENT, 1), (EntryKind.RELEASE, -1)),
            q_paid=net((EntryKind.PAYMENT, 1)),
            q_spends=Count("spend_id", distinct=True, filter=booked),
        )
    )


def _budget_sql() -> tuple[str, tuple]:
    query, params = _budget_months().query.sql_with_params()
    columns = [f.column for f in _columns(BudgetMonth)]
    money = {f.column for f in _columns(BudgetMonth) if isinstance(f, DecimalField)}
    select = [_money(f"q.q_{c}") if c in money else f"q.q_{c}" for c in columns]
    table = BudgetMonth._meta.db_table
    sql = f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(select)} FROM ({query}) q"  # noqa: S608
    return sql, params


TABLES = (CaseFact, CaseCube, CaseCubeDomain, CaseCubeAgency, BudgetMonth)


def refresh(*, today=None) -> Refresh:
    """Rebuild the three tables in one transaction and return the finished `Refresh` row.

    On an error the transaction rolls back (the old tables stay), the row keeps the error text, and the
    error is raised again (the task then shows as failed). `today` is accepted for callers that pin the
    date; no measure depends on it (the facts hold dates, not ages).
    """
    vendor = connection.vendor
    if vendor not in _DIALECTS:
        raise NotImplementedError(f"the insights refresh knows SQLite and PostgreSQL, not {vendor}")
    dialect = _DIALECTS[vendor]
    run = Refresh.objects.create(started_at=timezone.now())
    clock = time.monotonic()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if vendor == "postgresql":
                # One refresh at a time; readers (ACCESS SHARE) are not blocked by EXCLUSIVE.
                names = ", ".join(m._meta.db_table for m in TABLES)
                cursor.execute(f"LOCK TABLE {names} IN EXCLUSIVE MODE")
                # The joins sort and hash a row per case: in memory rather than in files at a million.
                cursor.execute("SET LOCAL work_mem = '256MB'")
            for model in TABLES:
                cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608
            cursor.execute(_fact_sql(dialect))
            cases = cursor.rowcount
            cursor.execute(_cube_sql())
            cursor.execute(_cube_sql(CaseCubeDomain, ("domain", "domains", LifeDomain.values)))
            cursor.execute(_cube_sql(CaseCubeAgency, ("agency", "agencies", Agency.values)))
            cursor.execute(*_budget_sql())
            if vendor == "postgresql":
                # Fresh statistics for the dashboards' plans (ANALYZE may run inside a transaction), on
                # the columns they filter and group on only: sampling all hundred measures costs seconds.
                dimensions = ", ".join(DIMENSIONS)
                cursor.execute(f"ANALYZE {CaseFact._meta.db_table} (case_id, lead_worker_id, {dimensions})")
                cursor.execute(f"ANALYZE {CaseCube._meta.db_table} ({dimensions})")
                cursor.execute(f"ANALYZE {CaseCubeDomain._meta.db_table} (domain, {dimensions})")
                cursor.execute(f"ANALYZE {CaseCubeAgency._meta.db_table} (agency, {dimensions})")
                cursor.execute(f"ANALYZE {BudgetMonth._meta.db_table}")
            run.cases = cases
            run.finished_at = timezone.now()
            run.save(update_fields=["cases", "finished_at"])
    except Exception as error:
        run.error = f"{type(error).__name__}: {error}"[:10_000]
        run.finished_at = timezone.now()
        run.save(update_fields=["error", "finished_at"])
        logger.exception("insights refresh failed")
        raise
    logger.info("insights refresh: %d cases in %.1f s", run.cases, time.monotonic() - clock)
    return run
