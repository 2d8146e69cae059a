"""The cases table of a research export: its columns, the two SQL queries that read them, and the
quasi-identifiers with their hierarchies.

One row per case of the approved municipalities opened in the request's period (`Case.opened_on` from the
first day of `period_from`'s month to the last day of `period_to`'s month).

Quasi-identifiers (what an outsider may know of a household and link on) and their hierarchies for
`maatwerk.lib.kanon` (level 0 is what is published when nothing needs coarsening; "*" is the last level):

- ``birth_band``: the applicant's birth year (else the eldest adult's) in 5-year bands "1980-1984" ->
  10-year bands -> 20-year bands -> "*". An exact birth year is never published (issue #14: 5-year bands).
- ``household_size``: persons in the household, capped at "5+" -> "1", "2", "3-4", "5+" -> "1", "2+" -> "*".
- ``municipality``: only when the request has several approved municipalities (with one it is the same for
  every row and says nothing); name -> "*".
- ``opened_month`` and ``closed_month`` (YYYY-MM; an open case has an empty closed month at every level but
  "*"): month -> quarter "2024-Q1" -> year -> "*". Both are quasi-identifiers, not one "period": a neighbour,
  a landlord or an employer knows when help started and when it ended, and the two months together give
  the duration, which would single out a long case even when each month alone is common.

Not published at all: postcode, address, team, worker, names, BSN, exact dates, free text (that goes
through the anonymiser into the texts table). Agencies are published as a count, not as a list.

Sensitive attributes (distinct l-diversity, l = 2, inside every class of the quasi-identifiers): the set of
life domains of the case (special-category data: health, debts, justice), and, when the outcome group is
requested, whether the goal was reached. A class in which every household had the same set of domains
would disclose that set for anybody known to be in the class; kanon suppresses or withholds it. The goal
does not apply to a case still open (None): l counts the known values only, so a class of open cases
passes while a class whose closed cases all failed does not (else the closed month would always be "*").

Suppression limit: 5 % of the rows (suppressed plus withheld); beyond it kanon generalises instead.

Why raw SQL and not the ORM per case: a million cases with their spends, hours, scores, follow-ups and
barriers are read as one query that joins `cases_case` to one GROUP BY subquery per table (the approach of
`insights.refresh`), streamed with a server-side cursor in chunks; the ORM's `.iterator()` with prefetches
would issue a query per related table per chunk and build a model instance per row.
"""

# The SQL is built from table and column names of the models and plain choice codes (checked by
# `maatwerk.lib.sqlcode.literal`); every value from a request goes in as a parameter.
# ruff: noqa: S608

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import translation

from maatwerk.barriers.models import BarrierType
from maatwerk.budgets.models import Channel, SpendStatus
from maatwerk.businesscases.queries import LATEST_VERSION_SOURCES
from maatwerk.cases.lib import bit
from maatwerk.cases.models import LifeDomain, Moment, Person, TimeEntry
from maatwerk.lib import kanon
from maatwerk.lib.sqlcode import flag as _flag
from maatwerk.lib.sqlcode import literal as _lit
from maatwerk.research.models import VariableGroup

CORE = "core"


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # "string", "int", "decimal", "float", "bool01"
    label: str  # Dutch: the codebook's language is fixed (the files are for Dutch research institutes)
    values: str = ""
    coarsened: str = ""
    group: str = CORE
    sql: str = ""  # the expression in the cases query; "" for columns computed in Python


def dutch(choice) -> str:
    """A choice's label in Dutch, from the catalogue the interface uses: the codebook is Dutch whatever
    the language of the user whose export it is."""
    with translation.override("nl"):
        return str(choice.label)


# Worded for the codebook's sentences ("score financiën bij de intake", "uren besteed aan MDO-overleg"),
# where the interface's labels ("intake", "MDO (multidisciplinair overleg)") would read badly.
MOMENT_NL = {
    Moment.INTAKE: "bij de intake",
    Moment.CLOSE: "bij afsluiting",
    Moment.FOLLOWUP_3: "na 3 maanden",
    Moment.FOLLOWUP_12: "na 12 maanden",
}
ACTIVITY_NL = {
    TimeEntry.Activity.CONTACT_HOUSEHOLD: "contact met het huishouden",
    TimeEntry.Activity.CONTACT_AGENCIES: "contact met instanties",
    TimeEntry.Activity.MDT: "MDO-overleg",
    TimeEntry.Activity.ADMINISTRATION: "administratie",
    TimeEntry.Activity.TRAVEL: "reistijd",
    TimeEntry.Activity.OTHER: "overig",
}
CHANNEL_NL = {Channel.MAATWERKBUDGET: "maatwerkbudget", Channel.BIJZONDERE_BIJSTAND: "bijzondere bijstand"}


@dataclass(frozen=True)
class Dialect:
    month: str  # "YYYY-MM" of a date ({})
    json_number: str  # a number at a path of a JSON column: {0} column, {1} the path as a list of keys


DIALECTS = {
    "sqlite": Dialect(
        # "%%": every query goes with parameters, and Django's SQLite cursor turns "%%" into "%" (with
        # DEBUG on it also formats the query for its log, where a lone "%Y" would raise ValueError).
        month="strftime('%%Y-%%m', {})",
        json_number="CAST(json_extract({0}, '$.{1}') AS REAL)",
    ),
    "postgresql": Dialect(
        month="to_char({}, 'YYYY-MM')",
        json_number="CAST(({0} #>> '{{{1}}}') AS DOUBLE PRECISION)",
    ),
}


def _json(d: Dialect, column: str, *path: str) -> str:
    joined = "." if d is DIALECTS["sqlite"] else ","
    return d.json_number.format(column, joined.join(path))


# The columns every file has, before the quasi-identifiers are added.
PSEUDONYMS = [
    Column(
        "case",
        "string",
        "pseudoniem van de casus",
        "20 hexadecimale tekens",
        "HMAC-SHA256 met een sleutel per export",
    ),
    Column(
        "household",
        "string",
        "pseudoniem van het huishouden",
        "20 hexadecimale tekens",
        "HMAC-SHA256 met een sleutel per export",
    ),
]
QI_COLUMNS = {
    "municipality": Column(
        "municipality",
        "string",
        "gemeente",
        "naam van de gemeente",
        "alleen bij meer gemeenten; anders weggelaten",
    ),
    "birth_band": Column(
        "birth_band",
        "string",
        "geboortejaar van de aanvrager (anders de oudste volwassene)",
        "jaren als '1980-1984'; leeg = onbekend",
        "banden van 5 jaar",
    ),
    "household_size": Column(
        "household_size", "string", "aantal personen in het huishouden", "1, 2, 3, 4, 5+", "afgetopt op 5+"
    ),
    "opened_month": Column("opened_month", "string", "maand van opening", "JJJJ-MM", "datum tot de maand"),
    "closed_month": Column(
        "closed_month",
        "string",
        "maand van afsluiting",
        "JJJJ-MM; leeg = niet afgesloten",
        "datum tot de maand",
    ),
}
QI_NOTE = "; kanon: daarna zo nodig grover (zie manifest.json) of '*' (onderdrukt)"


def core_columns() -> list[Column]:
    columns = [
        Column(
            "status",
            "string",
            "status",
            "intake, analysis, plan, execution, closed, aftercare",
            sql="c.status",
        ),
        Column(
            "agencies", "int", "aantal betrokken instanties", "0-11", "aantal in plaats van de lijst", sql=""
        ),
    ]
    for domain in LifeDomain:
        columns.append(
            Column(
                f"domain_{domain.name.lower()}",
                "bool01",
                f"leefgebied {dutch(domain)} speelt",
                "0, 1",
                sql=_flag(f"(c.domains & {bit(domain)}) <> 0"),
            )
        )
    return columns


def group_columns(d: Dialect) -> dict[str, list[Column]]:
    bc = VariableGroup.BUSINESS_CASE
    money = "euro, 2 decimalen"
    groups: dict[str, list[Column]] = {
        bc: [
            Column(
                "bc_investment",
                "decimal",
                "investering (laatste versie van de business case)",
                money,
                group=bc,
                sql="bc.investment",
            ),
            Column("bc_avoided", "decimal", "vermeden kosten, verwacht", money, group=bc, sql="bc.avoided"),
            Column("bc_net", "decimal", "netto opbrengst, verwacht", money, group=bc, sql="bc.net"),
            Column(
                "bc_net_p5",
                "float",
                "netto opbrengst, 5e percentiel van de simulatie",
                "euro",
                group=bc,
                sql="bc.p5",
            ),
            Column(
                "bc_net_p95",
                "float",
                "netto opbrengst, 95e percentiel van de simulatie",
                "euro",
                group=bc,
                sql="bc.p95",
            ),
        ],
    }
    spend = []
    for channel in Channel:
        spend.append(
            Column(
                f"spend_{channel}_approved",
                "decimal",
                f"uitgaven {CHANNEL_NL[channel]}, toegekend of betaald",
                money,
                group=VariableGroup.SPEND,
                sql=f"COALESCE(sp.{channel}_approved, 0)",
            )
        )
        spend.append(
            Column(
                f"spend_{channel}_paid",
                "decimal",
                f"uitgaven {CHANNEL_NL[channel]}, betaald",
                money,
                group=VariableGroup.SPEND,
                sql=f"COALESCE(sp.{channel}_paid, 0)",
            )
        )
    groups[VariableGroup.SPEND] = spend
    groups[VariableGroup.OUTCOME] = [
        Column(
            "goal_reached",
            "string",
            "doel van het huishouden bereikt",
            "yes, partly, no; leeg = geen uitkomst",
            group=VariableGroup.OUTCOME,
            sql="o.goal_reached",
        ),
        Column(
            "client_grade",
            "int",
            "rapportcijfer van de cliënt",
            "1-10; leeg = geen",
            group=VariableGroup.OUTCOME,
            sql="fb.grade",
        ),
    ]
    groups[VariableGroup.FOLLOWUP] = [
        Column(
            f"back_in_trouble_{months}m",
            "bool01",
            f"opnieuw vastgelopen na {months} maanden",
            "0, 1; leeg = (nog) niet nagevraagd",
            group=VariableGroup.FOLLOWUP,
            sql=(
                f"CASE WHEN f{months}.back_in_trouble IS NULL THEN NULL"
                f" WHEN f{months}.back_in_trouble THEN 1 ELSE 0 END"
            ),
        )
        for months in (3, 12)
    ]
    hours = [
        Column(
            "hours_total",
            "decimal",
            "uren besteed, totaal",
            "uren, 2 decimalen",
            group=VariableGroup.HOURS,
            sql="COALESCE(h.total, 0)",
        )
    ]
    for activity in TimeEntry.Activity:
        hours.append(
            Column(
                f"hours_{activity}",
                "decimal",
                f"uren besteed aan {ACTIVITY_NL[activity]}",
                "uren, 2 decimalen",
                group=VariableGroup.HOURS,
                sql=f"COALESCE(h.{activity}, 0)",
            )
        )
    groups[VariableGroup.HOURS] = hours
    groups[VariableGroup.SCORES] = [
        Column(
            f"score_{moment}_{domain.name.lower()}",
            "int",
            f"score {dutch(domain)} {MOMENT_NL[moment]}",
            "1-5; leeg = niet gescoord",
            group=VariableGroup.SCORES,
            sql=f"s.{moment}_{int(domain)}",
        )
        for moment in Moment
        for domain in LifeDomain
    ]
    groups[VariableGroup.BARRIERS] = [
        Column(
            f"barrier_{barrier}",
            "bool01",
            f"knelpunt van het type {dutch(barrier)} gekoppeld",
            "0, 1",
            group=VariableGroup.BARRIERS,
            sql=f"COALESCE(br.{barrier}, 0)",
        )
        for barrier in BarrierType
    ]
    return groups


# Positions of the fixed head of every row of the cases query.
ID, HOUSEHOLD, MUNICIPALITY, BIRTH, SIZE, OPENED, CLOSED, DOMAINS, AGENCIES, GOAL = range(10)
HEAD = 10


def _head(d: Dialect) -> list[str]:
    return [
        "c.id",
        "c.household_id",
        "m.name",
        "hh.birth",
        "hh.size",
        d.month.format("c.opened_on"),
        d.month.format("c.closed_on"),
        "c.domains",
        "c.agencies",
        "o.goal_reached",
    ]


def _sources(d: Dialect, groups: list[str]) -> str:
    """The cases joined to one aggregate per table (over the whole table: restricting each aggregate to the
    request's cases with `case_id IN (a CTE of them)` was tried and let PostgreSQL misestimate the CTE and
    pick nested loops, 540 s instead of 20 s for one municipality of the million)."""
    adults = ", ".join(_lit(r) for r in Person.HouseholdRole.values if r != Person.HouseholdRole.CHILD)
    joins = [
        "cases_case c",
        "JOIN accounts_municipality m ON m.id = c.municipality_id",
        f"""LEFT JOIN (
            SELECT household_id, COUNT(*) AS size,
                COALESCE(
                    MIN(CASE WHEN role = {_lit(Person.HouseholdRole.APPLICANT)} THEN birth_year END),
                    MIN(CASE WHEN role IN ({adults}) THEN birth_year END)
                ) AS birth
            FROM cases_person GROUP BY household_id
        ) hh ON hh.household_id = c.household_id""",
        "LEFT JOIN cases_outcome o ON o.case_id = c.id",
    ]
    if VariableGroup.OUTCOME in groups:
        joins.append("LEFT JOIN cases_feedback fb ON fb.case_id = c.id")
    if VariableGroup.BUSINESS_CASE in groups:
        joins.append(f"""LEFT JOIN (
            SELECT b.case_id, ROUND(v.investment, 2) AS investment, ROUND(v.expected_net, 2) AS net,
                ROUND(v.expected_net + v.investment, 2) AS avoided,
                {_json(d, "v.result", "simulation", "net", "p5")} AS p5,
                {_json(d, "v.result", "simulation", "net", "p95")} AS p95
            FROM {LATEST_VERSION_SOURCES}
        ) bc ON bc.case_id = c.id""")
    if VariableGroup.SPEND in groups:
        counted = ", ".join(_lit(s) for s in (SpendStatus.APPROVED, SpendStatus.PAID))
        sums = []
        for channel in Channel:
            sums.append(
                f"ROUND(SUM(CASE WHEN channel = {_lit(channel)} THEN amount ELSE 0 END), 2)"
                f" AS {channel}_approved"
            )
            sums.append(
                f"ROUND(SUM(CASE WHEN channel = {_lit(channel)} AND status = {_lit(SpendStatus.PAID)}"
                f" THEN amount ELSE 0 END), 2) AS {channel}_paid"
            )
        joins.append(f"""LEFT JOIN (
            SELECT case_id, {", ".join(sums)}
            FROM budgets_spendrequest WHERE status IN ({counted}) GROUP BY case_id
        ) sp ON sp.case_id = c.id""")
    if VariableGroup.FOLLOWUP in groups:
        for months, kind in ((3, "3m"), (12, "12m")):
            joins.append(
                f"LEFT JOIN cases_followup f{months}"
                f" ON f{months}.case_id = c.id AND f{months}.kind = {_lit(kind)}"
                f" AND f{months}.done_on IS NOT NULL"
            )
    if VariableGroup.HOURS in groups:
        by_activity = ", ".join(
            f"ROUND(SUM(CASE WHEN activity = {_lit(a)} THEN hours ELSE 0 END), 2) AS {a}"
            for a in TimeEntry.Activity
        )
        joins.append(f"""LEFT JOIN (
            SELECT case_id, ROUND(SUM(hours), 2) AS total, {by_activity}
            FROM cases_timeentry GROUP BY case_id
        ) h ON h.case_id = c.id""")
    if VariableGroup.SCORES in groups:
        pivot = ", ".join(
            f"MAX(CASE WHEN moment = {_lit(m)} AND domain = {int(dm)} THEN score END) AS {m}_{int(dm)}"
            for m in Moment
            for dm in LifeDomain
        )
        joins.append(
            f"LEFT JOIN (SELECT case_id, {pivot} FROM cases_domainscore GROUP BY case_id) s"
            " ON s.case_id = c.id"
        )
    if VariableGroup.BARRIERS in groups:
        flags = ", ".join(f"MAX({_flag(f'b.type = {_lit(t)}')}) AS {t}" for t in BarrierType)
        joins.append(f"""LEFT JOIN (
            SELECT l.case_id, {flags} FROM barriers_caselink l JOIN barriers_barrier b ON b.id = l.barrier_id
            GROUP BY l.case_id
        ) br ON br.case_id = c.id""")
    return "\n".join(joins)


def _where(municipality_ids: list[int], start: datetime.date, end: datetime.date) -> tuple[str, list]:
    marks = ", ".join(["%s"] * len(municipality_ids))
    return f"c.municipality_id IN ({marks}) AND c.opened_on >= %s AND c.opened_on < %s", [
        *municipality_ids,
        start,
        end,
    ]


def period(period_from: datetime.date, period_to: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first day opened and the first day after: whole months, `period_to`'s month included."""
    start = period_from.replace(day=1)
    after = period_to.replace(day=1) + datetime.timedelta(days=32)
    return start, after.replace(day=1)


def count_sql(municipality_ids, start, end) -> tuple[str, list]:
    where, params = _where(municipality_ids, start, end)
    return f"SELECT COUNT(*) FROM cases_case c WHERE {where}", params  # noqa: S608


def cases_sql(
    d: Dialect, groups: list[str], columns: list[Column], municipality_ids, start, end, *, light: bool
):
    """The cases query: the fixed head, then (unless `light`, the first pass) every column's expression."""
    where, params = _where(municipality_ids, start, end)
    select = _head(d) + ([] if light else [c.sql for c in columns if c.sql])
    sources = _sources(d, [] if light else groups)
    return f"SELECT {', '.join(select)}\nFROM {sources}\nWHERE {where}\nORDER BY c.id", params


# Hierarchies (the steps map a value of one level to the next; "" = unknown or open stays "").
def _band(width: int):
    def step(value: str) -> str:
        if not value:
            return value
        first = int(value[:4])
        first -= first % width
        return f"{first}-{first + width - 1}"

    return step


def _quarter(value: str) -> str:
    return f"{value[:4]}-Q{(int(value[5:7]) - 1) // 3 + 1}" if value else value


def _year(value: str) -> str:
    return value[:4]


SIZE_STEPS = ({"3": "3-4", "4": "3-4"}, {"3-4": "2+", "2": "2+", "5+": "2+"})


def _size_step(mapping: dict):
    def step(value: str) -> str:
        return mapping.get(value, value)

    return step


def birth_band(year: int | None) -> str:
    if year is None:
        return ""
    first = year - year % 5
    return f"{first}-{first + 4}"


MONTH_NAMES = ("maand JJJJ-MM", "kwartaal JJJJ-Qn", "jaar")
HIERARCHIES = {
    "municipality": kanon.Hierarchy("municipality", (), ("gemeente",)),
    "birth_band": kanon.Hierarchy(
        "birth_band",
        (_band(10), _band(20)),
        ("banden van 5 jaar", "banden van 10 jaar", "banden van 20 jaar"),
    ),
    "household_size": kanon.Hierarchy(
        "household_size",
        tuple(_size_step(m) for m in SIZE_STEPS),
        ("1, 2, 3, 4, 5+", "1, 2, 3-4, 5+", "1, 2+"),
    ),
    "opened_month": kanon.Hierarchy("opened_month", (_quarter, _year), MONTH_NAMES),
    "closed_month": kanon.Hierarchy("closed_month", (_quarter, _year), MONTH_NAMES),
}


def quasi_identifiers(several_municipalities: bool) -> list[str]:
    names = ["birth_band", "household_size", "opened_month", "closed_month"]
    return (["municipality"] if several_municipalities else []) + names


def qi_tuple(row, names: list[str]) -> tuple:
    """The level-0 quasi-identifiers of a row of the cases query, in the order of `names` (the
    municipality, when present, is always first: see `quasi_identifiers`)."""
    year, size = row[BIRTH], row[SIZE] or 0
    band = "" if year is None else _BANDS.get(year) or _BANDS.setdefault(year, birth_band(year))
    core = (band, "5+" if size >= 5 else str(size), row[OPENED], row[CLOSED] or "")
    return (row[MUNICIPALITY], *core) if len(names) == 5 else core


_BANDS: dict[int, str] = {}


def sensitive(row, with_goal: bool) -> tuple:
    return (row[DOMAINS], row[GOAL]) if with_goal else (row[DOMAINS],)
