"""Synthetic households and cases for the demo organisation, written with bulk inserts.

Deterministic for a seed (dates are relative to today, so that follow-ups are due and overdue whenever the
demo is loaded). The situations are modelled on the practice of the City Deal: a childcare allowance offset
against a tax debt, a car to reach a job, a rent deposit, health-insurer arrears, a youth turning 18, early
debt signals, stacked CJIB fines. All names are invented and every BSN is generated (11-check valid).

The rows are written directly, not through `services`: the services' per-row audit and checks would make
100,000 households take an hour. One AccessLog row records the load instead.

About 45 % of the cases from the plan stage on get a business case (demo/business.py: a template per
scenario computed once, scaled per case), and about 30 % of the cases past intake are chosen to get a
spend request; the spends themselves are written by `demo.budgets.bulk_spends` once the budgets exist,
from the list `generate` fills. Having had a spend makes a follow-up a little better (back in trouble
12 % instead of 18 %), so the dashboards have a difference to show.

The closings' client quotes and reflections come from `demo.voices`, which also makes them voices where the
client or the worker consented, de-identified and shared, as `close_case` and the task worker would.
"""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, models, transaction
from django.utils import timezone

from maatwerk.accounts.audit import log_access
from maatwerk.accounts.models import AccessLog, Membership, Role, Team
from maatwerk.businesscases.models import BusinessCase, BusinessCaseVersion
from maatwerk.cases import lib
from maatwerk.cases.models import (
    STATUS_ORDER,
    Agency,
    Case,
    DomainScore,
    Feedback,
    FollowUp,
    Household,
    LifeDomain,
    MdtConsultation,
    MdtParticipant,
    Moment,
    Note,
    Outcome,
    Person,
    Reflection,
    Status,
    StatusChange,
    TimeEntry,
    Tone,
)

from . import business
from . import voices as demo_voices

D, A = LifeDomain, Agency
CHUNK = 2000


@dataclass(frozen=True)
class Scenario:
    vastloper: str
    domains: tuple
    agencies: tuple
    goal: str
    notes: tuple
    mdt_question: str
    mdt_participants: tuple
    mdt_advice: str
    outcome: dict = field(default_factory=dict)


SCENARIOS = [
    Scenario(
        "De Belastingdienst verrekent de kinderopvangtoeslag met een oude belastingschuld; zonder toeslag "
        "kan moeder de opvang niet betalen en dreigt ze haar baan te verliezen.",
        (D.FINANCES, D.WORK_EDUCATION, D.DOMESTIC_RELATIONS),
        (A.TAX,),
        "Blijven werken en de opvang voor de kinderen houden.",
        (
            "Intake: moeder werkt 24 uur, toeslag sinds drie maanden verrekend.",
            "Contact met Toeslagen: verrekening kan alleen stoppen met een betalingsregeling.",
            "Gemeente betaalt de opvang voor drie maanden voor als overbrugging.",
        ),
        "Mag het maatwerkbudget de kinderopvang overbruggen tot de verrekening stopt?",
        (
            ("sociaal werker", "wijkteam"),
            ("consulent", "Belastingdienst/Toeslagen"),
            ("beleidsadviseur", "gemeente"),
        ),
        "Overbruggen met maatwerkbudget; betalingsregeling regelen via Toeslagen.",
        {"income_change": "Toeslag weer uitbetaald na betalingsregeling.", "work_change": "Baan behouden."},
    ),
    Scenario(
        "Vader kan een baan krijgen in de haven, maar is er zonder auto niet op tijd; de bijstand telt een "
        "auto als vermogen en de lening voor een auto past niet in de regels.",
        (D.WORK_EDUCATION, D.FINANCES, D.PARTICIPATION),
        (A.UWV,),
        "Aan het werk en uit de bijstand.",
        (
            "Werkgever wil hem aannemen bij vervoer vanaf 1 april.",
            "Occasion gevonden; APK en verzekering berekend.",
            "Eerste maand gewerkt; vervoer loopt goed.",
        ),
        "Kan een auto worden gefinancierd als investering in werk?",
        (("klantmanager", "Werk en Inkomen"), ("sociaal werker", "wijkteam")),
        "Lening uit maatwerkbudget, terug te betalen uit loon na zes maanden.",
        {"work_change": "Vaste baan in de haven.", "income_change": "Uit de bijstand."},
    ),
    Scenario(
        "Gezin kan een sociale huurwoning krijgen maar heeft geen borg en eerste huur; de bijzondere "
        "bijstand beslist pas na de ingangsdatum van het contract.",
        (D.HOUSING, D.FINANCES, D.DOMESTIC_RELATIONS),
        (A.HOUSING_CORPORATION,),
        "Een eigen woning voor moeder en de twee kinderen.",
        (
            "Gezin woont nu bij oma in een te kleine woning.",
            "Corporatie houdt de woning twee weken vast.",
            "Borg betaald uit maatwerkbudget; sleutel opgehaald.",
        ),
        "Borg voorschieten voordat de bijzondere bijstand beslist?",
        (("woonconsulent", "woningcorporatie"), ("sociaal werker", "wijkteam")),
        "Voorschieten, verrekenen met de bijzondere bijstand.",
        {"housing_change": "Eigen huurwoning betrokken."},
    ),
    Scenario(
        "Achterstand bij de zorgverzekeraar; na zes maanden meldt die bij het CAK en gaat de "
        "bestuursrechtelijke premie van het loon af, waardoor de huur niet meer betaald kan worden.",
        (D.FINANCES, D.PHYSICAL_HEALTH, D.HOUSING),
        (A.HEALTH_INSURER, A.CAK),
        "Schulden onder controle en de huur weer kunnen betalen.",
        (
            "Premieachterstand van ruim 900 euro, bronheffing CAK loopt.",
            "Zorgverzekeraar akkoord met regeling bij aflossing ineens.",
            "Uit de bronheffing; huur weer op tijd.",
        ),
        "Achterstand aflossen zodat de bronheffing stopt?",
        (("schuldhulpverlener", "gemeente"), ("medewerker", "CAK"), ("sociaal werker", "wijkteam")),
        "Aflossen uit maatwerkbudget, budgetbeheer zes maanden.",
        {"debts_change": "Premieachterstand afgelost, bronheffing gestopt."},
    ),
    Scenario(
        "Zoon wordt 18: kinderbijslag en kindgebonden budget stoppen, zorgpremie en studiefinanciering "
        "beginnen niet op tijd; hij dreigt zijn opleiding te stoppen.",
        (D.WORK_EDUCATION, D.FINANCES, D.MENTAL_HEALTH),
        (A.SVB, A.DUO, A.HEALTH_INSURER),
        "Zoon maakt de opleiding af en het gezin komt niet in de schulden.",
        (
            "Kinderbijslag stopt volgende maand.",
            "DUO-aanvraag samen ingevuld; zorgtoeslag aangevraagd.",
            "Eerste studiefinanciering ontvangen.",
        ),
        "Kan de overgang naar 18 worden overbrugd?",
        (("jongerencoach", "wijkteam"), ("decaan", "mbo-school")),
        "Twee maanden overbrugging, aanvragen samen doen.",
        {"income_change": "Studiefinanciering en zorgtoeslag lopen."},
    ),
    Scenario(
        "Vroegsignalering: huur- en energieachterstand gemeld; de energieleverancier dreigt af te sluiten en "
        "een schuldeiser heeft beslag aangekondigd.",
        (D.FINANCES, D.HOUSING, D.SOCIAL_NETWORK),
        (A.ENERGY_SUPPLIER, A.HOUSING_CORPORATION, A.CREDITOR),
        "Geen afsluiting en overzicht over de schulden.",
        (
            "Huisbezoek na signaal van de corporatie.",
            "Afsluiting energie uitgesteld na telefoontje.",
            "Aanmelding schuldhulpverlening gedaan.",
        ),
        "Schulden saneren of eerst stabiliseren?",
        (("schuldhulpverlener", "gemeente"), ("incasso", "woningcorporatie")),
        "Eerst stabiliseren; betalingsregelingen met alle schuldeisers.",
        {"debts_change": "Betalingsregelingen met alle schuldeisers.", "housing_change": "Woning behouden."},
    ),
    Scenario(
        "Boetes bij het CJIB lopen op door verhogingen; het rijbewijs dreigt ingevorderd te worden en "
        "daarmee het werk als bezorger.",
        (D.JUSTICE, D.FINANCES, D.WORK_EDUCATION),
        (A.CJIB,),
        "Het rijbewijs en het werk houden.",
        (
            "Zeven boetes, samen met verhogingen ruim 1.400 euro.",
            "CJIB akkoord met betalingsregeling na contact via maatwerkloket.",
            "Regeling loopt, geen nieuwe verhogingen.",
        ),
        "Kan het CJIB de verhogingen laten vallen?",
        (("sociaal werker", "wijkteam"), ("medewerker", "CJIB")),
        "Regeling via het maatwerkloket aanvragen.",
        {"work_change": "Werk als bezorger behouden.", "debts_change": "Betalingsregeling CJIB."},
    ),
]

FIRST = [
    "Sanne",
    "Ahmed",
    "Femke",
    "Jeroen",
    "Yasmina",
    "Ruud",
    "Ilse",
    "Mehmet",
    "Anouk",
    "Kofi",
    "Noor",
    "Daan",
    "Fatima",
    "Bram",
    "Lotte",
    "Youssef",
    "Esra",
    "Tim",
    "Priya",
    "Henk",
    "Aylin",
    "Sem",
    "Mila",
    "Kevin",
]
LAST = [
    "de Vries",
    "El Amrani",
    "Bakker",
    "Jansen",
    "Öztürk",
    "Visser",
    "Mulder",
    "Pinas",
    "Smit",
    "Bos",
    "Kramer",
    "Yilmaz",
    "van Dijk",
    "Hendriks",
    "Baldewsingh",
    "Peters",
    "de Boer",
    "Kaya",
    "Meijer",
    "Dekker",
    "Koç",
    "van Leeuwen",
    "Brouwer",
    "Martina",
    "Vermeulen",
    "Aydın",
    "Postma",
    "Willems",
]
CHILD_FIRST = ["Sami", "Lina", "Jayden", "Sara", "Finn", "Amira", "Luuk", "Nora", "Ravi", "Zoë"]

# Grades average about 8.5, with some low ones (weights for 5..10).
GRADES, GRADE_WEIGHTS = [5, 6, 7, 8, 9, 10], [3, 6, 11, 24, 31, 25]
# Shares: a business case among the cases from the plan stage on, a spend among the cases past intake.
BUSINESS_CASE_SHARE, SPEND_SHARE = 0.45, 0.30
# Follow-up outcomes without and with a spend: back in trouble, kept the home, kept the job.
TROUBLE = {False: 0.18, True: 0.12}
KEPT_HOME = {False: 0.90, True: 0.95}
KEPT_JOB = {False: 0.80, True: 0.88}
# Share of cases per status (intake … aftercare).
STATUS_WEIGHTS = [10, 12, 13, 20, 20, 25]
ACTIVITIES = [a.value for a in TimeEntry.Activity]
EMPTY_OUTCOME = {"housing_change": "", "income_change": "", "work_change": "", "debts_change": ""}


@dataclass(frozen=True)
class PlannedSpend:
    """A case chosen for a spend request; `demo.budgets.bulk_spends` writes it once budgets exist."""

    case_id: int
    scenario: int  # index into SCENARIOS
    staff: "TeamStaff"
    worker: object
    opened_on: datetime.date
    closed_on: datetime.date | None


@dataclass
class TeamStaff:
    team: Team
    workers: list
    lead: object | None


def _staff() -> list[TeamStaff]:
    staff = []
    for team in Team.objects.select_related("municipality").order_by("municipality__code", "name"):
        ms = Membership.objects.filter(team=team).select_related("user").order_by("user__username")
        workers = [m.user for m in ms if m.role == Role.WORKER]
        leads = [m.user for m in ms if m.role == Role.TEAM_LEAD]
        if workers:
            staff.append(TeamStaff(team, workers, leads[0] if leads else None))
    return staff


def _aware(day: datetime.date, rng: random.Random) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(9 + rng.randrange(8), rng.randrange(60)))
    )


def generate(
    households: int | None = None,
    *,
    seed: int = 1,
    per_team: int = 12,
    progress: bool = False,
    planned_spends: list | None = None,
) -> int:
    """Create `households` households with a case each (default `per_team` for every demo team).
    Does nothing when households exist already; returns the number created. The cases chosen for a
    spend are appended to `planned_spends` (a list of PlannedSpend) when given."""
    if Household.objects.exists():
        return 0
    staff = _staff()
    if not staff:
        return 0
    total = households if households is not None else per_team * len(staff)
    rng = random.Random(seed)
    # The voices' texts and consents draw from a generator of their own, so that they can change without
    # changing the rest of the demo.
    voice_rng = random.Random(f"demo-voices-{seed}")
    anonymise, themes = demo_voices.Anonymiser(), demo_voices.theme_ids()
    voices = 0
    today = timezone.localdate()
    templates = business.computed_templates()  # the engine runs here, once per template
    if planned_spends is None:
        planned_spends = []  # chosen all the same, so the data do not depend on whether they are kept
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=total, unit="households", desc="demo")
    done = 0
    while done < total:
        size = min(CHUNK, total - done)
        with transaction.atomic():
            closing = _chunk(rng, voice_rng, staff, done, size, today, templates, planned_spends)
            voices += closing.write(anonymise, themes)
        done += size
        if bar is not None:
            bar.update(size)
    if bar is not None:
        bar.close()
    log_access(
        None,
        action=AccessLog.Action.CREATE,
        purpose=f"synthetic demo data: {total} households, {voices} voices of their closings",
        object_type="cases.demo",
        object_id=str(seed),
    )
    return total


def _chunk(
    rng: random.Random,
    voice_rng: random.Random,
    staff: list[TeamStaff],
    offset: int,
    size: int,
    today: datetime.date,
    templates: list,
    planned_spends: list,
) -> demo_voices.ClosingVoices:
    """One chunk of households and their case files; returns the voices of their closings, to be written
    with the anonymiser's texts."""
    plans = []
    households = []
    for i in range(offset, offset + size):
        team_staff = staff[i % len(staff)]
        last = rng.choice(LAST)
        households.append(
            Household(
                municipality_id=team_staff.team.municipality_id,
                team=team_staff.team,
                name=last,
                search_key=last.lower(),
            )
        )
        plans.append((team_staff, last))
    Household.objects.bulk_create(households)

    persons, cases, case_plans = [], [], []
    for household, (team_staff, last) in zip(households, plans, strict=True):
        scenario_no = rng.randrange(len(SCENARIOS))
        scenario = SCENARIOS[scenario_no]
        adult_year = today.year - rng.randint(22, 60)
        persons.append(
            dict(
                household_id=household.pk,
                first_name=rng.choice(FIRST),
                last_name=last,
                bsn=lib.synthetic_bsn(rng) if rng.random() < 0.7 else "",
                birth_year=adult_year,
                role=Person.HouseholdRole.APPLICANT.value,
            )
        )
        if rng.random() < 0.45:
            persons.append(
                dict(
                    household_id=household.pk,
                    first_name=rng.choice(FIRST),
                    last_name=last,
                    bsn=lib.synthetic_bsn(rng) if rng.random() < 0.5 else "",
                    birth_year=adult_year + rng.randint(-4, 4),
                    role=Person.HouseholdRole.PARTNER.value,
                )
            )
        for _ in range(rng.choice([0, 0, 1, 2, 3])):
            # The youth-turning-18 situation always has a child of (almost) 18.
            age = 17 if scenario is SCENARIOS[4] else rng.randint(0, 17)
            persons.append(
                dict(
                    household_id=household.pk,
                    first_name=rng.choice(CHILD_FIRST),
                    last_name=last,
                    bsn="",
                    birth_year=today.year - age,
                    role=Person.HouseholdRole.CHILD.value,
                )
            )
        status = rng.choices(STATUS_ORDER, weights=STATUS_WEIGHTS)[0]
        index = STATUS_ORDER.index(status)
        age_days = {0: (0, 20), 1: (10, 45), 2: (20, 70), 3: (40, 200), 4: (150, 420), 5: (250, 900)}[index]
        opened_on = today - datetime.timedelta(days=rng.randint(*age_days))
        closed_on = None
        if status == Status.CLOSED:
            closed_on = min(
                opened_on + datetime.timedelta(days=rng.randint(90, 200)), today - datetime.timedelta(days=1)
            )
        elif status == Status.AFTERCARE:
            # Aftercare starts with the 3-month follow-up, so the case closed at least three months ago.
            closed_on = min(
                opened_on + datetime.timedelta(days=rng.randint(90, 240)),
                today - datetime.timedelta(days=100),
            )
        worker = rng.choice(team_staff.workers)
        domains = list(scenario.domains[: rng.randint(2, len(scenario.domains))])
        if rng.random() < 0.3:
            domains.append(rng.choice(list(LifeDomain)))
        agencies = list(scenario.agencies)
        if rng.random() < 0.15:
            agencies.append(A.OTHER)
        cases.append(
            Case(
                municipality_id=household.municipality_id,
                team=team_staff.team,
                household=household,
                lead_worker=worker,
                status=status,
                vastloper=scenario.vastloper,
                domains=lib.to_mask(domains),
                agencies=lib.to_mask(agencies),
                other_agency="Pensioenfonds" if A.OTHER in agencies else "",
                goal=scenario.goal,
                opened_on=opened_on,
                closed_on=closed_on,
                last_activity_at=_aware(
                    min(today, (closed_on or opened_on) + datetime.timedelta(days=rng.randint(0, 20))), rng
                ),
            )
        )
        has_bc = index >= STATUS_ORDER.index(Status.PLAN) and rng.random() < BUSINESS_CASE_SHARE
        has_spend = index >= 1 and rng.random() < SPEND_SHARE
        case_plans.append((scenario, worker, team_staff, index, scenario_no, has_bc, has_spend))
    _insert(Person, persons)
    Case.objects.bulk_create(cases, batch_size=5000)
    members: dict = {}
    for person in persons:
        members.setdefault(person["household_id"], []).append(person)
    people = {h.pk: demo_voices.people(h.name, members[h.pk]) for h in households}
    closing = demo_voices.ClosingVoices()

    now = timezone.now()
    changes, notes, entries, scores, mdts, mdt_people = [], [], [], [], [], []
    outcomes, feedbacks, reflections, followups, next_due = [], [], [], [], {}
    business_cases, versions = [], []
    for case, plan in zip(cases, case_plans, strict=True):
        scenario, worker, team_staff, index, scenario_no, has_bc, has_spend = plan
        span = max(((case.closed_on or today) - case.opened_on).days, 1)
        if has_bc:
            weights, options = templates[scenario_no]
            template = rng.choices(options, weights=weights)[0]
            at = _aware(min(today, case.opened_on + datetime.timedelta(days=span // 3)), rng)
            business_cases.append(BusinessCase(case=case, created_at=at))
            versions.append((template, rng.uniform(0.5, 2.0), worker.pk, at))
        if has_spend:
            planned_spends.append(
                PlannedSpend(case.pk, scenario_no, team_staff, worker, case.opened_on, case.closed_on)
            )
        for step in range(index):
            at_day = case.opened_on + datetime.timedelta(days=span * (step + 1) // (index + 1))
            changes.append(
                dict(
                    case_id=case.pk,
                    from_status=STATUS_ORDER[step].value,
                    to_status=STATUS_ORDER[step + 1].value,
                    reason="",
                    by_id=worker.pk,
                    at=_aware(min(at_day, today), rng),
                )
            )
        for n, text in enumerate(scenario.notes[: min(len(scenario.notes), index + 1)]):
            notes.append(
                dict(
                    case_id=case.pk,
                    author_id=worker.pk,
                    edited_at=None,
                    text=text,
                    created_at=_aware(case.opened_on + datetime.timedelta(days=span * n // 3), rng),
                )
            )
        for _ in range(rng.randint(1, 2 + index)):
            entries.append(
                dict(
                    case_id=case.pk,
                    worker_id=worker.pk,
                    description="",
                    activity=rng.choice(ACTIVITIES),
                    day=min(today, case.opened_on + datetime.timedelta(days=rng.randrange(span))),
                    hours=Decimal(rng.choice(["0.50", "1.00", "1.50", "2.00", "3.00", "0.25"])),
                )
            )
        scored = rng.random() < 0.4
        if scored:
            for domain in lib.from_mask(case.domains):
                scores.append(
                    dict(
                        case_id=case.pk,
                        moment=Moment.INTAKE.value,
                        domain=domain,
                        score=rng.randint(1, 3),
                        recorded_by_id=worker.pk,
                        recorded_at=now,
                    )
                )
        if index >= 2 and rng.random() < 0.3:
            mdt = MdtConsultation(
                case=case,
                requested_by=worker,
                question=scenario.mdt_question,
                held_on=case.opened_on + datetime.timedelta(days=min(span, 30)),
                advice=scenario.mdt_advice,
                decision="Advies overgenomen.",
            )
            mdts.append(mdt)
            mdt_people.append((mdt, scenario.mdt_participants))
        if case.closed_on:
            reached = rng.choices(["yes", "partly", "no"], weights=[60, 30, 10])[0]
            outcomes.append(
                {
                    **EMPTY_OUTCOME,
                    "case_id": case.pk,
                    "goal_reached": reached,
                    "recorded_by_id": worker.pk,
                    "recorded_at": now,
                    **(scenario.outcome if reached != "no" else {}),
                }
            )
            if rng.random() < 0.85:
                grade = rng.choices(GRADES, weights=GRADE_WEIGHTS)[0]
                who = people[case.household_id]
                quote, quote_tone, quote_themes = (
                    demo_voices.client_quote(voice_rng, grade, who) if rng.random() < 0.5 else ("", "", ())
                )
                consent = bool(quote) and rng.random() < 0.75
                feedbacks.append(
                    dict(
                        case_id=case.pk,
                        recorded_at=now,
                        grade=grade,
                        quote=quote,
                        quote_consent=consent,
                        tone=quote_tone,
                    )
                )
                if consent:
                    closing.quote(
                        case, by_id=worker.pk, who=who, text=quote, tone=quote_tone, themes=quote_themes
                    )
            tone = rng.choices([Tone.POSITIVE, Tone.MIXED, Tone.CRITICAL], weights=[65, 22, 13])[0]
            parts, share = demo_voices.reflection(voice_rng, tone)
            reflections.append(
                dict(
                    case_id=case.pk,
                    author_id=worker.pk,
                    recorded_at=now,
                    tone=tone.value,
                    **{part: text for part, (text, _themes) in parts.items()},
                    share_consent=share,
                )
            )
            if share:
                closing.reflection(
                    case, by_id=worker.pk, who=people[case.household_id], parts=parts, tone=tone.value
                )
            if scored:
                for domain in lib.from_mask(case.domains):
                    scores.append(
                        dict(
                            case_id=case.pk,
                            moment=Moment.CLOSE.value,
                            domain=domain,
                            score=rng.randint(2, 5),
                            recorded_by_id=worker.pk,
                            recorded_at=now,
                        )
                    )
            open_due = []
            for kind, months in ((FollowUp.Kind.THREE_MONTHS, 3), (FollowUp.Kind.TWELVE_MONTHS, 12)):
                due = lib.add_months(case.closed_on, months)
                done = case.status == Status.AFTERCARE and (
                    kind == FollowUp.Kind.THREE_MONTHS or (due < today and rng.random() < 0.6)
                )
                if done:
                    trouble = rng.random() < TROUBLE[has_spend]
                    followups.append(
                        dict(
                            case_id=case.pk,
                            kind=kind.value,
                            due_on=due,
                            recorded_by_id=worker.pk,
                            notes="",
                            done_on=min(today, due + datetime.timedelta(days=rng.randint(0, 20))),
                            back_in_trouble=trouble,
                            kept_home=rng.random() < KEPT_HOME[has_spend],
                            kept_job=None if rng.random() < 0.4 else rng.random() < KEPT_JOB[has_spend],
                        )
                    )
                else:
                    followups.append(
                        dict(
                            case_id=case.pk,
                            kind=kind.value,
                            due_on=due,
                            recorded_by_id=None,
                            notes="",
                            done_on=None,
                            back_in_trouble=None,
                            kept_home=None,
                            kept_job=None,
                        )
                    )
                    open_due.append(due)
            if open_due:
                next_due[case.pk] = min(open_due)
    _insert(StatusChange, changes)
    _insert(Note, notes)
    _insert(TimeEntry, entries)
    _insert(DomainScore, scores)
    MdtConsultation.objects.bulk_create(mdts, batch_size=5000)
    _insert(
        MdtParticipant,
        [
            {"consultation_id": m.pk, "role": r, "organisation": o}
            for m, people in mdt_people
            for r, o in people
        ],
    )
    _insert(Outcome, outcomes)
    _insert(Feedback, feedbacks)
    _insert(Reflection, reflections)
    _insert(FollowUp, followups)
    BusinessCase.objects.bulk_create(business_cases, batch_size=5000)
    _insert(
        BusinessCaseVersion,
        [
            business.version_row(template, factor, business_case_id=bc.pk, by_id=by_id, at=at)
            for bc, (template, factor, by_id, at) in zip(business_cases, versions, strict=True)
        ],
    )
    due_field = Case._meta.get_field("next_followup_due")
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {Case._meta.db_table} SET next_followup_due = %s WHERE id = %s",  # noqa: S608 (table name from the model)
            [(due_field.get_db_prep_save(due, connection), pk) for pk, due in next_due.items()],
        )
    return closing


def _insert(model, rows: list[dict]) -> None:
    """INSERT rows (dicts of attname → value) with executemany: no model instances, which is what makes
    100,000 households fit in minutes. Dates, datetimes and decimals are adapted by their fields."""
    if not rows:
        return
    names = list(rows[0])
    fields = [model._meta.get_field(n[:-3] if n.endswith("_id") and n != "id" else n) for n in names]
    adapt = [
        f.get_db_prep_save
        if isinstance(f, (models.DateField, models.DecimalField, models.JSONField))
        else None
        for f in fields
    ]
    # Table and column names come from the model, values are parameters.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        model._meta.db_table,
        ", ".join(connection.ops.quote_name(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    values = [
        tuple(a(row[n], connection) if a else row[n] for n, a in zip(names, adapt, strict=True))
        for row in rows
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(values), 5000):
            cursor.executemany(sql, values[start : start + 5000])
