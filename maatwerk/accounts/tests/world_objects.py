"""One of everything in alice's team (team A, Eindhoven), built through the services, for the tests that walk
every route: the authorisation matrix and the schemathesis run fill path parameters with these objects.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from maatwerk.accounts.models import AccessLog, ApiToken, Membership
from maatwerk.barriers import services as barrier_services
from maatwerk.barriers.models import Barrier, Escalation, Level
from maatwerk.barriers.tests.factories import childcare_barrier
from maatwerk.budgets import services as budget_services
from maatwerk.budgets.models import Budget, LedgerEntry, Mandate, PaymentBatch, SpendRequest
from maatwerk.budgets.tests.factories import IBAN, make_budget, request, standard_mandates
from maatwerk.businesscases import services as bc_services
from maatwerk.businesscases.models import BusinessCaseVersion, ValueTriangle
from maatwerk.businesscases.tests.factories import childcare_plan
from maatwerk.cases import services as case_services
from maatwerk.cases.models import Case, Conversation, FollowUp, Household, Note, Person, Status, Voice
from maatwerk.cases.tests.factories import case_in
from maatwerk.catalogue import services as catalogue_services
from maatwerk.catalogue.models import CostItem, CostOverride
from maatwerk.insights.models import StoryReport
from maatwerk.insights.stories.reports import services as story_services
from maatwerk.research import services as research_services
from maatwerk.research.models import ResearchRequest


@dataclass
class Objects:
    case: Case  # open (execution), with every kind of child object
    closed: Case  # closed, with open follow-ups
    household: Household
    person: Person
    note: Note
    followup: FollowUp
    version: BusinessCaseVersion
    triangle: ValueTriangle
    budget: Budget
    allocation: LedgerEntry
    spend: SpendRequest  # requested by alice, waiting for the team lead
    approved: SpendRequest  # approved, in the batch
    batch: PaymentBatch
    barrier: Barrier
    escalation: Escalation
    item: CostItem
    override: CostOverride
    mandate: Mandate
    token: ApiToken
    access_log: AccessLog
    membership: Membership
    conversation: Conversation  # a reflection meeting of team A, recorded by dave
    voice: Voice  # the client's quote of the closed case, waiting for alice's check
    story_report: StoryReport  # erin's (policy, Eindhoven), at municipal level
    research: ResearchRequest  # rita's (researcher), Eindhoven's part waiting for erin's decision


def _seed_data_present() -> None:
    # A module-scoped build runs before conftest's per-test fixture that puts the catalogue seeds back
    # after a transactional test flushed them, so it does the same first.
    import importlib

    from django.apps import apps

    from maatwerk.catalogue.models import PriceIndex

    if not PriceIndex.objects.exists():
        importlib.import_module("maatwerk.catalogue.migrations.0002_seed_catalogue").load(apps, None)


def build_objects(world) -> Objects:
    _seed_data_present()
    alice, dave, adam = world.alice, world.dave, world.adam
    case = case_in(world, Status.EXECUTION, name="Jansen")
    closed = case_in(world, Status.CLOSED, name="Bakker")
    # Its three-month follow-up is due today (as if closed three months ago), so it can be recorded.
    FollowUp.objects.filter(case=closed, kind=FollowUp.Kind.THREE_MONTHS).update(due_on=datetime.date.today())
    note = case_services.add_note(case, by=alice, text="Gesprek met de Belastingdienst gehad.")
    case_services.register_time(case, by=alice, hours=Decimal("1.5"), activity="household")
    version = bc_services.save_version(case, by=alice, plan=childcare_plan(), note="Eerste versie")
    triangle = bc_services.record_triangle(
        case,
        by=alice,
        engagement="Sanne wil werken; haar moeder past op.",
        legitimacy="Voorkomt bijstand.",
        judgement="Opvang nu betalen is goedkoper.",
        verdict="yes",
    )
    standard_mandates(world.eindhoven)
    budget = make_budget(world)  # team A, 10.000 allocated by adam
    spend = request(alice, case, "100.00")
    approved = request(alice, case, "120.00")
    budget_services.approve_spend(approved, by=dave)
    batch = budget_services.export_payment_batch(
        by=adam,
        municipality=world.eindhoven,
        debtor_name="Gemeente Eindhoven",
        debtor_iban=IBAN,
        execution_date=datetime.date.today() + datetime.timedelta(days=7),
    )
    barrier = childcare_barrier(world, case=case)
    escalation = barrier_services.escalate_barrier(
        barrier,
        by=alice,
        level=Level.MUNICIPALITY,
        to="Maatwerkfunctionaris",
        due_date=datetime.date.today() + datetime.timedelta(days=14),
    )
    item = CostItem.objects.filter(active=True).order_by("code").first()
    override, _created = catalogue_services.save_override(
        item=item,
        municipality=world.eindhoven,
        amount=Decimal("99.00"),
        year=item.year,
        note="Eigen tarief volgens contract 2026",
        by=adam,
    )
    token = ApiToken.objects.create(user=alice, name="matrix", prefix="mtrx0000", key_hash="0" * 64)
    conversation = case_services.record_conversation(
        by=dave,
        team_id=world.team_a.pk,
        kind=Conversation.Kind.REFLECTION_MEETING,
        held_on=datetime.date.today(),
        context="Reflectie op het eerste jaar.",
        participants={"worker": 6, "team_lead": 1},
    )
    # Made directly in REVIEW, as the anonymiser would leave it: the matrix need not load deduce.
    voice = Voice.objects.create(
        municipality=world.eindhoven,
        team=world.team_a,
        case=closed,
        group="client",
        respondent=f"household:{closed.household_id}",
        text="Eindelijk iemand die doorpakte.",
        shared_text="Eindelijk iemand die doorpakte.",
        tone="positive",
        said_on=datetime.date.today(),
        consent=True,
        state=Voice.State.REVIEW,
        recorded_by=alice,
    )
    return Objects(
        case=case,
        closed=closed,
        household=case.household,
        person=case.household.persons.first(),
        note=note,
        followup=closed.followups.order_by("due_on").first(),
        version=version,
        triangle=triangle,
        budget=budget,
        allocation=budget.entries.order_by("id").first(),
        spend=spend,
        approved=approved,
        batch=batch,
        barrier=barrier,
        escalation=escalation,
        item=item,
        override=override,
        mandate=Mandate.objects.filter(municipality=world.eindhoven).order_by("id").first(),
        token=token,
        access_log=AccessLog.objects.filter(user=alice).order_by("id").first(),
        membership=Membership.objects.get(user=alice),
        conversation=conversation,
        voice=voice,
        story_report=story_services.create_report(by=world.erin, title="Reflectiebijeenkomst"),
        research=_research_request(world),
    )


def _research_request(world) -> ResearchRequest:
    return research_services.create_request(
        by=world.rita,
        purpose="Evaluatie van maatwerk",
        question="Welke kosten worden vermeden?",
        period_from="2024-01",
        period_to="2024-12",
        municipalities=[world.eindhoven.pk],
        variable_groups=[],
        free_text=False,
    )
